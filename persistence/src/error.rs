//! Storage errors. Unique and foreign-key violations become named conflicts here, so the API
//! can tell the caller which rule their request broke.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use hdab_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write would break a uniqueness or reference rule.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A decision made inside the transaction refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("no database connection available: {0}")]
    Unavailable(#[from] r2d2::Error),
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
const UNIQUE_CONFLICTS: &[(&str, &str, &str)] = &[
    (
        "publishers_name_key",
        "publisher_name_taken",
        "a publisher with this name already exists",
    ),
    (
        "datasets_identifier_key",
        "dataset_identifier_taken",
        "this publisher already has a dataset with this identifier",
    ),
    (
        "committees_name_key",
        "committee_name_taken",
        "a committee with this name already exists",
    ),
];

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
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
                code: "still_referenced",
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
