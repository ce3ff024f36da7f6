//! The storage layer on both databases: migrations, and the event log's tamper evidence.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use chrono::Utc;
use diesel::RunQueryDsl;
use hdab_domain::event::NewEvent;
use hdab_persistence::{DbConnection, StoreError, db, events, wal};
use hdab_tests::{TestDatabase, on_both_backends};

on_both_backends!(
    migrations_go_up_down_and_up_again,
    the_event_log_verifies_after_writes,
    events_appended_together_chain_like_events_appended_one_by_one,
    the_event_log_names_the_first_tampered_event,
    removing_the_newest_event_is_detected,
    a_failed_transaction_leaves_no_event,
    a_log_that_disagrees_with_or_falls_short_of_a_checkpoint_is_broken,
    a_wal_checkpoint_copies_the_whole_log_when_nobody_reads,
);

fn migrated(db: &TestDatabase) -> hdab_persistence::db::PooledConnection {
    let pool = db.pool();
    let mut conn = pool.get().unwrap();
    db::run_migrations(&mut conn).unwrap();
    conn
}

fn new_event(i: usize) -> NewEvent {
    NewEvent {
        action: "publisher.created",
        entity_type: "publisher",
        entity_id: format!("p{i}"),
        payload: format!("{{\"n\":{i}}}"),
    }
}

fn append(conn: &mut DbConnection, n: usize) {
    for i in 0..n {
        events::write(conn, |tx| {
            events::append(tx, "admin", Utc::now(), new_event(i))
        })
        .unwrap();
    }
}

async fn migrations_go_up_down_and_up_again(db: TestDatabase) {
    let mut conn = migrated(&db);
    let reverted = db::revert_all_migrations(&mut conn).unwrap();
    assert!(
        !reverted.is_empty(),
        "every migration has a working down.sql"
    );
    assert!(
        diesel::sql_query("SELECT * FROM publishers")
            .execute(&mut **conn)
            .is_err(),
        "down removed the tables"
    );
    let applied = db::run_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), reverted.len());
    append(&mut conn, 1);
}

async fn the_event_log_verifies_after_writes(db: TestDatabase) {
    let mut conn = migrated(&db);
    append(&mut conn, 25);
    let verification = events::verify(&mut conn, None).unwrap();
    assert_eq!(verification.events_checked, 25);
    assert_eq!(verification.first_break, None);
    let seqs: Vec<i64> = events::list_after(&mut conn, 0, 100)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(
        seqs,
        (1..=25).collect::<Vec<_>>(),
        "sequence numbers have no gaps"
    );
}

/// A bulk call's events go in multi-row inserts of a hundred: across those inserts, and
/// after events appended one by one, the chain has no gap and verifies.
async fn events_appended_together_chain_like_events_appended_one_by_one(db: TestDatabase) {
    let mut conn = migrated(&db);
    append(&mut conn, 3);
    let together = events::write(&mut conn, |tx| {
        events::append_all(tx, "admin", Utc::now(), (3..253).map(new_event).collect())
    })
    .unwrap();
    assert_eq!(
        together.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (4..=253).collect::<Vec<_>>()
    );
    append(&mut conn, 1);
    let verification = events::verify(&mut conn, None).unwrap();
    assert_eq!(verification.events_checked, 254);
    assert_eq!(verification.first_break, None);
    assert_eq!(events::head_seq(&mut conn).unwrap(), 254);
}

async fn the_event_log_names_the_first_tampered_event(db: TestDatabase) {
    let mut conn = migrated(&db);
    append(&mut conn, 10);
    diesel::sql_query("UPDATE events SET payload = '{\"n\":999}' WHERE seq = 4")
        .execute(&mut **conn)
        .unwrap();
    diesel::sql_query("UPDATE events SET actor = 'mallory' WHERE seq = 7")
        .execute(&mut **conn)
        .unwrap();
    let verification = events::verify(&mut conn, None).unwrap();
    let broken = verification.first_break.expect("tampering is detected");
    assert_eq!(broken.seq, 4);
    assert!(broken.reason.contains("hash"), "{}", broken.reason);
    assert_eq!(verification.events_checked, 3);
}

