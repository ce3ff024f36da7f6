//! Harness for hdab's black-box tests: a fresh database per test (SQLite always, PostgreSQL
//! when `HDAB_TEST_POSTGRES_URL` is set), the real server on a free loopback port, and tokens.
#![expect(
    clippy::expect_used,
    reason = "a harness that cannot set up must stop the test loudly"
)]

pub mod applications;
pub mod cluster;
pub mod fixtures;
pub mod permits;
pub mod python;

use std::net::SocketAddr;

use actix_web::dev::ServerHandle;
use diesel::{Connection, RunQueryDsl};
use hdab_api::edge::auth::dev::{DevKey, TokenRequest};
use hdab_api::shell::config::Settings;
use hdab_domain::auth::Role;
use hdab_persistence::{DatabaseUrl, Pool};
use serde_json::Value;
use tempfile::TempDir;

/// Names the PostgreSQL server the tests may create databases on, e.g.
/// `postgres://postgres@127.0.0.1:5433/postgres`.
pub const POSTGRES_URL_VAR: &str = "HDAB_TEST_POSTGRES_URL";

/// A database of its own for one test, removed afterwards.
pub struct TestDatabase {
    url: String,
    _dir: TempDir,
    postgres: Option<PostgresDatabase>,
}

struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = TempDir::new().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("hdab.sqlite").display());
        Self {
            url,
            _dir: dir,
            postgres: None,
        }
    }

    /// Every byte the database holds: SQLite's file and its write-ahead log, or PostgreSQL's
    /// `pg_dump`. For checks that something is stored nowhere.
    pub fn contents(&self) -> Vec<u8> {
        match self.url.strip_prefix("sqlite://") {
            Some(path) => ["", "-wal"]
                .iter()
                .filter_map(|suffix| std::fs::read(format!("{path}{suffix}")).ok())
                .flatten()
                .collect(),
            None => cluster::dump(&self.url).expect("pg_dump of the test database"),
        }
    }

    /// A new database on the server named by `HDAB_TEST_POSTGRES_URL`, or else on a throwaway
    /// cluster this test process starts (when PostgreSQL's server binaries are installed).
    /// `None` when neither is there, unless `HDAB_TEST_REQUIRE_POSTGRES` is set (as in CI):
    /// then a missing PostgreSQL fails the test instead of skipping it.
    pub fn postgres() -> Option<Self> {
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) => url,
            Err(_) => match cluster::PostgresCluster::shared() {
                Some(cluster) => cluster.url(),
                None => {
                    assert!(
                        std::env::var_os("HDAB_TEST_REQUIRE_POSTGRES").is_none(),
                        "PostgreSQL is required (HDAB_TEST_REQUIRE_POSTGRES) but neither {POSTGRES_URL_VAR} nor its server binaries are there"
                    );
                    eprintln!("no PostgreSQL: variant skipped");
                    return None;
                }
            },
        };
        let name = format!("hdab_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(&admin_url)
            .expect("connect to the PostgreSQL test server");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create a test database");
        let mut url = url::Url::parse(&admin_url).expect("a PostgreSQL URL");
        url.set_path(&name);
        Some(Self {
            url: url.to_string(),
            _dir: TempDir::new().expect("temporary directory"),
            postgres: Some(PostgresDatabase { admin_url, name }),
        })
    }

    /// A database at `url` that the test owns whole (e.g. a [`cluster::PostgresCluster`]'s):
    /// nothing is created or dropped.
    pub fn at_url(url: String) -> Self {
        Self {
            url,
            _dir: TempDir::new().expect("temporary directory"),
            postgres: None,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// A small pool on this database, without migrations.
    pub fn pool(&self) -> Pool {
        let url = DatabaseUrl::parse(&self.url).expect("test database URL");
        hdab_persistence::db::connect(&url, 2, hdab_persistence::Timeouts::default())
            .expect("open the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(pg) = &self.postgres
            && let Ok(mut admin) = diesel::PgConnection::establish(&pg.admin_url)
        {
            // FORCE ends the server's pooled connections, which may outlive the test body.
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name))
                .execute(&mut admin);
        }
    }
}

