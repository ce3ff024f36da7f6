//! Quoted phrases: their words together and in order, within one text, numbers among them.

use proptest::prelude::*;

use super::*;

/// Datasets with the given titles, ids from 1, in French.
fn index_with_titles(titles: &[&[&str]]) -> SearchIndex {
    index_with_titles_in(titles, "fr")
}

/// Datasets with the given titles, ids from 1, in `language`.
fn index_with_titles_in(titles: &[&[&str]], language: &str) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let changes: Vec<Change> = titles
        .iter()
        .enumerate()
        .map(|(i, titles)| {
            Change::Upsert(Box::new(IndexedDataset {
                id: i as u128 + 1,
                titles: titles
                    .iter()
                    .map(|t| (language.to_owned(), t.to_string()))
                    .collect(),
                publisher: "p".into(),
                access_rights: "PUBLIC".into(),
                duo_permission: "GRU".into(),
                summary: "{}".into(),
                ..IndexedDataset::default()
            }))
        })
        .collect();
    index.apply(&changes, 1).unwrap();
    index
}

#[test]
fn a_phrase_of_several_words_matches_them_together_and_in_order_only() {
    let index = index_with_titles(&[
        &["Cancer du poumon, cohorte de Lyon"],
        &["Cancer de la vessie et du poumon"],
        &["Poumon du cancer"],
        &["Cohorte de Lyon: cancer", "du poumon"],
        &["Tumeurs: cancer de la prostate"],
        &["Cohorte 12 de Lyon"],
    ]);
    let found = |text: &str| ids(&index.search(&request(text)).unwrap());
    assert_eq!(found("\"cancer du poumon\""), [1]);
    assert_eq!(
        found("\"Cohortes de Lyon\"").len(),
        2,
        "stemmed as the text was"
    );
    assert_eq!(found("\"du poumon\"").len(), 3);
    assert_eq!(found("\"cancer de la prostate\""), [5]);
    assert_eq!(found("\"cancer de la vessie et du poumon\""), [2]);
    assert!(found("\"cancer de la poumon\"").is_empty());
    // Numbers are not paired, and still found in phrases.
    assert_eq!(found("\"cohorte 12 de lyon\""), [6]);
    assert_eq!(found("\"12 de\""), [6]);
    // Two titles are two texts: a phrase does not run from one into the next.
    assert!(found("\"lyon cancer du poumon\"").is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    /// A quoted phrase finds exactly the datasets with its words together and in order in
    /// one of their texts, numbers (which are never paired) among them or not.
    #[test]
    fn a_phrase_finds_exactly_the_texts_holding_its_words_together(
        datasets in prop::collection::vec(
            prop::collection::vec(prop::collection::vec(phrase_word(), 1..8), 1..3),
            1..16,
        ),
        phrase in prop::collection::vec(phrase_word(), 2..5),
    ) {
        let titles: Vec<Vec<String>> = datasets
            .iter()
            .map(|texts| texts.iter().map(|words| words.join(" ")).collect())
            .collect();
        let borrowed: Vec<Vec<&str>> = titles
            .iter()
            .map(|texts| texts.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = borrowed.iter().map(Vec::as_slice).collect();
        let index = index_with_titles_in(&slices, "xx");
        let mut expected: Vec<u128> = (1..)
            .zip(&datasets)
            .filter(|(_, texts)| texts.iter().any(|words| words.windows(phrase.len()).any(|w| w == phrase.as_slice())))
            .map(|(id, _)| id)
            .collect();
        let mut search = request(&format!("\"{}\"", phrase.join(" ")));
        search.limit = datasets.len();
        let mut found = ids(&index.search(&search).unwrap());
        found.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(found, expected);
    }
}

/// Words of a language without a stemmer, and numbers.
fn phrase_word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["alpha", "beta", "gamma", "12", "7"])
}
