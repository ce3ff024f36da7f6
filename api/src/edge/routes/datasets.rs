//! `/api/v1/datasets`: the catalogue's datasets. Data holders write their own publishers'
//! datasets; anyone reads published and withdrawn ones, as JSON or HealthDCAT-AP RDF.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, post, put, web};
use chrono::{DateTime, Utc};
use hdab_domain::catalogue::{Dataset, DatasetDetails, Lifecycle};
use hdab_domain::ids::DatasetId;
use hdab_openapi::catalogue::{DatasetInput, DatasetView, JsonLdDocument, SearchPage, SearchQuery};

use super::problems::{
    CreateProblems, LifecycleProblems, ListProblems, ReadProblems, ReadRepresentationProblems,
    ReplaceProblems,
};
use super::{content_etag, http_date, vary_by_accept};
use crate::application::AppError;
use crate::application::datasets as usecase;
use crate::edge::auth::{Authorized, Caller, DatasetWriter};
use crate::edge::error::ApiError;
use crate::edge::extract::{IfMatch, JsonBody, QueryParams, variant_etag};
use crate::edge::negotiate::{DATASET_REPRESENTATIONS, Representation, negotiate};
use crate::edge::state::AppState;
use crate::projections::rdf::{self, RdfSyntax};
use hdab_persistence::now;
use hdab_persistence::search::SearchError;

fn location(id: DatasetId) -> String {
    format!("/api/v1/datasets/{id}")
}

/// Describe a new dataset (as a draft).
#[utoipa::path(
    tag = "catalogue",
    operation_id = "create_dataset",
    request_body = DatasetInput,
    security(("bearer" = [])),
    responses((status = 201, body = DatasetView, headers(("location" = String), ("etag" = String))), CreateProblems)
)]
#[post("/datasets")]
pub async fn create(
    state: web::Data<AppState>,
    writer: Authorized<DatasetWriter>,
    body: JsonBody<DatasetInput>,
) -> Result<HttpResponse, ApiError> {
    let details = DatasetDetails::try_from(&body.0)?;
    let principal = writer.principal;
    let dataset = state
        .write(move |conn| usecase::create(conn, &principal, now(), details))
        .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location(dataset.id)));
    Ok(json_response(response, &dataset))
}

/// Search published datasets: full text in every language with stemming, filters, facet
/// counts (each computed with the other filters applied), sorting and cursor paging.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "search_datasets",
    params(SearchQuery),
    responses((status = 200, body = SearchPage), ListProblems)
)]
#[get("/datasets")]
pub async fn search(
    state: web::Data<AppState>,
    _caller: Caller,
    query: QueryParams<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = crate::edge::search_params::parse_request(&query)?;
    let index = state.searchable()?;
    // On the worker itself: a search takes about a millisecond of CPU, less than the hop to the
    // blocking pool and back costs under load. One that must first commit the latest writes
    // (about 15 ms) goes to the blocking pool, not to hold up the worker's other requests.
    let results = if index.awaits_commit() {
        let search = Arc::clone(&state.search);
        web::block(move || search.index.search(&request))
            .await
            .map_err(ApiError::internal)?
    } else {
        index.search(&request)
    };
    let results = results.map_err(|error| match error {
        SearchError::Uncommitted(_) => ApiError::unavailable(
            "the search index cannot take the latest writes now; try again shortly",
            error,
        ),
        error => ApiError::internal(error),
    })?;
    Ok(HttpResponse::Ok().json(crate::edge::search_params::page(results)?))
}

/// Read a dataset: JSON, or its HealthDCAT-AP description in Turtle, JSON-LD or RDF/XML by
/// `Accept` (the same at `/datasets/{id}.{format}`). Drafts are visible only to their holder.
/// Answers carry `ETag` and `Last-Modified`; a matching `If-None-Match` or `If-Modified-Since`
/// gets 304.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "get_dataset",
    params(("id" = Uuid, Path, description = "Dataset id")),
    responses(
        (status = 200, description = "The dataset", headers(("etag" = String), ("last-modified" = String)), content(
            (DatasetView = "application/json"),
            (String = "text/turtle"),
            (JsonLdDocument = "application/ld+json"),
            (String = "application/rdf+xml"),
        )),
        (status = 304, description = "Not modified since the copy the validators name"),
        ReadRepresentationProblems,
    )
)]
#[get("/datasets/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<DatasetId>,
) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let representation = negotiate(accept, &DATASET_REPRESENTATIONS)?;
    let response = represent(&state, &caller, id.into_inner(), representation).await?;
    Ok(vary_by_accept(response))
}

/// Read a dataset in the representation its extension names: `.json`, or HealthDCAT-AP as
/// `.ttl` (Turtle), `.jsonld` (JSON-LD) or `.rdf` (RDF/XML), for harvesters that send no
/// `Accept`.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "get_dataset_file",
    params(
        ("id" = Uuid, Path, description = "Dataset id"),
        ("format" = String, Path, description = "json, ttl, jsonld or rdf"),
    ),
    responses(
        (status = 200, description = "The dataset", headers(("etag" = String), ("last-modified" = String)), content(
            (DatasetView = "application/json"),
            (String = "text/turtle"),
            (JsonLdDocument = "application/ld+json"),
            (String = "application/rdf+xml"),
        )),
        (status = 304, description = "Not modified since the copy the validators name"),
        ReadProblems,
    )
)]
#[get("/datasets/{id}.{format}")]
pub async fn read_file(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(DatasetId, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, format) = path.into_inner();
    let representation = Representation::from_extension(&format)?;
    represent(&state, &caller, id, representation).await
}

