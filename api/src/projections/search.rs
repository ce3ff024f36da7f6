//! The search index as a read model: rebuilt from every published dataset, kept current by
//! following the event log (a [`Follower`] of the job runner), each dataset indexed with what
//! its publisher says of it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Datelike;
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::{Dataset, DatasetStatus};
use hdab_domain::event::{ChainedEvent, EventKind};
use hdab_domain::ids::{DatasetId, PublisherId};
use hdab_domain::publisher::Publisher;
use hdab_openapi::catalogue::DatasetSummary;
use hdab_persistence::datasets;
use hdab_persistence::search::{Change, IndexedDataset, SearchIndex};
use hdab_persistence::{DbConnection, Pool, events};

use crate::application::AppError;
use crate::background::Follower;
use crate::projections::published::{self, Publishers, read_or_skip};

/// The longest title or description a search hit shows.
const SUMMARY_CHARS: usize = 300;
const REBUILD_BATCH: usize = 2_000;
/// How long a failed rebuild waits before it tries again.
const REBUILD_RETRY: Duration = Duration::from_secs(5);

/// The search index and what keeps it current.
pub struct Indexer {
    pub index: SearchIndex,
    /// False while the index is rebuilt after start: searches then answer 503 and the event
    /// log's followers leave the index to the rebuild.
    ready: AtomicBool,
}

fn store_error(error: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("search index: {error}"))
}

impl Indexer {
    /// An index that is current (or caught up from the log).
    pub fn new(index: SearchIndex) -> Self {
        Self {
            index,
            ready: AtomicBool::new(true),
        }
    }

    /// An index that must be rebuilt before it serves: [`Indexer::rebuild`] makes it ready.
    pub fn awaiting_rebuild(index: SearchIndex) -> Self {
        Self {
            index,
            ready: AtomicBool::new(false),
        }
    }

    /// Whether searches can be served (no rebuild is under way).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Rebuilds the index in a thread of its own, so that the server answers (`/health/live`
    /// at once, `/health/ready` and searches with 503) while it runs: at a million datasets
    /// it takes about a minute, and a liveness probe would kill a process that rebuilt before
    /// it listened. A failed rebuild (the database gone) is retried until it succeeds; then
    /// `nudge` lets the followers catch the index up from where the rebuild began.
    pub fn rebuild_in_background(
        self: Arc<Self>,
        pool: Pool,
        nudge: impl Fn() + Send + 'static,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("search-rebuild".into())
            .spawn(move || {
                while let Err(error) = self.rebuild(&pool) {
                    tracing::error!(error = %error, retry_in_secs = REBUILD_RETRY.as_secs(), "the search index could not be rebuilt; searches answer 503 until it is");
                    std::thread::sleep(REBUILD_RETRY);
                }
                nudge();
            })
    }

    /// Rebuilds the index from every published dataset in the database, and marks it ready.
    pub fn rebuild(&self, pool: &Pool) -> Result<usize, AppError> {
        let started = Instant::now();
        // Read before the datasets: events after this are applied by the next catch-up.
        let seq = {
            let mut conn = pool.get()?;
            events::head_seq(&mut conn)?
        };
        let mut rebuild = self.index.begin_rebuild().map_err(store_error)?;
        published::for_each_page(
            pool,
            REBUILD_BATCH,
            |conn, datasets| indexed_with_publishers(conn, &datasets),
            |documents| {
                documents
                    .iter()
                    .try_for_each(|d| rebuild.add(d).map_err(store_error))
            },
        )?;
        let count = rebuild.finish(seq).map_err(store_error)?;
        self.ready.store(true, Ordering::Release);
        let elapsed = started.elapsed();
        tracing::info!(
            datasets = count,
            duration_ms = elapsed.as_millis() as u64,
            datasets_per_second = (count as f64 / elapsed.as_secs_f64().max(1e-9)) as u64,
            "rebuilt the search index"
        );
        Ok(count)
    }

    /// The index entries (or removals) of the datasets `ids` as they are stored now.
    fn changes_for(
        &self,
        conn: &mut DbConnection,
        ids: BTreeSet<DatasetId>,
    ) -> Result<Vec<Change>, AppError> {
        let ids: Vec<DatasetId> = ids.into_iter().collect();
        let published: Vec<Dataset> = datasets::find_records(conn, &ids)?
            .into_iter()
            .filter_map(read_or_skip)
            .filter(|dataset| dataset.status == DatasetStatus::Published)
            .collect();
        let indexed: BTreeSet<DatasetId> = published.iter().map(|d| d.id).collect();
        // Gone, no longer published, or no longer readable: out of the index, if it is in it
        // (a draft never was, and a commit for nothing is a disk sync a writer waits for).
        let mut changes: Vec<Change> = ids
            .iter()
            .filter(|id| !indexed.contains(id))
            .map(|id| id.as_uuid().as_u128())
            .filter(|key| self.index.may_hold(*key))
            .map(Change::Remove)
            .collect();
        changes.extend(
            indexed_with_publishers(conn, &published)?
                .into_iter()
                .map(|entry| Change::Upsert(Box::new(entry))),
        );
        Ok(changes)
    }
}

