//! Writes reach a search without a commit of their own, and reach the disk without a search.

use std::time::Duration;

use crate::search::tests::{browse, ids, index_with_four_collections, request};
use crate::search::{Change, Filters, Freshness, IndexedDataset, SearchIndex};

#[test]
fn a_change_waits_for_the_next_search_which_commits_it_and_finds_it() {
    let index = index_with_four_collections();
    index.commit_older_than(Duration::ZERO).unwrap();
    index.apply(&[Change::Remove(3)], 5).unwrap();
    assert!(index.awaits_commit());
    assert_eq!(index.len(), 4, "not committed by the write");
    let results = index.search(&browse(Filters::default())).unwrap();
    assert_eq!(ids(&results), [4, 2, 1]);
    assert!(!index.awaits_commit());
}

#[test]
fn a_dataset_added_and_removed_before_any_commit_is_not_found() {
    let index = index_with_four_collections();
    let added = IndexedDataset {
        id: 9,
        titles: vec![("en".into(), "Sarcoma registry".into())],
        summary: "{}".into(),
        ..IndexedDataset::default()
    };
    index.apply(&[Change::Upsert(Box::new(added))], 5).unwrap();
    // Only in the queue, yet its removal must not be skipped as a removal of nothing.
    assert!(index.may_hold(9));
    index.apply(&[Change::Remove(9)], 6).unwrap();
    assert_eq!(index.search(&request("sarcoma")).unwrap().total, 0);
}

#[test]
fn the_runner_commits_what_waited_and_a_reopened_index_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (index, freshness) = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(freshness, Freshness::NeedsRebuild);
        let dataset = IndexedDataset {
            id: 1,
            titles: vec![("en".into(), "Lung cancer screening".into())],
            summary: "{}".into(),
            ..IndexedDataset::default()
        };
        index
            .apply(&[Change::Upsert(Box::new(dataset))], 7)
            .unwrap();
        assert!(!index.commit_older_than(Duration::from_secs(3600)).unwrap());
        assert!(index.commit_older_than(Duration::ZERO).unwrap());
        assert!(!index.awaits_commit());
    }
    let (reopened, freshness) = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(freshness, Freshness::UpTo(7));
    assert_eq!(reopened.search(&request("lung")).unwrap().total, 1);
}
