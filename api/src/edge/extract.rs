//! Request parsing that answers with problems: JSON bodies, `If-Match`, pagination.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use hdab_domain::codes;
use hdab_domain::version::Precondition;
use hdab_openapi::page::{DEFAULT_LIMIT, MAX_LIMIT, PageQuery};
use serde::de::DeserializeOwned;

use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::state::AppState;

/// A JSON request body. Unlike actix's `Json`, it names the field that failed (with its path,
/// e.g. `members[1].role`), tells malformed JSON (400) from wrong fields (422), and answers
/// 413 past the configured size.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let limit = body_limit(req);
        let content_type_ok = is_json(req);
        let declared_length = declared_length(req.headers());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            let body = read_body(&mut payload, declared_length, limit).await?;
            parse_json(&body).map(JsonBody)
        })
    }
}

/// The paths of bulk calls, whose bodies have their own, larger limit.
pub const BULK_PATHS: [&str; 1] = ["/api/v1/datasets/bulk"];

/// The largest body `req` may send: the bulk limit on a bulk path, the general one elsewhere.
pub fn body_limit(req: &HttpRequest) -> usize {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return 1024 * 1024;
    };
    if BULK_PATHS.contains(&req.path()) {
        state.settings.max_bulk_body_bytes
    } else {
        state.settings.max_body_bytes
    }
}

/// The items of a bulk body, each still unread: a JSON array (`application/json`) or one JSON
/// document per line (`application/x-ndjson`). More than `max_items` is 413 before any item is
/// read; the body's size is bounded by [`body_limit`].
pub struct BulkItems(pub Vec<Box<serde_json::value::RawValue>>);

impl BulkItems {
    pub const MAX_ITEMS: usize = 1_000;
}

impl FromRequest for BulkItems {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let limit = body_limit(req);
        let ndjson = media_type(req) == "application/x-ndjson";
        let json = is_json(req);
        let declared_length = declared_length(req.headers());
        let mut payload = payload.take();
        Box::pin(async move {
            if !ndjson && !json {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the items as application/json (an array) or application/x-ndjson",
                ));
            }
            let body = read_body(&mut payload, declared_length, limit).await?;
            let items: Vec<Box<serde_json::value::RawValue>> = if ndjson {
                body.split(|b| *b == b'\n')
                    .enumerate()
                    .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
                    .map(|(n, line)| {
                        serde_json::from_slice(line).map_err(|e| {
                            ApiError::new(
                                ErrorCode::MalformedJson,
                                format!("line {} is not JSON: {e}", n + 1),
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?
            } else {
                parse_json(&body)?
            };
            if items.len() > Self::MAX_ITEMS {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "{} items; one call takes at most {}",
                        items.len(),
                        Self::MAX_ITEMS
                    ),
                )
                .with_code(codes::BATCH_TOO_LARGE));
            }
            Ok(Self(items))
        })
    }
}

/// The whole body, refused with 413 past `limit` bytes (at once when `Content-Length` says so).
pub async fn read_body(
    payload: &mut actix_web::dev::Payload,
    declared_length: Option<usize>,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    if declared_length.is_some_and(|length| length > limit) {
        return Err(too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedJson,
                format!("the body could not be read: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The `Content-Length` a request declares, if any.
pub fn declared_length(headers: &header::HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

fn is_json(req: &HttpRequest) -> bool {
    let essence = media_type(req);
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The request's media type without parameters, lower-cased; empty when none is sent.
fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the body must be at most {limit} bytes"),
    )
}

/// Parses `body`, naming the failing field's path in the error. Tracking the path costs a
/// quarter of reading a dataset description, so a body is read without it first and only a
/// refused one is read again to name the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).or_else(|_| parse_json_naming_the_field(body))
}

fn parse_json_naming_the_field<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { "body".to_owned() } else { path };
                ApiError::invalid_field(
                    &field,
                    codes::INVALID_VALUE,
                    strip_position(&inner.to_string()),
                )
            }
            _ => malformed(&inner),
        }
    })?;
    deserializer
        .end()
        .map_err(|trailing| malformed(&trailing))?;
    Ok(parsed)
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedJson,
        format!("the body is not valid JSON: {error}"),
    )
}

