//! `hdab-bench`: the benchmarks of BENCHMARKS.md, against the release `hdab` beside it.
//!
//!     cargo build --release
//!     target/release/hdab-bench --datasets 100000                  # the catalogue
//!     target/release/hdab-bench applications --applications 100000 # applications
//!     target/release/hdab-bench permits                             # visas and opt-outs
//!     target/release/hdab-bench changes --datasets 25000              # the change feed
//!     target/release/hdab-bench bulk --datasets 20000                 # bulk upsert
//!     target/release/hdab-bench publish --datasets 20000              # publishing, 8 clients

mod applications;
mod bulk;
mod catalogue;
mod changes;
mod harness;
mod harvest;
mod permits;
mod publish;
mod shapes;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Benchmarks hdab: the catalogue (default) or applications")]
struct Cli {
    #[command(subcommand)]
    bench: Option<Bench>,
    #[command(flatten)]
    catalogue: catalogue::Args,
}

#[derive(Subcommand)]
enum Bench {
    /// Application submissions, a committee's review queue and the public register, with
    /// 100,000 applications stored.
    Applications(applications::Args),
    /// Visa verification and opt-out checks, with permits granted through the review and
    /// 1,000,000 opt-outs stored.
    Permits(permits::Args),
    /// One reader following the change feed from the start, as an admin and anonymously.
    Changes(changes::Args),
    /// A partner pushing datasets in calls of 1,000, all new, then all unchanged.
    Bulk(bulk::Args),
    /// A second hdab harvesting a 10,000-dataset catalogue (Turtle pages, change feed).
    Harvest(harvest::Args),
    /// Eight clients publishing withdrawn datasets, each publish waiting for the index.
    Publish(publish::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    hdab_api::shell::tls::install_crypto_provider();
    match &cli.bench {
        Some(Bench::Applications(args)) => applications::bench(args),
        Some(Bench::Permits(args)) => permits::bench(args),
        Some(Bench::Changes(args)) => changes::bench(args),
        Some(Bench::Bulk(args)) => bulk::bench(args),
        Some(Bench::Harvest(args)) => harvest::bench(args),
        Some(Bench::Publish(args)) => publish::bench(args),
        None => catalogue::bench(&cli.catalogue),
    }
}
