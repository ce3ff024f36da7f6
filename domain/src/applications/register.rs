//! The transparency register (EHDS Arts 57(1)(j) and 58): every application and data request
//! from its receipt, and every decision with its reasons, refusals included. An entry names
//! organisations, never a natural person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Application;
use super::form::{ApplicationKind, Organisation, Purpose, ResearchKind};
use super::lifecycle::ApplicationStatus;
use crate::ids::{ApplicationId, DatasetId};

/// One application as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    pub application_id: ApplicationId,
    pub kind: ApplicationKind,
    pub received_at: DateTime<Utc>,
    pub organisation: Option<Organisation>,
    pub purpose: Option<Purpose>,
    pub research_kind: Option<ResearchKind>,
    pub dataset_ids: Vec<DatasetId>,
    pub status: ApplicationStatus,
    pub decided_at: Option<DateTime<Utc>>,
    /// The reasons of the decision; a refusal states why (Art 68).
    pub decision_reasons: Option<String>,
    pub approved_dataset_ids: Vec<DatasetId>,
}

impl Application {
    /// The register's entry, once the application has been received.
    pub fn register_entry(&self) -> Option<RegisterEntry> {
        let received_at = self.submitted_at?;
        let purpose = self.form.purpose.as_ref();
        Some(RegisterEntry {
            application_id: self.id,
            kind: self.form.kind(),
            received_at,
            organisation: self.form.organisation.clone(),
            purpose: purpose.map(|p| p.purpose),
            research_kind: purpose.and_then(|p| p.research_kind),
            dataset_ids: self.form.dataset_ids.clone(),
            status: self.status,
            decided_at: self.decided_at,
            decision_reasons: self.decision.as_ref().map(|d| d.reasons.clone()),
            approved_dataset_ids: self
                .decision
                .as_ref()
                .map(|d| d.approved_datasets.clone())
                .unwrap_or_default(),
        })
    }
}
