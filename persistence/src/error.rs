//! Storage errors. Unique and foreign-key violations become named conflicts here, so the API
//! can tell the caller which rule their request broke.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use hdab_domain::DomainError;
use hdab_domain::codes;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write would break a uniqueness or reference rule.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A decision made inside the transaction refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database cannot be reached, is shutting down, or did not answer in time: the
    /// request may succeed if repeated shortly.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(DieselError),
    /// A stored row no longer parses into a domain value: a bug or a manual edit.
    #[error("stored {entity} {id} cannot be read: {reason}")]
    Corrupt {
        entity: &'static str,
        id: String,
        reason: String,
    },
}

/// Unique indexes whose violation is the caller's doing, with the code and message they get.
/// PostgreSQL names the index; SQLite names it for an index on an expression and names the
/// column (`publishers.name_key`) for one on a column, so both spellings are listed.
const UNIQUE_CONFLICTS: &[(&str, &str, &str)] = &[
    (
        "publishers.name_key",
        codes::PUBLISHER_NAME_TAKEN,
        "a publisher with this name already exists",
    ),
    (
        "committees.name_key",
        codes::COMMITTEE_NAME_TAKEN,
        "a committee with this name already exists",
    ),
    (
        "publishers_name_key",
        codes::PUBLISHER_NAME_TAKEN,
        "a publisher with this name already exists",
    ),
    (
        "datasets_identifier_key",
        codes::DATASET_IDENTIFIER_TAKEN,
        "this publisher already has a dataset with this identifier",
    ),
    (
        "committees_name_key",
        codes::COMMITTEE_NAME_TAKEN,
        "a committee with this name already exists",
    ),
];

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        Self::Unavailable(format!("no connection within the pool's timeout: {error}"))
    }
}

/// Whether `error` means the connection itself is gone (the server closed it, restarted or
/// failed over, or the network dropped it): the connection must be replaced.
pub fn connection_lost(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | DieselError::BrokenTransactionManager
    )
}

/// Server messages that mean "not now" rather than "never": a server shutting down or starting
/// up, a statement cancelled by its timeout, SQLite's writer lock held past the busy timeout.
/// diesel does not expose PostgreSQL's SQLSTATE, so the (English) messages are matched.
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "database is locked",
    "statement timeout",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "terminating connection",
    "server closed the connection",
    "no connection to the server",
];

/// Whether `error` means the database is unavailable for now, so the caller should retry.
pub fn is_unavailable(error: &DieselError) -> bool {
    if connection_lost(error) {
        return true;
    }
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => true,
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            UNAVAILABLE_MESSAGES.iter().any(|m| message.contains(m))
        }
        _ => false,
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        if is_unavailable(&error) {
            return Self::Unavailable(error.to_string());
        }
        let DieselError::DatabaseError(kind, info) = &error else {
            return Self::Database(error);
        };
        match kind {
            DatabaseErrorKind::UniqueViolation => {
                // PostgreSQL names the constraint; SQLite only mentions it in the message.
                let named = |name: &str| {
                    info.constraint_name() == Some(name) || info.message().contains(name)
                };
                match UNIQUE_CONFLICTS.iter().find(|(name, _, _)| named(name)) {
                    Some((_, code, message)) => Self::Conflict {
                        code,
                        message: (*message).to_owned(),
                    },
                    None => Self::Database(error),
                }
            }
            DatabaseErrorKind::ForeignKeyViolation => Self::Conflict {
                code: codes::STILL_REFERENCED,
                message: "other records still refer to this one".to_owned(),
            },
            _ => Self::Database(error),
        }
    }
}

impl StoreError {
    pub(crate) fn corrupt(entity: &'static str, id: &str, reason: impl ToString) -> Self {
        Self::Corrupt {
            entity,
            id: id.to_owned(),
            reason: reason.to_string(),
        }
    }
}
