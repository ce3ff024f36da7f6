//! Access applications over HTTP, on both databases: a researcher's way from draft to a
//! partial approval through two committees, the rules of submission, who sees what, the
//! committee's rules for votes and decisions, deadlines and the public register.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use hdab_tests::applications::{
    APPLICANT_ORGANISATION, Review, access_application, command, deadline_alerts, draft,
    history_actions, ok, researcher, under_review,
};
use hdab_tests::fixtures::withdraw;
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::{Value, json};

on_both_backends!(
    a_researcher_goes_from_draft_to_partial_approval_through_two_committees,
    submission_names_every_missing_part_and_broken_rule_art_67_2,
    purposes_a_to_c_are_refused_to_a_commercial_applicant_art_53_2,
    a_declared_prohibited_use_is_refused_on_receipt_and_published_art_54,
    an_unpublished_dataset_cannot_be_applied_for,
    a_submitted_application_cannot_be_edited_and_says_what_is_possible,
    committee_rules_hold_over_http,
    applications_are_visible_only_to_their_parties,
    the_register_lists_receipts_and_decisions_without_natural_persons_art_57,
    deadlines_show_and_overdue_applications_are_listed_art_68,
);

fn id_of(application: &Value) -> String {
    application["id"].as_str().unwrap().to_owned()
}

async fn a_researcher_goes_from_draft_to_partial_approval_through_two_committees(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");

    // A draft may be incomplete; it becomes complete with a replacement under If-Match.
    let mut form = access_application(&review.both_datasets());
    form["access"]["safeguards"] = Value::Null;
    let created = draft(&app, &alice, &form).await;
    assert_eq!(created["status"], "draft");
    assert_eq!(
        created["allowed_actions"],
        json!(["replace", "submit", "withdraw"])
    );
    let id = id_of(&created);
    let incomplete = problem(command(&app, &alice, &id, "submit", &json!({})).await).await;
    assert_eq!(incomplete["errors"][0]["field"], "access.safeguards");
    let replaced = app
        .client
        .put(app.url(&format!("/api/v1/applications/{id}")))
        .bearer_auth(&alice)
        .header("If-Match", "\"1\"")
        .json(&access_application(&review.both_datasets()))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);

    // Submitted: one part per committee, each dataset matched against its DUO conditions.
    let submitted = ok(&app, &alice, &id, "submit", &json!({})).await;
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["deadline"]["stage"], "completeness");
    assert_eq!(submitted["deadline"]["days_left"], 28);
    let parts = submitted["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    let part_b = parts
        .iter()
        .find(|p| p["committee_id"] == review.committee_b.as_str())
        .unwrap();
    assert_eq!(
        part_b["datasets"][0]["match_outcome"], "deny",
        "DS-C50 does not cover lung cancer"
    );

    // Committee A asks a question; the clock stops; alice answers and resubmits.
    let ana = app.member_token("ana", std::slice::from_ref(&review.committee_a));
    let returned = ok(
        &app,
        &ana,
        &id,
        "return",
        &json!({"questions": "Which scanner protocols?"}),
    )
    .await;
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["deadline"]["paused"], true);
    let answered = ok(
        &app,
        &alice,
        &id,
        "resubmit",
        &json!({"answer": "Low-dose protocols only."}),
    )
    .await;
    assert_eq!(answered["status"], "submitted");
    assert_eq!(
        answered["exchanges"][0]["answer"],
        "Low-dose protocols only."
    );

    // Declared complete; the committees vote and decide by their own rules.
    let accepted = ok(&app, &app.admin_token(), &id, "accept", &json!({})).await;
    assert_eq!(accepted["deadline"]["stage"], "decision");
    let a = &review.committee_a;
    let b = &review.committee_b;
    let ben = app.member_token("ben", std::slice::from_ref(a));
    let vote = |choice: &str| json!({"choice": choice, "reason": "Scientifically sound."});
    ok(
        &app,
        &ana,
        &id,
        &format!("parts/{a}/votes"),
        &vote("approve"),
    )
    .await;
    ok(
        &app,
        &ben,
        &id,
        &format!("parts/{a}/votes"),
        &vote("approve"),
    )
    .await;
    let decided_a = ok(
        &app,
        &ana,
        &id,
        &format!("parts/{a}/decision"),
        &json!({"outcome": "approve", "reasons": "Both members approve."}),
    )
    .await;
    assert_eq!(decided_a["status"], "under_review");
    let dora = app.member_token("dora", std::slice::from_ref(b));
    let emil = app.member_token("emil", std::slice::from_ref(b));
    ok(
        &app,
        &emil,
        &id,
        &format!("parts/{b}/votes"),
        &vote("refuse"),
    )
    .await;
    let decided = ok(
        &app,
        &dora,
        &id,
        &format!("parts/{b}/decision"),
        &json!({"outcome": "refuse", "reasons": "The breast cohort does not serve a lung study."}),
    )
    .await;

    assert_eq!(decided["status"], "partially_approved");
    assert_eq!(
        decided["decision"]["approved_dataset_ids"],
        json!([review.dataset_a])
    );
    assert!(
        decided["decision"]["reasons"]
            .as_str()
            .unwrap()
            .contains("does not serve a lung study")
    );
    // The applicant sees the decisions, not the votes.
    let seen: Value = app
        .get(&format!("/api/v1/applications/{id}"), Some(&alice))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        seen["parts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["votes"] == json!([]))
    );
    assert_eq!(seen["parts"][0]["decision"]["outcome"], "approve");

    // Every step is on the record, in order; the applicant's history leaves out the votes.
    let for_admin = history_actions(&app, &app.admin_token(), &id).await;
    assert_eq!(
        for_admin,
        [
            "application.created",
            "application.updated",
            "application.submitted",
            "application.returned",
            "application.resubmitted",
            "application.accepted",
            "application.vote_cast",
            "application.vote_cast",
            "application.part_decided",
            "application.vote_cast",
            "application.part_decided",
            "application.partially_approved",
        ]
    );
    let for_alice = history_actions(&app, &alice, &id).await;
    assert!(!for_alice.iter().any(|a| a == "application.vote_cast"));
    assert_eq!(for_alice.last().unwrap(), "application.partially_approved");
    let verified: Value = app
        .get("/api/v1/audit/verify", Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verified["valid"], true);
}

