//! What each index segment holds, by value: per facet value and range bucket the bitmap of
//! its documents, every document in each unscored sort order, and the bitmaps of its frequent
//! text terms (`term_docs`). Built once per segment
//! (segments never change; only their deletions grow), so that a search counts facets by
//! intersecting bitmaps instead of visiting every matching document.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use roaring::RoaringBitmap;
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

use super::dimension_values::{DimensionValues, DocWords};
use super::term_docs::TermDocs;
use super::text::TextFields;
use super::{Dimension, SortBy};

/// One segment's facet values, range buckets and sort orders.
pub(super) struct SegmentFacets {
    max_doc: DocId,
    /// Per dimension (by position): its term values, or for a range dimension its buckets.
    dimensions: Vec<DimensionValues>,
    /// Every document, best first, newest first (and by id).
    by_modified: Vec<DocId>,
    /// Every document, best first, most subjects first (and by id).
    by_subjects: Vec<DocId>,
    /// The documents not deleted, for the deletion count it was built at.
    alive: Mutex<(u32, Arc<RoaringBitmap>)>,
    /// The documents of the text terms.
    pub(super) terms: TermDocs,
}

impl SegmentFacets {
    fn build(reader: &SegmentReader, text_fields: TextFields) -> tantivy::Result<Self> {
        let columns = Columns::open(reader)?;
        let max_doc = reader.max_doc();
        let mut dimensions = Vec::with_capacity(Dimension::ALL.len());
        for dimension in Dimension::TERMS {
            dimensions.push(term_values(reader, dimension, max_doc)?);
        }
        for dimension in &Dimension::ALL[Dimension::TERMS.len()..] {
            dimensions.push(bucket_values(&columns, *dimension, max_doc));
        }
        Ok(Self {
            max_doc,
            dimensions,
            by_modified: ranked(&columns, SortBy::Modified, max_doc),
            by_subjects: ranked(&columns, SortBy::Subjects, max_doc),
            alive: Mutex::new((reader.num_deleted_docs(), Arc::new(alive_docs(reader)))),
            terms: TermDocs::build(reader, text_fields)?,
        })
    }

    /// For each of `dimensions`, each value (term value or range bucket) with its count
    /// among `counted`; values counting nothing are left out. Each dimension is counted the
    /// way that reads less: document by document, or value by value.
    ///
    /// Intersecting roaring bitmaps value by value was tried: where both sides hold arrays,
    /// each intersection walks the whole counted set, and a dimension of 165 values (the
    /// ICD-10 codes with their ancestors) read it 165 times.
    pub(super) fn count(
        &self,
        dimensions: &[Dimension],
        counted: &RoaringBitmap,
    ) -> Vec<BTreeMap<String, u64>> {
        let values: Vec<&DimensionValues> = dimensions
            .iter()
            .map(|dimension| &self.dimensions[dimension.position()])
            .collect();
        // Both forms of the set are made once, for the dimensions that need them.
        let mut docs: Option<Vec<DocId>> = None;
        let mut words: Option<DocWords> = None;
        // Roaring counts a value against bit words or runs at the cost of the value's own
        // documents; against arrays, at the cost of both.
        let in_words = counted.statistics().n_array_containers == 0;
        values
            .iter()
            .map(|values| {
                let counts = if values.counts_per_doc(counted.len(), in_words, self.max_doc) {
                    values.count_per_doc(docs.get_or_insert_with(|| counted.iter().collect()))
                } else if in_words {
                    values.count_by_value_in_words(counted)
                } else {
                    values.count_by_value(
                        words.get_or_insert_with(|| DocWords::of(counted, self.max_doc)),
                    )
                };
                values.named(counts)
            })
            .collect()
    }

    /// The documents holding any of `accepted` in term dimension `dimension`.
    pub(super) fn holding_any(&self, dimension: Dimension, accepted: &[String]) -> RoaringBitmap {
        let values = &self.dimensions[dimension.position()];
        accepted
            .iter()
            .filter_map(|wanted| {
                values
                    .names
                    .binary_search(wanted)
                    .ok()
                    .map(|at| &values.holders[at])
            })
            .fold(RoaringBitmap::new(), |union, docs| union | docs)
    }

