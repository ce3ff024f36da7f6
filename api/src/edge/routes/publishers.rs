//! `/api/v1/publishers`: data holders. Admins write, anyone reads.

use actix_web::{HttpResponse, delete, get, post, put, web};
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::PublisherDetails;
use hdab_openapi::Page;
use hdab_openapi::organisations::{PublisherInput, PublisherView};
use hdab_openapi::page::PageQuery;

use super::problems::{
    CreateProblems, DeleteProblems, ListProblems, ReadProblems, ReplaceProblems,
};
use super::{created, page_response, versioned};
use crate::application::publishers as usecase;
use crate::edge::auth::{AdminOnly, Authorized, Caller};
use crate::edge::error::ApiError;
use crate::edge::extract::{IfMatch, JsonBody, OptionalIfMatch, QueryParams, parse_page};
use crate::edge::state::AppState;
use hdab_persistence::now;

fn location(id: PublisherId) -> String {
    format!("/api/v1/publishers/{id}")
}

/// Register a publisher.
#[utoipa::path(
    tag = "organisations",
    operation_id = "create_publisher",
    request_body = PublisherInput,
    security(("bearer" = [])),
    responses(
        (status = 201, body = PublisherView, headers(("location" = String), ("etag" = String))),
        CreateProblems,
    )
)]
#[post("/publishers")]
pub async fn create(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    body: JsonBody<PublisherInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.principal.subject.to_string();
    let details = PublisherDetails::try_from(body.0)?;
    let publisher = state
        .write(move |conn| usecase::create(conn, &actor, now(), details))
        .await?;
    Ok(created(
        location(publisher.id),
        publisher.version,
        &PublisherView::from(&publisher),
    ))
}

/// List publishers, oldest first.
#[utoipa::path(
    tag = "organisations",
    operation_id = "list_publishers",
    params(PageQuery),
    responses((status = 200, body = Page<PublisherView>), ListProblems)
)]
#[get("/publishers")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = parse_page(&query, |key| PublisherId::parse(key).ok())?;
    let page = state
        .db(move |conn| Ok(hdab_persistence::publishers::list(conn, after, limit)?))
        .await?;
    Ok(page_response(page, |p| PublisherView::from(p)))
}

/// Read one publisher.
#[utoipa::path(
    tag = "organisations",
    operation_id = "get_publisher",
    params(("id" = Uuid, Path, description = "Publisher id")),
    responses(
        (status = 200, body = PublisherView, headers(("etag" = String))),
        (status = 304, description = "Not modified: `If-None-Match` names the current ETag"),
        ReadProblems,
    )
)]
#[get("/publishers/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PublisherId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let publisher = state
        .db(move |conn| Ok(hdab_persistence::publishers::find(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("the publisher"))?;
    Ok(versioned(
        publisher.version,
        &PublisherView::from(&publisher),
    ))
}

/// Replace a publisher's description.
#[utoipa::path(
    tag = "organisations",
    operation_id = "replace_publisher",
    request_body = PublisherInput,
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Publisher id"),
        ("If-Match" = String, Header, description = "The ETag of the version being replaced, e.g. \"3\", or * for any version", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 200, body = PublisherView, headers(("etag" = String))), ReplaceProblems)
)]
#[put("/publishers/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<PublisherId>,
    if_match: IfMatch,
    body: JsonBody<PublisherInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.principal.subject.to_string();
    let details = PublisherDetails::try_from(body.0)?;
    let id = id.into_inner();
    let publisher = state
        .write(move |conn| usecase::replace(conn, &actor, now(), id, &if_match.0, details))
        .await?;
    Ok(versioned(
        publisher.version,
        &PublisherView::from(&publisher),
    ))
}

/// Delete a publisher that no committee serves.
#[utoipa::path(
    tag = "organisations",
    operation_id = "delete_publisher",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Publisher id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "Delete only if this is still the current version (412 otherwise)", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/publishers/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<PublisherId>,
    if_match: OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.principal.subject.to_string();
    let id = id.into_inner();
    state
        .write(move |conn| usecase::delete(conn, &actor, now(), id, &if_match.0))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
