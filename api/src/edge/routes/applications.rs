//! `/api/v1/applications`: access applications (EHDS Art 67) and data requests (Art 69).
//! Researchers draft, submit, answer and withdraw their own; committee members review the
//! parts of their committees; data holders read the parts holding their datasets; admins see
//! all. Anyone else gets 404: no one learns that another's application exists.

use actix_web::{HttpResponse, get, post, put, web};
use hdab_domain::applications::form::ApplicationForm;
use hdab_domain::applications::{Application, ApplicationStatus, Command};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::ids::{ApplicationId, CommitteeId};
use hdab_openapi::applications::commands::{
    CommentInput, ConflictInput, ExtensionInput, PartDecisionInput, ResubmitInput, ReturnInput,
    VoteInput, WithdrawInput,
};
use hdab_openapi::applications::register::{HistoryEntry, HistoryPage};
use hdab_openapi::applications::{
    ApplicationInput, ApplicationQuery, ApplicationSummary, ApplicationView, optional_text,
    required_text,
};
use hdab_openapi::page::Page;
use hdab_persistence::applications::{ListFilter, Scope};
use serde::Deserialize;
use utoipa::IntoParams;

use super::problems::{
    ApplicationCommandProblems, AuthenticatedListProblems, AuthenticatedReadProblems,
    CreateProblems, HistoryProblems, ReplaceProblems,
};
use super::{created, versioned};
use crate::application::AppError;
use crate::application::applications::{self as usecase, Request};
use crate::edge::auth::{ApplicationParty, Authorized, Researcher};
use crate::edge::error::ApiError;
use crate::edge::extract::{IfMatch, JsonBody, QueryParams, encode_cursor, log_page, parse_page};
use crate::edge::state::AppState;

fn location(id: ApplicationId) -> String {
    format!("/api/v1/applications/{id}")
}

/// The view of `application` for `caller`; the caller acted on it, so may see it.
fn view(
    state: &AppState,
    application: &Application,
    caller: &Principal,
) -> Result<ApplicationView, ApiError> {
    let settings = &state.settings;
    ApplicationView::new(
        application,
        caller,
        &settings.applications.deadlines,
        settings.clock.now(),
    )
    .ok_or_else(|| ApiError::not_found("the application"))
}

/// Start an access application or a data request, as a draft only its author sees.
#[utoipa::path(
    tag = "applications",
    operation_id = "create_application",
    request_body = ApplicationInput,
    security(("bearer" = [])),
    responses((status = 201, body = ApplicationView, headers(("location" = String), ("etag" = String))), CreateProblems)
)]
#[post("/applications")]
pub async fn create(
    state: web::Data<AppState>,
    researcher: Authorized<Researcher>,
    body: JsonBody<ApplicationInput>,
) -> Result<HttpResponse, ApiError> {
    let form = ApplicationForm::try_from(&body.0)?;
    let caller = researcher.principal;
    let (settings, now) = (state.settings.applications, state.now());
    let principal = caller.clone();
    let application = state
        .write(move |conn| usecase::create(conn, &settings, &principal, now, form))
        .await?;
    let body = view(&state, &application, &caller)?;
    Ok(created(
        location(application.id),
        application.version,
        &body,
    ))
}

/// The applications the caller may see: a researcher's own, a committee member's committees'
/// (`awaiting_decision=true` is the review queue), a data holder's publishers', all for admins.
/// A token with several of these roles lists by the first that applies, in that order from
/// admin to researcher.
#[utoipa::path(
    tag = "applications",
    operation_id = "list_applications",
    params(ApplicationQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<ApplicationSummary>), AuthenticatedListProblems)
)]
#[get("/applications")]
pub async fn list(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    query: QueryParams<ApplicationQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page_query = hdab_openapi::page::PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let (limit, after) = parse_page(&page_query, |key| ApplicationId::parse(key).ok())?;
    let status = query
        .status
        .as_deref()
        .map(ApplicationStatus::parse)
        .transpose()
        .map_err(|e| ApiError::invalid_field("status", e.code, e.message))?;
    let caller = party.principal;
    let scope = scope_of(&caller, query.awaiting_decision);
    let filter = ListFilter {
        status: status.map(|s| s.as_str()),
        overdue_at: query.overdue.unwrap_or(false).then(|| state.now()),
    };
    let page = state
        .db(move |conn| {
            Ok(hdab_persistence::applications::list(
                conn, &scope, &filter, after, limit,
            )?)
        })
        .await?;
    let (policy, now) = (&state.settings.applications.deadlines, state.now());
    // Every listed application is in the caller's scope; one they could not see is left out
    // rather than listed empty.
    let items = page
        .items
        .iter()
        .filter_map(|a| ApplicationSummary::new(a, &caller, policy, now))
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: page.next_after.as_deref().map(encode_cursor),
    }))
}