/// Runs an async test body once per backend: `on_both_backends!(name, ...)` expects
/// `async fn name(db: TestDatabase)` and makes the tests `name::sqlite` and `name::postgres`.
/// Where PostgreSQL cannot run (no `HDAB_TEST_POSTGRES_URL`, no server binaries: see
/// `build.rs`), the PostgreSQL variants are ignored, and `cargo test` counts them so.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::TestDatabase::sqlite()).await
            }

            #[actix_web::test]
            #[cfg_attr(
                not(hdab_test_postgres),
                ignore = "PostgreSQL is not installed: apt-get install postgresql, or set HDAB_TEST_POSTGRES_URL"
            )]
            async fn postgres() {
                if let Some(db) = $crate::TestDatabase::postgres() {
                    super::$name(db).await
                }
            }
        }
    )+};
}

/// A running hdab on a free loopback port.
pub struct TestApp {
    pub addr: SocketAddr,
    runner: Option<hdab_api::background::RunnerHandle>,
    /// Where `/metrics` is served, when on an address of its own.
    pub metrics_addr: Option<SocketAddr>,
    pub client: reqwest::Client,
    pub settings: Settings,
    handle: ServerHandle,
    key: Option<DevKey>,
    _data_dir: TempDir,
    pub db: TestDatabase,
}

impl TestApp {
    pub async fn spawn(db: TestDatabase) -> Self {
        Self::spawn_with(db, |settings| settings).await
    }

    /// Spawns with settings adjusted by `adjust` (e.g. another auth mode or body limit).
    pub async fn spawn_with(db: TestDatabase, adjust: impl FnOnce(Settings) -> Settings) -> Self {
        let data_dir = TempDir::new().expect("temporary directory");
        let mut settings =
            Settings::for_data_dir(data_dir.path(), Some(db.url())).expect("test settings");
        settings.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        settings.workers = Some(1);
        settings.database_pool_size = 3;
        let settings = adjust(settings);
        let started = hdab_api::shell::server::start(settings.clone()).expect("start hdab");
        let handle = started.server.handle();
        actix_web::rt::spawn(started.server);
        let key = DevKey::load_or_create(&settings.data_dir).ok();
        let app = Self {
            addr: started.addr,
            runner: Some(started.runner),
            metrics_addr: started.metrics_addr,
            client: test_client(),
            settings,
            handle,
            key,
            _data_dir: data_dir,
            db,
        };
        app.wait_for_search_index().await;
        app
    }

