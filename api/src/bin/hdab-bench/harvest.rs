//! The harvest benchmark of BENCHMARKS.md (issue 11's target: a 10,000-dataset catalogue
//! harvested from a second local hdab in ≤ 60 s): hdab A serves N synthetic datasets; hdab B
//! harvests them once as a DCAT source (A's Turtle catalogue, 100 datasets a page) and once as
//! an hdab source (A's change feed, each dataset read as JSON), then runs both again (nothing
//! changed: the DCAT source answers 304 to the conditional GET, the feed has nothing new).
//!
//!     cargo build --release && target/release/hdab-bench harvest --datasets 10000

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::bulk::organisations;
use crate::harness::{
    DataDir, Server, admin_token, free_port, hdab_binary, run, serve_with, wait_ready,
};

#[derive(clap::Args)]
pub struct Args {
    /// Datasets hdab A serves.
    #[arg(long, default_value_t = 10_000)]
    datasets: usize,
    /// Keep A's data directory here (seeded once) instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let upstream = DataDir::open(args.data_dir.as_ref(), "harvest-upstream")?;
    let mirror = DataDir::open(None, "harvest-mirror")?;
    run(
        &hdab,
        &upstream,
        &["seed", "--synthetic", &args.datasets.to_string()],
    )?;
    let admin = admin_token(&hdab, &mirror)?;
    let (port_a, port_b) = (free_port()?, free_port()?);
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    let _a = Server(serve_with(
        &hdab,
        &upstream,
        port_a,
        &[("HDAB_PUBLIC_URL", base_a.clone())],
    )?);
    let _b = Server(serve_with(
        &hdab,
        &mirror,
        port_b,
        &[("HDAB_OUTBOUND_ALLOW_PRIVATE", "true".to_owned())],
    )?);
    let rows = actix_web::rt::System::new().block_on(async {
        wait_ready(&base_a).await?;
        wait_ready(&base_b).await?;
        let client = reqwest::Client::new();
        let mut rows = Vec::new();
        for (n, (kind, url)) in [
            ("dcat", format!("{base_a}/api/v1/catalogue.ttl?limit=100")),
            ("hdab", base_a.clone()),
        ]
        .into_iter()
        .enumerate()
        {
            let (publisher, committee) = organisations_named(&client, &base_b, &admin, n).await?;
            let source =
                register(&client, &base_b, &admin, kind, &url, publisher, committee).await?;
            for pass in ["first run (all new)", "second run (nothing changed)"] {
                let (seconds, outcome) = harvest(&client, &base_b, &admin, &source).await?;
                rows.push((kind, pass, seconds, outcome));
            }
        }
        anyhow::Ok(rows)
    })?;
    println!();
    println!(
        "| harvest of {} datasets from a second hdab | seconds | datasets/s | outcome: created / updated / unchanged / failed |",
        args.datasets
    );
    println!("|---|---|---|---|");
    for (kind, pass, seconds, o) in rows {
        println!(
            "| `{kind}` source, {pass} | {seconds:.2} | {:.0} | {}: {} / {} / {} / {} |",
            args.datasets as f64 / seconds,
            o["outcome"].as_str().unwrap_or_default(),
            o["created"],
            o["updated"],
            o["unchanged"],
            o["failed"]
        );
    }
    Ok(())
}

/// A publisher and committee of B for source `n` (each source its own).
async fn organisations_named(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    n: usize,
) -> anyhow::Result<(String, String)> {
    let (publisher, committee) = organisations(client, base, admin, &format!("Mirror {n}")).await?;
    Ok((publisher.to_string(), committee.to_string()))
}

async fn register(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    kind: &str,
    url: &str,
    publisher: String,
    committee: String,
) -> anyhow::Result<String> {
    let source: Value = client
        .post(format!("{base}/api/v1/harvest-sources"))
        .bearer_auth(admin)
        .json(&json!({"name": format!("bench {kind}"), "url": url, "kind": kind, "publisher_id": publisher, "committee_id": committee, "data_use": {"permission": {"code": "GRU"}}}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(source["id"].as_str().unwrap_or_default().to_owned())
}

/// Asks for a run and waits for it; the seconds from asking to its end, and the run.
async fn harvest(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    source: &str,
) -> anyhow::Result<(f64, Value)> {
    let runs = format!("{base}/api/v1/harvest-sources/{source}/runs");
    let count = |page: &Value| page["items"].as_array().map_or(0, Vec::len);
    let get = || async {
        anyhow::Ok(
            client
                .get(&runs)
                .bearer_auth(admin)
                .send()
                .await?
                .error_for_status()?
                .json::<Value>()
                .await?,
        )
    };
    let before = count(&get().await?);
    let started = Instant::now();
    client
        .post(&runs)
        .bearer_auth(admin)
        .send()
        .await?
        .error_for_status()?;
    loop {
        let page = get().await?;
        if count(&page) > before {
            let run = page["items"][0].clone();
            anyhow::ensure!(run["outcome"] != "failed", "the run failed: {run}");
            return Ok((started.elapsed().as_secs_f64(), run));
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "no run within 10 minutes"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
