//! Typed identifiers: a `PublisherId` cannot be passed where a `CommitteeId` is expected.
//!
//! Ids are UUIDv7, so they sort by creation time; that ordering is what cursor pagination uses.
//! They are accepted only in the canonical form hdab writes (lower-case, hyphenated): one id has
//! one spelling, so a log, a cache key or a proxy rule that matches an id cannot be sidestepped
//! with `{...}`, `urn:uuid:...`, upper case or the unhyphenated form.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValueError;
use crate::codes;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(into = "String", try_from = "String")]
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
                parse_canonical_uuid(input).map(Self).map_err(|_| {
                    ValueError::new(
                        codes::INVALID_ID,
                        concat!("must be a ", $what, " id (a lower-case hyphenated UUID)"),
                    )
                })
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(input: String) -> Result<Self, String> {
                Self::parse(&input).map_err(|e| e.message)
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

/// Parses a UUID written the one way hdab writes it: 36 characters, lower-case hex, hyphenated.
pub fn parse_canonical_uuid(input: &str) -> Result<Uuid, ValueError> {
    let invalid = || ValueError::new(codes::INVALID_ID, "must be a lower-case hyphenated UUID");
    let uuid = Uuid::try_parse(input).map_err(|_| invalid())?;
    let mut canonical = [0; uuid::fmt::Hyphenated::LENGTH];
    if &*uuid.hyphenated().encode_lower(&mut canonical) == input {
        Ok(uuid)
    } else {
        Err(invalid())
    }
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
    /// An access application or data request.
    ApplicationId,
    "application"
);
typed_id!(
    /// A data permit issued from an approved access application.
    PermitId,
    "permit"
);
typed_id!(
    /// A catalogue hdab harvests.
    HarvestSourceId,
    "harvest source"
);
typed_id!(
    /// A webhook subscription.
    WebhookId,
    "webhook"
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
    fn only_the_canonical_spelling_of_an_id_is_accepted() {
        let id = DatasetId::generate().to_string();
        assert!(DatasetId::parse(&id).is_ok());
        let simple: String = id.chars().filter(|c| *c != '-').collect();
        for variant in [
            id.to_uppercase(),
            format!("{{{id}}}"),
            format!("urn:uuid:{id}"),
            simple,
            format!(" {id}"),
        ] {
            assert_eq!(
                DatasetId::parse(&variant).map_err(|e| e.code),
                Err("invalid_id"),
                "{variant}"
            );
        }
    }

    #[test]
    fn ids_in_json_are_checked_the_same_way() {
        let id = PublisherId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<PublisherId>(&json).unwrap(), id);
        let upper = json.to_uppercase();
        assert!(serde_json::from_str::<PublisherId>(&upper).is_err());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = PublisherId::generate();
        let second = PublisherId::generate();
        assert!(first < second);
    }
}
