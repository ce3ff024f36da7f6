//! One facet dimension's values in an index segment, and how a set of documents is counted
//! against them: document by document, or value by value, whichever reads less.

use std::collections::BTreeMap;

use roaring::RoaringBitmap;
use tantivy::DocId;

use super::facets::bitmap_of;

/// One dimension's values in a segment, both ways round: each value's documents (to count a
/// dense set of documents value by value) and each document's values (to count a sparse one
/// document by document, where reading every value's documents would cost more).
pub(super) struct DimensionValues {
    pub(super) names: Vec<String>,
    pub(super) holders: Vec<RoaringBitmap>,
    /// The documents of the values held by a large share of the segment, as plain bit
    /// words: counted with a dense set by word-wise AND and population count.
    words: Vec<Option<Box<[u64]>>>,
    /// What counting a dense set value by value reads, besides the set itself: the documents
    /// of each value kept as a bitmap only, and the bit words of the others.
    by_value_cost: u64,
    /// How many values the segment's documents hold, all together.
    held: u64,
    of_doc: DocValues,
}

/// A value held by at least one document in this many keeps its documents as bit words.
const WORDS_SHARE: u64 = 16;
/// What reading a document's values costs, against testing a bit: the values sit elsewhere
/// in memory for every document.
const PER_DOC_FACTOR: u64 = 2;
/// Bit words ANDed and counted for the cost of one bit test.
const WORDS_PER_TEST: u64 = 4;

/// A set of documents as plain bit words, one bit per document of the segment.
pub(super) struct DocWords(Vec<u64>);

impl DocWords {
    pub(super) fn of(docs: impl IntoIterator<Item = DocId>, max_doc: DocId) -> Self {
        let mut words = vec![0u64; (max_doc as usize).div_ceil(64)];
        for doc in docs {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        Self(words)
    }

    fn contains(&self, doc: DocId) -> bool {
        self.0[doc as usize / 64] & (1 << (doc % 64)) != 0
    }

    fn common(&self, other: &[u64]) -> u64 {
        self.0
            .iter()
            .zip(other)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }
}

/// Each document's values, as positions in [`DimensionValues::names`].
enum DocValues {
    /// At most one value a document ([`NO_VALUE`] for none): most dimensions.
    Single(Vec<u32>),
    /// Document `d`'s values are `values[starts[d]..starts[d + 1]]`.
    Multi { starts: Vec<u32>, values: Vec<u32> },
}

const NO_VALUE: u32 = u32::MAX;

impl DocValues {
    /// From every document's values, in document order.
    fn from_lists(starts: Vec<u32>, values: Vec<u32>) -> Self {
        if starts.windows(2).all(|pair| pair[1] - pair[0] <= 1) {
            let single = starts
                .windows(2)
                .map(|pair| {
                    if pair[1] > pair[0] {
                        values[pair[0] as usize]
                    } else {
                        NO_VALUE
                    }
                })
                .collect();
            Self::Single(single)
        } else {
            Self::Multi { starts, values }
        }
    }

    fn of(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        match self {
            Self::Single(values) if values[doc] == NO_VALUE => &[],
            Self::Single(values) => std::slice::from_ref(&values[doc]),
            Self::Multi { starts, values } => {
                &values[starts[doc] as usize..starts[doc + 1] as usize]
            }
        }
    }
}

impl DimensionValues {
    /// From `values_of(doc)` for every document of the segment.
    pub(super) fn build(
        max_doc: DocId,
        mut values_of: impl FnMut(DocId, &mut Vec<u32>),
        names: Vec<String>,
    ) -> Self {
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut values: Vec<u32> = Vec::with_capacity(max_doc as usize);
        let mut holders: Vec<Vec<DocId>> = vec![Vec::new(); names.len()];
        let mut of_this = Vec::new();
        starts.push(0);
        for doc in 0..max_doc {
            of_this.clear();
            values_of(doc, &mut of_this);
            for value in of_this.drain(..) {
                let start = *starts.last().unwrap_or(&0) as usize;
                if !values[start..].contains(&value) {
                    values.push(value);
                    holders[value as usize].push(doc);
                }
            }
            starts.push(values.len() as u32);
        }
        let held = values.len() as u64;
        let word_count = u64::from(max_doc).div_ceil(64);
        let mut by_value_cost = 0;
        let words = holders
            .iter()
            .map(|docs| {
                if (docs.len() as u64) * WORDS_SHARE < u64::from(max_doc) {
                    by_value_cost += docs.len() as u64;
                    return None;
                }
                by_value_cost += word_count / WORDS_PER_TEST;
                Some(
                    DocWords::of(docs.iter().copied(), max_doc)
                        .0
                        .into_boxed_slice(),
                )
            })
            .collect();
        Self {
            names,
            holders: holders.into_iter().map(bitmap_of).collect(),
            words,
            by_value_cost,
            held,
            of_doc: DocValues::from_lists(starts, values),
        }
    }

    /// Whether counting `counted` documents one by one reads less than counting them value
    /// by value (which first sets their bits, one test each, unless `in_words`).
    pub(super) fn counts_per_doc(&self, counted: u64, in_words: bool, max_doc: DocId) -> bool {
        let values_per_doc = self.held.div_ceil(u64::from(max_doc).max(1));
        let setting_bits = if in_words { 0 } else { counted };
        counted * (1 + values_per_doc) * PER_DOC_FACTOR < setting_bits + self.by_value_cost
    }

    /// Each value's count among `docs`, read document by document.
    pub(super) fn count_per_doc(&self, docs: &[DocId]) -> Vec<u64> {
        let mut counts = vec![0; self.names.len()];
        for doc in docs {
            for value in self.of_doc.of(*doc) {
                counts[*value as usize] += 1;
            }
        }
        counts
    }

    /// Each value's count among `counted`, value by value, when roaring holds `counted` in
    /// bit words or runs only: it then counts each value's documents against them.
    pub(super) fn count_by_value_in_words(&self, counted: &RoaringBitmap) -> Vec<u64> {
        self.holders
            .iter()
            .map(|docs| docs.intersection_len(counted))
            .collect()
    }

    /// Each value's count among `counted`, value by value.
    pub(super) fn count_by_value(&self, counted: &DocWords) -> Vec<u64> {
        self.holders
            .iter()
            .zip(&self.words)
            .map(|(docs, words)| match words {
                Some(words) => counted.common(words),
                None => docs.iter().filter(|doc| counted.contains(*doc)).count() as u64,
            })
            .collect()
    }

    /// Each value with its count in `counts` (by position), zeros left out.
    pub(super) fn named(&self, counts: Vec<u64>) -> BTreeMap<String, u64> {
        self.names
            .iter()
            .zip(counts)
            .filter(|(_, count)| *count > 0)
            .map(|(name, count)| (name.clone(), count))
            .collect()
    }
}
