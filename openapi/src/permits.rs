//! Data permits on the wire: the permit as its parties read it, the bodies of its commands,
//! visas and their verification, the opt-out registry and the public register of permits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use hdab_domain::applications::form::Person;
use hdab_domain::permits::{Condition, Permit, PermitPolicy, PermitRegisterEntry, PermitStatus};
use hdab_domain::values::Subject;
use hdab_domain::{DomainError, FieldErrors, codes};

use crate::applications::view::{organisation, person, requested_data, texts};
use crate::applications::{
    OrganisationWire, PersonWire, RequestedDataWire, data_form_schema, purpose_schema,
    research_kind_schema,
};
use crate::schema;

pub(crate) fn permit_status_schema() -> utoipa::openapi::schema::Object {
    schema::string_enum(
        PermitStatus::wire_names(),
        "`active` ⇄ `suspended`, then `revoked`, `expired` (past its end, recorded or not) or `closed`.",
    )
}

fn visa_reason_schema() -> utoipa::openapi::schema::Object {
    schema::string_enum(
        [
            "expired",
            "revoked",
            "suspended",
            "bad_signature",
            "unknown_permit",
            "malformed",
        ],
        "Why the visa does not hold.",
    )
}

/// A condition of the permit, from a DUO modifier of its datasets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConditionView {
    /// The DUO short code (`PUB`, `TS`, `IRB`, ...).
    pub code: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
}

/// A dataset the permit grants, with its conditions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantedDatasetView {
    pub dataset_id: Uuid,
    pub conditions: Vec<ConditionView>,
}

/// A granting committee's fee estimate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitteeFeeView {
    pub committee_id: Uuid,
    /// In the currency's minor unit (cents).
    pub amount_minor: u64,
    /// The ISO 4217 code.
    pub currency: String,
}

/// A change of the authorised persons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentView {
    pub version: i64,
    pub added: Vec<PersonWire>,
    pub removed: Vec<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The one extension a permit may have.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExtensionView {
    pub requested_months: u32,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    /// `true` granted, `false` refused; absent while the committee has not decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// A revocation (EHDS Art 63).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevocationView {
    pub reason: String,
    /// The notice to the user and their answer.
    pub notice: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A data permit (EHDS Art 68).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermitView {
    pub id: Uuid,
    pub application_id: Uuid,
    /// The researcher who applied and holds the permit.
    pub holder: String,
    pub organisation: OrganisationWire,
    pub principal_investigator: PersonWire,
    pub authorised_persons: Vec<PersonWire>,
    #[schema(schema_with = purpose_schema)]
    pub purpose: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = research_kind_schema)]
    pub research_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<RequestedDataWire>,
    #[schema(schema_with = data_form_schema)]
    pub data_form: String,
    pub spe_tools: Vec<String>,
    /// Whether the Art 71(4) exception to opt-outs was granted.
    pub opt_out_exception: bool,
    pub datasets: Vec<GrantedDatasetView>,
    pub committees: Vec<Uuid>,
    /// The fees the granting committees estimated (EHDS Art 62).
    pub fee_estimates: Vec<CommitteeFeeView>,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// When the secure processing environment must have deleted the data (end + 6 months).
    pub deletion_due: DateTime<Utc>,
    /// When the results must be published (EHDS Art 61: 18 months after the end).
    pub results_due: DateTime<Utc>,
    /// As of now: a permit past its end reads as expired.
    #[schema(schema_with = permit_status_schema)]
    pub status: String,
    pub version: i64,
    pub amendments: Vec<AmendmentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RevocationView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspension_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_link: Option<String>,
}

fn condition(c: &Condition) -> ConditionView {
    ConditionView {
        code: c.code.clone(),
        text: c.text.clone(),
        months: c.months,
    }
}

