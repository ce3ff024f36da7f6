//! The wire shapes of applications: what a researcher sends (`ApplicationInput`, also the
//! `form` of every view, so a read can be edited and sent back), and what the API answers.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use hdab_domain::applications::deadlines::{Stage, Track};
use hdab_domain::applications::form::{
    ApplicationKind, DataForm, DataRequestOutput, ProhibitedUse, Purpose, ResearchKind,
};
use hdab_domain::applications::matching::MatchOutcome;
use hdab_domain::applications::review::{CommentVisibility, PartOutcome, VoteChoice};
use hdab_domain::applications::{Action, ApplicationStatus};
use hdab_domain::publisher::OrganisationType;

use crate::schema;

macro_rules! enum_schema {
    ($($fn_name:ident => $codes:ty, $description:literal;)+) => {$(
        pub(crate) fn $fn_name() -> utoipa::openapi::schema::Object {
            schema::string_enum(<$codes>::wire_names(), $description)
        }
    )+};
}

enum_schema! {
    kind_schema => ApplicationKind, "`access_application` (EHDS Art 67, record-level data under a permit) or `data_request` (Art 69, anonymised statistics).";
    purpose_schema => Purpose, "The purpose under EHDS Art 53(1): (a) public_health, (b) policy_making, (c) statistics, (d) education, (e) scientific_research, (f) care_improvement. (a)–(c) are for public sector bodies and Union institutions (Art 53(2)).";
    research_kind_schema => ResearchKind, "With scientific_research: (e)(i) `innovation` or (e)(ii) `algorithm_training`.";
    data_form_schema => DataForm, "Anonymised by default (Art 66(2)); pseudonymised needs a justification (Art 66(3)).";
    output_schema => DataRequestOutput, "A data request is answered in anonymised statistical form only (Art 69).";
    organisation_type_schema => OrganisationType, "The organisation's legal kind.";
    status_schema => ApplicationStatus, "Where the application is in its lifecycle.";
    outcome_schema => MatchOutcome, "The data-use match: approve, needs_review or deny.";
    vote_schema => VoteChoice, "A member's vote.";
    part_outcome_schema => PartOutcome, "A committee's decision on its part.";
    visibility_schema => CommentVisibility, "`internal`: the committee only; `public`: the applicant too.";
    stage_schema => Stage, "The period the clock counts: completeness (4 weeks) or decision (3 months).";
    track_schema => Track, "Which decision period applies.";
}

fn prohibited_uses_schema() -> utoipa::openapi::schema::Array {
    schema::string_enum_array(
        ProhibitedUse::wire_names(),
        "Uses EHDS Art 54 prohibits that the applicant declares; any one refuses the application at submission.",
    )
}

fn actions_schema() -> utoipa::openapi::schema::Array {
    schema::string_enum_array(
        Action::wire_names(),
        "What the caller may do with the application now.",
    )
}

/// The applicant organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationWire {
    #[schema(
        example = "Universitätsklinikum Heidelberg",
        min_length = 1,
        max_length = 200
    )]
    pub name: String,
    #[schema(schema_with = organisation_type_schema, example = "public_sector_body")]
    pub organisation_type: String,
    #[schema(schema_with = schema::country, example = "DE")]
    pub country: String,
}

/// A person named on the application (never shown in the public register).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonWire {
    /// Their token subject (`sub`), which links their tokens to the application and permit.
    #[schema(
        example = "researcher@uni-heidelberg.de",
        min_length = 1,
        max_length = 255
    )]
    pub subject: String,
    #[schema(example = "Dr Jana Novak", min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(schema_with = schema::email, example = "jana.novak@uni-heidelberg.de")]
    pub email: String,
}

/// The purpose (EHDS Art 53(1)) with its explanation and expected benefit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeWire {
    #[schema(schema_with = purpose_schema, example = "scientific_research")]
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = research_kind_schema)]
    pub research_kind: Option<String>,
    #[schema(example = "Radiomic signatures of early lung cancer on low-dose CT.")]
    pub explanation: String,
    #[schema(example = "Earlier detection in screening programmes.")]
    pub expected_benefit: String,
}

