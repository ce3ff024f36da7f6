//! The public register of permits (EHDS Arts 57(1)(j)(iii) and 58(1)(f),(g)): who was granted
//! access to which datasets, for which purpose, until when, and where the results are. It
//! names the organisation, never a natural person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Permit, PermitStatus};
use crate::applications::form::{Organisation, Purpose, ResearchKind};
use crate::ids::{DatasetId, PermitId};

/// One permit as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitRegisterEntry {
    pub permit_id: PermitId,
    pub organisation: Organisation,
    pub purpose: Purpose,
    pub research_kind: Option<ResearchKind>,
    pub dataset_ids: Vec<DatasetId>,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// As of the time of reading: a permit past its end is expired.
    pub status: PermitStatus,
    pub results_link: Option<String>,
}

impl Permit {
    /// The register's entry as of `now`.
    pub fn register_entry(&self, now: DateTime<Utc>) -> PermitRegisterEntry {
        PermitRegisterEntry {
            permit_id: self.id,
            organisation: self.organisation.clone(),
            purpose: self.purpose,
            research_kind: self.research_kind,
            dataset_ids: self.datasets.iter().map(|d| d.dataset_id).collect(),
            issued_at: self.issued_at,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            status: self.status_at(now),
            results_link: self.results_link.clone(),
        }
    }
}
