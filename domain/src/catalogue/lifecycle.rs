//! A dataset's lifecycle: draft, published, withdrawn; replaced and re-confirmed (EHDS Art
//! 60) along the way. Each command returns the next state and the event that records it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{DatasetDetails, RECONFIRMATION_INTERVAL_DAYS};
use crate::codes;
use crate::event::Event;
use crate::ids::DatasetId;
use crate::version::{self, Precondition};
use crate::{DomainError, FieldError, code_enum};

code_enum!(
    /// Where a dataset is in its lifecycle. Only published datasets are searchable; a withdrawn
    /// one stays readable by id, so links and permits that name it keep working.
    DatasetStatus, codes::UNKNOWN_STATUS {
        Draft = "draft",
        Published = "published",
        Withdrawn = "withdrawn",
    }
);

/// A change of lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Publish,
    Withdraw,
}

impl DatasetStatus {
    /// The state after `action`, or why it is not possible: a published dataset cannot be
    /// published again, nor a withdrawn one withdrawn again.
    pub fn after(self, action: Lifecycle) -> Result<DatasetStatus, DomainError> {
        match (self, action) {
            (Self::Draft | Self::Withdrawn, Lifecycle::Publish) => Ok(Self::Published),
            (Self::Draft | Self::Published, Lifecycle::Withdraw) => Ok(Self::Withdrawn),
            (Self::Published, Lifecycle::Publish) => Err(DomainError::StateConflict {
                code: codes::ALREADY_PUBLISHED,
                message: "the dataset is already published".into(),
            }),
            (Self::Withdrawn, Lifecycle::Withdraw) => Err(DomainError::StateConflict {
                code: codes::ALREADY_WITHDRAWN,
                message: "the dataset is already withdrawn".into(),
            }),
        }
    }
}

/// A stored dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub id: DatasetId,
    pub details: DatasetDetails,
    pub status: DatasetStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    /// When it was first published (`dct:issued`).
    pub issued_at: Option<DateTime<Utc>>,
    /// When its holder last confirmed the description is current (EHDS Art 60).
    pub confirmed_at: DateTime<Utc>,
}

/// A dataset's IRI under the catalogue at `base_url`: where it is read, what RDF names it
/// and what a visa grants.
pub fn dataset_iri(base_url: &str, id: DatasetId) -> String {
    format!("{base_url}/api/v1/datasets/{id}")
}

impl Dataset {
    /// A new dataset at version 1, created and confirmed `now`, and issued `now` when it
    /// starts out published (bulk imports) rather than as a draft.
    pub fn new(
        id: DatasetId,
        details: DatasetDetails,
        status: DatasetStatus,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            details,
            status,
            version: 1,
            created_at: now,
            modified_at: now,
            issued_at: (status == DatasetStatus::Published).then_some(now),
            confirmed_at: now,
        }
    }

    /// Whether the holder has not re-confirmed the description within a year (EHDS Art 60).
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now - self.confirmed_at > Duration::days(RECONFIRMATION_INTERVAL_DAYS)
    }

    /// When what is said of the dataset last changed as of `now`: its description, its
    /// confirmation, or its becoming stale.
    pub fn changed_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let stale_since = self.confirmed_at + Duration::days(RECONFIRMATION_INTERVAL_DAYS);
        let mut changed = self.modified_at.max(self.confirmed_at);
        if self.is_stale(now) {
            changed = changed.max(stale_since);
        }
        changed
    }
}

impl Dataset {
    /// A new draft and its event.
    pub fn draft(id: DatasetId, details: DatasetDetails, now: DateTime<Utc>) -> (Self, Event) {
        let dataset = Self::new(id, details, DatasetStatus::Draft, now);
        (dataset.clone(), Event::DatasetCreated(dataset))
    }

    /// A dataset added straight into the catalogue (seeds, bulk loads), and its event.
    pub fn import_published(
        id: DatasetId,
        details: DatasetDetails,
        now: DateTime<Utc>,
    ) -> (Self, Event) {
        let dataset = Self::new(id, details, DatasetStatus::Published, now);
        (dataset.clone(), Event::DatasetPublished(dataset))
    }

