//! `/api/v1/webhooks`: partner systems, data holders and admins subscribe to events (Standard
//! Webhooks), read their deliveries and send one again. A subscriber sees its own
//! subscriptions; admins see all. The URL must be one hdab may call: 422 otherwise.

use std::sync::Arc;

use actix_web::{HttpResponse, delete, get, post, web};
use hdab_domain::catalogue::text::ShortText;
use hdab_domain::ids::WebhookId;
use hdab_domain::values::HttpUrl;
use hdab_domain::webhooks::EventFilter;
use hdab_domain::{FieldErrors, auth::Role};
use hdab_openapi::Page;
use hdab_openapi::page::PageQuery;
use hdab_openapi::webhooks::{DeliveryView, WebhookInput, WebhookView};
use hdab_persistence::webhooks::{self as store, Delivery};

use super::page_response;
use super::problems::{
    AuthenticatedListProblems, AuthenticatedReadProblems, CreateProblems, DeleteProblems,
    HistoryProblems,
};
use crate::application::webhooks as usecase;
use crate::edge::auth::{Authorized, WebhookSubscriber};
use crate::edge::error::ApiError;
use crate::edge::extract::{JsonBody, QueryParams, parse_page};
use crate::edge::state::AppState;

fn location(id: WebhookId) -> String {
    format!("/api/v1/webhooks/{id}")
}

fn delivery_view(d: &Delivery) -> DeliveryView {
    DeliveryView {
        id: d.id.clone(),
        event_seq: d.event_seq,
        event_type: d.event_type.clone(),
        status: d.status.as_str().to_owned(),
        attempts: d.attempts,
        created_at: d.created_at,
        next_attempt_at: d.finished_at.is_none().then_some(d.next_attempt_at),
        give_up_at: d.give_up_at,
        finished_at: d.finished_at,
        last_status: d.last_status,
        last_error: d.last_error.clone(),
        last_latency_ms: d.last_latency_ms,
    }
}

/// Subscribe. The answer carries the signing secret (`whsec_...`), shown this once; messages
/// start with the events recorded after it.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_webhook",
    request_body = WebhookInput,
    security(("bearer" = [])),
    responses(
        (status = 201, body = WebhookView, headers(("location" = String))),
        CreateProblems,
    )
)]
#[post("/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    subscriber: Authorized<WebhookSubscriber>,
    body: JsonBody<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let url = errors.take("url", HttpUrl::parse(&input.url));
    let description = input
        .description
        .as_deref()
        .and_then(|d| errors.take("description", ShortText::parse(d)));
    let events = EventFilter::parse(&input.event_types);
    let (url, events) = match (url, events) {
        (Some(url), Ok(events)) if errors.is_empty() => (url, events),
        (_, Err(invalid)) => return Err(invalid.into()),
        _ => return Err(errors.into_error().into()),
    };
    state.check_callable(&url).await?;
    let (caller, now, kek) = (subscriber.principal, state.now(), Arc::clone(&state.kek));
    let description = description.map(|d| d.as_str().to_owned());
    let (subscription, secret) = state
        .write(move |conn| usecase::subscribe(conn, &kek, &caller, now, url, events, description))
        .await?;
    let mut view = WebhookView::from(&subscription);
    view.secret = Some(secret);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location(subscription.id)))
        .json(view))
}

/// The caller's subscriptions (an admin's: everyone's), oldest first.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_webhooks",
    params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<WebhookView>), AuthenticatedListProblems)
)]
#[get("/webhooks")]
pub async fn list(
    state: web::Data<AppState>,
    subscriber: Authorized<WebhookSubscriber>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = parse_page(&query, |key| WebhookId::parse(key).ok())?;
    let caller = subscriber.principal;
    let owner = (!caller.has_role(Role::HdabAdmin)).then(|| caller.subject.as_str().to_owned());
    let page = state
        .db(move |conn| Ok(store::list(conn, owner.as_deref(), after, limit)?))
        .await?;
    Ok(page_response(page, |s| WebhookView::from(s)))
}

/// One subscription (never its secret).
#[utoipa::path(
    tag = "partners",
    operation_id = "get_webhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookView), AuthenticatedReadProblems)
)]
#[get("/webhooks/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    subscriber: Authorized<WebhookSubscriber>,
    id: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    let (caller, id) = (subscriber.principal, id.into_inner());
    let subscription = state
        .db(move |conn| Ok(usecase::visible(conn, &caller, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(WebhookView::from(&subscription)))
}

/// Unsubscribe: no more messages, and the delivery log goes.
#[utoipa::path(
    tag = "partners",
    operation_id = "delete_webhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/webhooks/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    subscriber: Authorized<WebhookSubscriber>,
    id: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    let (caller, now, id) = (subscriber.principal, state.now(), id.into_inner());
    state
        .write(move |conn| usecase::unsubscribe(conn, &caller, now, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log, newest event first: each message's status, attempts, the receiver's last
/// answer and latency.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "Webhook id"), PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<DeliveryView>), HistoryProblems)
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    subscriber: Authorized<WebhookSubscriber>,
    id: web::Path<WebhookId>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, before) = parse_page(&query, |key| key.parse::<i64>().ok())?;
    let (caller, id) = (subscriber.principal, id.into_inner());
    let page = state
        .db(move |conn| {
            usecase::visible(conn, &caller, id)?;
            Ok(store::list_deliveries(conn, id, before, limit)?)
        })
        .await?;
    Ok(page_response(page, delivery_view))
}

/// Send a delivery again (a failed one, or a succeeded one the receiver lost), retried as a
/// new message would be. It keeps its place in the subscription's order.
#[utoipa::path(
    tag = "partners",
    operation_id = "redeliver_webhook",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("delivery_id" = String, Path, description = "Delivery id (`msg_...`)"),
    ),
    security(("bearer" = [])),
    responses((status = 202, body = DeliveryView), AuthenticatedReadProblems)
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    subscriber: Authorized<WebhookSubscriber>,
    path: web::Path<(WebhookId, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let (caller, now) = (subscriber.principal, state.now());
    let give_up = chrono::TimeDelta::from_std(state.settings.webhooks.give_up_after)
        .unwrap_or(chrono::TimeDelta::days(1));
    let redelivered = state
        .db(move |conn| {
            Ok(usecase::redeliver(
                conn, &caller, id, &delivery, now, give_up,
            )?)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(delivery_view(&redelivered)))
}
