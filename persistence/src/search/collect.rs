//! How a search is answered, segment by segment, with bitmaps rather than a visit of every
//! match: the matching documents (every live one when there is no text), each filter's
//! documents, the disjunctive facet counts as intersections with each value's documents, and
//! the top hits after the cursor, from the scores when text ranks them, otherwise by walking
//! the segment's stored sort order until the page is full.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use roaring::RoaringBitmap;
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::facets::{Columns, SegmentFacets, bitmap_of};
use super::term_docs::TermDocs;
use super::text::TextQuery;
use super::{After, Dimension, Filters, SearchRequest};

/// About how many column reads judging one hit by its sort key and id costs, against one
/// bitmap look-up per step of a walk of the sort order.
const COLUMNS_PER_HIT: u64 = 4;

/// A hit waiting in the top-k heap.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) key: f64,
    pub(super) id: u128,
    pub(super) address: DocAddress,
}

impl Candidate {
    /// Descending key, then ascending id: `Greater` means earlier in the results.
    fn rank(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.id.cmp(&self.id))
    }

    fn comes_after(&self, after: &After) -> bool {
        self.key
            .total_cmp(&after.key)
            .then_with(|| after.id.cmp(&self.id))
            == Ordering::Less
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    // Reversed so that the max-heap's top is the worst kept candidate.
    fn cmp(&self, other: &Self) -> Ordering {
        other.rank(self)
    }
}

pub(super) type Counts = Vec<BTreeMap<String, u64>>;

/// One segment's share of the answer.
pub(super) struct SegmentAnswer {
    pub(super) total: u64,
    pub(super) top: Vec<Candidate>,
    pub(super) counts: Counts,
}

/// What a text query matched in one segment, and how its hits are scored.
pub(super) struct Matched {
    docs: RoaringBitmap,
    scores: Scores,
}

enum Scores {
    /// Not ranked by relevance.
    None,
    /// Scored while matching.
    Known(Vec<(DocId, Score)>),
    /// Scored once the filters have left the hits: a word found in most of the catalogue
    /// would otherwise be scored for every dataset it is in.
    OfHits(Box<dyn Scorer>),
}

impl Matched {
    /// What `text` matches in `reader`, with `scoring` (the text's scoring weight) when the
    /// hits are ranked by relevance.
    pub(super) fn find(
        text: &TextQuery,
        scoring: Option<&dyn Weight>,
        searcher: &Searcher,
        reader: &SegmentReader,
        terms: &TermDocs,
    ) -> tantivy::Result<Self> {
        let Some(scoring) = scoring else {
            let docs = text.matching(searcher, reader, terms)?;
            return Ok(Self {
                docs,
                scores: Scores::None,
            });
        };
        if text.has_phrases() {
            // A phrase is matched by reading positions; matching it once, scores and all,
            // costs less than matching it and then again for the scores of its hits.
            let mut scores = Vec::new();
            scoring.for_each(reader, &mut |doc, score| scores.push((doc, score)))?;
            return Ok(Self {
                docs: bitmap_of(scores.iter().map(|(doc, _)| *doc)),
                scores: Scores::Known(scores),
            });
        }
        Ok(Self {
            docs: text.matching(searcher, reader, terms)?,
            scores: Scores::OfHits(scoring.scorer(reader, 1.0)?),
        })
    }
}

impl Scores {
    /// Each hit's score, when ranked by relevance.
    fn of(self, hits: &RoaringBitmap) -> Option<Vec<(DocId, Score)>> {
        match self {
            Scores::None => None,
            Scores::Known(scores) => Some(
                scores
                    .into_iter()
                    .filter(|(doc, _)| hits.contains(*doc))
                    .collect(),
            ),
            Scores::OfHits(mut scorer) => Some(
                hits.iter()
                    .filter_map(|doc| {
                        let at = if scorer.doc() < doc {
                            scorer.seek(doc)
                        } else {
                            scorer.doc()
                        };
                        (at == doc).then(|| (doc, scorer.score()))
                    })
                    .collect(),
            ),
        }
    }
}

