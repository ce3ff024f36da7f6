//! Data permits over HTTP, on both databases: issuance with an approval (EHDS Art 68), who
//! reads a permit, GA4GH visas checked by an independent JWT library and by hdab's own
//! verification through revocation, suspension, amendment, the one extension, expiry, key
//! rotation, the opt-out registry judged at the grant time (Art 71), the public register of
//! permits (Arts 57, 58) and the audit log's verification from the command line.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hdab_domain::auth::Role;
use hdab_tests::applications::{Review, access_application, researcher};
use hdab_tests::permits::{
    Granted, first_visa, partially_approved, partially_approved_as, permit_command, verify, visas,
};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::{Value, json};

on_both_backends!(
    an_approval_issues_a_permit_for_the_approved_datasets_only_art_68,
    a_permit_is_read_only_by_those_it_concerns,
    a_visa_verifies_with_an_independent_jwt_library_until_the_permit_is_revoked_art_63,
    suspension_amendment_and_the_one_extension_change_what_verifies,
    a_permit_past_its_end_reads_as_expired_and_the_job_records_it_once,
    key_rotation_keeps_old_visas_verifiable_until_they_expire,
    opt_outs_are_judged_at_the_grant_time_and_stored_only_as_keyed_hashes_art_71,
    the_register_of_permits_names_organisations_never_persons_art_58,
    the_opt_out_exception_applies_only_when_configured_and_granted_art_71_4,
    audit_events_filter_and_the_command_line_names_an_altered_event,
);

async fn granted(app: &TestApp) -> (Review, Granted) {
    let review = Review::set_up(app).await;
    let granted = partially_approved(app, &review).await;
    (review, granted)
}

