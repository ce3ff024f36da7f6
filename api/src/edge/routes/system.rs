//! The landing document, liveness, readiness, metrics and the key set.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use hdab_domain::codes;
use hdab_openapi::audit::JsonWebKeySet;
use hdab_openapi::system::{Health, Landing, LandingLinks};

use super::problems::ReadinessProblems;
use crate::edge::error::ApiError;
use crate::edge::state::AppState;
use crate::shell::telemetry::Metrics;

/// What hdab is and where to start: links to the docs, the OpenAPI document, the catalogue and
/// search. JSON, or a small HTML page for a browser (by `Accept`).
#[utoipa::path(
    tag = "system",
    operation_id = "get_landing",
    responses((status = 200, description = "Where to start", content(
        (Landing = "application/json"),
        (String = "text/html"),
    )))
)]
#[get("/")]
pub async fn landing(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let base = &state.identity.base_url;
    let document = Landing {
        name: "hdab".into(),
        operator: state.identity.hdab_name.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        description: "A Health Data Access Body service for the European Health Data Space: \
                      a HealthDCAT-AP dataset catalogue, data access applications, data permits \
                      and partner sync."
            .into(),
        links: LandingLinks {
            docs: format!("{base}/docs/"),
            openapi: format!("{base}/openapi.json"),
            catalogue: format!("{base}/api/v1/catalogue"),
            search: format!("{base}/api/v1/datasets"),
            jwks: format!("{base}/.well-known/jwks.json"),
            health: format!("{base}/health/ready"),
        },
    };
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(prefers_html);
    let response = if wants_html {
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(landing_page(&document))
    } else {
        HttpResponse::Ok().json(&document)
    };
    let mut response = response;
    response
        .headers_mut()
        .append(header::VARY, header::HeaderValue::from_static("Accept"));
    response
}

/// Whether an `Accept` header asks for HTML before JSON, as a browser's does.
fn prefers_html(accept: &str) -> bool {
    let position = |media: &str| accept.find(media);
    match (position("text/html"), position("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The landing document as a page: no scripts, no outside assets.
fn landing_page(document: &Landing) -> String {
    let links = &document.links;
    let item = |href: &str, label: &str, what: &str| {
        format!("<li><a href=\"{href}\">{label}</a> — {what}</li>")
    };
    let items = [
        item(&links.docs, "API documentation", "try every operation"),
        item(
            &links.search,
            "Dataset search",
            "full text, filters and facets (JSON)",
        ),
        item(
            &links.catalogue,
            "HealthDCAT-AP catalogue",
            "for harvesters (Turtle, JSON-LD, RDF/XML)",
        ),
        item(
            &links.openapi,
            "OpenAPI 3.1 document",
            "for generated clients",
        ),
        item(
            &links.jwks,
            "Key set",
            "the public keys of hdab's signatures",
        ),
        item(
            &links.health,
            "Readiness",
            "whether this instance can serve",
        ),
    ]
    .join("\n");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hdab — {operator}</title>\n\
         <style>body{{font-family:sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}}</style></head>\n\
         <body><h1>hdab</h1><p>{operator}. {description}</p>\n<ul>\n{items}\n</ul>\n\
         <p>Version {version}.</p></body></html>\n",
        operator = escape_html(&document.operator),
        description = escape_html(&document.description),
        version = escape_html(&document.version),
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The process is up.
#[utoipa::path(tag = "system", operation_id = "get_liveness", responses((status = 200, body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: None,
    })
}

/// The instance can serve: its database answers within the readiness timeout and its search
/// index is built. A 503 names what is not ready in its `code` (`database_unavailable`,
/// `search_index_rebuilding`) and `detail`.
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
            .with_code(codes::DATABASE_UNAVAILABLE)
        })?;
    state.searchable()?;
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

/// The public keys of hdab's own signatures: the key that signs the event log's checkpoints
/// (`/api/v1/audit/checkpoints`), the current visa-signing key, and retired visa-signing keys
/// until the last visa they signed has expired.
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
            keys: std::iter::once(state.checkpoints.public_jwk())
                .chain(state.permit_keys.published_jwks(state.now()))
                .collect(),
        })
}
