//! The change-feed benchmark of BENCHMARKS.md (issue 11's target: ≥ 50,000 events/s to one
//! reader): synthetic datasets make the log (each dataset two events of ~2 KB), then one
//! reader follows the feed from the start in pages of 1,000, as an admin (every event passed
//! through) and anonymously (each dataset event's audience read from its payload).
//!
//!     cargo build --release && target/release/hdab-bench changes --datasets 25000

use std::path::PathBuf;
use std::time::Instant;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::harness::{
    DataDir, Server, admin_token, free_port, hdab_binary, run, serve, wait_ready,
};

/// What the change-feed benchmark takes.
#[derive(clap::Args)]
pub struct Args {
    /// Synthetic datasets to seed (each records two events).
    #[arg(long, default_value_t = 25_000)]
    datasets: usize,
    /// Times the reader follows the whole log, per caller.
    #[arg(long, default_value_t = 3)]
    passes: usize,
    /// Keep the data directory here instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

const PAGE: usize = 1_000;

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let dir = DataDir::open(args.data_dir.as_ref(), "changes")?;
    run(
        &hdab,
        &dir,
        &["seed", "--synthetic", &args.datasets.to_string()],
    )?;
    let admin = admin_token(&hdab, &dir)?;
    let port = free_port()?;
    let server = Server(serve(&hdab, &dir, port)?);
    let base = format!("http://127.0.0.1:{port}");
    let results = actix_web::rt::System::new().block_on(async {
        wait_ready(&base).await?;
        let client = reqwest::Client::new();
        let mut rows = Vec::new();
        for (who, bearer) in [("admin", Some(admin.as_str())), ("anonymous", None)] {
            for _ in 0..args.passes {
                rows.push((who, follow(&client, &base, bearer).await?));
            }
        }
        anyhow::Ok(rows)
    });
    drop(server);
    println!();
    println!("| reader | events read | events shown | seconds | events/s |");
    println!("|---|---|---|---|---|");
    for (who, pass) in results? {
        println!(
            "| {who}, pages of {PAGE} | {} | {} | {:.2} | {:.0} |",
            pass.read,
            pass.shown,
            pass.seconds,
            pass.read as f64 / pass.seconds
        );
    }
    Ok(())
}

struct Pass {
    read: i64,
    shown: usize,
    seconds: f64,
}

/// What the reader takes from a page: how many events, and where to continue. The events are
/// skipped over rather than built into values, so the reader, on the same cores, stays light.
#[derive(Deserialize)]
struct PageShape {
    items: Vec<IgnoredAny>,
    next_after: i64,
}

/// Follows the feed from the start to its end, page after page.
async fn follow(
    client: &reqwest::Client,
    base: &str,
    bearer: Option<&str>,
) -> anyhow::Result<Pass> {
    let started = Instant::now();
    let (mut after, mut shown) = (0i64, 0usize);
    loop {
        let mut request = client.get(format!("{base}/api/v1/changes?after={after}&limit={PAGE}"));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let page: PageShape = request.send().await?.error_for_status()?.json().await?;
        shown += page.items.len();
        let next = page.next_after;
        if next == after {
            break;
        }
        after = next;
    }
    Ok(Pass {
        read: after,
        shown,
        seconds: started.elapsed().as_secs_f64(),
    })
}
