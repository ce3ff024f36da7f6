//! The `hdab` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use hdab_domain::auth::Role;
use hdab_domain::ids::{CommitteeId, PublisherId};

use crate::edge::auth::dev::{DevKey, TokenRequest};
use crate::shell::config::{AuthMode, Settings};

#[derive(Parser)]
#[command(
    name = "hdab",
    version,
    about = "A Health Data Access Body service for the European Health Data Space",
    long_about = "hdab serves a HealthDCAT-AP dataset catalogue, data access applications, data \
                  permits and partner sync for a Health Data Access Body under the EHDS.\n\n\
                  With no command it serves on 127.0.0.1:8080 with SQLite under ./data and \
                  development auth. Settings come from hdab.toml (or --config) and HDAB_* \
                  environment variables: HDAB_BIND, HDAB_DATABASE_URL (sqlite://PATH or \
                  postgres://...), HDAB_DATA_DIR, HDAB_LOG_FORMAT (pretty|json), HDAB_LOG_LEVEL, \
                  HDAB_AUTH_ISSUER, HDAB_AUTH_JWKS_URL, HDAB_AUTH_AUDIENCE, HDAB_AUTH_ROLES_CLAIM, \
                  HDAB_AUTH_PUBLISHERS_CLAIM, HDAB_AUTH_COMMITTEES_CLAIM, HDAB_MAX_BODY_BYTES."
)]
struct Cli {
    /// Configuration file (default: ./hdab.toml when it exists).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (what `hdab` alone does).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI 3.1 document as JSON.
    Openapi,
    /// Write the whole published catalogue as one RDF document (HealthDCAT-AP).
    Export(ExportArgs),
    /// Load the demo catalogue (--demo) or N synthetic datasets (--synthetic N); idempotent.
    Seed(SeedArgs),
    /// Print a development bearer token (development mode only), as stdout's last line.
    Token(TokenArgs),
    /// Manage the keys that sign visas.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check the event log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run one harvest source now and print its run log entry; exit 1 if the run failed.
    Harvest(HarvestArgs),
}

#[derive(Args)]
struct HarvestArgs {
    /// The source's id (`GET /api/v1/harvest-sources`).
    #[arg(long, value_name = "ID")]
    source: String,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a visa-signing key and make it current; the retired key stays in the JWKS until
    /// the last visa it signed has expired. Running servers pick the new key up within a
    /// second.
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain from the first event, as `GET /api/v1/audit/verify` does, against
    /// the newest signed checkpoint; exit 1 naming the first broken event.
    Verify,
}

#[derive(Args)]
struct ExportArgs {
    /// ttl (Turtle), jsonld (JSON-LD) or rdf (RDF/XML).
    #[arg(long, default_value = "ttl", value_parser = parse_syntax)]
    format: crate::projections::rdf::RdfSyntax,
    /// Where to write (default: standard output).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_syntax(value: &str) -> Result<crate::projections::rdf::RdfSyntax, String> {
    crate::projections::rdf::RdfSyntax::from_extension(value)
        .ok_or_else(|| "must be ttl, jsonld or rdf".to_owned())
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct SeedArgs {
    /// 31 cancer-imaging datasets modelled on public collections, 7 publishers, 3 committees.
    #[arg(long)]
    demo: bool,
    /// N varied synthetic datasets (identifiers SYN-0000000 ...), for scale work.
    #[arg(long, value_name = "N")]
    synthetic: Option<usize>,
    /// N synthetic access applications for the published datasets, all submitted, every other
    /// one under review, for scale work.
    #[arg(long, value_name = "N")]
    applications: Option<usize>,
}

#[derive(Args)]
struct TokenArgs {
    /// The token's subject (`sub`): who it speaks for.
    #[arg(long)]
    sub: String,
    /// A role; repeat or separate with commas (researcher, dac_member, data_holder, partner,
    /// optout_registry, hdab_admin).
    #[arg(long = "role", required = true, value_delimiter = ',', value_parser = parse_role)]
    roles: Vec<Role>,
    /// A publisher the token acts for (data holders, partners); repeatable.
    #[arg(long = "publisher", value_name = "ID", value_parser = parse_publisher)]
    publishers: Vec<PublisherId>,
    /// A committee the token sits on (DAC members); repeatable.
    #[arg(long = "committee", value_name = "ID", value_parser = parse_committee)]
    committees: Vec<CommitteeId>,
    /// How long the token is valid, e.g. 30m, 1h, 7d.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: Duration,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).map_err(|e| e.message)
}

fn parse_publisher(value: &str) -> Result<PublisherId, String> {
    PublisherId::parse(value).map_err(|e| e.message)
}

fn parse_committee(value: &str) -> Result<CommitteeId, String> {
    CommitteeId::parse(value).map_err(|e| e.message)
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("hdab: {message}");
            return ExitCode::from(2);
        }
    };
    crate::shell::telemetry::init_logging(&settings);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => migrate(&settings),
        Command::Openapi => print_openapi(),
        Command::Seed(args) => seed(&settings, &args),
        Command::Export(args) => export(&settings, &args),
        Command::Token(args) => print_token(&settings, args),
        Command::Keys(KeysCommand::Rotate) => {
            crate::shell::admin::rotate_keys(&settings).map(|kid| {
                println!("the current visa-signing key is now {kid}");
            })
        }
        Command::Audit(AuditCommand::Verify) => {
            crate::shell::admin::verify_audit(&settings).map(|report| println!("{report}"))
        }
        Command::Harvest(args) => {
            crate::shell::admin::harvest(settings, &args.source).map(|report| println!("{report}"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hdab: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let started = crate::shell::server::start(settings)?;
        let served = started.server.await;
        // The server has finished the requests in flight; the runner finishes its round.
        started.runner.stop().await;
        served?;
        tracing::info!("hdab stopped");
        Ok(())
    })
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    crate::shell::server::open_database(settings)?;
    println!(
        "the {} database is up to date",
        settings.database.backend_name()
    );
    Ok(())
}

