//! The opt-out registry's rows (EHDS Art 71): a keyed hash of a pseudonym with each choice and
//! its time. The pseudonym itself never reaches this module.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hdab_domain::permits::optout::OptOutRecord;

use crate::db::insert_rows;
use crate::schema::{opt_outs, secret_checks};
use crate::{DbConnection, StoreError};

/// Hashes per statement: well below SQLite's 32,766 bound variables, and big enough that
/// 10,000 hashes take 20 round trips.
const CHUNK: usize = 500;

/// A person's keyed hash (HMAC-SHA-256).
pub type PersonHash = [u8; 32];

/// Records the choices not held yet; a record pushed twice is kept once. Returns the new
/// ones. Call inside a write transaction (writes are serialised, so no two pushes race
/// on one record).
pub fn record(
    conn: &mut DbConnection,
    records: &[(PersonHash, OptOutRecord)],
    now: DateTime<Utc>,
) -> Result<Vec<OptOutRecord>, StoreError> {
    let hashes: Vec<PersonHash> = records.iter().map(|(hash, _)| *hash).collect();
    let held: HashSet<(PersonHash, NaiveDateTime, bool)> = records_for(conn, &hashes)?
        .into_iter()
        .flat_map(|(hash, records)| {
            records
                .into_iter()
                .map(move |r| (hash, r.at.naive_utc(), r.opted_out))
        })
        .collect();
    let mut seen = HashSet::new();
    let fresh: Vec<_> = records
        .iter()
        .map(|(hash, r)| (*hash, r.at.naive_utc(), r.opted_out))
        .filter(|key| !held.contains(key) && seen.insert(*key))
        .collect();
    for chunk in fresh.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(hash, at, opted_out)| {
                (
                    opt_outs::person_hash.eq(hash.to_vec()),
                    opt_outs::at.eq(*at),
                    opt_outs::opted_out.eq(*opted_out),
                    opt_outs::recorded_at.eq(now.naive_utc()),
                )
            })
            .collect();
        insert_rows!(conn, opt_outs::table, rows)?;
    }
    Ok(fresh
        .into_iter()
        .map(|(_, at, opted_out)| OptOutRecord {
            at: at.and_utc(),
            opted_out,
        })
        .collect())
}

/// Every recorded choice of the persons with `hashes`.
pub fn records_for(
    conn: &mut DbConnection,
    hashes: &[PersonHash],
) -> Result<HashMap<PersonHash, Vec<OptOutRecord>>, StoreError> {
    let mut found: HashMap<PersonHash, Vec<OptOutRecord>> = HashMap::new();
    for chunk in hashes.chunks(CHUNK) {
        let keys: Vec<Vec<u8>> = chunk.iter().map(|h| h.to_vec()).collect();
        let rows: Vec<(Vec<u8>, NaiveDateTime, bool)> = opt_outs::table
            .filter(opt_outs::person_hash.eq_any(keys))
            .select((opt_outs::person_hash, opt_outs::at, opt_outs::opted_out))
            .load(conn)?;
        for (hash, at, opted_out) in rows {
            let Ok(hash) = PersonHash::try_from(hash.as_slice()) else {
                return Err(StoreError::corrupt(
                    "opt-out",
                    "?",
                    "a person hash is not 32 bytes",
                ));
            };
            found.entry(hash).or_default().push(OptOutRecord {
                at: at.and_utc(),
                opted_out,
            });
        }
    }
    Ok(found)
}

/// How many choices the registry holds.
pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(opt_outs::table.count().get_result(conn)?)
}

/// The name under which the hashing key's fingerprint is kept.
const HASH_KEY: &str = "optout_hash_key";

/// Whether `fingerprint` is that of the key the stored hashes were made with: recorded on
/// first use, compared ever after. `false` means another key: every check would miss.
pub fn same_hash_key(conn: &mut DbConnection, fingerprint: &str) -> Result<bool, StoreError> {
    let held: Option<String> = secret_checks::table
        .find(HASH_KEY)
        .select(secret_checks::fingerprint)
        .first(conn)
        .optional()?;
    match held {
        Some(held) => Ok(held == fingerprint),
        None => {
            diesel::insert_into(secret_checks::table)
                .values((
                    secret_checks::name.eq(HASH_KEY),
                    secret_checks::fingerprint.eq(fingerprint),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// The fingerprint recorded for the hashing key, if any.
pub fn recorded_hash_key(conn: &mut DbConnection) -> Result<Option<String>, StoreError> {
    Ok(secret_checks::table
        .find(HASH_KEY)
        .select(secret_checks::fingerprint)
        .first(conn)
        .optional()?)
}
