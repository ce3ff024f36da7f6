//! Background jobs on the wire: their schedule and their run log, for HDAB admins.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A scheduled job.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobView {
    #[schema(example = "audit.checkpoint")]
    pub name: String,
    /// When it is next due.
    pub next_run_at: DateTime<Utc>,
    /// The hdab process running it now, if one is.
    pub running_on: Option<String>,
}

/// The scheduled jobs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobList {
    pub items: Vec<JobView>,
}

/// One run of a job.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobRunView {
    pub id: String,
    pub job: String,
    /// The hdab process that ran it.
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    #[schema(example = "succeeded")]
    pub outcome: String,
    /// What the run did, or why it failed.
    pub detail: String,
}

/// A page of job runs, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobRunPage {
    pub items: Vec<JobRunView>,
    /// Pass as `cursor` to fetch older runs; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Which runs to list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobRunQuery {
    /// Only the runs of this job.
    #[param(max_length = 100)]
    pub job: Option<String>,
    /// Runs per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}
