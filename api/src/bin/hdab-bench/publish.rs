//! The publish benchmark of BENCHMARKS.md (issue 12, item 5: ≥ 1,000 publishes/s with 8
//! clients): 8 clients publish distinct withdrawn datasets of one publisher, each publish
//! answered only once the search index shows it (read-your-writes), on SQLite.
//!
//!     cargo build --release && target/release/hdab-bench publish --datasets 20000

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::bulk::{organisations, push, synthetic_calls};
use crate::harness::{
    DataDir, Probe, Server, admin_token, free_port, hdab_binary, load, row, serve, wait_ready,
};

/// What the publish benchmark takes.
#[derive(clap::Args)]
pub struct Args {
    /// Withdrawn datasets to publish (each at most once; more than the run can publish).
    #[arg(long, default_value_t = 20_000)]
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
        let probes: Vec<Probe> = ids
            .iter()
            .map(|id| {
                Probe::post(
                    format!("{base}/api/v1/datasets/{id}/publish"),
                    &admin,
                    String::new(),
                )
            })
            .collect();
        load(&probes, args.clients, Duration::from_secs(args.seconds)).await
    });
    drop(server);
    let published = result?;
    anyhow::ensure!(
        published.requests < args.datasets,
        "every dataset was published: raise --datasets so that none is published twice"
    );
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "{}",
        row(
            &format!("publish a withdrawn dataset, {} clients", args.clients),
            &published
        )
    );
    Ok(())
}
