//! Where an application is, who may move it, and how. [`ALLOWED`] is the one table of which
//! party may issue which command in which state; nothing else grants a command.

use crate::code_enum;
use crate::codes;

code_enum!(
    /// Where an application is in its lifecycle.
    ApplicationStatus, codes::UNKNOWN_STATUS {
        /// The applicant is writing it; only they see it.
        Draft = "draft",
        /// Received: the HDAB checks it is complete (4 weeks, Art 68).
        Submitted = "submitted",
        /// Sent back to the applicant with questions; the clock is stopped.
        Returned = "returned",
        /// Complete; the committees review their parts (3 months, Art 68).
        UnderReview = "under_review",
        Approved = "approved",
        PartiallyApproved = "partially_approved",
        Refused = "refused",
        /// Withdrawn by the applicant before a decision.
        Withdrawn = "withdrawn",
    }
);

impl ApplicationStatus {
    /// Whether the application is waiting on the HDAB (its clock runs or is paused).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Returned | Self::UnderReview)
    }

    pub fn is_decided(self) -> bool {
        matches!(
            self,
            Self::Approved | Self::PartiallyApproved | Self::Refused
        )
    }
}

code_enum!(
    /// The capacity in which a caller acts on an application.
    Party, codes::UNKNOWN_PARTY {
        /// The researcher who created it.
        Applicant = "applicant",
        /// A member of a committee that reviews a part of it.
        Reviewer = "reviewer",
        /// An HDAB administrator.
        Admin = "admin",
    }
);

code_enum!(
    /// What a party may ask of an application.
    Action, codes::UNKNOWN_ACTION {
        Replace = "replace",
        Submit = "submit",
        Withdraw = "withdraw",
        Resubmit = "resubmit",
        /// Declare the application complete: its review begins.
        Accept = "accept",
        /// Return it to the applicant with questions.
        Return = "return",
        Comment = "comment",
        DeclareConflict = "declare_conflict",
        Vote = "vote",
        DecidePart = "decide",
        Extend = "extend",
    }
);

use Action::*;
use ApplicationStatus::*;
use Party::*;

/// Which party may do what in which state. States and parties not listed may do nothing.
pub const ALLOWED: &[(ApplicationStatus, Party, &[Action])] = &[
    (Draft, Applicant, &[Replace, Submit, Withdraw]),
    (Submitted, Applicant, &[Withdraw]),
    (
        Submitted,
        Reviewer,
        &[Accept, Return, Comment, DeclareConflict],
    ),
    (Submitted, Admin, &[Accept, Return, Comment]),
    (Returned, Applicant, &[Replace, Resubmit, Withdraw]),
    (Returned, Reviewer, &[Comment, DeclareConflict]),
    (Returned, Admin, &[Comment]),
    (UnderReview, Applicant, &[Withdraw]),
    (
        UnderReview,
        Reviewer,
        &[Return, Comment, DeclareConflict, Vote, DecidePart, Extend],
    ),
    (UnderReview, Admin, &[Return, Comment, Extend]),
];

/// What `parties` may do together in `status`, in the table's order.
pub fn allowed(status: ApplicationStatus, parties: &[Party]) -> Vec<Action> {
    let mut actions: Vec<Action> = Vec::new();
    for (state, party, granted) in ALLOWED {
        if *state == status && parties.contains(party) {
            for action in *granted {
                if !actions.contains(action) {
                    actions.push(*action);
                }
            }
        }
    }
    actions
}
