//! The lifecycle: what is possible in which state, returns, and replay.

use super::*;

#[test]
fn an_illegal_command_names_the_state_and_what_is_possible_in_it() {
    let application = draft(access_form(&[id(1)]));
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let error = run(&application, &admin, at(2), Command::Accept).unwrap_err();
    assert_eq!(error.code(), "illegal_transition");
    let applicant_view = run(
        &application,
        &researcher(),
        at(2),
        Command::Extend { reason: text("x") },
    )
    .unwrap_err();
    assert!(
        applicant_view.to_string().contains("`draft`")
            && applicant_view
                .to_string()
                .contains("replace, submit, withdraw"),
        "{applicant_view}"
    );
}

#[test]
fn a_submitted_application_cannot_be_edited() {
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    let edit = run(
        &submitted,
        &researcher(),
        at(3),
        Command::Replace {
            form: Box::new(access_form(&[id(1)])),
            precondition: Precondition::Any,
        },
    )
    .unwrap_err();
    assert_eq!(edit.code(), "illegal_transition");
}

#[test]
fn returned_applications_come_back_to_where_they_were_with_the_answer() {
    let (application, a, _) = two_committee_review();
    let voted = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    let returned = run(
        &voted,
        &member("ana", &a),
        at(6),
        Command::Return {
            questions: text("Which scanner protocols?"),
        },
    )
    .unwrap();
    assert_eq!(returned.status, ApplicationStatus::Returned);
    let resubmitted = run(
        &returned,
        &researcher(),
        at(9),
        Command::Resubmit {
            answer: text("Low-dose protocols only."),
            datasets: vec![
                facts(id(1), a.id, DuoPermission::GeneralResearchUse, vec![]),
                facts(id(2), committee_id(20), ds("C50"), vec![]),
            ],
            policy: POLICY,
        },
    )
    .unwrap();
    assert_eq!(resubmitted.status, ApplicationStatus::UnderReview);
    assert_eq!(
        resubmitted.exchanges[0].answer.as_ref().unwrap().as_str(),
        "Low-dose protocols only."
    );
    assert_eq!(
        resubmitted.part(a.id).unwrap().votes.len(),
        1,
        "votes survive a return"
    );
}

#[test]
fn every_change_replays_to_the_same_application() {
    let (application, a, b) = two_committee_review();
    let mut events = Vec::new();
    let mut state = application.clone();
    for (sub, committee, choice) in [
        ("ana", &a, VoteChoice::Approve),
        ("dora", &b, VoteChoice::Refuse),
    ] {
        let (next, changes) = state
            .handle(
                Context {
                    principal: &member(sub, committee),
                    now: at(7),
                },
                Command::Vote {
                    committee: committee.clone(),
                    choice,
                    reason: text("r"),
                    change: false,
                },
            )
            .unwrap();
        events.extend(changes);
        state = next;
    }
    let replayed = events.iter().fold(application, |s, e| s.apply(e));
    assert_eq!(replayed, state);
}
