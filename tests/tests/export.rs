//! `hdab seed --demo` and `hdab export`: the demo catalogue loads idempotently and exports as
//! one streamed RDF document with every published dataset.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_api::projections::rdf::RdfSyntax;
use hdab_api::shell::config::Settings;
use hdab_tests::{TestDatabase, on_both_backends};

on_both_backends!(the_demo_catalogue_seeds_once_and_exports_whole);

async fn the_demo_catalogue_seeds_once_and_exports_whole(db: TestDatabase) {
    let dir = tempfile::TempDir::new().unwrap();
    let settings = Settings::for_data_dir(dir.path(), Some(db.url())).unwrap();
    let pool = hdab_api::shell::server::open_database(&settings).unwrap();
    let now = chrono::Utc::now();
    let first = hdab_api::shell::seed::demo(&pool, now).unwrap();
    assert_eq!(
        (first.publishers, first.committees, first.datasets),
        (7, 3, 31)
    );
    let again = hdab_api::shell::seed::demo(&pool, now).unwrap();
    assert_eq!(
        (
            again.publishers,
            again.committees,
            again.datasets,
            again.skipped
        ),
        (0, 0, 0, 31),
        "idempotent"
    );
    hdab_api::shell::seed::synthetic(&pool, 600, now).unwrap();

    let identity = settings.catalogue_identity();
    let mut turtle = Vec::new();
    let count = hdab_api::projections::export::export_catalogue(
        &pool,
        &identity,
        RdfSyntax::Turtle,
        &mut turtle,
    )
    .unwrap();
    assert_eq!(count, 631, "every published dataset, across several pages");
    let turtle = String::from_utf8(turtle).unwrap();
    assert_eq!(turtle.matches("a dcat:Dataset").count(), 631);
    assert_eq!(turtle.matches("a dcat:Catalog").count(), 1);
    assert_eq!(
        turtle.matches("healthdcatap:trustedDataHolder").count(),
        7,
        "each publisher described once"
    );

    let mut json_ld = Vec::new();
    hdab_api::projections::export::export_catalogue(
        &pool,
        &identity,
        RdfSyntax::JsonLd,
        &mut json_ld,
    )
    .unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&json_ld).unwrap();
    assert!(
        parsed.is_object() || parsed.is_array(),
        "the JSON-LD export is one JSON document"
    );
}
