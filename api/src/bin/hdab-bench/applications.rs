//! The applications benchmark of BENCHMARKS.md (issue 9's targets): with 100,000 applications
//! stored on SQLite, researchers create and submit applications (DUO matching included) from
//! several writers; committee chairs page their review queues; anyone pages the public
//! register as JSON and CSV; the trivial endpoint in the same run is the ceiling.
//!
//!     cargo build --release && target/release/hdab-bench applications --applications 100000

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{
    DataDir, Load, Probe, Server, collect, free_port, hdab_binary, load, row, run, serve, token,
    wait_ready,
};

/// What the applications benchmark takes.
#[derive(clap::Args)]
pub struct Args {
    /// Applications to store before measuring.
    #[arg(long, default_value_t = 100_000)]
    applications: usize,
    /// Synthetic datasets to apply for.
    #[arg(long, default_value_t = 1_000)]
    datasets: usize,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent readers.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Concurrent researchers submitting.
    #[arg(long, default_value_t = 8)]
    writers: usize,
    /// Keep the data directory here instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Review-queue pages per committee, and register pages, that the readers rotate through.
const QUEUE_PAGES: usize = 5;
const REGISTER_PAGES: usize = 40;

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let dir = DataDir::open(args.data_dir.as_ref(), "applications")?;
    run(
        &hdab,
        &dir,
        &["seed", "--synthetic", &args.datasets.to_string()],
    )?;
    let started = Instant::now();
    run(
        &hdab,
        &dir,
        &["seed", "--applications", &args.applications.to_string()],
    )?;
    let seed_seconds = started.elapsed().as_secs_f64();
    println!(
        "seeded {} applications in {seed_seconds:.1} s ({:.0}/s, through the use cases, 250 per transaction)",
        args.applications,
        args.applications as f64 / seed_seconds
    );
    let writers: Vec<String> = (0..args.writers)
        .map(|k| {
            token(
                &hdab,
                &dir,
                &[
                    "--sub",
                    &format!("writer-{k}@bench.example"),
                    "--role",
                    "researcher",
                ],
            )
        })
        .collect::<anyhow::Result<_>>()?;

    let port = free_port()?;
    let server = Server(serve(&hdab, &dir, port)?);
    let base = format!("http://127.0.0.1:{port}");
    let results = actix_web::rt::System::new().block_on(async {
        wait_ready(&base).await?;
        let client = reqwest::Client::new();
        let queue = queue_probes(&client, &base, &hdab, &dir).await?;
        let register = register_probes(&client, &base).await?;
        let datasets = published_datasets(&client, &base).await?;
        let seconds = Duration::from_secs(args.seconds);
        submissions(&base, &writers, &datasets, Duration::from_secs(2)).await?;
        let submitted = submissions(&base, &writers, &datasets, seconds).await?;
        load(&queue, args.concurrency, Duration::from_secs(2)).await?;
        let queue = load(&queue, args.concurrency, seconds).await?;
        let register = load(&register, args.concurrency, seconds).await?;
        let trivial = load(
            &[Probe::get(format!("{base}/health/live"))],
            args.concurrency,
            seconds,
        )
        .await?;
        anyhow::Ok([submitted, queue, register, trivial])
    });
    drop(server);
    let [submitted, queue, register, trivial] = results?;
    println!();
    println!(
        "| measurement ({} applications stored) | result |",
        args.applications
    );
    println!("|---|---|");
    println!(
        "{}",
        row(
            &format!(
                "create + submit (one pair = one request here), {} writers",
                args.writers
            ),
            &submitted
        )
    );
    println!(
        "{}",
        row(
            &format!(
                "committee review queue, {QUEUE_PAGES} pages × 3 committees, {} clients",
                args.concurrency
            ),
            &queue
        )
    );
    println!(
        "{}",
        row(
            &format!(
                "public register, {REGISTER_PAGES} JSON + 10 CSV pages, {} clients",
                args.concurrency
            ),
            &register
        )
    );
    println!(
        "{}",
        row(
            &format!(
                "trivial endpoint (/health/live), {} clients",
                args.concurrency
            ),
            &trivial
        )
    );
    Ok(())
}

async fn get_json(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> anyhow::Result<Value> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Ok(request.send().await?.error_for_status()?.json().await?)
}

