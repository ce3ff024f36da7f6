//! HTTP by the book for every route, whoever produced the response (RFC 9110, RFC 9111):
//!
//! - `HEAD` is answered like `GET`, without the body (actix-http drops it for HEAD requests);
//! - a `GET` whose validators match (`If-None-Match`, else `If-Modified-Since`) gets 304;
//! - `Cache-Control`: public reads may be cached a minute and revalidated, authenticated ones
//!   only privately, errors, health and metrics not at all;
//! - security headers: `nosniff`, a Content-Security-Policy that forbids framing;
//! - gzip when the client accepts it ([`compress`]);
//! - every error response carries a problem body: handlers answer errors through [`ApiError`],
//!   this catches the rest (the docs page's own 404, an extractor error not routed through
//!   hdab's handlers), so a client never has to parse an error that is not RFC 9457.

use actix_http::encoding::Encoder;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ContentEncoding;
use actix_web::http::header::{self, HeaderMap, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError};
use hdab_openapi::problem::PROBLEM_JSON;

use crate::edge::error::ApiError;

/// The docs page loads its scripts and styles from hdab itself; Swagger UI styles elements
/// inline and draws icons as data URIs. Nothing may frame it (click-jacking).
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The landing page is plain HTML with one inline style sheet.
const LANDING_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// Everything else is data, never a page: nothing runs, nothing frames it.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// How long a shared cache may serve a public read before revalidating it.
const PUBLIC_MAX_AGE: &str = "public, max-age=60";

/// What the response policy needs to know of the request once it has been handled.
struct RequestFacts {
    read: bool,
    authenticated: bool,
    path_kind: PathKind,
    if_none_match: Option<String>,
    if_modified_since: Option<HttpDate>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PathKind {
    Docs,
    Landing,
    /// Health checks and metrics: always current, never cached.
    Probe,
    Api,
}

impl RequestFacts {
    fn of(req: &ServiceRequest) -> Self {
        let headers = req.headers();
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let path = req.path();
        let path_kind = match path {
            "/" => PathKind::Landing,
            "/docs" => PathKind::Docs,
            _ if path.starts_with("/docs/") => PathKind::Docs,
            "/metrics" => PathKind::Probe,
            _ if path.starts_with("/health/") => PathKind::Probe,
            _ => PathKind::Api,
        };
        Self {
            read: matches!(*req.method(), Method::GET | Method::HEAD),
            authenticated: headers.contains_key(header::AUTHORIZATION),
            path_kind,
            if_none_match: text(header::IF_NONE_MATCH).map(str::to_owned),
            if_modified_since: text(header::IF_MODIFIED_SINCE).and_then(|v| v.parse().ok()),
        }
    }
}

/// Middleware: see the module's description.
pub async fn apply(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // HEAD is GET without the body: route it as GET; actix-http, which read the request as
    // HEAD, leaves the body out.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let facts = RequestFacts::of(&req);
    let response = next.call(req).await?;
    let mut response = if needs_problem_body(&response) {
        replace(response, |original| {
            with_headers_of(
                ApiError::for_status(original.status()).error_response(),
                original,
            )
        })
    } else if facts.read
        && response.status() == StatusCode::OK
        && not_modified(&facts, response.headers())
    {
        replace(response, |original| {
            with_headers_of(HttpResponse::NotModified().finish(), original)
        })
    } else {
        response.map_into_left_body()
    };
    set_policy_headers(&facts, response.status(), response.headers_mut());
    Ok(response)
}

/// Middleware: gzip-encodes the answer when the request accepts gzip, with actix-http's
/// encoder (which compresses large bodies on the blocking pool). Unlike actix-web's `Compress`,
/// a request that does not ask pays nothing: that one parsed every response's media type, a
/// quarter of the cost of a small read.
pub async fn compress<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, Encoder<B>>>, Error> {
    let gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(accepts_gzip);
    let mut response = next.call(req).await?;
    if !gzip {
        // The answer depends on Accept-Encoding all the same: caches must keep them apart (the
        // encoder says so itself when it encodes).
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        return Ok(response.map_into_left_body());
    }
    Ok(response.map_body(|head, body| {
        EitherBody::right(Encoder::response(ContentEncoding::Gzip, head, body))
    }))
}

/// Whether an `Accept-Encoding` header admits gzip (RFC 9110 §12.5.3): listed, or `*`, with a
/// quality above zero.
fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let quality = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        (name.eq_ignore_ascii_case("gzip") || name == "*") && quality > 0.0
    })
}

