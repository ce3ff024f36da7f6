//! The wire contract. The whole document is snapshot-tested, so any change to the contract
//! shows in review (`cargo insta review`, or `INSTA_UPDATE=always cargo test` to accept).
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(hdab_api::edge::app::openapi_document()).unwrap()
}

#[test]
fn the_openapi_document_matches_the_snapshot() {
    insta::assert_json_snapshot!("openapi", document());
}

#[test]
fn is_openapi_3_1() {
    assert_eq!(document()["openapi"], "3.1.0");
}

#[test]
fn every_operation_has_a_tag_an_id_and_documents_its_problems() {
    let document = document();
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has a tag"
            );
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has an operation id"));
            assert!(
                ids.insert(id.to_owned()),
                "{name}: operation ids are unique"
            );
            let responses = operation["responses"].as_object().unwrap();
            let secured = operation.get("security").is_some();
            if secured {
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{name} documents 401 and 403"
                );
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{name} {status} is a problem"
                    );
                }
            }
        }
    }
    assert!(
        ids.len() >= 15,
        "all operations are documented, found {}",
        ids.len()
    );
}
