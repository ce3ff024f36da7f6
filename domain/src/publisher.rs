//! Publishers: the data holders whose datasets the catalogue describes.

use chrono::{DateTime, Utc};

use crate::code_enum;
use crate::ids::PublisherId;
use crate::values::{CountryCode, Email, HttpUrl, Name};

code_enum!(
    /// The legal kind of an organisation. EHDS Art 53(2) reserves purposes (a) to (c) to public
    /// sector bodies and Union institutions, so every applicant organisation carries one.
    OrganisationType, "unknown_organisation_type" {
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub id: PublisherId,
    pub details: PublisherDetails,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