/// Facts about the intended use that data-use (GA4GH DUO) matching reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DeclaredUseWire {
    /// Diseases studied, as ICD-10 codes (`C34.1`); empty for research not limited to one.
    #[schema(example = json!(["C34"]))]
    pub diseases: Vec<String>,
    pub commercial_use: bool,
    pub for_profit_organisation: bool,
    /// General methods or algorithm development (DUO NMDS; EHDS Art 53(1)(e)(ii)).
    pub methods_development: bool,
    /// Population origins or ancestry research (DUO POA).
    pub ancestry_research: bool,
    pub publication_intended: bool,
}

/// A period of dates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatePeriodWire {
    #[schema(value_type = String, format = Date, example = "2015-01-01")]
    pub start: chrono::NaiveDate,
    #[schema(value_type = String, format = Date, example = "2024-12-31")]
    pub end: chrono::NaiveDate,
}

/// The data asked for within the named datasets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedDataWire {
    #[serde(default)]
    #[schema(example = json!(["age_at_imaging", "stage"]))]
    pub variables: Vec<String>,
    #[schema(example = "Adults with a chest CT between 2015 and 2024.")]
    pub population: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<DatePeriodWire>,
    /// Countries the data should come from.
    #[serde(default)]
    pub countries: Vec<String>,
}

/// The parts only an access application has (EHDS Art 67(2)).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AccessWire {
    /// Everyone besides the principal investigator who will work in the secure processing
    /// environment.
    pub authorised_persons: Vec<PersonWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<RequestedDataWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = data_form_schema)]
    pub data_form: Option<String>,
    /// Why anonymised data cannot serve; required for pseudonymised data (Art 66(3)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonymisation_justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguards: Option<String>,
    /// How many months the data are needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 600)]
    pub processing_months: Option<u32>,
    /// Tools and computing resources needed in the secure processing environment.
    pub spe_tools: Vec<String>,
    /// The ethics approval reference, where national law or a dataset's IRB condition asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethics_approval: Option<String>,
    /// Invokes the opt-out exception of EHDS Art 71(4).
    pub opt_out_exception: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_out_justification: Option<String>,
}

/// The parts only a data request has (EHDS Art 69).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataRequestWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "How many lung-cancer CT studies were made per year and country?")]
    pub statistical_question: Option<String>,
    #[serde(default)]
    #[schema(example = json!(["studies by year and country"]))]
    pub expected_tables: Vec<String>,
    /// Why aggregated data suffice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregates_justification: Option<String>,
    #[serde(default = "anonymised_statistics")]
    #[schema(schema_with = output_schema, default = "anonymised_statistics")]
    pub output: String,
}

fn anonymised_statistics() -> String {
    DataRequestOutput::AnonymisedStatistics.as_str().to_owned()
}

/// An access application or a data request as the applicant writes it. A draft may leave
/// parts out; submission names every missing one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    #[schema(schema_with = kind_schema, example = "access_application")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrganisationWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_investigator: Option<PersonWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<PurposeWire>,
    /// Published datasets of the catalogue.
    #[serde(default, deserialize_with = "crate::ids::canonical_list")]
    pub dataset_ids: Vec<Uuid>,
    #[serde(default)]
    pub declared_use: DeclaredUseWire,
    #[serde(default)]
    #[schema(schema_with = prohibited_uses_schema)]
    pub prohibited_uses: Vec<String>,
    /// The applicant declares that no use prohibited by EHDS Art 54 applies.
    #[serde(default)]
    pub art_54_declaration: bool,
    /// With `kind` `access_application`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessWire>,
    /// With `kind` `data_request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_request: Option<DataRequestWire>,
}

/// One condition's part in a data-use match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchReasonView {
    #[schema(example = "DS")]
    pub condition: String,
    #[schema(schema_with = outcome_schema)]
    pub outcome: String,
    pub reason: String,
}

/// A dataset under review, with its data-use match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewedDatasetView {
    pub dataset_id: Uuid,
    pub publisher_id: Uuid,
    #[schema(schema_with = outcome_schema)]
    pub match_outcome: String,
    pub match_reasons: Vec<MatchReasonView>,
}

/// A vote as it was once cast.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CastVoteView {
    #[schema(schema_with = vote_schema)]
    pub choice: String,
    pub reason: String,
    pub cast_at: chrono::DateTime<chrono::Utc>,
}

