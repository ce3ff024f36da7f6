//! `/api/v1/permits`: data permits (EHDS Art 68). Their holders, authorised persons, the data
//! holders of their datasets, the granting committees and admins read them; anyone else gets
//! 404. The holder asks for the extension, amends the authorised persons and closes out; the
//! committee suspends, revokes and decides the extension; admins suspend and revoke. The
//! principal investigator and each authorised person get their GA4GH visas, which partners
//! verify; data holders check opt-outs as of the grant.

use actix_web::{HttpResponse, get, post, web};
use hdab_domain::auth::Principal;
use hdab_domain::codes;
use hdab_domain::ids::PermitId;
use hdab_domain::permits::optout::MAX_BATCH;
use hdab_domain::permits::{Permit, PermitCommand, PermitStatus};
use hdab_openapi::page::Page;
use hdab_openapi::permits::{
    AmendInput, CloseInput, ExtensionDecisionInput, ExtensionRequestInput, OptOutBatchInput,
    OptOutBatchResult, OptOutCheckInput, OptOutCheckResult, PermitQuery, PermitView, RevokeInput,
    SuspendInput, VerifyInput, VerifyResult, VisaList, VisaView,
};

use super::applications::NoInput;
use super::problems::{
    ApplicationCommandProblems, AuthenticatedListProblems, AuthenticatedReadProblems,
    BatchProblems, VerifyProblems, VisaProblems,
};
use super::versioned;
use crate::application::opt_outs::{self, PushedChoice};
use crate::application::permits as usecase;
use crate::edge::auth::{ApplicationParty, Authorized, OptOutRegistry, VisaVerifier};
use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::extract::{JsonBody, QueryParams, encode_cursor, parse_page};
use crate::edge::state::AppState;

/// The view of `permit` as of now.
fn view(state: &AppState, permit: &Permit) -> PermitView {
    PermitView::new(permit, &state.settings.permits.policy, state.now())
}

/// The permits the caller may see: all for admins; otherwise those they hold or are named
/// in, those of their publishers' datasets and those their committees granted.
#[utoipa::path(
    tag = "permits",
    operation_id = "list_permits",
    params(PermitQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<PermitView>), AuthenticatedListProblems)
)]
#[get("/permits")]
pub async fn list(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    query: QueryParams<PermitQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page_query = hdab_openapi::page::PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let (limit, after) = parse_page(&page_query, |key| PermitId::parse(key).ok())?;
    let status = query
        .status
        .as_deref()
        .map(PermitStatus::parse)
        .transpose()
        .map_err(|e| ApiError::invalid_field("status", e.code, e.message))?;
    let scope = usecase::scope_of(&party.principal);
    let now = state.now();
    let page = state
        .db(move |conn| {
            Ok(hdab_persistence::permits::list(
                conn,
                &scope,
                status.map(|s| (s, now)),
                after,
                limit,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: page.items.iter().map(|p| view(&state, p)).collect(),
        next_cursor: page.next_after.as_deref().map(encode_cursor),
    }))
}

/// Read a permit, with its status as of now (a permit past its end reads as expired).
#[utoipa::path(
    tag = "permits",
    operation_id = "get_permit",
    params(("id" = Uuid, Path, description = "Permit id")),
    security(("bearer" = [])),
    responses((status = 200, body = PermitView, headers(("etag" = String))), AuthenticatedReadProblems)
)]
#[get("/permits/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<PermitId>,
) -> Result<HttpResponse, ApiError> {
    let (id, caller) = (id.into_inner(), party.principal);
    let permit = state
        .db(move |conn| Ok(usecase::load_visible(conn, &caller, id)?))
        .await?;
    Ok(versioned(permit.version, &view(&state, &permit)))
}

/// Carries out `command` and answers with the permit after it.
async fn act(
    state: web::Data<AppState>,
    caller: Principal,
    id: PermitId,
    command: PermitCommand,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let permit = state
        .write(move |conn| usecase::act(conn, &caller, now, id, command))
        .await?;
    Ok(versioned(permit.version, &view(&state, &permit)))
}

macro_rules! permit_command {
    ($(#[$doc:meta])* $name:ident, $path:literal, $operation:literal, $body:ty, |$input:ident| $command:expr) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "permits",
            operation_id = $operation,
            request_body = $body,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Permit id")),
            responses((status = 200, body = PermitView, headers(("etag" = String))), ApplicationCommandProblems)
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            party: Authorized<ApplicationParty>,
            id: web::Path<PermitId>,
            body: JsonBody<$body>,
        ) -> Result<HttpResponse, ApiError> {
            let $input = body.0;
            act(state, party.principal, id.into_inner(), $command).await
        }
    };
}

