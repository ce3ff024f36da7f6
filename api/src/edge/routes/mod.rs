//! HTTP handlers: parse, authorise, call a use case, respond. Each is registered through
//! utoipa-actix-web, so a route and its OpenAPI operation cannot drift apart.

pub mod applications;
pub mod audit;
pub mod bulk;
pub mod catalogue;
pub mod changes;
pub mod committees;
pub mod datasets;
pub mod harvest;
pub mod jobs;
pub mod permits;
pub mod problems;
pub mod publishers;
pub mod register;
pub mod system;
pub mod webhooks;

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::edge::extract::etag;

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(system::landing)
        .service(system::live)
        .service(system::ready)
        .service(system::metrics)
        .service(system::jwks)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(publishers::create)
                .service(publishers::list)
                .service(publishers::read)
                .service(publishers::replace)
                .service(publishers::delete)
                .service(committees::create)
                .service(committees::list)
                .service(committees::read)
                .service(committees::replace)
                .service(committees::delete)
                .service(catalogue::catalogue)
                .service(catalogue::catalogue_file)
                .service(datasets::search)
                .service(datasets::create)
                // Before `read`: `bulk` is not a dataset id.
                .service(bulk::upsert)
                // Before `read`: its `{id}` would also match `{id}.ttl`.
                .service(datasets::read_file)
                .service(datasets::read)
                .service(datasets::replace)
                .service(datasets::publish)
                .service(datasets::withdraw)
                .service(datasets::confirm)
                .service(audit::list_events)
                .service(audit::verify)
                .service(audit::list_checkpoints)
                .service(audit::create_checkpoint)
                .service(jobs::list)
                .service(jobs::runs)
                .service(applications::create)
                .service(applications::list)
                .service(applications::read)
                .service(applications::replace)
                .service(applications::submit)
                .service(applications::withdraw)
                .service(applications::accept)
                .service(applications::return_to_applicant)
                .service(applications::resubmit)
                .service(applications::comment)
                .service(applications::extend)
                .service(applications::declare_conflict)
                .service(applications::vote)
                .service(applications::decide)
                .service(applications::history)
                .service(permits::list)
                // Before `read` and the commands: a literal segment, not an id.
                .service(permits::verify)
                .service(permits::read)
                .service(permits::suspend)
                .service(permits::reinstate)
                .service(permits::revoke)
                .service(permits::request_extension)
                .service(permits::decide_extension)
                .service(permits::amend)
                .service(permits::close)
                .service(permits::visas)
                .service(permits::optout_check)
                .service(permits::push_opt_outs)
                .service(changes::list)
                .service(harvest::create)
                .service(harvest::list)
                .service(harvest::read)
                .service(harvest::replace)
                .service(harvest::delete)
                .service(harvest::run)
                .service(harvest::runs)
                .service(webhooks::create)
                .service(webhooks::list)
                .service(webhooks::read)
                .service(webhooks::delete)
                .service(webhooks::deliveries)
                .service(webhooks::redeliver)
                .service(register::applications)
                .service(register::permits),
        );
}

/// 201 with `Location` and `ETag`.
pub fn created(location: String, version: i64, body: &impl Serialize) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// 200 with one page of a collection, each item in its wire form.
pub fn page_response<T, V: Serialize>(
    page: hdab_persistence::page::Page<T>,
    view: impl Fn(&T) -> V,
) -> HttpResponse {
    HttpResponse::Ok().json(hdab_openapi::Page {
        items: page.items.iter().map(view).collect::<Vec<_>>(),
        next_cursor: page
            .next_after
            .as_deref()
            .map(crate::edge::extract::encode_cursor),
    })
}

/// An HTTP date (RFC 9110 §5.6.7), for `Last-Modified`.
pub fn http_date(at: chrono::DateTime<chrono::Utc>) -> String {
    header::HttpDate::from(std::time::SystemTime::from(at)).to_string()
}

/// A strong ETag of a body's bytes, for representations without a version of their own:
/// 96 bits of its BLAKE3 hash (a cryptographic hash, so no description can be written to
/// collide with another page's, and 3–4× faster than SHA-256 on a 400 kB catalogue page).
pub fn content_etag(body: &[u8]) -> String {
    let digest = blake3::hash(body);
    let hex: String = digest.as_bytes()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("\"{hex}\"")
}

/// `Vary: Accept` on a response chosen by content negotiation, so caches keep each variant.
pub fn vary_by_accept(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .append(header::VARY, header::HeaderValue::from_static("Accept"));
    response
}

/// 200 with `ETag`.
pub fn versioned(version: i64, body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}
