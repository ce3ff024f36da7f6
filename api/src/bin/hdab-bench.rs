//! `hdab-bench`: the catalogue benchmark of BENCHMARKS.md.
//!
//! Seeds a fresh data directory with synthetic datasets, times the search index build, starts
//! the release `hdab` beside this binary, loads it over HTTP from 32 concurrent clients
//! (search with full text, two filters and every facet; and a trivial endpoint in the same run
//! as the ceiling), then times the full Turtle export and reads its peak memory.
//!
//!     cargo build --release && target/release/hdab-bench --datasets 100000

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Benchmarks hdab's catalogue: index build, search under load, Turtle export")]
struct Args {
    /// Synthetic datasets to seed.
    #[arg(long, default_value_t = 100_000)]
    datasets: usize,
    /// Seconds of load per endpoint.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Keep the data directory here instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Full text plus two filters; every search computes all facets.
const SEARCHES: &[&str] = &[
    "q=lung&modality=CT&access_rights=PUBLIC",
    "q=breast+cancer&country=DE&duo_permission=GRU",
    "q=prostate&body_part=PROSTATE&trusted_holder=true",
    "q=Lungenkrebs&cancer_condition=C34&access_rights=RESTRICTED",
    "q=cancer+du+sein&modality=MG&country=FR",
    "q=glioma&subjects_min=1000&age_min=18",
    "q=liver&modality=MR&acquired_from=2010",
    "q=melanoma&duo_permission=HMB&access_rights=NON_PUBLIC",
];

struct Load {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies_us: Vec<u64>,
}

impl Load {
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[index] as f64 / 1000.0
    }

    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    hdab_api::shell::tls::install_crypto_provider();
    let hdab = std::env::current_exe()?.with_file_name("hdab");
    if !hdab.is_file() {
        bail!(
            "{} not found: build it with `cargo build --release` first",
            hdab.display()
        );
    }
    let dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("hdab-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    println!("machine: {}", machine());
    println!("data directory: {}", dir.display());

    let started = Instant::now();
    run(
        &hdab,
        &dir,
        &["seed", "--synthetic", &args.datasets.to_string()],
    )?;
    let seed_seconds = started.elapsed().as_secs_f64();
    println!("seeded {} datasets in {seed_seconds:.1} s", args.datasets);

    let (build_count, build_seconds) = build_index(&dir)?;
    println!(
        "index build: {build_count} datasets in {build_seconds:.2} s = {:.0} datasets/s",
        build_count as f64 / build_seconds
    );

    let port = free_port()?;
    let server = Server(serve(&hdab, &dir, port)?);
    let base = format!("http://127.0.0.1:{port}");
    let result = actix_web::rt::System::new().block_on(async {
        wait_ready(&base).await?;
        let search_urls: Vec<String> = SEARCHES
            .iter()
            .map(|q| format!("{base}/api/v1/datasets?{q}"))
            .collect();
        // Warm the page cache and the index readers before measuring.
        load(&search_urls, args.concurrency, Duration::from_secs(2)).await?;
        let search = load(
            &search_urls,
            args.concurrency,
            Duration::from_secs(args.seconds),
        )
        .await?;
        let trivial = load(
            &[format!("{base}/health/live")],
            args.concurrency,
            Duration::from_secs(args.seconds),
        )
        .await?;
        anyhow::Ok((search, trivial))
    });
    drop(server);
    let (search, trivial) = result?;

    let export_started = Instant::now();
    let export_report = run(
        &hdab,
        &dir,
        &["export", "--format", "ttl", "--output", "/dev/null"],
    )?;
    let export_seconds = export_started.elapsed().as_secs_f64();

    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "| index build ({build_count} datasets) | {build_seconds:.2} s, {:.0} datasets/s |",
        build_count as f64 / build_seconds
    );
    println!(
        "| search: full text + 2 filters + all facets, {} clients | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors |",
        args.concurrency,
        search.rate(),
        search.percentile_ms(0.50),
        search.percentile_ms(0.99),
        search.errors
    );
    println!(
        "| trivial endpoint (/health/live), {} clients | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors |",
        args.concurrency,
        trivial.rate(),
        trivial.percentile_ms(0.50),
        trivial.percentile_ms(0.99),
        trivial.errors
    );
    println!(
        "| full Turtle export | {export_seconds:.2} s wall; {} |",
        export_report.trim()
    );
    if args.data_dir.is_none() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}

fn env_for(command: &mut Command, dir: &Path) {
    command
        .env("HDAB_DATA_DIR", dir)
        .env("HDAB_LOG_LEVEL", "warn")
        .env_remove("HDAB_DATABASE_URL");
}

/// Runs `hdab ARGS` to completion; returns what it wrote to standard error.
fn run(hdab: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new(hdab);
    env_for(&mut command, dir);
    let output = command
        .args(args)
        .output()
        .with_context(|| format!("running hdab {}", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "hdab {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Ok(stderr.lines().last().unwrap_or_default().to_owned())
}

/// Builds the search index from scratch in-process and times it.
fn build_index(dir: &Path) -> anyhow::Result<(usize, f64)> {
    let settings =
        hdab_api::shell::config::Settings::for_data_dir(dir, None).map_err(anyhow::Error::msg)?;
    let _ = std::fs::remove_dir_all(&settings.index_dir);
    let pool = hdab_api::shell::server::open_database(&settings)?;
    let (index, _) = hdab_persistence::search::SearchIndex::open(&settings.index_dir)?;
    let indexer = hdab_api::projections::search::Indexer::new(index);
    let started = Instant::now();
    let count = indexer.rebuild(&pool).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((count, started.elapsed().as_secs_f64()))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn serve(hdab: &Path, dir: &Path, port: u16) -> anyhow::Result<Child> {
    let mut command = Command::new(hdab);
    env_for(&mut command, dir);
    Ok(command
        .arg("serve")
        .env("HDAB_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

/// The server under test; stopped when dropped, also when the benchmark fails midway.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_ready(base: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if client
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("hdab did not become ready")
}

/// `concurrency` clients request `urls` in turn, back to back, for `duration`.
async fn load(urls: &[String], concurrency: usize, duration: Duration) -> anyhow::Result<Load> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let urls = Arc::new(urls.to_vec());
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let urls = Arc::clone(&urls);
        workers.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut next = worker;
            while Instant::now() < deadline {
                let url = &urls[next % urls.len()];
                next += 1;
                let sent = Instant::now();
                match client.get(url).send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed().as_micros() as u64);
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (latencies, worker_errors) = worker.await?;
        latencies_us.extend(latencies);
        errors += worker_errors;
    }
    latencies_us.sort_unstable();
    Ok(Load {
        requests: latencies_us.len(),
        errors,
        seconds: started.elapsed().as_secs_f64(),
        latencies_us,
    })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}")
}