permit_command!(
    /// Suspend the permit (the committee or an admin), e.g. while an Art 63 procedure runs:
    /// its visas stop verifying at once.
    suspend, "/permits/{id}/suspend", "suspend_permit", SuspendInput,
    |input| PermitCommand::Suspend { reason: input.reason }
);

permit_command!(
    /// Reinstate a suspended permit (the committee or an admin).
    reinstate, "/permits/{id}/reinstate", "reinstate_permit", NoInput,
    |_input| PermitCommand::Reinstate
);

permit_command!(
    /// Revoke the permit (EHDS Art 63; the committee or an admin) with its reason and the
    /// notice given to the user: its visas stop verifying at once.
    revoke, "/permits/{id}/revoke", "revoke_permit", RevokeInput,
    |input| PermitCommand::Revoke { reason: input.reason, notice: input.notice }
);

permit_command!(
    /// Ask for the one extension (the holder, before the end), by at most the permit's own
    /// length; a second request is refused (409).
    request_extension, "/permits/{id}/extension", "request_permit_extension", ExtensionRequestInput,
    |input| PermitCommand::RequestExtension { months: input.months, reason: input.reason }
);

permit_command!(
    /// Decide the extension asked for (the granting committee).
    decide_extension, "/permits/{id}/extension/decision", "decide_permit_extension", ExtensionDecisionInput,
    |input| PermitCommand::DecideExtension { grant: input.grant }
);

permit_command!(
    /// Close out the permit with the link to its published results (EHDS Art 61; the holder).
    close, "/permits/{id}/close", "close_permit", CloseInput,
    |input| PermitCommand::Close { results_link: input.results_link }
);

/// Add or remove authorised persons (the holder, the committee or an admin): a new version
/// of the permit, kept in its amendment history. A removed person's visas stop verifying.
#[utoipa::path(
    tag = "permits",
    operation_id = "amend_permit",
    request_body = AmendInput,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Permit id")),
    responses((status = 200, body = PermitView, headers(("etag" = String))), ApplicationCommandProblems)
)]
#[post("/permits/{id}/amendments")]
pub async fn amend(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<PermitId>,
    body: JsonBody<AmendInput>,
) -> Result<HttpResponse, ApiError> {
    let (add, remove) = body.0.parse()?;
    let command = PermitCommand::Amend { add, remove };
    act(state, party.principal, id.into_inner(), command).await
}

/// The caller's GA4GH Passport visas for the permit, one per dataset (ES256, `jku` →
/// `/.well-known/jwks.json`), living the configured visa lifetime and never past the
/// permit's end. Only for the principal investigator and the authorised persons (403 for
/// the permit's other parties), only while the permit is active (409 otherwise).
#[utoipa::path(
    tag = "permits",
    operation_id = "get_permit_visas",
    params(("id" = Uuid, Path, description = "Permit id")),
    security(("bearer" = [])),
    responses((status = 200, body = VisaList), VisaProblems)
)]
#[get("/permits/{id}/visas")]
pub async fn visas(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<PermitId>,
) -> Result<HttpResponse, ApiError> {
    let (id, caller) = (id.into_inner(), party.principal);
    let subject = caller.subject.as_str().to_owned();
    if state.permit_keys.current().is_none() {
        // The first visa ever asked for creates the first signing key; the write catches the
        // followers up, which load it.
        let (keys, now) = (std::sync::Arc::clone(&state.permit_keys), state.now());
        state
            .write(move |conn| {
                hdab_persistence::events::write(conn, |tx| keys.ensure_current_in(tx, now))
            })
            .await?;
    }
    let (keys, settings, now) = (
        std::sync::Arc::clone(&state.permit_keys),
        state.settings.permits,
        state.now(),
    );
    let public_url = state.settings.public_url.clone();
    let visas = state
        .db(move |conn| {
            Ok(usecase::visas(
                conn,
                &keys,
                &settings,
                &public_url,
                &caller,
                id,
                now,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(VisaList {
        permit_id: id.as_uuid(),
        subject,
        visas: visas
            .into_iter()
            .map(|v| VisaView {
                dataset_id: v.dataset_id.as_uuid(),
                dataset_iri: v.dataset_iri,
                visa: v.jwt,
                expires_at: v.expires_at,
            })
            .collect(),
    }))
}

/// Verify a visa (partners, data holders, secure processing environments): `valid`, or
/// `invalid` with the reason — `expired`, `revoked`, `suspended`, `bad_signature`,
/// `unknown_permit`, `malformed`. Anything sent as the visa gets an answer, never an error.
/// Answered from memory, so a revocation takes effect at once.
#[utoipa::path(
    tag = "permits",
    operation_id = "verify_visa",
    request_body = VerifyInput,
    security(("bearer" = [])),
    responses((status = 200, body = VerifyResult), VerifyProblems)
)]
#[post("/permits/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    _verifier: Authorized<VisaVerifier>,
    body: JsonBody<VerifyInput>,
) -> HttpResponse {
    let verdict = state.permit_grants.verify(&body.0.visa, state.now());
    let claims = verdict.claims.as_ref();
    HttpResponse::Ok().json(VerifyResult {
        valid: verdict.outcome.is_ok(),
        reason: verdict.outcome.err().map(|r| r.as_str().to_owned()),
        permit_id: claims.map(|c| c.hdab_permit_id.as_uuid()),
        subject: claims.map(|c| c.sub.clone()),
        dataset_id: claims.map(|c| c.hdab_dataset_id.as_uuid()),
        permit_status: verdict.permit_status.map(|s| s.as_str().to_owned()),
        expires_at: claims.and_then(|c| chrono::DateTime::from_timestamp(c.exp, 0)),
    })
}

