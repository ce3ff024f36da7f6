//! The one-pass collector behind a search: the top hits in sort order after the cursor, the
//! total, and the disjunctive facet counts (see the module above for how they are counted).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::{After, Dimension, Filters, SearchRequest, SortBy};

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

pub(super) struct FacetedTopDocs<'a> {
    pub(super) request: &'a SearchRequest,
    pub(super) scored: bool,
}

impl Collector for FacetedTopDocs<'_> {
    type Fruit = (u64, Vec<Candidate>, Counts);
    type Child = FacetedSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetedSegment> {
        FacetedSegment::new(self, segment, reader)
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut total = 0;
        let mut top: Vec<Candidate> = Vec::new();
        let mut counts: Counts = vec![BTreeMap::new(); Dimension::ALL.len()];
        for (segment_total, segment_top, segment_counts) in fruits {
            total += segment_total;
            top.extend(segment_top);
            for (merged, segment) in counts.iter_mut().zip(segment_counts) {
                for (value, count) in segment {
                    *merged.entry(value).or_default() += count;
                }
            }
        }
        top.sort_by(|a, b| b.rank(a));
        top.truncate(self.request.limit + 1);
        Ok((total, top, counts))
    }
}

pub(super) struct FacetedSegment {
    segment: SegmentOrdinal,
    /// Per term dimension (by position), its column in this segment.
    strings: Vec<Option<StrColumn>>,
    /// Per term dimension with a filter, the accepted term ordinals in this segment.
    wanted: Vec<Option<Vec<u64>>>,
    /// Per term dimension, counts by term ordinal.
    ordinal_counts: Vec<Vec<u64>>,
    /// Per range dimension (by position after the term dimensions), counts by bucket.
    bucket_counts: [BTreeMap<&'static str, u64>; RANGES],
    subjects: Column<u64>,
    min_age: Column<u64>,
    max_age: Column<u64>,
    acquisition_start: Column<i64>,
    acquisition_end: Column<i64>,
    modified: Column<i64>,
    id_hi: Column<u64>,
    id_lo: Column<u64>,
    filters: Filters,
    sort: SortBy,
    scored: bool,
    after: Option<After>,
    keep: usize,
    total: u64,
    heap: BinaryHeap<Candidate>,
}

const RANGES: usize = Dimension::ALL.len() - Dimension::TERMS.len();

/// The bit of `dimension` in a document's set of failed filters.
const fn bit(dimension: Dimension) -> u32 {
    1 << dimension.position()
}

impl FacetedSegment {
    fn new(
        parent: &FacetedTopDocs<'_>,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let terms = Dimension::TERMS.len();
        let mut strings = Vec::with_capacity(terms);
        let mut wanted = Vec::with_capacity(terms);
        let mut ordinal_counts = Vec::with_capacity(terms);
        for dimension in Dimension::TERMS {
            let column = fast.str(dimension.name())?;
            let accepted = parent.request.filters.accepted(dimension);
            wanted.push(if accepted.is_empty() {
                None
            } else {
                let mut ords = Vec::new();
                if let Some(column) = &column {
                    for value in accepted {
                        if let Some(ord) = column.dictionary().term_ord(value)? {
                            ords.push(ord);
                        }
                    }
                }
                Some(ords)
            });
            ordinal_counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            strings.push(column);
        }
        Ok(Self {
            segment,
            strings,
            wanted,
            ordinal_counts,
            bucket_counts: Default::default(),
            subjects: fast.u64("subjects")?,
            min_age: fast.u64("min_age")?,
            max_age: fast.u64("max_age")?,
            acquisition_start: fast.i64("acquisition_start")?,
            acquisition_end: fast.i64("acquisition_end")?,
            modified: fast.i64("modified")?,
            id_hi: fast.u64("id_hi")?,
            id_lo: fast.u64("id_lo")?,
            filters: parent.request.filters.clone(),
            sort: parent.request.sort,
            scored: parent.scored,
            after: parent.request.after,
            keep: parent.request.limit + 1,
            total: 0,
            heap: BinaryHeap::new(),
        })
    }