impl Follower for Indexer {
    fn name(&self) -> &'static str {
        "search index"
    }

    fn cursor(&self) -> i64 {
        self.index.applied_seq()
    }

    fn is_ready(&self) -> bool {
        Indexer::is_ready(self)
    }

    /// Re-indexes every dataset the batch touched: its own events, and a publisher's update
    /// (its name and trusted status show in its datasets' entries).
    fn apply(&self, conn: &mut DbConnection, batch: &[ChainedEvent]) -> Result<(), AppError> {
        let Some(last) = batch.last().map(|e| e.seq) else {
            return Ok(());
        };
        let mut touched = BTreeSet::new();
        for event in batch {
            match EventKind::parse(&event.action) {
                Ok(kind) if kind.entity_type() == "dataset" => {
                    touched.extend(DatasetId::parse(&event.entity_id).ok());
                }
                Ok(EventKind::PublisherUpdated) => {
                    if let Ok(publisher) = PublisherId::parse(&event.entity_id) {
                        touched.extend(datasets::ids_of_publisher(conn, publisher)?);
                    }
                }
                _ => {}
            }
        }
        let changes = self.changes_for(conn, touched)?;
        self.index.apply(&changes, last).map_err(store_error)
    }
}

/// The index entries of `datasets`, their publishers read in one query.
fn indexed_with_publishers(
    conn: &mut DbConnection,
    datasets: &[Dataset],
) -> Result<Vec<IndexedDataset>, AppError> {
    let publishers = Publishers::of_datasets(conn, datasets)?;
    datasets
        .iter()
        .map(|dataset| Ok(indexed(dataset, publishers.of(dataset)?)))
        .collect()
}

/// What the index keeps of a published dataset.
pub fn indexed(dataset: &Dataset, publisher: &Publisher) -> IndexedDataset {
    let d = &dataset.details;
    let imaging = &d.imaging;
    let mut bodies: Vec<(String, String)> = d
        .description
        .iter()
        .map(|(l, t)| (l.to_string(), t.to_owned()))
        .collect();
    for (language, words) in &d.keywords {
        bodies.push((
            language.to_string(),
            words
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ));
    }
    let mut conditions: Vec<String> = imaging
        .cancer_conditions
        .iter()
        .flat_map(IcdCode::with_ancestors)
        .map(|c| c.to_string())
        .collect();
    conditions.sort();
    conditions.dedup();
    let strings = |items: Vec<&str>| items.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let summary = DatasetSummary {
        id: dataset.id.as_uuid(),
        identifier: d.identifier.as_str().to_owned(),
        // Shortened like the description: a hit is a summary, and a page of a hundred hits
        // must stay small however long each title is.
        title: d
            .title
            .iter()
            .map(|(l, t)| (l.to_string(), shorten(t, SUMMARY_CHARS)))
            .collect(),
        description: shorten(d.description.english(), SUMMARY_CHARS),
        publisher_id: publisher.id.as_uuid(),
        publisher_name: publisher.details.name.as_str().to_owned(),
        trusted_holder: publisher.details.trusted_data_holder,
        access_rights: d.access_rights.as_str().to_owned(),
        countries: strings(d.countries.iter().map(|c| c.as_str()).collect()),
        cancer_conditions: strings(
            imaging
                .cancer_conditions
                .iter()
                .map(IcdCode::as_str)
                .collect(),
        ),
        modalities: strings(imaging.modalities.iter().map(|m| m.as_str()).collect()),
        body_parts: strings(imaging.body_parts.iter().map(|b| b.as_str()).collect()),
        number_of_unique_individuals: d.number_of_unique_individuals,
        number_of_records: d.number_of_records,
        duo_permission: d.data_use.permission.term().code.to_owned(),
        modified_at: dataset.modified_at,
        confirmed_at: dataset.confirmed_at,
    };
    IndexedDataset {
        id: dataset.id.as_uuid().as_u128(),
        titles: d
            .title
            .iter()
            .map(|(l, t)| (l.to_string(), t.to_owned()))
            .collect(),
        bodies,
        conditions,
        modalities: summary.modalities.clone(),
        body_parts: summary.body_parts.clone(),
        manufacturers: strings(imaging.manufacturers.iter().map(|m| m.as_str()).collect()),
        countries: summary.countries.clone(),
        publisher: publisher.id.to_string(),
        access_rights: summary.access_rights.clone(),
        health_categories: strings(d.health_categories.iter().map(|c| c.as_str()).collect()),
        duo_permission: summary.duo_permission.clone(),
        trusted_holder: summary.trusted_holder,
        subjects: d.number_of_unique_individuals,
        min_age: d.min_typical_age.map(u64::from),
        max_age: d.max_typical_age.map(u64::from),
        acquisition_start: d.temporal.map(|p| i64::from(p.start.year())),
        acquisition_end: d.temporal.map(|p| i64::from(p.end.year())),
        modified: dataset.modified_at.timestamp_micros(),
        summary: serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}