/// Refuses a call carrying more than [`MAX_BATCH`] items, before any is looked at.
fn within_batch(field: &str, items: usize) -> Result<(), ApiError> {
    if items > MAX_BATCH {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("{field} holds {items} items; one call takes at most {MAX_BATCH}"),
        )
        .with_code(codes::BATCH_TOO_LARGE));
    }
    Ok(())
}

/// Which of the data holder's pseudonyms must be left out of the data for this permit (EHDS
/// Art 71): those of persons who had opted out at the permit's grant time and not withdrawn
/// by then. Up to 10,000 pseudonyms a call (413 above). Only for data holders of the
/// permit's datasets while it is active. Recorded as an event with counts only.
#[utoipa::path(
    tag = "permits",
    operation_id = "check_permit_opt_outs",
    request_body = OptOutCheckInput,
    params(("id" = Uuid, Path, description = "Permit id")),
    security(("bearer" = [])),
    responses((status = 200, body = OptOutCheckResult), ApplicationCommandProblems)
)]
#[post("/permits/{id}/optout-check")]
pub async fn optout_check(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<PermitId>,
    body: JsonBody<OptOutCheckInput>,
) -> Result<HttpResponse, ApiError> {
    let pseudonyms = body.0.pseudonyms;
    within_batch("pseudonyms", pseudonyms.len())?;
    let (id, caller, now) = (id.into_inner(), party.principal, state.now());
    let (hasher, settings) = (
        std::sync::Arc::clone(&state.opt_out_hasher),
        state.settings.permits,
    );
    let checked = u32::try_from(pseudonyms.len()).unwrap_or(u32::MAX);
    let outcome = state
        .write(move |conn| opt_outs::check(conn, &hasher, &settings, &caller, id, &pseudonyms, now))
        .await?;
    Ok(HttpResponse::Ok().json(OptOutCheckResult {
        permit_id: id.as_uuid(),
        granted_at: outcome.granted_at,
        checked,
        excluded: outcome.excluded,
        exception_applied: outcome.exception_applied,
    }))
}

/// Push opt-outs and their withdrawals (the opt-out registry, EHDS Art 71), up to 10,000 a
/// call (413 above). Only a keyed hash of each pseudonym is stored; a choice pushed again is
/// recorded once.
#[utoipa::path(
    tag = "permits",
    operation_id = "push_opt_outs",
    request_body = OptOutBatchInput,
    security(("bearer" = [])),
    responses((status = 200, body = OptOutBatchResult), BatchProblems)
)]
#[post("/optouts")]
pub async fn push_opt_outs(
    state: web::Data<AppState>,
    registry: Authorized<OptOutRegistry>,
    body: JsonBody<OptOutBatchInput>,
) -> Result<HttpResponse, ApiError> {
    let records = body.0.records;
    within_batch("records", records.len())?;
    let received = u32::try_from(records.len()).unwrap_or(u32::MAX);
    let choices: Vec<PushedChoice> = records
        .into_iter()
        .map(|r| PushedChoice {
            pseudonym: r.pseudonym,
            at: r.at,
            withdrawn: r.withdrawn,
        })
        .collect();
    let (hasher, caller, now) = (
        std::sync::Arc::clone(&state.opt_out_hasher),
        registry.principal,
        state.now(),
    );
    let batch = state
        .write(move |conn| opt_outs::record_choices(conn, &hasher, &caller, &choices, now))
        .await?;
    Ok(HttpResponse::Ok().json(OptOutBatchResult {
        received,
        opt_outs: batch.opt_outs,
        withdrawals: batch.withdrawals,
        unchanged: batch.unchanged,
    }))
}
