//! The bodies of the commands on an application.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::types::{
    FeeEstimateWire, OverrideWire, part_outcome_schema, visibility_schema, vote_schema,
};

/// Withdrawing an application, with an optional reason.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    #[serde(default)]
    pub reason: Option<String>,
}

/// Returning an application to the applicant: the clock stops until they resubmit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    #[schema(example = "Which scanner protocols do you need, and why the full period?")]
    pub questions: String,
}

/// The applicant's answer to the questions of a return.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitInput {
    #[schema(example = "Low-dose protocols only; the period covers the screening pilot.")]
    pub answer: String,
}

/// A comment of a reviewer or an admin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    /// The committee the comment is written for; by default the caller's committee when they
    /// sit on only one of the reviewing committees.
    #[serde(default)]
    pub committee_id: Option<Uuid>,
    #[schema(schema_with = visibility_schema, example = "internal")]
    pub visibility: String,
    pub text: String,
}

/// A member's declaration of a conflict of interest on the application.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    #[schema(example = "I co-authored the applicant's last paper.")]
    pub reason: String,
}

/// A member's vote on their committee's part.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteInput {
    #[schema(schema_with = vote_schema, example = "approve")]
    pub choice: String,
    pub reason: String,
    /// Replaces the caller's earlier vote (kept in its history); without it a second vote is
    /// refused.
    #[serde(default)]
    pub change: bool,
}

/// A committee's decision on its part. Under `majority` and `unanimous` the outcome must be
/// what the votes give; where the chair decides, it is the chair's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartDecisionInput {
    #[schema(schema_with = part_outcome_schema, example = "approve")]
    pub outcome: String,
    pub reasons: String,
    /// One per dataset whose data-use match is `deny`, to approve it anyway.
    #[serde(default)]
    pub overrides: Vec<OverrideWire>,
    /// The fee for the data approved (EHDS Art 62); the permit states it.
    #[serde(default)]
    pub fee_estimate: Option<FeeEstimateWire>,
}

/// The one extension of the decision period (EHDS Art 68), with its reason for the applicant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    pub reason: String,
}
