//! Optimistic concurrency: a change names the version it was based on, and is refused when
//! someone else changed the resource meanwhile, so no one's change is silently lost.

use crate::DomainError;

/// `Ok` when the caller's copy (`expected`) is the stored version (`current`).
pub fn check(current: i64, expected: i64) -> Result<(), DomainError> {
    if current == expected {
        Ok(())
    } else {
        Err(DomainError::StaleVersion { expected, current })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_based_on_an_older_version_is_refused() {
        assert_eq!(check(3, 3), Ok(()));
        assert_eq!(
            check(4, 3),
            Err(DomainError::StaleVersion {
                expected: 3,
                current: 4
            })
        );
    }
}
