//! Tokens already verified, remembered until they expire: checking an ES256 signature costs
//! more than serving a small read, and a client sends the same token with every request.
//! A JWT stays valid until its `exp` whatever happens meanwhile, so remembering the result
//! changes no answer.

use std::collections::HashMap;
use std::sync::Mutex;

use hdab_domain::auth::Principal;
use sha2::{Digest, Sha256};

/// How many tokens are remembered; past this the memory is cleared and refills.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<[u8; 32], Verified>>,
}

struct Verified {
    principal: Principal,
    /// The token's `exp` and `nbf`, widened by the leeway, in seconds since the epoch.
    valid_until: i64,
    valid_from: i64,
}

impl VerifiedTokens {
    /// The principal of `token`, if it was verified and is valid at `now`.
    pub fn get(&self, token: &str, now: i64) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&digest(token))
            .filter(|v| v.valid_from <= now && now < v.valid_until)
            .map(|v| v.principal.clone())
    }

    pub fn remember(&self, token: &str, principal: &Principal, valid_from: i64, valid_until: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            digest(token),
            Verified {
                principal: principal.clone(),
                valid_until,
                valid_from,
            },
        );
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