impl PermitView {
    pub fn new(permit: &Permit, policy: &PermitPolicy, now: DateTime<Utc>) -> Self {
        Self {
            id: permit.id.as_uuid(),
            application_id: permit.application_id.as_uuid(),
            holder: permit.holder.as_str().to_owned(),
            organisation: organisation(&permit.organisation),
            principal_investigator: person(&permit.principal_investigator),
            authorised_persons: permit.authorised_persons.iter().map(person).collect(),
            purpose: permit.purpose.as_str().to_owned(),
            research_kind: permit.research_kind.map(|k| k.as_str().to_owned()),
            data: permit.data.as_ref().map(requested_data),
            data_form: permit.data_form.as_str().to_owned(),
            spe_tools: texts(&permit.spe_tools),
            opt_out_exception: permit.opt_out_exception,
            datasets: permit
                .datasets
                .iter()
                .map(|d| GrantedDatasetView {
                    dataset_id: d.dataset_id.as_uuid(),
                    conditions: d.conditions.iter().map(condition).collect(),
                })
                .collect(),
            committees: permit.committees.iter().map(|c| c.as_uuid()).collect(),
            fee_estimates: permit
                .fee_estimates
                .iter()
                .map(|f| CommitteeFeeView {
                    committee_id: f.committee_id.as_uuid(),
                    amount_minor: f.estimate.amount_minor,
                    currency: f.estimate.currency.clone(),
                })
                .collect(),
            issued_at: permit.issued_at,
            valid_from: permit.valid_from,
            valid_until: permit.valid_until,
            deletion_due: permit.deletion_due(policy),
            results_due: permit.results_due(policy),
            status: permit.status_at(now).as_str().to_owned(),
            version: permit.version,
            amendments: permit
                .amendments
                .iter()
                .map(|a| AmendmentView {
                    version: a.version,
                    added: a.added.iter().map(person).collect(),
                    removed: a.removed.iter().map(|s| s.as_str().to_owned()).collect(),
                    by: a.by.as_str().to_owned(),
                    at: a.at,
                })
                .collect(),
            extension: permit.extension.as_ref().map(|e| ExtensionView {
                requested_months: e.requested_months,
                reason: e.reason.clone(),
                requested_at: e.requested_at,
                granted: e.granted,
                decided_at: e.decided_at,
            }),
            revocation: permit.revocation.as_ref().map(|r| RevocationView {
                reason: r.reason.clone(),
                notice: r.notice.clone(),
                by: r.by.as_str().to_owned(),
                at: r.at,
            }),
            suspension_reason: permit.suspension_reason.clone(),
            results_link: permit.results_link.clone(),
        }
    }
}

/// Narrows the list of permits.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PermitQuery {
    /// Only permits with this status as of now.
    #[param(schema_with = permit_status_schema)]
    pub status: Option<String>,
    /// At most this many (1 to 100; default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Suspending a permit, e.g. while an Art 63 procedure runs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendInput {
    #[schema(example = "Art 63 notice sent: results shared outside the SPE.")]
    pub reason: String,
}

/// Revoking a permit (EHDS Art 63), after the notice to the user and their answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    #[schema(example = "Data were shared with a third party not named in the permit.")]
    pub reason: String,
    /// The notice given to the user, when, and their answer within the 4 weeks.
    #[schema(example = "Notice of 2027-03-01; the user answered on 2027-03-20.")]
    pub notice: String,
}

/// The holder's request for the one extension, before the end, by at most the permit's own
/// length.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequestInput {
    #[schema(minimum = 1, example = 12)]
    pub months: u32,
    #[schema(example = "Recruitment of the validation cohort took a year longer.")]
    pub reason: String,
}

/// The committee's decision on the extension asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecisionInput {
    pub grant: bool,
}

/// A new version of the authorised persons.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AmendInput {
    pub add: Vec<PersonWire>,
    /// Token subjects of persons to remove (never the principal investigator).
    pub remove: Vec<String>,
}

/// Close-out with the published results (EHDS Art 61).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    #[schema(format = Uri, example = "https://doi.org/10.1000/example")]
    pub results_link: String,
}

impl AmendInput {
    /// The persons to add and the subjects to remove; every field problem named.
    pub fn parse(&self) -> Result<(Vec<Person>, Vec<Subject>), DomainError> {
        let mut errors = FieldErrors::new();
        let add: Vec<Person> = self
            .add
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                crate::applications::parse::person(&mut errors, &format!("add[{i}]"), p)
            })
            .collect();
        let remove: Vec<Subject> = self
            .remove
            .iter()
            .enumerate()
            .filter_map(|(i, s)| errors.take(format!("remove[{i}]"), Subject::parse(s)))
            .collect();
        if add.is_empty() && remove.is_empty() && errors.is_empty() {
            errors.add(
                "add",
                hdab_domain::ValueError::new(codes::REQUIRED, "add or remove at least one person"),
            );
        }
        errors.finish()?;
        Ok((add, remove))
    }
}

