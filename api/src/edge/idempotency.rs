//! `Idempotency-Key` on every `POST` (IETF draft "The Idempotency-Key HTTP Header Field"): a
//! client that retries a request with the same key and the same body gets the first response
//! again, never a second resource; the same key with another request is 422; a key whose
//! first request is still running is 409. Keys are the caller's own (by token subject) and
//! are kept 24 hours; a request without an accepted token is handled as if it had no key. A response hdab failed to give (5xx) is not kept, so a retry runs again.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use chrono::Duration;
use hdab_domain::codes;
use hdab_persistence::idempotency::{self, Claim, RETENTION_HOURS, StoredResponse};
use sha2::{Digest, Sha256};

use crate::edge::auth::Caller;
use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::extract::{body_limit, declared_length, read_body};
use crate::edge::state::AppState;

pub const HEADER: &str = "idempotency-key";

/// The longest key accepted.
const MAX_KEY_CHARS: usize = 255;

/// The headers a replay repeats: those that describe the created resource and the body.
const REPLAYED_HEADERS: [HeaderName; 4] = [
    header::LOCATION,
    header::ETAG,
    header::CONTENT_TYPE,
    header::LINK,
];

/// Middleware: see the module's description.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(raw_key) = req.headers().get(HEADER).cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if req.method() != Method::POST {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // Keys are a caller's own: without an accepted token there is no caller, and the handler
    // refuses the request (401) as it would without a key.
    let caller = match req.extract::<Caller>().await {
        Ok(caller) => caller.principal().map(|p| p.subject.as_str().to_owned()),
        Err(_) => None,
    };
    let Some(caller) = caller else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match parse_key(&raw_key) {
        Ok(key) => key,
        Err(error) => return Ok(req.error_response(error)),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let declared = declared_length(req.headers());
    let mut payload = req.take_payload();
    let body = match read_body(&mut payload, declared, body_limit(req.request())).await {
        Ok(body) => body,
        Err(error) => return Ok(req.error_response(error)),
    };
    let fingerprint = fingerprint(&req, &body);
    req.set_payload(actix_http::Payload::from(body));

    let claim = {
        let (caller, key, now) = (caller.clone(), key.clone(), state.now());
        let expired_before = now - Duration::hours(RETENTION_HOURS);
        state
            .db(move |conn| {
                Ok(idempotency::claim(
                    conn,
                    &caller,
                    &key,
                    &fingerprint,
                    now,
                    expired_before,
                )?)
            })
            .await
    };
    match claim {
        Err(error) => Ok(req.error_response(error)),
        Ok(Claim::Replay(stored)) => Ok(req.into_response(replay(stored))),
        Ok(Claim::Mismatch) => Ok(req.error_response(
            ApiError::new(
                ErrorCode::ValidationFailed,
                "this Idempotency-Key was used for another request; use a new key for a new request",
            )
            .with_code(codes::IDEMPOTENCY_KEY_REUSED),
        )),
        Ok(Claim::InFlight) => Ok(req.error_response(
            ApiError::new(
                ErrorCode::Conflict,
                "the first request with this Idempotency-Key is still running; retry shortly",
            )
            .with_code(codes::IDEMPOTENCY_KEY_IN_FLIGHT)
            .with_header(header::RETRY_AFTER, "1"),
        )),
        Ok(Claim::New) => {
            let response = next.call(req).await?;
            remember(&state, caller, key, response).await
        }
    }
}

/// Keeps the response for retries, or forgets the key when hdab failed to answer.
async fn remember(
    state: &web::Data<AppState>,
    caller: String,
    key: String,
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let (request, response) = response.into_parts();
    let status = response.status();
    if status.is_server_error() {
        let outcome = state
            .db(move |conn| Ok(idempotency::release(conn, &caller, &key)?))
            .await;
        if let Err(error) = outcome {
            tracing::warn!(error = %error, "an idempotency key of a failed request is kept until it expires");
        }
        return Ok(ServiceResponse::new(
            request,
            response.map_into_boxed_body(),
        ));
    }
    let (head, body) = response.into_parts();
    let body = to_bytes(body)
        .await
        .map_err(|_| ApiError::internal("the response body could not be read"))?;
    let stored = StoredResponse {
        status: status.as_u16(),
        headers: REPLAYED_HEADERS
            .iter()
            .filter_map(|name| {
                let value = head.headers().get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect(),
        body: body.to_vec(),
    };
    state
        .db(move |conn| Ok(idempotency::complete(conn, &caller, &key, &stored)?))
        .await?;
    Ok(ServiceResponse::new(
        request,
        head.set_body(BoxBody::new(body)),
    ))
}

/// The key as sent (the draft's structured-field form `"..."` or a bare token alike): 1 to 255
/// visible ASCII characters, spaces allowed inside.
fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let key = value.to_str().unwrap_or_default().trim();
    let valid = !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS
        && key.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if valid {
        Ok(key.to_owned())
    } else {
        Err(ApiError::new(
            ErrorCode::MalformedHeader,
            format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters, such as a UUID"),
        )
        .with_code(codes::MALFORMED_IDEMPOTENCY_KEY))
    }
}

/// What makes two requests the same: method, path with query, and body.
fn fingerprint(req: &ServiceRequest, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update(b" ");
    hash.update(req.uri().to_string());
    hash.update(b"\n");
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut response =
        HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for (name, value) in &stored.headers {
        response.insert_header((name.as_str(), value.as_str()));
    }
    response.insert_header(("idempotent-replayed", "true"));
    response.body(stored.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_opaque_visible_ascii_and_bounded() {
        let key = |text: &str| parse_key(&HeaderValue::from_str(text).unwrap());
        assert_eq!(key("abc-123").unwrap(), "abc-123");
        assert_eq!(key("\"8e03978e-40d5\"").unwrap(), "\"8e03978e-40d5\"");
        assert!(key("   ").is_err());
        assert!(key(&"k".repeat(256)).is_err());
    }
}
