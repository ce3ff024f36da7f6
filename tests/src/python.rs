//! Independent implementations in Python (PyJWT, standardwebhooks) that check what hdab
//! produces. A check is skipped where Python or its package is missing, unless
//! `HDAB_TEST_REQUIRE_PYJWT` says it must run (as in CI, which installs them).

/// Runs `script` with `args` under `HDAB_TEST_PYTHON` (default `python3`) and returns its
/// standard output; `None` when the check is skipped; panics when it runs and fails.
pub async fn run(script: &'static str, args: Vec<String>, module: &str) -> Option<Vec<u8>> {
    let python = std::env::var("HDAB_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = actix_web::rt::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg("-c")
            .arg(script)
            .args(args)
            .output()
    })
    .await
    .expect("the Python check ran to its end");
    let required = std::env::var_os("HDAB_TEST_REQUIRE_PYJWT").is_some();
    let missing = format!("No module named '{module}'");
    match output {
        Ok(out) if out.status.success() => Some(out.stdout),
        Ok(out) if !required && String::from_utf8_lossy(&out.stderr).contains(&missing) => {
            eprintln!(
                "the Python package {module} is not installed: the independent check is skipped"
            );
            None
        }
        Ok(out) => panic!(
            "the independent check ({module}) refuses: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(error) if !required => {
            eprintln!("no Python ({error}): the independent check is skipped");
            None
        }
        Err(error) => panic!("HDAB_TEST_REQUIRE_PYJWT is set but Python cannot run: {error}"),
    }
}
