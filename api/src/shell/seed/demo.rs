//! The demo catalogue, as data: `demo.json` (built into the binary) holds 7 publishers, 3
//! committees and 31 cancer-imaging datasets modelled on well-known public collections (NLST,
//! LIDC-IDRI, Duke Breast MRI, CBIS-DDSM, PROSTATEx, BraTS, CRLM, LiTS, TCGA, ...). The
//! institutions are fictional, so no real organisation is said to hold these data. Datasets
//! are in the API's wire form (what `POST /api/v1/datasets` takes) without the publisher and
//! committee ids, which the seeder fills in.

use hdab_openapi::catalogue::DatasetInput;
use hdab_openapi::organisations::PublisherInput;
use serde::Deserialize;

const DEMO: &str = include_str!("demo.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCatalogue {
    pub publishers: Vec<PublisherInput>,
    pub committees: Vec<DemoCommittee>,
    pub datasets: Vec<DemoDataset>,
}

/// A committee whose chair decides, serving the publishers it names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCommittee {
    pub name: String,
    pub publishers: Vec<String>,
    pub chair: String,
    pub members: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoDataset {
    /// The publisher's name; its committee is the first that serves it.
    pub publisher: String,
    description: serde_json::Value,
}

impl DemoDataset {
    /// The description as the API takes it, for `publisher` and `committee`.
    pub fn input(&self, publisher: &str, committee: &str) -> Result<DatasetInput, String> {
        let mut description = self.description.clone();
        let fields = description
            .as_object_mut()
            .ok_or("a demo description is not an object")?;
        fields.insert("publisher_id".into(), publisher.into());
        fields.insert("committee_id".into(), committee.into());
        serde_json::from_value(description).map_err(|e| format!("a demo description: {e}"))
    }
}

pub fn catalogue() -> Result<DemoCatalogue, String> {
    serde_json::from_str(DEMO).map_err(|e| format!("demo.json does not read: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_catalogue_reads() {
        let demo = super::catalogue().unwrap();
        assert_eq!(
            (
                demo.publishers.len(),
                demo.committees.len(),
                demo.datasets.len()
            ),
            (7, 3, 31)
        );
    }
}
