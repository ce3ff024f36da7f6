//! What every benchmark of `hdab-bench` shares: running the release `hdab` beside it, a load
//! generator, and the machine's description.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Requests made under load and how long each took.
#[derive(Default)]
pub struct Load {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub latencies_us: Vec<u64>,
}

impl Load {
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[index] as f64 / 1000.0
    }

    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// A benchmark's data directory: the one asked for (kept), or a temporary one removed when the
/// benchmark ends, also when it fails midway. Opening it prints the machine and the directory.
pub struct DataDir {
    path: std::path::PathBuf,
    temporary: bool,
}

impl DataDir {
    pub fn open(kept: Option<&std::path::PathBuf>, bench: &str) -> anyhow::Result<Self> {
        let (path, temporary) = match kept {
            Some(path) => (path.clone(), false),
            None => (
                std::env::temp_dir().join(format!("hdab-bench-{bench}-{}", std::process::id())),
                true,
            ),
        };
        std::fs::create_dir_all(&path)?;
        println!("machine: {}", machine());
        println!("data directory: {}", path.display());
        Ok(Self { path, temporary })
    }
}

impl std::ops::Deref for DataDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

pub fn env_for(command: &mut Command, dir: &Path) {
    command
        .env("HDAB_DATA_DIR", dir)
        .env("HDAB_LOG_LEVEL", "warn")
        .env_remove("HDAB_DATABASE_URL");
}

