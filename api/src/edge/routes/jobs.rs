//! `/api/v1/jobs`: the background jobs' schedule and run log, for HDAB admins.

use actix_web::{HttpResponse, get, web};
use hdab_openapi::jobs::{JobList, JobRunPage, JobRunQuery, JobRunView, JobView};
use hdab_openapi::page::PageQuery;
use hdab_persistence::jobs;

use super::problems::AdminReadProblems;
use crate::edge::auth::{AdminOnly, Authorized};
use crate::edge::error::ApiError;
use crate::edge::extract::{QueryParams, encode_cursor, parse_page};
use crate::edge::state::AppState;

/// The scheduled jobs: when each is next due, and which process runs it now.
#[utoipa::path(
    tag = "jobs",
    operation_id = "list_jobs",
    security(("bearer" = [])),
    responses((status = 200, body = JobList), AdminReadProblems)
)]
#[get("/jobs")]
pub async fn list(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
) -> Result<HttpResponse, ApiError> {
    let jobs = state.db(|conn| Ok(jobs::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(JobList {
        items: jobs
            .into_iter()
            .map(|job| JobView {
                name: job.name,
                next_run_at: job.next_run_at,
                running_on: job.running_on,
            })
            .collect(),
    }))
}

/// The longest job name a filter may give (the documented `maxLength`).
const MAX_JOB_NAME: usize = 100;

/// The runs of the background jobs, newest first: which process ran what, when, and how it
/// went.
#[utoipa::path(
    tag = "jobs",
    operation_id = "list_job_runs",
    params(JobRunQuery),
    security(("bearer" = [])),
    responses((status = 200, body = JobRunPage), AdminReadProblems)
)]
#[get("/jobs/runs")]
pub async fn runs(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    query: QueryParams<JobRunQuery>,
) -> Result<HttpResponse, ApiError> {
    let page_query = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let (limit, before) = parse_page(&page_query, |key| Some(key.to_owned()))?;
    let job = query.job.clone();
    if job
        .as_ref()
        .is_some_and(|name| name.chars().count() > MAX_JOB_NAME)
    {
        return Err(ApiError::invalid_field(
            "job",
            hdab_domain::codes::TOO_LONG,
            format!("must be at most {MAX_JOB_NAME} characters"),
        ));
    }
    let page = state
        .db(move |conn| Ok(jobs::runs(conn, job.as_deref(), before.as_deref(), limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(JobRunPage {
        items: page
            .items
            .into_iter()
            .map(|run| JobRunView {
                id: run.id,
                job: run.job,
                instance: run.instance,
                started_at: run.started_at,
                finished_at: run.finished_at,
                outcome: if run.succeeded { "succeeded" } else { "failed" }.to_owned(),
                detail: run.detail,
            })
            .collect(),
        next_cursor: page.next_after.as_deref().map(encode_cursor),
    }))
}
