use super::*;

/// Loads the settings with `vars` set; figment's jail serialises these tests and restores
/// the environment afterwards.
#[expect(
    clippy::result_large_err,
    reason = "figment's jail API returns its own error"
)]
fn jailed(vars: &[(&str, &str)]) -> Result<Settings, String> {
    let mut result = None;
    figment::Jail::expect_with(|jail| {
        for (key, value) in vars {
            jail.set_env(key, value);
        }
        result = Some(Settings::load(None));
        Ok(())
    });
    result.unwrap()
}

#[test]
fn zero_configuration_serves_sqlite_on_localhost_in_development_mode() {
    let settings = jailed(&[]).unwrap();
    assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(
        settings.database,
        DatabaseUrl::Sqlite(PathBuf::from("./data/hdab.sqlite"))
    );
    assert_eq!(settings.auth.mode, AuthMode::Development);
    assert_eq!(settings.max_body_bytes, 1024 * 1024);
}

#[test]
fn environment_variables_override_the_defaults() {
    let settings = jailed(&[
        ("HDAB_BIND", "0.0.0.0:9000"),
        ("HDAB_DATABASE_URL", "postgres://db/hdab"),
        ("HDAB_LOG_FORMAT", "json"),
        ("HDAB_AUTH_ISSUER", "https://login.example.eu/realms/hdab"),
        ("HDAB_AUTH_ROLES_CLAIM", "realm_access.roles"),
    ])
    .unwrap();
    assert_eq!(settings.bind.port(), 9000);
    assert_eq!(settings.log_format, LogFormat::Json);
    assert!(matches!(settings.database, DatabaseUrl::Postgres(_)));
    assert!(matches!(settings.auth.mode, AuthMode::Oidc { .. }));
    assert_eq!(settings.auth.claims.roles, "realm_access.roles");
}

#[test]
fn a_bad_value_names_its_key_and_what_is_allowed() {
    let error = jailed(&[("HDAB_LOG_FORMAT", "xml")]).unwrap_err();
    assert!(error.contains("HDAB_LOG_FORMAT"), "{error}");
    assert!(
        error.contains("pretty") && error.contains("json"),
        "{error}"
    );

    let error = jailed(&[("HDAB_DATABASE_URL", "mysql://db")]).unwrap_err();
    assert!(
        error.contains("HDAB_DATABASE_URL") && error.contains("sqlite://"),
        "{error}"
    );

    let error = jailed(&[("HDAB_BIND", "everywhere")]).unwrap_err();
    assert!(error.contains("HDAB_BIND"), "{error}");

    let error = jailed(&[("HDAB_AUTH_ISSUER", "not a url")]).unwrap_err();
    assert!(error.contains("HDAB_AUTH_ISSUER"), "{error}");
}

#[test]
#[expect(
    clippy::result_large_err,
    reason = "figment's jail API returns its own error"
)]
fn the_configuration_file_is_read_and_checked_for_typos() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "hdab.toml",
            "bind = \"127.0.0.1:7000\"\nlog_format = \"json\"",
        )?;
        let settings = Settings::load(None).unwrap();
        assert_eq!(settings.bind.port(), 7000);
        jail.create_file("typo.toml", "bnid = \"127.0.0.1:7000\"")?;
        let error = Settings::load(Some(Path::new("typo.toml"))).unwrap_err();
        assert!(error.contains("bnid"), "{error}");
        Ok(())
    });
}

#[test]
fn development_mode_refuses_a_non_loopback_bind_unless_told_so() {
    let error = jailed(&[("HDAB_BIND", "0.0.0.0:8080")]).unwrap_err();
    assert!(
        error.contains("HDAB_BIND") && error.contains("HDAB_DEV_ALLOW_REMOTE"),
        "{error}"
    );
    assert!(
        jailed(&[
            ("HDAB_BIND", "0.0.0.0:8080"),
            ("HDAB_DEV_ALLOW_REMOTE", "true")
        ])
        .is_ok()
    );
    assert!(
        jailed(&[
            ("HDAB_BIND", "0.0.0.0:8080"),
            ("HDAB_AUTH_ISSUER", "https://login.example.eu/realms/hdab")
        ])
        .is_ok(),
        "with an issuer there is no development key to protect"
    );
}

#[test]
fn cors_origins_are_a_checked_comma_separated_list() {
    let settings = jailed(&[(
        "HDAB_CORS_ALLOWED_ORIGINS",
        "https://portal.example.eu, http://localhost:3000",
    )])
    .unwrap();
    assert_eq!(
        settings.cors_allowed_origins,
        ["https://portal.example.eu", "http://localhost:3000"]
    );
    assert!(jailed(&[]).unwrap().cors_allowed_origins.is_empty());
    let error =
        jailed(&[("HDAB_CORS_ALLOWED_ORIGINS", "https://portal.example.eu/app")]).unwrap_err();
    assert!(error.contains("HDAB_CORS_ALLOWED_ORIGINS"), "{error}");
}

#[test]
fn test_suite_variables_do_not_reach_the_service() {
    assert!(jailed(&[("HDAB_TEST_POSTGRES_URL", "postgres://x")]).is_ok());
}
