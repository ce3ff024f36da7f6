//! Changes into the index: applied as the event log is followed (queued, see `queue`),
//! committed for the next search or after a while, and the whole index rebuilt.

use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::{MutexGuard, PoisonError};
use std::time::Duration;

use tantivy::IndexWriter;

use super::queue::{Operation, Queue, Taken};
use super::schema::SCHEMA_VERSION;
use super::{Change, IndexedDataset, SearchError, SearchIndex};

/// Queued changes past which the writer commits at once rather than at the next search: one
/// bulk call's worth, so that no search waits for a commit of more.
const COMMIT_AT_CHANGES: usize = 1_000;

impl SearchIndex {
    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits what `writer` holds as reflecting the log up to `seq`, and makes it searchable.
    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<(), SearchError> {
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&format!("{SCHEMA_VERSION} {seq}"));
        commit.commit()?;
        self.reload()
    }

    /// Commits the queued changes, if any, with `writer` held; says whether there were any.
    fn commit_queue(&self, writer: &mut IndexWriter) -> Result<bool, SearchError> {
        let (taken, batches) = {
            let mut queue = self.queue();
            (queue.take(), self.queued.load(AtomicOrdering::Acquire))
        };
        let committed = taken.is_some();
        if let Some(Taken { operations, seq }) = taken {
            if let Err(error) = self.write_and_commit(writer, operations, seq) {
                self.queue().retry(seq);
                return Err(error);
            }
            self.queue().committed();
        }
        // Released after the reload: a search that finds its changes committed reads them.
        self.committed.store(batches, AtomicOrdering::Release);
        Ok(committed)
    }

    fn write_and_commit(
        &self,
        writer: &mut IndexWriter,
        operations: Vec<Operation>,
        seq: i64,
    ) -> Result<(), SearchError> {
        for operation in operations {
            match operation {
                Operation::Put { key, document } => {
                    writer.delete_term(key);
                    writer.add_document(document)?;
                }
                Operation::Remove { key } => {
                    writer.delete_term(key);
                }
            }
        }
        self.commit(writer, seq)
    }

    /// Whether changes wait that the next search must first commit.
    pub fn awaits_commit(&self) -> bool {
        self.committed.load(AtomicOrdering::Acquire) < self.queued.load(AtomicOrdering::Acquire)
    }

    /// Commits the changes queued before the search calling this began, unless a commit
    /// already holds them: every write acknowledged before a search began is then found by it
    /// (a writer has queued its changes before it answers). One commit serves every search
    /// waiting for it.
    pub(super) fn commit_for_search(&self) -> Result<(), SearchError> {
        let wanted = self.queued.load(AtomicOrdering::Acquire);
        if self.committed.load(AtomicOrdering::Acquire) >= wanted {
            return Ok(());
        }
        let mut writer = self.writer();
        if self.committed.load(AtomicOrdering::Acquire) < wanted {
            self.commit_queue(&mut writer)
                .map_err(|error| SearchError::Uncommitted(Box::new(error)))?;
        }
        Ok(())
    }

    /// Commits the queued changes if the oldest has waited at least `age` (`Duration::ZERO`:
    /// whenever any wait), so that the index on disk keeps up with the log even when nobody
    /// searches. Says whether it committed (a search may have committed the queue first).
    pub fn commit_older_than(&self, age: Duration) -> Result<bool, SearchError> {
        if self.queue().waited().is_none_or(|waited| waited < age) {
            return Ok(false);
        }
        let mut writer = self.writer();
        self.commit_queue(&mut writer)
    }

    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        self.facets.warm(&self.reader.searcher())?;
        Ok(())
    }

    /// Starts replacing the whole index: add every dataset to the returned session, then
    /// finish it. Searches see the old index until then.
    pub fn begin_rebuild(&self) -> Result<Rebuild<'_>, SearchError> {
        let writer = self.writer();
        writer.delete_all_documents()?;
        // Queued changes go too: the rebuild reads every dataset as it is now.
        self.queue().clear();
        Ok(Rebuild {
            search: self,
            writer,
            count: 0,
        })
    }

    /// Applies `changes` and records that the index reflects the log up to `seq`: every search
    /// that begins after this returns finds them.
    pub fn apply(&self, changes: &[Change], seq: i64) -> Result<(), SearchError> {
        // Events that change nothing here (applications, permits, ...) only move the cursor.
        // The committed cursor lags until the next catalogue change; after a restart the index
        // reads those events again and skips them again.
        if changes.is_empty() {
            self.applied_seq.fetch_max(seq, AtomicOrdering::SeqCst);
            return Ok(());
        }
        // Made into documents before the queue is locked: writers do this side by side.
        let operations = changes
            .iter()
            .map(|change| match change {
                Change::Upsert(dataset) => Operation::Put {
                    key: self.fields.key_term(dataset.id),
                    document: self.fields.document(dataset),
                },
                Change::Remove(id) => Operation::Remove {
                    key: self.fields.key_term(*id),
                },
            })
            .collect();
        let added = changes.iter().filter_map(|change| match change {
            Change::Upsert(dataset) => Some(dataset.id),
            Change::Remove(_) => None,
        });
        let waiting = {
            let mut queue = self.queue();
            let waiting = queue.push(operations, added, seq);
            self.queued.fetch_add(1, AtomicOrdering::Release);
            waiting
        };
        self.applied_seq.fetch_max(seq, AtomicOrdering::SeqCst);
        if waiting >= COMMIT_AT_CHANGES {
            let mut writer = self.writer();
            self.commit_queue(&mut writer)?;
        }
        Ok(())
    }

    /// Whether the index may hold the dataset `id`, committed or queued (a deleted entry not
    /// yet merged away counts too): a removal of anything else changes nothing, and need not
    /// make the next search commit.
    pub fn may_hold(&self, id: u128) -> bool {
        self.queue().adds(id)
            || self
                .reader
                .searcher()
                .doc_freq(&self.fields.key_term(id))
                .map_or(true, |count| count > 0)
    }
}

/// A rebuild in progress; holds the index writer until finished.
pub struct Rebuild<'a> {
    search: &'a SearchIndex,
    writer: MutexGuard<'a, IndexWriter>,
    count: usize,
}

impl Rebuild<'_> {
    pub fn add(&mut self, dataset: &IndexedDataset) -> Result<(), SearchError> {
        self.writer
            .add_document(self.search.fields.document(dataset))?;
        self.count += 1;
        Ok(())
    }

    /// Commits, recording that the index reflects the log up to `seq`, and merges the new
    /// segments into one (a catalogue is small enough, and one segment answers faster).
    /// Returns how many datasets were indexed.
    pub fn finish(mut self, seq: i64) -> Result<usize, SearchError> {
        self.search.commit(&mut self.writer, seq)?;
        self.search.applied_seq.store(seq, AtomicOrdering::SeqCst);
        let queued = self.search.queued.load(AtomicOrdering::Acquire);
        self.search.committed.store(queued, AtomicOrdering::Release);
        let segments = self.search.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            self.writer.merge(&segments).wait()?;
            self.search.reload()?;
        }
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests;
