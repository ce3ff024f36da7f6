//! TLS to PostgreSQL with the libpq built into hdab: `sslmode=verify-full` connects to a server
//! whose certificate chains to the given CA and names the host, and refuses one that does not.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use diesel::{Connection, RunQueryDsl};
use hdab_tests::cluster::PostgresCluster;
use hdab_tests::{TestApp, TestDatabase, publisher_body};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

/// A CA and a server certificate for `localhost` that it signed, as PEM.
struct Certificates {
    ca: String,
    server: String,
    server_key: String,
}

fn certificates() -> Certificates {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Subject and issuer must differ, or the server's certificate reads as self-signed.
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "hdab test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    server_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let server = server_params.signed_by(&server_key, &issuer).unwrap();
    Certificates {
        ca: ca.pem(),
        server: server.pem(),
        server_key: server_key.serialize_pem(),
    }
}

#[actix_web::test]
#[cfg_attr(
    not(hdab_test_postgres_binaries),
    ignore = "needs PostgreSQL server binaries (apt-get install postgresql) to run a cluster of its own"
)]
async fn verify_full_tls_to_postgresql_works_with_the_built_in_libpq() {
    let Some(cluster) = PostgresCluster::init() else {
        return;
    };
    let certs = certificates();
    cluster.install_file("server.crt", certs.server.as_bytes(), 0o644);
    cluster.install_file("server.key", certs.server_key.as_bytes(), 0o600);
    cluster.configure("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'");
    cluster.start_again();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.crt");
    std::fs::write(&ca_file, &certs.ca).unwrap();
    let url = |root: &std::path::Path| {
        format!(
            "postgres://postgres@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}",
            cluster.port(),
            root.display()
        )
    };

    let mut direct = diesel::PgConnection::establish(&url(&ca_file)).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let session: Ssl =
        diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .get_result(&mut direct)
            .unwrap();
    assert!(session.ssl, "the session is encrypted");

    let app = TestApp::spawn(TestDatabase::at_url(url(&ca_file))).await;
    let response = app
        .post(
            "/api/v1/publishers",
            &app.admin_token(),
            &publisher_body("Over TLS", "DE"),
        )
        .await;
    assert_eq!(response.status(), 201);

    let stranger = certificates();
    let wrong_ca = dir.path().join("wrong-ca.crt");
    std::fs::write(&wrong_ca, &stranger.ca).unwrap();
    let refused = diesel::PgConnection::establish(&url(&wrong_ca))
        .err()
        .unwrap();
    assert!(refused.to_string().contains("SSL error"), "{refused}");
}
