//! `hdab export`: the whole published catalogue as one RDF document, streamed page by page so
//! memory stays flat however large the catalogue is.

use std::collections::HashSet;
use std::io::Write;

use hdab_domain::catalogue::DatasetStatus;
use hdab_domain::ids::DatasetId;
use hdab_persistence::datasets::{self, DatasetFilter};
use hdab_persistence::{Pool, StoreError, publishers};

use crate::error::ApiError;
use crate::rdf::{self, CatalogueIdentity, RdfSyntax};
use crate::usecase::datasets::from_record;

const PAGE: usize = 1_000;

/// Writes every published dataset to `out`; returns how many.
pub fn export_catalogue(
    pool: &Pool,
    identity: &CatalogueIdentity,
    syntax: RdfSyntax,
    out: impl Write,
) -> Result<usize, ApiError> {
    let mut conn = pool.get().map_err(StoreError::from)?;
    let mut serializer = rdf::serializer(syntax, out);
    let io = |e: std::io::Error| ApiError::internal(format!("writing the export: {e}"));
    identity
        .catalogue_header()
        .write(&mut serializer)
        .map_err(io)?;
    let filter = DatasetFilter {
        status: Some(DatasetStatus::Published.as_str()),
        modified_since: None,
    };
    let mut described_publishers = HashSet::new();
    let mut after = None;
    let mut count = 0;
    loop {
        let page = datasets::list(&mut conn, &filter, after, PAGE)?;
        let datasets = page
            .items
            .into_iter()
            .map(from_record)
            .collect::<Result<Vec<_>, _>>()?;
        identity
            .catalogue_links(&datasets)
            .write(&mut serializer)
            .map_err(io)?;
        for dataset in &datasets {
            let publisher_id = dataset.details.publisher_id;
            if described_publishers.insert(publisher_id) {
                let publisher = publishers::find(&mut conn, publisher_id)?.ok_or_else(|| {
                    ApiError::internal(format!("publisher {publisher_id} of a dataset is missing"))
                })?;
                identity
                    .publisher_agent(&publisher)
                    .write(&mut serializer)
                    .map_err(io)?;
            }
            identity
                .describe(dataset)
                .write(&mut serializer)
                .map_err(io)?;
        }
        count += datasets.len();
        match page.next_after {
            Some(key) => {
                after = Some(DatasetId::parse(&key).map_err(|e| ApiError::internal(e.message))?)
            }
            None => break,
        }
    }
    serializer.finish().map_err(io)?.flush().map_err(io)?;
    Ok(count)
}

/// The process's peak resident memory in bytes (Linux), for the export's report.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
