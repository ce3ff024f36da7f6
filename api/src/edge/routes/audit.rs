//! `/api/v1/audit`: the event log and its verification for HDAB admins, and the signed
//! checkpoints of the log for everyone who wants to hold hdab to its history.

use std::time::Duration;

use actix_web::{HttpResponse, get, post, web};
use hdab_domain::codes;
use hdab_openapi::audit::{
    AuditCheckpoint, AuditCheckpointPage, AuditEvent, AuditEventPage, AuditQuery,
    ChainVerification, VerifyQuery,
};
use hdab_openapi::page::PageQuery;
use hdab_persistence::checkpoints::{self, Checkpoint};
use hdab_persistence::events as event_log;

use super::problems::{AdminReadProblems, CreateCheckpointProblems, ListProblems};
use crate::application::audit as usecase;
use crate::edge::auth::{AdminOnly, Authorized, Caller};
use crate::edge::error::ApiError;
use crate::edge::extract::{QueryParams, encode_cursor, log_page, parse_page};
use crate::edge::state::AppState;
use hdab_persistence::now;

/// Walking a long log takes a while; its statements are bounded by the statement timeout.
const VERIFY_DEADLINE: Duration = Duration::from_secs(600);

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// Read the event log in order, from after a sequence number, narrowed by entity, actor,
/// action and time.
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
    let (after, limit) = log_page(query.after, query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let query = query.0;
    if let (Some(since), Some(until)) = (query.since, query.until)
        && since > until
    {
        return Err(ApiError::invalid_field(
            "until",
            codes::OUT_OF_RANGE,
            "must not be before `since`",
        ));
    }
    let filter = event_log::EventFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor: query.actor,
        action: query.action,
        since: query.since,
        until: query.until,
    };
    let items = state
        .db(move |conn| Ok(event_log::list_filtered(conn, &filter, after, limit)?))
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

/// Recompute every hash of the event log and name the first event that does not verify. The
/// log is also checked against a signed checkpoint: the one passed, or the newest hdab holds,
/// so a log rewound to an earlier state is reported too.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_chain",
    params(VerifyQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ChainVerification), AdminReadProblems)
)]
#[get("/audit/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    query: QueryParams<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let given = query
        .checkpoint
        .as_deref()
        .map(|token| {
            state.checkpoints.read(token.trim()).map_err(|why| {
                ApiError::invalid_field("checkpoint", codes::INVALID_CHECKPOINT, why)
            })
        })
        .transpose()?;
    let signer = std::sync::Arc::clone(&state.checkpoints);
    let (result, anchor) = state
        .db_within(VERIFY_DEADLINE, move |conn| {
            Ok(usecase::verify_log(conn, &signer, given)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ChainVerification {
        valid: result.first_break.is_none(),
        events_checked: result.events_checked,
        first_broken_seq: result.first_break.as_ref().map(|b| b.seq),
        reason: result.first_break.map(|b| b.reason),
        checkpoint_seq: anchor.map(|c| c.seq),
    }))
}

fn checkpoint_view(checkpoint: &Checkpoint) -> AuditCheckpoint {
    AuditCheckpoint {
        seq: checkpoint.seq,
        hash: checkpoint.hash.clone(),
        signed_at: checkpoint.signed_at,
        token: checkpoint.token.clone(),
    }
}

/// The signed checkpoints of the event log, newest first. Public: they name no one, and
/// anyone may keep them to hold hdab to its history.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_checkpoints",
    params(PageQuery),
    responses((status = 200, body = AuditCheckpointPage), ListProblems)
)]
#[get("/audit/checkpoints")]
pub async fn list_checkpoints(
    state: web::Data<AppState>,
    _caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, before) = parse_page(&query, |key| key.parse::<i64>().ok())?;
    let page = state
        .db(move |conn| Ok(checkpoints::list(conn, before, limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(AuditCheckpointPage {
        items: page.items.iter().map(checkpoint_view).collect(),
        next_cursor: page.next_after.as_deref().map(encode_cursor),
    }))
}

/// Sign a checkpoint of the event log's current head now (hdab also signs one periodically).
/// Answers 200 with the newest checkpoint when it is already at the head.
#[utoipa::path(
    tag = "audit",
    operation_id = "create_audit_checkpoint",
    security(("bearer" = [])),
    responses(
        (status = 201, body = AuditCheckpoint),
        (status = 200, body = AuditCheckpoint, description = "The log has not moved since the newest checkpoint"),
        CreateCheckpointProblems,
    )
)]
#[post("/audit/checkpoints")]
pub async fn create_checkpoint(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
) -> Result<HttpResponse, ApiError> {
    let signer = std::sync::Arc::clone(&state.checkpoints);
    let (checkpoint, created) = state
        .db(move |conn| Ok(usecase::checkpoint_now(conn, &signer, now())?))
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(checkpoint_view(&checkpoint)))
}
