//! Reading every published dataset, page by page, for whole-catalogue work (the search index
//! rebuild, the RDF export). Parsing and checking each stored description is the costly part,
//! so it runs on a thread of its own while the caller consumes finished pages: on two cores the
//! two halves overlap. A small bounded queue between them keeps memory flat.

use std::sync::mpsc::sync_channel;

use hdab_domain::catalogue::{Dataset, DatasetStatus};
use hdab_domain::ids::DatasetId;
use hdab_persistence::datasets::{self, DatasetFilter};
use hdab_persistence::{DbConnection, Pool, StoreError};

use crate::application::datasets::read_or_skip;
use crate::edge::error::ApiError;

/// Pages waiting between the two threads.
const QUEUE: usize = 2;

/// Reads the published datasets in pages of `page_size`; `prepare` turns each page into `T` on
/// the reading thread, `consume` takes each `T` on the calling thread, in order. Returns how
/// many datasets were read. The first error from either side stops both.
pub fn for_each_page<T: Send>(
    pool: &Pool,
    page_size: usize,
    mut prepare: impl FnMut(&mut DbConnection, Vec<Dataset>) -> Result<T, ApiError> + Send,
    mut consume: impl FnMut(T) -> Result<(), ApiError>,
) -> Result<usize, ApiError> {
    let (pages, finished_pages) = sync_channel::<Result<(usize, T), ApiError>>(QUEUE);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let result = read_pages(pool, page_size, |conn, datasets| {
                let count = datasets.len();
                let prepared = prepare(conn, datasets)?;
                // A closed queue means the consumer stopped on an error of its own.
                Ok(pages.send(Ok((count, prepared))).is_ok())
            });
            if let Err(error) = result {
                let _ = pages.send(Err(error));
            }
        });
        let mut total = 0;
        for page in finished_pages {
            let (count, prepared) = page?;
            consume(prepared)?;
            total += count;
        }
        reader
            .join()
            .map_err(|_| ApiError::internal("the catalogue reader thread panicked"))?;
        Ok(total)
    })
}

/// Calls `each` with every page until it returns `false` or the pages run out.
fn read_pages(
    pool: &Pool,
    page_size: usize,
    mut each: impl FnMut(&mut DbConnection, Vec<Dataset>) -> Result<bool, ApiError>,
) -> Result<(), ApiError> {
    let mut conn = pool.get().map_err(StoreError::from)?;
    let filter = DatasetFilter {
        status: Some(DatasetStatus::Published.as_str()),
        modified_since: None,
    };
    let mut after = None;
    loop {
        let page = datasets::list(&mut conn, &filter, after, page_size)?;
        let datasets = page.items.into_iter().filter_map(read_or_skip).collect();
        if !each(&mut conn, datasets)? {
            return Ok(());
        }
        match page.next_after {
            Some(key) => {
                after = Some(DatasetId::parse(&key).map_err(|e| ApiError::internal(e.message))?)
            }
            None => return Ok(()),
        }
    }
}
