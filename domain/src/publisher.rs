//! Publishers: the data holders whose datasets the catalogue describes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::code_enum;
use crate::codes;
use crate::event::{Deleted, Event};
use crate::ids::PublisherId;
use crate::values::{CountryCode, Email, HttpUrl, Name};
use crate::version::{self, Precondition};

code_enum!(
    /// The legal kind of an organisation. EHDS Art 53(2) reserves purposes (a) to (c) to public
    /// sector bodies and Union institutions, so every applicant organisation carries one.
    OrganisationType, codes::UNKNOWN_ORGANISATION_TYPE {
        PublicSectorBody = "public_sector_body",
        UnionInstitution = "union_institution",
        Academic = "academic",
        NonProfit = "non_profit",
        Commercial = "commercial",
    }
);

impl OrganisationType {
    /// Public sector bodies and Union institutions (EHDS Art 53(2)).
    pub fn is_public_sector(self) -> bool {
        matches!(self, Self::PublicSectorBody | Self::UnionInstitution)
    }
}

/// What a caller says about a publisher, already valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherDetails {
    pub name: Name,
    pub country: CountryCode,
    pub organisation_type: OrganisationType,
    pub homepage: Option<HttpUrl>,
    pub contact_email: Email,
    /// Granted trusted-data-holder status under EHDS Art 72.
    pub trusted_data_holder: bool,
}

/// A stored publisher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    pub id: PublisherId,
    pub details: PublisherDetails,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Publisher {
    /// A newly registered publisher and its event.
    pub fn register(
        id: PublisherId,
        details: PublisherDetails,
        now: DateTime<Utc>,
    ) -> (Self, Event) {
        let publisher = Self {
            id,
            details,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        (publisher.clone(), Event::PublisherCreated(publisher))
    }

    /// The publisher with `details` instead, if the caller's copy is current.
    pub fn replace(
        &self,
        details: PublisherDetails,
        precondition: &Precondition,
        now: DateTime<Utc>,
    ) -> Result<(Self, Event), DomainError> {
        version::check(self.version, precondition)?;
        let next = Self {
            details,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        };
        Ok((next.clone(), Event::PublisherUpdated(next)))
    }

    /// The deletion's event, if nothing refers to the publisher any more: a publisher that
    /// committees serve or that holds datasets stays.
    pub fn delete(
        &self,
        precondition: &Precondition,
        serving_committees: u64,
        datasets: u64,
    ) -> Result<Event, DomainError> {
        version::check(self.version, precondition)?;
        if serving_committees + datasets > 0 {
            return Err(DomainError::StateConflict {
                code: codes::PUBLISHER_IN_USE,
                message: format!(
                    "{serving_committees} committee(s) serve this publisher and it holds {datasets} dataset(s); a publisher with either stays"
                ),
            });
        }
        Ok(Event::PublisherDeleted(Deleted {
            id: self.id,
            name: self.details.name.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_bodies_and_union_institutions_are_public_sector_art_53_2() {
        let public: Vec<_> = OrganisationType::ALL
            .iter()
            .filter(|t| t.is_public_sector())
            .collect();
        assert_eq!(
            public,
            [
                &OrganisationType::PublicSectorBody,
                &OrganisationType::UnionInstitution
            ]
        );
    }

    #[test]
    fn organisation_types_parse_from_their_wire_names() {
        for kind in OrganisationType::ALL {
            assert_eq!(OrganisationType::parse(kind.as_str()), Ok(*kind));
        }
        let error = OrganisationType::parse("hospital").unwrap_err();
        assert!(error.message.contains("public_sector_body"));
    }
}
