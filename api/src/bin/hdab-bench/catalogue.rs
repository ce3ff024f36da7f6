//! The catalogue benchmark of BENCHMARKS.md.
//!
//! Seeds a fresh data directory with synthetic datasets, times the search index build, starts
//! the release `hdab` beside this binary and loads it over HTTP with every shape of request a
//! catalogue portal sends (`shapes`: full text with filters, a quoted phrase, filters only,
//! the landing page with no text and no filter, a dataset by id, a Turtle catalogue page),
//! each as many distinct requests, one client and then 32 concurrent clients, beside the
//! trivial endpoint in the same run as the ceiling; then times the full Turtle export.
//!
//!     cargo build --release && target/release/hdab-bench --datasets 100000

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::harness::{
    DataDir, Load, Probe, Server, free_port, hdab_binary, load, run, serve, server_peak_rss,
    wait_ready,
};
use crate::shapes;

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
        let client = reqwest::Client::new();
        let (by_id, pages) = shapes::reads(&base, &client).await?;
        let searches = [
            shapes::text_searches(&base),
            shapes::phrase_searches(&base),
            shapes::filter_searches(&base),
            shapes::landing_pages(&base),
        ];
        for shape in &searches {
            println!(
                "{}: {} distinct searches, {} match nothing",
                shape.name,
                shape.probes.len(),
                shapes::matching_nothing(&client, shape).await?
            );
        }
        let mut measured = Vec::new();
        for shape in searches.into_iter().chain([by_id, pages]) {
            // Warm the page cache and the index readers before measuring.
            load(&shape.probes, args.concurrency, Duration::from_secs(2)).await?;
            let unloaded = load(&shape.probes, 1, Duration::from_secs(2)).await?;
            let loaded = load(
                &shape.probes,
                args.concurrency,
                Duration::from_secs(args.seconds),
            )
            .await?;
            measured.push((shape.name, unloaded, loaded));
        }
        let trivial = load(
            &[Probe::get(format!("{base}/health/live"))],
            args.concurrency,
            Duration::from_secs(args.seconds),
        )
        .await?;
        anyhow::Ok((measured, trivial))
    });
    let peak_rss = server_peak_rss(&server);
    drop(server);
    let (measured, trivial) = result?;

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
        "| server peak RSS under the load | {} |",
        peak_rss.map_or("unknown".into(), |kb| format!("{} MB", kb / 1024))
    );
    println!();
    println!(
        "| shape ({} datasets) | one client: p50 | {} clients: req/s | p50 | p99 | errors |",
        args.datasets, args.concurrency
    );
    println!("|---|---|---|---|---|---|");
    for (name, unloaded, loaded) in
        measured
            .iter()
            .chain([&("trivial endpoint (ceiling)", Load::default(), trivial)])
    {
        let one_client = if unloaded.requests == 0 {
            "—".to_owned()
        } else {
            format!("{:.2} ms", unloaded.percentile_ms(0.50))
        };
        println!(
            "| {name} | {one_client} | {:.0} | {:.2} ms | {:.2} ms | {} |",
            loaded.rate(),
            loaded.percentile_ms(0.50),
            loaded.percentile_ms(0.99),
            loaded.errors
        );
    }
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
