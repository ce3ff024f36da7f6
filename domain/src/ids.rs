//! Typed identifiers: a `PublisherId` cannot be passed where a `CommitteeId` is expected.
//!
//! Ids are UUIDv7, so they sort by creation time; that ordering is what cursor pagination uses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValueError;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new id from the clock and randomness; the only impure function of its kind,
            /// called by the shell, never by a rule.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            pub fn parse(input: &str) -> Result<Self, ValueError> {
                Uuid::parse_str(input).map(Self).map_err(|_| {
                    ValueError::new("invalid_id", concat!("must be a ", $what, " id (a UUID)"))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::parse(input)
            }
        }
    };
}

typed_id!(
    /// A data holder organisation that publishes datasets.
    PublisherId,
    "publisher"
);
typed_id!(
    /// A data-access committee that reviews applications.
    CommitteeId,
    "committee"
);
typed_id!(
    /// A dataset in the catalogue.
    DatasetId,
    "dataset"
);
typed_id!(
    /// One entry of the event log.
    EventId,
    "event"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = PublisherId::generate();
        assert_eq!(PublisherId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn rejects_text_that_is_not_a_uuid() {
        let error = CommitteeId::parse("committee-1").unwrap_err();
        assert_eq!(error.code, "invalid_id");
        assert!(error.message.contains("committee"));
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = PublisherId::generate();
        let second = PublisherId::generate();
        assert!(first < second);
    }
}