    /// Every document (deleted ones too), best first in `sort`'s unscored order.
    pub(super) fn order(&self, sort: SortBy) -> &[DocId] {
        match sort {
            SortBy::Subjects => &self.by_subjects,
            SortBy::Relevance | SortBy::Modified => &self.by_modified,
        }
    }

    /// The documents of `reader` (this segment) not deleted; rebuilt when deletions grew.
    pub(super) fn alive(&self, reader: &SegmentReader) -> Arc<RoaringBitmap> {
        let mut alive = self.alive.lock().unwrap_or_else(PoisonError::into_inner);
        if alive.0 != reader.num_deleted_docs() {
            *alive = (reader.num_deleted_docs(), Arc::new(alive_docs(reader)));
        }
        Arc::clone(&alive.1)
    }
}

/// The bitmap of `docs`, built fastest when they come in increasing order (as documents are
/// visited), and right whatever the order. The increasing run goes through `append`, which
/// appends without looking back: `try_push` finds a dense container's maximum by scanning its
/// words from the end on every value, which made a text search matching most of the catalogue
/// spend 70% of its time here.
pub(super) fn bitmap_of(docs: impl IntoIterator<Item = DocId>) -> RoaringBitmap {
    let mut docs = docs.into_iter();
    let mut bitmap = RoaringBitmap::new();
    let mut out_of_order = None;
    let mut last = None;
    let increasing = docs.by_ref().map_while(|doc| {
        if last.is_some_and(|last| doc <= last) {
            out_of_order = Some(doc);
            return None;
        }
        last = Some(doc);
        Some(doc)
    });
    // Strictly increasing values into an empty bitmap: `append` cannot refuse them.
    let _ = bitmap.append(increasing);
    bitmap.extend(out_of_order.into_iter().chain(docs));
    bitmap
}

fn alive_docs(reader: &SegmentReader) -> RoaringBitmap {
    if reader.has_deletes() {
        bitmap_of(reader.doc_ids_alive())
    } else {
        let mut all = RoaringBitmap::new();
        all.insert_range(0..reader.max_doc());
        all
    }
}

/// A term dimension's values: the segment's dictionary, in term order (value order).
fn term_values(
    reader: &SegmentReader,
    dimension: Dimension,
    max_doc: DocId,
) -> tantivy::Result<DimensionValues> {
    let Some(column) = reader.fast_fields().str(dimension.name())? else {
        return Ok(DimensionValues::build(max_doc, |_, _| {}, Vec::new()));
    };
    let mut names = Vec::with_capacity(column.num_terms());
    for ord in 0..column.num_terms() as u64 {
        let mut name = String::new();
        column.ord_to_str(ord, &mut name)?;
        names.push(name);
    }
    Ok(DimensionValues::build(
        max_doc,
        |doc, values| values.extend(column.term_ords(doc).map(|ord| ord as u32)),
        names,
    ))
}

/// A range dimension's buckets, in name order.
fn bucket_values(columns: &Columns, dimension: Dimension, max_doc: DocId) -> DimensionValues {
    let mut names: Vec<&'static str> = BUCKETS
        .iter()
        .filter(|(of, _)| *of == dimension)
        .flat_map(|(_, names)| names.iter().copied())
        .collect();
    names.sort_unstable();
    DimensionValues::build(
        max_doc,
        |doc, values| {
            if let Some(bucket) = columns.bucket(dimension, doc) {
                values.extend(names.iter().position(|n| *n == bucket).map(|at| at as u32));
            }
        },
        names.iter().map(|n| (*n).to_owned()).collect(),
    )
}

/// Every document of the segment, best first by `sort`'s key and then by id.
fn ranked(columns: &Columns, sort: SortBy, max_doc: DocId) -> Vec<DocId> {
    let mut keyed: Vec<(f64, u128, DocId)> = (0..max_doc)
        .map(|doc| (columns.key(sort, doc), columns.id(doc), doc))
        .collect();
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, _, doc)| doc).collect()
}

