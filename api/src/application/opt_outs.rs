//! The opt-out registry (EHDS Art 71): the registry partner pushes opt-outs and their
//! withdrawals as pseudonyms, which are hashed (HMAC-SHA-256) before anything is stored or
//! logged; a data holder preparing data for a permit asks which of its pseudonyms to leave
//! out as of the permit's grant time. Each push and each check is an event with counts only.

use chrono::{DateTime, SubsecRound, Utc};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::codes;
use hdab_domain::event::Event;
use hdab_domain::ids::PermitId;
use hdab_domain::permits::optout::{OptOutBatch, OptOutCheck, OptOutRecord, excluded_at};
use hdab_domain::{DomainError, FieldError};
use hdab_persistence::opt_outs::{self as store, PersonHash};
use hdab_persistence::permits::Party;
use hdab_persistence::{DbConnection, events};

use super::permits::{PermitSettings, load_visible, require_active};
use super::secrets::OptOutHasher;
use super::{AppError, record};

/// The longest pseudonym accepted.
const MAX_PSEUDONYM_CHARS: usize = 256;

/// A choice as the registry pushes it.
pub struct PushedChoice {
    pub pseudonym: String,
    pub at: DateTime<Utc>,
    pub withdrawn: bool,
}

/// Checks every pseudonym (named by its position under `field`): not empty, not too long.
fn check_pseudonyms<'a>(
    field: &str,
    pseudonyms: impl Iterator<Item = &'a str>,
) -> Result<(), AppError> {
    let errors: Vec<FieldError> = pseudonyms
        .enumerate()
        .filter_map(|(i, p)| {
            let rule = if p.trim().is_empty() {
                "must not be empty"
            } else if p.chars().count() > MAX_PSEUDONYM_CHARS {
                "must be at most 256 characters"
            } else {
                return None;
            };
            Some(FieldError {
                field: format!("{field}[{i}]"),
                code: codes::OUT_OF_RANGE,
                message: rule.to_owned(),
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors).into())
    }
}

/// Records a push of the registry: the choices hdab does not hold yet, as hashes. A choice
/// pushed again is not recorded twice; a push that adds nothing records no event.
pub fn record_choices(
    conn: &mut DbConnection,
    hasher: &OptOutHasher,
    caller: &Principal,
    choices: &[PushedChoice],
    now: DateTime<Utc>,
) -> Result<OptOutBatch, AppError> {
    check_pseudonyms("records", choices.iter().map(|c| c.pseudonym.as_str()))?;
    if let Some(i) = choices.iter().position(|c| c.at > now) {
        return Err(AppError::invalid_field(
            &format!("records[{i}].at"),
            codes::IN_THE_FUTURE,
            "a choice cannot be dated after now",
        ));
    }
    let hashed: Vec<(PersonHash, OptOutRecord)> = choices
        .iter()
        .map(|c| {
            let record = OptOutRecord {
                at: c.at.trunc_subsecs(6),
                opted_out: !c.withdrawn,
            };
            (hasher.hash(&c.pseudonym), record)
        })
        .collect();
    events::write(conn, |tx| {
        same_hash_key(tx, hasher)?;
        let new = store::record(tx, &hashed, now)?;
        let opt_outs = new.iter().filter(|r| r.opted_out).count();
        let batch = OptOutBatch {
            batch_id: uuid::Uuid::now_v7(),
            opt_outs: count(opt_outs),
            withdrawals: count(new.len() - opt_outs),
            unchanged: count(hashed.len() - new.len()),
        };
        if !new.is_empty() {
            record(
                tx,
                caller.subject.as_str(),
                now,
                &Event::OptOutsRecorded(batch.clone()),
            )?;
        }
        Ok(batch)
    })
}

/// Refuses to hash with another key than the stored hashes were made with: every check would
/// silently miss. (hdab also refuses to start so.)
fn same_hash_key(tx: &mut DbConnection, hasher: &OptOutHasher) -> Result<(), AppError> {
    if store::same_hash_key(tx, &hasher.fingerprint())? {
        Ok(())
    } else {
        Err(AppError::internal(
            "the opt-out hashing key (HDAB_OPTOUT_HASH_KEY_FILE) is not the one the registry's \
             hashes were made with",
        ))
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The answer to an opt-out check.
pub struct CheckOutcome {
    pub granted_at: DateTime<Utc>,
    /// The pseudonyms to leave out, in the order sent.
    pub excluded: Vec<String>,
    pub exception_applied: bool,
}

/// Which of `pseudonyms` must be left out of the data of the permit `id`: those whose latest
/// choice at the permit's grant time is an opt-out. Only for data holders of its datasets,
/// while it is active. Under the Art 71(4) exception (configured, and granted in the permit)
/// none are.
pub fn check(
    conn: &mut DbConnection,
    hasher: &OptOutHasher,
    settings: &PermitSettings,
    caller: &Principal,
    id: PermitId,
    pseudonyms: &[String],
    now: DateTime<Utc>,
) -> Result<CheckOutcome, AppError> {
    check_pseudonyms("pseudonyms", pseudonyms.iter().map(String::as_str))?;
    events::write(conn, |tx| {
        let permit = load_visible(tx, caller, id)?;
        let holds_data = caller.has_role(Role::DataHolder)
            && hdab_persistence::permits::concerns(
                tx,
                id,
                &caller
                    .publishers
                    .iter()
                    .map(|p| Party::Publisher(*p))
                    .collect::<Vec<_>>(),
            )?;
        if !holds_data {
            return Err(DomainError::Forbidden {
                code: codes::NOT_A_DATA_HOLDER_OF_PERMIT,
                message: "opt-outs are checked by the data holders of the permit's datasets"
                    .to_owned(),
            }
            .into());
        }
        require_active(&permit, now, "opt-out checks")?;
        same_hash_key(tx, hasher)?;
        let exception_applied = settings.opt_out_exception_available && permit.opt_out_exception;
        let excluded = if exception_applied {
            Vec::new()
        } else {
            let hashes: Vec<PersonHash> = pseudonyms.iter().map(|p| hasher.hash(p)).collect();
            let records = store::records_for(tx, &hashes)?;
            pseudonyms
                .iter()
                .zip(&hashes)
                .filter(|(_, hash)| {
                    records
                        .get(*hash)
                        .is_some_and(|r| excluded_at(r, permit.issued_at))
                })
                .map(|(p, _)| p.clone())
                .collect()
        };
        let check = OptOutCheck {
            permit_id: id,
            checked: count(pseudonyms.len()),
            excluded: count(excluded.len()),
            exception_applied,
        };
        record(
            tx,
            caller.subject.as_str(),
            now,
            &Event::OptOutChecked(check),
        )?;
        Ok(CheckOutcome {
            granted_at: permit.issued_at,
            excluded,
            exception_applied,
        })
    })
}