/// serde_json appends " at line 1 column 42", which helps little once the field is named.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// The precondition of an update, from `If-Match` (RFC 9110 §13.1.1): `*`, or a list of
/// ETags. ETags are strong (`"3"`); a weak one (`W/"3"`) never matches, as RFC 9110 requires.
pub struct IfMatch(pub Precondition);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(parse_if_match(req.headers().get(header::IF_MATCH)))
    }
}

/// The precondition of a deletion: `If-Match` when sent (evaluated as for an update: 412 when
/// stale), any version when not, as RFC 9110 lets a server take an unconditional DELETE.
pub struct OptionalIfMatch(pub Precondition);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // Sent but empty is a malformed header (400), not a missing one (no 428 here).
        let precondition = match req.headers().get(header::IF_MATCH) {
            None => Ok(Precondition::Any),
            Some(value) if value.as_bytes().trim_ascii().is_empty() => Err(malformed_if_match()),
            Some(value) => parse_if_match(Some(value)).map(|m| m.0),
        };
        std::future::ready(precondition.map(OptionalIfMatch))
    }
}

fn malformed_if_match() -> ApiError {
    ApiError::new(
        ErrorCode::MalformedHeader,
        "If-Match must be * or a list of ETags such as \"3\"",
    )
    .with_code(codes::MALFORMED_IF_MATCH)
}

fn parse_if_match(value: Option<&header::HeaderValue>) -> Result<IfMatch, ApiError> {
    let Some(value) = value else {
        return Err(ApiError::new(
            ErrorCode::PreconditionRequired,
            "send If-Match with the ETag of the version you are changing, so no one's change is lost",
        ));
    };
    let text = value.to_str().map_err(|_| malformed_if_match())?.trim();
    if text.is_empty() {
        return Err(ApiError::new(
            ErrorCode::PreconditionRequired,
            "If-Match is empty; send the ETag of the version you are changing",
        ));
    }
    if text == "*" {
        return Ok(IfMatch(Precondition::Any));
    }
    let tags = entity_tags(text).ok_or_else(malformed_if_match)?;
    // Weak tags never match (strong comparison), and tags hdab never issued match nothing.
    let versions = tags
        .into_iter()
        .filter(|(weak, _)| !weak)
        .filter_map(|(_, opaque)| version_of(opaque))
        .collect();
    Ok(IfMatch(Precondition::OneOf(versions)))
}

/// Splits `"a", W/"b"` into `(weak, opaque)` pairs; `None` when it is not such a list. Commas may
/// stand inside the quotes, so the list is read tag by tag rather than split.
fn entity_tags(text: &str) -> Option<Vec<(bool, &str)>> {
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return (!tags.is_empty()).then_some(tags);
        }
        let weak = rest.starts_with("W/");
        let quoted = rest.strip_prefix("W/").unwrap_or(rest).strip_prefix('"')?;
        let end = quoted.find('"')?;
        tags.push((weak, &quoted[..end]));
        rest = &quoted[end + 1..];
        if !(rest.is_empty() || rest.starts_with([' ', '\t', ','])) {
            return None;
        }
    }
}

/// The ETag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The ETag of one variant of a resource at `version` (`"3-stale"`): a representation whose
/// content changes without a new version (a dataset becomes stale with time) gets its own tag,
/// which `If-Match` still reads as the version.
pub fn variant_etag(version: i64, variant: Option<&str>) -> String {
    match variant {
        Some(variant) => format!("\"{version}-{variant}\""),
        None => etag(version),
    }
}

/// The version an ETag hdab issued names: `3` of `"3"` and of `"3-stale"`.
fn version_of(opaque: &str) -> Option<i64> {
    opaque.split('-').next()?.parse().ok()
}

/// Checks a position in the event log and a page size: `after` 0 or more (default 0), `limit`
/// from 1 to `max` (default `default`); 422 naming the field otherwise.
pub fn log_page(
    after: Option<i64>,
    limit: Option<i64>,
    default: i64,
    max: i64,
) -> Result<(i64, i64), ApiError> {
    let after = after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::invalid_field(
            "after",
            codes::OUT_OF_RANGE,
            "must be 0 or more",
        ));
    }
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            codes::OUT_OF_RANGE,
            format!("must be between 1 and {max}"),
        ));
    }
    Ok((after, limit))
}

