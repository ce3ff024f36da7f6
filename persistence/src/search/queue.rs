//! The changes applied to the index since its last commit, waiting for the next one.
//!
//! A tantivy commit costs about 15 ms whatever it holds (a new segment's writers and files,
//! measured with 1 to 32 documents). Committing for every write capped publishing at about
//! 200/s with 8 clients, each writer waiting for the commit of its own change. Writers now
//! queue their changes, already made into documents, and answer; the first search after them
//! commits the queue (one commit serves every search waiting for it), so a search still finds
//! every write acknowledged before it began. The job runner commits what has waited for a
//! second, so the index on disk keeps up when nobody searches.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use tantivy::{TantivyDocument, Term};

/// A change made into what the index writer takes.
pub(super) enum Operation {
    /// Replaces the document with this key, if any.
    Put {
        key: Term,
        document: TantivyDocument,
    },
    Remove {
        key: Term,
    },
}

/// What waits for the next commit.
#[derive(Default)]
pub(super) struct Queue {
    operations: Vec<Operation>,
    /// The datasets the queued operations add, and those of the commit under way: the
    /// committed index does not hold them yet, but a removal of one must still be queued.
    added: HashSet<u128>,
    committing: HashSet<u128>,
    /// The last event the queued operations reflect.
    seq: i64,
    /// When the oldest queued operation was queued.
    since: Option<Instant>,
}

/// The operations a commit takes from the queue.
pub(super) struct Taken {
    pub(super) operations: Vec<Operation>,
    /// The last event they reflect, which the commit records.
    pub(super) seq: i64,
}

impl Queue {
    /// Queues `operations`, which add the datasets `added` and reflect the log up to `seq`.
    /// Returns how many operations wait now.
    pub(super) fn push(
        &mut self,
        operations: Vec<Operation>,
        added: impl IntoIterator<Item = u128>,
        seq: i64,
    ) -> usize {
        self.operations.extend(operations);
        self.added.extend(added);
        self.seq = seq;
        self.since.get_or_insert_with(Instant::now);
        self.operations.len()
    }

    /// Takes everything queued for a commit, or nothing if nothing waits. Its datasets count
    /// as added until [`Queue::committed`].
    pub(super) fn take(&mut self) -> Option<Taken> {
        self.since.take()?;
        self.committing.extend(self.added.drain());
        Some(Taken {
            operations: std::mem::take(&mut self.operations),
            seq: self.seq,
        })
    }

    /// The commit of what was taken is searchable: the index itself now holds its datasets.
    pub(super) fn committed(&mut self) {
        self.committing.clear();
    }

    /// The commit of what was taken up to `seq` failed. The index writer still holds those
    /// operations, so the next commit (which this makes due) takes them with the rest.
    pub(super) fn retry(&mut self, seq: i64) {
        self.seq = self.seq.max(seq);
        self.since.get_or_insert_with(Instant::now);
    }

    /// Empties the queue: a rebuild reads every dataset as it is now.
    pub(super) fn clear(&mut self) {
        *self = Self::default();
    }

    /// Whether dataset `id` is added by a queued operation or by the commit under way.
    pub(super) fn adds(&self, id: u128) -> bool {
        self.added.contains(&id) || self.committing.contains(&id)
    }

    /// How long the oldest queued operation has waited.
    pub(super) fn waited(&self) -> Option<Duration> {
        self.since.map(|since| since.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removal() -> Operation {
        Operation::Remove {
            key: Term::from_field_text(tantivy::schema::Field::from_field_id(0), "k"),
        }
    }

    #[test]
    fn a_dataset_counts_as_added_until_its_commit_is_searchable() {
        let mut queue = Queue::default();
        queue.push(vec![removal()], [7], 3);
        assert!(queue.adds(7));
        let taken = queue.take().expect("something was queued");
        assert_eq!((taken.operations.len(), taken.seq), (1, 3));
        assert!(queue.adds(7), "taken but not yet searchable");
        queue.committed();
        assert!(!queue.adds(7));
        assert!(queue.take().is_none());
    }

    #[test]
    fn a_dataset_queued_again_during_a_commit_stays_added() {
        let mut queue = Queue::default();
        queue.push(vec![removal()], [7], 3);
        let _taken = queue.take();
        queue.push(vec![removal()], [7], 4);
        queue.committed();
        assert!(queue.adds(7));
        assert_eq!(queue.take().map(|taken| taken.seq), Some(4));
    }

    #[test]
    fn a_failed_commit_leaves_a_commit_due_and_its_datasets_added() {
        let mut queue = Queue::default();
        queue.push(vec![removal()], [7], 3);
        let _taken = queue.take();
        queue.retry(3);
        assert!(queue.adds(7));
        let again = queue.take().expect("the failed commit is due again");
        assert_eq!((again.operations.len(), again.seq), (0, 3));
        queue.committed();
        assert!(!queue.adds(7));
    }
}
