//! Full-text and faceted search over published datasets, on tantivy.
//!
//! The index is derived from the database and never the source of truth: it records in its
//! commit payload the last event-log sequence number it reflects, catches up by tailing the
//! log, and is rebuilt from the database when missing or built by another schema version.
//!
//! Changes wait in a queue (`queue`) until the first search after them commits them, so
//! writers never wait for a commit and a search still finds every write acknowledged before
//! it began.
//!
//! Facet counts are disjunctive (each dimension counted with every *other* filter applied,
//! which is what a user would get by relaxing that filter). They are counted on bitmaps kept
//! per segment (`facets`): each value's documents intersected with the documents passing the
//! other filters, a cost that grows with the number of values rather than of matches.

mod any_of;
mod collect;
mod dimension;
mod dimension_values;
mod facets;
mod pairs;
mod query_text;
mod queue;
mod schema;
mod stemming;
mod term_docs;
mod text;
mod writes;

pub use dimension::{Dimension, Filters};
pub use writes::Rebuild;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering as AtomicOrdering};

use tantivy::merge_policy::LogMergePolicy;
use tantivy::query::EnableScoring;
use tantivy::schema::Value;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use collect::{Matched, answer_segment};
use facets::FacetCache;
use queue::Queue;
use schema::{Fields, SCHEMA_VERSION, build_schema, register_analyzers};
use text::TextQueries;

const WRITER_MEMORY_BYTES: usize = 100_000_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot open the search index directory {path}: {reason}")]
    Directory { path: String, reason: String },
    /// The writes a search must see could not be committed (the disk full or failing): the
    /// search cannot be answered now, and the next one tries again.
    #[error("the search index could not commit the latest writes: {0}")]
    Uncommitted(Box<SearchError>),
}

/// What the index holds about one published dataset.
#[derive(Debug, Clone, Default)]
pub struct IndexedDataset {
    /// The dataset id's 128 bits: a stable tie-break and the key for updates.
    pub id: u128,
    /// (language tag, text) pairs.
    pub titles: Vec<(String, String)>,
    /// Descriptions and keywords, (language tag, text) pairs.
    pub bodies: Vec<(String, String)>,
    /// ICD-10 codes with every ancestor, so `C34` finds `C34.1`.
    pub conditions: Vec<String>,
    pub modalities: Vec<String>,
    pub body_parts: Vec<String>,
    pub manufacturers: Vec<String>,
    pub countries: Vec<String>,
    pub publisher: String,
    pub access_rights: String,
    pub health_categories: Vec<String>,
    pub duo_permission: String,
    pub trusted_holder: bool,
    pub subjects: Option<u64>,
    pub min_age: Option<u64>,
    pub max_age: Option<u64>,
    pub acquisition_start: Option<i64>,
    pub acquisition_end: Option<i64>,
    /// Last modification, microseconds since the epoch.
    pub modified: i64,
    /// What a search hit returns, as JSON.
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Relevance,
    Modified,
    Subjects,
}

/// Where a page starts: after this sort key and id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct After {
    pub key: f64,
    pub id: u128,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub filters: Filters,
    pub sort: SortBy,
    pub limit: usize,
    pub after: Option<After>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub summary: String,
    pub key: f64,
    pub id: u128,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
    /// Whether more hits follow the last one returned.
    pub more: bool,
    /// Per dimension, value → count, with the other dimensions' filters applied.
    pub facets: BTreeMap<Dimension, BTreeMap<String, u64>>,
}

/// A change to apply.
#[derive(Debug, Clone)]
pub enum Change {
    Upsert(Box<IndexedDataset>),
    Remove(u128),
}

/// Merges small segments sooner than tantivy's default (eight of a size): when writes and
/// searches alternate, the index commits for nearly every write, and a few thousand
/// publishes left 8–16 segments, each searched on its own (a fifth slower, and seven times
/// the memory).
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_min_num_segments(4);
    policy
}

/// The search index of one hdab instance.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Held by a commit (and a rebuild) from start to end.
    writer: Mutex<IndexWriter>,
    queue: Mutex<Queue>,
    /// How many batches of changes were ever queued, and how many of those the last commit
    /// holds: a search commits unless every batch queued before it began is committed.
    queued: AtomicU64,
    committed: AtomicU64,
    fields: Fields,
    text_queries: TextQueries,
    /// The last event-log sequence number the index reflects.
    applied_seq: AtomicI64,
    /// Per segment, the documents of each facet value and each sort order.
    facets: FacetCache,
}

