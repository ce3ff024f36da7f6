//! Decides whether the PostgreSQL variants of the tests can run here: when a server is named
//! (`HDAB_TEST_POSTGRES_URL`) or PostgreSQL's server binaries are installed (the tests then
//! start a throwaway cluster themselves). Otherwise they are compiled as ignored, with the
//! reason, so `cargo test` reports them as ignored rather than as passes. Tests that need a
//! cluster of their own (to stop or freeze it) need the binaries.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(hdab_test_postgres)");
    println!("cargo::rustc-check-cfg=cfg(hdab_test_postgres_binaries)");
    println!("cargo::rerun-if-env-changed=HDAB_TEST_POSTGRES_URL");
    // Decide again when PostgreSQL is installed or removed. A path that does not exist would
    // make cargo rerun this (and rebuild the tests) every time, so only existing ones are
    // watched: the server directory, or Debian's package database until there is one.
    for watched in ["/usr/lib/postgresql", "/var/lib/dpkg/status"] {
        if std::path::Path::new(watched).exists() {
            println!("cargo::rerun-if-changed={watched}");
            break;
        }
    }
    let server_named = std::env::var_os("HDAB_TEST_POSTGRES_URL").is_some();
    let binaries = server_binaries_installed();
    if server_named || binaries {
        println!("cargo::rustc-cfg=hdab_test_postgres");
    }
    // Tests that stop, restart or freeze a server need a cluster of their own.
    if binaries {
        println!("cargo::rustc-cfg=hdab_test_postgres_binaries");
    }
}

fn server_binaries_installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions.flatten().any(|version| {
            let bin = version.path().join("bin");
            bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()
        })
    })
}
