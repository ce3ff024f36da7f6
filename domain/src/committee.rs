//! Data-access committees: who reviews applications for which publishers, and how they decide.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::code_enum;
use crate::codes;
use crate::event::{Deleted, Event};
use crate::ids::{CommitteeId, PublisherId};
use crate::values::{Name, Subject};
use crate::version::{self, Precondition};
use crate::{FieldErrors, ValueError};

code_enum!(
    /// How a committee reaches a decision on an application.
    DecisionRule, codes::UNKNOWN_DECISION_RULE {
        /// The chair decides after the members have commented and voted.
        ChairDecides = "chair_decides",
        /// More than half of the votes cast, once the quorum has voted.
        Majority = "majority",
        /// Every vote cast approves, once the quorum has voted.
        Unanimous = "unanimous",
    }
);

code_enum!(
    /// A member's role on a committee.
    MemberRole, codes::UNKNOWN_MEMBER_ROLE {
        Member = "member",
        Chair = "chair",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeMember {
    /// The member's token subject (`sub`), so their tokens map to this seat.
    pub subject: Subject,
    pub role: MemberRole,
    /// The organisation the member works for: a member may not vote on an application from
    /// it (conflict of interest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Name>,
}

/// A committee's valid description: the rules between its fields hold. Stored and recorded as
/// its fields, checked again when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CommitteeFields", into = "CommitteeFields")]
pub struct CommitteeDetails {
    name: Name,
    publisher_ids: Vec<PublisherId>,
    members: Vec<CommitteeMember>,
    decision_rule: DecisionRule,
    quorum: u32,
}

impl CommitteeDetails {
    /// Checks the rules that tie the fields together, naming the field of each broken rule:
    /// publishers and members are listed once each, a committee has at most one chair and one
    /// when the chair decides, and the quorum is between 1 and the number of members.
    pub fn new(
        name: Name,
        publisher_ids: Vec<PublisherId>,
        members: Vec<CommitteeMember>,
        decision_rule: DecisionRule,
        quorum: u32,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        crate::limits::check(&mut errors, "publisher_ids", publisher_ids.len());
        crate::limits::check(&mut errors, "members", members.len());
        check_unique(&mut errors, "publisher_ids", publisher_ids.iter());
        check_unique(&mut errors, "members", members.iter().map(|m| &m.subject));
        let chairs = members
            .iter()
            .filter(|m| m.role == MemberRole::Chair)
            .count();
        if chairs > 1 {
            errors.add(
                "members",
                ValueError::new(codes::SEVERAL_CHAIRS, "a committee has at most one chair"),
            );
        }
        if decision_rule == DecisionRule::ChairDecides && chairs == 0 {
            errors.add(
                "members",
                ValueError::new(
                    codes::CHAIR_REQUIRED,
                    "a committee whose chair decides needs a member with role `chair`",
                ),
            );
        }
        let seats = u32::try_from(members.len()).unwrap_or(u32::MAX).max(1);
        if quorum == 0 || quorum > seats {
            errors.add(
                "quorum",
                ValueError::new(
                    codes::QUORUM_OUT_OF_RANGE,
                    format!("must be between 1 and the number of members ({seats})"),
                ),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            name,
            publisher_ids,
            members,
            decision_rule,
            quorum,
        })
    }

    pub fn name(&self) -> &Name {
        &self.name
    }
    pub fn publisher_ids(&self) -> &[PublisherId] {
        &self.publisher_ids
    }
    pub fn members(&self) -> &[CommitteeMember] {
        &self.members
    }
    pub fn decision_rule(&self) -> DecisionRule {
        self.decision_rule
    }
    pub fn quorum(&self) -> u32 {
        self.quorum
    }
}

/// A committee's fields as written, before the rules between them are checked.
#[derive(Serialize, Deserialize)]
struct CommitteeFields {
    name: Name,
    publisher_ids: Vec<PublisherId>,
    members: Vec<CommitteeMember>,
    decision_rule: DecisionRule,
    quorum: u32,
}

impl TryFrom<CommitteeFields> for CommitteeDetails {
    type Error = String;
    fn try_from(f: CommitteeFields) -> Result<Self, String> {
        Self::new(
            f.name,
            f.publisher_ids,
            f.members,
            f.decision_rule,
            f.quorum,
        )
        .map_err(|errors| errors.into_error().to_string())
    }
}

impl From<CommitteeDetails> for CommitteeFields {
    fn from(d: CommitteeDetails) -> Self {
        Self {
            name: d.name,
            publisher_ids: d.publisher_ids,
            members: d.members,
            decision_rule: d.decision_rule,
            quorum: d.quorum,
        }
    }
}

fn check_unique<'a, T: Ord + 'a>(
    errors: &mut FieldErrors,
    field: &str,
    items: impl Iterator<Item = &'a T>,
) {
    let mut seen = BTreeSet::new();
    for (index, item) in items.enumerate() {
        if !seen.insert(item) {
            errors.add(
                format!("{field}[{index}]"),
                ValueError::new(codes::DUPLICATE, "is listed more than once"),
            );
        }
    }
}

/// A stored committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    pub id: CommitteeId,
    pub details: CommitteeDetails,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Committee {
    /// A newly formed committee and its event.
    pub fn form(id: CommitteeId, details: CommitteeDetails, now: DateTime<Utc>) -> (Self, Event) {
        let committee = Self {
            id,
            details,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        (committee.clone(), Event::CommitteeCreated(committee))
    }

    /// The committee with `details` instead, if the caller's copy is current.
    pub fn replace(
        &self,
        details: CommitteeDetails,
        precondition: &Precondition,
        now: DateTime<Utc>,
    ) -> Result<(Self, Event), DomainError> {
        version::check(self.version, precondition)?;
        let next = Self {
            details,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        };
        Ok((next.clone(), Event::CommitteeUpdated(next)))
    }

    /// The deletion's event, if no dataset names the committee as its reviewer any more.
    pub fn delete(&self, precondition: &Precondition, datasets: u64) -> Result<Event, DomainError> {
        version::check(self.version, precondition)?;
        if datasets > 0 {
            return Err(DomainError::StateConflict {
                code: codes::COMMITTEE_IN_USE,
                message: format!(
                    "{datasets} dataset(s) name this committee as their reviewer; reassign them first"
                ),
            });
        }
        Ok(Event::CommitteeDeleted(Deleted {
            id: self.id,
            name: self.details.name().clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(subject: &str, role: MemberRole) -> CommitteeMember {
        CommitteeMember {
            subject: Subject::parse(subject).unwrap(),
            role,
            organisation: None,
        }
    }

    fn codes(result: Result<CommitteeDetails, FieldErrors>) -> Vec<(String, &'static str)> {
        match result.unwrap_err().into_error() {
            crate::DomainError::Invalid(errors) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn committee(
        members: Vec<CommitteeMember>,
        rule: DecisionRule,
        quorum: u32,
    ) -> Result<CommitteeDetails, FieldErrors> {
        CommitteeDetails::new(
            Name::parse("Imaging DAC").unwrap(),
            vec![],
            members,
            rule,
            quorum,
        )
    }

    #[test]
    fn a_chair_deciding_committee_needs_a_chair() {
        let result = committee(
            vec![member("ana", MemberRole::Member)],
            DecisionRule::ChairDecides,
            1,
        );
        assert_eq!(codes(result), [("members".to_owned(), "chair_required")]);
    }

    #[test]
    fn a_committee_has_at_most_one_chair() {
        let members = vec![
            member("ana", MemberRole::Chair),
            member("ben", MemberRole::Chair),
        ];
        assert_eq!(
            codes(committee(members, DecisionRule::Majority, 1)),
            [("members".to_owned(), "several_chairs")]
        );
    }

    #[test]
    fn members_and_publishers_are_listed_once() {
        let publisher = PublisherId::generate();
        let result = CommitteeDetails::new(
            Name::parse("DAC").unwrap(),
            vec![publisher, publisher],
            vec![
                member("ana", MemberRole::Member),
                member("ana", MemberRole::Member),
            ],
            DecisionRule::Majority,
            1,
        );
        assert_eq!(
            codes(result),
            [
                ("publisher_ids[1]".to_owned(), "duplicate"),
                ("members[1]".to_owned(), "duplicate")
            ]
        );
    }

    #[test]
    fn quorum_lies_between_one_and_the_number_of_members() {
        let members = || {
            vec![
                member("ana", MemberRole::Chair),
                member("ben", MemberRole::Member),
            ]
        };
        assert!(committee(members(), DecisionRule::Unanimous, 2).is_ok());
        assert_eq!(
            codes(committee(members(), DecisionRule::Unanimous, 3)),
            [("quorum".to_owned(), "quorum_out_of_range")]
        );
        assert_eq!(
            codes(committee(members(), DecisionRule::Unanimous, 0)),
            [("quorum".to_owned(), "quorum_out_of_range")]
        );
        assert!(committee(vec![], DecisionRule::Majority, 1).is_ok());
    }
}
