//! The index's schema: a title and a body field holding text in every language (`text`), one
//! fast string field per term dimension, fast numeric fields for ranges and sorting; and how a
//! dataset becomes a document.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument, Term};

use super::text::{Multilingual, TOKENIZER, TextFields, analysis_of, tagged};
use super::{Dimension, IndexedDataset, SearchError};

/// Bumped whenever the schema or analysis changes: an index of another version is rebuilt.
pub(super) const SCHEMA_VERSION: &str = "hdab-search-5";

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
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(indexing);
    schema.add_text_field("title", text.clone());
    schema.add_text_field("body", text);
    schema.add_text_field("analyses", STRING);
    schema.build()
}

/// Registers the analyser the schema's text fields name.
pub(super) fn register_analyzers(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER, TextAnalyzer::from(Multilingual::new()));
}

fn field(schema: &Schema, name: &str) -> Result<Field, SearchError> {
    Ok(schema.get_field(name)?)
}

/// What a document holds besides its summary and texts, about: the key, facet values, numbers.
const DOCUMENT_BYTES: usize = 512;

/// The key of dataset `id`: its 128 bits as 32 lower-case hex digits, written into `buffer`.
fn key_text(id: u128, buffer: &mut [u8; 32]) -> &str {
    uuid::Uuid::from_u128(id).simple().encode_lower(buffer)
}

/// The schema's fields, looked up once.
#[derive(Clone)]
pub(super) struct Fields {
    key: Field,
    id_hi: Field,
    id_lo: Field,
    pub(super) summary: Field,
    text: TextFields,
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
            text: TextFields {
                title: field(&schema, "title")?,
                body: field(&schema, "body")?,
                analyses: field(&schema, "analyses")?,
            },
            terms,
            subjects: field(&schema, "subjects")?,
            min_age: field(&schema, "min_age")?,
            max_age: field(&schema, "max_age")?,
            acquisition_start: field(&schema, "acquisition_start")?,
            acquisition_end: field(&schema, "acquisition_end")?,
            modified: field(&schema, "modified")?,
        })
    }

    pub(super) fn text(&self) -> TextFields {
        self.text
    }

    /// The term that identifies dataset `id`'s document, for replacing or removing it.
    pub(super) fn key_term(&self, id: u128) -> Term {
        Term::from_field_text(self.key, key_text(id, &mut [0; 32]))
    }

    /// The document indexing `d`, its texts written once, into a document sized for them
    /// (building documents was a sixth of a rebuild, mostly formatting and regrowing).
    pub(super) fn document(&self, d: &IndexedDataset) -> TantivyDocument {
        let texts = || d.titles.iter().chain(&d.bodies);
        let text_bytes: usize = texts().map(|(l, t)| l.len() + t.len() + 1).sum();
        let mut doc = TantivyDocument::with_capacity(DOCUMENT_BYTES + d.summary.len() + text_bytes);
        doc.add_text(self.key, key_text(d.id, &mut [0; 32]));
        doc.add_u64(self.id_hi, (d.id >> 64) as u64);
        doc.add_u64(self.id_lo, d.id as u64);
        doc.add_text(self.summary, &d.summary);
        let mut analyses = std::collections::BTreeSet::new();
        let mut buffer = String::new();
        for (field, texts) in [(self.text.title, &d.titles), (self.text.body, &d.bodies)] {
            for (language, text) in texts {
                doc.add_text(field, tagged(&mut buffer, language, text));
                analyses.insert(analysis_of(language));
            }
        }
        for analysis in analyses {
            doc.add_text(self.text.analyses, analysis);
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

#[cfg(test)]
mod tests {
    use super::key_text;

    /// Indexes written by earlier releases hold keys in this form; an update finds the entry it
    /// replaces only if the key is written the same way.
    #[test]
    fn a_key_is_the_id_in_32_lower_case_hex_digits() {
        for id in [
            0,
            1,
            0xabcdef,
            u128::MAX,
            0x0192_3e4f_5a6b_7c8d_9eaf_b0c1_d2e3_f405,
        ] {
            assert_eq!(key_text(id, &mut [0; 32]), format!("{id:032x}"));
        }
    }
}
