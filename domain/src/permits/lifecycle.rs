//! A permit's lifecycle: `active` ⇄ `suspended`, then `revoked`, `expired` or `closed`. One
//! table says which party may issue which command in which status.

use chrono::{DateTime, Utc};

use super::{Amendment, Extension, Permit, Revocation, add_months};
use crate::applications::form::Person;
use crate::code_enum;
use crate::codes;
use crate::values::Subject;
use crate::{DomainError, FieldError};

code_enum!(
    /// Where a permit is in its lifecycle.
    PermitStatus, codes::UNKNOWN_PERMIT_STATUS {
        Active = "active",
        /// Paused by the HDAB or the committee (e.g. during an Art 63 procedure).
        Suspended = "suspended",
        Revoked = "revoked",
        /// Past its end.
        Expired = "expired",
        /// Finished, with its results recorded.
        Closed = "closed",
    }
);

code_enum!(
    /// The capacity in which a caller acts on a permit.
    PermitParty, codes::UNKNOWN_PERMIT_PARTY {
        Holder = "holder",
        Committee = "committee",
        Admin = "admin",
        /// The background job (expiry).
        System = "system",
    }
);

/// What may be asked of a permit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermitCommand {
    Suspend {
        reason: String,
    },
    Reinstate,
    /// Art 63: after the notice to the user and their answer.
    Revoke {
        reason: String,
        notice: String,
    },
    /// The one extension, asked by the holder before expiry, by at most the original length.
    RequestExtension {
        months: u32,
        reason: String,
    },
    DecideExtension {
        grant: bool,
    },
    /// A new version of the authorised persons.
    Amend {
        add: Vec<Person>,
        remove: Vec<Subject>,
    },
    Expire,
    /// Close-out with the link to the published results (Art 61).
    Close {
        results_link: String,
    },
}

code_enum!(
    /// What a transition records: the event kind's verb after `permit.`.
    PermitChange, codes::UNKNOWN_EVENT_KIND {
        Issued = "permit.issued",
        Suspended = "permit.suspended",
        Reinstated = "permit.reinstated",
        Revoked = "permit.revoked",
        ExtensionRequested = "permit.extension_requested",
        ExtensionDecided = "permit.extension_decided",
        Amended = "permit.amended",
        Expired = "permit.expired",
        Closed = "permit.closed",
    }
);

impl PermitCommand {
    /// The change the command records when it succeeds.
    fn change(&self) -> PermitChange {
        match self {
            Self::Suspend { .. } => PermitChange::Suspended,
            Self::Reinstate => PermitChange::Reinstated,
            Self::Revoke { .. } => PermitChange::Revoked,
            Self::RequestExtension { .. } => PermitChange::ExtensionRequested,
            Self::DecideExtension { .. } => PermitChange::ExtensionDecided,
            Self::Amend { .. } => PermitChange::Amended,
            Self::Expire => PermitChange::Expired,
            Self::Close { .. } => PermitChange::Closed,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Suspend { .. } => "suspend",
            Self::Reinstate => "reinstate",
            Self::Revoke { .. } => "revoke",
            Self::RequestExtension { .. } => "request_extension",
            Self::DecideExtension { .. } => "decide_extension",
            Self::Amend { .. } => "amend",
            Self::Expire => "expire",
            Self::Close { .. } => "close",
        }
    }
}

use PermitParty::{Admin, Committee, Holder, System};
use PermitStatus::{Active, Expired, Suspended};

/// Which party may issue which command (by name) in which status. Nothing else is possible,
/// except the expiry the system records once a permit is past its end.
pub const ALLOWED: &[(PermitStatus, PermitParty, &[&str])] = &[
    (Active, Holder, &["request_extension", "amend", "close"]),
    (
        Active,
        Committee,
        &["suspend", "revoke", "decide_extension", "amend"],
    ),
    (Active, Admin, &["suspend", "revoke", "amend"]),
    (Suspended, Committee, &["reinstate", "revoke"]),
    (Suspended, Admin, &["reinstate", "revoke"]),
    (Expired, Holder, &["close"]),
];

impl Permit {
    /// Whether `party` may issue `command` now.
    pub fn permits(&self, party: PermitParty, command: &PermitCommand, now: DateTime<Utc>) -> bool {
        let status = self.status_at(now);
        match command {
            // A permit past its end already reads as expired; the system records it once.
            PermitCommand::Expire => party == System && status == Expired && self.status != Expired,
            _ => allowed_commands(status, party).contains(&command.name()),
        }
    }

