//! Bulk upsert: data holders and partner systems push up to 1,000 published dataset
//! descriptions a call, keyed by (publisher, the dataset's own identifier), or withdraw them.
//! Each item is judged on its own: an invalid one is reported and never blocks the others;
//! a change is written in a savepoint of its own and new datasets together once checked, so
//! none is half written; the same payload twice makes no new version and no event.

use chrono::{DateTime, Utc};
use diesel::Connection;
use hdab_domain::auth::Principal;
use hdab_domain::catalogue::{Dataset, DatasetDetails, DatasetStatus, Lifecycle};
use std::collections::{HashMap, HashSet};

use hdab_domain::ids::{CommitteeId, DatasetId, PublisherId};
use hdab_domain::version::Precondition;
use hdab_persistence::datasets::DatasetRecord;
use hdab_persistence::{DbConnection, datasets, events};

use super::datasets::{check_references_for, import_published};
use super::{AppError, record, updated_under_lock};

/// One item of a push, read.
#[derive(Debug, Clone)]
pub enum BulkItem {
    /// This description, published.
    Upsert(Box<DatasetDetails>),
    /// The dataset with this identifier of this publisher, withdrawn.
    Withdraw {
        publisher_id: PublisherId,
        identifier: String,
    },
}

/// What became of one item.
#[derive(Debug)]
pub enum BulkOutcome {
    Created(DatasetId),
    Updated(DatasetId),
    Unchanged(DatasetId),
    Withdrawn(DatasetId),
    /// Not written, and why.
    Rejected(AppError),
}

/// Carries out every item in one transaction, each in a savepoint of its own where it may be
/// refused after it began to write; one outcome per item, in order. Only a failure of the
/// database itself fails the call (and then nothing is written). New datasets are written
/// together, each run of them before the item after it, so the log keeps the items' order.
pub fn upsert(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    items: Vec<BulkItem>,
) -> Result<Vec<BulkOutcome>, AppError> {
    events::write(conn, |tx| {
        let mut checked = CheckedReferences::default();
        let decisions = decide(tx, caller, &mut checked, items)?;
        let mut outcomes = Vec::with_capacity(decisions.len());
        let mut new = Vec::new();
        for decision in decisions {
            let outcome = match decision {
                Decision::Create(details) => {
                    new.push(*details);
                    continue;
                }
                Decision::Done(outcome) => {
                    create_absent(tx, caller, now, std::mem::take(&mut new), &mut outcomes)?;
                    outcome
                }
                Decision::OneByOne(item) => {
                    create_absent(tx, caller, now, std::mem::take(&mut new), &mut outcomes)?;
                    tx.transaction(|item_tx| one(item_tx, caller, now, item, &mut checked))
                }
            };
            outcomes.push(outcome);
        }
        create_absent(tx, caller, now, new, &mut outcomes)?;
        outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Err(refused) if refused.is_refusal() => Ok(BulkOutcome::Rejected(refused)),
                outcome => outcome,
            })
            .collect()
    })
}

/// What becomes of an item, decided before anything is written.
enum Decision {
    /// Decided without writing: unchanged, or refused.
    Done(Result<BulkOutcome, AppError>),
    /// New, its references checked: written with the new datasets beside it.
    Create(Box<DatasetDetails>),
    /// Written (or refused) in a savepoint of its own.
    OneByOne(BulkItem),
}

/// Each item's [`Decision`], from what is stored under its key and its references.
fn decide(
    tx: &mut DbConnection,
    caller: &Principal,
    checked: &mut CheckedReferences,
    items: Vec<BulkItem>,
) -> Result<Vec<Decision>, AppError> {
    let stored = what_is_stored(tx, &items)?;
    let mut decisions = Vec::with_capacity(items.len());
    for (item, stored) in items.into_iter().zip(stored) {
        decisions.push(match (stored, item) {
            // Nothing to write, so no savepoint: only the caller's right to say so.
            (Stored::Unchanged(id), BulkItem::Upsert(details)) => Decision::Done(
                checked
                    .check(tx, caller, &details)
                    .map(|()| BulkOutcome::Unchanged(id)),
            ),
            (Stored::Absent, BulkItem::Upsert(details)) => {
                match checked.check(tx, caller, &details) {
                    Ok(()) => Decision::Create(details),
                    Err(refused) => Decision::Done(Err(refused)),
                }
            }
            (_, item) => Decision::OneByOne(item),
        });
    }
    Ok(decisions)
}

