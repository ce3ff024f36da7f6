//! What hdab records: every state change is one [`Event`], chained into the log ([`chain`]).
//!
//! Each event is one variant per `entity.action`, its payload made of domain values. It is
//! written as `{"v": 1, "data": ...}`: the hash chain keeps a payload's text for ever, so the
//! version says which shape a reader is looking at, and a later shape can be read beside this
//! one. Payloads written before versions existed (the wire views of the first releases) have
//! no `v`; they still verify (the chain hashes the stored text) and followers still know them
//! by their [`EventKind`], but [`Event::read`] reports them as [`ReadError::Unversioned`].

pub mod audience;
mod chain;

pub use chain::{ChainHead, ChainedEvent, GENESIS_HASH, LinkBreak, NewEvent, chain, check_link};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::applications::ApplicationEvent;
use crate::catalogue::Dataset;
use crate::code_enum;
use crate::codes;
use crate::committee::Committee;
use crate::harvest::HarvestSource;
use crate::ids::{CommitteeId, PublisherId};
use crate::permits::optout::{OptOutBatch, OptOutCheck};
use crate::permits::{Permit, PermitChange};
use crate::publisher::Publisher;
use crate::values::Name;
use crate::webhooks::Subscription;

/// The payload shape events are written in now.
pub const PAYLOAD_VERSION: u32 = 1;

code_enum!(
    /// What happened, as the log's `action` column names it: `<entity>.<verb>`.
    EventKind, codes::UNKNOWN_EVENT_KIND {
        PublisherCreated = "publisher.created",
        PublisherUpdated = "publisher.updated",
        PublisherDeleted = "publisher.deleted",
        CommitteeCreated = "committee.created",
        CommitteeUpdated = "committee.updated",
        CommitteeDeleted = "committee.deleted",
        DatasetCreated = "dataset.created",
        DatasetUpdated = "dataset.updated",
        DatasetPublished = "dataset.published",
        DatasetWithdrawn = "dataset.withdrawn",
        DatasetConfirmed = "dataset.confirmed",
        ApplicationCreated = "application.created",
        ApplicationUpdated = "application.updated",
        ApplicationSubmitted = "application.submitted",
        ApplicationAccepted = "application.accepted",
        ApplicationReturned = "application.returned",
        ApplicationResubmitted = "application.resubmitted",
        ApplicationWithdrawn = "application.withdrawn",
        ApplicationCommented = "application.commented",
        ApplicationConflictDeclared = "application.conflict_declared",
        ApplicationVoteCast = "application.vote_cast",
        ApplicationPartDecided = "application.part_decided",
        ApplicationApproved = "application.approved",
        ApplicationPartiallyApproved = "application.partially_approved",
        ApplicationRefused = "application.refused",
        ApplicationExtended = "application.extended",
        ApplicationDeadlineApproaching = "application.deadline_approaching",
        ApplicationOverdue = "application.overdue",
        PermitIssued = "permit.issued",
        PermitSuspended = "permit.suspended",
        PermitReinstated = "permit.reinstated",
        PermitRevoked = "permit.revoked",
        PermitExtensionRequested = "permit.extension_requested",
        PermitExtensionDecided = "permit.extension_decided",
        PermitAmended = "permit.amended",
        PermitExpired = "permit.expired",
        PermitClosed = "permit.closed",
        PermitOptOutChecked = "permit.optout_checked",
        OptOutsRecorded = "optout.recorded",
        PermitKeyRotated = "permit_key.rotated",
        HarvestSourceCreated = "harvest_source.created",
        HarvestSourceUpdated = "harvest_source.updated",
        HarvestSourceDeleted = "harvest_source.deleted",
        WebhookCreated = "webhook.created",
        WebhookDeleted = "webhook.deleted",
    }
);

impl EventKind {
    /// The kind of entity the event is about: the part of the action before the dot.
    pub fn entity_type(self) -> &'static str {
        let action = self.as_str();
        action.split_once('.').map_or(action, |(entity, _)| entity)
    }
}

/// What is left of a deleted organisation in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted<Id> {
    pub id: Id,
    pub name: Name,
}

