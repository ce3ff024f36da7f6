//! Who runs the catalogue, the IRIs built from it, and the agents (HDAB, publishers).

use super::triples::Triples;
use super::vocabulary::ns;
use hdab_domain::catalogue::Dataset;
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::Publisher;
use oxrdf::NamedNode;
use oxrdf::vocab::xsd;

/// Who runs this catalogue, and where it is served.
#[derive(Debug, Clone)]
pub struct CatalogueIdentity {
    /// The public URL hdab is reached at, without a trailing slash; IRIs are built from it.
    pub base_url: String,
    pub hdab_name: String,
    pub hdab_email: String,
    /// When this configuration took effect (the process start): descriptions built from it
    /// are no older than that.
    pub configured_at: chrono::DateTime<chrono::Utc>,
}

impl CatalogueIdentity {
    /// The identity of an HDAB reached at `base_url`, configured now.
    pub fn new(base_url: &str, hdab_name: &str, hdab_email: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            hdab_name: hdab_name.to_owned(),
            hdab_email: hdab_email.to_owned(),
            configured_at: hdab_persistence::now(),
        }
    }

    pub fn dataset_iri(&self, dataset: &Dataset) -> NamedNode {
        NamedNode::new_unchecked(hdab_domain::catalogue::dataset_iri(
            &self.base_url,
            dataset.id,
        ))
    }

    pub(super) fn hdab_iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/#hdab", self.base_url))
    }

    pub fn catalogue_iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/api/v1/catalogue", self.base_url))
    }

    pub(super) fn publisher_iri(&self, id: PublisherId) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/api/v1/publishers/{id}", self.base_url))
    }

    /// A dataset's description with the agents it names: a document that stands alone.
    pub fn describe_standalone(&self, dataset: &Dataset, publisher: &Publisher) -> Triples {
        let mut t = self.describe(dataset);
        t.extend(self.hdab_agent());
        t.extend(self.publisher_agent(publisher));
        t
    }

    /// The HDAB as an agent with its contact point.
    pub fn hdab_agent(&self) -> Triples {
        let mut t = Triples::default();
        t.agent(&self.hdab_iri(), &self.hdab_name, &self.hdab_email);
        t
    }

    /// A publisher as an agent: contact point, homepage, trusted-holder status (Art 72).
    pub fn publisher_agent(&self, publisher: &Publisher) -> Triples {
        let mut t = Triples::default();
        let iri = self.publisher_iri(publisher.id);
        t.agent(
            &iri,
            publisher.details.name.as_str(),
            publisher.details.contact_email.as_str(),
        );
        if let Some(homepage) = &publisher.details.homepage {
            t.typed_iri(
                &iri,
                ns::FOAF_HOMEPAGE,
                homepage.as_str(),
                ns::FOAF_DOCUMENT,
            );
        }
        t.typed(
            iri,
            ns::HEALTH_TRUSTED,
            publisher.details.trusted_data_holder,
            xsd::BOOLEAN,
        );
        t
    }
}
