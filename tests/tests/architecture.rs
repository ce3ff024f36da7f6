//! The walls between hdab's module groups, held by machine (ARCHITECTURE.md): calls go edge →
//! application → (domain, persistence); projections and background read through persistence;
//! nothing calls back up into the edge; the domain does no I/O.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    found
}

/// The lines of the files under `group` (of `api/src`) that mention any of `forbidden`.
fn crossings(group: &str, forbidden: &[&str]) -> Vec<String> {
    crossings_in(&workspace().join("api/src").join(group), forbidden)
}

/// The lines (not comments) of the files under `dir` that mention any of `forbidden`.
fn crossings_in(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    sources(dir)
        .iter()
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| !line.trim_start().starts_with("//"))
                .filter(|(_, line)| forbidden.iter().any(|f| line.contains(f)))
                .map(move |(n, line)| format!("{}:{}: {}", path.display(), n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_application_layer_knows_nothing_of_http() {
    let found = crossings(
        "application",
        &[
            "actix_web",
            "actix_http",
            "utoipa",
            "hdab_openapi",
            "crate::edge",
        ],
    );
    assert!(
        found.is_empty(),
        "the application layer reaches into HTTP:\n{}",
        found.join("\n")
    );
}

#[test]
fn projections_and_background_work_do_not_call_up_into_the_edge() {
    for group in ["projections", "background"] {
        let found = crossings(group, &["crate::edge", "crate::shell"]);
        assert!(
            found.is_empty(),
            "{group} reaches up:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_domain_does_no_io() {
    let manifest = std::fs::read_to_string(workspace().join("domain/Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for io in [
        "actix",
        "diesel",
        "reqwest",
        "utoipa",
        "tokio",
        "hdab-persistence",
    ] {
        assert!(!dependencies.contains(io), "the domain depends on {io}");
    }
}

#[test]
fn a_use_case_that_imports_actix_web_is_caught() {
    // The wall test above reads files; this proves it would see a crossing.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("use_case.rs"),
        "use actix_web::HttpResponse;\n// use actix_web in a comment is fine\n",
    )
    .unwrap();
    let found = crossings_in(dir.path(), &["actix_web"]);
    assert_eq!(found.len(), 1, "{found:?}");
}

/// The places a fine error code is written in source, once whitespace is squeezed out:
/// `ValueError::new("…"`, `code: "…"`, `with_code("…"` and `invalid_field(field, "…"`.
fn literal_codes(text: &str) -> Vec<String> {
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let squeezed = squeezed.replace("( ", "(");
    let mut found = Vec::new();
    for opening in ["ValueError::new(\"", "code: \"", "with_code(\""] {
        found.extend(
            squeezed
                .match_indices(opening)
                .map(|(at, _)| excerpt(&squeezed, at)),
        );
    }
    for (at, _) in squeezed.match_indices("invalid_field(") {
        let arguments = &squeezed[at + "invalid_field(".len()..];
        let second = arguments.split_once(',').map(|(_, rest)| rest.trim_start());
        if second.is_some_and(|rest| rest.starts_with('"')) {
            found.push(excerpt(&squeezed, at));
        }
    }
    found
}

fn excerpt(text: &str, at: usize) -> String {
    text[at..].chars().take(60).collect()
}

/// What a source file holds before its in-file test module, if it is not a test file (a
/// `tests.rs`, or any file of a `tests/` module).
fn production_code(path: &Path, text: &str) -> Option<String> {
    // Only the part below the crate's `src/` counts: the path itself runs through this
    // crate's `tests/` directory.
    let below_src = path.iter().skip_while(|part| *part != "src");
    let in_tests = below_src
        .into_iter()
        .any(|part| part == "tests" || part == "tests.rs");
    if in_tests {
        return None;
    }
    Some(
        text.split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn error_codes_are_declared_once_in_the_codes_catalogue() {
    let catalogue = workspace().join("domain/src/codes.rs");
    let mut found = Vec::new();
    for krate in ["domain", "persistence", "openapi", "api"] {
        for (path, text) in sources(&workspace().join(krate).join("src")) {
            let Some(code) = production_code(&path, &text).filter(|_| path != catalogue) else {
                continue;
            };
            found.extend(
                literal_codes(&code)
                    .into_iter()
                    .map(|hit| format!("{}: {hit}", path.display())),
            );
        }
    }
    assert!(
        found.is_empty(),
        "error codes written as literals; declare them in domain/src/codes.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_literal_error_code_is_caught() {
    let source = "fn f() -> ValueError {\n    ValueError::new(\n        \"made_up\",\n        \"x\",\n    )\n}\n\
                  fn g() { ApiError::invalid_field(\"limit\", \"made_up\", \"x\"); }\n\
                  fn h() { ValueError::new(codes::TOO_LONG, \"x\"); }\n";
    assert_eq!(
        literal_codes(source).len(),
        2,
        "{:?}",
        literal_codes(source)
    );
}