/// One state change, with the state after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    PublisherCreated(Publisher),
    PublisherUpdated(Publisher),
    PublisherDeleted(Deleted<PublisherId>),
    CommitteeCreated(Committee),
    CommitteeUpdated(Committee),
    CommitteeDeleted(Deleted<CommitteeId>),
    DatasetCreated(Dataset),
    DatasetUpdated(Dataset),
    DatasetPublished(Dataset),
    DatasetWithdrawn(Dataset),
    DatasetConfirmed(Dataset),
    /// Every change of an application; its kind comes from the change.
    Application(ApplicationEvent),
    /// A permit's change, with the permit after it.
    Permit(PermitChange, Permit),
    OptOutChecked(OptOutCheck),
    OptOutsRecorded(OptOutBatch),
    PermitKeyRotated(PermitKeyRotation),
    HarvestSourceCreated(HarvestSource),
    HarvestSourceUpdated(HarvestSource),
    HarvestSourceDeleted(HarvestSource),
    WebhookCreated(Subscription),
    WebhookDeleted(Subscription),
}

/// A new permit-signing key made current; its public key is in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitKeyRotation {
    pub kid: String,
    /// The key it replaces as the current one, if any.
    pub retired_kid: Option<String>,
}

#[derive(Serialize)]
struct Envelope<'a, T> {
    v: u32,
    data: &'a T,
}

#[derive(Deserialize)]
struct RawEnvelope {
    v: Option<u32>,
    data: Option<serde_json::Value>,
}

