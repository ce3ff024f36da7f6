//! Settings: defaults, then `hdab.toml` (or `--config PATH`), then `HDAB_*` environment
//! variables. Everything is checked at start, and a bad value stops hdab with a message naming
//! the key and what it accepts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use hdab_persistence::{DatabaseUrl, Timeouts};

use hdab_domain::applications::deadlines::DeadlinePolicy;
use serde::{Deserialize, Serialize};

use self::checks::{
    check_applications, check_auth, check_database_timeouts, check_origins, check_outbound,
    check_permits, check_webhooks, parse_http_url,
};
use crate::application::Clock;
pub use crate::application::applications::ApplicationSettings;
pub use crate::application::permits::PermitSettings;
use crate::background::webhooks::WebhookSettings;
use crate::outbound::OutboundSettings;

mod checks;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The configuration as written; see [`Settings`] for the checked form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    bind: SocketAddr,
    metrics_bind: Option<SocketAddr>,
    cors_allowed_origins: Option<String>,
    data_dir: PathBuf,
    database_url: Option<String>,
    database_pool_size: u32,
    database_connect_timeout_secs: u64,
    database_statement_timeout_secs: u64,
    readiness_timeout_secs: u64,
    log_format: LogFormat,
    log_level: String,
    max_body_bytes: usize,
    max_bulk_body_bytes: usize,
    harvest_max_bytes: usize,
    shutdown_timeout_secs: u64,
    workers: Option<usize>,
    auth_issuer: Option<String>,
    auth_jwks_url: Option<String>,
    auth_audience: String,
    auth_roles_claim: String,
    auth_publishers_claim: String,
    auth_committees_claim: String,
    auth_leeway_secs: u64,
    auth_jwks_min_refresh_secs: u64,
    auth_jwks_timeout_secs: u64,
    dev_token_max_ttl_secs: u64,
    dev_allow_remote: bool,
    demo_on_first_start: bool,
    public_url: Option<String>,
    hdab_name: String,
    hdab_contact_email: String,
    index_dir: Option<PathBuf>,
    audit_key_file: Option<PathBuf>,
    audit_checkpoint_interval_secs: u64,
    outbound_connect_timeout_secs: u64,
    outbound_timeout_secs: u64,
    outbound_retries: u32,
    outbound_allow_private: bool,
    outbound_allowed_hosts: Option<String>,
    deadline_completeness_days: u32,
    deadline_decision_months: u32,
    deadline_extension_months: u32,
    deadline_accelerated_decision_months: u32,
    deadline_accelerated_extension_months: u32,
    deadline_data_request_months: u32,
    deadline_warning_days: u32,
    deadline_check_interval_secs: u64,
    opt_out_exception: bool,
    permit_max_months: u32,
    visa_lifetime_secs: u64,
    permit_expiry_check_interval_secs: u64,
    permit_key_encryption_key_file: Option<PathBuf>,
    optout_hash_key_file: Option<PathBuf>,
    webhook_timeout_secs: u64,
    webhook_first_retry_secs: u64,
    webhook_give_up_hours: u64,
}