/// One visa: a GA4GH Passport visa JWT (`ga4gh_visa_v1`, `ControlledAccessGrants`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisaView {
    pub dataset_id: Uuid,
    /// The dataset's IRI, the visa's `value`.
    pub dataset_iri: String,
    /// The signed JWT (ES256; its `jku` points to `/.well-known/jwks.json`).
    pub visa: String,
    pub expires_at: DateTime<Utc>,
}

/// The caller's visas for a permit, one per dataset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisaList {
    pub permit_id: Uuid,
    pub subject: String,
    pub visas: Vec<VisaView>,
}

/// A visa to verify.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The visa JWT as issued.
    pub visa: String,
}

/// Whether a visa holds now, and why not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifyResult {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = visa_reason_schema)]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_id: Option<Uuid>,
    /// The permit's status as of now, when the permit is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = permit_status_schema)]
    pub permit_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Pseudonyms of the persons whose data a data holder prepares for the permit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptOutCheckInput {
    /// Up to 10,000 pseudonymous person identifiers, as the opt-out registry knows them.
    #[schema(example = json!(["PSN-8f3a2c", "PSN-19bd07"]))]
    pub pseudonyms: Vec<String>,
}

/// Which of the pseudonyms sent must be left out of the data (EHDS Art 71).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptOutCheckResult {
    pub permit_id: Uuid,
    /// The permit's grant time the opt-outs are judged at.
    pub granted_at: DateTime<Utc>,
    pub checked: u32,
    /// The pseudonyms of persons who had opted out at the grant time and not withdrawn.
    pub excluded: Vec<String>,
    /// The Art 71(4) exception applies (configured and granted): nothing is excluded.
    pub exception_applied: bool,
}

/// One choice of a person, as the opt-out registry pushes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptOutInput {
    /// The pseudonymous person identifier; hdab stores only its keyed hash.
    #[schema(example = "PSN-8f3a2c", min_length = 1, max_length = 256)]
    pub pseudonym: String,
    /// When the person made the choice.
    pub at: DateTime<Utc>,
    /// `true` for the withdrawal of an earlier opt-out.
    #[serde(default)]
    pub withdrawn: bool,
}

/// A push of the opt-out registry: up to 10,000 choices.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptOutBatchInput {
    pub records: Vec<OptOutInput>,
}

/// What a push recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptOutBatchResult {
    pub received: u32,
    /// New opt-outs recorded.
    pub opt_outs: u32,
    /// New withdrawals recorded.
    pub withdrawals: u32,
    /// Records hdab already held.
    pub unchanged: u32,
}

/// One permit in the public register (EHDS Arts 57, 58): no natural person named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermitRegisterEntryView {
    pub permit_id: Uuid,
    pub organisation: OrganisationWire,
    #[schema(schema_with = purpose_schema)]
    pub purpose: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = research_kind_schema)]
    pub research_kind: Option<String>,
    pub dataset_ids: Vec<Uuid>,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    #[schema(schema_with = permit_status_schema)]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_link: Option<String>,
}

impl From<&PermitRegisterEntry> for PermitRegisterEntryView {
    fn from(entry: &PermitRegisterEntry) -> Self {
        Self {
            permit_id: entry.permit_id.as_uuid(),
            organisation: organisation(&entry.organisation),
            purpose: entry.purpose.as_str().to_owned(),
            research_kind: entry.research_kind.map(|k| k.as_str().to_owned()),
            dataset_ids: entry.dataset_ids.iter().map(|id| id.as_uuid()).collect(),
            issued_at: entry.issued_at,
            valid_from: entry.valid_from,
            valid_until: entry.valid_until,
            status: entry.status.as_str().to_owned(),
            results_link: entry.results_link.clone(),
        }
    }
}

/// A page of the register of permits, newest issuance first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermitRegisterPage {
    pub items: Vec<PermitRegisterEntryView>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
