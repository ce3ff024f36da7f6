//! Errors the domain reports: field-level problems of an input, and broken business rules.

use serde::Serialize;

use crate::codes;

/// Why one value was rejected: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub code: &'static str,
    pub message: String,
}

impl ValueError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// One problem with one field of an input, e.g. `country` / `unknown_country`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `members[2].subject`.
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Collects every field problem of one input, so the caller learns all of them in one answer.
/// Past [`FieldErrors::MAX_LISTED`] problems are counted rather than listed, so that the answer
/// to a hostile input stays small.
#[derive(Debug, Default)]
pub struct FieldErrors {
    listed: Vec<FieldError>,
    unlisted: usize,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub const MAX_LISTED: usize = 100;

    pub fn add(&mut self, field: impl Into<String>, error: ValueError) {
        if self.listed.len() == Self::MAX_LISTED {
            self.unlisted += 1;
            return;
        }
        self.listed.push(FieldError {
            field: field.into(),
            code: error.code,
            message: error.message,
        });
    }

    /// Keeps the value when it parsed, records the problem under `field` when it did not.
    pub fn take<T>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, ValueError>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else every recorded problem.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    pub fn into_error(mut self) -> DomainError {
        if self.unlisted > 0 {
            self.listed.push(FieldError {
                field: "body".to_owned(),
                code: codes::MORE_ERRORS,
                message: format!("{} more problems are not listed", self.unlisted),
            });
        }
        DomainError::Invalid(self.listed)
    }
}

/// A decision the domain refused, with a stable code the API maps to an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input broke field rules; every broken rule is listed.
    #[error("invalid: {}", list_fields(.0))]
    Invalid(Vec<FieldError>),
    /// The caller's copy is older than the stored one (optimistic concurrency).
    #[error("the resource has changed; it is now at version {current} (ETag \"{current}\")")]
    StaleVersion { current: i64 },
    /// The change is not possible in the resource's current state.
    #[error("{message}")]
    StateConflict { code: &'static str, message: String },
    /// The caller may see the resource but this rule bars them from the change (a conflicted
    /// committee member voting).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Something the command names does not exist, or is not the caller's to know of.
    #[error("{0} does not exist")]
    NotFound(&'static str),
}

fn list_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("`{}` {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl DomainError {
    /// The stable, documented code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => codes::VALIDATION_FAILED,
            Self::StaleVersion { .. } => codes::STALE_VERSION,
            Self::StateConflict { code, .. } | Self::Forbidden { code, .. } => code,
            Self::NotFound(_) => codes::NOT_FOUND,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_problems_is_listed_up_to_the_limit_and_counted_beyond() {
        let mut errors = FieldErrors::new();
        for index in 0..1_000 {
            errors.add(format!("items[{index}]"), ValueError::new("invalid", "bad"));
        }
        let DomainError::Invalid(listed) = errors.into_error() else {
            panic!("invalid");
        };
        assert_eq!(listed.len(), FieldErrors::MAX_LISTED + 1);
        assert_eq!(listed[FieldErrors::MAX_LISTED].code, "more_errors");
        assert!(
            listed[FieldErrors::MAX_LISTED]
                .message
                .starts_with("900 more")
        );
    }
}