async fn submission_names_every_missing_part_and_broken_rule_art_67_2(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let alice = researcher(&app, "alice");
    let id = id_of(&draft(&app, &alice, &json!({"kind": "access_application"})).await);
    let refused = problem(command(&app, &alice, &id, "submit", &json!({})).await).await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "organisation",
            "principal_investigator",
            "purpose",
            "dataset_ids",
            "art_54_declaration",
            "access.data",
            "access.data_form",
            "access.safeguards",
            "access.processing_months"
        ]
    );
    // Malformed values are refused on every save, each named.
    let bad = app
        .post(
            "/api/v1/applications",
            &alice,
            &json!({"kind": "access_application", "purpose": {"purpose": "profit", "explanation": "", "expected_benefit": "x"}, "declared_use": {"diseases": ["lung"]}}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let codes: Vec<(String, String)> = problem(bad).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("purpose.purpose".to_owned(), "unknown_purpose".to_owned()),
            ("purpose.explanation".to_owned(), "required".to_owned()),
            (
                "declared_use.diseases[0]".to_owned(),
                "invalid_icd10".to_owned()
            ),
        ]
    );
}

async fn purposes_a_to_c_are_refused_to_a_commercial_applicant_art_53_2(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    let mut form = access_application(std::slice::from_ref(&review.dataset_a));
    form["organisation"]["organisation_type"] = json!("commercial");
    form["purpose"]["purpose"] = json!("statistics");
    form["purpose"]["research_kind"] = Value::Null;
    let id = id_of(&draft(&app, &alice, &form).await);
    let refused = problem(command(&app, &alice, &id, "submit", &json!({})).await).await;
    assert_eq!(
        refused["errors"][0]["code"],
        "purpose_reserved_to_public_sector"
    );
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Art 53(2)")
    );
}

