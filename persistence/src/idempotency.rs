//! Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"): the first response
//! to a caller's key, kept so that a retry of the same request gets it again instead of a
//! second resource.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::schema::idempotency_keys;
use crate::{DbConnection, StoreError};

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    /// The headers a replay repeats (`Location`, `ETag`, `Content-Type`, ...).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a key says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: the request runs, and its response is stored with [`complete`].
    New,
    /// The same request ran before: here is its response.
    Replay(StoredResponse),
    /// The same key is on a request still running.
    InFlight,
    /// The key was used for another request.
    Mismatch,
}

/// Claims `key` of `caller` for the request with `fingerprint`. A key older than `expired_before`
/// is forgotten first. Of two concurrent first uses, the database's primary key lets one in;
/// the other sees it in flight.
pub fn claim(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
    expired_before: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    diesel::delete(
        idempotency_keys::table
            .find((caller, key))
            .filter(idempotency_keys::created_at.lt(expired_before.naive_utc())),
    )
    .execute(conn)?;
    if let Some(stored) = stored(conn, caller, key)? {
        return stored.against(fingerprint, key);
    }
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::caller.eq(caller),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::created_at.eq(now.naive_utc()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::New),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => match stored(conn, caller, key)? {
            Some(stored) => stored.against(fingerprint, key),
            None => Ok(Claim::InFlight),
        },
        Err(other) => Err(other.into()),
    }
}

/// A key's row as stored.
#[derive(Queryable)]
struct Stored {
    fingerprint: String,
    status: Option<i32>,
    headers: Option<String>,
    body: Option<Vec<u8>>,
}

impl Stored {
    /// What the stored key says about a request with `fingerprint`.
    fn against(self, fingerprint: &str, key: &str) -> Result<Claim, StoreError> {
        if self.fingerprint != fingerprint {
            return Ok(Claim::Mismatch);
        }
        let Some(status) = self.status else {
            return Ok(Claim::InFlight);
        };
        let headers = serde_json::from_str(self.headers.as_deref().unwrap_or("[]"))
            .map_err(|e| StoreError::corrupt("idempotency key", key, e))?;
        Ok(Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            headers,
            body: self.body.unwrap_or_default(),
        }))
    }
}

fn stored(conn: &mut DbConnection, caller: &str, key: &str) -> Result<Option<Stored>, StoreError> {
    Ok(idempotency_keys::table
        .find((caller, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::status,
            idempotency_keys::headers,
            idempotency_keys::body,
        ))
        .first::<Stored>(conn)
        .optional()?)
}

/// Stores the response of a claimed key.
pub fn complete(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    let headers = serde_json::to_string(&response.headers)
        .map_err(|e| StoreError::corrupt("idempotency key", key, e))?;
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set((
            idempotency_keys::status.eq(Some(i32::from(response.status))),
            idempotency_keys::headers.eq(Some(headers)),
            idempotency_keys::body.eq(Some(&response.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a claimed key whose request failed on hdab's side, so a retry may run it.
pub fn release(conn: &mut DbConnection, caller: &str, key: &str) -> Result<(), StoreError> {
    diesel::delete(idempotency_keys::table.find((caller, key))).execute(conn)?;
    Ok(())
}

/// Forgets every key created before `before`; how many.
pub fn expire(conn: &mut DbConnection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(before.naive_utc())),
    )
    .execute(conn)?)
}
