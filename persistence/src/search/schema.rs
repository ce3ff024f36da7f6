//! The index's schema and analysis: one stemmed title and body field per language with a
//! stemmer (and a plain pair for the rest), one fast string field per term dimension, fast
//! numeric fields for ranges and sorting; and how a dataset becomes a document.

use tantivy::query::QueryParser;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, TantivyDocument, Term};

use super::{Dimension, IndexedDataset, SearchError};

/// Bumped whenever the schema or analysis changes: an index of another version is rebuilt.
pub(super) const SCHEMA_VERSION: &str = "hdab-search-3";

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

/// The language codes with their own text fields: every stemmed language, then `plain`.
fn language_codes() -> impl Iterator<Item = &'static str> {
    STEMMED
        .iter()
        .map(|(code, _)| *code)
        .chain(std::iter::once(PLAIN))
}

fn text_field_names() -> impl Iterator<Item = String> {
    language_codes().flat_map(|code| [format!("title_{code}"), format!("body_{code}")])
}

/// The code whose fields hold text in `language` (a BCP-47 tag).
fn code_for(language: &str) -> &str {
    let primary = language.split('-').next().unwrap_or(language);
    if STEMMED.iter().any(|(code, _)| *code == primary) {
        primary
    } else {
        PLAIN
    }
}

fn tokenizer_for(code: &str) -> String {
    format!("hdab_{code}")
}

pub(super) fn build_schema() -> Schema {
    let mut schema = Schema::builder();
    schema.add_text_field("key", STRING);
    schema.add_u64_field("id_hi", FAST);
    schema.add_u64_field("id_lo", FAST);
    schema.add_text_field("summary", STORED);
    for dimension in Dimension::TERMS {
        schema.add_text_field(dimension.name(), TextOptions::default().set_fast("raw"));
    }
    let fast = NumericOptions::default().set_fast();
    schema.add_u64_field("subjects", fast.clone());
    schema.add_u64_field("min_age", fast.clone());
    schema.add_u64_field("max_age", fast.clone());
    schema.add_i64_field("acquisition_start", fast.clone());
    schema.add_i64_field("acquisition_end", fast.clone());
    schema.add_i64_field("modified", fast);
    for code in language_codes() {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(&tokenizer_for(code))
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        schema.add_text_field(&format!("title_{code}"), options.clone());
        schema.add_text_field(&format!("body_{code}"), options);
    }
    schema.build()
}

/// Registers the analysers the schema's text fields name.
pub(super) fn register_analyzers(index: &Index) {
    for (code, language) in STEMMED {
        index
            .tokenizers()
            .register(&tokenizer_for(code), analyzer(Some(*language)));
    }
    index
        .tokenizers()
        .register(&tokenizer_for(PLAIN), analyzer(None));
}

/// A parser over the text fields that hold terms in the current index (every field while the
/// index is empty), titles weighing twice as much as bodies.
pub(super) fn text_parser(index: &Index, reader: &IndexReader) -> Result<QueryParser, SearchError> {
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

/// The schema's fields, looked up once.
#[derive(Clone)]
pub(super) struct Fields {
    schema: Schema,
    key: Field,
    id_hi: Field,
    id_lo: Field,
    pub(super) summary: Field,
    /// Per term dimension (by position), its field.
    terms: Vec<Field>,
    subjects: Field,
    min_age: Field,
    max_age: Field,
    acquisition_start: Field,
    acquisition_end: Field,
    modified: Field,
}

impl Fields {
    pub(super) fn of(schema: Schema) -> Result<Self, SearchError> {
        let terms = Dimension::TERMS
            .iter()
            .map(|dimension| field(&schema, dimension.name()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            key: field(&schema, "key")?,
            id_hi: field(&schema, "id_hi")?,
            id_lo: field(&schema, "id_lo")?,
            summary: field(&schema, "summary")?,
            terms,
            subjects: field(&schema, "subjects")?,
            min_age: field(&schema, "min_age")?,
            max_age: field(&schema, "max_age")?,
            acquisition_start: field(&schema, "acquisition_start")?,
            acquisition_end: field(&schema, "acquisition_end")?,
            modified: field(&schema, "modified")?,
            schema,
        })
    }

    /// The term that identifies dataset `id`'s document, for replacing or removing it.
    pub(super) fn key_term(&self, id: u128) -> Term {
        Term::from_field_text(self.key, &format!("{id:032x}"))
    }

    /// The document indexing `d`.
    pub(super) fn document(&self, d: &IndexedDataset) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.key, format!("{:032x}", d.id));
        doc.add_u64(self.id_hi, (d.id >> 64) as u64);
        doc.add_u64(self.id_lo, d.id as u64);
        doc.add_text(self.summary, &d.summary);
        for (field_prefix, texts) in [("title", &d.titles), ("body", &d.bodies)] {
            for (language, text) in texts {
                let name = format!("{field_prefix}_{}", code_for(language));
                if let Ok(field) = self.schema.get_field(&name) {
                    doc.add_text(field, text);
                }
            }
        }
        for (field, dimension) in self.terms.iter().zip(Dimension::TERMS) {
            for value in d.terms(dimension) {
                doc.add_text(*field, value);
            }
        }
        for (field, value) in [
            (self.subjects, d.subjects),
            (self.min_age, d.min_age),
            (self.max_age, d.max_age),
        ] {
            if let Some(value) = value {
                doc.add_u64(field, value);
            }
        }
        for (field, value) in [
            (self.acquisition_start, d.acquisition_start),
            (self.acquisition_end, d.acquisition_end),
            (self.modified, Some(d.modified)),
        ] {
            if let Some(value) = value {
                doc.add_i64(field, value);
            }
        }
        doc
    }
}

impl IndexedDataset {
    /// The values the dataset has in term dimension `dimension` (none for a range dimension).
    fn terms(&self, dimension: Dimension) -> Vec<&str> {
        match dimension {
            Dimension::CancerCondition => strs(&self.conditions),
            Dimension::Modality => strs(&self.modalities),
            Dimension::BodyPart => strs(&self.body_parts),
            Dimension::Manufacturer => strs(&self.manufacturers),
            Dimension::Country => strs(&self.countries),
            Dimension::Publisher => vec![self.publisher.as_str()],
            Dimension::AccessRights => vec![self.access_rights.as_str()],
            Dimension::HealthCategory => strs(&self.health_categories),
            Dimension::DuoPermission => vec![self.duo_permission.as_str()],
            Dimension::TrustedHolder => vec![if self.trusted_holder { "true" } else { "false" }],
            Dimension::Subjects | Dimension::AgeGroup | Dimension::AcquisitionDecade => vec![],
        }
    }
}

fn strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}