fn seed(settings: &Settings, args: &SeedArgs) -> anyhow::Result<()> {
    let pool = crate::shell::server::open_database(settings)?;
    let started = std::time::Instant::now();
    let now = hdab_persistence::now();
    if let Some(count) = args.applications {
        let added = crate::shell::seed::applications(&pool, &settings.applications, count, now)
            .map_err(|e| anyhow::anyhow!("seeding applications failed: {e}"))?;
        println!(
            "added {added} applications in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let report = match args.synthetic {
        Some(count) => crate::shell::seed::synthetic(&pool, count, now),
        None => crate::shell::seed::demo(&pool, now),
    }
    .map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
    println!(
        "added {} publishers, {} committees, {} datasets ({} already there) in {:.1} s",
        report.publishers,
        report.committees,
        report.datasets,
        report.skipped,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn export(settings: &Settings, args: &ExportArgs) -> anyhow::Result<()> {
    let pool = crate::shell::server::open_database(settings)?;
    let identity = settings.catalogue_identity();
    let started = std::time::Instant::now();
    let out: Box<dyn std::io::Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let count = crate::projections::export::export_catalogue(
        &pool,
        &identity,
        args.format,
        std::io::BufWriter::with_capacity(1 << 20, out),
    )
    .map_err(|e| anyhow::anyhow!("export failed: {e}"))?;
    let peak_mb =
        crate::projections::export::peak_rss_bytes().map_or(-1.0, |b| b as f64 / 1_048_576.0);
    eprintln!(
        "exported {count} datasets in {:.2} s, peak RSS {peak_mb:.1} MB",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn print_openapi() -> anyhow::Result<()> {
    println!("{}", crate::edge::app::openapi_document().to_pretty_json()?);
    Ok(())
}

fn print_token(settings: &Settings, args: TokenArgs) -> anyhow::Result<()> {
    if settings.auth.mode != AuthMode::Development {
        anyhow::bail!(
            "hdab token works only in development mode; HDAB_AUTH_ISSUER is set, so tokens come from that issuer"
        );
    }
    let max = settings.auth.dev_token_max_ttl;
    if args.ttl > max {
        anyhow::bail!(
            "--ttl {} is longer than development tokens may live ({}); set HDAB_DEV_TOKEN_MAX_TTL_SECS to allow more",
            humantime::format_duration(args.ttl),
            humantime::format_duration(max)
        );
    }
    let key = DevKey::load_or_create(&settings.data_dir).map_err(anyhow::Error::msg)?;
    let request = TokenRequest {
        subject: args.sub,
        roles: args.roles,
        publishers: args.publishers.iter().map(ToString::to_string).collect(),
        committees: args.committees.iter().map(ToString::to_string).collect(),
        ttl: args.ttl,
    };
    let token = key
        .issue(&request, &settings.auth.audience, &settings.auth.claims)
        .map_err(anyhow::Error::msg)?;
    println!("{token}");
    Ok(())
}
