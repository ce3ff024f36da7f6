//! Every error leaves hdab as an RFC 9457 problem. [`ErrorCode`] is the one table from a
//! stable code to its HTTP status and title; nothing else picks a status for an error.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use hdab_domain::{DomainError, FieldError};
use hdab_openapi::problem::{PROBLEM_JSON, Problem, ProblemFieldError};
use hdab_persistence::StoreError;

use crate::application::AppError;

use crate::shell::telemetry::current_request_id;

/// What a 503 tells the caller to wait before retrying: about how long a database restart or
/// failover takes.
const RETRY_AFTER_SECS: u32 = 5;

/// The stable codes of hdab's errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    MalformedJson,
    MalformedCursor,
    MalformedHeader,
    ValidationFailed,
    Unauthenticated,
    InvalidToken,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    RequestTimeout,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    HeaderFieldsTooLarge,
    Internal,
    Unavailable,
}

impl ErrorCode {
    const ALL: [ErrorCode; 21] = [
        Self::BadRequest,
        Self::MalformedJson,
        Self::MalformedCursor,
        Self::MalformedHeader,
        Self::ValidationFailed,
        Self::Unauthenticated,
        Self::InvalidToken,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::NotAcceptable,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::PreconditionRequired,
        Self::RequestTimeout,
        Self::PayloadTooLarge,
        Self::UriTooLong,
        Self::UnsupportedMediaType,
        Self::HeaderFieldsTooLarge,
        Self::Internal,
        Self::Unavailable,
    ];

    /// The table: code, status, title.
    fn entry(self) -> (&'static str, StatusCode, &'static str) {
        use ErrorCode::*;
        match self {
            BadRequest => (
                "bad_request",
                StatusCode::BAD_REQUEST,
                "The request is malformed",
            ),
            MalformedJson => (
                "malformed_json",
                StatusCode::BAD_REQUEST,
                "The request body is not valid JSON",
            ),
            MalformedCursor => (
                "malformed_cursor",
                StatusCode::BAD_REQUEST,
                "The cursor is not one hdab issued",
            ),
            MalformedHeader => (
                "malformed_header",
                StatusCode::BAD_REQUEST,
                "A request header is malformed",
            ),
            ValidationFailed => (
                "validation_failed",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The request has invalid fields",
            ),
            Unauthenticated => (
                "unauthenticated",
                StatusCode::UNAUTHORIZED,
                "A bearer token is required",
            ),
            InvalidToken => (
                "invalid_token",
                StatusCode::UNAUTHORIZED,
                "The bearer token is not accepted",
            ),
            Forbidden => (
                "forbidden",
                StatusCode::FORBIDDEN,
                "The token lacks the role this needs",
            ),
            NotFound => ("not_found", StatusCode::NOT_FOUND, "Not found"),
            MethodNotAllowed => (
                "method_not_allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            NotAcceptable => (
                "not_acceptable",
                StatusCode::NOT_ACCEPTABLE,
                "No acceptable representation",
            ),
            Conflict => (
                "conflict",
                StatusCode::CONFLICT,
                "The request conflicts with the stored state",
            ),
            PreconditionFailed => (
                "stale_version",
                StatusCode::PRECONDITION_FAILED,
                "The resource has changed",
            ),
            PreconditionRequired => (
                "if_match_required",
                StatusCode::PRECONDITION_REQUIRED,
                "If-Match is required",
            ),
            RequestTimeout => (
                "request_timeout",
                StatusCode::REQUEST_TIMEOUT,
                "The request took too long to arrive",
            ),
            UriTooLong => (
                "uri_too_long",
                StatusCode::URI_TOO_LONG,
                "The request URI is too long",
            ),
            HeaderFieldsTooLarge => (
                "header_fields_too_large",
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "The request headers are too large",
            ),
            PayloadTooLarge => (
                "payload_too_large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large",
            ),
            UnsupportedMediaType => (
                "unsupported_media_type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported content type",
            ),
            Internal => (
                "internal_error",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
            ),
            Unavailable => (
                "unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
            ),
        }
    }

    pub fn status(self) -> StatusCode {
        self.entry().1
    }

    /// The first code of the table with `status`.
    fn for_status(status: StatusCode) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.status() == status)
    }
}