/// A member's current vote, with the votes it replaced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoteView {
    pub member: String,
    #[schema(schema_with = vote_schema)]
    pub choice: String,
    pub reason: String,
    pub cast_at: chrono::DateTime<chrono::Utc>,
    pub replaced: Vec<CastVoteView>,
}

/// A member who may not vote on this application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictView {
    pub member: String,
    pub reason: String,
    pub declared_at: chrono::DateTime<chrono::Utc>,
}

/// Approving a dataset despite a `deny` match, with the committee's written reason.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideWire {
    pub dataset_id: Uuid,
    pub justification: String,
}

/// A fee estimate (EHDS Art 62), given with the decision, before the permit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeEstimateWire {
    /// In the currency's minor unit (cents).
    #[schema(example = 150000)]
    pub amount_minor: u64,
    /// The ISO 4217 code.
    #[schema(pattern = "^[A-Z]{3}$", example = "EUR")]
    pub currency: String,
}

impl From<&hdab_domain::applications::review::FeeEstimate> for FeeEstimateWire {
    fn from(fee: &hdab_domain::applications::review::FeeEstimate) -> Self {
        Self {
            amount_minor: fee.amount_minor,
            currency: fee.currency.clone(),
        }
    }
}

/// Votes counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TallyView {
    pub approve: u32,
    pub refuse: u32,
    pub abstain: u32,
}

/// A committee's decision on its part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartDecisionView {
    #[schema(schema_with = part_outcome_schema)]
    pub outcome: String,
    pub reasons: String,
    pub overrides: Vec<OverrideWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_estimate: Option<FeeEstimateWire>,
    pub decided_by: String,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    pub tally: TallyView,
}

/// What one committee reviews: the datasets it is responsible for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewPartView {
    pub committee_id: Uuid,
    pub datasets: Vec<ReviewedDatasetView>,
    /// Only for the committee's members and admins.
    pub votes: Vec<VoteView>,
    /// Only for the committee's members and admins.
    pub conflicts: Vec<ConflictView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<PartDecisionView>,
}

/// A comment of a reviewer or an admin.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committee_id: Option<Uuid>,
    #[schema(schema_with = visibility_schema)]
    pub visibility: String,
    pub text: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Questions sent with a return, and the applicant's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeView {
    pub questions: String,
    pub asked_by: String,
    pub asked_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The running deadline (EHDS Art 68).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    #[schema(schema_with = track_schema)]
    pub track: String,
    /// As of now; while the application is returned the clock stops and this moves with time.
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// Whole days left, rounded up; negative when overdue.
    pub days_left: i64,
    /// The clock is stopped while the application is returned to the applicant.
    pub paused: bool,
    /// The reason of the one extension, once granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_reason: Option<String>,
}

/// The final decision, with its reasons (every decision is reasoned, Art 68).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub reasons: String,
    pub approved_dataset_ids: Vec<Uuid>,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}

/// An application as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// The researcher who created it (token subject).
    pub applicant: String,
    pub form: ApplicationInput,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// When the HDAB received it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineView>,
    /// One part per reviewing committee, from submission on.
    pub parts: Vec<ReviewPartView>,
    pub comments: Vec<CommentView>,
    pub exchanges: Vec<ExchangeView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionView>,
    #[schema(schema_with = actions_schema)]
    pub allowed_actions: Vec<String>,
}

/// A committee's part as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartSummary {
    pub committee_id: Uuid,
    /// The committee's decision, once taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = part_outcome_schema)]
    pub outcome: Option<String>,
}

/// An application as a list shows it; its `id` leads to the whole of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: Uuid,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub applicant: String,
    /// The applicant organisation's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = purpose_schema)]
    pub purpose: Option<String>,
    pub dataset_ids: Vec<Uuid>,
    pub version: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineView>,
    /// The parts the caller may see.
    pub parts: Vec<PartSummary>,
}

/// Which applications a list shows.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApplicationQuery {
    /// Only applications in this status.
    #[param(schema_with = status_schema)]
    pub status: Option<String>,
    /// Only applications whose deadline has passed.
    pub overdue: Option<bool>,
    /// For committee members: only applications whose part awaits (`true`) or no longer awaits
    /// (`false`) their committee's decision: the review queue.
    pub awaiting_decision: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}