async fn a_declared_prohibited_use_is_refused_on_receipt_and_published_art_54(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    let mut form = access_application(std::slice::from_ref(&review.dataset_a));
    form["prohibited_uses"] = json!(["advertising"]);
    let id = id_of(&draft(&app, &alice, &form).await);
    let refused = ok(&app, &alice, &id, "submit", &json!({})).await;
    assert_eq!(refused["status"], "refused");
    assert!(
        refused["decision"]["reasons"]
            .as_str()
            .unwrap()
            .contains("Art 54(1)(c)")
    );
    let register: Value = app
        .get("/api/v1/register/applications", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(register["items"][0]["status"], "refused");
}

async fn an_unpublished_dataset_cannot_be_applied_for(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let withdrawn = withdraw(&app, &review.holder_b, &review.dataset_b).await;
    assert_eq!(withdrawn.status(), 200);
    let alice = researcher(&app, "alice");
    let id = id_of(&draft(&app, &alice, &access_application(&review.both_datasets())).await);
    let refused = problem(command(&app, &alice, &id, "submit", &json!({})).await).await;
    assert_eq!(refused["errors"][0]["field"], "dataset_ids[1]");
    assert_eq!(refused["errors"][0]["code"], "dataset_not_published");
}

async fn a_submitted_application_cannot_be_edited_and_says_what_is_possible(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    let id = id_of(&draft(&app, &alice, &access_application(&review.both_datasets())).await);
    ok(&app, &alice, &id, "submit", &json!({})).await;
    let edit = app
        .client
        .put(app.url(&format!("/api/v1/applications/{id}")))
        .bearer_auth(&alice)
        .header("If-Match", "*")
        .json(&access_application(&review.both_datasets()))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 409);
    let conflict = problem(edit).await;
    assert_eq!(conflict["code"], "illegal_transition");
    assert!(
        conflict["detail"].as_str().unwrap().contains("`submitted`")
            && conflict["detail"].as_str().unwrap().contains("withdraw")
    );
}

async fn committee_rules_hold_over_http(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let id = under_review(&app, &review).await;
    let (a, b) = (&review.committee_a, &review.committee_b);
    let vote = json!({"choice": "approve", "reason": "Fine."});
    let ana = app.member_token("ana", std::slice::from_ref(a));

    ok(&app, &ana, &id, &format!("parts/{a}/votes"), &vote).await;
    let twice = command(&app, &ana, &id, &format!("parts/{a}/votes"), &vote).await;
    assert_eq!(twice.status(), 409);
    assert_eq!(problem(twice).await["code"], "already_voted");

    let elsewhere = command(&app, &ana, &id, &format!("parts/{b}/votes"), &vote).await;
    assert_eq!(
        elsewhere.status(),
        404,
        "another committee's part is not ana's to know"
    );

    let cem = app.member_token("cem", std::slice::from_ref(a));
    let conflicted = command(&app, &cem, &id, &format!("parts/{a}/votes"), &vote).await;
    assert_eq!(conflicted.status(), 403);
    let conflicted = problem(conflicted).await;
    assert_eq!(conflicted["code"], "conflict_of_interest");
    assert!(
        conflicted["detail"]
            .as_str()
            .unwrap()
            .contains("organisation")
    );

    let early = command(
        &app,
        &ana,
        &id,
        &format!("parts/{a}/decision"),
        &json!({"outcome": "approve", "reasons": "x"}),
    )
    .await;
    assert_eq!(problem(early).await["code"], "quorum_not_reached");

    let dora = app.member_token("dora", std::slice::from_ref(b));
    ok(&app, &dora, &id, &format!("parts/{b}/votes"), &vote).await;
    let no_override = command(
        &app,
        &dora,
        &id,
        &format!("parts/{b}/decision"),
        &json!({"outcome": "approve", "reasons": "x", "overrides": [{"dataset_id": review.dataset_b, "justification": ""}]}),
    )
    .await;
    assert_eq!(no_override.status(), 422);
    assert_eq!(
        problem(no_override).await["errors"][0]["field"],
        "overrides[0].justification"
    );
    let overridden = ok(
        &app,
        &dora,
        &id,
        &format!("parts/{b}/decision"),
        &json!({"outcome": "approve", "reasons": "x", "overrides": [{"dataset_id": review.dataset_b, "justification": "Metastases to the lung are in scope."}]}),
    )
    .await;
    let part_b = overridden["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["committee_id"] == b.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        part_b["decision"]["overrides"][0]["dataset_id"],
        review.dataset_b.as_str()
    );

    let admin = app.admin_token();
    let without_reason = command(&app, &admin, &id, "extension", &json!({"reason": " "})).await;
    assert_eq!(without_reason.status(), 422);
    ok(
        &app,
        &admin,
        &id,
        "extension",
        &json!({"reason": "A new member joins."}),
    )
    .await;
    let again = command(&app, &admin, &id, "extension", &json!({"reason": "Again."})).await;
    assert_eq!(problem(again).await["code"], "already_extended");
}

