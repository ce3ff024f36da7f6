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

/// What hdab is and where to start: the answer at `/`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Landing {
    #[schema(example = "hdab")]
    pub name: String,
    /// The HDAB running this instance.
    pub operator: String,
    #[schema(example = "0.1.0")]
    pub version: String,
    pub description: String,
    pub links: LandingLinks,
}

/// Where things are, as absolute URLs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LandingLinks {
    /// The interactive API documentation.
    pub docs: String,
    /// The OpenAPI 3.1 document.
    pub openapi: String,
    /// The HealthDCAT-AP catalogue (`dcat:Catalog`, Turtle by default), for harvesters.
    pub catalogue: String,
    /// Dataset search with facets.
    pub search: String,
    /// The public keys of hdab's signatures.
    pub jwks: String,
    pub health: String,
}
