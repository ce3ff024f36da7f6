//! Text in every language, in two fields: `title` and `body`.
//!
//! Each value is indexed with its language tag ahead of the text, and one tokenizer
//! (`Multilingual`) analyses it with that language's stemmer. A search word is analysed by
//! every language's analyser and matches any of the distinct terms that come out: "Tumeurs"
//! finds French text through the French stemmer, and "cancer" is one or two posting lists
//! rather than one per language. Each two neighbouring words are indexed as a pair too, which
//! is how a quoted phrase is found (see `pairs`).
//!
//! A field per language was tried first: a common word then had a posting list in each of up
//! to 34 fields, and a search walked them all (half of a search's CPU at 100,000 datasets).
//! Each segment and each merge also wrote every field, which made writes and index builds
//! slower.

use std::collections::BTreeSet;

use frostem::Algorithm;
use roaring::RoaringBitmap;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Tokenizer,
};
use tantivy::{Searcher, SegmentReader, Term};

use super::any_of::AnyOf;
use super::facets::bitmap_of;
use super::pairs::{Positioned, WithPairs, phrase_terms};
use super::query_text::Part;
use super::stemming::RememberingStemmer;
use super::term_docs::TermDocs;

/// The name the text fields give their tokenizer.
pub(super) const TOKENIZER: &str = "hdab_multilingual";

/// Separates a value's language tag from its text. Never part of a word, so a value whose
/// text happens to contain it is still split into the same words.
const LANGUAGE_MARK: char = '\u{1f}';

/// A word or phrase as one analyser makes it: its terms with their positions.
type Form = Vec<Positioned>;

/// A title term weighs twice what a description's term weighs.
const TITLE_BOOST: f32 = 2.0;

/// Languages with a stemmer: (BCP-47 primary subtag, Snowball algorithm).
const STEMMED: &[(&str, Algorithm)] = &[
    ("en", Algorithm::English),
    ("de", Algorithm::German),
    ("fr", Algorithm::French),
    ("es", Algorithm::Spanish),
    ("it", Algorithm::Italian),
    ("nl", Algorithm::Dutch),
    ("pt", Algorithm::Portuguese),
    ("sv", Algorithm::Swedish),
    ("da", Algorithm::Danish),
    ("fi", Algorithm::Finnish),
    ("hu", Algorithm::Hungarian),
    ("ro", Algorithm::Romanian),
    ("el", Algorithm::Greek),
    ("nb", Algorithm::Norwegian),
    ("nn", Algorithm::Norwegian),
    ("no", Algorithm::Norwegian),
];

/// Text in languages without a stemmer is analysed without one.
const PLAIN: &str = "plain";

/// `text` in `language` (a BCP-47 tag), as a text field's value, written over `buffer` (one
/// buffer serves every text of a document).
pub(super) fn tagged<'b>(buffer: &'b mut String, language: &str, text: &str) -> &'b str {
    buffer.clear();
    buffer.push_str(language);
    buffer.push(LANGUAGE_MARK);
    buffer.push_str(text);
    buffer
}

/// The analyser that text in `language` (a BCP-47 tag) goes through: the code of its stemmer,
/// or `plain`. The index records which it used, so that a search word is analysed only as
/// the catalogue's languages are.
pub(super) fn analysis_of(language: &str) -> &'static str {
    let primary = language.split('-').next().unwrap_or(language);
    STEMMED
        .iter()
        .find(|(code, _)| *code == primary)
        .map_or(PLAIN, |(code, _)| code)
}

/// The fields that hold text, and the one that records how it was analysed.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextFields {
    pub(super) title: Field,
    pub(super) body: Field,
    pub(super) analyses: Field,
}

fn analyzer(language: Option<Algorithm>) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match language {
        // Stem before folding accents: the stemmers expect the language's own letters.
        Some(language) => builder
            .filter(RememberingStemmer(language))
            .filter(AsciiFoldingFilter)
            .build(),
        None => builder.filter(AsciiFoldingFilter).build(),
    }
}

/// Analyses a tagged value with its language's analyser; text in a language without a
/// stemmer (or untagged) is lower-cased and folded only.
#[derive(Clone)]
pub(super) struct Multilingual {
    stemmed: Vec<(&'static str, TextAnalyzer)>,
    plain: TextAnalyzer,
}

impl Multilingual {
    pub(super) fn new() -> Self {
        Self {
            stemmed: STEMMED
                .iter()
                .map(|(code, language)| (*code, analyzer(Some(*language))))
                .collect(),
            plain: analyzer(None),
        }
    }

    fn for_language(&mut self, tag: &str) -> &mut TextAnalyzer {
        let analysis = analysis_of(tag);
        match self.stemmed.iter_mut().find(|(code, _)| *code == analysis) {
            Some((_, analyzer)) => analyzer,
            None => &mut self.plain,
        }
    }