    /// The permit after `command` by `party` and the change it records, or why it may not be
    /// done. The status it is judged in is the status as of `now`, so a permit past its end
    /// is expired here too.
    pub fn transition(
        &self,
        party: PermitParty,
        by: &Subject,
        command: PermitCommand,
        now: DateTime<Utc>,
    ) -> Result<(Permit, PermitChange), DomainError> {
        let status = self.status_at(now);
        let allowed = allowed_commands(status, party);
        if !self.permits(party, &command, now) {
            return Err(DomainError::StateConflict {
                code: codes::ILLEGAL_TRANSITION,
                message: format!(
                    "the permit is `{status}`; `{}` is not possible now. You may: {}",
                    command.name(),
                    if allowed.is_empty() {
                        "nothing".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ),
            });
        }
        let mut next = Permit {
            version: self.version + 1,
            ..self.clone()
        };
        let change = command.change();
        match command {
            PermitCommand::Suspend { reason } => {
                next.status = Suspended;
                next.suspension_reason = Some(required("reason", reason)?);
            }
            PermitCommand::Reinstate => {
                next.status = Active;
                next.suspension_reason = None;
            }
            PermitCommand::Revoke { reason, notice } => {
                next.status = PermitStatus::Revoked;
                next.revocation = Some(Revocation {
                    reason: required("reason", reason)?,
                    notice: required("notice", notice)?,
                    by: by.clone(),
                    at: now,
                });
            }
            PermitCommand::RequestExtension { months, reason } => {
                if self.extension.is_some() {
                    return Err(DomainError::StateConflict {
                        code: codes::ALREADY_EXTENDED,
                        message: "a permit is extended at most once (EHDS Art 68)".to_owned(),
                    });
                }
                let original = months_between(self.valid_from, self.valid_until);
                if months == 0 || months > original {
                    return Err(invalid(
                        "months",
                        codes::OUT_OF_RANGE,
                        format!(
                            "must be between 1 and the permit's own length ({original} months)"
                        ),
                    ));
                }
                next.extension = Some(Extension {
                    requested_months: months,
                    reason: required("reason", reason)?,
                    requested_at: now,
                    granted: None,
                    decided_at: None,
                });
            }
            PermitCommand::DecideExtension { grant } => {
                let Some(extension) = self.extension.as_ref().filter(|e| e.granted.is_none())
                else {
                    return Err(DomainError::StateConflict {
                        code: codes::NO_EXTENSION_REQUESTED,
                        message: "no extension awaits a decision".to_owned(),
                    });
                };
                if grant {
                    next.valid_until = add_months(self.valid_until, extension.requested_months);
                }
                next.extension = Some(Extension {
                    granted: Some(grant),
                    decided_at: Some(now),
                    ..extension.clone()
                });
            }
            PermitCommand::Amend { add, remove } => {
                next.authorised_persons
                    .retain(|p| !remove.contains(&p.subject));
                next.authorised_persons.extend(
                    add.iter()
                        .filter(|p| !self.authorised_subjects().contains(&&p.subject))
                        .cloned(),
                );
                next.amendments.push(Amendment {
                    version: next.version,
                    added: add,
                    removed: remove,
                    by: by.clone(),
                    at: now,
                });
            }
            PermitCommand::Expire => next.status = Expired,
            PermitCommand::Close { results_link } => {
                next.status = PermitStatus::Closed;
                next.results_link = Some(required("results_link", results_link)?);
            }
        }
        Ok((next, change))
    }
}

/// The commands `party` may issue to a permit in `status`.
fn allowed_commands(status: PermitStatus, party: PermitParty) -> Vec<&'static str> {
    ALLOWED
        .iter()
        .filter(|(s, p, _)| *s == status && *p == party)
        .flat_map(|(_, _, commands)| commands.iter().copied())
        .collect()
}

fn required(field: &str, text: String) -> Result<String, DomainError> {
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(invalid(
            field,
            codes::REQUIRED,
            "must not be empty".to_owned(),
        ));
    }
    Ok(text)
}

fn invalid(field: &str, code: &'static str, message: String) -> DomainError {
    DomainError::Invalid(vec![FieldError {
        field: field.to_owned(),
        code,
        message,
    }])
}

/// Whole calendar months from `from` to `until`.
fn months_between(from: DateTime<Utc>, until: DateTime<Utc>) -> u32 {
    (0..=1200u32)
        .take_while(|m| add_months(from, *m) <= until)
        .last()
        .unwrap_or(0)
}
