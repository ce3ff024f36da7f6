//! Who may follow an event in the change feed: the public catalogue for everyone (publishers,
//! committees, and datasets once published), a dataset's drafts for the data holders of its
//! publisher, everything else (applications, permits, opt-outs, keys) for admins. The rule
//! reads only what it needs of a payload, so following the feed stays cheap.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::EventKind;
use crate::ids::PublisherId;

/// Who may see an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// The data holders acting for this publisher (and admins).
    DataHoldersOf(PublisherId),
    Admins,
}

/// The audience of an event of `kind` with the stored `payload`. A payload that does not read
/// (of a first release, or damaged) is for admins only.
pub fn audience(kind: EventKind, payload: &str) -> Audience {
    match kind.entity_type() {
        "publisher" | "committee" => Audience::Everyone,
        "dataset" => dataset_audience(payload).unwrap_or(Audience::Admins),
        _ => Audience::Admins,
    }
}

#[derive(Deserialize)]
struct DatasetEnvelope {
    data: DatasetShape,
}

/// The two fields of a dataset the rule needs; serde skips the rest.
#[derive(Deserialize)]
struct DatasetShape {
    issued_at: Option<DateTime<Utc>>,
    details: DetailsShape,
}

#[derive(Deserialize)]
struct DetailsShape {
    publisher_id: PublisherId,
}

/// A dataset event is public once the dataset was ever published (its later updates and its
/// withdrawal too); a draft's events are its data holders'.
fn dataset_audience(payload: &str) -> Option<Audience> {
    let envelope: DatasetEnvelope = serde_json::from_str(payload).ok()?;
    Some(match envelope.data.issued_at {
        Some(_) => Audience::Everyone,
        None => Audience::DataHoldersOf(envelope.data.details.publisher_id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(issued_at: Option<&str>) -> String {
        let publisher = PublisherId::from_uuid(uuid::Uuid::from_u128(7));
        serde_json::json!({"v": 1, "data": {"issued_at": issued_at, "status": "draft", "details": {"publisher_id": publisher, "title": {"en": "x"}}}}).to_string()
    }

    #[test]
    fn a_published_datasets_events_are_public_and_a_drafts_are_its_holders() {
        let publisher = PublisherId::from_uuid(uuid::Uuid::from_u128(7));
        assert_eq!(
            audience(
                EventKind::DatasetUpdated,
                &dataset(Some("2026-12-03T10:00:00Z"))
            ),
            Audience::Everyone
        );
        assert_eq!(
            audience(EventKind::DatasetCreated, &dataset(None)),
            Audience::DataHoldersOf(publisher)
        );
    }

    #[test]
    fn organisations_are_public_and_the_access_half_is_for_admins() {
        assert_eq!(
            audience(EventKind::PublisherCreated, "{}"),
            Audience::Everyone
        );
        assert_eq!(
            audience(EventKind::CommitteeUpdated, "{}"),
            Audience::Everyone
        );
        for kind in [
            EventKind::ApplicationSubmitted,
            EventKind::PermitIssued,
            EventKind::OptOutsRecorded,
            EventKind::PermitKeyRotated,
        ] {
            assert_eq!(audience(kind, "{}"), Audience::Admins, "{kind}");
        }
        assert_eq!(
            audience(EventKind::DatasetCreated, "not json"),
            Audience::Admins,
            "an unreadable dataset payload is not shown"
        );
    }
}
