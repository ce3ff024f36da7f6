//! Data permits (EHDS Art 68): what an approved access application grants, for how long, under
//! which conditions, and how the grant changes — suspension, one extension, amendments of the
//! authorised persons, revocation (Art 63), expiry and close-out with the results (Art 61).
//!
//! A permit's validity is decided here, once, at issuance: it ends at the earliest of the period
//! the applicant asked for, the regulatory maximum and any DUO time limit of its datasets.
//! [`Permit::status_at`] is what every reader uses, so a permit past its end reads as expired
//! even before the background job has recorded the expiry.

mod conditions;
mod lifecycle;
pub mod optout;
mod register;
pub mod visa;

pub use conditions::{Condition, conditions_of};
pub use lifecycle::{ALLOWED, PermitChange, PermitCommand, PermitParty, PermitStatus};
pub use register::PermitRegisterEntry;

use chrono::{DateTime, Months, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::applications::form::{
    DataForm, Organisation, Person, Purpose, RequestedData, ResearchKind,
};
use crate::applications::review::FeeEstimate;
use crate::applications::{Application, ApplicationStatus};
use crate::catalogue::duo::DataUseConditions;
use crate::catalogue::text::ShortText;
use crate::ids::{ApplicationId, CommitteeId, DatasetId, PermitId};
use crate::values::Subject;

/// The settings of this HDAB that issuance reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitPolicy {
    /// The longest a permit may run (EHDS Art 68; 10 years by default, unverified scope).
    pub max_months: u32,
    /// How long after the end the secure processing environment deletes the data (6 months).
    pub deletion_months: u32,
    /// How long after the end of processing the results are due (Art 61: 18 months).
    pub results_months: u32,
}

impl Default for PermitPolicy {
    fn default() -> Self {
        Self {
            max_months: 120,
            deletion_months: 6,
            results_months: 18,
        }
    }
}

/// One dataset a permit grants, with the conditions its data-use terms set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantedDataset {
    pub dataset_id: DatasetId,
    pub conditions: Vec<Condition>,
}

/// A granting committee's fee estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeFee {
    pub committee_id: CommitteeId,
    pub estimate: FeeEstimate,
}

/// A change of the authorised persons, kept as the permit's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub version: i64,
    pub added: Vec<Person>,
    pub removed: Vec<Subject>,
    pub by: Subject,
    pub at: DateTime<Utc>,
}

/// The one extension a permit may have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub requested_months: u32,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    /// `Some(true)` granted, `Some(false)` refused, `None` awaiting the committee.
    pub granted: Option<bool>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Why and how a permit was revoked (Art 63: the notice to the user, then the revocation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub reason: String,
    /// The Art 63 notice given to the user and their answer, as recorded.
    pub notice: String,
    pub by: Subject,
    pub at: DateTime<Utc>,
}

/// A data permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permit {
    pub id: PermitId,
    pub application_id: ApplicationId,
    /// The researcher who applied and holds the permit.
    pub holder: Subject,
    pub organisation: Organisation,
    pub principal_investigator: Person,
    pub authorised_persons: Vec<Person>,
    pub purpose: Purpose,
    pub research_kind: Option<ResearchKind>,
    /// The data within the datasets: variables and population, as the application asked.
    pub data: Option<RequestedData>,
    pub data_form: DataForm,
    /// The tools of the secure processing environment.
    pub spe_tools: Vec<ShortText>,
    pub opt_out_exception: bool,
    pub datasets: Vec<GrantedDataset>,
    /// The committees whose decisions granted it.
    pub committees: Vec<CommitteeId>,
    /// The fees the granting committees estimated (EHDS Art 62), one per committee that gave one.
    #[serde(default)]
    pub fee_estimates: Vec<CommitteeFee>,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub status: PermitStatus,
    pub version: i64,
    pub amendments: Vec<Amendment>,
    pub extension: Option<Extension>,
    pub revocation: Option<Revocation>,
    pub suspension_reason: Option<String>,
    /// Where the results were published (close-out, Art 61).
    pub results_link: Option<String>,
}

