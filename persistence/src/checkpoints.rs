//! Stored checkpoints of the event log's head. hdab signs them (the key is not here); this
//! module only keeps and lists them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::page::{self, Page};
use crate::schema::audit_checkpoints;
use crate::{DbConnection, StoreError};

/// A signed statement that the log reached event `seq` with hash `hash` at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub signed_at: DateTime<Utc>,
    /// The compact JWS that says so.
    pub token: String,
}

#[derive(Queryable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
struct CheckpointRow {
    seq: i64,
    hash: String,
    signed_at: NaiveDateTime,
    token: String,
}

impl From<CheckpointRow> for Checkpoint {
    fn from(row: CheckpointRow) -> Self {
        Self {
            seq: row.seq,
            hash: row.hash,
            signed_at: row.signed_at.and_utc(),
            token: row.token,
        }
    }
}

/// Stores `checkpoint` unless one at its event is stored already; `false` then.
pub fn insert(conn: &mut DbConnection, checkpoint: &Checkpoint) -> Result<bool, StoreError> {
    if latest_at_or_before(conn, checkpoint.seq)?.is_some_and(|c| c.seq == checkpoint.seq) {
        return Ok(false);
    }
    diesel::insert_into(audit_checkpoints::table)
        .values(CheckpointRow {
            seq: checkpoint.seq,
            hash: checkpoint.hash.clone(),
            signed_at: checkpoint.signed_at.naive_utc(),
            token: checkpoint.token.clone(),
        })
        .execute(conn)?;
    Ok(true)
}

/// The newest checkpoint at or before event `seq`.
pub fn latest_at_or_before(
    conn: &mut DbConnection,
    seq: i64,
) -> Result<Option<Checkpoint>, StoreError> {
    Ok(audit_checkpoints::table
        .filter(audit_checkpoints::seq.le(seq))
        .order(audit_checkpoints::seq.desc())
        .first::<CheckpointRow>(conn)
        .optional()?
        .map(Checkpoint::from))
}

/// The newest checkpoint.
pub fn latest(conn: &mut DbConnection) -> Result<Option<Checkpoint>, StoreError> {
    latest_at_or_before(conn, i64::MAX)
}

/// Checkpoints newest first, starting below `before`.
pub fn list(
    conn: &mut DbConnection,
    before: Option<i64>,
    limit: usize,
) -> Result<Page<Checkpoint>, StoreError> {
    let mut query = audit_checkpoints::table
        .order(audit_checkpoints::seq.desc())
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_checkpoints::seq.lt(before));
    }
    let rows = query
        .load::<CheckpointRow>(conn)?
        .into_iter()
        .map(Checkpoint::from)
        .collect();
    Ok(page::from_overfetch(rows, limit, |c| c.seq.to_string()))
}