impl Default for RawSettings {
    fn default() -> Self {
        let deadlines = DeadlinePolicy::default();
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_bind: None,
            cors_allowed_origins: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_pool_size: 8,
            database_connect_timeout_secs: 2,
            database_statement_timeout_secs: 5,
            readiness_timeout_secs: 2,
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            max_body_bytes: 1024 * 1024,
            max_bulk_body_bytes: 16 * 1024 * 1024,
            harvest_max_bytes: 64 * 1024 * 1024,
            shutdown_timeout_secs: 30,
            workers: None,
            auth_issuer: None,
            auth_jwks_url: None,
            auth_audience: "hdab".into(),
            auth_roles_claim: "roles".into(),
            auth_publishers_claim: "publishers".into(),
            auth_committees_claim: "committees".into(),
            auth_leeway_secs: 30,
            auth_jwks_min_refresh_secs: 10,
            auth_jwks_timeout_secs: 5,
            dev_token_max_ttl_secs: 30 * 24 * 3600,
            dev_allow_remote: false,
            demo_on_first_start: true,
            public_url: None,
            hdab_name: "Health Data Access Body".into(),
            hdab_contact_email: "hdab@example.org".into(),
            index_dir: None,
            audit_key_file: None,
            audit_checkpoint_interval_secs: 3600,
            outbound_connect_timeout_secs: 5,
            outbound_timeout_secs: 30,
            outbound_retries: 2,
            outbound_allow_private: false,
            outbound_allowed_hosts: None,
            deadline_completeness_days: deadlines.completeness_days,
            deadline_decision_months: deadlines.decision_months,
            deadline_extension_months: deadlines.extension_months,
            deadline_accelerated_decision_months: deadlines.accelerated_decision_months,
            deadline_accelerated_extension_months: deadlines.accelerated_extension_months,
            deadline_data_request_months: deadlines.data_request_months,
            deadline_warning_days: deadlines.warning_days,
            deadline_check_interval_secs: 60,
            opt_out_exception: false,
            permit_max_months: hdab_domain::permits::PermitPolicy::default().max_months,
            visa_lifetime_secs: 3600,
            permit_expiry_check_interval_secs: 60,
            permit_key_encryption_key_file: None,
            optout_hash_key_file: None,
            webhook_timeout_secs: 10,
            webhook_first_retry_secs: 5,
            webhook_give_up_hours: 24,
        }
    }
}

/// How callers are authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    /// No issuer configured: hdab signs its own tokens (`hdab token`) with a key kept in the
    /// data directory. For trying hdab out and for tests, never for production.
    Development,
    /// Tokens from an OIDC provider, checked against its published keys.
    Oidc {
        issuer: String,
        /// Where the keys are; when not configured, found through the issuer's discovery
        /// document (`/.well-known/openid-configuration`).
        jwks_url: Option<url::Url>,
    },
}

/// Where in a token's claims roles and scopes are; dotted paths reach into nested objects
/// (`realm_access.roles` for Keycloak).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    pub roles: String,
    pub publishers: String,
    pub committees: String,
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub mode: AuthMode,
    pub audience: String,
    pub claims: ClaimNames,
    pub leeway_secs: u64,
    pub jwks_min_refresh_secs: u64,
    /// The longest a fetch of the issuer's keys may take, and a request may wait for one.
    pub jwks_timeout: Duration,
    /// The longest lifetime of a development token (development mode only).
    pub dev_token_max_ttl: Duration,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    /// Where `/metrics` is served instead of on `bind`, e.g. an address only the monitoring
    /// network reaches.
    pub metrics_bind: Option<SocketAddr>,
    /// Browser origins (`https://portal.example.eu`) whose pages may call hdab, with
    /// credentials; none by default (same origin only).
    pub cors_allowed_origins: Vec<String>,
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    pub database_pool_size: u32,
    pub database_timeouts: Timeouts,
    /// How long `/health/ready` waits for the database before answering 503.
    pub readiness_timeout: Duration,
    pub log_format: LogFormat,
    pub log_level: String,
    pub max_body_bytes: usize,
    /// The largest body of a bulk call (1,000 datasets of about 2 KB each, with room).
    pub max_bulk_body_bytes: usize,
    /// The largest catalogue page or description a harvest reads.
    pub harvest_max_bytes: usize,
    pub shutdown_timeout_secs: u64,
    pub workers: Option<usize>,
    pub auth: AuthSettings,
    /// The URL clients reach hdab at; catalogue IRIs are built from it.
    pub public_url: String,
    /// The HDAB named in every dataset description (`healthdcatap:hdab`).
    pub hdab_name: String,
    pub hdab_contact_email: String,
    /// Where the search index lives (derived from the database; safe to delete).
    pub index_dir: PathBuf,
    /// Development mode only: load the demo catalogue when hdab first starts on an empty
    /// database, so there is something to see.
    pub demo_on_first_start: bool,
    /// The key that signs the event log's checkpoints; never in the database.
    pub audit_key_file: PathBuf,
    /// How hdab calls other systems: timeouts, retries, the address policy.
    pub outbound: OutboundSettings,
    /// How often a checkpoint of the event log is signed (when the log moved); `None`: never
    /// on a timer, only on demand.
    pub audit_checkpoint_interval: Option<Duration>,
    pub applications: ApplicationSettings,
    pub permits: PermitSettings,
    /// How webhooks are delivered: attempt timeout, retry backoff, when to give up.
    pub webhooks: WebhookSettings,
    /// The key that seals the visa-signing keys stored in the database; never in the database.
    pub permit_key_encryption_key_file: PathBuf,
    /// The key of the opt-out registry's hashes (HMAC-SHA-256); never in the database.
    pub optout_hash_key_file: PathBuf,
    /// The clock of every rule; tests move it.
    pub clock: Clock,
}