    /// Waits until the search index that hdab rebuilds after it starts listening is ready
    /// (`/health/ready` stops answering `search_index_rebuilding`), as a load balancer would.
    pub async fn wait_for_search_index(&self) {
        for _ in 0..1_000 {
            let response = self
                .client
                .get(self.url("/health/ready"))
                .send()
                .await
                .expect("hdab answers /health/ready");
            if response.status() != 503 {
                return;
            }
            let problem: serde_json::Value = response.json().await.unwrap_or_default();
            if problem["code"] != "search_index_rebuilding" {
                return;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the search index was not rebuilt within 10 s");
    }

    /// Stops the server, lets `between` change its files (e.g. delete the search index), and
    /// starts it again on the same data directory and database.
    pub async fn restart(self, between: impl FnOnce(&Settings)) -> Self {
        let app = self.restart_listening(between).await;
        app.wait_for_search_index().await;
        app
    }

    /// [`TestApp::restart`], returning as soon as hdab listens: its search index may still be
    /// rebuilding.
    pub async fn restart_listening(mut self, between: impl FnOnce(&Settings)) -> Self {
        self.handle.stop(true).await;
        if let Some(runner) = self.runner.take() {
            runner.stop().await;
        }
        between(&self.settings);
        let mut settings = self.settings.clone();
        settings.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        // The stopped server's worker threads drop their state (and with it the search index's
        // writer lock) a moment after `stop` returns; a new process would not wait, this one
        // must.
        let mut attempts = 0;
        let started = loop {
            match hdab_api::shell::server::start(settings.clone()) {
                Ok(started) => break started,
                Err(error) if attempts < 50 && error.to_string().contains("lock") => {
                    attempts += 1;
                    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(error) => panic!("restart hdab: {error:?}"),
            }
        };
        let handle = started.server.handle();
        actix_web::rt::spawn(started.server);
        Self {
            addr: started.addr,
            runner: Some(started.runner),
            metrics_addr: started.metrics_addr,
            handle,
            settings,
            ..self
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A development token with `roles`, acting for `publishers`.
    pub fn token(&self, subject: &str, roles: &[Role], publishers: &[String]) -> String {
        self.token_for(subject, roles, publishers, &[])
    }

    /// A DAC member's token for `committees`.
    pub fn member_token(&self, subject: &str, committees: &[String]) -> String {
        self.token_for(subject, &[Role::DacMember], &[], committees)
    }

    /// A development token with `roles`, acting for `publishers` and sitting on `committees`.
    pub fn token_for(
        &self,
        subject: &str,
        roles: &[Role],
        publishers: &[String],
        committees: &[String],
    ) -> String {
        self.dev_key()
            .issue(
                &TokenRequest {
                    subject: subject.to_owned(),
                    roles: roles.to_vec(),
                    publishers: publishers.to_vec(),
                    committees: committees.to_vec(),
                    ttl: std::time::Duration::from_secs(600),
                },
                &self.settings.auth.audience,
                &self.settings.auth.claims,
            )
            .expect("sign a development token")
    }

    pub fn admin_token(&self) -> String {
        self.token("admin@hdab.test", &[Role::HdabAdmin], &[])
    }

    /// Signs arbitrary claims with the server's development key.
    pub fn sign(&self, claims: &Value) -> String {
        self.dev_key().sign(claims).expect("sign claims")
    }

    fn dev_key(&self) -> &DevKey {
        self.key
            .as_ref()
            .expect("the server runs in development mode")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("GET reaches the server")
    }

    /// GET without a token, for paths built on the fly.
    pub async fn get_owned(&self, path: String) -> reqwest::Response {
        self.get(&path, None).await
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request reaches the server")
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, Some(token), body)
            .await
    }

    /// Creates a publisher as admin and returns it.
    pub async fn create_publisher(&self, name: &str, country: &str) -> Value {
        let response = self
            .post(
                "/api/v1/publishers",
                &self.admin_token(),
                &publisher_body(name, country),
            )
            .await;
        assert_eq!(response.status(), 201, "creating publisher {name}");
        response.json().await.expect("publisher JSON")
    }
}

/// A valid publisher request body.
pub fn publisher_body(name: &str, country: &str) -> Value {
    serde_json::json!({
        "name": name,
        "country": country,
        "organisation_type": "academic",
        "homepage": "https://example.org",
        "contact_email": "data-access@example.org",
        "trusted_data_holder": false,
    })
}

/// Reads a problem response, checking that it is one.
pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        content_type, "application/problem+json",
        "errors are problem details"
    );
    let request_id = response.headers().get("x-request-id").cloned();
    let body: Value = response.json().await.expect("problem JSON");
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_ref().and_then(|v| v.to_str().ok()),
        "the problem names the request id of the x-request-id header"
    );
    body
}

/// A client that never reuses a connection the server may be closing: actix-web closes an idle
/// keep-alive connection after 5 s, and a test that waited about that long between two requests
/// failed now and then with `IncompleteMessage` under a loaded machine.
fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("build the test HTTP client")
}
