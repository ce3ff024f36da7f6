//! Full-text and faceted search over published datasets, on tantivy.
//!
//! The index is derived from the database and never the source of truth: it records in its
//! commit payload the last event-log sequence number it reflects, catches up by tailing the
//! log, and is rebuilt from the database when missing or built by another schema version.
//!
//! Facet counts are disjunctive (each dimension counted with every *other* filter applied),
//! computed in one pass: a document failing no filter is a hit and counts everywhere; one
//! failing exactly one dimension counts only in that dimension, which is what a user would get
//! by relaxing that filter.

mod collect;
mod query_text;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};
use std::sync::{Mutex, RwLock};

use tantivy::query::{AllQuery, Query, QueryParser};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use collect::FacetedTopDocs;

/// Bumped whenever the schema or analysis changes: an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "hdab-search-3";
const WRITER_MEMORY_BYTES: usize = 100_000_000;

/// Languages with a stemmer: (BCP-47 primary subtag, tantivy language).
const STEMMED: &[(&str, Language)] = &[
    ("en", Language::English),
    ("de", Language::German),
    ("fr", Language::French),
    ("es", Language::Spanish),
    ("it", Language::Italian),
    ("nl", Language::Dutch),
    ("pt", Language::Portuguese),
    ("sv", Language::Swedish),
    ("da", Language::Danish),
    ("fi", Language::Finnish),
    ("hu", Language::Hungarian),
    ("ro", Language::Romanian),
    ("el", Language::Greek),
    ("nb", Language::Norwegian),
    ("nn", Language::Norwegian),
    ("no", Language::Norwegian),
];
/// Text in other languages is indexed without stemming.
const PLAIN: &str = "plain";

/// The facet dimensions, in the order results report them.
pub const DIMENSIONS: &[&str] = &[
    "cancer_condition",
    "modality",
    "body_part",
    "manufacturer",
    "country",
    "publisher",
    "access_rights",
    "health_category",
    "duo_permission",
    "trusted_holder",
    "subjects",
    "age_group",
    "acquisition_decade",
];

/// Dimensions counted from a string fast field of the same name.
pub(crate) const STRING_DIMENSIONS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot open the search index directory {path}: {reason}")]
    Directory { path: String, reason: String },
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

/// A filter on one string dimension: any of the values (OR).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Per string dimension (index into [`DIMENSIONS`]), the accepted values.
    pub values: [Vec<String>; STRING_DIMENSIONS],
    pub subjects: (Option<u64>, Option<u64>),
    /// Datasets whose typical age range overlaps this one.
    pub age: (Option<u64>, Option<u64>),
    /// Datasets whose acquisition period overlaps these years.
    pub acquisition_years: (Option<i64>, Option<i64>),
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
    pub facets: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

/// A change to apply.
#[derive(Debug, Clone)]
pub enum Change {
    Upsert(Box<IndexedDataset>),
    Remove(u128),
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    id_hi: Field,
    id_lo: Field,
    summary: Field,
    strings: [Field; STRING_DIMENSIONS],
    subjects: Field,
    min_age: Field,
    max_age: Field,
    acquisition_start: Field,
    acquisition_end: Field,
    modified: Field,
}

/// The search index of one hdab instance.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Searches the text fields that hold any text: a language no dataset uses would only add
    /// empty postings to every search.
    parser: RwLock<QueryParser>,
    /// The last event-log sequence number the index reflects.
    applied_seq: AtomicI64,
}

/// Whether an opened index already reflects the log up to some event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Created now, or found with another schema: it must be rebuilt from the database.
    NeedsRebuild,
    /// Reflects every event up to this sequence number.
    UpTo(i64),
}

fn analyzer(language: Option<Language>) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match language {
        // Stem before folding accents: the stemmers expect the language's own letters.
        Some(language) => builder
            .filter(Stemmer::new(language))
            .filter(AsciiFoldingFilter)
            .build(),
        None => builder.filter(AsciiFoldingFilter).build(),
    }
}

fn text_field_names() -> Vec<String> {
    let mut codes: Vec<&str> = STEMMED.iter().map(|(code, _)| *code).collect();
    codes.push(PLAIN);
    codes
        .iter()
        .flat_map(|code| [format!("title_{code}"), format!("body_{code}")])
        .collect()
}

fn tokenizer_for(code: &str) -> String {
    format!("hdab_{code}")
}

fn build_schema() -> Schema {
    let mut schema = Schema::builder();
    schema.add_text_field("key", STRING);
    schema.add_u64_field("id_hi", FAST);
    schema.add_u64_field("id_lo", FAST);
    schema.add_text_field("summary", STORED);
    for name in &DIMENSIONS[..STRING_DIMENSIONS] {
        schema.add_text_field(name, TextOptions::default().set_fast("raw"));
    }
    let fast = NumericOptions::default().set_fast();
    schema.add_u64_field("subjects", fast.clone());
    schema.add_u64_field("min_age", fast.clone());
    schema.add_u64_field("max_age", fast.clone());
    schema.add_i64_field("acquisition_start", fast.clone());
    schema.add_i64_field("acquisition_end", fast.clone());
    schema.add_i64_field("modified", fast);
    let mut codes: Vec<&str> = STEMMED.iter().map(|(code, _)| *code).collect();
    codes.push(PLAIN);
    for code in codes {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(&tokenizer_for(code))
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        schema.add_text_field(&format!("title_{code}"), options.clone());
        schema.add_text_field(&format!("body_{code}"), options);
    }
    schema.build()
}

