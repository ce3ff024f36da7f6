//! Which documents of a segment hold a text term, as a bitmap; the frequent terms' bitmaps
//! built once with the segment's facets.
//!
//! A search finds its matches as bitmaps, like its filters, and ranks only the hits left
//! after filtering. A word in most of the catalogue ("cancer", "cohort") has a posting list
//! as long as the catalogue: decoding it again for every search cost more than the rest of
//! the search. Its bitmap, kept for the segment's life, is intersected instead.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use roaring::RoaringBitmap;
use tantivy::index::InvertedIndexReader;
use tantivy::schema::IndexRecordOption;
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocSet, SegmentReader, Term};

use super::facets::bitmap_of;
use super::text::TextFields;

/// A term is frequent in a segment when at least one document in this many holds it...
const FREQUENT_SHARE: u32 = 32;
/// ...and at least this many do: shorter lists decode faster than a bitmap is intersected.
const FREQUENT_AT_LEAST: u32 = 1024;

/// The bitmaps of one segment's frequent text terms, and how its text was analysed.
pub(super) struct TermDocs {
    frequent: HashMap<Term, RoaringBitmap>,
    /// The analysers the segment's text went through (see `text::analysis_of`).
    pub(super) analyses: BTreeSet<String>,
}

impl TermDocs {
    /// Reads the documents of every frequent term of the text fields in `reader`.
    pub(super) fn build(reader: &SegmentReader, fields: TextFields) -> tantivy::Result<Self> {
        let least = (reader.max_doc() / FREQUENT_SHARE).max(FREQUENT_AT_LEAST);
        let mut frequent = HashMap::new();
        for field in [fields.title, fields.body] {
            let inverted = reader.inverted_index(field)?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                if terms.value().doc_freq < least {
                    continue;
                }
                // A text field's terms are the UTF-8 words its tokenizer made.
                let Ok(word) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                let term = Term::from_field_text(field, word);
                let docs = read(&inverted, &term)?;
                frequent.insert(term, docs);
            }
        }
        let mut analyses = BTreeSet::new();
        let recorded = reader.inverted_index(fields.analyses)?;
        let mut terms = recorded.terms().stream()?;
        while terms.advance() {
            analyses.insert(String::from_utf8_lossy(terms.key()).into_owned());
        }
        Ok(Self { frequent, analyses })
    }

    /// The documents of the segment that hold `term` (deleted ones included).
    pub(super) fn of(
        &self,
        reader: &SegmentReader,
        term: &Term,
    ) -> tantivy::Result<Cow<'_, RoaringBitmap>> {
        if let Some(docs) = self.frequent.get(term) {
            return Ok(Cow::Borrowed(docs));
        }
        let inverted = reader.inverted_index(term.field())?;
        Ok(Cow::Owned(read(&inverted, term)?))
    }
}

fn read(inverted: &InvertedIndexReader, term: &Term) -> tantivy::Result<RoaringBitmap> {
    let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? else {
        return Ok(RoaringBitmap::new());
    };
    let mut docs = Vec::with_capacity(postings.doc_freq() as usize);
    let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
    loop {
        let filled = postings.fill_buffer(&mut buffer);
        docs.extend_from_slice(&buffer[..filled]);
        if filled < buffer.len() {
            return Ok(bitmap_of(docs));
        }
    }
}
