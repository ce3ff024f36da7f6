//! An `hdab` run: another hdab followed through its change feed from where the last run
//! stopped; each changed dataset read as JSON (several at once); the position moves only past
//! what was applied.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use hdab_domain::harvest::{HarvestRun, RunOutcome};
use hdab_openapi::catalogue::DatasetView;
use hdab_persistence::harvest::SourceState;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use super::{RunContext, describe, page_error, validated, with_accept};
use crate::application::AppError;
use crate::application::harvest::apply::{Harvested, Progress};
use crate::outbound::OutboundError;

/// Change-feed events read per page of an `hdab` source.
const FEED_PAGE: u32 = 1_000;
/// Descriptions of an `hdab` source read at once.
const PARALLEL_READS: usize = 8;

impl RunContext<'_> {
    /// An `hdab` run: the change feed after the last position applied, then each changed
    /// dataset's current description. The position moves only past what was applied.
    pub(super) async fn hdab(
        &self,
        run: &mut HarvestRun,
        state: SourceState,
    ) -> Result<Option<SourceState>, AppError> {
        let base = self
            .source
            .details
            .url
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        let mut position = state.feed_position;
        let mut progress = Progress::default();
        loop {
            let page = match self.feed_page(&base, position).await {
                Ok(page) => page,
                Err(message) => {
                    run.error(page_error(
                        &format!("{base}/api/v1/changes?after={position}"),
                        message,
                    ));
                    run.outcome = RunOutcome::Failed;
                    break;
                }
            };
            run.fetched += 1;
            if page.next_after <= position {
                break;
            }
            // The latest event of each dataset says all: read each once.
            let changed: BTreeMap<String, i64> = page
                .items
                .iter()
                .filter(|e| e.entity_type == "dataset")
                .map(|e| (e.entity_id.clone(), e.seq))
                .collect();
            let records = self
                .read_datasets(&base, changed.into_keys().collect(), run)
                .await;
            let Some(records) = records else {
                run.outcome = RunOutcome::Failed;
                break;
            };
            self.apply(records, run, &mut progress).await?;
            position = page.next_after;
        }
        Ok(Some(SourceState {
            feed_position: position,
            ..state
        }))
    }

    async fn feed_page(&self, base: &str, after: i64) -> Result<FeedPage, String> {
        let url = url::Url::parse(&format!(
            "{base}/api/v1/changes?after={after}&limit={FEED_PAGE}&types=dataset"
        ))
        .map_err(|e| e.to_string())?;
        let answer = self
            .fetch(&url, with_accept(HeaderMap::new(), "application/json"))
            .await
            .map_err(|e| describe(&e))?;
        serde_json::from_slice(&answer.body)
            .map_err(|e| format!("the change feed does not read as one: {e}"))
    }

    /// The current description of each of `ids`, or `None` when one could not be read (the
    /// run then stops where it is, to read them again next time).
    async fn read_datasets(
        &self,
        base: &str,
        ids: Vec<String>,
        run: &mut HarvestRun,
    ) -> Option<Vec<Harvested>> {
        let reads = futures_util::stream::iter(ids.into_iter().map(|id| async move {
            let key = format!("{base}/api/v1/datasets/{id}");
            let read = self.read_dataset(&key).await;
            (key, read)
        }))
        .buffered(PARALLEL_READS)
        .collect::<Vec<_>>()
        .await;
        let mut records = Vec::with_capacity(reads.len());
        let mut complete = true;
        for (key, read) in reads {
            run.fetched += 1;
            match read {
                Ok(record) => records.push(record),
                Err(message) => {
                    run.error(page_error(&key, message));
                    complete = false;
                }
            }
        }
        complete.then_some(records)
    }

    async fn read_dataset(&self, key: &str) -> Result<Harvested, String> {
        let url = url::Url::parse(key).map_err(|e| e.to_string())?;
        let answer = self
            .fetch(&url, with_accept(HeaderMap::new(), "application/json"))
            .await;
        let answer = match answer {
            Err(OutboundError::Status(StatusCode::NOT_FOUND | StatusCode::GONE)) => {
                return Ok(Harvested::Gone {
                    key: key.to_owned(),
                });
            }
            other => other.map_err(|e| describe(&e))?,
        };
        let view: DatasetView = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("the dataset does not read as an hdab dataset: {e}"))?;
        if view.status != "published" {
            return Ok(Harvested::Gone {
                key: key.to_owned(),
            });
        }
        let mut input = view.metadata;
        let defaults = self.defaults();
        input.publisher_id = defaults.publisher_id;
        input.committee_id = defaults.committee_id;
        Ok(Harvested::Present {
            key: key.to_owned(),
            details: validated(&input),
        })
    }
}

/// One page of another hdab's change feed, as much of it as a run reads.
#[derive(Deserialize)]
struct FeedPage {
    items: Vec<FeedEvent>,
    next_after: i64,
}

#[derive(Deserialize)]
struct FeedEvent {
    seq: i64,
    entity_type: String,
    entity_id: String,
}