    /// The terms `text` becomes through each of `analyses`, with their positions; each
    /// distinct sequence once.
    fn forms(&mut self, text: &str, analyses: &BTreeSet<String>) -> BTreeSet<Form> {
        let mut forms = BTreeSet::new();
        for analysis in analyses {
            let mut tokens = Vec::new();
            let mut stream = self.for_language(analysis).token_stream(text);
            while let Some(token) = stream.next() {
                tokens.push((token.position, token.text.clone()));
            }
            if !tokens.is_empty() {
                forms.insert(tokens);
            }
        }
        forms
    }
}

/// Indexes a tagged value's words, and the pairs of neighbouring words (see `pairs`).
impl Tokenizer for Multilingual {
    type TokenStream<'a> = WithPairs<'a>;

    fn token_stream<'a>(&'a mut self, value: &'a str) -> WithPairs<'a> {
        let (language, text) = value.split_once(LANGUAGE_MARK).unwrap_or(("", value));
        WithPairs::new(self.for_language(language).token_stream(text))
    }
}

/// Builds the query for what was typed into the search box.
pub(super) struct TextQueries {
    analyzer: Multilingual,
    fields: TextFields,
}

impl TextQueries {
    pub(super) fn new(fields: TextFields) -> Self {
        Self {
            analyzer: Multilingual::new(),
            fields,
        }
    }

    /// Every part must match, in the title or the description, in any of the catalogue's
    /// languages (`analyses`, as [`analysis_of`] names them). Parts that analyse to nothing
    /// (a word over 40 letters) are left out; when none is left, nothing matches.
    pub(super) fn query(&self, parts: &[Part], analyses: &BTreeSet<String>) -> TextQuery {
        let mut analyzer = self.analyzer.clone();
        let parts = parts
            .iter()
            .map(|part| analyzer.forms(&part.join(" "), analyses))
            .filter(|forms| !forms.is_empty())
            .map(|forms| self.part(&forms))
            .collect();
        TextQuery { parts }
    }

    fn part(&self, forms: &BTreeSet<Form>) -> PartQuery {
        let mut single_terms = Vec::new();
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for form in forms {
            let terms = phrase_terms(form);
            for field in [self.fields.title, self.fields.body] {
                let matching = matching(field, &terms);
                if let [(_, term)] = terms.as_slice() {
                    single_terms.push(Term::from_field_text(field, term));
                }
                alternatives.push(if field == self.fields.title {
                    Box::new(BoostQuery::new(matching, TITLE_BOOST))
                } else {
                    matching
                });
            }
        }
        PartQuery {
            has_phrases: single_terms.len() < alternatives.len(),
            single_terms,
            query: AnyOf::new(alternatives),
        }
    }
}

/// What was typed into the search box, as queries.
pub(super) struct TextQuery {
    parts: Vec<PartQuery>,
}

/// One word or phrase: its alternatives (each language's form, in each field).
struct PartQuery {
    /// The terms of the forms that are one indexed term: a word, or a pair of words.
    single_terms: Vec<Term>,
    /// Whether some forms are several terms matched by their positions (a phrase of three
    /// words or more, or with a number or a gap in it).
    has_phrases: bool,
    query: AnyOf,
}

impl TextQuery {
    /// Scores the documents that match every part: the sum of their matching alternatives'
    /// BM25 scores, titles weighing double.
    pub(super) fn scoring(&self) -> Box<dyn Query> {
        if self.parts.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::intersection(
            self.parts
                .iter()
                .map(|part| Box::new(part.query.clone()) as Box<dyn Query>)
                .collect(),
        ))
    }

    /// Whether a part has a form of several terms, matched by their positions.
    pub(super) fn has_phrases(&self) -> bool {
        self.parts.iter().any(|part| part.has_phrases)
    }

    /// The documents of `reader` that match every part (deleted ones included).
    pub(super) fn matching(
        &self,
        searcher: &Searcher,
        reader: &SegmentReader,
        terms: &TermDocs,
    ) -> tantivy::Result<RoaringBitmap> {
        let mut matching: Option<RoaringBitmap> = None;
        for part in &self.parts {
            let docs = part.matching(searcher, reader, terms)?;
            matching = Some(match matching {
                Some(previous) => previous & docs,
                None => docs,
            });
        }
        Ok(matching.unwrap_or_default())
    }
}

impl PartQuery {
    fn matching(
        &self,
        searcher: &Searcher,
        reader: &SegmentReader,
        terms: &TermDocs,
    ) -> tantivy::Result<RoaringBitmap> {
        if self.has_phrases {
            let weight = self
                .query
                .weight(EnableScoring::disabled_from_searcher(searcher))?;
            let mut docs = Vec::new();
            weight.for_each_no_score(reader, &mut |batch| docs.extend_from_slice(batch))?;
            return Ok(bitmap_of(docs));
        }
        let mut docs = RoaringBitmap::new();
        for term in &self.single_terms {
            docs |= terms.of(reader, term)?.as_ref();
        }
        Ok(docs)
    }
}
/// Matches `terms` (of [`phrase_terms`]) in `field`: one term, or a phrase of several.
fn matching(field: Field, terms: &[Positioned]) -> Box<dyn Query> {
    match terms {
        [(_, word)] => Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        )),
        terms => Box::new(PhraseQuery::new_with_offset(
            terms
                .iter()
                .map(|(position, term)| (*position, Term::from_field_text(field, term)))
                .collect(),
        )),
    }
}