/// Checks a page request: `limit` (422 when out of range) and `cursor` (400 when it is not one
/// hdab issued, checked by `parse_key`). Returns the limit and the key the page starts after.
pub fn parse_page<K>(
    query: &PageQuery,
    parse_key: impl Fn(&str) -> Option<K>,
) -> Result<(usize, Option<K>), ApiError> {
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(limit) if (1..=MAX_LIMIT as i64).contains(&limit) => limit as usize,
        Some(_) => {
            return Err(ApiError::invalid_field(
                "limit",
                codes::OUT_OF_RANGE,
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
    };
    let after = query
        .cursor
        .as_deref()
        .map(|cursor| {
            decode_cursor(cursor)
                .and_then(|key| parse_key(&key))
                .ok_or_else(malformed_cursor)
        })
        .transpose()?;
    Ok((limit, after))
}

fn malformed_cursor() -> ApiError {
    ApiError::new(
        ErrorCode::MalformedCursor,
        "`cursor` must be a next_cursor value from a previous page",
    )
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()
}

/// Query parameters. Unlike actix's `Query`, a wrong value names its parameter (422).
pub struct QueryParams<T>(pub T);

impl<T> std::ops::Deref for QueryParams<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let pairs = url::form_urlencoded::parse(req.query_string().as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        let parsed = serde_path_to_error::deserialize(deserializer)
            .map(QueryParams)
            .map_err(|error| {
                let field = error.path().to_string();
                let field = if field == "." {
                    "query".to_owned()
                } else {
                    field
                };
                ApiError::invalid_field(
                    &field,
                    codes::INVALID_VALUE,
                    error.into_inner().to_string(),
                )
            });
        std::future::ready(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failing_field_is_named_by_its_path() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only parsed")]
        struct Outer {
            items: Vec<Inner>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[expect(dead_code, reason = "only parsed")]
        struct Inner {
            count: u32,
        }
        let error =
            parse_json::<Outer>(br#"{"items": [{"count": 1}, {"count": "x"}]}"#).unwrap_err();
        assert_eq!(error.code(), "validation_failed");
        assert!(error.to_string().contains("items[1].count"), "{error}");
        let error = parse_json::<Outer>(br#"{"items": [], "extra": 1}"#).unwrap_err();
        assert!(error.to_string().contains("extra"), "{error}");
        let error = parse_json::<Outer>(b"{\"items\": [").unwrap_err();
        assert_eq!(error.code(), "malformed_json");
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let query = PageQuery {
            limit: Some(5),
            cursor: Some(encode_cursor("abc")),
        };
        let (limit, after) = parse_page(&query, |k| Some(k.to_owned())).unwrap();
        assert_eq!((limit, after.as_deref()), (5, Some("abc")));
        let junk = PageQuery {
            limit: None,
            cursor: Some("%%%".into()),
        };
        assert_eq!(
            parse_page(&junk, |k| Some(k.to_owned()))
                .unwrap_err()
                .code(),
            "malformed_cursor"
        );
        let too_many = PageQuery {
            limit: Some(101),
            cursor: None,
        };
        assert_eq!(
            parse_page(&too_many, |k| Some(k.to_owned()))
                .unwrap_err()
                .code(),
            "validation_failed"
        );
    }

    #[test]
    fn if_match_takes_strong_etags_or_a_wildcard() {
        let parse = |v: &'static str| {
            parse_if_match(Some(&header::HeaderValue::from_static(v))).map(|m| m.0)
        };
        assert_eq!(parse("\"3\"").ok(), Some(Precondition::OneOf(vec![3])));
        assert_eq!(
            parse("\"3-stale\"").ok(),
            Some(Precondition::OneOf(vec![3])),
            "a variant's tag names its version"
        );
        assert_eq!(
            parse("\"2\", \"3\"").ok(),
            Some(Precondition::OneOf(vec![2, 3]))
        );
        assert_eq!(parse("*").ok(), Some(Precondition::Any));
        assert_eq!(
            parse("W/\"3\"").ok(),
            Some(Precondition::OneOf(vec![])),
            "weak tags never match"
        );
        assert_eq!(
            parse("3").err().map(|e| e.code()),
            Some("malformed_if_match")
        );
        assert_eq!(
            parse("\",#R\"").ok(),
            Some(Precondition::OneOf(vec![])),
            "commas inside quotes"
        );
        assert_eq!(
            parse("\"1\"x").err().map(|e| e.code()),
            Some("malformed_if_match")
        );
        assert_eq!(parse("").err().map(|e| e.code()), Some("if_match_required"));
        assert_eq!(
            parse_if_match(None).err().map(|e| e.code()),
            Some("if_match_required")
        );
    }
}
