//! A `dcat` run: a DCAT-AP catalogue read page by page (Hydra `next`), its first page by a
//! conditional GET, each page in the syntax its `Content-Type` names; only a run that read
//! every page withdraws what no page described.

use std::collections::BTreeSet;

use hdab_domain::harvest::{HarvestRun, RunOutcome};
use hdab_persistence::harvest::SourceState;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

use super::{RunContext, describe, header_text, page_error, validated, with_accept};
use crate::application::AppError;
use crate::application::harvest::apply::{self, Harvested, Progress};
use crate::outbound::Answer;
use crate::projections::rdf::RdfSyntax;
use crate::projections::rdf::read;

/// Pages a `dcat` run follows at most: a catalogue whose `next` links never end is cut here.
const MAX_PAGES: u32 = 10_000;
/// What a `dcat` source is asked for, best first.
const RDF_ACCEPT: &str = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/n-triples;q=0.5";

impl RunContext<'_> {
    /// A `dcat` run: every page, then the withdrawal of what no page described. Returns what
    /// to remember of the source's first answer, when every page was read.
    pub(super) async fn dcat(
        &self,
        run: &mut HarvestRun,
        state: SourceState,
    ) -> Result<Option<SourceState>, AppError> {
        let first =
            url::Url::parse(self.source.details.url.as_str()).map_err(AppError::internal)?;
        let mut next = Some(first);
        let mut visited = BTreeSet::new();
        let mut progress = Progress::default();
        let mut remembered = None;
        while let Some(url) = next.take() {
            if !visited.insert(url.to_string()) || run.fetched >= MAX_PAGES {
                run.error(page_error(
                    url.as_str(),
                    "the pages link back to one already read, or never end",
                ));
                run.outcome = RunOutcome::Failed;
                break;
            }
            let conditional = if visited.len() == 1 {
                conditional_headers(&state)
            } else {
                HeaderMap::new()
            };
            let answer = match self.fetch(&url, with_accept(conditional, RDF_ACCEPT)).await {
                Ok(answer) => answer,
                Err(error) => {
                    run.error(page_error(url.as_str(), describe(&error)));
                    run.outcome = RunOutcome::Failed;
                    break;
                }
            };
            run.fetched += 1;
            if answer.status == StatusCode::NOT_MODIFIED {
                run.outcome = RunOutcome::NotModified;
                return Ok(None);
            }
            if visited.len() == 1 {
                remembered = Some(SourceState {
                    etag: header_text(&answer.headers, ETAG),
                    last_modified: header_text(&answer.headers, LAST_MODIFIED),
                    feed_position: 0,
                });
            }
            let graph = match parse_page(&answer) {
                Ok(graph) => graph,
                Err(message) => {
                    run.error(page_error(answer.url.as_str(), message));
                    run.outcome = RunOutcome::Failed;
                    break;
                }
            };
            let records = read::datasets(&graph, &self.defaults())
                .into_iter()
                .map(|r| Harvested::Present {
                    key: r.key,
                    details: r.input.and_then(|input| validated(&input)),
                })
                .collect();
            self.apply(records, run, &mut progress).await?;
            next = read::next_page(&graph).and_then(|link| answer.url.join(&link).ok());
        }
        if run.outcome != RunOutcome::Completed {
            return Ok(None);
        }
        let (source, now) = (self.source.clone(), self.harvester.clock.now());
        let mut counted = run.clone();
        *run = self
            .harvester
            .db(move |conn| {
                apply::withdraw_unseen(conn, &source, now, &mut counted, &progress)?;
                Ok(counted)
            })
            .await?;
        Ok(remembered)
    }
}

/// The page as RDF, in the syntax its `Content-Type` names.
fn parse_page(answer: &Answer) -> Result<oxrdf::Graph, String> {
    let media_type = header_text(&answer.headers, CONTENT_TYPE)
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let syntax = RdfSyntax::from_media_type(&media_type).ok_or_else(|| {
        format!(
            "the content type `{media_type}` is not an RDF syntax hdab reads (Turtle, JSON-LD, RDF/XML)"
        )
    })?;
    read::parse(&answer.body, syntax, answer.url.as_str())
}

fn conditional_headers(state: &SourceState) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(etag) = state
        .etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        headers.insert(IF_NONE_MATCH, etag);
    }
    if let Some(since) = state
        .last_modified
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        headers.insert(IF_MODIFIED_SINCE, since);
    }
    headers
}
