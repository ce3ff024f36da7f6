//! `hdab export`: the whole published catalogue as one RDF document, streamed page by page so
//! memory stays flat however large the catalogue is.

use std::collections::HashSet;
use std::io::Write;

use hdab_persistence::Pool;

use crate::application::AppError;
use crate::projections::published::{self, Publishers, read_or_skip};
use crate::projections::rdf::{self, CatalogueIdentity, RdfSyntax, Triples};

/// Datasets per page: small enough that the pages in flight between the two threads (decoded
/// descriptions, a few kB each) stay a few megabytes.
const PAGE: usize = 250;

/// Writes every published dataset to `out`; returns how many.
pub fn export_catalogue(
    pool: &Pool,
    identity: &CatalogueIdentity,
    syntax: RdfSyntax,
    out: impl Write,
) -> Result<usize, AppError> {
    let mut serializer = rdf::serializer(syntax, out);
    let io = |e: std::io::Error| AppError::internal(format!("writing the export: {e}"));
    let mut header = Triples::default();
    identity.catalogue_header(&mut header);
    header.write(&mut serializer).map_err(io)?;
    let mut described_publishers = HashSet::new();
    let mut count = 0;
    // The reader decodes each page; this thread describes and writes it (the statements
    // borrow from the page's descriptions, so they are built where they are written).
    published::for_each_page(
        pool,
        PAGE,
        |conn, records| {
            let datasets: Vec<_> = records.into_iter().filter_map(read_or_skip).collect();
            // Each publisher is described once, on the page of its first dataset.
            let first_seen = datasets
                .iter()
                .map(|d| d.details.publisher_id)
                .filter(|id| described_publishers.insert(*id));
            let publishers = Publishers::read(conn, first_seen)?;
            Ok((datasets, publishers))
        },
        |(datasets, publishers)| {
            count += datasets.len();
            let mut triples = Triples::default();
            identity.catalogue_page(&datasets, publishers.iter(), &mut triples);
            triples.write(&mut serializer).map_err(io)
        },
    )?;
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
