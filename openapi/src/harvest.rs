//! Harvest sources and their run logs on the wire, for HDAB admins.

use chrono::{DateTime, Utc};
use hdab_domain::harvest::{
    HarvestKind, HarvestRun, HarvestSource, HarvestSourceDetails, RecordError,
};
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::values::{HttpUrl, Name};
use hdab_domain::{DomainError, FieldErrors, ValueError, codes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalogue::DataUseWire;
use crate::catalogue::parse::data_use;
use crate::schema::string_enum;

fn kind_schema() -> utoipa::openapi::schema::Object {
    string_enum(
        HarvestKind::wire_names(),
        "`dcat`: a DCAT-AP catalogue (Turtle, JSON-LD or RDF/XML, Hydra paging); `hdab`: another hdab, followed through its change feed.",
    )
}

/// How hdab signs in at the source; stored sealed and never shown again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CredentialsInput {
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
    /// `Authorization: Basic ...`.
    Basic { username: String, password: String },
    /// Remove stored credentials.
    None,
}

/// A source as an admin registers or replaces it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HarvestSourceInput {
    #[schema(example = "Belgian national health data catalogue")]
    pub name: String,
    /// The catalogue's first page (`dcat`), or the other hdab's public URL (`hdab`).
    #[schema(format = Uri, example = "https://catalogue.example.org/api/v1/catalogue")]
    pub url: String,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    /// The local publisher the source's datasets are attributed to.
    pub publisher_id: Uuid,
    /// The local committee that reviews applications for them (it must serve the publisher).
    pub committee_id: Uuid,
    /// The data-use conditions of records that state none (a DCAT record rarely does).
    pub data_use: Option<DataUseWire>,
    /// Minutes between scheduled runs (1 to 40320); absent: only when asked.
    #[schema(minimum = 1, maximum = 40320)]
    pub every_minutes: Option<u32>,
    /// Absent on a replacement: the stored credentials stay.
    pub credentials: Option<CredentialsInput>,
}

impl TryFrom<&HarvestSourceInput> for HarvestSourceDetails {
    type Error = DomainError;

    fn try_from(input: &HarvestSourceInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;
        let name = e.take("name", Name::parse(&input.name));
        let url = e.take("url", HttpUrl::parse(&input.url));
        let kind = e.take("kind", HarvestKind::parse(&input.kind));
        let data_use = input.data_use.as_ref().map(|wire| data_use(e, wire));
        if let Some(every) = input.every_minutes
            && !(1..=HarvestSourceDetails::MAX_EVERY_MINUTES).contains(&every)
        {
            e.add(
                "every_minutes",
                ValueError::new(
                    codes::OUT_OF_RANGE,
                    format!(
                        "must be 1 to {} minutes",
                        HarvestSourceDetails::MAX_EVERY_MINUTES
                    ),
                ),
            );
        }
        if let Some(CredentialsInput::Bearer { token }) = &input.credentials
            && token.is_empty()
        {
            e.add(
                "credentials.token",
                ValueError::new(codes::REQUIRED, "must not be empty"),
            );
        }
        let (Some(name), Some(url), Some(kind)) = (name, url, kind) else {
            return Err(errors.into_error());
        };
        let data_use = match data_use {
            Some(None) => return Err(errors.into_error()),
            Some(Some(conditions)) => Some(conditions),
            None => None,
        };
        errors.finish()?;
        Ok(HarvestSourceDetails {
            name,
            url,
            kind,
            publisher_id: PublisherId::from_uuid(input.publisher_id),
            committee_id: CommitteeId::from_uuid(input.committee_id),
            data_use,
            every_minutes: input.every_minutes,
        })
    }
}

/// A registered source (its credentials are never shown).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HarvestSourceView {
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub name: String,
    #[schema(format = Uri)]
    pub url: String,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    pub publisher_id: Uuid,
    pub committee_id: Uuid,
    pub data_use: Option<DataUseWire>,
    pub every_minutes: Option<u32>,
    /// Whether credentials are stored.
    pub has_credentials: bool,
}

impl From<&HarvestSource> for HarvestSourceView {
    fn from(source: &HarvestSource) -> Self {
        let d = &source.details;
        Self {
            id: source.id.as_uuid(),
            version: source.version,
            created_at: source.created_at,
            updated_at: source.updated_at,
            name: d.name.as_str().to_owned(),
            url: d.url.as_str().to_owned(),
            kind: d.kind.as_str().to_owned(),
            publisher_id: d.publisher_id.as_uuid(),
            committee_id: d.committee_id.as_uuid(),
            data_use: d.data_use.as_ref().map(DataUseWire::from),
            every_minutes: d.every_minutes,
            has_credentials: source.has_credentials,
        }
    }
}

/// One record (or page) a run could not take.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordErrorView {
    /// The record's IRI or identifier, or the page's URL.
    pub record: String,
    /// The field of the description at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

impl From<&RecordError> for RecordErrorView {
    fn from(error: &RecordError) -> Self {
        Self {
            record: error.record.clone(),
            field: error.field.clone(),
            message: error.message.clone(),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HarvestRunView {
    pub id: String,
    pub source_id: Uuid,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// `completed`, `not_modified` (the source said 304), or `failed` (the source could not
    /// be read, whole or in part; nothing was withdrawn).
    #[schema(example = "completed")]
    pub outcome: String,
    /// Pages and descriptions fetched.
    pub fetched: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub withdrawn: u32,
    pub failed: u32,
    /// The first 200 errors.
    pub errors: Vec<RecordErrorView>,
}

impl From<&HarvestRun> for HarvestRunView {
    fn from(run: &HarvestRun) -> Self {
        Self {
            id: run.id.clone(),
            source_id: run.source_id.as_uuid(),
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome: run.outcome.as_str().to_owned(),
            fetched: run.fetched,
            created: run.created,
            updated: run.updated,
            unchanged: run.unchanged,
            withdrawn: run.withdrawn,
            failed: run.failed,
            errors: run.errors.iter().map(RecordErrorView::from).collect(),
        }
    }
}

/// A run asked for: it starts within a second on a process that claims the source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HarvestRunRequested {
    pub source_id: Uuid,
    /// Where the run will be listed.
    #[schema(example = "/api/v1/harvest-sources/0190d1e2-.../runs")]
    pub runs: String,
}
