//! `/api/v1/committees`: data-access committees. Admins write, anyone reads.

use actix_web::{HttpResponse, delete, get, post, put, web};
use hdab_domain::committee::CommitteeDetails;
use hdab_domain::ids::CommitteeId;
use hdab_openapi::Page;
use hdab_openapi::organisations::{CommitteeInput, CommitteeView};
use hdab_openapi::page::PageQuery;

use super::problems::{
    CreateProblems, DeleteProblems, ListProblems, ReadProblems, ReplaceProblems,
};
use super::{created, page_response, versioned};
use crate::application::committees as usecase;
use crate::edge::auth::{AdminOnly, Authorized, Caller};
use crate::edge::error::ApiError;
use crate::edge::extract::{IfMatch, JsonBody, OptionalIfMatch, QueryParams, parse_page};
use crate::edge::state::AppState;
use hdab_persistence::now;

fn location(id: CommitteeId) -> String {
    format!("/api/v1/committees/{id}")
}

/// Create a data-access committee.
#[utoipa::path(
    tag = "organisations",
    operation_id = "create_committee",
    request_body = CommitteeInput,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CommitteeView, headers(("location" = String), ("etag" = String))),
        CreateProblems,
    )
)]
#[post("/committees")]
pub async fn create(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    body: JsonBody<CommitteeInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.principal.subject.to_string();
    let details = CommitteeDetails::try_from(body.0)?;
    let committee = state
        .write(move |conn| usecase::create(conn, &actor, now(), details))
        .await?;
    Ok(created(
        location(committee.id),
        committee.version,
        &CommitteeView::from(&committee),
    ))
}

/// List committees, oldest first.
#[utoipa::path(
    tag = "organisations",
    operation_id = "list_committees",
    params(PageQuery),
    responses((status = 200, body = Page<CommitteeView>), ListProblems)
)]
#[get("/committees")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = parse_page(&query, |key| CommitteeId::parse(key).ok())?;
    let page = state
        .db(move |conn| Ok(hdab_persistence::committees::list(conn, after, limit)?))
        .await?;
    Ok(page_response(page, |c| CommitteeView::from(c)))
}

/// Read one committee.
#[utoipa::path(
    tag = "organisations",
    operation_id = "get_committee",
    params(("id" = Uuid, Path, description = "Committee id")),
    responses(
        (status = 200, body = CommitteeView, headers(("etag" = String))),
        (status = 304, description = "Not modified: `If-None-Match` names the current ETag"),
        ReadProblems,
    )
)]
#[get("/committees/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<CommitteeId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let committee = state
        .db(move |conn| Ok(hdab_persistence::committees::find(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("the committee"))?;
    Ok(versioned(
        committee.version,
        &CommitteeView::from(&committee),
    ))
}

/// Replace a committee's description, publishers and members.
#[utoipa::path(
    tag = "organisations",
    operation_id = "replace_committee",
    request_body = CommitteeInput,
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Committee id"),
        ("If-Match" = String, Header, description = "The ETag of the version being replaced, e.g. \"3\", or * for any version", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 200, body = CommitteeView, headers(("etag" = String))), ReplaceProblems)
)]
#[put("/committees/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<CommitteeId>,
    if_match: IfMatch,
    body: JsonBody<CommitteeInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.principal.subject.to_string();
    let details = CommitteeDetails::try_from(body.0)?;
    let id = id.into_inner();
    let committee = state
        .write(move |conn| usecase::replace(conn, &actor, now(), id, &if_match.0, details))
        .await?;
    Ok(versioned(
        committee.version,
        &CommitteeView::from(&committee),
    ))
}

/// Delete a committee.
#[utoipa::path(
    tag = "organisations",
    operation_id = "delete_committee",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Committee id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "Delete only if this is still the current version (412 otherwise)", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/committees/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<CommitteeId>,
    if_match: OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.principal.subject.to_string();
    let id = id.into_inner();
    state
        .write(move |conn| usecase::delete(conn, &actor, now(), id, &if_match.0))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
