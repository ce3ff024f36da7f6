//! Deadlines (EHDS Art 68): the clock, its pauses, the accelerated track and alerts.

use super::*;

#[test]
fn completeness_is_due_four_weeks_after_receipt_and_decision_three_months_after_art_68() {
    let policy = DeadlinePolicy::default();
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    let clock = submitted.clock.clone().unwrap();
    assert_eq!(clock.stage, Stage::Completeness);
    assert_eq!(clock.due_at(&policy, at(2)), at(2) + Duration::days(28));
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let accepted = run(&submitted, &admin, at(10), Command::Accept).unwrap();
    let clock = accepted.clock.clone().unwrap();
    assert_eq!(
        clock.due_at(&policy, at(10)),
        Utc.with_ymd_and_hms(2026, 4, 10, 9, 0, 0).unwrap()
    );
    let extended = run(
        &accepted,
        &admin,
        at(11),
        Command::Extend {
            reason: text("Two committees, one of them new."),
        },
    )
    .unwrap();
    assert_eq!(
        extended.clock.as_ref().unwrap().due_at(&policy, at(11)),
        Utc.with_ymd_and_hms(2026, 7, 10, 9, 0, 0).unwrap()
    );
    let twice = run(
        &extended,
        &admin,
        at(12),
        Command::Extend {
            reason: text("Again."),
        },
    )
    .unwrap_err();
    assert_eq!(twice.code(), "already_extended");
}

#[test]
fn public_sector_applicants_under_purposes_a_to_c_get_the_accelerated_track_art_68() {
    let mut form = access_form(&[id(1)]);
    form.organisation.as_mut().unwrap().organisation_type = OrganisationType::PublicSectorBody;
    form.purpose.as_mut().unwrap().purpose = Purpose::PublicHealth;
    assert_eq!(Track::of(&form), Track::Accelerated);
    assert_eq!(Track::of(&data_request_form(&[id(1)])), Track::DataRequest);
    assert_eq!(Track::of(&access_form(&[id(1)])), Track::Standard);
}

#[test]
fn the_clock_stops_while_the_application_is_returned_art_68() {
    let policy = DeadlinePolicy::default();
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    let due = submitted.clock.as_ref().unwrap().due_at(&policy, at(2));
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let returned = run(
        &submitted,
        &admin,
        at(5),
        Command::Return {
            questions: text("Which variables exactly?"),
        },
    )
    .unwrap();
    assert!(
        returned
            .clock
            .as_ref()
            .unwrap()
            .alert_due(&policy, due + Duration::days(30))
            .is_none()
    );
    let resubmitted = run(
        &returned,
        &researcher(),
        at(15),
        Command::Resubmit {
            answer: text("Age and stage."),
            datasets: lung(),
            policy: POLICY,
        },
    )
    .unwrap();
    assert_eq!(resubmitted.status, ApplicationStatus::Submitted);
    assert_eq!(
        resubmitted.clock.as_ref().unwrap().due_at(&policy, at(15)),
        due + Duration::days(10),
        "ten days returned, ten days later"
    );
}

#[test]
fn each_deadline_alert_is_due_once_per_stage() {
    let policy = DeadlinePolicy::default();
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    assert!(submitted.deadline_alert(&policy, at(3)).is_none());
    let warned_at = at(2) + Duration::days(22);
    let warning = submitted.deadline_alert(&policy, warned_at).unwrap();
    let warned = submitted.apply(&warning);
    assert!(warned.deadline_alert(&policy, warned_at).is_none());
    let late = warned
        .deadline_alert(&policy, at(2) + Duration::days(29))
        .unwrap();
    assert!(matches!(
        late.change,
        ApplicationChange::DeadlineAlert {
            alert: Alert::Overdue,
            ..
        }
    ));
}

#[test]
fn comments_by_a_member_of_one_committee_are_filed_under_it() {
    let (application, a, _) = two_committee_review();
    let commented = run(
        &application,
        &member("ana", &a),
        at(4),
        Command::Comment {
            committee_id: None,
            visibility: CommentVisibility::Internal,
            text: text("Check the consent basis."),
        },
    )
    .unwrap();
    assert_eq!(commented.comments[0].committee_id, Some(a.id));
}
