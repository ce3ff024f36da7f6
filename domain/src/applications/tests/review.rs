//! Committee review: votes, conflicts of interest, decision rules, overrides.

use super::*;

#[test]
fn each_committee_reviews_the_part_holding_its_datasets() {
    let (application, a, b) = two_committee_review();
    assert_eq!(application.status, ApplicationStatus::UnderReview);
    assert_eq!(application.committee_ids(), [a.id, b.id]);
    let b_part = application.part(b.id).unwrap();
    assert_eq!(
        b_part.denied_datasets(),
        [id(2)],
        "DS-C50 denies a C34.1 study"
    );
}

#[test]
fn a_majority_committee_decides_by_its_votes_once_the_quorum_has_voted() {
    let (application, a, _) = two_committee_review();
    let one = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    let too_early = decide(&one, "ana", &a, PartOutcome::Approve, vec![]).unwrap_err();
    assert_eq!(too_early.code(), "quorum_not_reached");
    let two = vote(&one, "ben", &a, VoteChoice::Refuse, false).unwrap();
    // One for, one against: not more than half.
    let contradicted = decide(&two, "ben", &a, PartOutcome::Approve, vec![]).unwrap_err();
    assert_eq!(contradicted.code(), "decision_contradicts_votes");
    let changed = vote(&two, "ben", &a, VoteChoice::Approve, true).unwrap();
    let decided = decide(&changed, "ben", &a, PartOutcome::Approve, vec![]).unwrap();
    let part = decided.part(a.id).unwrap();
    assert_eq!(
        part.decision.as_ref().unwrap().outcome,
        PartOutcome::Approve
    );
    assert_eq!(
        part.vote_of(&subject("ben")).unwrap().replaced.len(),
        1,
        "history kept"
    );
}

#[test]
fn a_second_vote_without_an_explicit_change_is_refused() {
    let (application, a, _) = two_committee_review();
    let voted = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    let again = vote(&voted, "ana", &a, VoteChoice::Refuse, false).unwrap_err();
    assert_eq!(again.code(), "already_voted");
}

#[test]
fn a_member_from_the_applicant_organisation_cannot_vote() {
    let (application, a, _) = two_committee_review();
    let barred = vote(&application, "cem", &a, VoteChoice::Approve, false).unwrap_err();
    assert!(matches!(
        barred,
        DomainError::Forbidden {
            code: "conflict_of_interest",
            ..
        }
    ));
}

#[test]
fn a_member_who_declared_a_conflict_cannot_vote() {
    let (application, a, _) = two_committee_review();
    let declared = run(
        &application,
        &member("ben", &a),
        at(4),
        Command::DeclareConflict {
            committee_id: a.id,
            reason: text("Co-author of the applicant."),
        },
    )
    .unwrap();
    let barred = vote(&declared, "ben", &a, VoteChoice::Approve, false).unwrap_err();
    assert_eq!(barred.code(), "conflict_of_interest");
}

#[test]
fn voting_on_another_committees_part_is_not_found() {
    let (application, a, b) = two_committee_review();
    let outsider = run(
        &application,
        &member("ana", &a),
        at(4),
        Command::Vote {
            committee: b,
            choice: VoteChoice::Approve,
            reason: text("x"),
            change: false,
        },
    )
    .unwrap_err();
    assert_eq!(
        outsider,
        DomainError::NotFound("the committee's part of the application")
    );
}

#[test]
fn approving_a_dataset_the_data_use_match_denies_needs_a_written_override() {
    let (application, _, b) = two_committee_review();
    let voted = vote(&application, "emil", &b, VoteChoice::Approve, false).unwrap();
    let refused = decide(&voted, "dora", &b, PartOutcome::Approve, vec![]).unwrap_err();
    assert_eq!(
        field_codes(refused),
        [("overrides".to_owned(), "override_required")]
    );
    let overridden = decide(
        &voted,
        "dora",
        &b,
        PartOutcome::Approve,
        vec![Override {
            dataset_id: id(2),
            justification: text("The breast cohort has lung metastases of interest."),
        }],
    )
    .unwrap();
    assert_eq!(
        overridden
            .part(b.id)
            .unwrap()
            .decision
            .as_ref()
            .unwrap()
            .overrides
            .len(),
        1
    );
}

#[test]
fn only_the_chair_decides_where_the_chair_decides() {
    let (application, _, b) = two_committee_review();
    let voted = vote(&application, "emil", &b, VoteChoice::Refuse, false).unwrap();
    let member_decides = decide(&voted, "emil", &b, PartOutcome::Refuse, vec![]).unwrap_err();
    assert_eq!(member_decides.code(), "chair_decides");
}

#[test]
fn one_approved_part_of_two_is_a_partial_approval_art_68() {
    let (application, a, b) = two_committee_review();
    let mut state = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    state = vote(&state, "ben", &a, VoteChoice::Approve, false).unwrap();
    state = decide(&state, "ana", &a, PartOutcome::Approve, vec![]).unwrap();
    assert_eq!(state.status, ApplicationStatus::UnderReview);
    state = vote(&state, "dora", &b, VoteChoice::Refuse, false).unwrap();
    state = decide(&state, "dora", &b, PartOutcome::Refuse, vec![]).unwrap();
    assert_eq!(state.status, ApplicationStatus::PartiallyApproved);
    let decision = state.decision.unwrap();
    assert_eq!(decision.approved_datasets, [id(1)]);
    assert!(
        decision.reasons.contains("refuse"),
        "every decision is reasoned"
    );
}
