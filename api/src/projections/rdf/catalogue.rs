//! The catalogue resource: its header, its links to datasets and its Hydra page view.

use super::identity::CatalogueIdentity;
use super::triples::Triples;
use super::vocabulary::ns;
use hdab_domain::catalogue::{Dataset, EHDS_ELI};
use oxrdf::NamedNode;
use oxrdf::vocab::{rdf, xsd};

impl CatalogueIdentity {
    /// The `dcat:Catalog` itself: title, description, legislation, its publisher the HDAB.
    pub fn catalogue_header(&self) -> Triples {
        let mut t = Triples::default();
        let catalogue = self.catalogue_iri();
        t.add(catalogue.clone(), rdf::TYPE, ns::DCAT_CATALOG);
        t.lang(
            catalogue.clone(),
            ns::DCT_TITLE,
            &format!("{} dataset catalogue", self.hdab_name),
            "en",
        );
        t.lang(
            catalogue.clone(),
            ns::DCT_DESCRIPTION,
            "Health datasets available for secondary use under the European Health Data Space (Regulation (EU) 2025/327), described in HealthDCAT-AP.",
            "en",
        );
        t.typed_iri(
            &catalogue,
            ns::DCATAP_LEGISLATION,
            EHDS_ELI,
            ns::ELI_LEGAL_RESOURCE,
        );
        t.add(catalogue, ns::DCT_PUBLISHER, self.hdab_iri());
        t.extend(self.hdab_agent());
        t
    }

    /// `dcat:dataset` links from the catalogue to each of `datasets`.
    pub fn catalogue_links(&self, datasets: &[Dataset]) -> Triples {
        let mut t = Triples::default();
        for dataset in datasets {
            t.add(
                self.catalogue_iri(),
                ns::DCAT_DATASET,
                self.dataset_iri(dataset),
            );
        }
        t
    }

    /// The Hydra view of one page: where it is, the first page, the next one when there are
    /// more (each with the caller's page size and filters), and how many datasets the whole
    /// collection holds.
    pub fn page_view(&self, page: &PageLinks<'_>) -> Triples {
        let mut t = Triples::default();
        let view = NamedNode::new_unchecked(page.this);
        t.add(self.catalogue_iri(), ns::HYDRA_VIEW, view.clone());
        t.typed(
            self.catalogue_iri(),
            ns::HYDRA_TOTAL_ITEMS,
            page.total_items,
            xsd::NON_NEGATIVE_INTEGER,
        );
        t.add(view.clone(), rdf::TYPE, ns::HYDRA_PARTIAL_VIEW);
        t.iri(&view, ns::HYDRA_FIRST, page.first);
        if let Some(next) = page.next {
            t.iri(&view, ns::HYDRA_NEXT, next);
        }
        t
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
