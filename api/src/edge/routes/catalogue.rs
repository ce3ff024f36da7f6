//! `/api/v1/catalogue`: the `dcat:Catalog` of published datasets as HealthDCAT-AP RDF, paged
//! with Hydra, for the EU central catalogue and other harvesters.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use hdab_domain::ids::DatasetId;
use hdab_openapi::catalogue::JsonLdDocument;
use hdab_persistence::datasets::{self, DatasetFilter, DatasetRecord};
use hdab_persistence::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::datasets::rdf_response;
use super::problems::CatalogueProblems;
use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::extract::{QueryParams, encode_cursor, parse_page};
use crate::edge::negotiate::{CATALOGUE_REPRESENTATIONS, Representation, negotiate};
use crate::edge::state::AppState;
use crate::projections::published::{Publishers, read_or_skip};
use crate::projections::rdf::{PageLinks, RdfSyntax, Triples};

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
        (status = 200, description = "A page of the catalogue with its Hydra view", headers(("etag" = String), ("last-modified" = String)), content(
            (String = "text/turtle"),
            (JsonLdDocument = "application/ld+json"),
            (String = "application/rdf+xml"),
        )),
        (status = 304, description = "Not modified since the copy the validators name"),
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
    let mut response = page(state, query.0, syntax).await?;
    response
        .headers_mut()
        .append(header::VARY, header::HeaderValue::from_static("Accept"));
    Ok(response)
}

/// The catalogue in the syntax its extension names: `.ttl`, `.jsonld` or `.rdf`.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "get_catalogue_file",
    params(("format" = String, Path, description = "ttl, jsonld or rdf"), CatalogueQuery),
    responses(
        (status = 200, description = "A page of the catalogue with its Hydra view", headers(("etag" = String), ("last-modified" = String)), content(
            (String = "text/turtle"),
            (JsonLdDocument = "application/ld+json"),
            (String = "application/rdf+xml"),
        )),
        (status = 304, description = "Not modified since the copy the validators name"),
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

/// A page ends early once its descriptions reach this many bytes of stored JSON (the RDF is a
/// few times larger), so one answer stays bounded however large each description is; `limit`
/// bounds the count, this the size. A page always holds at least one dataset.
const PAGE_BUDGET_BYTES: usize = 4 * 1024 * 1024;

/// Cuts `page` after the dataset that reaches the byte budget; the next page starts there.
fn within_budget(mut page: Page<DatasetRecord>) -> Page<DatasetRecord> {
    let mut used = 0;
    let keep = page
        .items
        .iter()
        .position(|record| {
            used += record.document.len();
            used >= PAGE_BUDGET_BYTES
        })
        .map_or(page.items.len(), |last| last + 1);
    if keep < page.items.len() {
        page.items.truncate(keep);
        page.next_after = page.items.last().map(|record| record.id.to_string());
    }
    page
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
    let published_count = Arc::clone(&state.published_count);
    let (datasets, publishers, next, total, changed) = state
        .db(move |conn| {
            let total = match filter.modified_since {
                None => published_count.read(conn)?,
                Some(_) => datasets::count(conn, &filter)?,
            };
            let changed = datasets::last_catalogue_change(conn)?;
            let page = within_budget(datasets::list(conn, &filter, after, limit)?);
            let datasets: Vec<_> = page.items.into_iter().filter_map(read_or_skip).collect();
            let publishers = Publishers::of_datasets(conn, &datasets)?;
            Ok((datasets, publishers, page.next_after, total, changed))
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
    let (this_link, first_link) = (link(query.cursor.as_deref()), link(None));
    let mut triples = Triples::default();
    identity.catalogue_header(&mut triples);
    let links = PageLinks {
        this: &this_link,
        first: &first_link,
        next: next_link.as_deref(),
        total_items: total,
    };
    identity.page_view(&links, &mut triples);
    identity.catalogue_page(&datasets, publishers.iter(), &mut triples);
    let changed = changed.map_or(identity.configured_at, |at| at.max(identity.configured_at));
    rdf_response(syntax, &triples, changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdab_domain::ids::{CommitteeId, PublisherId};

    fn record(bytes: usize) -> DatasetRecord {
        let now = chrono::Utc::now();
        DatasetRecord {
            id: DatasetId::generate(),
            publisher_id: PublisherId::generate(),
            committee_id: CommitteeId::generate(),
            identifier: "X".into(),
            status: "published".into(),
            access_rights: "PUBLIC".into(),
            document: "x".repeat(bytes),
            version: 1,
            created_at: now,
            modified_at: now,
            issued_at: Some(now),
            confirmed_at: now,
        }
    }

    #[test]
    fn a_page_of_large_descriptions_ends_at_the_byte_budget() {
        let records: Vec<_> = (0..10).map(|_| record(1024 * 1024)).collect();
        let ids: Vec<_> = records.iter().map(|r| r.id).collect();
        let page = within_budget(Page {
            items: records,
            next_after: None,
        });
        assert_eq!(page.items.len(), 4, "4 MiB of descriptions");
        assert_eq!(page.next_after, Some(ids[3].to_string()));
    }

    #[test]
    fn small_descriptions_fill_the_page_and_one_huge_one_still_fits() {
        let page = within_budget(Page {
            items: (0..100).map(|_| record(10_000)).collect(),
            next_after: Some("next".into()),
        });
        assert_eq!(page.items.len(), 100);
        assert_eq!(page.next_after.as_deref(), Some("next"));
        let page = within_budget(Page {
            items: vec![record(PAGE_BUDGET_BYTES * 2), record(10)],
            next_after: None,
        });
        assert_eq!(page.items.len(), 1);
    }
}
