//! GA4GH Passport visas for a permit: one `ControlledAccessGrants` visa per authorised person
//! and dataset, and the rule by which a presented visa still holds. Signing and the signature
//! check are the application layer's; what a valid signature vouches for is decided here.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Permit, PermitStatus};
use crate::ids::{DatasetId, PermitId};
use crate::values::Subject;

/// The visa type of a data access grant (GA4GH Passport v1.2).
pub const CONTROLLED_ACCESS_GRANTS: &str = "ControlledAccessGrants";

/// The `ga4gh_visa_v1` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisaObject {
    #[serde(rename = "type")]
    pub kind: String,
    /// When the grant was made (the permit's issuance), in seconds since the epoch.
    pub asserted: i64,
    /// The dataset's IRI.
    pub value: String,
    /// Who grants: this HDAB's public URL.
    pub source: String,
    /// `dac`: a data access committee granted it.
    pub by: String,
}

/// The claims of a visa JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisaClaims {
    pub iss: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub ga4gh_visa_v1: VisaObject,
    /// The permit the visa comes from, so a verifier can follow its revocation.
    pub hdab_permit_id: PermitId,
    pub hdab_dataset_id: DatasetId,
}

impl VisaClaims {
    /// The visa of `permit` for `subject` and one of its datasets, issued `now` and living
    /// `lifetime`, but never past the permit's end.
    pub fn new(
        permit: &Permit,
        subject: &Subject,
        dataset: DatasetId,
        dataset_iri: String,
        issuer: &str,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Self {
        let exp = (now + lifetime).min(permit.valid_until);
        Self {
            iss: issuer.to_owned(),
            sub: subject.as_str().to_owned(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
            ga4gh_visa_v1: VisaObject {
                kind: CONTROLLED_ACCESS_GRANTS.to_owned(),
                asserted: permit.issued_at.timestamp(),
                value: dataset_iri,
                source: issuer.to_owned(),
                by: "dac".to_owned(),
            },
            hdab_permit_id: permit.id,
            hdab_dataset_id: dataset,
        }
    }
}

/// Why a presented visa does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisaInvalidity {
    /// The visa or its permit ran out (a closed permit has ended, too).
    Expired,
    /// The permit was revoked, or the person or dataset was taken out of it.
    Revoked,
    Suspended,
    BadSignature,
    UnknownPermit,
    Malformed,
}

impl VisaInvalidity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Suspended => "suspended",
            Self::BadSignature => "bad_signature",
            Self::UnknownPermit => "unknown_permit",
            Self::Malformed => "malformed",
        }
    }
}

/// What verifying a visa needs of its permit; kept in memory for every permit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitGrant {
    pub version: i64,
    pub status: PermitStatus,
    pub valid_until: DateTime<Utc>,
    pub subjects: Vec<String>,
    pub datasets: Vec<DatasetId>,
}

impl From<&Permit> for PermitGrant {
    fn from(permit: &Permit) -> Self {
        Self {
            version: permit.version,
            status: permit.status,
            valid_until: permit.valid_until,
            subjects: permit
                .authorised_subjects()
                .into_iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            datasets: permit.datasets.iter().map(|d| d.dataset_id).collect(),
        }
    }
}

impl PermitGrant {
    /// Whether a visa with validly signed `claims` holds at `now`, judged on the permit as it
    /// is now: a revocation or suspension takes effect at once, before the visa's own expiry.
    pub fn judge(
        grant: Option<&Self>,
        claims: &VisaClaims,
        now: DateTime<Utc>,
    ) -> Result<(), VisaInvalidity> {
        let grant = grant.ok_or(VisaInvalidity::UnknownPermit)?;
        match grant.status_at(now) {
            PermitStatus::Revoked => return Err(VisaInvalidity::Revoked),
            PermitStatus::Suspended => return Err(VisaInvalidity::Suspended),
            PermitStatus::Expired | PermitStatus::Closed => return Err(VisaInvalidity::Expired),
            PermitStatus::Active => {}
        }
        if claims.exp <= now.timestamp() {
            return Err(VisaInvalidity::Expired);
        }
        let still_granted = grant.subjects.contains(&claims.sub)
            && grant.datasets.contains(&claims.hdab_dataset_id);
        if !still_granted {
            return Err(VisaInvalidity::Revoked);
        }
        Ok(())
    }

    /// The status as of `now` (a permit past its end is expired).
    pub fn status_at(&self, now: DateTime<Utc>) -> PermitStatus {
        super::status_as_of(self.status, self.valid_until, now)
    }
}
