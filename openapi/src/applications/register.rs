//! The transparency register and an application's history on the wire.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use hdab_domain::applications::register::RegisterEntry;

use super::types::{OrganisationWire, kind_schema, purpose_schema, status_schema};

/// One application in the public register (EHDS Arts 57(1)(j), 58): no natural person named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterEntryView {
    pub application_id: Uuid,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    /// When the HDAB received it.
    pub received_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrganisationWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = purpose_schema)]
    pub purpose: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub research_kind: Option<String>,
    pub dataset_ids: Vec<Uuid>,
    #[schema(schema_with = status_schema)]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The reasons of the decision, refusals included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_reasons: Option<String>,
    pub approved_dataset_ids: Vec<Uuid>,
}

impl From<&RegisterEntry> for RegisterEntryView {
    fn from(entry: &RegisterEntry) -> Self {
        Self {
            application_id: entry.application_id.as_uuid(),
            kind: entry.kind.as_str().to_owned(),
            received_at: entry.received_at,
            organisation: entry.organisation.as_ref().map(super::view::organisation),
            purpose: entry.purpose.map(|p| p.as_str().to_owned()),
            research_kind: entry.research_kind.map(|k| k.as_str().to_owned()),
            dataset_ids: entry.dataset_ids.iter().map(|id| id.as_uuid()).collect(),
            status: entry.status.as_str().to_owned(),
            decided_at: entry.decided_at,
            decision_reasons: entry.decision_reasons.clone(),
            approved_dataset_ids: entry
                .approved_dataset_ids
                .iter()
                .map(|id| id.as_uuid())
                .collect(),
        }
    }
}

/// A page of the register, newest receipt first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterPage {
    pub items: Vec<RegisterEntryView>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One recorded change of an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The event's sequence number in the hash-chained log.
    pub seq: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// Who caused it (token subject), or `hdab` for the deadline job.
    pub actor: String,
    #[schema(example = "application.submitted")]
    pub action: String,
    /// The change as recorded: its `change` names it, the rest are its facts.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
}

/// A page of an application's history, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    /// Pass as `after` for the next page; absent when the history ends here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}