    /// Bit `d` set when the document fails dimension `d`'s filter.
    fn failures(&self, doc: DocId) -> u32 {
        let mut failed = 0u32;
        for (dimension, wanted) in Dimension::TERMS.into_iter().zip(&self.wanted) {
            if let Some(ords) = wanted {
                let matches = self.strings[dimension.position()]
                    .as_ref()
                    .is_some_and(|column| column.term_ords(doc).any(|ord| ords.contains(&ord)));
                if !matches {
                    failed |= bit(dimension);
                }
            }
        }
        let within = |value: Option<u64>, (low, high): (Option<u64>, Option<u64>)| {
            value.is_some_and(|v| low.is_none_or(|l| v >= l) && high.is_none_or(|h| v <= h))
        };
        let f = &self.filters;
        if (f.subjects.0.is_some() || f.subjects.1.is_some())
            && !within(self.subjects.first(doc), f.subjects)
        {
            failed |= bit(Dimension::Subjects);
        }
        if f.age.0.is_some() || f.age.1.is_some() {
            let (min, max) = (self.min_age.first(doc), self.max_age.first(doc));
            let overlaps = min.is_some_and(|min| f.age.1.is_none_or(|h| min <= h))
                && max.is_some_and(|max| f.age.0.is_none_or(|l| max >= l));
            if !overlaps {
                failed |= bit(Dimension::AgeGroup);
            }
        }
        if f.acquisition_years.0.is_some() || f.acquisition_years.1.is_some() {
            let (start, end) = (
                self.acquisition_start.first(doc),
                self.acquisition_end.first(doc),
            );
            let overlaps = start.is_some_and(|s| f.acquisition_years.1.is_none_or(|h| s <= h))
                && end.is_some_and(|e| f.acquisition_years.0.is_none_or(|l| e >= l));
            if !overlaps {
                failed |= bit(Dimension::AcquisitionDecade);
            }
        }
        failed
    }

    fn count(&mut self, doc: DocId, dimension: Dimension) {
        let bucket = match dimension {
            Dimension::Subjects => self.subjects.first(doc).map(subjects_bucket),
            Dimension::AgeGroup => age_group(self.min_age.first(doc), self.max_age.first(doc)),
            Dimension::AcquisitionDecade => self.acquisition_start.first(doc).map(decade),
            term => return self.count_terms(doc, term.position()),
        };
        if let Some(bucket) = bucket {
            let buckets = &mut self.bucket_counts[dimension.position() - Dimension::TERMS.len()];
            *buckets.entry(bucket).or_default() += 1;
        }
    }

    fn count_terms(&mut self, doc: DocId, position: usize) {
        if let Some(column) = &self.strings[position] {
            for ord in column.term_ords(doc) {
                if let Some(count) = self.ordinal_counts[position].get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn sort_key(&self, doc: DocId, score: Score) -> f64 {
        match self.sort {
            SortBy::Relevance if self.scored => f64::from(score),
            // Without a text query every hit scores alike: newest first.
            SortBy::Relevance | SortBy::Modified => {
                self.modified.first(doc).unwrap_or(i64::MIN) as f64
            }
            SortBy::Subjects => self.subjects.first(doc).map_or(-1.0, |s| s as f64),
        }
    }
}

fn subjects_bucket(subjects: u64) -> &'static str {
    match subjects {
        0..=99 => "0-99",
        100..=999 => "100-999",
        1_000..=9_999 => "1000-9999",
        _ => "10000+",
    }
}

fn age_group(min: Option<u64>, max: Option<u64>) -> Option<&'static str> {
    match (min, max) {
        (Some(min), _) if min < 18 => Some("paediatric"),
        (_, Some(max)) if max >= 65 => Some("adult_and_elderly"),
        (Some(_), Some(_)) => Some("adult"),
        _ => None,
    }
}

fn decade(year: i64) -> &'static str {
    match year {
        ..=1989 => "before-1990",
        1990..=1999 => "1990s",
        2000..=2009 => "2000s",
        2010..=2019 => "2010s",
        _ => "2020s",
    }
}

impl SegmentCollector for FacetedSegment {
    type Fruit = (u64, Vec<Candidate>, Counts);

    fn collect(&mut self, doc: DocId, score: Score) {
        let failed = self.failures(doc);
        match failed.count_ones() {
            0 => {
                self.total += 1;
                for dimension in Dimension::ALL {
                    self.count(doc, dimension);
                }
                let candidate = Candidate {
                    key: self.sort_key(doc, score),
                    id: (u128::from(self.id_hi.first(doc).unwrap_or(0)) << 64)
                        | u128::from(self.id_lo.first(doc).unwrap_or(0)),
                    address: DocAddress::new(self.segment, doc),
                };
                if self
                    .after
                    .is_some_and(|after| !candidate.comes_after(&after))
                {
                    return;
                }
                if self.heap.len() < self.keep {
                    self.heap.push(candidate);
                } else if self
                    .heap
                    .peek()
                    .is_some_and(|worst| candidate.rank(worst) == Ordering::Greater)
                {
                    self.heap.pop();
                    self.heap.push(candidate);
                }
            }
            1 => self.count(doc, Dimension::ALL[failed.trailing_zeros() as usize]),
            _ => {}
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut counts: Counts = vec![BTreeMap::new(); Dimension::ALL.len()];
        for (position, column) in self.strings.iter().enumerate() {
            let Some(column) = column else { continue };
            let mut value = String::new();
            for (ord, count) in self.ordinal_counts[position].iter().enumerate() {
                if *count > 0 && column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    counts[position].insert(value.clone(), *count);
                }
            }
        }
        for (offset, buckets) in self.bucket_counts.into_iter().enumerate() {
            counts[Dimension::TERMS.len() + offset] = buckets
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
        }
        (self.total, self.heap.into_vec(), counts)
    }
}
