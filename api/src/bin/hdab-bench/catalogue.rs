//! The catalogue benchmark of BENCHMARKS.md.
//!
//! Seeds a fresh data directory with synthetic datasets, times the search index build, starts
//! the release `hdab` beside this binary, loads it over HTTP from 32 concurrent clients
//! (search with full text, two filters and every facet; and a trivial endpoint in the same run
//! as the ceiling), then times the full Turtle export and reads its peak memory.
//!
//!     cargo build --release && target/release/hdab-bench --datasets 100000

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::harness::{
    DataDir, Probe, Server, free_port, hdab_binary, load, run, serve, wait_ready,
};

/// What the catalogue benchmark takes.
#[derive(clap::Args)]
pub struct Args {
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

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let dir = DataDir::open(args.data_dir.as_ref(), "catalogue")?;

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
        let search_urls: Vec<Probe> = SEARCHES
            .iter()
            .map(|q| Probe::get(format!("{base}/api/v1/datasets?{q}")))
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
            &[Probe::get(format!("{base}/health/live"))],
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
    Ok(())
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