    /// The dataset with `details` instead, if the caller's copy is current. A holder's
    /// replacement re-confirms the description (Art 60); it cannot move to another publisher.
    pub fn replace(
        &self,
        details: DatasetDetails,
        precondition: &Precondition,
        now: DateTime<Utc>,
    ) -> Result<(Self, Event), DomainError> {
        version::check(self.version, precondition)?;
        if details.publisher_id != self.details.publisher_id {
            return Err(DomainError::Invalid(vec![FieldError {
                field: "publisher_id".into(),
                code: codes::IMMUTABLE,
                message: "a dataset cannot move to another publisher".into(),
            }]));
        }
        let next = Self {
            details,
            version: self.version + 1,
            modified_at: now,
            confirmed_at: now,
            ..self.clone()
        };
        Ok((next.clone(), Event::DatasetUpdated(next)))
    }

    /// The dataset published or withdrawn. Publishing issues it (once) and re-confirms it.
    pub fn change_status(
        &self,
        action: Lifecycle,
        now: DateTime<Utc>,
    ) -> Result<(Self, Event), DomainError> {
        let status = self.status.after(action)?;
        let (issued_at, confirmed_at) = match action {
            Lifecycle::Publish => (self.issued_at.or(Some(now)), now),
            Lifecycle::Withdraw => (self.issued_at, self.confirmed_at),
        };
        let next = Self {
            status,
            version: self.version + 1,
            modified_at: now,
            issued_at,
            confirmed_at,
            ..self.clone()
        };
        let event = match action {
            Lifecycle::Publish => Event::DatasetPublished(next.clone()),
            Lifecycle::Withdraw => Event::DatasetWithdrawn(next.clone()),
        };
        Ok((next, event))
    }

    /// The holder confirms the description is still current (Art 60).
    pub fn confirm(&self, now: DateTime<Utc>) -> (Self, Event) {
        let next = Self {
            version: self.version + 1,
            confirmed_at: now,
            ..self.clone()
        };
        (next.clone(), Event::DatasetConfirmed(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::details;
    use crate::ids::PublisherId;
    use chrono::Utc;

    #[test]
    fn a_replacement_is_a_new_version_and_a_confirmation_art_60() {
        let created = Utc::now() - Duration::days(30);
        let description = details();
        let (draft, event) = Dataset::draft(DatasetId::generate(), description.clone(), created);
        assert_eq!(event, Event::DatasetCreated(draft.clone()));
        let now = Utc::now();
        let (next, event) = draft
            .replace(description.clone(), &Precondition::OneOf(vec![1]), now)
            .unwrap();
        assert_eq!(
            (next.version, next.modified_at, next.confirmed_at),
            (2, now, now)
        );
        assert_eq!(event, Event::DatasetUpdated(next.clone()));
        let stale = draft.replace(description, &Precondition::OneOf(vec![7]), now);
        assert_eq!(stale.unwrap_err(), DomainError::StaleVersion { current: 1 });
    }

    #[test]
    fn a_dataset_stays_with_its_publisher() {
        let (draft, _) = Dataset::draft(DatasetId::generate(), details(), Utc::now());
        let mut fields: super::super::DatasetDraft = draft.details.clone().into();
        fields.publisher_id = PublisherId::generate();
        let moved = DatasetDetails::new(fields).unwrap();
        let refused = draft
            .replace(moved, &Precondition::Any, Utc::now())
            .unwrap_err();
        assert_eq!(refused.code(), "validation_failed");
    }

    #[test]
    fn publishing_issues_once_and_withdrawing_keeps_the_issue_date() {
        let start = Utc::now() - Duration::days(2);
        let (draft, _) = Dataset::draft(DatasetId::generate(), details(), start);
        let published_at = start + Duration::days(1);
        let (published, event) = draft
            .change_status(Lifecycle::Publish, published_at)
            .unwrap();
        assert_eq!(published.issued_at, Some(published_at));
        assert!(matches!(event, Event::DatasetPublished(_)));
        let (withdrawn, event) = published
            .change_status(Lifecycle::Withdraw, Utc::now())
            .unwrap();
        assert_eq!(withdrawn.issued_at, Some(published_at));
        assert_eq!(withdrawn.version, 3);
        assert!(matches!(event, Event::DatasetWithdrawn(_)));
        let (confirmed, event) = withdrawn.confirm(Utc::now());
        assert_eq!(confirmed.version, 4);
        assert!(matches!(event, Event::DatasetConfirmed(_)));
    }
}
