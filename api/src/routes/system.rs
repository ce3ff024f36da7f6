//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use hdab_openapi::audit::JsonWebKeySet;
use hdab_openapi::system::Health;

use super::problems::ReadinessProblems;
use crate::error::ApiError;
use crate::state::AppState;
use crate::telemetry::Metrics;

/// The process is up.
#[utoipa::path(tag = "system", operation_id = "get_liveness", responses((status = 200, body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: None,
    })
}

/// The instance can serve: its database answers within the readiness timeout. A 503 names the
/// dependency that is down in its `code` (`database_unavailable`) and `detail`.
#[utoipa::path(
    tag = "system",
    operation_id = "get_readiness",
    responses((status = 200, body = Health), ReadinessProblems)
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state.settings.database.backend_name();
    let deadline = state.settings.readiness_timeout;
    state
        .db_within(deadline, |conn| {
            hdab_persistence::db::ping(conn).map_err(ApiError::from)
        })
        .await
        .map_err(|e| {
            ApiError::unavailable(
                format!(
                    "the database ({backend}) is unavailable or did not answer within {} ms",
                    deadline.as_millis()
                ),
                e,
            )
            .with_code("database_unavailable")
        })?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: Some(backend.into()),
    }))
}

/// Marks the app of the separate metrics listener (`HDAB_METRICS_BIND`).
pub struct MetricsListener;

/// Prometheus metrics: requests and latency by route and status, database pool gauges. When a
/// separate metrics address is configured, `/metrics` is served there only.
#[utoipa::path(
    tag = "system",
    operation_id = "get_metrics",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    listener: Option<web::Data<MetricsListener>>,
) -> Result<HttpResponse, ApiError> {
    if state.settings.metrics_bind.is_some() && listener.is_none() {
        return Err(ApiError::not_found("/metrics on this address"));
    }
    let text = metrics.render(&state.pool).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// The public keys of hdab's own signatures: today the key that signs the event log's
/// checkpoints (`/api/v1/audit/checkpoints`).
#[utoipa::path(
    tag = "system",
    operation_id = "get_jwks",
    responses((status = 200, body = JsonWebKeySet, content_type = "application/jwk-set+json"))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .json(JsonWebKeySet {
            keys: vec![state.checkpoints.public_jwk()],
        })
}