/// A parser over the text fields that hold terms in the current index (every field while the
/// index is empty), titles weighing twice as much as bodies.
fn text_parser(index: &Index, reader: &IndexReader) -> Result<QueryParser, SearchError> {
    let schema = index.schema();
    let searcher = reader.searcher();
    let mut fields = Vec::new();
    for name in text_field_names() {
        let field = field(&schema, &name)?;
        let mut used = searcher.num_docs() == 0;
        for segment in searcher.segment_readers() {
            used = used || segment.inverted_index(field)?.terms().num_terms() > 0;
        }
        if used {
            fields.push(field);
        }
    }
    let mut parser = QueryParser::for_index(index, fields.clone());
    parser.set_conjunction_by_default();
    for field in fields {
        if schema.get_field_name(field).starts_with("title_") {
            parser.set_field_boost(field, 2.0);
        }
    }
    Ok(parser)
}

fn field(schema: &Schema, name: &str) -> Result<Field, SearchError> {
    Ok(schema.get_field(name)?)
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
        for (code, language) in STEMMED {
            index
                .tokenizers()
                .register(&tokenizer_for(code), analyzer(Some(*language)));
        }
        index
            .tokenizers()
            .register(&tokenizer_for(PLAIN), analyzer(None));
        let schema = index.schema();
        let strings = DIMENSIONS[..STRING_DIMENSIONS]
            .iter()
            .map(|name| field(&schema, name))
            .collect::<Result<Vec<_>, _>>()?;
        let fields = Fields {
            key: field(&schema, "key")?,
            id_hi: field(&schema, "id_hi")?,
            id_lo: field(&schema, "id_lo")?,
            summary: field(&schema, "summary")?,
            strings: strings
                .try_into()
                .map_err(|_| tantivy::TantivyError::SchemaError("dimensions".into()))?,
            subjects: field(&schema, "subjects")?,
            min_age: field(&schema, "min_age")?,
            max_age: field(&schema, "max_age")?,
            acquisition_start: field(&schema, "acquisition_start")?,
            acquisition_end: field(&schema, "acquisition_end")?,
            modified: field(&schema, "modified")?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_MEMORY_BYTES)?;
        let parser = RwLock::new(text_parser(&index, &reader)?);
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            parser,
            applied_seq: AtomicI64::new(0),
        })
    }

    fn document(&self, d: &IndexedDataset) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, format!("{:032x}", d.id));
        doc.add_u64(f.id_hi, (d.id >> 64) as u64);
        doc.add_u64(f.id_lo, d.id as u64);
        doc.add_text(f.summary, &d.summary);
        let schema = self.index.schema();
        for (field_prefix, texts) in [("title", &d.titles), ("body", &d.bodies)] {
            for (language, text) in texts {
                let primary = language.split('-').next().unwrap_or(language);
                let code = if STEMMED.iter().any(|(c, _)| *c == primary) {
                    primary
                } else {
                    PLAIN
                };
                if let Ok(field) = schema.get_field(&format!("{field_prefix}_{code}")) {
                    doc.add_text(field, text);
                }
            }
        }
        let single = |value: &String| std::slice::from_ref(value).to_vec();
        let values: [Vec<String>; STRING_DIMENSIONS] = [
            d.conditions.clone(),
            d.modalities.clone(),
            d.body_parts.clone(),
            d.manufacturers.clone(),
            d.countries.clone(),
            single(&d.publisher),
            single(&d.access_rights),
            d.health_categories.clone(),
            single(&d.duo_permission),
            vec![d.trusted_holder.to_string()],
        ];
        for (field, values) in f.strings.iter().zip(values) {
            for value in values {
                doc.add_text(*field, value);
            }
        }
        let mut add_u64 = |field, value: Option<u64>| {
            if let Some(value) = value {
                doc.add_u64(field, value);
            }
        };
        add_u64(f.subjects, d.subjects);
        add_u64(f.min_age, d.min_age);
        add_u64(f.max_age, d.max_age);
        if let Some(year) = d.acquisition_start {
            doc.add_i64(f.acquisition_start, year);
        }
        if let Some(year) = d.acquisition_end {
            doc.add_i64(f.acquisition_end, year);
        }
        doc.add_i64(f.modified, d.modified);
        doc
    }

    fn key_term(&self, id: u128) -> Term {
        Term::from_field_text(self.fields.key, &format!("{id:032x}"))
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<(), SearchError> {
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&format!("{SCHEMA_VERSION} {seq}"));
        commit.commit()?;
        self.reload()?;
        self.applied_seq.store(seq, AtomicOrdering::SeqCst);
        Ok(())
    }

    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        let parser = text_parser(&self.index, &self.reader)?;
        *self
            .parser
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = parser;
        Ok(())
    }

    /// Starts replacing the whole index: add every dataset to the returned session, then
    /// finish it. Searches see the old index until then.
    pub fn begin_rebuild(&self) -> Result<Rebuild<'_>, SearchError> {
        let writer = self.writer();
        writer.delete_all_documents()?;
        Ok(Rebuild {
            search: self,
            writer,
            count: 0,
        })
    }

    /// Applies `changes` and records that the index reflects the log up to `seq`; searches
    /// see the changes when this returns.
    pub fn apply(&self, changes: &[Change], seq: i64) -> Result<(), SearchError> {
        let mut writer = self.writer();
        for change in changes {
            match change {
                Change::Upsert(dataset) => {
                    writer.delete_term(self.key_term(dataset.id));
                    writer.add_document(self.document(dataset))?;
                }
                Change::Remove(id) => {
                    writer.delete_term(self.key_term(*id));
                }
            }
        }
        self.commit(&mut writer, seq)
    }

    /// The last event-log sequence number the index reflects.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(AtomicOrdering::SeqCst)
    }

    /// How many datasets are indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let text = request.text.as_deref().and_then(query_text::plain_query);
        let query: Box<dyn Query> = match &text {
            // Lenient: words alone parse, and a word the analyzers drop is no error either.
            Some(text) => {
                self.parser
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .parse_query_lenient(text)
                    .0
            }
            None => Box::new(AllQuery),
        };
        let collector = FacetedTopDocs {
            request,
            scored: request.sort == SortBy::Relevance && text.is_some(),
        };
        let (total, top, counts) = searcher.search(&query, &collector)?;
        let more = top.len() > request.limit;
        let mut hits = Vec::with_capacity(request.limit);
        for candidate in top.into_iter().take(request.limit) {
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
        let facets = DIMENSIONS.iter().copied().zip(counts).collect();
        Ok(SearchResults {
            total,
            hits,
            more,
            facets,
        })
    }
}

