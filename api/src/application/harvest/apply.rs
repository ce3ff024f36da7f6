//! Applying harvested records: each in a savepoint of its own (a crash or a refusal leaves it
//! old or new, never half written), as the source's partner identity acting for the source's
//! publisher. A record is known by its upstream key (IRI or identifier) in `harvest_records`,
//! so a re-harvest updates the dataset it became and never makes a second one; a dataset of
//! the publisher that another source or a data holder owns is never taken over.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use diesel::Connection;
use hdab_domain::FieldError;
use hdab_domain::auth::{Principal, Role};
use hdab_domain::catalogue::{DatasetDetails, DatasetStatus};
use hdab_domain::harvest::{HarvestRun, HarvestSource, RecordError};
use hdab_domain::values::Subject;
use hdab_domain::{DomainError, codes};
use hdab_persistence::harvest as store;
use hdab_persistence::{DbConnection, datasets, events};

use super::super::AppError;
use super::super::bulk::{BulkOutcome, upsert_one, withdraw_one};

/// One record as a run found it.
#[derive(Debug)]
pub enum Harvested {
    /// Described upstream: the description read, or why it could not be.
    Present {
        key: String,
        details: Result<Box<DatasetDetails>, Vec<FieldError>>,
    },
    /// Gone upstream (withdrawn or deleted there).
    Gone { key: String },
}

/// What one run has applied so far: the keys it saw (a full run withdraws the others) and
/// which key claimed each identifier (two records may not share one).
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub seen: BTreeSet<String>,
    identifiers: HashMap<String, String>,
}

/// The identity a source's writes are recorded under: a partner acting for its publisher.
pub fn harvester(source: &HarvestSource) -> Principal {
    Principal {
        subject: Subject::parse(&format!("harvest:{}", source.id))
            .unwrap_or_else(|_| unreachable!("a harvest subject is short and plain")),
        roles: [Role::Partner].into(),
        publishers: [source.details.publisher_id].into(),
        committees: BTreeSet::new(),
    }
}

/// Applies `records` in one transaction, each in its own savepoint, counting each outcome in
/// `run`. Only a failure of the database itself fails the call.
pub fn apply(
    conn: &mut DbConnection,
    source: &HarvestSource,
    now: DateTime<Utc>,
    records: Vec<Harvested>,
    run: &mut HarvestRun,
    progress: &mut Progress,
) -> Result<(), AppError> {
    let caller = harvester(source);
    events::write(conn, |tx| {
        for record in records {
            let key = match &record {
                Harvested::Present { key, .. } | Harvested::Gone { key } => key.clone(),
            };
            let outcome = tx.transaction(|item| one(item, source, &caller, now, record, progress));
            match outcome {
                Ok(Some(outcome)) => count(run, outcome),
                Ok(None) => {}
                Err(refused) if refused.is_refusal() => refuse(run, &key, &refused),
                Err(failure) => return Err(failure),
            }
        }
        Ok(())
    })
}

/// Withdraws every dataset of the source whose record the run did not see: a full run read
/// the whole catalogue, so they are gone upstream.
pub fn withdraw_unseen(
    conn: &mut DbConnection,
    source: &HarvestSource,
    now: DateTime<Utc>,
    run: &mut HarvestRun,
    progress: &Progress,
) -> Result<(), AppError> {
    let gone: Vec<Harvested> = store::records(conn, source.id)?
        .into_iter()
        .filter(|(key, _)| !progress.seen.contains(key))
        .map(|(key, _)| Harvested::Gone { key })
        .collect();
    let mut ignored = Progress::default();
    apply(conn, source, now, gone, run, &mut ignored)
}