/// Which applications a caller's list covers: admins all; committee members their
/// committees'; data holders their publishers'; researchers their own.
fn scope_of(caller: &Principal, awaiting: Option<bool>) -> Scope {
    if caller.has_role(Role::HdabAdmin) {
        Scope::All
    } else if caller.has_role(Role::DacMember) && !caller.committees.is_empty() {
        Scope::Committees {
            committees: caller.committees.iter().copied().collect(),
            awaiting,
        }
    } else if caller.has_role(Role::DataHolder) && !caller.publishers.is_empty() {
        Scope::Publishers(caller.publishers.iter().copied().collect())
    } else {
        Scope::Applicant(caller.subject.clone())
    }
}

/// Read an application as the caller may see it.
#[utoipa::path(
    tag = "applications",
    operation_id = "get_application",
    params(("id" = Uuid, Path, description = "Application id")),
    security(("bearer" = [])),
    responses((status = 200, body = ApplicationView, headers(("etag" = String))), AuthenticatedReadProblems)
)]
#[get("/applications/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<ApplicationId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let caller = party.principal;
    let principal = caller.clone();
    let (application, _) = state
        .db(move |conn| Ok(usecase::load_visible(conn, &principal, id)?))
        .await?;
    Ok(versioned(
        application.version,
        &view(&state, &application, &caller)?,
    ))
}

/// Replace a draft's (or a returned application's) form.
#[utoipa::path(
    tag = "applications",
    operation_id = "replace_application",
    request_body = ApplicationInput,
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Application id"),
        ("If-Match" = String, Header, description = "The ETag of the version being replaced, e.g. \"3\", or * for any version", pattern = r#"^(\*|(W/)?"[!#-~]*"([ ,]+(W/)?"[!#-~]*")*)$"#),
    ),
    responses((status = 200, body = ApplicationView, headers(("etag" = String))), ReplaceProblems)
)]
#[put("/applications/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<ApplicationId>,
    if_match: IfMatch,
    body: JsonBody<ApplicationInput>,
) -> Result<HttpResponse, ApiError> {
    let form = ApplicationForm::try_from(&body.0)?;
    let request = Request::Command(Command::Replace {
        form: Box::new(form),
        precondition: if_match.0,
    });
    act(state, party.principal, id.into_inner(), request).await
}

/// Carries out `request` and answers with the application as the caller now sees it.
async fn act(
    state: web::Data<AppState>,
    caller: Principal,
    id: ApplicationId,
    request: Request,
) -> Result<HttpResponse, ApiError> {
    let (settings, now) = (state.settings.applications, state.now());
    let principal = caller.clone();
    let application = state
        .write(move |conn| usecase::act(conn, &settings, &principal, now, id, request))
        .await?;
    Ok(versioned(
        application.version,
        &view(&state, &application, &caller)?,
    ))
}

macro_rules! command_route {
    (
        $(#[$doc:meta])* $name:ident, $method:ident, $path:literal, $operation:literal,
        $body:ty, [$($param:tt)*], |$input:ident, $committee:ident| $request:expr
    ) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "applications",
            operation_id = $operation,
            request_body = $body,
            security(("bearer" = [])),
            params(
                ("id" = Uuid, Path, description = "Application id"),
                $($param)*
            ),
            responses((status = 200, body = ApplicationView, headers(("etag" = String))), ApplicationCommandProblems)
        )]
        #[$method($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            party: Authorized<ApplicationParty>,
            path: web::Path<ApplicationPath>,
            body: JsonBody<$body>,
        ) -> Result<HttpResponse, ApiError> {
            let path = path.into_inner();
            let $committee = path.committee_id;
            let $input = body.0;
            let request: Result<Request, ApiError> = $request;
            act(state, party.principal, path.id, request?).await
        }
    };
}

/// The path of an application, and of one committee's part of it.
#[derive(Debug, Deserialize)]
pub struct ApplicationPath {
    id: ApplicationId,
    #[serde(default)]
    committee_id: Option<CommitteeId>,
}

fn committee(id: Option<CommitteeId>) -> Result<CommitteeId, ApiError> {
    id.ok_or_else(|| ApiError::not_found("the committee's part of the application"))
}

/// An empty body for commands that need nothing else.
#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

command_route!(
    /// Submit a draft: the rules of submission are checked (every missing field and broken rule
    /// named at once), each dataset's data-use conditions matched, and the clock started. A
    /// declared prohibited use is refused at once (EHDS Art 54).
    submit, post, "/applications/{id}/submit", "submit_application", NoInput, [],
    |_input, _committee| Ok(Request::Submit)
);

command_route!(
    /// Withdraw the application before a decision.
    withdraw, post, "/applications/{id}/withdraw", "withdraw_application", WithdrawInput, [],
    |input, _committee| Ok(Request::Command(Command::Withdraw { reason: optional_text("reason", input.reason.as_deref())? }))
);

