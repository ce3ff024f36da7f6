//! `/api/v1/changes`: the change feed. Partners follow the event log from a sequence number:
//! the public catalogue for everyone, a data holder's drafts for its holders, everything for
//! admins. `wait` long-polls on the log's head, not on a database thread.

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get, web};
use hdab_domain::codes;
use hdab_domain::event::EventKind;
use hdab_openapi::changes::{ChangeEvent, ChangesPage, ChangesQuery};

use super::problems::ListProblems;
use crate::application::changes;
use crate::edge::auth::Caller;
use crate::edge::error::ApiError;
use crate::edge::extract::{QueryParams, log_page};
use crate::edge::state::AppState;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;
const MAX_WAIT_SECS: u64 = 30;

/// Follow the event log after a sequence number, as the caller may see it, in order, with no
/// gap or repeat under concurrent writers. With `wait`, a page with nothing to show waits up to
/// that many seconds for the next event.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_changes",
    params(ChangesQuery),
    responses((status = 200, body = ChangesPage), ListProblems)
)]
#[get("/changes")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (mut after, limit, wait) = checked(&query)?;
    let types = types(query.types.as_deref())?;
    let deadline = Instant::now() + wait;
    let mut head = state.log_watch.subscribe();
    loop {
        let (principal, types_now) = (caller.principal().cloned(), types.clone());
        let page = state
            .db(move |conn| {
                Ok(changes::page(
                    conn,
                    principal.as_ref(),
                    &types_now,
                    after,
                    limit,
                )?)
            })
            .await?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if !page.events.is_empty() || remaining.is_zero() {
            return Ok(HttpResponse::Ok().json(ChangesPage {
                items: page.events.into_iter().map(change_event).collect(),
                next_after: page.next_after,
            }));
        }
        // Nothing to show yet: wait until the log moves past what was read.
        after = page.next_after;
        let moved = head.wait_for(|seq| *seq > after);
        if actix_web::rt::time::timeout(remaining, moved)
            .await
            .is_err()
        {
            return Ok(HttpResponse::Ok().json(ChangesPage {
                items: Vec::new(),
                next_after: after,
            }));
        }
    }
}

fn checked(query: &ChangesQuery) -> Result<(i64, i64, Duration), ApiError> {
    let (after, limit) = log_page(query.after, query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(ApiError::invalid_field(
            "wait",
            codes::OUT_OF_RANGE,
            format!("must be between 0 and {MAX_WAIT_SECS} seconds"),
        ));
    }
    Ok((after, limit, Duration::from_secs(wait)))
}

/// The `types` asked for: each an action hdab records or the entity type of one.
fn types(text: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let known = EventKind::ALL
                .iter()
                .any(|k| k.as_str() == t || k.entity_type() == t);
            if known {
                Ok(t.to_owned())
            } else {
                Err(ApiError::invalid_field(
                    "types",
                    codes::UNKNOWN_EVENT_KIND,
                    format!("`{t}` is neither an action nor an entity type hdab records"),
                ))
            }
        })
        .collect()
}

fn change_event(event: hdab_domain::event::ChainedEvent) -> ChangeEvent {
    // Payloads are written by hdab as JSON and passed through as they are stored; one that
    // no longer parses is shown as a JSON string rather than breaking the page.
    let payload = serde_json::value::RawValue::from_string(event.payload.clone())
        .or_else(|_| serde_json::value::to_raw_value(&event.payload))
        .unwrap_or_default();
    ChangeEvent {
        seq: event.seq,
        id: event.id.as_uuid(),
        occurred_at: event.occurred_at,
        action: event.action,
        entity_type: event.entity_type,
        entity_id: event.entity_id,
        payload,
    }
}