/// The configuration file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "hdab.toml";

impl Settings {
    /// Reads the configuration. An explicit `config_file` must exist; the default one may not.
    pub fn load(config_file: Option<&Path>) -> Result<Self, String> {
        let mut figment = Figment::from(Serialized::defaults(RawSettings::default()));
        match config_file {
            Some(path) if !path.is_file() => {
                return Err(format!(
                    "the configuration file {} does not exist",
                    path.display()
                ));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
            }
            None => {}
        }
        // HDAB_TEST_* variables configure the test suite, not the service.
        let env = Env::prefixed("HDAB_")
            .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_"));
        let raw: RawSettings = figment.merge(env).extract().map_err(describe_errors)?;
        Self::check(raw)
    }

    /// Settings for a test or a tool: the defaults with a given data directory and database,
    /// starting empty (no demo catalogue).
    pub fn for_data_dir(data_dir: &Path, database_url: Option<&str>) -> Result<Self, String> {
        Self::check(RawSettings {
            data_dir: data_dir.to_owned(),
            database_url: database_url.map(str::to_owned),
            demo_on_first_start: false,
            ..RawSettings::default()
        })
    }

    fn check(raw: RawSettings) -> Result<Self, String> {
        let database_url = raw
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", raw.data_dir.join("hdab.sqlite").display()));
        let database = DatabaseUrl::parse(&database_url)
            .map_err(|rule| format!("HDAB_DATABASE_URL (database_url) {rule}"))?;
        if raw.database_pool_size == 0 {
            return Err("HDAB_DATABASE_POOL_SIZE (database_pool_size) must be at least 1".into());
        }
        let database_timeouts = check_database_timeouts(&raw)?;
        if raw.readiness_timeout_secs == 0 {
            return Err(
                "HDAB_READINESS_TIMEOUT_SECS (readiness_timeout_secs) must be at least 1".into(),
            );
        }
        if raw.max_body_bytes < 1024 {
            return Err("HDAB_MAX_BODY_BYTES (max_body_bytes) must be at least 1024".into());
        }
        if raw.max_bulk_body_bytes < raw.max_body_bytes {
            return Err("HDAB_MAX_BULK_BODY_BYTES (max_bulk_body_bytes) must be at least HDAB_MAX_BODY_BYTES".into());
        }
        if raw.workers == Some(0) {
            return Err("HDAB_WORKERS (workers) must be at least 1 when set".into());
        }
        tracing_subscriber::EnvFilter::try_new(&raw.log_level).map_err(|e| {
            format!("HDAB_LOG_LEVEL (log_level) must be a level such as info or a filter such as hdab=debug,info: {e}")
        })?;
        let auth = check_auth(&raw)?;
        if auth.mode == AuthMode::Development
            && !raw.bind.ip().is_loopback()
            && !raw.dev_allow_remote
        {
            return Err(format!(
                "HDAB_BIND (bind) is {}, but development mode (no HDAB_AUTH_ISSUER) signs its own \
                 tokens with a key anyone who can read the data directory can use: bind a \
                 loopback address, configure HDAB_AUTH_ISSUER, or set HDAB_DEV_ALLOW_REMOTE=true \
                 (dev_allow_remote in hdab.toml) to serve other hosts anyway",
                raw.bind
            ));
        }
        let public_url = match &raw.public_url {
            Some(url) => parse_http_url(url, "HDAB_PUBLIC_URL (public_url)")?
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            None => format!("http://{}", raw.bind),
        };
        if raw.dev_token_max_ttl_secs == 0 {
            return Err(
                "HDAB_DEV_TOKEN_MAX_TTL_SECS (dev_token_max_ttl_secs) must be at least 1".into(),
            );
        }
        if raw.hdab_name.trim().is_empty() {
            return Err("HDAB_HDAB_NAME (hdab_name) must not be empty".into());
        }
        hdab_domain::values::Email::parse(&raw.hdab_contact_email)
            .map_err(|e| format!("HDAB_HDAB_CONTACT_EMAIL (hdab_contact_email) {}", e.message))?;
        let index_dir = raw
            .index_dir
            .clone()
            .unwrap_or_else(|| raw.data_dir.join("index"));
        let audit_key_file = raw
            .audit_key_file
            .clone()
            .unwrap_or_else(|| raw.data_dir.join("audit-signing-key.pem"));
        let audit_checkpoint_interval = (raw.audit_checkpoint_interval_secs > 0)
            .then(|| Duration::from_secs(raw.audit_checkpoint_interval_secs));
        let outbound = check_outbound(&raw)?;
        let applications = check_applications(&raw)?;
        let secrets = raw.data_dir.join("secrets");
        Ok(Self {
            outbound,
            permits: check_permits(&raw, &applications)?,
            webhooks: check_webhooks(&raw)?,
            applications,
            permit_key_encryption_key_file: raw
                .permit_key_encryption_key_file
                .clone()
                .unwrap_or_else(|| secrets.join("permit-key-encryption.key")),
            optout_hash_key_file: raw
                .optout_hash_key_file
                .clone()
                .unwrap_or_else(|| secrets.join("optout-hash.key")),
            clock: Clock::default(),
            demo_on_first_start: raw.demo_on_first_start,
            audit_key_file,
            audit_checkpoint_interval,
            public_url,
            hdab_name: raw.hdab_name.clone(),
            hdab_contact_email: raw.hdab_contact_email.clone(),
            index_dir,
            bind: raw.bind,
            metrics_bind: raw.metrics_bind,
            cors_allowed_origins: check_origins(raw.cors_allowed_origins.as_deref())?,
            data_dir: raw.data_dir,
            database,
            database_pool_size: raw.database_pool_size,
            database_timeouts,
            readiness_timeout: Duration::from_secs(raw.readiness_timeout_secs),
            log_format: raw.log_format,
            log_level: raw.log_level,
            max_body_bytes: raw.max_body_bytes,
            max_bulk_body_bytes: raw.max_bulk_body_bytes,
            harvest_max_bytes: raw.harvest_max_bytes,
            shutdown_timeout_secs: raw.shutdown_timeout_secs,
            workers: raw.workers,
            auth,
        })
    }