impl Permit {
    /// The permit an approved or partially approved access application grants, for its
    /// approved datasets; `None` for anything else (a data request is answered without one).
    pub fn issue(
        id: PermitId,
        application: &Application,
        data_use: &[(DatasetId, DataUseConditions)],
        policy: &PermitPolicy,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        let approved = matches!(
            application.status,
            ApplicationStatus::Approved | ApplicationStatus::PartiallyApproved
        );
        let access = application.form.access()?;
        let decision = application.decision.as_ref().filter(|_| approved)?;
        let purpose = application.form.purpose.as_ref()?;
        let datasets: Vec<GrantedDataset> = decision
            .approved_datasets
            .iter()
            .map(|id| GrantedDataset {
                dataset_id: *id,
                conditions: data_use
                    .iter()
                    .find(|(dataset, _)| dataset == id)
                    .map(|(_, conditions)| conditions_of(conditions))
                    .unwrap_or_default(),
            })
            .collect();
        let granting: Vec<_> = application
            .parts
            .iter()
            .filter(|p| {
                p.dataset_ids()
                    .any(|d| decision.approved_datasets.contains(&d))
            })
            .collect();
        let months = validity_months(access.processing_months, &datasets, policy);
        // Stored at the databases' precision, so the grant time the opt-out check compares
        // with is the same everywhere.
        let now = now.trunc_subsecs(6);
        Some(Self {
            id,
            application_id: application.id,
            holder: application.applicant.clone(),
            organisation: application.form.organisation.clone()?,
            principal_investigator: application.form.principal_investigator.clone()?,
            authorised_persons: access.authorised_persons.clone(),
            purpose: purpose.purpose,
            research_kind: purpose.research_kind,
            data: access.data.clone(),
            data_form: access.data_form?,
            spe_tools: access.spe_tools.clone(),
            opt_out_exception: access.opt_out_exception,
            committees: granting.iter().map(|p| p.committee_id).collect(),
            fee_estimates: granting
                .iter()
                .filter_map(|p| {
                    let estimate = p.decision.as_ref()?.fee_estimate.clone()?;
                    Some(CommitteeFee {
                        committee_id: p.committee_id,
                        estimate,
                    })
                })
                .collect(),
            datasets,
            issued_at: now,
            valid_from: now,
            valid_until: add_months(now, months),
            status: PermitStatus::Active,
            version: 1,
            amendments: Vec::new(),
            extension: None,
            revocation: None,
            suspension_reason: None,
            results_link: None,
        })
    }

    /// The status as of `now`: an active or suspended permit past its end is expired, whether
    /// or not the expiry has been recorded yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> PermitStatus {
        status_as_of(self.status, self.valid_until, now)
    }

    /// When the secure processing environment must have deleted the data (end + 6 months).
    pub fn deletion_due(&self, policy: &PermitPolicy) -> DateTime<Utc> {
        add_months(self.valid_until, policy.deletion_months)
    }

    /// When the results are due (Art 61: 18 months after the end of processing).
    pub fn results_due(&self, policy: &PermitPolicy) -> DateTime<Utc> {
        add_months(self.valid_until, policy.results_months)
    }

    /// Everyone the permit authorises: the principal investigator, then the other persons.
    pub fn authorised_subjects(&self) -> Vec<&Subject> {
        std::iter::once(&self.principal_investigator.subject)
            .chain(self.authorised_persons.iter().map(|p| &p.subject))
            .collect()
    }
}

/// `status` as of `now`: an active or suspended permit past its end is expired.
pub(crate) fn status_as_of(
    status: PermitStatus,
    valid_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> PermitStatus {
    match status {
        PermitStatus::Active | PermitStatus::Suspended if now >= valid_until => {
            PermitStatus::Expired
        }
        status => status,
    }
}

/// How many months a permit runs: the period asked for, capped by the regulatory maximum and
/// by the shortest DUO time limit (TS) of its datasets.
fn validity_months(
    requested: Option<u32>,
    datasets: &[GrantedDataset],
    policy: &PermitPolicy,
) -> u32 {
    let time_limits = datasets
        .iter()
        .flat_map(|d| d.conditions.iter())
        .filter_map(Condition::time_limit_months);
    requested
        .into_iter()
        .chain(std::iter::once(policy.max_months))
        .chain(time_limits)
        .min()
        .unwrap_or(policy.max_months)
}

/// `at` plus whole calendar months.
pub(crate) fn add_months(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    at.checked_add_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests;
