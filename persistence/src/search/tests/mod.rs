//! The index and its bitmap answers on an in-memory index: full text, filters, the
//! disjunctive facet counts, ranges and cursor pages.

use proptest::prelude::*;

use super::*;

mod phrases;

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

pub(super) fn request(text: &str) -> SearchRequest {
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

proptest! {
    /// Dense runs (a text matching most of a segment) and values out of order both end up in
    /// the set, each once.
    #[test]
    fn a_bitmap_of_documents_holds_each_of_them_in_any_order(
        mut docs in prop::collection::vec(0u32..20_000, 0..6_000),
        sorted in any::<bool>(),
    ) {
        if sorted {
            docs.sort_unstable();
        }
        let expected: std::collections::BTreeSet<u32> = docs.iter().copied().collect();
        let bitmap = facets::bitmap_of(docs);
        prop_assert!(bitmap.iter().eq(expected.iter().copied()));
    }
}

/// 3,000 cancer collections: every tenth about the lung (in its title when its id is odd,
/// only in its description when even), the rest about the breast; every third in German too;
/// CT for ids divisible by 4. "cancer" is in every dataset: frequent enough that the index
/// keeps its documents as a bitmap.
fn index_with_a_word_in_every_dataset() -> SearchIndex {
    let collection = |id: u128| {
        let lung = lung(id);
        let (title, body) = match (lung, !id.is_multiple_of(2)) {
            (true, true) => ("Lung cancer cohort", "Imaging of cancer."),
            (true, false) => ("Cancer cohort", "Imaging of lung cancer."),
            (false, _) => ("Breast cancer cohort", "Imaging of cancer."),
        };
        let mut titles = vec![("en".to_owned(), format!("{title} {id}"))];
        if id.is_multiple_of(3) {
            let german = if lung { "Lungenkrebs" } else { "Brustkrebs" };
            titles.push(("de".to_owned(), format!("{german}: Kohorte {id}")));
        }
        IndexedDataset {
            id,
            titles,
            bodies: vec![("en".into(), body.into())],
            modalities: vec![if id.is_multiple_of(4) { "CT" } else { "MR" }.into()],
            publisher: "p".into(),
            access_rights: "PUBLIC".into(),
            duo_permission: "GRU".into(),
            modified: id as i64,
            summary: "{}".into(),
            ..IndexedDataset::default()
        }
    };
    let index = SearchIndex::in_memory().unwrap();
    let changes: Vec<Change> = (1..=3_000)
        .map(|id| Change::Upsert(Box::new(collection(id))))
        .collect();
    index.apply(&changes, 1).unwrap();
    index
}

fn lung(id: u128) -> bool {
    id % 10 <= 1
}

#[test]
fn a_word_in_every_dataset_narrows_nothing_and_a_rare_one_finds_its_datasets() {
    let index = index_with_a_word_in_every_dataset();
    assert_eq!(index.search(&request("cancer")).unwrap().total, 3_000);
    let mut search = request("lung cancer");
    search.limit = 100;
    let found = index.search(&search).unwrap();
    assert_eq!(found.total, 600);
    assert_eq!(
        facet(&found, Dimension::Modality),
        [("CT", 150), ("MR", 450)],
        "facets count the text's matches"
    );

    search
        .filters
        .accept(Dimension::Modality, vec!["CT".into()]);
    let filtered = index.search(&search).unwrap();
    let expected: Vec<u128> = (1..=3_000).filter(|id| lung(*id) && id % 4 == 0).collect();
    assert_eq!(filtered.total, expected.len() as u64);
    assert!(ids(&filtered).iter().all(|id| expected.contains(id)));
    assert_eq!(
        facet(&filtered, Dimension::Modality),
        [("CT", 150), ("MR", 450)],
        "the modality is counted as if not filtered"
    );
}

#[test]
fn a_word_in_the_title_ranks_above_the_same_word_in_the_description_only() {
    let index = index_with_a_word_in_every_dataset();
    let mut search = request("lung");
    search.limit = 300;
    let ranked = ids(&index.search(&search).unwrap());
    assert_eq!(ranked.len(), 300);
    assert!(
        ranked.iter().all(|id| id % 2 == 1),
        "the 300 titles with the word come first"
    );
    // Filtered hits are scored after filtering, and ranked the same way.
    search
        .filters
        .accept(Dimension::Modality, vec!["MR".into()]);
    search.limit = 400;
    let ranked = ids(&index.search(&search).unwrap());
    assert_eq!(ranked.len(), 400);
    assert!(ranked[..300].iter().all(|id| id % 2 == 1));
    assert!(ranked[300..].iter().all(|id| id % 2 == 0 && id % 4 != 0));
}

#[test]
fn a_word_is_analysed_as_each_language_of_the_catalogue() {
    let index = index_with_a_word_in_every_dataset();
    // German stemming finds "Kohorte" from its plural; no English text has it.
    let found = index.search(&request("Kohorten")).unwrap();
    assert_eq!(found.total, 1_000);
    let found = index.search(&request("Lungenkrebs")).unwrap();
    let expected = (1..=3_000).filter(|id| lung(*id) && id % 3 == 0).count();
    assert_eq!(found.total, expected as u64);
    // A phrase matches its words in order only.
    assert_eq!(
        index.search(&request("\"lung cancer\"")).unwrap().total,
        600
    );
    assert_eq!(index.search(&request("\"cancer lung\"")).unwrap().total, 0);
}

#[test]
fn a_removed_dataset_is_not_found_by_a_frequent_word() {
    let index = index_with_a_word_in_every_dataset();
    let removed: Vec<Change> = (1..=1_000).map(Change::Remove).collect();
    index.apply(&removed, 2).unwrap();
    assert_eq!(index.search(&request("cancer")).unwrap().total, 2_000);
    assert_eq!(index.search(&request("lung cancer")).unwrap().total, 400);
}

/// Four imaging collections, ids 1 to 4, modified in id order.
pub(super) fn index_with_four_collections() -> SearchIndex {
    let collection = |id: u128, modality: &str, country: &str, subjects: u64| IndexedDataset {
        id,
        titles: vec![("en".into(), format!("Collection {id}"))],
        modalities: vec![modality.into()],
        countries: vec![country.into()],
        publisher: "p".into(),
        access_rights: "NON_PUBLIC".into(),
        duo_permission: "GRU".into(),
        subjects: Some(subjects),
        min_age: Some(if id == 4 { 2 } else { 40 }),
        max_age: Some(80),
        acquisition_start: Some(2000 + 5 * id as i64),
        acquisition_end: Some(2001 + 5 * id as i64),
        modified: id as i64,
        summary: format!("{{\"id\":{id}}}"),
        ..IndexedDataset::default()
    };
    let index = SearchIndex::in_memory().unwrap();
    let changes = [
        collection(1, "CT", "SE", 50),
        collection(2, "CT", "IT", 500),
        collection(3, "MR", "IT", 5_000),
        collection(4, "MR", "DE", 50_000),
    ]
    .map(|d| Change::Upsert(Box::new(d)));
    index.apply(&changes, 4).unwrap();
    index
}

pub(super) fn browse(filters: Filters) -> SearchRequest {
    SearchRequest {
        text: None,
        filters,
        sort: SortBy::Modified,
        limit: 10,
        after: None,
    }
}

pub(super) fn ids(results: &SearchResults) -> Vec<u128> {
    results.hits.iter().map(|hit| hit.id).collect()
}

fn facet(results: &SearchResults, dimension: Dimension) -> Vec<(&str, u64)> {
    results.facets[&dimension]
        .iter()
        .map(|(value, count)| (value.as_str(), *count))
        .collect()
}

#[test]
fn each_dimension_is_counted_with_every_other_filter_applied() {
    let index = index_with_four_collections();
    let mut filters = Filters::default();
    filters.accept(Dimension::Modality, vec!["CT".into()]);
    filters.accept(Dimension::Country, vec!["IT".into()]);
    let results = index.search(&browse(filters)).unwrap();
    assert_eq!(ids(&results), [2]);
    // Relaxing the modality filter would add collection 3 (MR, IT).
    assert_eq!(facet(&results, Dimension::Modality), [("CT", 1), ("MR", 1)]);
    // Relaxing the country filter would add collection 1 (CT, SE).
    assert_eq!(facet(&results, Dimension::Country), [("IT", 1), ("SE", 1)]);
    assert_eq!(facet(&results, Dimension::Subjects), [("100-999", 1)]);
}

#[test]
fn values_of_one_dimension_are_alternatives() {
    let index = index_with_four_collections();
    let mut filters = Filters::default();
    filters.accept(Dimension::Country, vec!["SE".into(), "DE".into()]);
    let results = index.search(&browse(filters)).unwrap();
    assert_eq!(ids(&results), [4, 1]);
    assert_eq!(results.total, 2);
}

#[test]
fn ranges_filter_by_bounds_and_count_buckets() {
    let index = index_with_four_collections();
    let mut filters = Filters::default();
    filters.subjects = (Some(100), Some(10_000));
    let results = index.search(&browse(filters)).unwrap();
    assert_eq!(ids(&results), [3, 2]);
    assert_eq!(
        facet(&results, Dimension::Subjects),
        [("0-99", 1), ("100-999", 1), ("1000-9999", 1), ("10000+", 1)]
    );

    let mut children = Filters::default();
    children.age = (Some(0), Some(10));
    let results = index.search(&browse(children)).unwrap();
    assert_eq!(ids(&results), [4]);
    assert_eq!(
        facet(&results, Dimension::AgeGroup),
        [("adult_and_elderly", 3), ("paediatric", 1)]
    );

    let mut acquired = Filters::default();
    acquired.acquisition_years = (Some(2011), Some(2015));
    let results = index.search(&browse(acquired)).unwrap();
    assert_eq!(ids(&results), [3, 2]);
    assert_eq!(
        facet(&results, Dimension::AcquisitionDecade),
        [("2000s", 1), ("2010s", 2), ("2020s", 1)]
    );
}

#[test]
fn cursor_pages_neither_repeat_nor_skip() {
    let index = index_with_four_collections();
    let mut request = browse(Filters::default());
    request.limit = 3;
    let first = index.search(&request).unwrap();
    assert_eq!((ids(&first), first.more), (vec![4, 3, 2], true));
    let last = first.hits.last().unwrap();
    request.after = Some(After {
        key: last.key,
        id: last.id,
    });
    let second = index.search(&request).unwrap();
    assert_eq!((ids(&second), second.more), (vec![1], false));
    assert_eq!(second.total, 4);
}

#[test]
fn a_removed_dataset_is_no_longer_found() {
    let index = index_with_four_collections();
    index.apply(&[Change::Remove(3)], 5).unwrap();
    let results = index.search(&browse(Filters::default())).unwrap();
    assert_eq!(ids(&results), [4, 2, 1]);
    assert_eq!(index.applied_seq(), 5);
}

/// A dataset of the model catalogue below: few values, so that filters and ties are common.
#[derive(Debug, Clone)]
struct ModelDataset {
    id: u128,
    word: &'static str,
    modality: &'static str,
    country: &'static str,
    subjects: Option<u64>,
    modified: i64,
}

impl ModelDataset {
    fn indexed(&self) -> IndexedDataset {
        IndexedDataset {
            id: self.id,
            titles: vec![("en".into(), format!("{} collection", self.word))],
            modalities: vec![self.modality.into()],
            countries: vec![self.country.into()],
            publisher: "p".into(),
            access_rights: "PUBLIC".into(),
            duo_permission: "GRU".into(),
            subjects: self.subjects,
            modified: self.modified,
            summary: "{}".into(),
            ..IndexedDataset::default()
        }
    }
}

fn model_dataset() -> impl Strategy<Value = ModelDataset> {
    (
        prop::sample::select(vec!["alpha", "beta"]),
        prop::sample::select(vec!["CT", "MR", "PT"]),
        prop::sample::select(vec!["SE", "IT", "DE"]),
        prop::option::of(0u64..20_000),
        0i64..4,
    )
        .prop_map(
            |(word, modality, country, subjects, modified)| ModelDataset {
                id: 0,
                word,
                modality,
                country,
                subjects,
                modified,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Whatever segments and deletions the index holds, a search finds exactly the datasets
    /// passing every filter, pages through them in sort order, and counts each dimension
    /// with the other dimensions' filters applied.
    #[test]
    fn searches_agree_with_a_model_of_the_catalogue(
        batches in prop::collection::vec(prop::collection::vec(model_dataset(), 0..12), 1..4),
        removed in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        modalities in prop::sample::subsequence(vec!["CT", "MR", "PT"], 0..3),
        countries in prop::sample::subsequence(vec!["SE", "IT", "DE"], 0..3),
        subjects in (prop::option::of(0u64..10_000), prop::option::of(5_000u64..20_000)),
        text in prop::option::of(prop::sample::select(vec!["alpha", "beta"])),
        by_subjects: bool,
        limit in 1usize..5,
    ) {
        let index = SearchIndex::in_memory().unwrap();
        let mut catalogue: Vec<ModelDataset> = Vec::new();
        let mut seq = 0;
        for batch in batches {
            let changes: Vec<Change> = batch
                .into_iter()
                .map(|mut dataset| {
                    dataset.id = catalogue.len() as u128 + 1;
                    catalogue.push(dataset.clone());
                    Change::Upsert(Box::new(dataset.indexed()))
                })
                .collect();
            seq += 1;
            index.apply(&changes, seq).unwrap();
        }
        if !catalogue.is_empty() {
            let gone: Vec<u128> = removed.iter().map(|i| catalogue[i.index(catalogue.len())].id).collect();
            catalogue.retain(|d| !gone.contains(&d.id));
            let changes: Vec<Change> = gone.into_iter().map(Change::Remove).collect();
            index.apply(&changes, seq + 1).unwrap();
        }

        let mut filters = Filters::default();
        filters.accept(Dimension::Modality, modalities.iter().map(|m| m.to_string()).collect());
        filters.accept(Dimension::Country, countries.iter().map(|c| c.to_string()).collect());
        filters.subjects = subjects;
        let passes = |d: &ModelDataset, except: Option<Dimension>| {
            let modality = except == Some(Dimension::Modality)
                || modalities.is_empty()
                || modalities.contains(&d.modality);
            let country = except == Some(Dimension::Country)
                || countries.is_empty()
                || countries.contains(&d.country);
            let within = except == Some(Dimension::Subjects)
                || (subjects.0.is_none() && subjects.1.is_none())
                || d.subjects.is_some_and(|s| {
                    subjects.0.is_none_or(|l| s >= l) && subjects.1.is_none_or(|h| s <= h)
                });
            text.is_none_or(|word| d.word == word) && modality && country && within
        };
        let sort = if by_subjects { SortBy::Subjects } else { SortBy::Modified };
        let key = |d: &ModelDataset| match sort {
            SortBy::Subjects => d.subjects.map_or(-1.0, |s| s as f64),
            _ => d.modified as f64,
        };
        let mut expected: Vec<&ModelDataset> = catalogue.iter().filter(|d| passes(d, None)).collect();
        expected.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.id.cmp(&b.id)));

        let mut request = SearchRequest {
            text: text.map(str::to_owned),
            filters,
            sort,
            limit,
            after: None,
        };
        let first = index.search(&request).unwrap();
        prop_assert_eq!(first.total, expected.len() as u64);
        let mut found = ids(&first);
        let mut page = first.clone();
        while page.more {
            let last = page.hits.last().unwrap();
            request.after = Some(After { key: last.key, id: last.id });
            page = index.search(&request).unwrap();
            found.extend(ids(&page));
        }
        prop_assert_eq!(found, expected.iter().map(|d| d.id).collect::<Vec<_>>());

        let counted = |dimension: Dimension, value_of: &dyn Fn(&ModelDataset) -> Option<&'static str>| {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for d in catalogue.iter().filter(|d| passes(d, Some(dimension))) {
                if let Some(value) = value_of(d) {
                    *counts.entry(value.to_owned()).or_default() += 1;
                }
            }
            counts
        };
        prop_assert_eq!(&first.facets[&Dimension::Modality], &counted(Dimension::Modality, &|d| Some(d.modality)));
        prop_assert_eq!(&first.facets[&Dimension::Country], &counted(Dimension::Country, &|d| Some(d.country)));
        prop_assert_eq!(
            &first.facets[&Dimension::Subjects],
            &counted(Dimension::Subjects, &|d| d.subjects.map(facets::subjects_bucket))
        );
    }
}
