//! The search index as a read model: rebuilt from every published dataset, kept current by
//! following the event log (a [`Follower`] of the job runner), each dataset indexed with what
//! its publisher says of it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Datelike;
use hdab_domain::catalogue::DatasetStatus;
use hdab_domain::catalogue::icd10;
use hdab_domain::catalogue::vocabulary::LanguageTag;
use hdab_domain::event::{ChainedEvent, EventKind};
use hdab_domain::ids::{DatasetId, PublisherId};
use hdab_domain::publisher::Publisher;
use hdab_openapi::catalogue::DatasetSummary;
use hdab_persistence::datasets::{self, DatasetRecord};
use hdab_persistence::search::{Change, IndexedDataset, SearchIndex};
use hdab_persistence::searchable::{SearchableFields, Text};
use hdab_persistence::{DbConnection, Pool, events};

use crate::application::AppError;
use crate::background::Follower;
use crate::projections::published::{self, Publishers, or_skip};

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
            |conn, records| indexed_with_publishers(conn, &records),
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
        let published: Vec<DatasetRecord> = datasets::find_records(conn, &ids)?
            .into_iter()
            .filter(|record| record.status == DatasetStatus::Published.as_str())
            .collect();
        let entries = indexed_with_publishers(conn, &published)?;
        let indexed: BTreeSet<u128> = entries.iter().map(|entry| entry.id).collect();
        // Gone, no longer published, or no longer readable: out of the index, if it is in it
        // (a draft never was, and a commit for nothing is a disk sync a writer waits for).
        let mut changes: Vec<Change> = ids
            .iter()
            .map(|id| id.as_uuid().as_u128())
            .filter(|key| !indexed.contains(key) && self.index.may_hold(*key))
            .map(Change::Remove)
            .collect();
        changes.extend(
            entries
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

    /// Commits what searches have not yet made searchable. Left alone during a rebuild, which
    /// holds the writer and commits when it ends.
    fn flush(&self, age: Duration) -> Result<(), AppError> {
        if self.is_ready() {
            self.index.commit_older_than(age).map_err(store_error)?;
        }
        Ok(())
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

/// The index entries of the stored `records`, their publishers read in one query; a record
/// that no longer reads is left out ([`or_skip`]).
fn indexed_with_publishers(
    conn: &mut DbConnection,
    records: &[DatasetRecord],
) -> Result<Vec<IndexedDataset>, AppError> {
    let publishers = Publishers::read(conn, records.iter().map(|r| r.publisher_id))?;
    records
        .iter()
        .filter_map(|record| Some((record, or_skip(record.id, record.searchable())?)))
        .map(|(record, fields)| {
            Ok(indexed(
                record,
                &fields,
                publishers.get(record.publisher_id)?,
            ))
        })
        .collect()
}

/// What the index keeps of a published dataset, from its stored row.
pub fn indexed(
    record: &DatasetRecord,
    fields: &SearchableFields,
    publisher: &Publisher,
) -> IndexedDataset {
    let texts = |texts: &BTreeMap<Text, Text>| -> Vec<(String, String)> {
        texts
            .iter()
            .map(|(language, text)| (language.to_string(), text.to_string()))
            .collect()
    };
    let strings =
        |values: &[Text]| -> Vec<String> { values.iter().map(|v| v.to_string()).collect() };
    let mut bodies = texts(&fields.description);
    for (language, words) in &fields.keywords {
        let words: Vec<&str> = words.iter().map(|word| &**word).collect();
        bodies.push((language.to_string(), words.join(" ")));
    }
    let imaging = &fields.imaging;
    let mut conditions: Vec<String> = imaging
        .cancer_conditions
        .iter()
        .flat_map(|code| icd10::lineage(code))
        .map(str::to_owned)
        .collect();
    conditions.sort();
    conditions.dedup();
    let summary = DatasetSummary {
        id: record.id.as_uuid(),
        identifier: fields.identifier.to_string(),
        // Shortened like the description: a hit is a summary, and a page of a hundred hits
        // must stay small however long each title is.
        title: fields
            .title
            .iter()
            .map(|(language, title)| (language.to_string(), shorten(title, SUMMARY_CHARS)))
            .collect(),
        description: shorten(
            fields
                .description
                .get(LanguageTag::ENGLISH)
                .map_or("", |text| text),
            SUMMARY_CHARS,
        ),
        publisher_id: publisher.id.as_uuid(),
        publisher_name: publisher.details.name.as_str().to_owned(),
        trusted_holder: publisher.details.trusted_data_holder,
        access_rights: fields.access_rights.to_string(),
        countries: strings(&fields.countries),
        cancer_conditions: strings(&imaging.cancer_conditions),
        modalities: strings(&imaging.modalities),
        body_parts: strings(&imaging.body_parts),
        number_of_unique_individuals: fields.number_of_unique_individuals,
        number_of_records: fields.number_of_records,
        duo_permission: fields.data_use.permission.code.to_string(),
        modified_at: record.modified_at,
        confirmed_at: record.confirmed_at,
    };
    IndexedDataset {
        id: record.id.as_uuid().as_u128(),
        titles: texts(&fields.title),
        bodies,
        conditions,
        modalities: summary.modalities.clone(),
        body_parts: summary.body_parts.clone(),
        manufacturers: strings(&imaging.manufacturers),
        countries: summary.countries.clone(),
        publisher: publisher.id.to_string(),
        access_rights: summary.access_rights.clone(),
        health_categories: strings(&fields.health_categories),
        duo_permission: summary.duo_permission.clone(),
        trusted_holder: summary.trusted_holder,
        subjects: fields.number_of_unique_individuals,
        min_age: fields.min_typical_age.map(u64::from),
        max_age: fields.max_typical_age.map(u64::from),
        acquisition_start: fields.temporal.map(|p| i64::from(p.start.year())),
        acquisition_end: fields.temporal.map(|p| i64::from(p.end.year())),
        modified: record.modified_at.timestamp_micros(),
        summary: serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}
