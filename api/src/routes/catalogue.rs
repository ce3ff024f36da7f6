//! `/api/v1/catalogue`: the `dcat:Catalog` of published datasets as HealthDCAT-AP RDF, paged
//! with Hydra, for the EU central catalogue and other harvesters.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use hdab_domain::ids::DatasetId;
use hdab_domain::publisher::Publisher;
use hdab_persistence::datasets::{self, DatasetFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use super::datasets::rdf_response;
use super::problems::CatalogueProblems;
use crate::error::{ApiError, ErrorCode};
use crate::extract::{QueryParams, encode_cursor, parse_page};
use crate::negotiate::{CATALOGUE_REPRESENTATIONS, Representation, negotiate};
use crate::rdf::RdfSyntax;
use crate::state::AppState;
use crate::usecase::datasets::from_record;

/// Which page of the catalogue.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Datasets per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `hydra:next` cursor of the previous page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    /// Only datasets modified at or after this time (RFC 3339), for incremental harvesting.
    pub modified_since: Option<DateTime<Utc>>,
}

/// The DCAT catalogue in Turtle (default), JSON-LD or RDF/XML, by `Accept`.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "get_catalogue",
    params(CatalogueQuery),
    responses(
        (status = 200, description = "A page of the catalogue with its Hydra view", content(
            (String = "text/turtle"),
            (String = "application/ld+json"),
            (String = "application/rdf+xml"),
        )),
        CatalogueProblems,
    )
)]
#[get("/catalogue")]
pub async fn catalogue(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: QueryParams<CatalogueQuery>,
) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let Representation::Rdf(syntax) = negotiate(accept, &CATALOGUE_REPRESENTATIONS)? else {
        return Err(ApiError::new(
            ErrorCode::NotAcceptable,
            "the catalogue is RDF only",
        ));
    };
    page(state, query.0, syntax).await
}

/// The catalogue in the syntax its extension names: `.ttl`, `.jsonld` or `.rdf`.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "get_catalogue_file",
    params(("format" = String, Path, description = "ttl, jsonld or rdf"), CatalogueQuery),
    responses(
        (status = 200, description = "A page of the catalogue with its Hydra view", content(
            (String = "text/turtle"),
            (String = "application/ld+json"),
            (String = "application/rdf+xml"),
        )),
        CatalogueProblems,
    )
)]
#[get("/catalogue.{format}")]
pub async fn catalogue_file(
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: QueryParams<CatalogueQuery>,
) -> Result<HttpResponse, ApiError> {
    let syntax = RdfSyntax::from_extension(&format).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "the catalogue is available as .ttl, .jsonld and .rdf",
        )
    })?;
    page(state, query.0, syntax).await
}

async fn page(
    state: web::Data<AppState>,
    query: CatalogueQuery,
    syntax: RdfSyntax,
) -> Result<HttpResponse, ApiError> {
    let page_query = hdab_openapi::page::PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let (limit, after) = parse_page(&page_query, |key| DatasetId::parse(key).ok())?;
    let filter = DatasetFilter {
        status: Some("published"),
        modified_since: query.modified_since,
    };
    let (datasets, publishers, next) = state
        .db(move |conn| {
            let page = datasets::list(conn, &filter, after, limit)?;
            let datasets = page
                .items
                .into_iter()
                .map(from_record)
                .collect::<Result<Vec<_>, _>>()?;
            let mut publishers: HashMap<_, Publisher> = HashMap::new();
            for dataset in &datasets {
                let id = dataset.details.publisher_id;
                if let std::collections::hash_map::Entry::Vacant(slot) = publishers.entry(id) {
                    let publisher = hdab_persistence::publishers::find(conn, id)?
                        .ok_or_else(|| ApiError::internal("a dataset's publisher is missing"))?;
                    slot.insert(publisher);
                }
            }
            Ok((datasets, publishers, page.next_after))
        })
        .await?;
    let identity = &state.identity;
    let link = |cursor: Option<&str>| {
        let mut url = format!("{}?limit={limit}", identity.catalogue_iri().as_str());
        if let Some(cursor) = cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        if let Some(since) = query.modified_since {
            url.push_str(&format!(
                "&modified_since={}",
                since
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    .replace('+', "%2B")
            ));
        }
        url
    };
    let next_link = next.as_deref().map(|key| link(Some(&encode_cursor(key))));
    let mut triples = identity.catalogue_header();
    triples.extend(identity.catalogue_links(&datasets));
    triples.extend(identity.page_view(&link(query.cursor.as_deref()), next_link.as_deref()));
    for publisher in publishers.values() {
        triples.extend(identity.publisher_agent(publisher));
    }
    for dataset in &datasets {
        triples.extend(identity.describe(dataset));
    }
    rdf_response(syntax, &triples)
}