command_route!(
    /// Declare the application complete (within 4 weeks of receipt, EHDS Art 68): the
    /// committees' review and its 3-month clock begin.
    accept, post, "/applications/{id}/accept", "accept_application", NoInput, [],
    |_input, _committee| Ok(Request::Command(Command::Accept))
);

command_route!(
    /// Return the application to the applicant with questions; the clock stops until they
    /// resubmit.
    return_to_applicant, post, "/applications/{id}/return", "return_application", ReturnInput, [],
    |input, _committee| Ok(Request::Command(Command::Return { questions: required_text("questions", &input.questions)? }))
);

command_route!(
    /// Answer the questions of a return (after editing the form if needed) and resubmit.
    resubmit, post, "/applications/{id}/resubmit", "resubmit_application", ResubmitInput, [],
    |input, _committee| Ok(Request::Resubmit { answer: required_text("answer", &input.answer)? })
);

command_route!(
    /// Comment as a reviewer or admin: `internal` for the committee, `public` for the
    /// applicant too.
    comment, post, "/applications/{id}/comments", "comment_application", CommentInput, [],
    |input, _committee| {
        let (committee_id, visibility, text) = input.parse()?;
        Ok(Request::Command(Command::Comment { committee_id, visibility, text }))
    }
);

command_route!(
    /// Extend the decision period once, with a reason given to the applicant (EHDS Art 68).
    extend, post, "/applications/{id}/extension", "extend_application", ExtensionInput, [],
    |input, _committee| Ok(Request::Command(Command::Extend { reason: required_text("reason", &input.reason)? }))
);

command_route!(
    /// Declare a conflict of interest on the application: the member may no longer vote on it.
    declare_conflict, post, "/applications/{id}/parts/{committee_id}/conflicts", "declare_conflict", ConflictInput, [("committee_id" = Uuid, Path, description = "The reviewing committee id")],
    |input, committee_id| Ok(Request::Command(Command::DeclareConflict {
        committee_id: committee(committee_id)?,
        reason: required_text("reason", &input.reason)?,
    }))
);

command_route!(
    /// Vote on the committee's part; `change: true` replaces the caller's earlier vote, which
    /// stays in its history. A member from the applicant organisation, or one who declared a
    /// conflict, cannot vote (403).
    vote, post, "/applications/{id}/parts/{committee_id}/votes", "vote_on_application", VoteInput, [("committee_id" = Uuid, Path, description = "The reviewing committee id")],
    |input, committee_id| {
        let (choice, reason) = input.parse()?;
        Ok(Request::Vote { committee_id: committee(committee_id)?, choice, reason, change: input.change })
    }
);

command_route!(
    /// Record the committee's decision on its part, by its rule and quorum. Approving a dataset
    /// whose data-use match is `deny` needs an override with a justification. When every part
    /// is decided, so is the application: approved, partially approved or refused.
    decide, post, "/applications/{id}/parts/{committee_id}/decision", "decide_application_part", PartDecisionInput, [("committee_id" = Uuid, Path, description = "The reviewing committee id")],
    |input, committee_id| {
        let (outcome, reasons, overrides, fee_estimate) = input.parse()?;
        Ok(Request::DecidePart { committee_id: committee(committee_id)?, outcome, reasons, overrides, fee_estimate })
    }
);

/// Where a history page starts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// The `next_after` of the previous page.
    #[param(minimum = 0)]
    after: Option<i64>,
    /// At most this many (1 to 500; default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The application's recorded changes from the event log, as the caller may see them.
#[utoipa::path(
    tag = "applications",
    operation_id = "get_application_history",
    params(("id" = Uuid, Path, description = "Application id"), HistoryQuery),
    security(("bearer" = [])),
    responses((status = 200, body = HistoryPage), HistoryProblems)
)]
#[get("/applications/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    party: Authorized<ApplicationParty>,
    id: web::Path<ApplicationId>,
    query: QueryParams<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (after, limit) = log_page(query.after, query.limit, 100, 500)?;
    let caller = party.principal;
    let page = state
        .db(move |conn| {
            let (_, visibility) = usecase::load_visible(conn, &caller, id)?;
            Ok::<_, ApiError>(usecase::history(conn, id, &visibility, after, limit)?)
        })
        .await?;
    let items = page
        .events
        .into_iter()
        .map(|(row, event)| {
            Ok(HistoryEntry {
                seq: row.seq,
                occurred_at: row.occurred_at,
                actor: row.actor,
                action: row.action,
                change: serde_json::to_value(&event.change).map_err(AppError::internal)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HttpResponse::Ok().json(HistoryPage {
        items,
        next_after: page.next_after,
    }))
}
