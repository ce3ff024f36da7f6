//! A PostgreSQL cluster of one test's own, for tests that stop, restart or freeze the server
//! under a running hdab: the shared test server must not be disturbed. Built from Debian's
//! server binaries (`/usr/lib/postgresql/*/bin`), run as the `postgres` user when the tests run
//! as root (initdb refuses root), on a free loopback port.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

/// A running throwaway cluster; stopped and removed when dropped.
pub struct PostgresCluster {
    bin: PathBuf,
    root: TempDir,
    port: u16,
    as_postgres: bool,
}

impl PostgresCluster {
    /// Starts a cluster, or returns `None` (saying why) when PostgreSQL's server binaries are
    /// not installed, unless `HDAB_TEST_REQUIRE_POSTGRES` is set: then that fails the test.
    pub fn start() -> Option<Self> {
        let cluster = Self::init()?;
        cluster.start_again();
        Some(cluster)
    }

    /// Creates a cluster without starting it, so a test can configure it first
    /// ([`PostgresCluster::install_file`], [`PostgresCluster::configure`]).
    pub fn init() -> Option<Self> {
        let Some(bin) = server_binaries() else {
            assert!(
                std::env::var_os("HDAB_TEST_REQUIRE_POSTGRES").is_none(),
                "PostgreSQL's server binaries (initdb, pg_ctl) are required but not installed"
            );
            eprintln!("PostgreSQL server binaries not installed: cluster test skipped");
            return None;
        };
        let root = TempDir::new().expect("temporary directory");
        let as_postgres = running_as_root();
        if as_postgres {
            run("chown", &["postgres:postgres", &path_str(root.path())]);
        }
        let cluster = Self {
            bin,
            root,
            port: free_port(),
            as_postgres,
        };
        let data = cluster.data_dir();
        cluster.pg(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        );
        Some(cluster)
    }

    /// Writes `contents` to `name` in the data directory, owned by the server's user, with
    /// `mode` (a private key must be 0600 or the server refuses it).
    pub fn install_file(&self, name: &str, contents: &[u8], mode: u32) -> PathBuf {
        let path = Path::new(&self.data_dir()).join(name);
        std::fs::write(&path, contents).expect("write into the data directory");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .expect("set the file's mode");
        }
        if self.as_postgres {
            run("chown", &["postgres:postgres", &path_str(&path)]);
        }
        path
    }

    /// Appends settings to `postgresql.conf` (before the server starts).
    pub fn configure(&self, settings: &str) {
        let conf = Path::new(&self.data_dir()).join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push('\n');
        text.push_str(settings);
        text.push('\n');
        std::fs::write(&conf, text).expect("write postgresql.conf");
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// One cluster for the whole test process, started on first use. Statics are never
    /// dropped, so a watchdog process stops the cluster and removes its files once the test
    /// process has exited.
    pub fn shared() -> Option<&'static PostgresCluster> {
        static SHARED: OnceLock<Option<PostgresCluster>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let cluster = Self::start()?;
                cluster.stop_when_process_exits(std::process::id());
                Some(cluster)
            })
            .as_ref()
    }

    fn stop_when_process_exits(&self, pid: u32) {
        let pg_ctl = path_str(&self.bin.join("pg_ctl"));
        let stop = format!("{pg_ctl} -D {} -m immediate stop", self.data_dir());
        let stop = if self.as_postgres {
            format!("runuser -u postgres -- {stop}")
        } else {
            stop
        };
        let root = path_str(self.root.path());
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {root}"
        );
        #[expect(
            clippy::zombie_processes,
            reason = "the watchdog outlives this process on purpose; init reaps it"
        )]
        let _watchdog = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the cluster's watchdog");
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the stopped cluster on the same port and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=off -c max_connections=200",
            self.port,
            path_str(self.root.path())
        );
        let log = format!("{}/server.log", path_str(self.root.path()));
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir(),
                "-l",
                &log,
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server as an operator's restart does (`-m fast`: sessions are terminated).
    pub fn stop(&self) {
        self.pg(
            "pg_ctl",
            &["-D", &self.data_dir(), "-m", "fast", "-w", "stop"],
        );
    }

    /// Freezes every server process (SIGSTOP): the server keeps its sockets open and answers
    /// nothing, as a hung host or a stalled disk does.
    pub fn freeze(&self) {
        self.signal_all("-STOP");
    }

    /// Lets frozen server processes run again (SIGCONT).
    pub fn thaw(&self) {
        self.signal_all("-CONT");
    }

    fn signal_all(&self, signal: &str) {
        let pids = self.server_pids();
        let mut args = vec![signal];
        args.extend(pids.iter().map(String::as_str));
        run("kill", &args);
    }

    /// The postmaster and its children.
    fn server_pids(&self) -> Vec<String> {
        let pid_file = Path::new(&self.data_dir()).join("postmaster.pid");
        let postmaster = std::fs::read_to_string(&pid_file)
            .expect("postmaster.pid")
            .lines()
            .next()
            .expect("postmaster pid")
            .trim()
            .to_owned();
        let mut pids = vec![postmaster.clone()];
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // `pid (comm) state ppid ...`; comm may hold spaces, so read after the last ')'.
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1));
            if parent == Some(postmaster.as_str()) {
                pids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        pids
    }

    fn data_dir(&self) -> String {
        format!("{}/data", path_str(self.root.path()))
    }

    fn pg(&self, program: &str, args: &[&str]) -> Output {
        let program = path_str(&self.bin.join(program));
        if self.as_postgres {
            let mut full = vec!["-u", "postgres", "--", program.as_str()];
            full.extend_from_slice(args);
            run("runuser", &full)
        } else {
            run(&program, args)
        }
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        self.thaw_quietly();
        let program = path_str(&self.bin.join("pg_ctl"));
        let data = self.data_dir();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--", &program])
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}

impl PostgresCluster {
    fn thaw_quietly(&self) {
        if Path::new(&self.data_dir()).join("postmaster.pid").exists() {
            let pids = self.server_pids();
            let _ = Command::new("kill").arg("-CONT").args(&pids).output();
        }
    }
}

/// The whole database at `url` as `pg_dump` writes it, when PostgreSQL's binaries are here.
pub fn dump(url: &str) -> Option<Vec<u8>> {
    let output = Command::new(server_binaries()?.join("pg_dump"))
        .args(["--dbname", url, "--no-owner"])
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

/// The newest installed PostgreSQL's server binaries.
fn server_binaries() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn run(program: &str, args: &[&str]) -> Output {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