    /// Who runs this catalogue, as its RDF descriptions say.
    pub fn catalogue_identity(&self) -> crate::projections::rdf::CatalogueIdentity {
        crate::projections::rdf::CatalogueIdentity::new(
            &self.public_url,
            &self.hdab_name,
            &self.hdab_contact_email,
        )
    }

    /// The longest a request waits for its database work (a free connection, then its
    /// statements) before it answers 503, so a hung database cannot hold callers.
    pub fn database_deadline(&self) -> Duration {
        self.database_timeouts.connect + self.database_timeouts.statement
    }

    /// Replaces the authentication mode (tests and embedding).
    pub fn with_auth_mode(mut self, mode: AuthMode) -> Self {
        self.auth.mode = mode;
        self
    }
}

/// Names each bad key both ways it can be set, and where the bad value came from.
fn describe_errors(errors: figment::Error) -> String {
    let lines: Vec<String> = errors
        .into_iter()
        .map(|error| {
            let key = error.path.join(".").to_ascii_lowercase();
            let source = error
                .metadata
                .as_ref()
                .map(|m| format!(" (from {})", m.name))
                .unwrap_or_default();
            if key.is_empty() {
                format!("{}{source}", error.kind)
            } else {
                let env = format!("HDAB_{}", key.to_ascii_uppercase());
                format!("{env} ({key} in hdab.toml): {}{source}", error.kind)
            }
        })
        .collect();
    format!("invalid configuration: {}", lines.join("; "))
}

#[cfg(test)]
mod tests;