/// Why a stored payload does not read as an [`Event`].
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the payload predates versioned events")]
    Unversioned,
    #[error("payload version {0} is unknown to this hdab")]
    UnknownVersion(u32),
    #[error("the payload does not read as a {kind}: {reason}")]
    Malformed { kind: &'static str, reason: String },
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Self::PublisherCreated(_) => EventKind::PublisherCreated,
            Self::PublisherUpdated(_) => EventKind::PublisherUpdated,
            Self::PublisherDeleted(_) => EventKind::PublisherDeleted,
            Self::CommitteeCreated(_) => EventKind::CommitteeCreated,
            Self::CommitteeUpdated(_) => EventKind::CommitteeUpdated,
            Self::CommitteeDeleted(_) => EventKind::CommitteeDeleted,
            Self::DatasetCreated(_) => EventKind::DatasetCreated,
            Self::DatasetUpdated(_) => EventKind::DatasetUpdated,
            Self::DatasetPublished(_) => EventKind::DatasetPublished,
            Self::DatasetWithdrawn(_) => EventKind::DatasetWithdrawn,
            Self::DatasetConfirmed(_) => EventKind::DatasetConfirmed,
            Self::Application(event) => event.change.kind(),
            Self::Permit(change, _) => permit_kind(*change),
            Self::OptOutChecked(_) => EventKind::PermitOptOutChecked,
            Self::OptOutsRecorded(_) => EventKind::OptOutsRecorded,
            Self::PermitKeyRotated(_) => EventKind::PermitKeyRotated,
            Self::HarvestSourceCreated(_) => EventKind::HarvestSourceCreated,
            Self::HarvestSourceUpdated(_) => EventKind::HarvestSourceUpdated,
            Self::HarvestSourceDeleted(_) => EventKind::HarvestSourceDeleted,
            Self::WebhookCreated(_) => EventKind::WebhookCreated,
            Self::WebhookDeleted(_) => EventKind::WebhookDeleted,
        }
    }

    /// The id of the entity the event is about.
    pub fn entity_id(&self) -> String {
        match self {
            Self::PublisherCreated(p) | Self::PublisherUpdated(p) => p.id.to_string(),
            Self::PublisherDeleted(d) => d.id.to_string(),
            Self::CommitteeCreated(c) | Self::CommitteeUpdated(c) => c.id.to_string(),
            Self::CommitteeDeleted(d) => d.id.to_string(),
            Self::DatasetCreated(d)
            | Self::DatasetUpdated(d)
            | Self::DatasetPublished(d)
            | Self::DatasetWithdrawn(d)
            | Self::DatasetConfirmed(d) => d.id.to_string(),
            Self::Application(event) => event.application_id.to_string(),
            Self::Permit(_, permit) => permit.id.to_string(),
            Self::OptOutChecked(check) => check.permit_id.to_string(),
            Self::OptOutsRecorded(batch) => batch.batch_id.to_string(),
            Self::PermitKeyRotated(rotation) => rotation.kid.clone(),
            Self::HarvestSourceCreated(s)
            | Self::HarvestSourceUpdated(s)
            | Self::HarvestSourceDeleted(s) => s.id.to_string(),
            Self::WebhookCreated(w) | Self::WebhookDeleted(w) => w.id.to_string(),
        }
    }

    /// The event as the log records it.
    pub fn to_record(&self) -> Result<NewEvent, serde_json::Error> {
        fn versioned<T: Serialize>(data: &T) -> Result<String, serde_json::Error> {
            serde_json::to_string(&Envelope {
                v: PAYLOAD_VERSION,
                data,
            })
        }
        let payload = match self {
            Self::PublisherCreated(p) | Self::PublisherUpdated(p) => versioned(p),
            Self::PublisherDeleted(d) => versioned(d),
            Self::CommitteeCreated(c) | Self::CommitteeUpdated(c) => versioned(c),
            Self::CommitteeDeleted(d) => versioned(d),
            Self::DatasetCreated(d)
            | Self::DatasetUpdated(d)
            | Self::DatasetPublished(d)
            | Self::DatasetWithdrawn(d)
            | Self::DatasetConfirmed(d) => versioned(d),
            Self::Application(event) => versioned(event),
            Self::Permit(_, permit) => versioned(permit),
            Self::OptOutChecked(check) => versioned(check),
            Self::OptOutsRecorded(batch) => versioned(batch),
            Self::PermitKeyRotated(rotation) => versioned(rotation),
            Self::HarvestSourceCreated(s)
            | Self::HarvestSourceUpdated(s)
            | Self::HarvestSourceDeleted(s) => versioned(s),
            Self::WebhookCreated(w) | Self::WebhookDeleted(w) => versioned(w),
        }?;
        let kind = self.kind();
        Ok(NewEvent {
            action: kind.as_str(),
            entity_type: kind.entity_type(),
            entity_id: self.entity_id(),
            payload,
        })
    }

    /// Reads a stored payload of `kind` back.
    pub fn read(kind: EventKind, payload: &str) -> Result<Self, ReadError> {
        let malformed = |reason: String| ReadError::Malformed {
            kind: kind.as_str(),
            reason,
        };
        let envelope: RawEnvelope =
            serde_json::from_str(payload).map_err(|e| malformed(e.to_string()))?;
        let data = match (envelope.v, envelope.data) {
            (None, _) => return Err(ReadError::Unversioned),
            (Some(PAYLOAD_VERSION), Some(data)) => data,
            (Some(PAYLOAD_VERSION), None) => return Err(malformed("no `data`".into())),
            (Some(other), _) => return Err(ReadError::UnknownVersion(other)),
        };
        fn data_as<T: DeserializeOwned>(data: serde_json::Value) -> Result<T, serde_json::Error> {
            serde_json::from_value(data)
        }
        let event = match kind {
            EventKind::PublisherCreated => data_as(data).map(Self::PublisherCreated),
            EventKind::PublisherUpdated => data_as(data).map(Self::PublisherUpdated),
            EventKind::PublisherDeleted => data_as(data).map(Self::PublisherDeleted),
            EventKind::CommitteeCreated => data_as(data).map(Self::CommitteeCreated),
            EventKind::CommitteeUpdated => data_as(data).map(Self::CommitteeUpdated),
            EventKind::CommitteeDeleted => data_as(data).map(Self::CommitteeDeleted),
            EventKind::DatasetCreated => data_as(data).map(Self::DatasetCreated),
            EventKind::DatasetUpdated => data_as(data).map(Self::DatasetUpdated),
            EventKind::DatasetPublished => data_as(data).map(Self::DatasetPublished),
            EventKind::DatasetWithdrawn => data_as(data).map(Self::DatasetWithdrawn),
            EventKind::DatasetConfirmed => data_as(data).map(Self::DatasetConfirmed),
            EventKind::PermitOptOutChecked => data_as(data).map(Self::OptOutChecked),
            EventKind::OptOutsRecorded => data_as(data).map(Self::OptOutsRecorded),
            EventKind::PermitKeyRotated => data_as(data).map(Self::PermitKeyRotated),
            EventKind::HarvestSourceCreated => data_as(data).map(Self::HarvestSourceCreated),
            EventKind::HarvestSourceUpdated => data_as(data).map(Self::HarvestSourceUpdated),
            EventKind::HarvestSourceDeleted => data_as(data).map(Self::HarvestSourceDeleted),
            EventKind::WebhookCreated => data_as(data).map(Self::WebhookCreated),
            EventKind::WebhookDeleted => data_as(data).map(Self::WebhookDeleted),
            kind if kind.entity_type() == "permit" => {
                let change =
                    PermitChange::parse(kind.as_str()).map_err(|e| malformed(e.message.clone()))?;
                data_as(data).map(|permit| Self::Permit(change, permit))
            }
            application => {
                let event: ApplicationEvent =
                    data_as(data).map_err(|e| malformed(e.to_string()))?;
                if event.change.kind() != application {
                    return Err(malformed(format!(
                        "the payload records `{}`",
                        event.change.kind()
                    )));
                }
                Ok(Self::Application(event))
            }
        };
        event.map_err(|e| malformed(e.to_string()))
    }
}

