//! A union of a few queries that is cheap to seek: a search word's alternatives (each language's
//! form of it, in the title and in the description).
//!
//! tantivy's own union (`BufferedUnionScorer`) fills a window of 4,096 documents from every
//! alternative, scoring each, whenever it is asked for a document past the previous window.
//! That is fast to walk from end to end, but a search word sits inside an intersection that
//! seeks it to the documents the rarer words matched: a word found in every dataset ("cancer")
//! was then decoded and scored for every document, half of a search's CPU at 100,000
//! datasets. This union seeks each alternative's postings to the target and scores only the
//! documents it is asked for.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

/// Matches what any of its queries matches, scored by the sum of the matching ones' scores.
#[derive(Debug)]
pub(super) struct AnyOf(Vec<Box<dyn Query>>);

impl AnyOf {
    pub(super) fn new(alternatives: Vec<Box<dyn Query>>) -> Self {
        Self(alternatives)
    }
}

impl Clone for AnyOf {
    fn clone(&self) -> Self {
        Self(self.0.iter().map(|query| query.box_clone()).collect())
    }
}

impl Query for AnyOf {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|query| query.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for query in &self.0 {
            query.query_terms(visitor);
        }
    }
}

struct AnyOfWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut matching = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                matching.push(scorer);
            }
        }
        Ok(match matching.len() {
            0 => Box::new(EmptyScorer),
            1 => matching.remove(0),
            _ => Box::new(AnyOfScorer::new(matching)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of the matching alternatives", scorer.score());
        for weight in &self.0 {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// Positioned on the lowest document any alternative is on.
struct AnyOfScorer {
    alternatives: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl AnyOfScorer {
    fn new(alternatives: Vec<Box<dyn Scorer>>) -> Self {
        let mut scorer = Self {
            alternatives,
            doc: TERMINATED,
        };
        scorer.doc = scorer.lowest();
        scorer
    }

    fn lowest(&self) -> DocId {
        self.alternatives
            .iter()
            .map(|alternative| alternative.doc())
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for alternative in &mut self.alternatives {
            if alternative.doc() == current {
                alternative.advance();
            }
        }
        self.doc = self.lowest();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for alternative in &mut self.alternatives {
            if alternative.doc() < target {
                alternative.seek(target);
            }
        }
        self.doc = self.lowest();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        // At least the largest alternative; the alternatives of one word mostly overlap.
        self.alternatives
            .iter()
            .map(|alternative| alternative.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for AnyOfScorer {
    fn score(&mut self) -> Score {
        let current = self.doc;
        self.alternatives
            .iter_mut()
            .filter(|alternative| alternative.doc() == current)
            .map(|alternative| alternative.score())
            .sum()
    }
}