/// Answers `request` in one segment. `matched` is what the text matched (`None`: no text).
pub(super) fn answer_segment(
    request: &SearchRequest,
    segment: SegmentOrdinal,
    reader: &SegmentReader,
    facets: &SegmentFacets,
    matched: Option<Matched>,
) -> tantivy::Result<SegmentAnswer> {
    let columns = Columns::open(reader)?;
    let alive = facets.alive(reader);
    let (base, scores) = match matched {
        Some(Matched { docs, scores }) => (docs & &*alive, scores),
        None => ((*alive).clone(), Scores::None),
    };
    let filters = filter_bitmaps(&request.filters, facets, &columns, &base);
    let hits = filters
        .iter()
        .fold(base.clone(), |hits, (_, passing)| hits & passing);
    let counts = count_facets(facets, &base, &hits, &filters);
    let page = Page {
        request,
        segment,
        columns: &columns,
    };
    let top = match scores.of(&hits) {
        Some(scores) => page.best_scored(&scores),
        None if page.walk_is_longer(&hits, reader.max_doc()) => page.best_of(&hits),
        None => page.first_in_order(facets.order(request.sort), &hits),
    };
    Ok(SegmentAnswer {
        total: hits.len(),
        top,
        counts,
    })
}

/// Each active filter's documents: term filters from the value bitmaps, range filters
/// checked on the documents of `base` (only those can be hits or be counted).
fn filter_bitmaps(
    filters: &Filters,
    facets: &SegmentFacets,
    columns: &Columns,
    base: &RoaringBitmap,
) -> Vec<(Dimension, RoaringBitmap)> {
    let mut bitmaps = Vec::new();
    for dimension in Dimension::TERMS {
        let accepted = filters.accepted(dimension);
        if !accepted.is_empty() {
            bitmaps.push((dimension, facets.holding_any(dimension, accepted)));
        }
    }
    for dimension in [
        Dimension::Subjects,
        Dimension::AgeGroup,
        Dimension::AcquisitionDecade,
    ] {
        if range_filtered(filters, dimension) {
            let passing = base
                .iter()
                .filter(|doc| within_range(filters, columns, dimension, *doc));
            bitmaps.push((dimension, bitmap_of(passing)));
        }
    }
    bitmaps
}

fn range_filtered(filters: &Filters, dimension: Dimension) -> bool {
    fn bounded<T>((low, high): &(Option<T>, Option<T>)) -> bool {
        low.is_some() || high.is_some()
    }
    match dimension {
        Dimension::Subjects => bounded(&filters.subjects),
        Dimension::AgeGroup => bounded(&filters.age),
        Dimension::AcquisitionDecade => bounded(&filters.acquisition_years),
        _ => false,
    }
}

/// Whether `doc` passes range dimension `dimension`'s filter: subjects within the bounds;
/// the typical age range and the acquisition period overlapping them.
fn within_range(filters: &Filters, columns: &Columns, dimension: Dimension, doc: DocId) -> bool {
    match dimension {
        Dimension::Subjects => columns.subjects.first(doc).is_some_and(|subjects| {
            let (low, high) = filters.subjects;
            low.is_none_or(|l| subjects >= l) && high.is_none_or(|h| subjects <= h)
        }),
        Dimension::AgeGroup => overlaps(
            columns.min_age.first(doc),
            columns.max_age.first(doc),
            filters.age,
        ),
        Dimension::AcquisitionDecade => overlaps(
            columns.acquisition_start.first(doc),
            columns.acquisition_end.first(doc),
            filters.acquisition_years,
        ),
        _ => true,
    }
}

fn overlaps<T: PartialOrd>(
    start: Option<T>,
    end: Option<T>,
    (low, high): (Option<T>, Option<T>),
) -> bool {
    start.is_some_and(|start| high.is_none_or(|high| start <= high))
        && end.is_some_and(|end| low.is_none_or(|low| end >= low))
}

/// Per dimension, each value's count among the documents passing every *other* filter:
/// the hits for a dimension without a filter (all counted together), the hits with that
/// dimension's filter relaxed for each filtered one.
fn count_facets(
    facets: &SegmentFacets,
    base: &RoaringBitmap,
    hits: &RoaringBitmap,
    filters: &[(Dimension, RoaringBitmap)],
) -> Counts {
    let is_filtered = |dimension: Dimension| filters.iter().any(|(f, _)| *f == dimension);
    let unfiltered: Vec<Dimension> = Dimension::ALL
        .into_iter()
        .filter(|d| !is_filtered(*d))
        .collect();
    let mut counts: Counts = vec![BTreeMap::new(); Dimension::ALL.len()];
    for (dimension, counted) in unfiltered.iter().zip(facets.count(&unfiltered, hits)) {
        counts[dimension.position()] = counted;
    }
    for (dimension, _) in filters {
        let relaxed = filters
            .iter()
            .filter(|(other, _)| other != dimension)
            .fold(base.clone(), |docs, (_, passing)| docs & passing);
        counts[dimension.position()] = facets.count(&[*dimension], &relaxed).remove(0);
    }
    counts
}