/// The fast-field columns a search reads per document.
pub(super) struct Columns {
    pub(super) subjects: Column<u64>,
    pub(super) min_age: Column<u64>,
    pub(super) max_age: Column<u64>,
    pub(super) acquisition_start: Column<i64>,
    pub(super) acquisition_end: Column<i64>,
    modified: Column<i64>,
    id_hi: Column<u64>,
    id_lo: Column<u64>,
}

impl Columns {
    pub(super) fn open(reader: &SegmentReader) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        Ok(Self {
            subjects: fast.u64("subjects")?,
            min_age: fast.u64("min_age")?,
            max_age: fast.u64("max_age")?,
            acquisition_start: fast.i64("acquisition_start")?,
            acquisition_end: fast.i64("acquisition_end")?,
            modified: fast.i64("modified")?,
            id_hi: fast.u64("id_hi")?,
            id_lo: fast.u64("id_lo")?,
        })
    }

    /// The dataset id of `doc`.
    pub(super) fn id(&self, doc: DocId) -> u128 {
        (u128::from(self.id_hi.first(doc).unwrap_or(0)) << 64)
            | u128::from(self.id_lo.first(doc).unwrap_or(0))
    }

    /// `doc`'s sort key when nothing scores it (for relevance: no text, so newest first).
    pub(super) fn key(&self, sort: SortBy, doc: DocId) -> f64 {
        match sort {
            SortBy::Relevance | SortBy::Modified => {
                self.modified.first(doc).unwrap_or(i64::MIN) as f64
            }
            SortBy::Subjects => self.subjects.first(doc).map_or(-1.0, |s| s as f64),
        }
    }

    /// The bucket `doc` counts in for range dimension `dimension`.
    fn bucket(&self, dimension: Dimension, doc: DocId) -> Option<&'static str> {
        match dimension {
            Dimension::Subjects => self.subjects.first(doc).map(subjects_bucket),
            Dimension::AgeGroup => age_group(self.min_age.first(doc), self.max_age.first(doc)),
            Dimension::AcquisitionDecade => self.acquisition_start.first(doc).map(decade),
            _ => None,
        }
    }
}

/// Every bucket of each range dimension.
const BUCKETS: [(Dimension, &[&str]); 3] = [
    (
        Dimension::Subjects,
        &["0-99", "100-999", "1000-9999", "10000+"],
    ),
    (
        Dimension::AgeGroup,
        &["paediatric", "adult", "adult_and_elderly"],
    ),
    (
        Dimension::AcquisitionDecade,
        &["before-1990", "1990s", "2000s", "2010s", "2020s"],
    ),
];

pub(super) fn subjects_bucket(subjects: u64) -> &'static str {
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

/// The facets of the segments searched lately, by segment.
pub(super) struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
    /// The fields whose frequent terms get a bitmap.
    text_fields: TextFields,
}

impl FacetCache {
    pub(super) fn new(text_fields: TextFields) -> Self {
        Self {
            segments: Mutex::default(),
            text_fields,
        }
    }

    /// The facets of each of `searcher`'s segments, in segment order; a segment not seen
    /// before is built here (outside the lock: searches of known segments never wait).
    pub(super) fn of(&self, searcher: &Searcher) -> tantivy::Result<Vec<Arc<SegmentFacets>>> {
        searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                let id = reader.segment_id();
                if let Some(known) = self.map().get(&id) {
                    return Ok(Arc::clone(known));
                }
                let built = Arc::new(SegmentFacets::build(reader, self.text_fields)?);
                self.map().insert(id, Arc::clone(&built));
                Ok(built)
            })
            .collect()
    }

    /// Builds the facets of `searcher`'s new segments and forgets those it no longer holds:
    /// called when the index reloads, so that the first search of a merged segment does not
    /// pay for it.
    pub(super) fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        self.of(searcher)?;
        let current: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        self.map().retain(|id, _| current.contains(id));
        Ok(())
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentFacets>>> {
        self.segments.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
