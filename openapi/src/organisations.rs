//! Publishers (data holders) and data-access committees on the wire.

use chrono::{DateTime, Utc};
use hdab_domain::committee::{
    Committee, CommitteeDetails, CommitteeMember, DecisionRule, MemberRole,
};
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::{OrganisationType, Publisher, PublisherDetails};
use hdab_domain::values::{CountryCode, Email, HttpUrl, Name, Subject};
use hdab_domain::{DomainError, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schema;

fn organisation_type_schema() -> utoipa::openapi::schema::Object {
    schema::string_enum(
        OrganisationType::wire_names(),
        "Legal kind of the organisation; EHDS Art 53(2) reserves purposes (a)-(c) to \
         public_sector_body and union_institution.",
    )
}

fn decision_rule_schema() -> utoipa::openapi::schema::Object {
    schema::string_enum(DecisionRule::wire_names(), "How the committee decides.")
}

fn member_role_schema() -> utoipa::openapi::schema::Object {
    schema::string_enum(
        MemberRole::wire_names(),
        "The member's role on the committee.",
    )
}

/// A publisher: a data holder whose datasets the catalogue describes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublisherInput {
    /// The organisation's name, unique in this hdab (1 to 200 characters).
    #[schema(
        example = "Fundación Instituto Valenciano de Oncología",
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\x00-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069][^\\x00-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub name: String,
    #[schema(schema_with = schema::country, example = "ES")]
    pub country: String,
    #[schema(schema_with = organisation_type_schema, example = "non_profit")]
    pub organisation_type: String,
    /// The organisation's web site.
    #[schema(format = Uri, max_length = 2000, pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+", example = "https://www.fivo.org")]
    pub homepage: Option<String>,
    /// Where researchers and the HDAB reach the data holder.
    #[schema(schema_with = schema::email, example = "data-access@fivo.org")]
    pub contact_email: String,
    /// Whether the HDAB has granted trusted-data-holder status (EHDS Art 72).
    #[serde(default)]
    #[schema(default = false)]
    pub trusted_data_holder: bool,
}

impl TryFrom<PublisherInput> for PublisherDetails {
    type Error = DomainError;

    fn try_from(input: PublisherInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Name::parse(&input.name));
        let country = errors.take("country", CountryCode::parse(&input.country));
        let organisation_type = errors.take(
            "organisation_type",
            OrganisationType::parse(&input.organisation_type),
        );
        let homepage = errors.take(
            "homepage",
            input.homepage.as_deref().map(HttpUrl::parse).transpose(),
        );
        let contact_email = errors.take("contact_email", Email::parse(&input.contact_email));
        match (name, country, organisation_type, homepage, contact_email) {
            (
                Some(name),
                Some(country),
                Some(organisation_type),
                Some(homepage),
                Some(contact_email),
            ) => Ok(Self {
                name,
                country,
                organisation_type,
                homepage,
                contact_email,
                trusted_data_holder: input.trusted_data_holder,
            }),
            _ => Err(errors.into_error()),
        }
    }
}

/// A stored publisher.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublisherView {
    pub id: Uuid,
    pub name: String,
    #[schema(example = "ES")]
    pub country: String,
    #[schema(schema_with = organisation_type_schema)]
    pub organisation_type: String,
    #[schema(format = Uri)]
    pub homepage: Option<String>,
    #[schema(schema_with = schema::email)]
    pub contact_email: String,
    /// Trusted data holder under EHDS Art 72.
    pub trusted_data_holder: bool,
    /// Increases with every change; send it back in `If-Match` to update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Publisher> for PublisherView {
    fn from(p: &Publisher) -> Self {
        let d = &p.details;
        Self {
            id: p.id.as_uuid(),
            name: d.name.as_str().to_owned(),
            country: d.country.to_string(),
            organisation_type: d.organisation_type.as_str().to_owned(),
            homepage: d.homepage.as_ref().map(|u| u.as_str().to_owned()),
            contact_email: d.contact_email.as_str().to_owned(),
            trusted_data_holder: d.trusted_data_holder,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A seat on a committee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteeMemberWire {
    /// The member's token subject (`sub` claim), which links their tokens to this seat.
    #[schema(
        example = "dac-chair@fivo.org",
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$"
    )]
    pub subject: String,
    #[schema(schema_with = member_role_schema, example = "chair")]
    pub role: String,
    /// The organisation the member works for (1 to 200 characters). A member may not vote on
    /// an application from their own organisation (conflict of interest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "Fondazione IRCCS Istituto Nazionale dei Tumori",
        min_length = 1,
        max_length = 200
    )]
    pub organisation: Option<String>,
}