/// What the database holds under an item's key, as read before the first write.
enum Stored {
    /// A published dataset whose description is the item's.
    Unchanged(DatasetId),
    /// No dataset at all, and no other item of the call names the key.
    Absent,
    /// Something else (another description, a draft, a withdrawal) or a key named twice:
    /// the item-by-item path decides.
    Undecided,
}

/// For each item, what is stored under its key, found with one query per publisher (and 500
/// identifiers) instead of one per item. An identifier the call names twice is left to the
/// item-by-item path, which sees the earlier item's write.
fn what_is_stored(tx: &mut DbConnection, items: &[BulkItem]) -> Result<Vec<Stored>, AppError> {
    let mut named: HashMap<(PublisherId, &str), usize> = HashMap::new();
    for item in items {
        if let BulkItem::Upsert(details) = item {
            *named
                .entry((details.publisher_id, details.identifier.as_str()))
                .or_default() += 1;
        }
    }
    let mut by_publisher: HashMap<PublisherId, Vec<&str>> = HashMap::new();
    for ((publisher, identifier), _) in named.iter().filter(|(_, count)| **count == 1) {
        by_publisher.entry(*publisher).or_default().push(identifier);
    }
    let mut found: HashMap<(PublisherId, String), DatasetRecord> = HashMap::new();
    for (publisher, identifiers) in by_publisher {
        for record in datasets::find_records_by_identifiers(tx, publisher, &identifiers)? {
            found.insert((publisher, record.identifier.clone()), record);
        }
    }
    items
        .iter()
        .map(|item| {
            let BulkItem::Upsert(details) = item else {
                return Ok(Stored::Undecided);
            };
            let identifier = details.identifier.as_str();
            if named.get(&(details.publisher_id, identifier)) != Some(&1) {
                return Ok(Stored::Undecided);
            }
            Ok(
                match found.get(&(details.publisher_id, identifier.to_owned())) {
                    None => Stored::Absent,
                    Some(stored) if is_unchanged(stored, details)? => Stored::Unchanged(stored.id),
                    Some(_) => Stored::Undecided,
                },
            )
        })
        .collect()
}

/// Items whose keys nothing is stored under, their references checked: rows and events in
/// multi-row inserts, without savepoints, each one's outcome added to `outcomes`. Nothing in
/// them can be refused any more, so any failure is the database's and fails the whole call
/// (on PostgreSQL a failed statement outside a savepoint spoils the transaction, so it must
/// never pass for one item's refusal).
fn create_absent(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    new: Vec<DatasetDetails>,
    outcomes: &mut Vec<Result<BulkOutcome, AppError>>,
) -> Result<(), AppError> {
    if new.is_empty() {
        return Ok(());
    }
    match import_published(tx, caller, now, new) {
        Ok(created) => {
            outcomes.extend(
                created
                    .into_iter()
                    .map(|dataset| Ok(BulkOutcome::Created(dataset.id))),
            );
            Ok(())
        }
        Err(refused) if refused.is_refusal() => Err(AppError::internal(format!(
            "new datasets were refused after the call found their keys free: {refused}"
        ))),
        Err(failure) => Err(failure),
    }
}

/// Whether `stored` is published with `details` as its description: its stored text says so,
/// nothing to decode.
fn is_unchanged(stored: &DatasetRecord, details: &DatasetDetails) -> Result<bool, AppError> {
    Ok(stored.status == DatasetStatus::Published.as_str()
        && stored.document == datasets::document_of(details)?)
}

/// The (publisher, committee) pairs of a call found valid: a push names a few pairs many
/// times, and they do not change within its transaction.
#[derive(Default)]
struct CheckedReferences(HashSet<(PublisherId, CommitteeId)>);

