//! Logs, request ids and metrics.
//!
//! Every request runs in a span carrying its request id, which is echoed as `x-request-id` and
//! written into problem responses; one line is logged when it completes. Bodies, tokens and
//! personal identifiers are never logged.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;
use uuid::Uuid;

use crate::shell::config::{LogFormat, Settings};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

const QUIET_PARSER_ERRORS: &str = "actix_http::h1::dispatcher=off";

/// The target of the one line each request logs when it completes.
const ACCESS_LOG: &str = "hdab_access";
/// Unless a filter names [`ACCESS_LOG`], only failed (5xx) and slow requests are logged: a
/// line per request halved the requests a core serves (the metrics count every request by
/// route and status). `HDAB_LOG_LEVEL=info,hdab_access=info` logs them all.
const ACCESS_LOG_DEFAULT: &str = "hdab_access=warn";
/// A request that takes longer than this is logged (at WARN) even when the others are not.
const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_secs(1);

/// Installs the global log subscriber; `RUST_LOG` overrides the configured level.
pub fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // actix-http logs every malformed request it refuses (answered 400) at ERROR: anyone on
    // the network could fill the operator's error log. Unless a filter names it, it is off.
    let names = |target: &str| {
        settings.log_level.contains(target)
            || std::env::var("RUST_LOG").is_ok_and(|v| v.contains(target))
    };
    let mut filter = filter;
    for (target, default) in [
        ("actix_http", QUIET_PARSER_ERRORS),
        (ACCESS_LOG, ACCESS_LOG_DEFAULT),
    ] {
        if !names(target) {
            filter = filter.add_directive(default.parse().unwrap_or_default());
        }
    }
    // Colour codes only for a person at a terminal; in a file or a collector they are noise
    // (about 370 bytes a request).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A second init (tests start many servers in one process) keeps the first subscriber.
    let _ = match settings.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}

/// Prometheus metrics of one hdab instance.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    corrupt_records: IntCounter,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("hdab".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method, route and status",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route", "status"],
        )?;
        let pool_connections = IntGauge::new("db_pool_connections", "Open database connections")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")?;
        let corrupt_records = IntCounter::new(
            "corrupt_records_skipped_total",
            "Stored records left out of catalogue pages, exports and the search index because they no longer parse",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(corrupt_records.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            corrupt_records,
        })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The Prometheus text exposition, with the pool gauges read now.
    pub fn render(&self, pool: &hdab_persistence::Pool) -> Result<String, prometheus::Error> {
        let state = pool.state();
        self.pool_connections.set(i64::from(state.connections));
        self.pool_idle.set(i64::from(state.idle_connections));
        let skipped = crate::projections::published::skipped_corrupt_records();
        self.corrupt_records
            .inc_by(skipped.saturating_sub(self.corrupt_records.get()));
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Middleware: request id, span, completion log line and metrics for every request.
pub async fn observe_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = incoming_request_id(&req).unwrap_or_else(|| Uuid::now_v7().to_string());
    // The route pattern, not the path, so ids do not explode the metrics' label sets.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);

    let result = REQUEST_ID
        .scope(request_id.clone(), next.call(req).instrument(span.clone()))
        .await;
    let mut response = result?;

    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(method, &route, status, elapsed.as_secs_f64());
    }
    span.in_scope(|| log_completion(status, elapsed));
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}

/// The request's line in the access log: an error for a 500 (a bug), a warning for another
/// 5xx (a dependency down) or a slow request, otherwise information (which the default filter
/// leaves out).
fn log_completion(status: u16, elapsed: std::time::Duration) {
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    if status == 500 {
        tracing::error!(target: ACCESS_LOG, status, duration_ms, "request failed");
    } else if status > 500 || elapsed >= SLOW_REQUEST {
        tracing::warn!(target: ACCESS_LOG, status, duration_ms, "request unavailable or slow");
    } else {
        tracing::info!(target: ACCESS_LOG, status, duration_ms, "request completed");
    }
}

/// The method as a log field and metrics label: the standard methods by name, anything a
/// caller invents as `OTHER`, so no caller can grow the label set (or the log) at will.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("OTHER", Method::as_str)
}

/// A caller's own request id is kept when it is short and plain, so ids can be followed
/// across systems without letting a caller inject text into logs.
fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let plain = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    plain.then(|| value.to_owned())
}