/// The dataset the caller may see, in `representation`, with its validators.
async fn represent(
    state: &AppState,
    caller: &Caller,
    id: DatasetId,
    representation: Representation,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal().cloned();
    match representation {
        // JSON names the publisher by id: one query.
        Representation::Json => {
            let dataset = state
                .db(move |conn| Ok(usecase::load_visible(conn, principal.as_ref(), id)?))
                .await?;
            Ok(json_response(HttpResponse::Ok(), &dataset))
        }
        Representation::Rdf(syntax) => {
            let (dataset, publisher) = state
                .db(move |conn| {
                    let dataset = usecase::load_visible(conn, principal.as_ref(), id)?;
                    let publisher =
                        hdab_persistence::publishers::find(conn, dataset.details.publisher_id)?
                            .ok_or_else(|| {
                                ApiError::internal("a dataset's publisher is missing")
                            })?;
                    Ok((dataset, publisher))
                })
                .await?;
            let changed = dataset
                .changed_at(now())
                .max(publisher.updated_at)
                .max(state.identity.configured_at);
            rdf_response(
                syntax,
                &state.identity.describe_standalone(&dataset, &publisher),
                changed,
            )
        }
        // Not among the dataset's representations, so negotiation never picks it.
        Representation::Csv => Err(ApiError::new(
            crate::edge::error::ErrorCode::NotAcceptable,
            "a dataset is not available as CSV",
        )),
    }
}

/// The dataset as JSON, with the ETag of its variant (a stale description has its own, since
/// its `stale` flag changed without a new version) and `Last-Modified`.
fn json_response(mut response: HttpResponseBuilder, dataset: &Dataset) -> HttpResponse {
    let now = now();
    let stale = dataset.is_stale(now).then_some("stale");
    response
        .insert_header((header::ETAG, variant_etag(dataset.version, stale)))
        .insert_header((header::LAST_MODIFIED, http_date(dataset.changed_at(now))))
        .json(DatasetView::new(dataset, now))
}

/// Serialises `triples` as the body of a 200 response, with a strong `ETag` of the bytes (so
/// no two representations share one) and `Last-Modified`.
pub fn rdf_response(
    syntax: RdfSyntax,
    triples: &rdf::Triples,
    last_modified: DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    // Turtle takes 60–80 bytes a triple (less since a page states each subject once): growing
    // the buffer by doubling was 5% of a page.
    let mut out = rdf::serializer(syntax, Vec::with_capacity(triples.len() * 80));
    triples.write(&mut out).map_err(ApiError::internal)?;
    let body = out.finish().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(syntax.media_type())
        .insert_header((header::ETAG, content_etag(&body)))
        .insert_header((header::LAST_MODIFIED, http_date(last_modified)))
        .body(body))
}

/// Replace a dataset's description; this also re-confirms it (EHDS Art 60).
#[utoipa::path(
    tag = "catalogue",
    operation_id = "replace_dataset",
    request_body = DatasetInput,
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Dataset id"),
        ("If-Match" = String, Header, description = "The ETag of the version being replaced, e.g. \"3\", or * for any version", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 200, body = DatasetView, headers(("etag" = String))), ReplaceProblems)
)]
#[put("/datasets/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    writer: Authorized<DatasetWriter>,
    id: web::Path<DatasetId>,
    if_match: IfMatch,
    body: JsonBody<DatasetInput>,
) -> Result<HttpResponse, ApiError> {
    let details = DatasetDetails::try_from(&body.0)?;
    let id = id.into_inner();
    let principal = writer.principal;
    let dataset = state
        .write(move |conn| usecase::replace(conn, &principal, now(), id, &if_match.0, details))
        .await?;
    Ok(json_response(HttpResponse::Ok(), &dataset))
}

async fn lifecycle(
    state: web::Data<AppState>,
    writer: Authorized<DatasetWriter>,
    id: DatasetId,
    change: impl FnOnce(
        &mut hdab_persistence::DbConnection,
        &hdab_domain::auth::Principal,
        DatasetId,
    ) -> Result<Dataset, AppError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let principal = writer.principal;
    let dataset = state
        .write(move |conn| change(conn, &principal, id))
        .await?;
    Ok(json_response(HttpResponse::Ok(), &dataset))
}

/// Publish a draft or withdrawn dataset: it becomes searchable and harvestable.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "publish_dataset",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Dataset id")),
    responses((status = 200, body = DatasetView), LifecycleProblems)
)]
#[post("/datasets/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    writer: Authorized<DatasetWriter>,
    id: web::Path<DatasetId>,
) -> Result<HttpResponse, ApiError> {
    lifecycle(state, writer, id.into_inner(), |conn, who, id| {
        usecase::change_status(conn, who, now(), id, Lifecycle::Publish)
    })
    .await
}

/// Withdraw a dataset: it leaves search and the catalogue, and stays readable by id.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "withdraw_dataset",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Dataset id")),
    responses((status = 200, body = DatasetView), LifecycleProblems)
)]
#[post("/datasets/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    writer: Authorized<DatasetWriter>,
    id: web::Path<DatasetId>,
) -> Result<HttpResponse, ApiError> {
    lifecycle(state, writer, id.into_inner(), |conn, who, id| {
        usecase::change_status(conn, who, now(), id, Lifecycle::Withdraw)
    })
    .await
}

/// Confirm the description is still current (EHDS Art 60: at least yearly).
#[utoipa::path(
    tag = "catalogue",
    operation_id = "confirm_dataset",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Dataset id")),
    responses((status = 200, body = DatasetView), LifecycleProblems)
)]
#[post("/datasets/{id}/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    writer: Authorized<DatasetWriter>,
    id: web::Path<DatasetId>,
) -> Result<HttpResponse, ApiError> {
    lifecycle(state, writer, id.into_inner(), |conn, who, id| {
        usecase::confirm(conn, who, now(), id)
    })
    .await
}