impl CheckedReferences {
    fn check(
        &mut self,
        tx: &mut DbConnection,
        caller: &Principal,
        details: &DatasetDetails,
    ) -> Result<(), AppError> {
        let pair = (details.publisher_id, details.committee_id);
        if !self.0.contains(&pair) {
            check_references_for(tx, caller.acts_for_publisher(pair.0), details)?;
            self.0.insert(pair);
        }
        Ok(())
    }
}

fn one(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    item: BulkItem,
    checked: &mut CheckedReferences,
) -> Result<BulkOutcome, AppError> {
    match item {
        BulkItem::Upsert(details) => {
            checked.check(tx, caller, &details)?;
            upsert_one(tx, caller, now, *details)
        }
        BulkItem::Withdraw {
            publisher_id,
            identifier,
        } => withdraw_one(tx, caller, now, publisher_id, &identifier),
    }
}

/// The stored dataset of `publisher` with `identifier` that `caller` may change, undecoded:
/// partners act on what is published, never on a holder's draft.
fn own_record(
    tx: &mut DbConnection,
    caller: &Principal,
    publisher: PublisherId,
    identifier: &str,
) -> Result<Option<DatasetRecord>, AppError> {
    match datasets::find_record_by_identifier(tx, publisher, identifier)? {
        Some(d)
            if d.status == DatasetStatus::Draft.as_str() && !caller.holds_data_for(publisher) =>
        {
            Err(AppError::NotFound("the dataset"))
        }
        found => Ok(found),
    }
}

/// [`own_record`], decoded.
pub(super) fn own(
    tx: &mut DbConnection,
    caller: &Principal,
    publisher: PublisherId,
    identifier: &str,
) -> Result<Option<Dataset>, AppError> {
    Ok(own_record(tx, caller, publisher, identifier)?
        .map(DatasetRecord::decode)
        .transpose()?)
}

pub(super) fn upsert_one(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    details: DatasetDetails,
) -> Result<BulkOutcome, AppError> {
    let publisher = details.publisher_id;
    let Some(stored) = own_record(tx, caller, publisher, details.identifier.as_str())? else {
        let created = import_published(tx, caller, now, vec![details])?;
        return created
            .first()
            .map(|dataset| BulkOutcome::Created(dataset.id))
            .ok_or_else(|| AppError::internal("a new dataset was not created"));
    };
    if is_unchanged(&stored, &details)? {
        return Ok(BulkOutcome::Unchanged(stored.id));
    }
    let current = stored.decode()?;
    if current.details == details && current.status == DatasetStatus::Published {
        return Ok(BulkOutcome::Unchanged(current.id));
    }
    let actor = caller.subject.as_str();
    let mut next = current.clone();
    if current.details != details {
        let (replaced, event) = current.replace(details, &Precondition::Any, now)?;
        updated_under_lock(datasets::update(tx, &replaced, current.version)?, "dataset")?;
        record(tx, actor, now, &event)?;
        next = replaced;
    }
    if next.status != DatasetStatus::Published {
        let (published, event) = next.change_status(Lifecycle::Publish, now)?;
        updated_under_lock(
            datasets::update_lifecycle(tx, &published, next.version)?,
            "dataset",
        )?;
        record(tx, actor, now, &event)?;
    }
    Ok(BulkOutcome::Updated(current.id))
}

pub(super) fn withdraw_one(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    publisher: PublisherId,
    identifier: &str,
) -> Result<BulkOutcome, AppError> {
    if !caller.acts_for_publisher(publisher) {
        return Err(AppError::NotFound("the publisher"));
    }
    let current =
        own(tx, caller, publisher, identifier)?.ok_or(AppError::NotFound("the dataset"))?;
    if current.status == DatasetStatus::Withdrawn {
        return Ok(BulkOutcome::Unchanged(current.id));
    }
    let (withdrawn, event) = current.change_status(Lifecycle::Withdraw, now)?;
    updated_under_lock(
        datasets::update_lifecycle(tx, &withdrawn, current.version)?,
        "dataset",
    )?;
    record(tx, caller.subject.as_str(), now, &event)?;
    Ok(BulkOutcome::Withdrawn(current.id))
}
