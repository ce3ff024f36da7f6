//! What visa verification needs, in memory: each permit's status, end, authorised persons and
//! datasets, following the event log like the search index does. `POST /permits/verify`
//! answers from here and from the published keys on the request's own worker, without a
//! database read: a revocation committed by this process is applied before its write
//! answers, one committed by another process within the runner's next round (a second).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hdab_domain::event::{ChainedEvent, Event, EventKind};
use hdab_domain::ids::PermitId;
use hdab_domain::permits::PermitStatus;
use hdab_domain::permits::visa::{PermitGrant, VisaClaims, VisaInvalidity};
use hdab_persistence::{DbConnection, events, permits};
use serde::Deserialize;

use crate::application::AppError;
use crate::application::permit_keys::PermitKeys;
use crate::background::Follower;

/// The longest visa accepted for verification; hdab's own are well under 2 KiB.
const MAX_VISA_BYTES: usize = 16 * 1024;

/// Every permit's grant, by permit id.
pub struct PermitGrants {
    grants: RwLock<HashMap<PermitId, PermitGrant>>,
    cursor: AtomicI64,
    keys: std::sync::Arc<PermitKeys>,
}

/// A verification's outcome, with what the visa says when it could be read.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Result<(), VisaInvalidity>,
    pub claims: Option<VisaClaims>,
    pub permit_status: Option<PermitStatus>,
}

impl Verdict {
    fn invalid(reason: VisaInvalidity) -> Self {
        Self {
            outcome: Err(reason),
            claims: None,
            permit_status: None,
        }
    }
}

/// The protected header of a visa, as far as verification reads it.
#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

impl PermitGrants {
    /// Reads every permit, then follows the log from the head read before them. An event
    /// after that head is applied again later; a grant is only ever replaced by a newer
    /// version, so that does no harm.
    pub fn load(
        conn: &mut DbConnection,
        keys: std::sync::Arc<PermitKeys>,
    ) -> Result<Self, AppError> {
        let head = events::head_seq(conn)?;
        let mut grants = HashMap::new();
        let mut after = None;
        loop {
            let batch = permits::all_after(conn, after, 1_000)?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            for permit in &batch {
                grants.insert(permit.id, PermitGrant::from(permit));
            }
        }
        Ok(Self {
            grants: RwLock::new(grants),
            cursor: AtomicI64::new(head),
            keys,
        })
    }

    /// Whether `visa` holds at `now`: signed by a published key of this hdab, readable, not
    /// expired, and its permit active with the person and dataset still in it.
    pub fn verify(&self, visa: &str, now: DateTime<Utc>) -> Verdict {
        let claims = match self.signed_claims(visa.trim(), now) {
            Ok(claims) => claims,
            Err(reason) => return Verdict::invalid(reason),
        };
        let grants = self
            .grants
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let grant = grants.get(&claims.hdab_permit_id);
        Verdict {
            outcome: PermitGrant::judge(grant, &claims, now),
            permit_status: grant.map(|g| g.status_at(now)),
            claims: Some(claims),
        }
    }

    /// The claims of a compact JWS whose ES256 signature a published key verifies.
    fn signed_claims(&self, visa: &str, now: DateTime<Utc>) -> Result<VisaClaims, VisaInvalidity> {
        use VisaInvalidity::{BadSignature, Malformed};
        if visa.len() > MAX_VISA_BYTES {
            return Err(Malformed);
        }
        let mut parts = visa.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed);
        };
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| Malformed);
        let header: Header = serde_json::from_slice(&decode(header)?).map_err(|_| Malformed)?;
        let signature = decode(signature)?;
        let kid = header.kid.ok_or(Malformed)?;
        let signing_input = &visa[..visa.len() - signature_len(visa)];
        if header.alg != "ES256"
            || !self
                .keys
                .verify(&kid, signing_input.as_bytes(), &signature, now)
        {
            return Err(BadSignature);
        }
        serde_json::from_slice(&decode(payload)?).map_err(|_| Malformed)
    }

    fn apply_permit(&self, permit: &hdab_domain::permits::Permit) {
        let mut grants = self
            .grants
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let newer = grants
            .get(&permit.id)
            .is_none_or(|held| held.version < permit.version);
        if newer {
            grants.insert(permit.id, PermitGrant::from(permit));
        }
    }
}

/// The length of the signature part and its dot, from the end of a compact JWS.
fn signature_len(visa: &str) -> usize {
    visa.rfind('.').map_or(0, |dot| visa.len() - dot)
}

impl Follower for PermitGrants {
    fn name(&self) -> &'static str {
        "permit grants"
    }

    fn cursor(&self) -> i64 {
        self.cursor.load(Ordering::Acquire)
    }

    fn apply(&self, conn: &mut DbConnection, batch: &[ChainedEvent]) -> Result<(), AppError> {
        let Some(last) = batch.last().map(|e| e.seq) else {
            return Ok(());
        };
        for event in batch {
            let Ok(kind) = EventKind::parse(&event.action) else {
                continue;
            };
            if kind == EventKind::PermitKeyRotated {
                self.keys.reload(conn)?;
            } else if kind.entity_type() == "permit" && kind != EventKind::PermitOptOutChecked {
                match Event::read(kind, &event.payload) {
                    Ok(Event::Permit(_, permit)) => self.apply_permit(&permit),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(AppError::internal(format!(
                            "event {} does not read as a permit: {e}",
                            event.seq
                        )));
                    }
                }
            }
        }
        self.cursor.store(last, Ordering::Release);
        Ok(())
    }
}