/// A page of the event log as an admin reads it, for `path` with its filters.
async fn audit_events(app: &TestApp, path: impl AsRef<str>) -> Value {
    app.get(path.as_ref(), Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap()
}

async fn get_permit(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.get(&format!("/api/v1/permits/{id}"), Some(token)).await
}

async fn an_approval_issues_a_permit_for_the_approved_datasets_only_art_68(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let (review, granted) = granted(&app).await;
    let permit = &granted.permit;
    assert_eq!(permit["status"], "active");
    assert_eq!(permit["holder"], "alice");
    assert_eq!(permit["principal_investigator"]["subject"], "alice");
    assert_eq!(permit["authorised_persons"][0]["subject"], "bruno");
    assert_eq!(permit["purpose"], "scientific_research");
    assert_eq!(permit["data_form"], "anonymised");
    assert_eq!(
        permit["data"]["variables"],
        json!(["age_at_imaging", "stage"])
    );
    assert_eq!(permit["spe_tools"], json!(["Python 3.12", "PyTorch"]));
    assert_eq!(permit["opt_out_exception"], false);
    // Committee B refused the breast dataset: the permit grants the lung dataset only.
    assert_eq!(permit["datasets"].as_array().unwrap().len(), 1);
    assert_eq!(
        permit["datasets"][0]["dataset_id"],
        review.dataset_a.as_str()
    );
    assert_eq!(permit["committees"], json!([review.committee_a]));
    // The fee committee A estimated with its approval (Art 62).
    assert_eq!(
        permit["fee_estimates"],
        json!([{"committee_id": review.committee_a, "amount_minor": 150_000, "currency": "EUR"}])
    );

    // 24 months asked for, under the 10-year maximum; deletion 6 and results 18 months after.
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(permit[field].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let months = |from: chrono::DateTime<chrono::Utc>, n: u32| {
        from.checked_add_months(chrono::Months::new(n)).unwrap()
    };
    assert_eq!(at("valid_from"), at("issued_at"));
    assert_eq!(at("valid_until"), months(at("issued_at"), 24));
    assert_eq!(at("deletion_due"), months(at("valid_until"), 6));
    assert_eq!(at("results_due"), months(at("valid_until"), 18));

    // The issuance is in the application's own history of the log.
    let events = audit_events(
        &app,
        format!(
            "/api/v1/audit/events?entity_type=permit&entity_id={}",
            granted.id()
        ),
    )
    .await;
    assert_eq!(events["items"][0]["action"], "permit.issued");
}

async fn a_permit_is_read_only_by_those_it_concerns(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let (review, granted) = granted(&app).await;
    let id = granted.id();
    let readers = [
        ("the holder", researcher(&app, "alice")),
        ("an authorised person", researcher(&app, "bruno")),
        (
            "the data holder of its dataset",
            review.holder_a.token.clone(),
        ),
        (
            "a member of the granting committee",
            app.member_token("ben", std::slice::from_ref(&review.committee_a)),
        ),
        ("an admin", app.admin_token()),
    ];
    for (who, token) in &readers {
        assert_eq!(get_permit(&app, token, &id).await.status(), 200, "{who}");
        let listed: Value = app
            .get("/api/v1/permits", Some(token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["items"][0]["id"], id.as_str(), "{who} lists it");
    }
    let strangers = [
        ("another researcher", researcher(&app, "mallory")),
        (
            "the data holder of the refused dataset",
            review.holder_b.token.clone(),
        ),
        (
            "a member of the refusing committee",
            app.member_token("dora", std::slice::from_ref(&review.committee_b)),
        ),
    ];
    for (who, token) in &strangers {
        assert_eq!(get_permit(&app, token, &id).await.status(), 404, "{who}");
        let listed: Value = app
            .get("/api/v1/permits", Some(token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["items"], json!([]), "{who} lists nothing");
    }
}

/// The header and claims of a compact JWS, unverified.
fn jws_parts(jwt: &str) -> (Value, Value) {
    let mut parts = jwt.split('.');
    let mut json = || {
        let part = parts.next().unwrap();
        serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    (json(), json())
}

/// Verifies `visa` with PyJWT against the server's published JWKS, as a partner's SPE would;
/// returns its claims. Skipped (`None`) where no Python with PyJWT is configured, unless
/// `HDAB_TEST_REQUIRE_PYJWT` says it must run (as in CI).
async fn verify_with_pyjwt(app: &TestApp, visa: &str) -> Option<Value> {
    // The server's public URL names port 8080 (its configuration); the key set is fetched
    // from where the test server listens.
    const SCRIPT: &str = r#"
import json, sys, jwt
jwks_url, token = sys.argv[1], sys.argv[2]
key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
print(json.dumps(jwt.decode(token, key.key, algorithms=["ES256"], options={"require": ["exp", "iat", "sub", "iss"]})))
"#;
    let args = vec![app.url("/.well-known/jwks.json"), visa.to_owned()];
    let claims = hdab_tests::python::run(SCRIPT, args, "jwt").await?;
    Some(serde_json::from_slice(&claims).unwrap())
}

async fn a_visa_verifies_with_an_independent_jwt_library_until_the_permit_is_revoked_art_63(
    db: TestDatabase,
) {
    let app = TestApp::spawn(db).await;
    let (review, granted) = granted(&app).await;
    let id = granted.id();
    let alice = researcher(&app, "alice");
    let list: Value = visas(&app, &alice, &id).await.json().await.unwrap();
    assert_eq!(list["subject"], "alice");
    assert_eq!(
        list["visas"].as_array().unwrap().len(),
        1,
        "one per dataset"
    );
    let visa = list["visas"][0]["visa"].as_str().unwrap().to_owned();

    let (header, claims) = jws_parts(&visa);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "JWT");
    let public_url = &app.settings.public_url;
    assert_eq!(header["jku"], format!("{public_url}/.well-known/jwks.json"));
    let jwks: Value = app
        .get("/.well-known/jwks.json", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == header["kid"]),
        "the signing key is published"
    );
    let grant = &claims["ga4gh_visa_v1"];
    assert_eq!(grant["type"], "ControlledAccessGrants");
    assert_eq!(grant["by"], "dac");
    assert_eq!(
        grant["value"],
        format!("{public_url}/api/v1/datasets/{}", review.dataset_a)
    );
    assert_eq!(grant["source"], public_url.as_str());
    assert_eq!(claims["sub"], "alice");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600,
        "a visa lives an hour"
    );
    if let Some(checked) = verify_with_pyjwt(&app, &visa).await {
        assert_eq!(checked["ga4gh_visa_v1"]["type"], "ControlledAccessGrants");
        assert_eq!(checked["sub"], "alice");
    }
    let verdict = verify(&app, &visa).await;
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["permit_status"], "active");

    // Bruno, an authorised person, gets his own; the data holder reads the permit but gets
    // no visa.
    let bruno_visa = first_visa(&app, &researcher(&app, "bruno"), &id).await;
    assert_eq!(jws_parts(&bruno_visa).1["sub"], "bruno");
    let holder = problem(visas(&app, &review.holder_a.token, &id).await).await;
    assert_eq!(holder["code"], "not_authorised_person");

    // Whatever is sent as a visa gets an answer, never an error.
    for (sent, reason) in [
        ("not a jwt", "malformed"),
        ("a.b.c", "malformed"),
        ("", "malformed"),
    ] {
        let verdict = verify(&app, sent).await;
        assert_eq!(verdict["valid"], false);
        assert_eq!(verdict["reason"], reason, "{sent:?}");
    }
    // A character in the middle of the signature changed (the last one carries padding bits).
    let middle = visa.len() - 20;
    let flipped = if &visa[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{flipped}{}", &visa[..middle], &visa[middle + 1..]);
    assert_eq!(verify(&app, &tampered).await["reason"], "bad_signature");
    let (head, rest) = visa.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let mut forged_claims = claims.clone();
    forged_claims["sub"] = json!("mallory");
    let forged = format!(
        "{head}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(forged_claims.to_string())
    );
    assert_eq!(verify(&app, &forged).await["reason"], "bad_signature");

    // Revocation (Art 63): only the committee or an admin; then the visa stops verifying.
    let revoke = json!({"reason": "Data shared outside the SPE.", "notice": "Notice of 1 March; answered 20 March."});
    let refused = permit_command(&app, &alice, &id, "revoke", &revoke).await;
    assert_eq!(problem(refused).await["code"], "illegal_transition");
    let ana = app.member_token("ana", std::slice::from_ref(&review.committee_a));
    let revoked: Value = permit_command(&app, &ana, &id, "revoke", &revoke)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["by"], "ana");
    let verdict = verify(&app, &visa).await;
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["reason"], "revoked");
    let no_more = visas(&app, &alice, &id).await;
    assert_eq!(no_more.status(), 409);
    assert_eq!(problem(no_more).await["code"], "permit_not_active");
}

