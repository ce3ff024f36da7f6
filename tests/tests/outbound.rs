//! The outbound HTTP client against a local fake server: retries with backoff for what may
//! pass, none for what will not, the size limit, timeouts, and the address policy on the URL,
//! on resolved names and on every redirect.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::{Duration, Instant};

use hdab_api::outbound::{AddressPolicy, Outbound, OutboundError, OutboundSettings};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A client that may call the fake server (and nothing else that is not public).
fn client_for(server: &MockServer) -> Outbound {
    let url = url::Url::parse(&server.uri()).unwrap();
    Outbound::new(OutboundSettings {
        timeout: Duration::from_millis(800),
        backoff: Duration::from_millis(20),
        policy: AddressPolicy::default().allowing(&url),
        ..OutboundSettings::default()
    })
    .unwrap()
}

fn at(server: &MockServer, to: &str) -> url::Url {
    url::Url::parse(&format!("{}{to}", server.uri())).unwrap()
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[actix_web::test]
async fn a_passing_failure_is_retried_and_a_final_one_is_not() {
    let server = MockServer::start().await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(200).set_body_string("at last"))
        .mount(&server)
        .await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let answer = client.get(&at(&server, "/flaky"), 1024).await.unwrap();
    assert_eq!(answer.body, b"at last");
    assert_eq!(requests(&server).await, 3, "two retries");
    let missing = client
        .get(&at(&server, "/missing"), 1024)
        .await
        .unwrap_err();
    assert!(matches!(missing, OutboundError::Status(s) if s == 404));
    assert_eq!(requests(&server).await, 4, "a 404 is not retried");
}

#[actix_web::test]
async fn a_server_that_keeps_failing_is_given_up_on_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .get(&at(&server, "/"), 1024)
        .await
        .unwrap_err();
    assert!(matches!(error, OutboundError::Status(s) if s == 500));
    assert_eq!(requests(&server).await, 3);
}

#[actix_web::test]
async fn an_answer_over_the_size_limit_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 4096]))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .get(&at(&server, "/"), 1000)
        .await
        .unwrap_err();
    assert!(matches!(error, OutboundError::TooLarge(1000)), "{error}");
}

#[actix_web::test]
async fn a_silent_server_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = client_for(&server)
        .get(&at(&server, "/"), 1024)
        .await
        .unwrap_err();
    assert!(matches!(error, OutboundError::Transport(_)), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "3 attempts of 0.8 s and the waits"
    );
}

#[actix_web::test]
async fn private_addresses_are_refused_in_urls_names_and_redirects() {
    let server = MockServer::start().await;
    let closed = Outbound::new(OutboundSettings::default()).unwrap();
    let error = closed.get(&at(&server, "/"), 1024).await.unwrap_err();
    assert!(
        matches!(error, OutboundError::Refused(_)),
        "loopback by address: {error}"
    );
    let localhost = url::Url::parse("http://localhost:9/").unwrap();
    let error = closed.get(&localhost, 1024).await.unwrap_err();
    assert!(
        matches!(error, OutboundError::Refused(_)),
        "loopback by name: {error}"
    );

    let other = MockServer::start().await;
    for target in [
        format!("{}/secret", other.uri()),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        server.reset().await;
        Mock::given(path("/hop"))
            .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
            .mount(&server)
            .await;
        let error = client_for(&server)
            .get(&at(&server, "/hop"), 1024)
            .await
            .unwrap_err();
        assert!(
            matches!(error, OutboundError::Refused(_)),
            "{target}: {error}"
        );
    }
    assert_eq!(
        requests(&other).await,
        0,
        "the refused address was never called"
    );
}
