//! The parts of the OpenAPI document that are not operations: metadata, tags and security.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The name of the bearer-token security scheme operations refer to.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hdab",
        description = "A Health Data Access Body service for the European Health Data Space \
                       (Regulation (EU) 2025/327): a HealthDCAT-AP dataset catalogue, data access \
                       applications, data permits and partner sync. Errors are RFC 9457 \
                       problem details; collections are cursor-paginated.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    tags(
        (name = "system", description = "Health, metrics and the API description."),
        (name = "organisations", description = "Publishers (data holders) and data-access committees."),
        (name = "catalogue", description = "The HealthDCAT-AP dataset catalogue: datasets, search, RDF."),
        (name = "audit", description = "The hash-chained event log of every state change."),
        (name = "jobs", description = "Background jobs: their schedule and run log."),
        (name = "applications", description = "Access applications (EHDS Art 67) and data requests (Art 69): drafting, submission, committee review, decisions, deadlines and history."),
        (name = "permits", description = "Data permits (EHDS Art 68): their lifecycle, GA4GH Passport visas and their verification, and the opt-out registry (Art 71)."),
        (name = "partners", description = "What partner systems sync with: the change feed of the event log, bulk upsert of dataset descriptions, and harvesting other catalogues (DCAT-AP or another hdab)."),
        (name = "transparency", description = "The public registers of applications, decisions and permits (EHDS Arts 57, 58)."),
    ),
    modifiers(&BearerScheme),
    components(schemas(
        crate::Problem,
        crate::ProblemFieldError,
        crate::catalogue::bulk::BulkItemShape
    )),
)]
pub struct BaseDocument;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT from the configured OIDC issuer, or in development mode from \
                         `hdab token`.",
                    ))
                    .build(),
            ),
        );
    }
}
