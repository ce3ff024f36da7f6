//! The clock of an application (EHDS Art 68): 4 weeks to declare it complete or return it,
//! then 3 months to decide (2 for public-sector applicants under purposes (a)–(c); 3 for data
//! requests), extendable once. The clock stops while the application is returned to the
//! applicant and restarts when they resubmit. The periods are configuration, these are the
//! defaults.

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

use super::form::{ApplicationForm, ApplicationKind};
use crate::code_enum;
use crate::codes;

/// The periods of Art 68, configurable because some of their scope is not settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlinePolicy {
    pub completeness_days: u32,
    pub decision_months: u32,
    pub extension_months: u32,
    pub accelerated_decision_months: u32,
    pub accelerated_extension_months: u32,
    pub data_request_months: u32,
    /// How long before a deadline the committee is warned.
    pub warning_days: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            completeness_days: 28,
            decision_months: 3,
            extension_months: 3,
            accelerated_decision_months: 2,
            accelerated_extension_months: 1,
            data_request_months: 3,
            warning_days: 7,
        }
    }
}

code_enum!(
    /// Which period an application's clock is counting.
    Stage, codes::UNKNOWN_STAGE {
        /// Until the application is declared complete (or returned).
        Completeness = "completeness",
        /// Until the decision.
        Decision = "decision",
    }
);

code_enum!(
    /// Which decision period applies.
    Track, codes::UNKNOWN_TRACK {
        Standard = "standard",
        /// Public sector bodies and Union institutions under purposes (a)–(c).
        Accelerated = "accelerated",
        DataRequest = "data_request",
    }
);

code_enum!(
    /// A deadline alert, recorded once per stage.
    Alert, codes::UNKNOWN_ALERT {
        Approaching = "approaching",
        Overdue = "overdue",
    }
);

impl Track {
    pub fn of(form: &ApplicationForm) -> Self {
        let public_interest = form
            .purpose
            .as_ref()
            .is_some_and(|p| p.purpose.is_public_interest());
        let public_sector = form
            .organisation_type()
            .is_some_and(|t| t.is_public_sector());
        match form.kind() {
            ApplicationKind::DataRequest => Self::DataRequest,
            ApplicationKind::AccessApplication if public_interest && public_sector => {
                Self::Accelerated
            }
            ApplicationKind::AccessApplication => Self::Standard,
        }
    }
}

/// An application's running clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineClock {
    pub stage: Stage,
    pub track: Track,
    /// When the current stage began.
    pub started_at: DateTime<Utc>,
    /// Set while the application is returned to the applicant.
    pub paused_since: Option<DateTime<Utc>>,
    /// Time the current stage spent paused, in whole seconds.
    pub paused_secs: i64,
    /// The reason of the one extension of the decision period, once granted.
    pub extension: Option<String>,
    /// The alerts already recorded for the current stage.
    pub alerts: Vec<Alert>,
}

impl DeadlineClock {
    pub fn start(track: Track, now: DateTime<Utc>) -> Self {
        Self {
            stage: Stage::Completeness,
            track,
            started_at: now,
            paused_since: None,
            paused_secs: 0,
            extension: None,
            alerts: Vec::new(),
        }
    }

    /// The decision period starts: the application was declared complete.
    pub fn enter_decision(&self, now: DateTime<Utc>) -> Self {
        Self {
            stage: Stage::Decision,
            started_at: now,
            paused_since: None,
            paused_secs: 0,
            alerts: Vec::new(),
            ..self.clone()
        }
    }

    pub fn pause(&self, now: DateTime<Utc>) -> Self {
        Self {
            paused_since: Some(self.paused_since.unwrap_or(now)),
            ..self.clone()
        }
    }

    pub fn resume(&self, now: DateTime<Utc>) -> Self {
        let paused = self
            .paused_since
            .map_or(0, |since| (now - since).num_seconds().max(0));
        Self {
            paused_since: None,
            paused_secs: self.paused_secs + paused,
            ..self.clone()
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused_since.is_some()
    }

    /// When the current stage is due, as of `now`: a paused clock's deadline moves with time.
    pub fn due_at(&self, policy: &DeadlinePolicy, now: DateTime<Utc>) -> DateTime<Utc> {
        let paused_now = self
            .paused_since
            .map_or(0, |since| (now - since).num_seconds().max(0));
        let paused = Duration::seconds(self.paused_secs + paused_now);
        let base = match self.stage {
            Stage::Completeness => {
                self.started_at + Duration::days(i64::from(policy.completeness_days))
            }
            Stage::Decision => add_months(self.started_at, self.decision_months(policy)),
        };
        base + paused
    }

    /// The deadline a database can index: none while paused, as nothing is running late then.
    pub fn running_due_at(&self, policy: &DeadlinePolicy) -> Option<DateTime<Utc>> {
        (!self.is_paused()).then(|| self.due_at(policy, self.started_at))
    }

    /// Whole days left until the deadline, rounded up; negative once overdue.
    pub fn days_left(&self, policy: &DeadlinePolicy, now: DateTime<Utc>) -> i64 {
        let left = self.due_at(policy, now) - now;
        let day = Duration::days(1).num_seconds();
        let seconds = left.num_seconds();
        if seconds >= 0 {
            (seconds + day - 1) / day
        } else {
            -((-seconds) / day)
        }
    }

    fn decision_months(&self, policy: &DeadlinePolicy) -> u32 {
        let (base, extension) = match self.track {
            Track::Standard => (policy.decision_months, policy.extension_months),
            Track::Accelerated => (
                policy.accelerated_decision_months,
                policy.accelerated_extension_months,
            ),
            Track::DataRequest => (policy.data_request_months, policy.extension_months),
        };
        base + if self.extension.is_some() {
            extension
        } else {
            0
        }
    }

    /// When the next alert of this stage falls due, for the deadline job to find; none while
    /// paused or once both are recorded.
    pub fn next_alert_at(&self, policy: &DeadlinePolicy) -> Option<DateTime<Utc>> {
        let due = self.running_due_at(policy)?;
        if !self.alerts.contains(&Alert::Approaching) && !self.alerts.contains(&Alert::Overdue) {
            Some(due - Duration::days(i64::from(policy.warning_days)))
        } else if !self.alerts.contains(&Alert::Overdue) {
            Some(due + Duration::seconds(1))
        } else {
            None
        }
    }

    /// The alert due at `now` that has not been recorded for this stage, if any.
    pub fn alert_due(&self, policy: &DeadlinePolicy, now: DateTime<Utc>) -> Option<Alert> {
        if self.is_paused() {
            return None;
        }
        let due = self.due_at(policy, now);
        let warn_from = due - Duration::days(i64::from(policy.warning_days));
        let alert = if now > due {
            Alert::Overdue
        } else if now >= warn_from {
            Alert::Approaching
        } else {
            return None;
        };
        (!self.alerts.contains(&alert)).then_some(alert)
    }
}

/// `at` plus whole calendar months (31 January + 1 month = 28 or 29 February).
fn add_months(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    at.checked_add_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
