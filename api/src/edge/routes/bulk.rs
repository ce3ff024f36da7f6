//! `POST /api/v1/datasets/bulk`: data holders and partner systems push up to 1,000 published
//! descriptions a call (a JSON array, or NDJSON), keyed by (publisher, the dataset's own
//! identifier), and withdraw by the same key. One result per item; an invalid item is
//! reported with the problem a single call would have had and never blocks the others.

use actix_web::{HttpResponse, post, web};
use hdab_domain::catalogue::DatasetDetails;
use hdab_domain::codes;
use hdab_domain::ids::PublisherId;
use hdab_openapi::catalogue::DatasetInput;
use hdab_openapi::catalogue::bulk::{BulkItemInput, BulkItemResult, BulkResult, BulkWithdrawal};
use serde_json::value::RawValue;

use super::problems::BatchProblems;
use crate::application::bulk::{self as usecase, BulkItem, BulkOutcome};
use crate::edge::auth::{Authorized, CatalogueFeeder};
use crate::edge::error::ApiError;
use crate::edge::extract::{BulkItems, parse_json};
use crate::edge::state::AppState;

/// Push up to 1,000 dataset descriptions (`application/json`: an array; or
/// `application/x-ndjson`: one per line), each published: `created`, `updated` (the publisher
/// has a dataset with that identifier) or `unchanged` (the same description again: no new
/// version, no event); `{"publisher_id", "identifier", "withdraw": true}` withdraws. Every
/// item gets its result, in order; a `rejected` one carries its problem. More than 1,000
/// items: 413, and nothing is written.
#[utoipa::path(
    tag = "partners",
    operation_id = "bulk_upsert_datasets",
    request_body(content = Vec<BulkItemInput>, content_type = "application/json"),
    security(("bearer" = [])),
    responses((status = 200, body = BulkResult), BatchProblems)
)]
#[post("/datasets/bulk")]
pub async fn upsert(
    state: web::Data<AppState>,
    feeder: Authorized<CatalogueFeeder>,
    items: BulkItems,
) -> Result<HttpResponse, ApiError> {
    // The items read go to the use case; each unreadable one keeps its place and its problem.
    let mut accepted = Vec::new();
    let read: Vec<Result<(), ApiError>> = read_all(items.0)
        .await?
        .into_iter()
        .map(|item| item.map(|item| accepted.push(item)))
        .collect();
    let (caller, now) = (feeder.principal, state.now());
    let mut outcomes = state
        .write(move |conn| usecase::upsert(conn, &caller, now, accepted))
        .await?
        .into_iter();
    let items = read
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Ok(_) => outcomes
                .next()
                .map(|outcome| item_result(index, outcome))
                .ok_or_else(|| ApiError::internal("an item has no outcome")),
            Err(refused) => Ok(rejected(index, &refused)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let count = |outcome: &str| items.iter().filter(|i| i.outcome == outcome).count();
    Ok(HttpResponse::Ok().json(BulkResult {
        created: count("created"),
        updated: count("updated"),
        unchanged: count("unchanged"),
        withdrawn: count("withdrawn"),
        rejected: count("rejected"),
        items,
    }))
}

fn item_result(index: usize, outcome: BulkOutcome) -> BulkItemResult {
    let (name, id) = match outcome {
        BulkOutcome::Created(id) => ("created", id),
        BulkOutcome::Updated(id) => ("updated", id),
        BulkOutcome::Unchanged(id) => ("unchanged", id),
        BulkOutcome::Withdrawn(id) => ("withdrawn", id),
        BulkOutcome::Rejected(refused) => return rejected(index, &ApiError::from(refused)),
    };
    BulkItemResult {
        index,
        outcome: name.to_owned(),
        id: Some(id.as_uuid()),
        problem: None,
    }
}

fn rejected(index: usize, refused: &ApiError) -> BulkItemResult {
    BulkItemResult {
        index,
        outcome: "rejected".to_owned(),
        id: None,
        problem: Some(refused.problem()),
    }
}

/// Every item read, in order. Reading 1,000 descriptions takes tens of milliseconds and needs
/// nothing but the items, so they are read on the blocking pool, a share per core at once,
/// rather than on the async worker, where they would hold up every other request it serves.
async fn read_all(raw: Vec<Box<RawValue>>) -> Result<Vec<Result<BulkItem, ApiError>>, ApiError> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let share = raw.len().div_ceil(cores).max(1);
    let mut raw = raw.into_iter();
    // `web::block` starts each share at once; awaiting them in turn keeps the order.
    let mut reading = Vec::with_capacity(cores);
    loop {
        let items: Vec<Box<RawValue>> = raw.by_ref().take(share).collect();
        if items.is_empty() {
            break;
        }
        reading.push(web::block(move || {
            items.iter().map(|item| read_item(item)).collect::<Vec<_>>()
        }));
    }
    let mut read = Vec::new();
    for share in reading {
        read.extend(share.await.map_err(ApiError::internal)?);
    }
    Ok(read)
}

/// One item read: a withdrawal when it says `withdraw`, otherwise a description, checked
/// field by field as a single create would check it.
fn read_item(raw: &RawValue) -> Result<BulkItem, ApiError> {
    let text = raw.get().as_bytes();
    if names_withdraw(raw) {
        let withdrawal: BulkWithdrawal = parse_json(text)?;
        if !withdrawal.withdraw {
            return Err(ApiError::invalid_field(
                "withdraw",
                codes::OUT_OF_RANGE,
                "must be true; to publish, send the description",
            ));
        }
        return Ok(BulkItem::Withdraw {
            publisher_id: PublisherId::from_uuid(withdrawal.publisher_id),
            identifier: withdrawal.identifier,
        });
    }
    let input: DatasetInput = parse_json(text)?;
    Ok(BulkItem::Upsert(Box::new(DatasetDetails::try_from(
        &input,
    )?)))
}

/// Whether the item is an object with a `withdraw` member, found without building the rest of
/// it (a description is ~2 KB of nested values; building it twice cost a third of reading).
fn names_withdraw(raw: &RawValue) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        withdraw: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(raw.get()).is_ok_and(|probe| probe.withdraw.is_some())
}