/// A rebuild in progress; holds the index writer until finished.
pub struct Rebuild<'a> {
    search: &'a SearchIndex,
    writer: std::sync::MutexGuard<'a, IndexWriter>,
    count: usize,
}

impl Rebuild<'_> {
    pub fn add(&mut self, dataset: &IndexedDataset) -> Result<(), SearchError> {
        self.writer.add_document(self.search.document(dataset))?;
        self.count += 1;
        Ok(())
    }

    /// Commits, recording that the index reflects the log up to `seq`, and merges the new
    /// segments into one (a catalogue is small enough, and one segment answers faster).
    /// Returns how many datasets were indexed.
    pub fn finish(mut self, seq: i64) -> Result<usize, SearchError> {
        self.search.commit(&mut self.writer, seq)?;
        let segments = self.search.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            self.writer.merge(&segments).wait()?;
            self.search.reload()?;
        }
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn index_with_two_datasets() -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        let dataset = |id: u128, title: &str| IndexedDataset {
            id,
            titles: vec![("en".into(), title.into()), ("de".into(), title.into())],
            bodies: vec![("en".into(), format!("{title} imaging cohort"))],
            publisher: "p".into(),
            access_rights: "PUBLIC".into(),
            duo_permission: "GRU".into(),
            summary: "{}".into(),
            ..IndexedDataset::default()
        };
        let changes = [
            Change::Upsert(Box::new(dataset(1, "Lung cancer screening"))),
            Change::Upsert(Box::new(dataset(2, "Breast MRI"))),
        ];
        index.apply(&changes, 2).unwrap();
        index
    }

    fn request(text: &str) -> SearchRequest {
        SearchRequest {
            text: Some(text.to_owned()),
            filters: Filters::default(),
            sort: SortBy::Relevance,
            limit: 10,
            after: None,
        }
    }

    #[test]
    fn field_syntax_from_the_search_box_is_searched_as_words() {
        let index = index_with_two_datasets();
        for text in [
            "summary:*",
            "key:*",
            "foo:*",
            "id_hi:[0 TO 9]",
            "title_en:/.*/",
        ] {
            assert!(index.search(&request(text)).is_ok(), "{text}");
        }
        let hits = index
            .search(&request("lung:* \"cancer screening\""))
            .unwrap();
        assert_eq!(hits.total, 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn no_text_in_the_search_box_makes_search_fail(
            text in prop_oneof![
                any::<String>(),
                "[a-zA-Z_:*\\[\\]{}()~^\"'+\\-!/\\\\ .0-9<>=]{0,40}",
                "(summary|key|id_hi|modified|title_en|body_de|modality|foo):[*a-z0-9\\[\\] ]{0,12}",
            ]
        ) {
            static INDEX: std::sync::OnceLock<SearchIndex> = std::sync::OnceLock::new();
            let index = INDEX.get_or_init(index_with_two_datasets);
            prop_assert!(index.search(&request(&text)).is_ok());
        }
    }
}