async fn applications_are_visible_only_to_their_parties(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let id = under_review(&app, &review).await;
    let path = format!("/api/v1/applications/{id}");
    let a = &review.committee_a;
    let ana = app.member_token("ana", std::slice::from_ref(a));
    ok(
        &app,
        &ana,
        &id,
        "comments",
        &json!({"visibility": "internal", "text": "Check the consent basis."}),
    )
    .await;
    ok(
        &app,
        &ana,
        &id,
        "comments",
        &json!({"visibility": "public", "text": "Please confirm the period."}),
    )
    .await;

    let bob = researcher(&app, "bob");
    assert_eq!(app.get(&path, Some(&bob)).await.status(), 404);
    assert_eq!(app.get(&path, None).await.status(), 401);
    let stranger = app.member_token("zoe", &["00000000-0000-7000-8000-000000000000".to_owned()]);
    assert_eq!(app.get(&path, Some(&stranger)).await.status(), 404);

    let alice: Value = app
        .get(&path, Some(&researcher(&app, "alice")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        alice["comments"].as_array().unwrap().len(),
        1,
        "public only"
    );

    let holder_a: Value = app
        .get(&path, Some(&review.holder_a.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(holder_a["parts"].as_array().unwrap().len(), 1);
    assert_eq!(holder_a["parts"][0]["committee_id"], a.as_str());
    assert_eq!(holder_a["allowed_actions"], json!([]));
    let submit = command(&app, &review.holder_a.token, &id, "accept", &json!({})).await;
    assert_eq!(submit.status(), 403, "data holders read, never act");

    let queue: Value = app
        .get("/api/v1/applications?awaiting_decision=true", Some(&ana))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    let own: Value = app
        .get("/api/v1/applications", Some(&bob))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["items"], json!([]));
}

async fn the_register_lists_receipts_and_decisions_without_natural_persons_art_57(
    db: TestDatabase,
) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    // A draft is not received: it is not in the register.
    draft(&app, &alice, &access_application(&review.both_datasets())).await;
    let id = under_review(&app, &review).await;
    let page = app.get("/api/v1/register/applications", None).await;
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    let register: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(register["items"].as_array().unwrap().len(), 1);
    assert_eq!(register["items"][0]["application_id"], id.as_str());
    assert_eq!(
        register["items"][0]["organisation"]["name"],
        APPLICANT_ORGANISATION
    );
    for person in ["alice", "Alice Lindqvist", "bruno", "Bruno Keller"] {
        assert!(!text.contains(person), "the register names {person}");
    }
    let csv = app
        .client
        .get(app.url("/api/v1/register/applications"))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("application_id,kind,received_at")
    );
    assert!(lines.next().unwrap().starts_with(&id));
}

async fn deadlines_show_and_overdue_applications_are_listed_art_68(db: TestDatabase) {
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.applications.deadline_check_interval = Duration::from_secs(1);
        settings
    })
    .await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    let id = id_of(&draft(&app, &alice, &access_application(&review.both_datasets())).await);
    ok(&app, &alice, &id, "submit", &json!({})).await;
    let admin = app.admin_token();
    assert_eq!(overdue_count(&app, &admin).await, 0);

    // Four weeks and a day later, nobody has declared it complete.
    app.settings.clock.advance(chrono::Duration::days(29));
    let late: Value = app
        .get(&format!("/api/v1/applications/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(late["deadline"]["days_left"], -1);
    assert_eq!(overdue_count(&app, &admin).await, 1);

    // The deadline job records the overdue application once.
    actix_web::rt::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(deadline_alerts(&app, &id).await, ["application.overdue"]);
}

async fn overdue_count(app: &TestApp, admin: &str) -> usize {
    let page: Value = app
        .get("/api/v1/applications?overdue=true", Some(admin))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().len()
}
