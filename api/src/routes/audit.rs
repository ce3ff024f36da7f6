//! `/api/v1/audit`: the event log, for HDAB admins.

use actix_web::{HttpResponse, get, web};
use hdab_openapi::audit::{AuditEvent, AuditEventPage, AuditQuery, ChainVerification};
use hdab_persistence::events as event_log;

use super::problems::AdminReadProblems;
use crate::auth::{AdminOnly, Authorized};
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// Read the event log in order, from after a sequence number.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = AuditEventPage), AdminReadProblems)
)]
#[get("/audit/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    query: QueryParams<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::invalid_field(
            "after",
            "out_of_range",
            "must be 0 or more",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "out_of_range",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let items = state
        .db(move |conn| Ok(event_log::list_after(conn, after, limit)?))
        .await?;
    let next_after = items
        .last()
        .map(|e| e.seq)
        .filter(|_| items.len() as i64 == limit);
    Ok(HttpResponse::Ok().json(AuditEventPage {
        items: items.into_iter().map(AuditEvent::from).collect(),
        next_after,
    }))
}

/// Recompute every hash of the event log and name the first event that does not verify.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_chain",
    security(("bearer" = [])),
    responses((status = 200, body = ChainVerification), AdminReadProblems)
)]
#[get("/audit/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
) -> Result<HttpResponse, ApiError> {
    let result = state.db(|conn| Ok(event_log::verify(conn)?)).await?;
    if let Some(broken) = &result.first_break {
        tracing::error!(event.seq = broken.seq, reason = %broken.reason, "the event log does not verify");
    }
    Ok(HttpResponse::Ok().json(ChainVerification {
        valid: result.first_break.is_none(),
        events_checked: result.events_checked,
        first_broken_seq: result.first_break.as_ref().map(|b| b.seq),
        reason: result.first_break.map(|b| b.reason),
    }))
}
