//! Data written by earlier releases, brought to today's shapes when hdab starts. Rows only:
//! the event log is never rewritten (its hash chain covers the text as written), and its old
//! payloads are read as they are.

use hdab_domain::catalogue::DatasetDetails;
use hdab_openapi::catalogue::DatasetInput;
use hdab_persistence::{DbConnection, datasets};

const BATCH: i64 = 500;

/// Rewrites the dataset documents of the first releases (the API's wire form, unversioned)
/// as versioned domain documents; returns how many. A document that no longer reads is left
/// as it is, logged, and skipped by readers as any corrupted row is.
pub fn dataset_documents(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let mut upgraded = 0;
    let mut after = None;
    loop {
        let batch = datasets::unversioned_documents(conn, after, BATCH)?;
        let Some((last, _)) = batch.last() else {
            return Ok(upgraded);
        };
        after = Some(*last);
        for (id, document) in batch {
            match read_wire_form(&document) {
                Ok(details) => {
                    datasets::replace_document(conn, id, &details)?;
                    upgraded += 1;
                }
                Err(why) => tracing::warn!(
                    dataset.id = %id,
                    why,
                    "a dataset document of an earlier release does not read; left as it is"
                ),
            }
        }
    }
}

fn read_wire_form(document: &str) -> Result<DatasetDetails, String> {
    let input: DatasetInput = serde_json::from_str(document).map_err(|e| e.to_string())?;
    DatasetDetails::try_from(&input).map_err(|e| e.to_string())
}