/// The first pages of each committee chair's review queue.
async fn queue_probes(
    client: &reqwest::Client,
    base: &str,
    hdab: &std::path::Path,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<Probe>> {
    let committees = get_json(client, &format!("{base}/api/v1/committees"), None).await?;
    let mut probes = Vec::new();
    for committee in committees["items"].as_array().into_iter().flatten() {
        let id = committee["id"].as_str().unwrap_or_default();
        let chair = committee["members"][0]["subject"]
            .as_str()
            .unwrap_or_default();
        let token = token(
            hdab,
            dir,
            &["--sub", chair, "--role", "dac_member", "--committee", id],
        )?;
        let mut url = format!("{base}/api/v1/applications?awaiting_decision=true");
        for _ in 0..QUEUE_PAGES {
            probes.push(Probe::with_token(url.clone(), &token));
            let page = get_json(client, &url, Some(&token)).await?;
            let Some(cursor) = page["next_cursor"].as_str() else {
                break;
            };
            url = format!("{base}/api/v1/applications?awaiting_decision=true&cursor={cursor}");
        }
    }
    Ok(probes)
}

/// Register pages from the newest on, as JSON, and the first ones as CSV.
async fn register_probes(client: &reqwest::Client, base: &str) -> anyhow::Result<Vec<Probe>> {
    let mut probes = Vec::new();
    let mut url = format!("{base}/api/v1/register/applications");
    for _ in 0..REGISTER_PAGES {
        probes.push(Probe::get(url.clone()));
        let page = get_json(client, &url, None).await?;
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        url = format!("{base}/api/v1/register/applications?cursor={cursor}");
    }
    let csv: Vec<Probe> = probes
        .iter()
        .take(10)
        .map(|p| Probe {
            accept: Some("text/csv"),
            ..p.clone()
        })
        .collect();
    probes.extend(csv);
    Ok(probes)
}

async fn published_datasets(client: &reqwest::Client, base: &str) -> anyhow::Result<Vec<String>> {
    let page = get_json(client, &format!("{base}/api/v1/datasets?limit=100"), None).await?;
    Ok(page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_str().map(str::to_owned))
        .collect())
}

/// Each writer creates and submits applications back to back; one create + submit counts as
/// one request, its latency the pair's.
async fn submissions(
    base: &str,
    writers: &[String],
    datasets: &[String],
    duration: Duration,
) -> anyhow::Result<Load> {
    let client = reqwest::Client::new();
    let datasets = Arc::new(datasets.to_vec());
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut workers = Vec::new();
    for (worker, token) in writers.iter().enumerate() {
        let (client, datasets, token) = (client.clone(), Arc::clone(&datasets), token.clone());
        let base = base.to_owned();
        workers.push(actix_web::rt::spawn(async move {
            let (mut latencies, mut errors, mut n) = (Vec::new(), 0, worker);
            while Instant::now() < deadline {
                // Each writer walks the datasets with its own offset.
                n += 7;
                let sent = Instant::now();
                match create_and_submit(&client, &base, &token, &datasets[n % datasets.len()], n)
                    .await
                {
                    Ok(()) => latencies.push(sent.elapsed().as_micros() as u64),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    collect(workers, started).await
}

async fn create_and_submit(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    dataset: &str,
    n: usize,
) -> anyhow::Result<()> {
    let diseases = ["C34.1", "C50", "C61", "C71", "C18"];
    let form = json!({
        "kind": "access_application",
        "organisation": {"name": "Universität Heidelberg", "organisation_type": "academic", "country": "DE"},
        "principal_investigator": {"subject": "writer@bench.example", "name": "Bench Writer", "email": "writer@bench.example"},
        "purpose": {"purpose": "scientific_research", "explanation": format!("Benchmark application {n}."), "expected_benefit": "Numbers."},
        "dataset_ids": [dataset],
        "declared_use": {"diseases": [diseases[n % diseases.len()]], "publication_intended": true},
        "art_54_declaration": true,
        "access": {"data": {"population": "All."}, "data_form": "anonymised", "safeguards": "SPE only.", "processing_months": 12}
    });
    let created: Value = client
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(token)
        .json(&form)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = created["id"].as_str().unwrap_or_default();
    client
        .post(format!("{base}/api/v1/applications/{id}/submit"))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}