async fn suspension_amendment_and_the_one_extension_change_what_verifies(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let (review, granted) = granted(&app).await;
    let id = granted.id();
    let (alice, admin) = (researcher(&app, "alice"), app.admin_token());
    let ana = app.member_token("ana", std::slice::from_ref(&review.committee_a));
    let alice_visa = first_visa(&app, &alice, &id).await;
    let bruno_visa = first_visa(&app, &researcher(&app, "bruno"), &id).await;

    let suspended = permit_command(
        &app,
        &admin,
        &id,
        "suspend",
        &json!({"reason": "Art 63 notice sent."}),
    )
    .await;
    assert_eq!(suspended.status(), 200);
    assert_eq!(verify(&app, &alice_visa).await["reason"], "suspended");
    assert_eq!(visas(&app, &alice, &id).await.status(), 409);
    let reinstated = permit_command(&app, &ana, &id, "reinstate", &json!({})).await;
    assert_eq!(reinstated.status(), 200);
    assert_eq!(verify(&app, &alice_visa).await["valid"], true);

    // An amendment removes Bruno and adds Chiara, as a new version with its history.
    let amended: Value = permit_command(
        &app,
        &alice,
        &id,
        "amendments",
        &json!({"add": [{"subject": "chiara", "name": "Chiara Rossi", "email": "chiara@uni-heidelberg.example"}], "remove": ["bruno"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(amended["authorised_persons"][0]["subject"], "chiara");
    assert_eq!(amended["amendments"][0]["removed"], json!(["bruno"]));
    assert_eq!(amended["amendments"][0]["by"], "alice");
    assert_eq!(verify(&app, &bruno_visa).await["reason"], "revoked");
    assert_eq!(
        visas(&app, &researcher(&app, "bruno"), &id).await.status(),
        404
    );
    first_visa(&app, &researcher(&app, "chiara"), &id).await;

    // One extension, asked by the holder and granted by the committee; never a second.
    let ask = json!({"months": 12, "reason": "Recruitment took a year longer."});
    let too_long = permit_command(
        &app,
        &alice,
        &id,
        "extension",
        &json!({"months": 25, "reason": "More."}),
    )
    .await;
    assert_eq!(problem(too_long).await["errors"][0]["field"], "months");
    let asked = permit_command(&app, &alice, &id, "extension", &ask).await;
    assert_eq!(asked.status(), 200);
    let before: Value = asked.json().await.unwrap();
    let decided: Value = permit_command(
        &app,
        &ana,
        &id,
        "extension/decision",
        &json!({"grant": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(decided["extension"]["granted"], true);
    assert_ne!(decided["valid_until"], before["valid_until"]);
    let again = permit_command(&app, &alice, &id, "extension", &ask).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "already_extended");
}

async fn a_permit_past_its_end_reads_as_expired_and_the_job_records_it_once(db: TestDatabase) {
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.permits.expiry_check_interval = Duration::from_secs(1);
        settings
    })
    .await;
    let (_, granted) = granted(&app).await;
    let id = granted.id();
    let alice = researcher(&app, "alice");
    let visa = first_visa(&app, &alice, &id).await;

    // A day past the 24 months: expired on read, before the job has run.
    app.settings
        .clock
        .advance(chrono::Duration::days(2 * 366 + 1));
    let read: Value = get_permit(&app, &alice, &id).await.json().await.unwrap();
    assert_eq!(read["status"], "expired");
    assert_eq!(visas(&app, &alice, &id).await.status(), 409);
    assert_eq!(verify(&app, &visa).await["reason"], "expired");
    let expired: Value = app
        .get("/api/v1/permits?status=expired", Some(&alice))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(expired["items"][0]["id"], id.as_str());

    // The job records the expiry, once.
    actix_web::rt::time::sleep(Duration::from_millis(2_500)).await;
    let events = audit_events(
        &app,
        format!("/api/v1/audit/events?entity_id={id}&action=permit.expired"),
    )
    .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");
    assert_eq!(events["items"][0]["actor"], "hdab");
    // The holder may still close out with the results.
    let closed = permit_command(
        &app,
        &alice,
        &id,
        "close",
        &json!({"results_link": "https://doi.org/10.1000/xyz"}),
    )
    .await;
    assert_eq!(closed.status(), 200);
}

async fn published_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = app
        .get("/.well-known/jwks.json", None)
        .await
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

async fn key_rotation_keeps_old_visas_verifiable_until_they_expire(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let (_, granted) = granted(&app).await;
    let id = granted.id();
    let alice = researcher(&app, "alice");
    let old = first_visa(&app, &alice, &id).await;
    let old_kid = jws_parts(&old).0["kid"].as_str().unwrap().to_owned();
    let before = published_kids(&app).await;

    // `hdab keys rotate`, as another process on the same database; the server's follower
    // picks the rotation up from the event log within its next round.
    let new_kid = hdab_api::shell::admin::rotate_keys(&app.settings).unwrap();
    let mut waited = 0;
    while !published_kids(&app).await.contains(&new_kid) {
        assert!(waited < 30, "the new key is not published after 3 s");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let after = published_kids(&app).await;
    assert_eq!(
        after.len(),
        before.len() + 1,
        "old and new are both published"
    );
    assert!(after.contains(&old_kid));
    let new = first_visa(&app, &alice, &id).await;
    assert_eq!(jws_parts(&new).0["kid"], new_kid.as_str());
    assert_eq!(
        verify(&app, &old).await["valid"],
        true,
        "an old visa still verifies"
    );
    assert_eq!(verify(&app, &new).await["valid"], true);

    // Once every visa of the old key has expired, the key leaves the JWKS.
    app.settings.clock.advance(chrono::Duration::minutes(61));
    assert!(!published_kids(&app).await.contains(&old_kid));
    assert!(published_kids(&app).await.contains(&new_kid));
    assert_eq!(verify(&app, &old).await["valid"], false);
}

/// Everything hdab logs in this test process, for checks that something never is.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_ansi(false)
        .with_writer(|| Capture)
        .try_init();
}

async fn opt_outs_are_judged_at_the_grant_time_and_stored_only_as_keyed_hashes_art_71(
    db: TestDatabase,
) {
    capture_logs();
    let app = TestApp::spawn(db).await;
    let (review, granted) = granted(&app).await;
    let id = granted.id();
    let granted_at =
        chrono::DateTime::parse_from_rfc3339(granted.permit["issued_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
    let micro = chrono::Duration::microseconds(1);
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let person = |n: &str| format!("PSN-{unique}-{n}");
    let registry = app.token("registry", &[Role::OptoutRegistry], &[]);
    let choice = |who: &str, at: chrono::DateTime<chrono::Utc>, withdrawn: bool| json!({"pseudonym": person(who), "at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true), "withdrawn": withdrawn});
    let push = json!({"records": [
        // Opted out at the very instant of the grant: excluded.
        choice("at-grant", granted_at, false),
        // A microsecond after: the permit was granted before, so not excluded.
        choice("after-grant", granted_at + micro, false),
        // Opted out and withdrew before the grant: not excluded.
        choice("withdrew", granted_at - chrono::Duration::days(10), false),
        choice("withdrew", granted_at - micro, true),
        // Withdrew only after the grant: excluded.
        choice("withdrew-late", granted_at - chrono::Duration::days(10), false),
        choice("withdrew-late", granted_at + micro, true),
    ]});
    // The clock moves on before the push, so every choice lies in the past.
    app.settings.clock.advance(chrono::Duration::seconds(5));
    let pushed: Value = app
        .post("/api/v1/optouts", &registry, &push)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        pushed,
        json!({"received": 6, "opt_outs": 4, "withdrawals": 2, "unchanged": 0})
    );
    let again: Value = app
        .post("/api/v1/optouts", &registry, &push)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["unchanged"], 6, "a push repeated records nothing new");

    let check = json!({"pseudonyms": [person("at-grant"), person("after-grant"), person("withdrew"), person("withdrew-late"), person("never")]});
    let path = format!("/api/v1/permits/{id}/optout-check");
    let answer: Value = app
        .post(&path, &review.holder_a.token, &check)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["excluded"],
        json!([person("at-grant"), person("withdrew-late")])
    );
    assert_eq!(answer["checked"], 5);
    assert_eq!(answer["exception_applied"], false);
    assert_eq!(answer["granted_at"], granted.permit["issued_at"]);

    // Only the data holders of the permit's datasets check; 10,000 pseudonyms at most.
    let alice = researcher(&app, "alice");
    assert_eq!(app.post(&path, &alice, &check).await.status(), 403);
    assert_eq!(
        app.post(&path, &review.holder_b.token, &check)
            .await
            .status(),
        404
    );
    let too_many: Vec<String> = (0..10_001).map(|n| format!("P{n}")).collect();
    let over = app
        .post(
            &path,
            &review.holder_a.token,
            &json!({"pseudonyms": too_many}),
        )
        .await;
    assert_eq!(over.status(), 413);
    assert_eq!(problem(over).await["code"], "batch_too_large");
    let over_push: Vec<Value> = (0..10_001)
        .map(|n| choice(&n.to_string(), granted_at, false))
        .collect();
    let over = app
        .post("/api/v1/optouts", &registry, &json!({"records": over_push}))
        .await;
    assert_eq!(over.status(), 413);

    // The check is an event with counts only.
    let events = audit_events(
        &app,
        format!("/api/v1/audit/events?action=permit.optout_checked&entity_id={id}"),
    )
    .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 1);

    // No pseudonym is stored or logged anywhere.
    let stored = app.db.contents();
    let logs = LOGS.lock().unwrap().clone();
    for haystack in [&stored, &logs] {
        assert!(
            !haystack
                .windows(unique.len())
                .any(|w| w == unique.as_bytes()),
            "a pseudonym was stored or logged"
        );
    }
    assert!(!stored.is_empty() && !logs.is_empty());
}

async fn the_register_of_permits_names_organisations_never_persons_art_58(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let (review, granted) = granted(&app).await;
    let page: Value = app
        .get("/api/v1/register/permits", None)
        .await
        .json()
        .await
        .unwrap();
    let entry = &page["items"][0];
    assert_eq!(entry["permit_id"], granted.id().as_str());
    assert_eq!(entry["organisation"]["name"], "Universität Heidelberg");
    assert_eq!(entry["dataset_ids"], json!([review.dataset_a]));
    assert_eq!(entry["status"], "active");
    let csv = app
        .client
        .get(app.url("/api/v1/register/permits"))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("permit_id,organisation,"));
    for text in [page.to_string(), csv] {
        for person in ["alice", "Alice", "Lindqvist", "bruno", "Keller"] {
            assert!(!text.contains(person), "the register names {person}");
        }
    }
}

async fn audit_events_filter_and_the_command_line_names_an_altered_event(db: TestDatabase) {
    use diesel::RunQueryDsl;
    let app = TestApp::spawn(db).await;
    let (_, granted) = granted(&app).await;
    let admin = app.admin_token();
    let by_actor = audit_events(
        &app,
        "/api/v1/audit/events?actor=dora&entity_type=application",
    )
    .await;
    let actions: Vec<&str> = by_actor["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"application.vote_cast"), "{actions:?}");
    assert!(
        by_actor["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "dora")
    );
    let future = audit_events(&app, "/api/v1/audit/events?since=2999-01-01T00:00:00Z").await;
    assert_eq!(future["items"], json!([]));
    let reversed = app
        .get(
            "/api/v1/audit/events?since=2027-01-02T00:00:00Z&until=2027-01-01T00:00:00Z",
            Some(&admin),
        )
        .await;
    assert_eq!(problem(reversed).await["errors"][0]["field"], "until");

    assert!(hdab_api::shell::admin::verify_audit(&app.settings).is_ok());
    let issued = audit_events(
        &app,
        format!(
            "/api/v1/audit/events?action=permit.issued&entity_id={}",
            granted.id()
        ),
    )
    .await;
    let seq = issued["items"][0]["seq"].as_i64().unwrap();
    // Someone with database access widens the permit behind hdab's back.
    let mut conn = app.db.pool().get().unwrap();
    diesel::sql_query(format!(
        "UPDATE events SET payload = REPLACE(payload, '\"anonymised\"', '\"pseudonymised\"') WHERE seq = {seq}"
    ))
    .execute(&mut **conn)
    .unwrap();
    let error = hdab_api::shell::admin::verify_audit(&app.settings)
        .unwrap_err()
        .to_string();
    assert!(error.contains(&format!("event {seq} is broken")), "{error}");
}

async fn the_opt_out_exception_applies_only_when_configured_and_granted_art_71_4(db: TestDatabase) {
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.applications.submission.opt_out_exception_available = true;
        settings.permits.opt_out_exception_available = true;
        settings
    })
    .await;
    let review = Review::set_up(&app).await;
    let mut form = access_application(&review.both_datasets());
    form["access"]["opt_out_exception"] = json!(true);
    form["access"]["opt_out_justification"] =
        json!("A rare tumour: no other source holds enough cases.");
    let granted = partially_approved_as(&app, &review, &form).await;
    assert_eq!(granted.permit["opt_out_exception"], true);
    let id = granted.id();
    let registry = app.token("registry", &[Role::OptoutRegistry], &[]);
    let pseudonym = format!("PSN-{}", uuid::Uuid::new_v4().simple());
    let opted_out = json!({"records": [{"pseudonym": pseudonym, "at": "2020-01-01T00:00:00Z"}]});
    assert_eq!(
        app.post("/api/v1/optouts", &registry, &opted_out)
            .await
            .status(),
        200
    );
    let check = json!({"pseudonyms": [pseudonym]});
    let path = format!("/api/v1/permits/{id}/optout-check");
    let answer: Value = app
        .post(&path, &review.holder_a.token, &check)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["exception_applied"], true);
    assert_eq!(answer["excluded"], json!([]));

    // The Member State withdraws the exception: the same permit's check excludes again.
    let mut app = app;
    app.settings.permits.opt_out_exception_available = false;
    let app = app.restart(|_| {}).await;
    let answer: Value = app
        .post(&path, &review.holder_a.token, &check)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["exception_applied"], false);
    assert_eq!(answer["excluded"], json!([pseudonym]));
}
