//! Harvesting: the catalogues hdab copies dataset descriptions from, and what each run did.
//!
//! A source is either a DCAT catalogue (Turtle, JSON-LD or RDF/XML, paged by Hydra `next`
//! links) or another hdab, followed through its change feed. Its datasets are attributed to
//! one local publisher and reviewed by one local committee; a record that states no data-use
//! conditions (DUO) gets the source's, so nothing enters the catalogue without them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::catalogue::duo::DataUseConditions;
use crate::code_enum;
use crate::codes;
use crate::event::Event;
use crate::ids::{CommitteeId, HarvestSourceId, PublisherId};
use crate::values::{HttpUrl, Name};
use crate::version::{self, Precondition};

code_enum!(
    /// How a source is read.
    HarvestKind, codes::UNKNOWN_HARVEST_KIND {
        /// A DCAT-AP / HealthDCAT-AP catalogue in Turtle, JSON-LD or RDF/XML.
        Dcat = "dcat",
        /// Another hdab: its change feed says which datasets changed.
        Hdab = "hdab",
    }
);

/// What an admin registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarvestSourceDetails {
    pub name: Name,
    /// The catalogue's first page (`dcat`) or the other hdab's public URL (`hdab`).
    pub url: HttpUrl,
    pub kind: HarvestKind,
    /// The local publisher its datasets are attributed to.
    pub publisher_id: PublisherId,
    /// The local committee that reviews applications for them.
    pub committee_id: CommitteeId,
    /// The data-use conditions of records that state none.
    pub data_use: Option<DataUseConditions>,
    /// Minutes between scheduled runs; none: runs only when asked.
    pub every_minutes: Option<u32>,
}

impl HarvestSourceDetails {
    /// The longest schedule interval: four weeks.
    pub const MAX_EVERY_MINUTES: u32 = 40_320;
}

/// A registered source, as stored and as the log records it (without its credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarvestSource {
    pub id: HarvestSourceId,
    pub details: HarvestSourceDetails,
    /// Whether credentials are stored for it (they are never shown).
    pub has_credentials: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HarvestSource {
    pub fn register(
        id: HarvestSourceId,
        details: HarvestSourceDetails,
        has_credentials: bool,
        now: DateTime<Utc>,
    ) -> (Self, Event) {
        let source = Self {
            id,
            details,
            has_credentials,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        (source.clone(), Event::HarvestSourceCreated(source))
    }

    /// The source with `details` (and credentials stored or not) instead, if the caller's
    /// copy is current.
    pub fn replace(
        &self,
        details: HarvestSourceDetails,
        has_credentials: bool,
        precondition: &Precondition,
        now: DateTime<Utc>,
    ) -> Result<(Self, Event), DomainError> {
        version::check(self.version, precondition)?;
        let next = Self {
            details,
            has_credentials,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        };
        Ok((next.clone(), Event::HarvestSourceUpdated(next)))
    }

    pub fn delete(&self, precondition: &Precondition) -> Result<Event, DomainError> {
        version::check(self.version, precondition)?;
        Ok(Event::HarvestSourceDeleted(self.clone()))
    }
}

code_enum!(
    /// How a run ended.
    RunOutcome, codes::UNKNOWN_OUTCOME {
        /// Every page was read; records were applied (some may have failed on their own).
        Completed = "completed",
        /// The source answered 304 Not Modified: nothing to do.
        NotModified = "not_modified",
        /// The source could not be read (whole or in part); nothing was withdrawn.
        Failed = "failed",
    }
);

/// One record (or page) that could not be taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    /// The record's IRI or identifier, or the page's URL.
    pub record: String,
    /// The field of the description at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarvestRun {
    pub id: String,
    pub source_id: HarvestSourceId,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: RunOutcome,
    /// Pages (`dcat`) or feed pages and descriptions (`hdab`) fetched.
    pub fetched: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub withdrawn: u32,
    pub failed: u32,
    /// The first [`HarvestRun::MAX_ERRORS`] errors; `failed` counts them all.
    pub errors: Vec<RecordError>,
}

impl HarvestRun {
    /// Errors a run log keeps: a source of garbage must not make a huge log.
    pub const MAX_ERRORS: usize = 200;

    /// Notes an error (counted as failed when it is a record's).
    pub fn error(&mut self, error: RecordError) {
        if self.errors.len() < Self::MAX_ERRORS {
            self.errors.push(error);
        }
    }
}
