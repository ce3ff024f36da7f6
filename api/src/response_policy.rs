//! What every response carries, whoever produced it: security headers, and a problem body on
//! every error. Handlers answer errors through [`ApiError`]; this catches the rest (the docs
//! page's own 404, an extractor error not routed through hdab's handlers), so a client never
//! has to parse an error that is not RFC 9457.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use hdab_openapi::problem::PROBLEM_JSON;

use crate::error::ApiError;

/// The docs page loads its scripts and styles from hdab itself; Swagger UI styles elements
/// inline and draws icons as data URIs. Nothing may frame it (click-jacking).
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Everything else is data, never a page: nothing runs, nothing frames it.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Middleware: adds the security headers and turns any error response without a problem body
/// into one, keeping its status and headers.
pub async fn apply(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let is_docs = req.path() == "/docs" || req.path().starts_with("/docs/");
    let response = next.call(req).await?;
    let response = if needs_problem_body(&response) {
        let status = response.status();
        let (request, original) = response.into_parts();
        let mut problem = ApiError::for_status(status).error_response();
        for (name, value) in original.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                problem.headers_mut().insert(name.clone(), value.clone());
            }
        }
        ServiceResponse::new(request, problem).map_into_right_body()
    } else {
        response.map_into_left_body()
    };
    let mut response = response;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if is_docs { DOCS_POLICY } else { API_POLICY }),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Ok(response)
}

fn needs_problem_body<B>(response: &ServiceResponse<B>) -> bool {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    (status.is_client_error() || status.is_server_error()) && !is_problem
}
