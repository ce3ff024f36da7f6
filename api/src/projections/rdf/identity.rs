//! Who runs the catalogue, the IRIs built from it, and the agents (HDAB, publishers).

use super::triples::{Node, Triples};
use super::vocabulary::ns;
use hdab_domain::catalogue::Dataset;
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::Publisher;
use oxrdf::NamedNode;

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

    pub fn catalogue_iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/api/v1/catalogue", self.base_url))
    }

    pub(super) fn dataset_node(&self, dataset: &Dataset, t: &mut Triples<'_>) -> Node {
        t.node(self.dataset_iri(dataset).into_string())
    }

    pub(super) fn hdab_node(&self, t: &mut Triples<'_>) -> Node {
        t.node(format!("{}/#hdab", self.base_url))
    }

    pub(super) fn catalogue_node(&self, t: &mut Triples<'_>) -> Node {
        t.node(self.catalogue_iri().into_string())
    }

    pub(super) fn publisher_node(&self, id: PublisherId, t: &mut Triples<'_>) -> Node {
        t.node(format!("{}/api/v1/publishers/{id}", self.base_url))
    }

    /// A dataset's description with the agents it names: a document that stands alone.
    pub fn describe_standalone<'a>(
        &'a self,
        dataset: &'a Dataset,
        publisher: &'a Publisher,
    ) -> Triples<'a> {
        let mut t = Triples::default();
        self.describe(dataset, &mut t);
        self.hdab_agent(&mut t);
        self.publisher_agent(publisher, &mut t);
        t
    }

    /// The HDAB as an agent with its contact point.
    pub fn hdab_agent<'a>(&'a self, t: &mut Triples<'a>) {
        let hdab = self.hdab_node(t);
        t.agent(hdab, &self.hdab_name, &self.hdab_email);
    }

    /// A publisher as an agent: contact point, homepage, trusted-holder status (Art 72).
    pub fn publisher_agent<'a>(&self, publisher: &'a Publisher, t: &mut Triples<'a>) {
        let details = &publisher.details;
        let agent = self.publisher_node(publisher.id, t);
        t.agent(agent, details.name.as_str(), details.contact_email.as_str());
        if let Some(homepage) = &details.homepage {
            t.typed_iri(
                agent,
                ns::FOAF_HOMEPAGE,
                homepage.as_str(),
                ns::FOAF_DOCUMENT,
            );
        }
        t.boolean(agent, ns::HEALTH_TRUSTED, details.trusted_data_holder);
    }
}