/// Swaps the response for `build(original)`.
fn replace<B>(
    response: ServiceResponse<B>,
    build: impl FnOnce(&HttpResponse<B>) -> HttpResponse,
) -> ServiceResponse<EitherBody<B, BoxBody>> {
    let (request, original) = response.into_parts();
    let replacement = build(&original);
    ServiceResponse::new(request, replacement).map_into_right_body()
}

/// `response` with the original's headers, except those describing the original's body.
fn with_headers_of<B>(mut response: HttpResponse, original: &HttpResponse<B>) -> HttpResponse {
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

fn needs_problem_body<B>(response: &ServiceResponse<B>) -> bool {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    (status.is_client_error() || status.is_server_error()) && !is_problem
}

/// Whether the client's copy is current (RFC 9110 §13.2.2): `If-None-Match` against the
/// `ETag` (weak comparison), or when that is absent, `If-Modified-Since` against
/// `Last-Modified`.
fn not_modified(facts: &RequestFacts, headers: &HeaderMap) -> bool {
    if let Some(condition) = &facts.if_none_match {
        let Some(etag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        return condition.trim() == "*"
            || condition.split(',').any(|tag| opaque(tag) == opaque(etag));
    }
    let last_modified = headers
        .get(header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok());
    match (facts.if_modified_since, last_modified) {
        (Some(since), Some(modified)) => {
            std::time::SystemTime::from(modified) <= std::time::SystemTime::from(since)
        }
        _ => false,
    }
}

/// An entity tag without its weakness marker, for weak comparison.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    tag.strip_prefix("W/").unwrap_or(tag)
}

fn set_policy_headers(facts: &RequestFacts, status: StatusCode, headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let policy = match facts.path_kind {
        PathKind::Docs => DOCS_POLICY,
        PathKind::Landing => LANDING_POLICY,
        PathKind::Probe | PathKind::Api => API_POLICY,
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        let cacheable = facts.read
            && facts.path_kind != PathKind::Probe
            && (status == StatusCode::OK || status == StatusCode::NOT_MODIFIED);
        let cache_control = match (cacheable, facts.authenticated) {
            (true, false) => PUBLIC_MAX_AGE,
            (true, true) => "private, no-cache",
            (false, _) => "no-store",
        };
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(if_none_match: Option<&str>, if_modified_since: Option<&str>) -> RequestFacts {
        RequestFacts {
            read: true,
            authenticated: false,
            path_kind: PathKind::Api,
            if_none_match: if_none_match.map(str::to_owned),
            if_modified_since: if_modified_since.and_then(|v| v.parse().ok()),
        }
    }

    fn headers(etag: &str, last_modified: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ETAG, HeaderValue::from_str(etag).unwrap());
        headers.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_str(last_modified).unwrap(),
        );
        headers
    }

    #[test]
    fn if_none_match_compares_weakly_and_wins_over_if_modified_since() {
        let stored = headers("\"3\"", "Wed, 02 Dec 2026 10:00:00 GMT");
        assert!(not_modified(&facts(Some("\"3\""), None), &stored));
        assert!(not_modified(&facts(Some("W/\"3\""), None), &stored));
        assert!(not_modified(&facts(Some("\"1\", \"3\""), None), &stored));
        assert!(not_modified(&facts(Some("*"), None), &stored));
        assert!(!not_modified(&facts(Some("\"2\""), None), &stored));
        assert!(
            !not_modified(
                &facts(Some("\"2\""), Some("Thu, 03 Dec 2026 10:00:00 GMT")),
                &stored
            ),
            "a failing If-None-Match is not rescued by If-Modified-Since"
        );
    }

    #[test]
    fn gzip_is_accepted_when_listed_with_a_positive_quality() {
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, zstd"));
        assert!(!accepts_gzip("identity"));
    }

    #[test]
    fn if_modified_since_compares_with_last_modified() {
        let stored = headers("\"3\"", "Wed, 02 Dec 2026 10:00:00 GMT");
        assert!(not_modified(
            &facts(None, Some("Wed, 02 Dec 2026 10:00:00 GMT")),
            &stored
        ));
        assert!(!not_modified(
            &facts(None, Some("Tue, 01 Dec 2026 10:00:00 GMT")),
            &stored
        ));
    }
}
