//! Optimistic concurrency: a change names the version(s) it was based on, and is refused when
//! someone else changed the resource meanwhile, so no one's change is silently lost.

use crate::DomainError;

/// What the caller's `If-Match` asks of the stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: any stored version (the resource only has to exist).
    Any,
    /// One of these versions; empty when the caller named only tags that can never match.
    OneOf(Vec<i64>),
}

/// `Ok` when the stored version `current` satisfies the caller's precondition.
pub fn check(current: i64, precondition: &Precondition) -> Result<(), DomainError> {
    match precondition {
        Precondition::Any => Ok(()),
        Precondition::OneOf(versions) if versions.contains(&current) => Ok(()),
        Precondition::OneOf(_) => Err(DomainError::StaleVersion { current }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_based_on_an_older_version_is_refused() {
        assert_eq!(check(3, &Precondition::OneOf(vec![3])), Ok(()));
        assert_eq!(
            check(4, &Precondition::OneOf(vec![3])),
            Err(DomainError::StaleVersion { current: 4 })
        );
        assert_eq!(
            check(4, &Precondition::OneOf(vec![])),
            Err(DomainError::StaleVersion { current: 4 })
        );
    }

    #[test]
    fn a_wildcard_accepts_any_version() {
        assert_eq!(check(7, &Precondition::Any), Ok(()));
    }
}
