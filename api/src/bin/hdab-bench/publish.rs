//! The publish benchmark of BENCHMARKS.md (issue 12, item 5: ≥ 1,000 publishes/s with 8
//! clients), on SQLite. 8 clients publish distinct withdrawn datasets of one publisher; then,
//! on the other half of them, each publish is followed by a search for the dataset, which must
//! find it (read-your-writes: the search commits what the publishes left uncommitted).
//!
//!     cargo build --release && target/release/hdab-bench publish --datasets 40000

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::bulk::{organisations, push, synthetic_calls};
use crate::harness::{
    DataDir, FollowUp, Probe, Server, admin_token, free_port, hdab_binary, load, row, serve,
    wait_ready,
};

/// What the publish benchmark takes.
#[derive(clap::Args)]
pub struct Args {
    /// Withdrawn datasets to publish (each at most once; each of the two runs takes half, and
    /// must not publish all of its half).
    #[arg(long, default_value_t = 40_000)]
    datasets: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Keep the data directory here instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let dir = DataDir::open(args.data_dir.as_ref(), "publish")?;
    let admin = admin_token(&hdab, &dir)?;
    let port = free_port()?;
    let server = Server(serve(&hdab, &dir, port)?);
    let base = format!("http://127.0.0.1:{port}");
    let result = actix_web::rt::System::new().block_on(async {
        wait_ready(&base).await?;
        let client = reqwest::Client::new();
        let (publisher, committee) = organisations(&client, &base, &admin, "Publish Bench").await?;
        let mut ids = Vec::with_capacity(args.datasets);
        for inputs in synthetic_calls(args.datasets, publisher, committee) {
            let withdrawals: Vec<_> = inputs
                .iter()
                .map(|input| json!({"publisher_id": publisher.as_uuid(), "identifier": input.identifier, "withdraw": true}))
                .collect();
            let pushed = serde_json::to_string(&inputs)?;
            ids.extend(push(&client, &base, &admin, &pushed, "created").await?);
            let withdrawn = serde_json::to_string(&withdrawals)?;
            push(&client, &base, &admin, &withdrawn, "withdrawn").await?;
        }
        let publish = |id: &String| {
            Probe::post(
                format!("{base}/api/v1/datasets/{id}/publish"),
                &admin,
                String::new(),
            )
        };
        let (first, second) = ids.split_at(ids.len() / 2);
        let published: Vec<Probe> = first.iter().map(publish).collect();
        // Each synthetic title ends with the dataset's number, a word no other title holds.
        let found: Vec<Probe> = second
            .iter()
            .enumerate()
            .map(|(n, id)| Probe {
                then_find: Some(std::sync::Arc::new(FollowUp {
                    url: format!(
                        "{base}/api/v1/datasets?q={}&publisher={publisher}",
                        first.len() + n
                    ),
                    text: id.clone(),
                })),
                ..publish(id)
            })
            .collect();
        let seconds = Duration::from_secs(args.seconds);
        let published = load(&published, args.clients, seconds).await?;
        let found = load(&found, args.clients, seconds).await?;
        anyhow::Ok((published, found))
    });
    drop(server);
    let (published, found) = result?;
    let half = args.datasets / 2;
    anyhow::ensure!(
        published.requests < half && found.requests < half,
        "a run published all of its half: raise --datasets so that none is published twice"
    );
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    let clients = args.clients;
    for (what, load) in [
        (
            format!("publish a withdrawn dataset, {clients} clients"),
            published,
        ),
        (
            format!("publish, then find it by search (a pair counts as one), {clients} clients"),
            found,
        ),
    ] {
        println!("{}", row(&what, &load));
    }
    Ok(())
}
