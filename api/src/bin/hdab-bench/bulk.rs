//! The bulk-upsert benchmark of BENCHMARKS.md (issue 11's targets: ≥ 5,000 datasets/s all new,
//! ≥ 20,000/s all unchanged, on SQLite): one partner pushes synthetic descriptions in calls of
//! 1,000, then pushes the same again.
//!
//!     cargo build --release && target/release/hdab-bench bulk --datasets 20000

use std::path::PathBuf;
use std::time::Instant;

use hdab_domain::ids::{CommitteeId, PublisherId};
use serde_json::{Value, json};

use crate::harness::{DataDir, Server, admin_token, free_port, hdab_binary, serve, wait_ready};

/// What the bulk benchmark takes.
#[derive(clap::Args)]
pub struct Args {
    /// Datasets to push (in calls of 1,000).
    #[arg(long, default_value_t = 20_000)]
    datasets: usize,
    /// Keep the data directory here instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

const CALL: usize = 1_000;

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let dir = DataDir::open(args.data_dir.as_ref(), "bulk")?;
    let admin = admin_token(&hdab, &dir)?;
    let port = free_port()?;
    let server = Server(serve(&hdab, &dir, port)?);
    let base = format!("http://127.0.0.1:{port}");
    let result = actix_web::rt::System::new().block_on(async {
        wait_ready(&base).await?;
        let client = reqwest::Client::new();
        let (publisher, committee) = organisations(&client, &base, &admin, "Bulk Bench").await?;
        let bodies: Vec<String> = synthetic_calls(args.datasets, publisher, committee)
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?;
        let megabytes = bodies.iter().map(String::len).sum::<usize>() as f64 / 1e6;
        let new = push_all(&client, &base, &admin, &bodies, "created").await?;
        let unchanged = push_all(&client, &base, &admin, &bodies, "unchanged").await?;
        anyhow::Ok((megabytes, new, unchanged))
    });
    drop(server);
    let (megabytes, new, unchanged) = result?;
    println!();
    println!(
        "| push of {} datasets, calls of {CALL} ({megabytes:.1} MB) | seconds | datasets/s |",
        args.datasets
    );
    println!("|---|---|---|");
    for (what, seconds) in [("all new", new), ("all unchanged", unchanged)] {
        println!(
            "| {what} | {seconds:.2} | {:.0} |",
            args.datasets as f64 / seconds
        );
    }
    Ok(())
}

/// `datasets` synthetic descriptions of `publisher`, in calls of 1,000.
pub fn synthetic_calls(
    datasets: usize,
    publisher: PublisherId,
    committee: CommitteeId,
) -> Vec<Vec<hdab_openapi::catalogue::DatasetInput>> {
    (0..datasets.div_ceil(CALL))
        .map(|call| {
            (call * CALL..((call + 1) * CALL).min(datasets))
                .map(|n| hdab_api::shell::seed::synthetic_input(n, publisher, committee))
                .collect()
        })
        .collect()
}

/// A publisher `{name} Registry` and the committee `{name} DAC` that serves it.
pub async fn organisations(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    name: &str,
) -> anyhow::Result<(PublisherId, CommitteeId)> {
    let create = |path: &str, body: Value| {
        client
            .post(format!("{base}/api/v1/{path}"))
            .bearer_auth(admin)
            .json(&body)
            .send()
    };
    let publisher: Value = create("publishers", json!({"name": format!("{name} Registry"), "country": "NL", "organisation_type": "academic", "contact_email": "bulk@bench.example", "trusted_data_holder": true}))
        .await?
        .error_for_status()?
        .json()
        .await?;
    let publisher_id = publisher["id"].as_str().unwrap_or_default().to_owned();
    let committee: Value = create("committees", json!({"name": format!("{name} DAC"), "publisher_ids": [publisher_id], "decision_rule": "majority"}))
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok((
        PublisherId::parse(&publisher_id).map_err(|e| anyhow::anyhow!(e.message))?,
        CommitteeId::parse(committee["id"].as_str().unwrap_or_default())
            .map_err(|e| anyhow::anyhow!(e.message))?,
    ))
}

/// Pushes every body in turn; every item must come back as `expected`. Seconds taken.
async fn push_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    bodies: &[String],
    expected: &str,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    for body in bodies {
        push(client, base, token, body, expected).await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Pushes one body; every item must come back as `expected`. The ids of its datasets.
pub async fn push(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    body: &str,
    expected: &str,
) -> anyhow::Result<Vec<String>> {
    let result: Value = client
        .post(format!("{base}/api/v1/datasets/bulk"))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let items = result["items"].as_array().map_or(&[][..], Vec::as_slice);
    anyhow::ensure!(
        result[expected].as_u64() == Some(items.len() as u64),
        "expected every item {expected}: {}",
        result["items"][0]
    );
    Ok(items
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect())
}