/// Whether an opened index already reflects the log up to some event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Created now, or found with another schema: it must be rebuilt from the database.
    NeedsRebuild,
    /// Reflects every event up to this sequence number.
    UpTo(i64),
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (or recreating it, when it was built by another
    /// schema version or cannot be read) as needed.
    pub fn open(dir: &Path) -> Result<(Self, Freshness), SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let existing = Index::open_in_dir(dir).ok().filter(|index| {
            index
                .load_metas()
                .ok()
                .and_then(|m| m.payload)
                .is_some_and(|p| p.starts_with(&format!("{SCHEMA_VERSION} ")))
        });
        let (index, freshness) = match existing {
            Some(index) => {
                let seq = index
                    .load_metas()?
                    .payload
                    .and_then(|p| p.rsplit(' ').next().and_then(|s| s.parse().ok()))
                    .unwrap_or(0);
                (index, Freshness::UpTo(seq))
            }
            None => {
                // Whatever is there is derived data that no longer fits: start over.
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                (
                    Index::create_in_dir(dir, build_schema())?,
                    Freshness::NeedsRebuild,
                )
            }
        };
        let search = Self::around(index)?;
        if let Freshness::UpTo(seq) = freshness {
            search.applied_seq.store(seq, AtomicOrdering::SeqCst);
        }
        Ok((search, freshness))
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<Self, SearchError> {
        Self::around(Index::create_in_ram(build_schema()))
    }

    fn around(index: Index) -> Result<Self, SearchError> {
        register_analyzers(&index);
        let fields = Fields::of(index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        // One indexing thread: a commit then writes one segment rather than one per thread, and
        // a search waits for the commit of the writes before it. A rebuild is no slower, as
        // reading and decoding the datasets keeps the one thread busy enough.
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        writer.set_merge_policy(Box::new(merge_policy()));
        let text_queries = TextQueries::new(fields.text());
        let facets = FacetCache::new(fields.text());
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            queue: Mutex::default(),
            queued: AtomicU64::new(0),
            committed: AtomicU64::new(0),
            text_queries,
            fields,
            applied_seq: AtomicI64::new(0),
            facets,
        })
    }

    /// The last event-log sequence number the index reflects.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(AtomicOrdering::SeqCst)
    }

    /// How many datasets are indexed, as of the last commit.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.commit_for_search()?;
        let searcher = self.reader.searcher();
        let facets = self.facets.of(&searcher)?;
        let parts = request
            .text
            .as_deref()
            .map(query_text::search_parts)
            .filter(|parts| !parts.is_empty());
        let text = parts.map(|parts| {
            // A deleted dataset's languages count until its segment is merged: at worst a
            // word is also analysed as a language no dataset uses any more.
            let analyses = facets
                .iter()
                .flat_map(|segment| segment.terms.analyses.iter().cloned())
                .collect();
            self.text_queries.query(&parts, &analyses)
        });
        let scored = request.sort == SortBy::Relevance && text.is_some();
        let scoring = match &text {
            Some(text) if scored => Some(
                text.scoring()
                    .weight(EnableScoring::enabled_from_searcher(&searcher))?,
            ),
            _ => None,
        };
        let mut answers = Vec::with_capacity(facets.len());
        for (ordinal, (reader, facets)) in
            searcher.segment_readers().iter().zip(&facets).enumerate()
        {
            let matched = match &text {
                Some(text) => Some(Matched::find(
                    text,
                    scoring.as_deref(),
                    &searcher,
                    reader,
                    &facets.terms,
                )?),
                None => None,
            };
            answers.push(answer_segment(
                request,
                ordinal as u32,
                reader,
                facets,
                matched,
            )?);
        }
        let answer = collect::merge(answers, request.limit);
        let more = answer.top.len() > request.limit;
        let mut hits = Vec::with_capacity(request.limit);
        for candidate in answer.top.into_iter().take(request.limit) {
            let doc: TantivyDocument = searcher.doc(candidate.address)?;
            let summary = doc
                .get_first(self.fields.summary)
                .and_then(|v| v.as_str())
                .unwrap_or("{}")
                .to_owned();
            hits.push(SearchHit {
                summary,
                key: candidate.key,
                id: candidate.id,
            });
        }
        let facets = Dimension::ALL.into_iter().zip(answer.counts).collect();
        Ok(SearchResults {
            total: answer.total,
            hits,
            more,
            facets,
        })
    }
}

#[cfg(test)]
mod tests;
