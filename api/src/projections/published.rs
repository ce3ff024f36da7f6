//! Reading every published dataset, page by page, for whole-catalogue work (the search index
//! rebuild, the RDF export). Parsing and checking each stored description is the costly part,
//! so it runs on a thread of its own while the caller consumes finished pages: on two cores the
//! two halves overlap. A small bounded queue between them keeps memory flat.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;

use std::collections::BTreeMap;

use hdab_domain::catalogue::{Dataset, DatasetStatus};
use hdab_domain::ids::{DatasetId, PublisherId};
use hdab_domain::publisher::Publisher;
use hdab_persistence::datasets::{self, DatasetFilter};
use hdab_persistence::{DbConnection, Pool, StoreError, events, publishers};

use hdab_persistence::datasets::DatasetRecord;

use crate::application::AppError;

/// Stored datasets left out of whole-catalogue reads because they no longer parse. Counted
/// where they are found (any thread, any command), reported by every instance's metrics.
static SKIPPED_CORRUPT_RECORDS: AtomicU64 = AtomicU64::new(0);

/// How many stored datasets whole-catalogue reads have skipped since the process started.
pub fn skipped_corrupt_records() -> u64 {
    SKIPPED_CORRUPT_RECORDS.load(Ordering::Relaxed)
}

/// Reads a stored dataset for whole-catalogue work (catalogue pages, the export), or leaves it
/// out when it no longer reads ([`or_skip`]).
pub fn read_or_skip(record: DatasetRecord) -> Option<Dataset> {
    let id = record.id;
    or_skip(id, record.decode())
}

/// What was read of the stored dataset `id`, or nothing when it no longer reads, said in the
/// log and counted in the metrics: one corrupted row must not take a page, an export or the
/// index down with it.
pub fn or_skip<T>(id: DatasetId, read: Result<T, StoreError>) -> Option<T> {
    match read {
        Ok(read) => Some(read),
        Err(error) => {
            SKIPPED_CORRUPT_RECORDS.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(dataset.id = %id, error = %error, "skipping a stored dataset that cannot be read");
            None
        }
    }
}

/// The publishers of a page of datasets, read in one query.
pub struct Publishers(BTreeMap<PublisherId, Publisher>);

impl Publishers {
    /// The publishers of `datasets`.
    pub fn of_datasets(conn: &mut DbConnection, datasets: &[Dataset]) -> Result<Self, AppError> {
        Self::read(conn, datasets.iter().map(|d| d.details.publisher_id))
    }

    /// The publishers `ids` name (each read once).
    pub fn read(
        conn: &mut DbConnection,
        ids: impl IntoIterator<Item = PublisherId>,
    ) -> Result<Self, AppError> {
        Ok(Self(publishers::find_many(conn, ids)?))
    }

    /// The publisher `id` of a dataset; a dataset whose publisher is gone is a bug (the
    /// database refuses to delete a publisher with datasets).
    pub fn get(&self, id: PublisherId) -> Result<&Publisher, AppError> {
        self.0
            .get(&id)
            .ok_or_else(|| AppError::internal(format!("publisher {id} of a dataset is missing")))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Publisher> {
        self.0.values()
    }
}

/// How many datasets are published, counted once per state of the event log. Every change of a
/// dataset's status is recorded by an event in the same transaction, so while the log's head
/// stays where it was the count cannot have changed; a catalogue page (`hydra:totalItems`)
/// then reads one row instead of counting every published dataset (a third of a page's time
/// at 100,000). Exact across instances, since the head is read from the database.
#[derive(Default)]
pub struct PublishedCount(Mutex<Option<CountAt>>);

#[derive(Clone, Copy)]
struct CountAt {
    head: i64,
    count: u64,
}

impl PublishedCount {
    /// The number of published datasets.
    pub fn read(&self, conn: &mut DbConnection) -> Result<u64, AppError> {
        // The head is read before the count, so a count is never older than the head it is
        // kept under (at worst newer, which the next head recounts anyway).
        let head = events::head_seq(conn)?;
        if let Some(known) = self.known()
            && known.head == head
        {
            return Ok(known.count);
        }
        let count = datasets::count(conn, &published())?;
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if known.is_none_or(|known| known.head <= head) {
            *known = Some(CountAt { head, count });
        }
        Ok(count)
    }

    fn known(&self) -> Option<CountAt> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn published() -> DatasetFilter {
    DatasetFilter {
        status: Some(DatasetStatus::Published.as_str()),
        modified_since: None,
    }
}

/// Pages waiting between the two threads.
const QUEUE: usize = 2;

/// Reads the published datasets in pages of `page_size`, as stored; `prepare` turns each page
/// into `T` on the reading thread, `consume` takes each `T` on the calling thread, in order.
/// The first error from either side stops both.
pub fn for_each_page<T: Send>(
    pool: &Pool,
    page_size: usize,
    mut prepare: impl FnMut(&mut DbConnection, Vec<DatasetRecord>) -> Result<T, AppError> + Send,
    mut consume: impl FnMut(T) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let (pages, finished_pages) = sync_channel::<Result<T, AppError>>(QUEUE);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let result = read_pages(pool, page_size, |conn, records| {
                let prepared = prepare(conn, records)?;
                // A closed queue means the consumer stopped on an error of its own.
                Ok(pages.send(Ok(prepared)).is_ok())
            });
            if let Err(error) = result {
                let _ = pages.send(Err(error));
            }
        });
        for page in finished_pages {
            consume(page?)?;
        }
        reader
            .join()
            .map_err(|_| AppError::internal("the catalogue reader thread panicked"))
    })
}

/// Calls `each` with every page until it returns `false` or the pages run out.
fn read_pages(
    pool: &Pool,
    page_size: usize,
    mut each: impl FnMut(&mut DbConnection, Vec<DatasetRecord>) -> Result<bool, AppError>,
) -> Result<(), AppError> {
    let mut conn = pool.get().map_err(StoreError::from)?;
    let filter = published();
    let mut after = None;
    loop {
        let page = datasets::list(&mut conn, &filter, after, page_size)?;
        if !each(&mut conn, page.items)? {
            return Ok(());
        }
        match page.next_after {
            Some(key) => {
                after = Some(DatasetId::parse(&key).map_err(|e| AppError::internal(e.message))?)
            }
            None => return Ok(()),
        }
    }
}
