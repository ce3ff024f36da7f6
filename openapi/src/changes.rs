//! The change feed on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Where a page of the feed starts, what it holds, and how long to wait for news.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// Events after this sequence number (the `next_after` of the previous page; 0 from the
    /// start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many events are read (1 to 1000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Comma-separated actions (`dataset.published`) or entity types (`dataset`); all when
    /// absent.
    #[param(example = "dataset,publisher.updated")]
    pub types: Option<String>,
    /// Seconds to wait for an event when there is none yet (0 to 30; default 0).
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u64>,
}

/// One event as the log recorded it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeEvent {
    /// Its position in the log: continue after the last one seen.
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    #[schema(example = "dataset.published")]
    pub action: String,
    #[schema(example = "dataset")]
    pub entity_type: String,
    pub entity_id: String,
    /// The state after the change, as recorded: `{"v": 1, "data": ...}`.
    #[schema(value_type = Object)]
    pub payload: Box<RawValue>,
}

/// A page of the feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangesPage {
    /// The events the caller may see, oldest first.
    pub items: Vec<ChangeEvent>,
    /// Pass as `after` for the next page: the last event read, shown or not.
    pub next_after: i64,
}
