//! Data written by the previous release: dataset documents in the API's wire form (no
//! version) and event payloads that were wire views. After an upgrade they still read, the
//! search index still follows them, and the event log still verifies: old rows are read (and
//! documents rewritten), never the log.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use diesel::RunQueryDsl;
use hdab_domain::event::{Event, EventKind, NewEvent, ReadError};
use hdab_domain::ids::DatasetId;
use hdab_persistence::{DatabaseUrl, Timeouts, events};
use hdab_tests::fixtures::{dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(data_of_the_previous_release_reads_follows_and_verifies);

/// Writes what the previous release wrote when a dataset was published, through `url`.
fn write_as_the_previous_release(url: &str, id: DatasetId, wire: &Value) {
    let pool =
        hdab_persistence::db::connect(&DatabaseUrl::parse(url).unwrap(), 1, Timeouts::default())
            .unwrap();
    let mut conn = pool.get().unwrap();
    let now = hdab_persistence::now();
    let at = now.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    let document = wire.to_string().replace('\'', "''");
    events::write(
        &mut conn,
        |tx| -> Result<(), hdab_persistence::StoreError> {
            diesel::sql_query(format!(
                "INSERT INTO datasets (id, publisher_id, committee_id, identifier, status, \
             access_rights, document, version, created_at, modified_at, issued_at, confirmed_at) \
             VALUES ('{id}', '{}', '{}', 'LEGACY-1', 'published', 'PUBLIC', '{document}', 2, \
             '{at}', '{at}', '{at}', '{at}')",
                wire["publisher_id"].as_str().unwrap(),
                wire["committee_id"].as_str().unwrap(),
            ))
            .execute(tx)?;
            let payload = json!({
                "id": id, "status": "published", "version": 2,
                "publisher_id": wire["publisher_id"], "description": wire,
            });
            events::append(
                tx,
                "holder@previous-release",
                now,
                NewEvent {
                    action: "dataset.published",
                    entity_type: "dataset",
                    entity_id: id.to_string(),
                    payload: payload.to_string(),
                },
            )?;
            Ok(())
        },
    )
    .unwrap();
}

async fn data_of_the_previous_release_reads_follows_and_verifies(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Earlier Holder", "AT", false).await;
    let mut wire = dataset(&h, "LEGACY-1");
    wire["title"] = json!({"en": "Mesothelioma CT collection of an earlier release"});
    let id = DatasetId::generate();
    let url = app.db.url().to_owned();
    let app = app
        .restart(|_| write_as_the_previous_release(&url, id, &wire))
        .await;

    let read: Value = app
        .get(&format!("/api/v1/datasets/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["metadata"]["identifier"], "LEGACY-1", "{read}");
    assert_eq!(read["version"], 2);
    let found: Value = app
        .get("/api/v1/datasets?q=mesothelioma", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1, "the index followed the old event");
    let verified: Value = app
        .get("/api/v1/audit/verify", Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verified["valid"], true, "{verified}");

    // The old payload is kept as written, and known for what it is.
    let log: Value = app
        .get("/api/v1/audit/events?limit=100", Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    let old = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_id"] == id.to_string())
        .unwrap();
    assert_eq!(old["payload"]["description"]["identifier"], "LEGACY-1");
    let payload = old["payload"].to_string();
    assert!(matches!(
        Event::read(EventKind::DatasetPublished, &payload),
        Err(ReadError::Unversioned)
    ));
    // Today's events read back as what they say.
    let new = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "publisher.created")
        .unwrap();
    let event = Event::read(EventKind::PublisherCreated, &new["payload"].to_string()).unwrap();
    assert_eq!(event.entity_id(), h.publisher);
}