/// A data-access committee: the publishers it serves, its members and how it decides.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteeInput {
    /// The committee's name, unique in this hdab (1 to 200 characters).
    #[schema(
        example = "Oncology imaging DAC",
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\x00-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069][^\\x00-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub name: String,
    /// The publishers whose datasets this committee reviews applications for.
    #[serde(default, deserialize_with = "crate::ids::canonical_list")]
    pub publisher_ids: Vec<Uuid>,
    /// The members; at most one chair, and one is needed when the chair decides.
    #[serde(default)]
    pub members: Vec<CommitteeMemberWire>,
    #[schema(schema_with = decision_rule_schema, example = "majority")]
    pub decision_rule: String,
    /// How many members must vote before a decision; 1 to the number of members.
    #[serde(default = "one")]
    #[schema(value_type = i64, minimum = 1, maximum = 4294967295.0, default = 1, example = 2)]
    pub quorum: u32,
}

fn one() -> u32 {
    1
}

impl TryFrom<CommitteeInput> for CommitteeDetails {
    type Error = DomainError;

    fn try_from(input: CommitteeInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Name::parse(&input.name));
        let decision_rule = errors.take("decision_rule", DecisionRule::parse(&input.decision_rule));
        let members: Vec<Option<CommitteeMember>> = input
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let subject =
                    errors.take(format!("members[{i}].subject"), Subject::parse(&m.subject));
                let role = errors.take(format!("members[{i}].role"), MemberRole::parse(&m.role));
                let organisation = match &m.organisation {
                    Some(name) => {
                        Some(errors.take(format!("members[{i}].organisation"), Name::parse(name))?)
                    }
                    None => None,
                };
                Some(CommitteeMember {
                    subject: subject?,
                    role: role?,
                    organisation,
                })
            })
            .collect();
        let publisher_ids = input
            .publisher_ids
            .into_iter()
            .map(PublisherId::from_uuid)
            .collect();
        let (Some(name), Some(decision_rule), Some(members)) = (
            name,
            decision_rule,
            members.into_iter().collect::<Option<Vec<_>>>(),
        ) else {
            return Err(errors.into_error());
        };
        if !errors.is_empty() {
            return Err(errors.into_error());
        }
        CommitteeDetails::new(name, publisher_ids, members, decision_rule, input.quorum)
            .map_err(FieldErrors::into_error)
    }
}

/// A stored committee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CommitteeView {
    pub id: Uuid,
    pub name: String,
    pub publisher_ids: Vec<Uuid>,
    pub members: Vec<CommitteeMemberWire>,
    #[schema(schema_with = decision_rule_schema)]
    pub decision_rule: String,
    pub quorum: u32,
    /// Increases with every change; send it back in `If-Match` to update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Committee> for CommitteeView {
    fn from(c: &Committee) -> Self {
        let d = &c.details;
        Self {
            id: c.id.as_uuid(),
            name: d.name().as_str().to_owned(),
            publisher_ids: d.publisher_ids().iter().map(PublisherId::as_uuid).collect(),
            members: d
                .members()
                .iter()
                .map(|m| CommitteeMemberWire {
                    subject: m.subject.as_str().to_owned(),
                    role: m.role.as_str().to_owned(),
                    organisation: m.organisation.as_ref().map(|o| o.as_str().to_owned()),
                })
                .collect(),
            decision_rule: d.decision_rule().as_str().to_owned(),
            quorum: d.quorum(),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publisher_input() -> PublisherInput {
        PublisherInput {
            name: "Karolinska".into(),
            country: "SE".into(),
            organisation_type: "academic".into(),
            homepage: None,
            contact_email: "dac@ki.se".into(),
            trusted_data_holder: false,
        }
    }

    fn fields(error: DomainError) -> Vec<String> {
        match error {
            DomainError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn every_invalid_publisher_field_is_reported_at_once() {
        let input = PublisherInput {
            name: " ".into(),
            country: "Sweden".into(),
            organisation_type: "hospital".into(),
            homepage: Some("not a url".into()),
            contact_email: "nobody".into(),
            trusted_data_holder: false,
        };
        let error = PublisherDetails::try_from(input).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "name",
                "country",
                "organisation_type",
                "homepage",
                "contact_email"
            ]
        );
    }

    #[test]
    fn a_valid_publisher_converts() {
        let details = PublisherDetails::try_from(publisher_input()).unwrap();
        assert_eq!(details.country.as_str(), "SE");
    }

    #[test]
    fn committee_member_problems_name_the_member() {
        let input = CommitteeInput {
            name: "DAC".into(),
            publisher_ids: vec![],
            members: vec![
                CommitteeMemberWire {
                    subject: "ana".into(),
                    role: "chair".into(),
                    organisation: None,
                },
                CommitteeMemberWire {
                    subject: String::new(),
                    role: "boss".into(),
                    organisation: None,
                },
            ],
            decision_rule: "majority".into(),
            quorum: 1,
        };
        let error = CommitteeDetails::try_from(input).unwrap_err();
        assert_eq!(fields(error), ["members[1].subject", "members[1].role"]);
    }
}
