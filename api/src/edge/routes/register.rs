//! `/api/v1/register/applications`: the public transparency register (EHDS Arts 57(1)(j) and
//! 58). Every application and data request from its receipt, and every decision with its
//! reasons, refusals included; organisations, never natural persons. No authentication.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use hdab_domain::applications::register::RegisterEntry;
use hdab_domain::ids::ApplicationId;
use hdab_openapi::applications::register::{RegisterEntryView, RegisterPage};
use hdab_openapi::page::PageQuery;
use hdab_persistence::applications::RegisterKey;

use super::problems::RegisterProblems;
use super::vary_by_accept;
use crate::edge::auth::Caller;
use crate::edge::error::ApiError;
use crate::edge::extract::{QueryParams, encode_cursor, parse_page};
use crate::edge::negotiate::{REGISTER_REPRESENTATIONS, Representation, negotiate};
use crate::edge::state::AppState;

/// The register's columns in CSV, in order.
const CSV_COLUMNS: [&str; 13] = [
    "application_id",
    "kind",
    "received_at",
    "organisation",
    "organisation_type",
    "country",
    "purpose",
    "research_kind",
    "dataset_ids",
    "status",
    "decided_at",
    "decision_reasons",
    "approved_dataset_ids",
];

/// The public register of applications and data requests, newest receipt first, as JSON or
/// CSV (`Accept: text/csv`; the next page is in the `Link` header).
#[utoipa::path(
    tag = "transparency",
    operation_id = "list_register_applications",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of the register", content(
            (RegisterPage = "application/json"),
            (String = "text/csv"),
        )),
        RegisterProblems,
    )
)]
#[get("/register/applications")]
pub async fn applications(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let representation = negotiate(accept, &REGISTER_REPRESENTATIONS)?;
    let (limit, before) = parse_page(&query, parse_key)?;
    let (entries, next) = state
        .db(move |conn| {
            Ok(hdab_persistence::applications::register(
                conn,
                before.as_ref(),
                limit,
            )?)
        })
        .await?;
    let next_cursor = next.map(|key| encode_cursor(&format_key(&key)));
    let response = match representation {
        Representation::Csv => csv_response(&entries, next_cursor.as_deref(), limit)?,
        _ => HttpResponse::Ok().json(RegisterPage {
            items: entries.iter().map(RegisterEntryView::from).collect(),
            next_cursor,
        }),
    };
    Ok(vary_by_accept(response))
}

/// A register cursor's key: the receipt time and the id, `2026-12-03T10:00:00.000000Z|<id>`.
fn format_key(key: &RegisterKey) -> String {
    format!(
        "{}|{}",
        key.received_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        key.id
    )
}

fn parse_key(text: &str) -> Option<RegisterKey> {
    let (at, id) = text.split_once('|')?;
    Some(RegisterKey {
        received_at: DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id: ApplicationId::parse(id).ok()?,
    })
}

fn csv_response(
    entries: &[RegisterEntry],
    next_cursor: Option<&str>,
    limit: usize,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(CSV_COLUMNS)
        .map_err(ApiError::internal)?;
    for entry in entries {
        writer
            .write_record(csv_row(entry))
            .map_err(ApiError::internal)?;
    }
    let body = writer.into_inner().map_err(ApiError::internal)?;
    let mut response = HttpResponse::Ok();
    response.content_type("text/csv; charset=utf-8");
    if let Some(cursor) = next_cursor {
        response.insert_header((
            header::LINK,
            format!("</api/v1/register/applications?limit={limit}&cursor={cursor}>; rel=\"next\""),
        ));
    }
    Ok(response.body(body))
}

fn csv_row(entry: &RegisterEntry) -> [String; 13] {
    let ids = |ids: &[hdab_domain::ids::DatasetId]| {
        ids.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let organisation = entry.organisation.as_ref();
    [
        entry.application_id.to_string(),
        entry.kind.as_str().to_owned(),
        entry
            .received_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        organisation
            .map(|o| o.name.as_str().to_owned())
            .unwrap_or_default(),
        organisation
            .map(|o| o.organisation_type.as_str().to_owned())
            .unwrap_or_default(),
        organisation
            .map(|o| o.country.to_string())
            .unwrap_or_default(),
        entry
            .purpose
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        entry
            .research_kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        ids(&entry.dataset_ids),
        entry.status.as_str().to_owned(),
        entry
            .decided_at
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
        entry.decision_reasons.clone().unwrap_or_default(),
        ids(&entry.approved_dataset_ids),
    ]
}
