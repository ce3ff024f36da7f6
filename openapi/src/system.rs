//! Health answers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether this instance is up, and for readiness whether its database answers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// The database backend in use (`sqlite` or `postgres`).
    pub database: Option<String>,
}