/// Picks one segment's best hits after the request's cursor.
struct Page<'a> {
    request: &'a SearchRequest,
    segment: SegmentOrdinal,
    columns: &'a Columns,
}

impl Page<'_> {
    fn keep(&self) -> usize {
        self.request.limit + 1
    }

    fn candidate(&self, doc: DocId, key: f64) -> Candidate {
        Candidate {
            key,
            id: self.columns.id(doc),
            address: DocAddress::new(self.segment, doc),
        }
    }

    /// `doc`'s key in the request's unscored sort order.
    fn sort_key(&self, doc: DocId) -> f64 {
        self.columns.key(self.request.sort, doc)
    }

    fn unscored(&self, doc: DocId) -> Candidate {
        self.candidate(doc, self.sort_key(doc))
    }

    /// Whether walking the sort order to fill a page would read more documents than the
    /// hits themselves: a page of `keep` needs about `keep * max_doc / hits` steps when the
    /// hits are spread over the order, and judging a hit reads several columns.
    fn walk_is_longer(&self, hits: &RoaringBitmap, max_doc: DocId) -> bool {
        let (hits, keep) = (hits.len(), self.keep() as u64);
        hits * hits * COLUMNS_PER_HIT < keep * u64::from(max_doc)
    }

    /// The best hits by score.
    fn best_scored(&self, scores: &[(DocId, Score)]) -> Vec<Candidate> {
        self.best(scores.iter().map(|(doc, score)| (*doc, f64::from(*score))))
    }

    /// The best of a few hits by the sort key.
    fn best_of(&self, hits: &RoaringBitmap) -> Vec<Candidate> {
        self.best(hits.iter().map(|doc| (doc, self.sort_key(doc))))
    }

    /// The best `keep` of `hits` (document and sort key) after the cursor. A hit's id, which
    /// only breaks ties, is read once its key leaves it a chance: a broad text matches most of
    /// the catalogue, and reading every match's id was a fifth of such a search.
    fn best(&self, hits: impl Iterator<Item = (DocId, f64)>) -> Vec<Candidate> {
        let mut heap: BinaryHeap<Candidate> = BinaryHeap::with_capacity(self.keep() + 1);
        let after = self.request.after;
        for (doc, key) in hits {
            let before_cursor = after.is_some_and(|after| key.total_cmp(&after.key).is_gt());
            let full = heap.len() >= self.keep();
            let worse = |worst: &Candidate| key.total_cmp(&worst.key).is_lt();
            if before_cursor || (full && heap.peek().is_some_and(worse)) {
                continue;
            }
            let candidate = self.candidate(doc, key);
            if after.is_some_and(|after| !candidate.comes_after(&after)) {
                continue;
            }
            if !full {
                heap.push(candidate);
            } else if heap
                .peek()
                .is_some_and(|worst| candidate.rank(worst) == Ordering::Greater)
            {
                heap.pop();
                heap.push(candidate);
            }
        }
        heap.into_vec()
    }

    /// The first hits in `order` (the segment's documents best first) after the cursor:
    /// stops as soon as the page is full.
    fn first_in_order(&self, order: &[DocId], hits: &RoaringBitmap) -> Vec<Candidate> {
        let start = self.request.after.map_or(0, |after| {
            order.partition_point(|doc| !self.unscored(*doc).comes_after(&after))
        });
        order[start..]
            .iter()
            .filter(|doc| hits.contains(**doc))
            .take(self.keep())
            .map(|doc| self.unscored(*doc))
            .collect()
    }
}

/// The answer of every segment as one: totals and counts added, the best hits kept.
pub(super) fn merge(answers: Vec<SegmentAnswer>, limit: usize) -> SegmentAnswer {
    let mut total = 0;
    let mut top: Vec<Candidate> = Vec::new();
    let mut counts: Counts = vec![BTreeMap::new(); Dimension::ALL.len()];
    for answer in answers {
        total += answer.total;
        top.extend(answer.top);
        for (merged, segment) in counts.iter_mut().zip(answer.counts) {
            for (value, count) in segment {
                *merged.entry(value).or_default() += count;
            }
        }
    }
    top.sort_by(|a, b| b.rank(a));
    top.truncate(limit + 1);
    SegmentAnswer { total, top, counts }
}