/// An error on its way to the caller.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    /// Overrides the table's code where a finer one helps the caller (`publisher_name_taken`).
    specific_code: Option<&'static str>,
    detail: String,
    errors: Vec<FieldError>,
    headers: Vec<(header::HeaderName, String)>,
    /// The cause of a 5xx: logged once, never sent.
    cause: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            specific_code: None,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            cause: None,
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}` {}", one.field, one.message),
            many => format!("{} fields are invalid; see `errors`", many.len()),
        };
        Self {
            errors,
            ..Self::new(ErrorCode::ValidationFailed, detail)
        }
    }

    /// One invalid field.
    pub fn invalid_field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }])
    }

    /// The problem for an error status that a library answered without a body (the docs
    /// page's 404, for one). A status the table lacks becomes 400 or 500.
    pub fn for_status(status: StatusCode) -> Self {
        let code = ErrorCode::for_status(status).unwrap_or(if status.is_server_error() {
            ErrorCode::Internal
        } else {
            ErrorCode::BadRequest
        });
        let detail = match code {
            ErrorCode::NotFound => "nothing is here".to_owned(),
            other => other.entry().2.to_owned(),
        };
        Self::new(code, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} does not exist"))
    }

    /// A failure that is hdab's fault: the caller learns only that it happened.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(
                ErrorCode::Internal,
                "hdab could not complete the request; quote the request id when reporting it",
            )
        }
    }

    /// A dependency (the database, the token issuer) cannot serve now; the caller may retry.
    /// The cause is logged, never sent.
    pub fn unavailable(detail: impl Into<String>, cause: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(ErrorCode::Unavailable, detail)
        }
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.specific_code = Some(code);
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn code(&self) -> &'static str {
        self.specific_code.unwrap_or(self.code.entry().0)
    }

    /// The problem document this error is sent as.
    pub fn problem(&self) -> Problem {
        let (code, status, title) = self.code.entry();
        let code = self.specific_code.unwrap_or(code);
        Problem {
            problem_type: format!("urn:hdab:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            code: code.to_owned(),
            errors: self
                .errors
                .iter()
                .map(|e| ProblemFieldError {
                    field: e.field.clone(),
                    code: e.code.to_owned(),
                    message: e.message.clone(),
                })
                .collect(),
            request_id: current_request_id(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.detail)?;
        match &self.cause {
            Some(cause) => write!(f, " ({cause})"),
            None => Ok(()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        // The one place a 5xx cause is logged; the request span adds the request id.
        match (&self.cause, self.code) {
            (Some(cause), ErrorCode::Unavailable) => {
                tracing::warn!(error.cause = %cause, "answered 503: a dependency is unavailable")
            }
            (Some(cause), _) => {
                tracing::error!(error.cause = %cause, error.code = self.code(), "request failed")
            }
            (None, _) => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if self.code == ErrorCode::Unavailable {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
        }
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.as_str()));
        }
        response.json(self.problem())
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => Self::invalid(errors),
            DomainError::StateConflict { code, message } => {
                Self::new(ErrorCode::Conflict, message).with_code(code)
            }
            DomainError::Forbidden { code, message } => {
                Self::new(ErrorCode::Forbidden, message).with_code(code)
            }
            DomainError::NotFound(what) => Self::not_found(what),
            // The current ETag comes along, so the caller can re-read or retry knowingly.
            stale @ DomainError::StaleVersion { current } => {
                Self::new(ErrorCode::PreconditionFailed, stale.to_string())
                    .with_code(stale.code())
                    .with_header(header::ETAG, crate::edge::extract::etag(current))
            }
        }
    }
}

/// The one place an application error becomes a problem.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Domain(domain) => domain.into(),
            AppError::NotFound(what) => Self::not_found(what),
            AppError::Conflict { code, message } => {
                Self::new(ErrorCode::Conflict, message).with_code(code)
            }
            AppError::Unavailable(cause) => {
                Self::unavailable("the database is not available; try again shortly", cause)
            }
            AppError::Internal(cause) => Self::internal(cause),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        AppError::from(error).into()
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        AppError::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_wire_name_and_a_4xx_or_5xx_status() {
        let all = ErrorCode::ALL;
        let names: std::collections::BTreeSet<_> = all.iter().map(|c| c.entry().0).collect();
        assert_eq!(names.len(), all.len());
        assert!(
            all.iter()
                .all(|c| c.status().is_client_error() || c.status().is_server_error())
        );
    }

    #[test]
    fn a_server_error_says_nothing_internal() {
        let error = ApiError::internal("connection refused at 10.0.0.5:5432");
        assert!(!error.problem().detail.contains("10.0.0.5"));
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
