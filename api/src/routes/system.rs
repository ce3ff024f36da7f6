//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use hdab_openapi::system::Health;

use super::problems::ReadinessProblems;
use crate::error::{ApiError, ErrorCode};
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

/// The instance can serve: its database answers.
#[utoipa::path(
    tag = "system",
    operation_id = "get_readiness",
    responses((status = 200, body = Health), ReadinessProblems)
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state.settings.database.backend_name();
    state
        .db(|conn| hdab_persistence::db::ping(conn).map_err(ApiError::from))
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::new(ErrorCode::Unavailable, "the database does not answer")
        })?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: Some(backend.into()),
    }))
}

/// Prometheus metrics: requests and latency by route and status, database pool gauges.
#[utoipa::path(
    tag = "system",
    operation_id = "get_metrics",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let text = metrics.render(&state.pool).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