/// A development token from `hdab token ARGS` (the last line it prints).
pub fn token(hdab: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new(hdab);
    env_for(&mut command, dir);
    let output = command.arg("token").args(args).output()?;
    if !output.status.success() {
        bail!(
            "hdab token failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout.lines().last().unwrap_or_default().to_owned())
}

/// A development token of the bench's administrator.
pub fn admin_token(hdab: &Path, dir: &Path) -> anyhow::Result<String> {
    token(
        hdab,
        dir,
        &["--sub", "admin@bench.example", "--role", "hdab_admin"],
    )
}

/// Runs `hdab ARGS` to completion; returns what it wrote to standard error.
pub fn run(hdab: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
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

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub fn serve(hdab: &Path, dir: &Path, port: u16) -> anyhow::Result<Child> {
    serve_with(hdab, dir, port, &[])
}

/// [`serve`] with more environment (`HDAB_...` settings).
pub fn serve_with(
    hdab: &Path,
    dir: &Path,
    port: u16,
    env: &[(&str, String)],
) -> anyhow::Result<Child> {
    let mut command = Command::new(hdab);
    env_for(&mut command, dir);
    command.envs(env.iter().map(|(name, value)| (*name, value.as_str())));
    Ok(command
        .arg("serve")
        .env("HDAB_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

/// The server under test; stopped when dropped, also when the benchmark fails midway.
pub struct Server(pub Child);

/// The peak resident memory of `server` so far (`VmHWM`), in KiB.
pub fn server_peak_rss(server: &Server) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn wait_ready(base: &str) -> anyhow::Result<()> {
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

/// One request of a load: a URL, and the token and `Accept` header to send with it; with a
/// JSON body, a POST.
#[derive(Debug, Clone)]
pub struct Probe {
    pub url: String,
    pub token: Option<String>,
    pub accept: Option<&'static str>,
    pub body: Option<Arc<str>>,
    /// A read sent once the request succeeded, as part of it: it fails the probe unless it
    /// finds the text (a search that must find what the request just wrote).
    pub then_find: Option<Arc<FollowUp>>,
}

/// A GET whose answer must contain `text`.
#[derive(Debug)]
pub struct FollowUp {
    pub url: String,
    pub text: String,
}

impl Probe {
    pub fn get(url: String) -> Self {
        Self {
            url,
            token: None,
            accept: None,
            body: None,
            then_find: None,
        }
    }

    /// A POST of `body` (JSON) with `token`.
    pub fn post(url: String, token: &str, body: String) -> Self {
        Self {
            body: Some(body.into()),
            ..Self::with_token(url, token)
        }
    }

    pub fn with_token(url: String, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..Self::get(url)
        }
    }
}

/// `concurrency` clients send `probes` in turn, back to back, for `duration`. The clients are
/// spread over one thread per core, each with a runtime and connection pool of its own: on one
/// thread the load generator, not hdab, set the trivial endpoint's ceiling (half of wrk's).
pub async fn load(
    probes: &[Probe],
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<Load> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(concurrency.max(1));
    let probes = Arc::new(probes.to_vec());
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|thread| {
            let probes = Arc::clone(&probes);
            let clients: Vec<usize> = (thread..concurrency).step_by(threads).collect();
            std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(clients_of_thread(
                    probes,
                    clients,
                    concurrency,
                    deadline,
                ))
            })
        })
        .collect();
    let mut parts = Vec::with_capacity(threads);
    for handle in handles {
        parts.push(
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a load thread panicked"))??,
        );
    }
    Ok(Load::of(parts, started))
}

/// The clients numbered `clients` (of `concurrency`), on this thread's runtime, until
/// `deadline`: their latencies and errors.
async fn clients_of_thread(
    probes: Arc<Vec<Probe>>,
    clients: Vec<usize>,
    concurrency: usize,
    deadline: Instant,
) -> anyhow::Result<(Vec<u64>, usize)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients.len())
        .build()?;
    let workers: Vec<_> = clients
        .into_iter()
        .map(|first| {
            let client = client.clone();
            let probes = Arc::clone(&probes);
            actix_web::rt::spawn(async move {
                one_client(&client, &probes, first, concurrency, deadline).await
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (mine, my_errors) = worker.await?;
        latencies.extend(mine);
        errors += my_errors;
    }
    Ok((latencies, errors))
}

/// Client number `first` of `stride`: every `stride`th probe from its own, back to back,
/// until `deadline`. No two clients send one probe until every probe was sent (a publish of
/// one dataset is a probe that succeeds once).
async fn one_client(
    client: &reqwest::Client,
    probes: &[Probe],
    first: usize,
    stride: usize,
    deadline: Instant,
) -> (Vec<u64>, usize) {
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut next = first;
    while Instant::now() < deadline {
        let probe = &probes[next % probes.len()];
        next += stride;
        let mut request = match &probe.body {
            Some(body) => client
                .post(&probe.url)
                .header("Content-Type", "application/json")
                .body(body.to_string()),
            None => client.get(&probe.url),
        };
        if let Some(token) = &probe.token {
            request = request.bearer_auth(token);
        }
        if let Some(accept) = probe.accept {
            request = request.header("Accept", accept);
        }
        let sent = Instant::now();
        let succeeded = match request.send().await {
            Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
            _ => false,
        };
        let found = match (&probe.then_find, succeeded) {
            (Some(follow_up), true) => finds(client, follow_up, probe.token.as_deref()).await,
            (_, succeeded) => succeeded,
        };
        if found {
            latencies.push(sent.elapsed().as_micros() as u64);
        } else {
            errors += 1;
        }
    }
    (latencies, errors)
}

/// Whether `follow_up`'s GET succeeds and its answer contains its text.
async fn finds(client: &reqwest::Client, follow_up: &FollowUp, token: Option<&str>) -> bool {
    let mut request = client.get(&follow_up.url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => response
            .text()
            .await
            .is_ok_and(|body| body.contains(&follow_up.text)),
        _ => false,
    }
}

/// The latencies and errors of `workers`, sorted, over the time since `started`.
pub async fn collect(
    workers: Vec<actix_web::rt::task::JoinHandle<(Vec<u64>, usize)>>,
    started: Instant,
) -> anyhow::Result<Load> {
    let mut parts = Vec::with_capacity(workers.len());
    for worker in workers {
        parts.push(worker.await?);
    }
    Ok(Load::of(parts, started))
}

impl Load {
    /// The load of several clients' (latencies, errors), since `started`.
    fn of(parts: impl IntoIterator<Item = (Vec<u64>, usize)>, started: Instant) -> Self {
        let mut latencies_us = Vec::new();
        let mut errors = 0;
        for (latencies, part_errors) in parts {
            latencies_us.extend(latencies);
            errors += part_errors;
        }
        latencies_us.sort_unstable();
        Load {
            requests: latencies_us.len(),
            errors,
            seconds: started.elapsed().as_secs_f64(),
            latencies_us,
        }
    }
}

/// The release `hdab` beside this binary.
pub fn hdab_binary() -> anyhow::Result<std::path::PathBuf> {
    let hdab = std::env::current_exe()?.with_file_name("hdab");
    if !hdab.is_file() {
        bail!(
            "{} not found: build it with `cargo build --release` first",
            hdab.display()
        );
    }
    Ok(hdab)
}

/// A table row of a load: rate, median and 99th percentile.
pub fn row(what: &str, load: &Load) -> String {
    format!(
        "| {what} | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors |",
        load.rate(),
        load.percentile_ms(0.50),
        load.percentile_ms(0.99),
        load.errors
    )
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
