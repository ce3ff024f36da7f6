//! The application layer's errors: what a use case refuses, and why, in terms of the domain
//! and the store. The HTTP edge maps each to a problem in one place (`edge::error`); nothing
//! here knows about statuses.

use hdab_domain::{DomainError, FieldError};
use hdab_persistence::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A domain rule refused the request: invalid fields, a stale version, a state conflict.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// What the request names does not exist, or the caller may not know that it does.
    #[error("{0} does not exist")]
    NotFound(&'static str),
    /// The request conflicts with stored data (a unique name, a record still referred to).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The database (or another dependency) cannot serve now; the caller may retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// hdab's own fault: a bug, or data at rest that no longer reads.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// One invalid field.
    pub fn invalid_field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Domain(DomainError::Invalid(vec![FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }]))
    }

    /// Whether the request was refused (what it asked for is invalid, unknown or conflicting),
    /// as opposed to the service failing it: in a batch, a refusal is one item's outcome and
    /// a failure is the whole call's.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Domain(_) | Self::NotFound(_) | Self::Conflict { .. }
        )
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { code, message } => Self::Conflict { code, message },
            StoreError::Domain(domain) => Self::Domain(domain),
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            other @ (StoreError::Database(_) | StoreError::Corrupt { .. }) => {
                Self::Internal(other.to_string())
            }
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        StoreError::from(error).into()
    }
}

impl From<r2d2::Error> for AppError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::from(error).into()
    }
}
