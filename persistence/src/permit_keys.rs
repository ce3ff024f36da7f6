//! The keys that sign visas: the public key as a JWK, the private key sealed by the caller
//! (this module never sees it in the clear), and when each stopped being current.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::permit_keys;
use crate::{DbConnection, StoreError};

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub kid: String,
    pub public_jwk: String,
    pub sealed_private_key: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// Adds `key` as the current key, retiring the one that was; returns the retired key's id.
/// Call inside a write transaction.
pub fn add_current(
    conn: &mut DbConnection,
    kid: &str,
    public_jwk: &str,
    sealed_private_key: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let retired: Option<String> = permit_keys::table
        .filter(permit_keys::retired_at.is_null())
        .select(permit_keys::kid)
        .first(conn)
        .optional()?;
    diesel::update(permit_keys::table.filter(permit_keys::retired_at.is_null()))
        .set(permit_keys::retired_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
    diesel::insert_into(permit_keys::table)
        .values((
            permit_keys::kid.eq(kid),
            permit_keys::public_jwk.eq(public_jwk),
            permit_keys::sealed_private_key.eq(sealed_private_key),
            permit_keys::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(retired)
}

/// Every key, newest first: the current one (not retired), then the retired ones.
pub fn all(conn: &mut DbConnection) -> Result<Vec<StoredKey>, StoreError> {
    let rows: Vec<(String, String, String, NaiveDateTime, Option<NaiveDateTime>)> =
        permit_keys::table
            .order(permit_keys::created_at.desc())
            .select((
                permit_keys::kid,
                permit_keys::public_jwk,
                permit_keys::sealed_private_key,
                permit_keys::created_at,
                permit_keys::retired_at,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(kid, public_jwk, sealed_private_key, created_at, retired_at)| StoredKey {
                kid,
                public_jwk,
                sealed_private_key,
                created_at: created_at.and_utc(),
                retired_at: retired_at.map(|at| at.and_utc()),
            },
        )
        .collect())
}