async fn removing_the_newest_event_is_detected(db: TestDatabase) {
    let mut conn = migrated(&db);
    append(&mut conn, 3);
    diesel::sql_query("DELETE FROM events WHERE seq = 3")
        .execute(&mut **conn)
        .unwrap();
    let broken = events::verify(&mut conn, None)
        .unwrap()
        .first_break
        .expect("a missing tail is detected");
    assert_eq!(broken.seq, 3);
}

async fn a_failed_transaction_leaves_no_event(db: TestDatabase) {
    let mut conn = migrated(&db);
    let result: Result<(), StoreError> = events::write(&mut conn, |tx| {
        events::append(
            tx,
            "admin",
            Utc::now(),
            NewEvent {
                action: "x.done",
                entity_type: "x",
                entity_id: "1".into(),
                payload: "{}".into(),
            },
        )?;
        Err(StoreError::Conflict {
            code: "test",
            message: "refused".into(),
        })
    });
    assert!(result.is_err());
    assert!(events::list_after(&mut conn, 0, 10).unwrap().is_empty());
    append(&mut conn, 1);
    assert_eq!(
        events::list_after(&mut conn, 0, 10).unwrap()[0].seq,
        1,
        "the rolled-back number is reused, no gap"
    );
}

async fn a_log_that_disagrees_with_or_falls_short_of_a_checkpoint_is_broken(db: TestDatabase) {
    use hdab_domain::event::ChainHead;
    let mut conn = migrated(&db);
    append(&mut conn, 5);
    let head = events::load_head(&mut conn).unwrap();
    let third = events::list_after(&mut conn, 2, 1).unwrap().remove(0);
    let at_third = ChainHead {
        seq: 3,
        hash: third.hash.clone(),
    };
    assert_eq!(
        events::verify(&mut conn, Some(&at_third))
            .unwrap()
            .first_break,
        None
    );
    assert_eq!(
        events::verify(&mut conn, Some(&head)).unwrap().first_break,
        None
    );

    let other_history = ChainHead {
        seq: 3,
        hash: "f".repeat(64),
    };
    let broken = events::verify(&mut conn, Some(&other_history))
        .unwrap()
        .first_break
        .expect("a log that disagrees with a checkpoint is broken");
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("checkpoint"), "{}", broken.reason);

    let further = ChainHead {
        seq: 9,
        hash: "0".repeat(64),
    };
    let broken = events::verify(&mut conn, Some(&further))
        .unwrap()
        .first_break
        .expect("a log shorter than a checkpoint is broken");
    assert_eq!(broken.seq, 6);
    assert!(
        broken.reason.contains("reached event 9"),
        "{}",
        broken.reason
    );
}

/// Writers leave SQLite's log to the background checkpoint (up to the backstop); a checkpoint
/// with no reader in the way copies all of it. PostgreSQL checkpoints by itself.
async fn a_wal_checkpoint_copies_the_whole_log_when_nobody_reads(db: TestDatabase) {
    let mut conn = migrated(&db);
    append(&mut conn, 20);
    let Some(checkpoint) = wal::checkpoint(&mut conn).unwrap() else {
        assert!(matches!(**conn, DbConnection::Postgresql(_)));
        return;
    };
    assert!(checkpoint.log_pages > 0, "the writes went to the log");
    assert_eq!(checkpoint.copied_pages, checkpoint.log_pages);

    #[derive(diesel::QueryableByName)]
    struct Backstop {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        wal_autocheckpoint: i32,
    }
    let backstop = diesel::sql_query("PRAGMA wal_autocheckpoint")
        .get_result::<Backstop>(&mut **conn)
        .unwrap();
    assert_eq!(backstop.wal_autocheckpoint as u32, wal::BACKSTOP_PAGES);
}
