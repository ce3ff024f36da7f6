//! Who may do what: every operation against every kind of caller, as one table. A caller
//! without the role gets 403 (401 without a token); a resource outside the caller's scope is
//! 404, so no one learns that another publisher's draft exists.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_domain::auth::Role;
use hdab_tests::fixtures::{Holder, create, create_published, dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, publisher_body};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(every_operation_answers_every_caller_as_the_rules_say);

/// The callers, in the order of each row's expected statuses.
const CALLERS: [&str; 8] = [
    "anonymous",
    "researcher",
    "dac_member",
    "data_holder of the publisher",
    "data_holder of another publisher",
    "partner of the publisher",
    "optout_registry",
    "hdab_admin",
];

struct Operation {
    name: &'static str,
    method: Method,
    path: String,
    /// A body valid for the caller at `index` of [`CALLERS`].
    body: Box<dyn Fn(usize) -> Value>,
    expected: [u16; 8],
}

fn operation(
    name: &'static str,
    method: Method,
    path: String,
    body: impl Fn(usize) -> Value + 'static,
    expected: [u16; 8],
) -> Operation {
    Operation {
        name,
        method,
        path,
        body: Box::new(body),
        expected,
    }
}

const PUBLIC: [u16; 8] = [200; 8];
const ADMIN_READ: [u16; 8] = [401, 403, 403, 403, 403, 403, 403, 200];

async fn every_operation_answers_every_caller_as_the_rules_say(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let own: Holder = holder(&app, "Matrix Own", "FR", false).await;
    let other: Holder = holder(&app, "Matrix Other", "ES", false).await;
    let draft = create(&app, &own, &dataset(&own, "M-DRAFT")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = create_published(&app, &own, &dataset(&own, "M-PUB")).await;
    let tokens: Vec<Option<String>> = vec![
        None,
        Some(app.token("r", &[Role::Researcher], &[])),
        Some(app.token("d", &[Role::DacMember], &[])),
        Some(app.token(
            "h",
            &[Role::DataHolder],
            std::slice::from_ref(&own.publisher),
        )),
        Some(app.token(
            "o",
            &[Role::DataHolder],
            std::slice::from_ref(&other.publisher),
        )),
        Some(app.token("p", &[Role::Partner], std::slice::from_ref(&own.publisher))),
        Some(app.token("x", &[Role::OptoutRegistry], &[])),
        Some(app.admin_token()),
    ];
    let (p, c) = (own.publisher.clone(), own.committee.clone());
    let own_dataset = dataset(&own, "M-NEW");
    let published_body = dataset(&own, "M-PUB");
    let null = |_: usize| Value::Null;
    let operations = vec![
        operation(
            "list publishers",
            Method::GET,
            "/api/v1/publishers".into(),
            null,
            PUBLIC,
        ),
        operation(
            "read a publisher",
            Method::GET,
            format!("/api/v1/publishers/{p}"),
            null,
            PUBLIC,
        ),
        operation(
            "list committees",
            Method::GET,
            "/api/v1/committees".into(),
            null,
            PUBLIC,
        ),
        operation(
            "read a committee",
            Method::GET,
            format!("/api/v1/committees/{c}"),
            null,
            PUBLIC,
        ),
        operation(
            "search datasets",
            Method::GET,
            "/api/v1/datasets".into(),
            null,
            PUBLIC,
        ),
        operation(
            "read a published dataset",
            Method::GET,
            format!("/api/v1/datasets/{published}"),
            null,
            PUBLIC,
        ),
        operation(
            "read a draft",
            Method::GET,
            format!("/api/v1/datasets/{draft}"),
            null,
            [404, 404, 404, 200, 404, 404, 404, 200],
        ),
        operation(
            "read the catalogue",
            Method::GET,
            "/api/v1/catalogue.ttl".into(),
            null,
            PUBLIC,
        ),
        operation(
            "list checkpoints",
            Method::GET,
            "/api/v1/audit/checkpoints".into(),
            null,
            PUBLIC,
        ),
        operation(
            "read the key set",
            Method::GET,
            "/.well-known/jwks.json".into(),
            null,
            PUBLIC,
        ),
        operation(
            "read the audit log",
            Method::GET,
            "/api/v1/audit/events".into(),
            null,
            ADMIN_READ,
        ),
        operation(
            "verify the audit log",
            Method::GET,
            "/api/v1/audit/verify".into(),
            null,
            ADMIN_READ,
        ),
        operation(
            "sign a checkpoint",
            Method::POST,
            "/api/v1/audit/checkpoints".into(),
            null,
            [401, 403, 403, 403, 403, 403, 403, 201],
        ),
        operation(
            "create a publisher",
            Method::POST,
            "/api/v1/publishers".into(),
            |caller| publisher_body(&format!("Matrix created by {caller}"), "DE"),
            [401, 403, 403, 403, 403, 403, 403, 201],
        ),
        operation(
            "replace a publisher",
            Method::PUT,
            format!("/api/v1/publishers/{p}"),
            |_| publisher_body("Matrix Own", "FR"),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        operation(
            "create a committee",
            Method::POST,
            "/api/v1/committees".into(),
            |caller| json!({"name": format!("Matrix DAC {caller}"), "decision_rule": "majority"}),
            [401, 403, 403, 403, 403, 403, 403, 201],
        ),
        operation(
            "replace a committee",
            Method::PUT,
            format!("/api/v1/committees/{c}"),
            move |_| json!({"name": "Matrix Own DAC", "decision_rule": "majority", "publisher_ids": [own.publisher]}),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        operation(
            "create a dataset",
            Method::POST,
            "/api/v1/datasets".into(),
            move |caller| {
                let mut body = own_dataset.clone();
                body["identifier"] = json!(format!("M-NEW-{caller}"));
                body
            },
            [401, 403, 403, 201, 404, 403, 403, 201],
        ),
        operation(
            "replace a dataset",
            Method::PUT,
            format!("/api/v1/datasets/{published}"),
            move |_| published_body.clone(),
            [401, 403, 403, 200, 404, 403, 403, 200],
        ),
        operation(
            "confirm a dataset",
            Method::POST,
            format!("/api/v1/datasets/{published}/confirm"),
            null,
            [401, 403, 403, 200, 404, 403, 403, 200],
        ),
    ];
    let mut mismatches = Vec::new();
    for operation in &operations {
        for (index, token) in tokens.iter().enumerate() {
            let mut request = app
                .client
                .request(operation.method.clone(), app.url(&operation.path))
                .header("if-match", "*");
            let body = (operation.body)(index);
            if !body.is_null() {
                request = request.json(&body);
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let status = request.send().await.unwrap().status().as_u16();
            if status != operation.expected[index] {
                mismatches.push(format!(
                    "{} as {}: {status}, expected {}",
                    operation.name, CALLERS[index], operation.expected[index]
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(operations.len() * CALLERS.len(), 160);
}