fn one(
    tx: &mut DbConnection,
    source: &HarvestSource,
    caller: &Principal,
    now: DateTime<Utc>,
    record: Harvested,
    progress: &mut Progress,
) -> Result<Option<BulkOutcome>, AppError> {
    match record {
        Harvested::Present { key, details } => {
            progress.seen.insert(key.clone());
            let details = details.map_err(DomainError::Invalid)?;
            claim_identifier(progress, &key, details.identifier.as_str())?;
            check_ownership(tx, source, &key, &details)?;
            let outcome = upsert_one(tx, caller, now, *details)?;
            if let BulkOutcome::Created(id)
            | BulkOutcome::Updated(id)
            | BulkOutcome::Unchanged(id) = &outcome
            {
                store::remember(tx, source.id, &key, *id)?;
            }
            Ok(Some(outcome))
        }
        Harvested::Gone { key } => {
            let Some(id) = store::dataset_of(tx, source.id, &key)? else {
                return Ok(None);
            };
            let Some(dataset) = datasets::find(tx, id)? else {
                return Ok(None);
            };
            if dataset.status != DatasetStatus::Published {
                return Ok(None);
            }
            let (publisher, identifier) = (
                dataset.details.publisher_id,
                dataset.details.identifier.as_str().to_owned(),
            );
            withdraw_one(tx, caller, now, publisher, &identifier).map(Some)
        }
    }
}

/// Two records of one run may not become one dataset.
fn claim_identifier(progress: &mut Progress, key: &str, identifier: &str) -> Result<(), AppError> {
    match progress.identifiers.get(identifier) {
        Some(owner) if owner != key => Err(AppError::invalid_field(
            "identifier",
            codes::DUPLICATE,
            format!("the record {owner} of this source has the same identifier `{identifier}`"),
        )),
        _ => {
            progress
                .identifiers
                .insert(identifier.to_owned(), key.to_owned());
            Ok(())
        }
    }
}

/// The dataset a record would write must be the one this record made, or none: a dataset of
/// the publisher that this record did not make is not taken over, and a record keeps its
/// identifier.
fn check_ownership(
    tx: &mut DbConnection,
    source: &HarvestSource,
    key: &str,
    details: &DatasetDetails,
) -> Result<(), AppError> {
    let identifier = details.identifier.as_str();
    if let Some(made) = store::dataset_of(tx, source.id, key)? {
        let current = datasets::find(tx, made)?;
        if let Some(current) = current.filter(|d| d.details.identifier.as_str() != identifier) {
            return Err(AppError::invalid_field(
                "identifier",
                codes::IMMUTABLE,
                format!(
                    "the record was harvested with the identifier `{}`; a record keeps its identifier",
                    current.details.identifier.as_str()
                ),
            ));
        }
    }
    let Some(existing) = datasets::find_by_identifier(tx, details.publisher_id, identifier)? else {
        return Ok(());
    };
    match store::record_of(tx, existing.id)? {
        Some((owner, owner_key)) if owner == source.id.to_string() && owner_key == key => Ok(()),
        _ => Err(AppError::Conflict {
            code: codes::DATASET_IDENTIFIER_TAKEN,
            message: format!(
                "the publisher already has a dataset with the identifier `{identifier}` that this record did not make"
            ),
        }),
    }
}

fn count(run: &mut HarvestRun, outcome: BulkOutcome) {
    match outcome {
        BulkOutcome::Created(_) => run.created += 1,
        BulkOutcome::Updated(_) => run.updated += 1,
        BulkOutcome::Unchanged(_) => run.unchanged += 1,
        BulkOutcome::Withdrawn(_) => run.withdrawn += 1,
        BulkOutcome::Rejected(_) => run.failed += 1,
    }
}

/// Counts a refused record and notes why, field by field.
fn refuse(run: &mut HarvestRun, key: &str, refused: &AppError) {
    run.failed += 1;
    match refused {
        AppError::Domain(DomainError::Invalid(fields)) => {
            for field in fields {
                run.error(RecordError {
                    record: key.to_owned(),
                    field: Some(field.field.clone()),
                    message: field.message.clone(),
                });
            }
        }
        other => run.error(RecordError {
            record: key.to_owned(),
            field: None,
            message: other.to_string(),
        }),
    }
}
