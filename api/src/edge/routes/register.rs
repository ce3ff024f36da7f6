//! `/api/v1/register`: the public transparency registers (EHDS Arts 57(1)(j) and 58). Every
//! application and data request from its receipt, every decision with its reasons, refusals
//! included, and every permit; organisations, never natural persons. No authentication.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use hdab_domain::applications::register::RegisterEntry;
use hdab_domain::ids::{ApplicationId, DatasetId, PermitId};
use hdab_domain::permits::PermitRegisterEntry;
use hdab_openapi::applications::register::{RegisterEntryView, RegisterPage};
use hdab_openapi::page::PageQuery;
use hdab_openapi::permits::{PermitRegisterEntryView, PermitRegisterPage};
use hdab_persistence::page::TimeKey;

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
    let representation = representation_of(&req)?;
    let (limit, before) = parse_page(&query, |key| parse_key(key, ApplicationId::parse))?;
    let (entries, next) = state
        .db(move |conn| {
            Ok(hdab_persistence::applications::register(
                conn,
                before.as_ref(),
                limit,
            )?)
        })
        .await?;
    let page = RegisterTable {
        path: "/api/v1/register/applications",
        columns: &CSV_COLUMNS,
        row: csv_row,
        limit,
        next_cursor: next.map(|key| encode_cursor(&format_key(&key))),
    };
    page.respond(representation, &entries, |e| RegisterEntryView::from(e))
}

fn representation_of(req: &HttpRequest) -> Result<Representation, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    negotiate(accept, &REGISTER_REPRESENTATIONS)
}

/// A register cursor's key: the time and the id, `2026-12-03T10:00:00.000000Z|<id>`.
fn format_key<Id: std::fmt::Display>(key: &TimeKey<Id>) -> String {
    format!(
        "{}|{}",
        key.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        key.id
    )
}

fn parse_key<Id, E>(text: &str, parse_id: impl Fn(&str) -> Result<Id, E>) -> Option<TimeKey<Id>> {
    let (at, id) = text.split_once('|')?;
    Some(TimeKey {
        at: DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id: parse_id(id).ok()?,
    })
}

/// One page of a register and how it is written: as JSON (`items`, `next_cursor`) or as CSV
/// (a header row, one row per entry, the next page in `Link`), with `Vary: Accept`.
struct RegisterTable<E, const N: usize> {
    path: &'static str,
    columns: &'static [&'static str; N],
    row: fn(&E) -> [String; N],
    limit: usize,
    next_cursor: Option<String>,
}

/// The JSON shape of a register page ([`RegisterPage`] and [`PermitRegisterPage`] in the
/// document).
#[derive(serde::Serialize)]
struct JsonPage<V> {
    items: Vec<V>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<E, const N: usize> RegisterTable<E, N> {
    fn respond<V: serde::Serialize>(
        self,
        representation: Representation,
        entries: &[E],
        view: impl Fn(&E) -> V,
    ) -> Result<HttpResponse, ApiError> {
        let response = match representation {
            Representation::Csv => self.csv(entries)?,
            _ => HttpResponse::Ok().json(JsonPage {
                items: entries.iter().map(view).collect(),
                next_cursor: self.next_cursor,
            }),
        };
        Ok(vary_by_accept(response))
    }

    fn csv(&self, entries: &[E]) -> Result<HttpResponse, ApiError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(self.columns)
            .map_err(ApiError::internal)?;
        for entry in entries {
            writer
                .write_record((self.row)(entry))
                .map_err(ApiError::internal)?;
        }
        let body = writer.into_inner().map_err(ApiError::internal)?;
        let mut response = HttpResponse::Ok();
        response.content_type("text/csv; charset=utf-8");
        if let Some(cursor) = &self.next_cursor {
            let (path, limit) = (self.path, self.limit);
            response.insert_header((
                header::LINK,
                format!("<{path}?limit={limit}&cursor={cursor}>; rel=\"next\""),
            ));
        }
        Ok(response.body(body))
    }
}

fn csv_row(entry: &RegisterEntry) -> [String; 13] {
    let ids = dataset_ids;
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

/// The register of permits' columns in CSV, in order.
const PERMIT_CSV_COLUMNS: [&str; 11] = [
    "permit_id",
    "organisation",
    "organisation_type",
    "country",
    "purpose",
    "research_kind",
    "dataset_ids",
    "valid_from",
    "valid_until",
    "status",
    "results_link",
];

/// The public register of data permits (EHDS Arts 57(1)(j)(iii), 58(1)(f),(g)): who was
/// granted access to which datasets, for which purpose, until when, with the status as of now
/// and the results link; organisations, never natural persons. Newest issuance first, as JSON
/// or CSV (`Accept: text/csv`; the next page is in the `Link` header).
#[utoipa::path(
    tag = "transparency",
    operation_id = "list_register_permits",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of the register of permits", content(
            (PermitRegisterPage = "application/json"),
            (String = "text/csv"),
        )),
        RegisterProblems,
    )
)]
#[get("/register/permits")]
pub async fn permits(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: Caller,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = representation_of(&req)?;
    let (limit, before) = parse_page(&query, |key| parse_key(key, PermitId::parse))?;
    let (permits, next) = state
        .db(move |conn| {
            Ok(hdab_persistence::permits::register(
                conn,
                before.as_ref(),
                limit,
            )?)
        })
        .await?;
    let now = state.now();
    let entries: Vec<PermitRegisterEntry> = permits.iter().map(|p| p.register_entry(now)).collect();
    let page = RegisterTable {
        path: "/api/v1/register/permits",
        columns: &PERMIT_CSV_COLUMNS,
        row: permit_csv_row,
        limit,
        next_cursor: next.map(|key| encode_cursor(&format_key(&key))),
    };
    page.respond(representation, &entries, |e| {
        PermitRegisterEntryView::from(e)
    })
}

fn permit_csv_row(entry: &PermitRegisterEntry) -> [String; 11] {
    let time = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    [
        entry.permit_id.to_string(),
        entry.organisation.name.as_str().to_owned(),
        entry.organisation.organisation_type.as_str().to_owned(),
        entry.organisation.country.to_string(),
        entry.purpose.as_str().to_owned(),
        entry
            .research_kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        dataset_ids(&entry.dataset_ids),
        time(entry.valid_from),
        time(entry.valid_until),
        entry.status.as_str().to_owned(),
        entry.results_link.clone().unwrap_or_default(),
    ]
}

/// Dataset ids in one CSV cell, separated by spaces.
fn dataset_ids(ids: &[DatasetId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}
