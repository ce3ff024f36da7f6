//! RFC 9457 problem details: the one shape of every error hdab returns.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error, as `application/problem+json` (RFC 9457).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; the same for every problem with the same `code`.
    #[serde(rename = "type")]
    #[schema(example = "urn:hdab:problem:validation_failed")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    #[schema(example = "The request has invalid fields")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// A stable, machine-readable code.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// Field-level problems, all of them at once.
    pub errors: Vec<ProblemFieldError>,
    /// The request id (also in the `x-request-id` header): quote it when asking for help.
    pub request_id: Option<String>,
}

/// One problem with one field of the request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProblemFieldError {
    /// Path of the field, e.g. `members[1].role`; `body` for the request body as a whole.
    #[schema(example = "country")]
    pub field: String,
    /// A stable code for the rule the value broke.
    #[schema(example = "unknown_country")]
    pub code: String,
    /// The rule, in words.
    pub message: String,
}
