//! The catalogue resource: its header, its links to datasets and its Hydra page view.

use super::identity::CatalogueIdentity;
use super::triples::Triples;
use super::vocabulary::ns;
use hdab_domain::catalogue::{Dataset, EHDS_ELI};
use hdab_domain::publisher::Publisher;
use oxrdf::vocab::xsd;

impl CatalogueIdentity {
    /// The `dcat:Catalog` itself: title, description, legislation, its publisher the HDAB.
    pub fn catalogue_header<'a>(&'a self, t: &mut Triples<'a>) {
        let catalogue = self.catalogue_node(t);
        t.class(catalogue, ns::DCAT_CATALOG);
        let title = format!("{} dataset catalogue", self.hdab_name);
        t.lang(catalogue, ns::DCT_TITLE, title, "en");
        t.lang(
            catalogue,
            ns::DCT_DESCRIPTION,
            "Health datasets available for secondary use under the European Health Data Space (Regulation (EU) 2025/327), described in HealthDCAT-AP.",
            "en",
        );
        t.typed_iri(
            catalogue,
            ns::DCATAP_LEGISLATION,
            EHDS_ELI,
            ns::ELI_LEGAL_RESOURCE,
        );
        let hdab = self.hdab_node(t);
        t.link(catalogue, ns::DCT_PUBLISHER, hdab);
        self.hdab_agent(t);
    }

    /// A page of the catalogue: `dcat:dataset` links to each of `datasets`, the agents of
    /// `publishers` (those not described on an earlier page) and each dataset's description.
    pub fn catalogue_page<'a>(
        &self,
        datasets: &'a [Dataset],
        publishers: impl IntoIterator<Item = &'a Publisher>,
        t: &mut Triples<'a>,
    ) {
        let catalogue = self.catalogue_node(t);
        for publisher in publishers {
            self.publisher_agent(publisher, t);
        }
        for dataset in datasets {
            let node = self.dataset_node(dataset, t);
            t.link(catalogue, ns::DCAT_DATASET, node);
            self.describe_as(node, dataset, t);
        }
    }

    /// The Hydra view of one page: where it is, the first page, the next one when there are
    /// more (each with the caller's page size and filters), and how many datasets the whole
    /// collection holds.
    pub fn page_view<'a>(&self, page: &PageLinks<'a>, t: &mut Triples<'a>) {
        let catalogue = self.catalogue_node(t);
        let view = t.node(page.this);
        t.link(catalogue, ns::HYDRA_VIEW, view);
        let total = page.total_items.to_string();
        t.typed(
            catalogue,
            ns::HYDRA_TOTAL_ITEMS,
            total,
            xsd::NON_NEGATIVE_INTEGER,
        );
        t.class(view, ns::HYDRA_PARTIAL_VIEW);
        t.iri(view, ns::HYDRA_FIRST, page.first);
        if let Some(next) = page.next {
            t.iri(view, ns::HYDRA_NEXT, next);
        }
    }
}

/// The links of one catalogue page.
pub struct PageLinks<'a> {
    pub this: &'a str,
    pub first: &'a str,
    pub next: Option<&'a str>,
    /// Datasets in the whole (filtered) collection.
    pub total_items: u64,
}
