//! `/api/v1/harvest-sources`: the catalogues hdab harvests, their runs, and "run now". HDAB
//! admins only. A source's URL must be one hdab may call (the outbound address policy, checked
//! on the name's addresses too): 422 otherwise.

use std::sync::Arc;

use actix_web::{HttpResponse, delete, get, post, put, web};
use hdab_domain::harvest::HarvestSourceDetails;
use hdab_domain::ids::HarvestSourceId;
use hdab_openapi::Page;
use hdab_openapi::harvest::{
    CredentialsInput, HarvestRunRequested, HarvestRunView, HarvestSourceInput, HarvestSourceView,
};
use hdab_openapi::page::PageQuery;

use super::problems::{
    AdminReadProblems, AuthenticatedReadProblems, CreateProblems, DeleteProblems, HistoryProblems,
    ReplaceProblems,
};
use super::{created, page_response, versioned};
use crate::application::harvest::{self as usecase, Credentials, CredentialsChange};
use crate::edge::auth::{AdminOnly, Authorized};
use crate::edge::error::ApiError;
use crate::edge::extract::{IfMatch, JsonBody, OptionalIfMatch, QueryParams, parse_page};
use crate::edge::state::AppState;

fn location(id: HarvestSourceId) -> String {
    format!("/api/v1/harvest-sources/{id}")
}

/// The source's details, its credentials, and that hdab may call its URL.
async fn read_input(
    state: &AppState,
    input: &HarvestSourceInput,
) -> Result<(HarvestSourceDetails, Option<CredentialsInput>), ApiError> {
    let details = HarvestSourceDetails::try_from(input)?;
    state.check_callable(&details.url).await?;
    Ok((details, input.credentials.clone()))
}

fn credentials(input: CredentialsInput) -> CredentialsChange {
    match input {
        CredentialsInput::Bearer { token } => CredentialsChange::Set(Credentials::Bearer { token }),
        CredentialsInput::Basic { username, password } => {
            CredentialsChange::Set(Credentials::Basic { username, password })
        }
        CredentialsInput::None => CredentialsChange::Remove,
    }
}

/// Register a source. It runs at once when it has a schedule, otherwise when asked.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_harvest_source",
    request_body = HarvestSourceInput,
    security(("bearer" = [])),
    responses(
        (status = 201, body = HarvestSourceView, headers(("location" = String), ("etag" = String))),
        CreateProblems,
    )
)]
#[post("/harvest-sources")]
pub async fn create(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    body: JsonBody<HarvestSourceInput>,
) -> Result<HttpResponse, ApiError> {
    let (details, given) = read_input(&state, &body.0).await?;
    let credentials = match given.map(credentials) {
        Some(CredentialsChange::Set(c)) => Some(c),
        _ => None,
    };
    let (actor, now) = (admin.principal.subject.to_string(), state.now());
    let kek = Arc::clone(&state.kek);
    let source = state
        .write(move |conn| usecase::register(conn, &kek, &actor, now, details, credentials))
        .await?;
    Ok(created(
        location(source.id),
        source.version,
        &HarvestSourceView::from(&source),
    ))
}

/// List the sources, in registration order.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_harvest_sources",
    params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<HarvestSourceView>), AdminReadProblems)
)]
#[get("/harvest-sources")]
pub async fn list(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = parse_page(&query, |key| HarvestSourceId::parse(key).ok())?;
    let page = state
        .db(move |conn| Ok(hdab_persistence::harvest::list(conn, after, limit)?))
        .await?;
    Ok(page_response(page, |s| HarvestSourceView::from(s)))
}

/// Read one source (never its credentials).
#[utoipa::path(
    tag = "partners",
    operation_id = "get_harvest_source",
    params(("id" = Uuid, Path, description = "Harvest source id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = HarvestSourceView, headers(("etag" = String))),
        AuthenticatedReadProblems,
    )
)]
#[get("/harvest-sources/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<HarvestSourceId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let source = state
        .db(move |conn| Ok(hdab_persistence::harvest::find(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("the harvest source"))?;
    Ok(versioned(source.version, &HarvestSourceView::from(&source)))
}

/// Replace a source. Without `credentials` the stored ones stay; `{"type": "none"}` removes
/// them. A new URL or kind starts the source over (no conditional GET, the feed from its
/// start).
#[utoipa::path(
    tag = "partners",
    operation_id = "replace_harvest_source",
    request_body = HarvestSourceInput,
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Harvest source id"),
        ("If-Match" = String, Header, description = "The ETag of the version being replaced, e.g. \"3\", or * for any version", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 200, body = HarvestSourceView, headers(("etag" = String))), ReplaceProblems)
)]
#[put("/harvest-sources/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<HarvestSourceId>,
    if_match: IfMatch,
    body: JsonBody<HarvestSourceInput>,
) -> Result<HttpResponse, ApiError> {
    let (details, given) = read_input(&state, &body.0).await?;
    let change = given.map_or(CredentialsChange::Keep, credentials);
    let (actor, now, id) = (
        admin.principal.subject.to_string(),
        state.now(),
        id.into_inner(),
    );
    let kek = Arc::clone(&state.kek);
    let source = state
        .write(move |conn| {
            usecase::replace(conn, &kek, &actor, now, id, details, change, &if_match.0)
        })
        .await?;
    Ok(versioned(source.version, &HarvestSourceView::from(&source)))
}

/// Delete a source and its run log. The datasets it brought in stay.
#[utoipa::path(
    tag = "partners",
    operation_id = "delete_harvest_source",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Harvest source id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "Delete only if this is still the current version (412 otherwise)", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/harvest-sources/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<HarvestSourceId>,
    if_match: OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    let (actor, now, id) = (
        admin.principal.subject.to_string(),
        state.now(),
        id.into_inner(),
    );
    state
        .write(move |conn| usecase::delete(conn, &actor, now, id, &if_match.0))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Run a source now: it starts within a second on the process that claims it, and its run
/// appears in the run log.
#[utoipa::path(
    tag = "partners",
    operation_id = "run_harvest_source",
    params(("id" = Uuid, Path, description = "Harvest source id")),
    security(("bearer" = [])),
    responses((status = 202, body = HarvestRunRequested), AuthenticatedReadProblems)
)]
#[post("/harvest-sources/{id}/runs")]
pub async fn run(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<HarvestSourceId>,
) -> Result<HttpResponse, ApiError> {
    let (id, now) = (id.into_inner(), state.now());
    state
        .db(move |conn| Ok(usecase::request_run(conn, id, now)?))
        .await?;
    Ok(HttpResponse::Accepted().json(HarvestRunRequested {
        source_id: id.as_uuid(),
        runs: format!("{}/runs", location(id)),
    }))
}

/// A source's runs, newest first: counts of created, updated, unchanged, withdrawn and failed
/// records, and each error.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_harvest_runs",
    params(("id" = Uuid, Path, description = "Harvest source id"), PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<HarvestRunView>), HistoryProblems)
)]
#[get("/harvest-sources/{id}/runs")]
pub async fn runs(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<HarvestSourceId>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, before) = parse_page(&query, |key| Some(key.to_owned()))?;
    let id = id.into_inner();
    let page = state
        .db(move |conn| {
            if hdab_persistence::harvest::find(conn, id)?.is_none() {
                return Err(ApiError::not_found("the harvest source"));
            }
            Ok(hdab_persistence::harvest::runs(
                conn,
                id,
                before.as_deref(),
                limit,
            )?)
        })
        .await?;
    Ok(page_response(page, |r| HarvestRunView::from(r)))
}