/// The log's kind of a permit change: the same `permit.<verb>` name.
fn permit_kind(change: PermitChange) -> EventKind {
    match change {
        PermitChange::Issued => EventKind::PermitIssued,
        PermitChange::Suspended => EventKind::PermitSuspended,
        PermitChange::Reinstated => EventKind::PermitReinstated,
        PermitChange::Revoked => EventKind::PermitRevoked,
        PermitChange::ExtensionRequested => EventKind::PermitExtensionRequested,
        PermitChange::ExtensionDecided => EventKind::PermitExtensionDecided,
        PermitChange::Amended => EventKind::PermitAmended,
        PermitChange::Expired => EventKind::PermitExpired,
        PermitChange::Closed => EventKind::PermitClosed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publisher::{OrganisationType, PublisherDetails};
    use crate::values::{CountryCode, Email};
    use chrono::Utc;

    fn publisher() -> Publisher {
        let details = PublisherDetails {
            name: Name::parse("Hospital Clínic").unwrap(),
            country: CountryCode::parse("ES").unwrap(),
            organisation_type: OrganisationType::Academic,
            homepage: None,
            contact_email: Email::parse("dac@example.org").unwrap(),
            trusted_data_holder: true,
        };
        Publisher::register(PublisherId::generate(), details, Utc::now()).0
    }

    #[test]
    fn an_event_reads_back_as_it_was_recorded() {
        let event = Event::PublisherUpdated(publisher());
        let record = event.to_record().unwrap();
        assert_eq!(record.action, "publisher.updated");
        assert_eq!(record.entity_type, "publisher");
        assert!(
            record.payload.starts_with(r#"{"v":1,"data":"#),
            "{}",
            record.payload
        );
        let kind = EventKind::parse(record.action).unwrap();
        assert_eq!(Event::read(kind, &record.payload).unwrap(), event);
    }

    #[test]
    fn payloads_of_the_first_releases_are_known_as_unversioned() {
        let wire_view = r#"{"id":"x","name":"Hospital Clínic","version":1}"#;
        assert!(matches!(
            Event::read(EventKind::PublisherCreated, wire_view),
            Err(ReadError::Unversioned)
        ));
        assert!(matches!(
            Event::read(EventKind::PublisherCreated, r#"{"v":2,"data":{}}"#),
            Err(ReadError::UnknownVersion(2))
        ));
    }

    #[test]
    fn every_permit_change_is_the_log_kind_of_the_same_name() {
        for change in PermitChange::ALL {
            assert_eq!(permit_kind(*change).as_str(), change.as_str());
        }
    }

    #[test]
    fn every_kind_names_its_entity() {
        assert_eq!(EventKind::DatasetWithdrawn.entity_type(), "dataset");
        assert_eq!(EventKind::CommitteeDeleted.entity_type(), "committee");
        assert_eq!(
            EventKind::parse("dataset.confirmed"),
            Ok(EventKind::DatasetConfirmed)
        );
    }
}
