//! What each caller may see of an application (DESIGN: foreign resources are 404): applicants
//! see their form, the decisions and public comments; committee members see everything of
//! their own committees' parts; data holders see the parts holding their datasets; admins see
//! all. Votes, conflicts and internal comments stay within their committee.

use super::review::{CommentVisibility, ReviewPart};
use super::{Application, ApplicationChange, Comment, Visibility};
use crate::ids::CommitteeId;

impl Visibility {
    fn sees_committee(&self, committee: Option<CommitteeId>) -> bool {
        match self {
            Self::Everything => true,
            Self::Committees(own) => committee.is_some_and(|c| own.contains(&c)),
            Self::Applicant | Self::DataHolder(_) => false,
        }
    }

    fn sees_comment(&self, comment: &Comment) -> bool {
        comment.visibility == CommentVisibility::Public || self.sees_committee(comment.committee_id)
    }

    fn sees_part(&self, part: &ReviewPart) -> bool {
        match self {
            Self::DataHolder(publishers) => part
                .datasets
                .iter()
                .any(|d| publishers.contains(&d.publisher_id)),
            _ => true,
        }
    }

    /// Whether a change shows in the application's history for this caller.
    pub fn shows(&self, change: &ApplicationChange) -> bool {
        match change {
            ApplicationChange::VoteCast { committee_id, .. }
            | ApplicationChange::ConflictDeclared { committee_id, .. } => {
                self.sees_committee(Some(*committee_id))
            }
            ApplicationChange::CommentAdded { comment } => self.sees_comment(comment),
            ApplicationChange::DeadlineAlert { .. } => !matches!(self, Self::Applicant),
            _ => true,
        }
    }
}

impl Application {
    /// The application as `visibility` lets its caller see it.
    pub fn redacted(&self, visibility: &Visibility) -> Self {
        let mut seen = self.clone();
        seen.parts.retain(|part| visibility.sees_part(part));
        for part in &mut seen.parts {
            if !visibility.sees_committee(Some(part.committee_id)) {
                part.votes.clear();
                part.conflicts.clear();
            }
        }
        seen.comments
            .retain(|comment| visibility.sees_comment(comment));
        seen
    }
}
