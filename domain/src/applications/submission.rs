//! Submitting and resubmitting: the rules of submission, the parts each committee reviews, and
//! the data-use match of every dataset. A declared prohibited use is refused on receipt
//! (EHDS Art 54).

use std::collections::BTreeMap;

use super::deadlines::Track;
use super::form::ApplicationForm;
use super::lifecycle::ApplicationStatus;
use super::matching::match_dataset;
use super::review::{ReviewPart, ReviewedDataset};
use super::rules::{self, DatasetFacts, SubmissionPolicy};
use super::{Application, ApplicationChange, Decision};
use crate::DomainError;
use crate::catalogue::text::LongText;
use crate::ids::CommitteeId;

impl Application {
    /// Art 54 refuses a declared prohibited use at once; everything else must pass the rules.
    pub(super) fn submission(
        &self,
        datasets: &[DatasetFacts],
        policy: SubmissionPolicy,
    ) -> Result<Vec<ApplicationChange>, DomainError> {
        let submitted = ApplicationChange::Submitted {
            parts: parts_for(&self.form, datasets),
            track: Track::of(&self.form),
        };
        if let Some(reasons) = rules::prohibited_use_refusal(&self.form) {
            return Ok(vec![submitted, refusal(reasons)]);
        }
        rules::check_submission(&self.form, datasets, policy)?;
        Ok(vec![submitted])
    }

    pub(super) fn resubmission(
        &self,
        answer: LongText,
        datasets: &[DatasetFacts],
        policy: SubmissionPolicy,
    ) -> Result<Vec<ApplicationChange>, DomainError> {
        let refused = rules::prohibited_use_refusal(&self.form);
        if refused.is_none() {
            rules::check_submission(&self.form, datasets, policy)?;
        }
        // Committees that still review a part keep their votes, conflicts and decision.
        let parts = parts_for(&self.form, datasets)
            .into_iter()
            .map(|fresh| match self.part(fresh.committee_id) {
                Some(old) => ReviewPart {
                    datasets: fresh.datasets,
                    ..old.clone()
                },
                None => fresh,
            })
            .collect();
        let mut changes = vec![ApplicationChange::Resubmitted { answer, parts }];
        changes.extend(refused.map(refusal));
        Ok(changes)
    }
}

/// The parts of an application: its available datasets grouped by reviewing committee, each
/// with its data-use match.
fn parts_for(form: &ApplicationForm, datasets: &[DatasetFacts]) -> Vec<ReviewPart> {
    let mut parts: BTreeMap<CommitteeId, Vec<ReviewedDataset>> = BTreeMap::new();
    for id in &form.dataset_ids {
        let Some(facts) = datasets.iter().find(|d| d.id == *id) else {
            continue;
        };
        parts
            .entry(facts.committee_id)
            .or_default()
            .push(ReviewedDataset {
                dataset_id: facts.id,
                publisher_id: facts.publisher_id,
                data_use: match_dataset(facts.id, &facts.data_use, form),
            });
    }
    parts
        .into_iter()
        .map(|(committee_id, datasets)| ReviewPart {
            committee_id,
            datasets,
            votes: Vec::new(),
            conflicts: Vec::new(),
            decision: None,
        })
        .collect()
}

fn refusal(reasons: String) -> ApplicationChange {
    ApplicationChange::Decided {
        decision: Decision {
            status: ApplicationStatus::Refused,
            reasons,
            approved_datasets: Vec::new(),
        },
    }
}
