//! Outbound HTTP: the one way hdab calls other systems (token issuers today; harvest sources
//! and webhook receivers next). One reqwest client set up the same way for every caller:
//! connect and total timeouts, a maximum response size, retries with exponential backoff and
//! full jitter for idempotent requests, hdab's user agent, and the address policy
//! ([`AddressPolicy`]) checked on the resolved address and on every redirect.

mod policy;

pub use policy::{AddressPolicy, is_public};

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use policy::PolicyResolver;

/// How outbound calls behave, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundSettings {
    pub connect_timeout: Duration,
    /// The longest one attempt may take, body included.
    pub timeout: Duration,
    /// Attempts after the first for an idempotent request that failed for a reason that may
    /// pass (a timeout, a refused connection, 429 or 5xx).
    pub retries: u32,
    /// The first retry waits up to this long; each later one up to twice as long as before.
    pub backoff: Duration,
    pub policy: AddressPolicy,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_millis(200),
            policy: AddressPolicy::default(),
        }
    }
}

/// Why an outbound call gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("refused by the address policy: {0}")]
    Refused(String),
    #[error("HTTP {0}")]
    Status(StatusCode),
    #[error("the answer exceeds {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Transport(String),
}

/// An answer, its body read in full (within the size limit).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Where it came from, after redirects: relative links in it resolve against this.
    pub url: url::Url,
    /// 2xx, or 304 Not Modified to a conditional request.
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The outbound client; cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    settings: Arc<OutboundSettings>,
}

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

impl Outbound {
    pub fn new(settings: OutboundSettings) -> Result<Self, String> {
        Self::build(settings, true)
    }

    /// A client that follows no redirect: a webhook is delivered to the address subscribed,
    /// and a 3xx is the receiver's failure (a followed 302 would turn the POST into a GET).
    pub fn without_redirects(settings: OutboundSettings) -> Result<Self, String> {
        Self::build(settings, false)
    }

    fn build(settings: OutboundSettings, follow_redirects: bool) -> Result<Self, String> {
        crate::shell::tls::install_crypto_provider();
        let policy = Arc::new(settings.policy.clone());
        let redirect_policy = Arc::clone(&policy);
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("hdab/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PolicyResolver { policy }))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if !follow_redirects {
                    return attempt.stop();
                }
                if attempt.previous().len() >= MAX_REDIRECTS {
                    return attempt.error("too many redirects");
                }
                match redirect_policy.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(why) => attempt.error(why),
                }
            }))
            .build()
            .map_err(|e| format!("cannot build the outbound HTTP client: {e}"))?;
        Ok(Self {
            client,
            settings: Arc::new(settings),
        })
    }

    /// GETs `url`, retrying what may pass, and reads at most `max_bytes` of the answer. A
    /// status other than 2xx is an error.
    pub async fn get(&self, url: &url::Url, max_bytes: usize) -> Result<Answer, OutboundError> {
        self.get_with(url, &HeaderMap::new(), max_bytes).await
    }

    /// [`Outbound::get`] with request `headers` (`Accept`, credentials, `If-None-Match`,
    /// ...); a 304 Not Modified is an answer too, with no body.
    pub async fn get_with(
        &self,
        url: &url::Url,
        headers: &HeaderMap,
        max_bytes: usize,
    ) -> Result<Answer, OutboundError> {
        self.settings
            .policy
            .check_url(url)
            .map_err(OutboundError::Refused)?;
        let mut attempt = 0;
        loop {
            let retry_after = match self.get_once(url, headers, max_bytes).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Passing { after, .. }) if attempt < self.settings.retries => after,
                Err(Failure::Passing { error, .. } | Failure::Final(error)) => return Err(error),
            };
            let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
            tracing::debug!(url = %url, attempt, wait_ms = wait.as_millis() as u64, "retrying an outbound request");
            actix_web::rt::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// POSTs `body` once (the caller retries: a webhook's retries are spread over hours, not
    /// held in a request) and returns the status; the answer's body is not read.
    pub async fn post_once(
        &self,
        url: &url::Url,
        headers: HeaderMap,
        body: String,
    ) -> Result<StatusCode, OutboundError> {
        self.settings
            .policy
            .check_url(url)
            .map_err(OutboundError::Refused)?;
        let response = self
            .client
            .post(url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|error| match Failure::from_transport(error) {
                Failure::Passing { error, .. } | Failure::Final(error) => error,
            })?;
        Ok(response.status())
    }

    /// Full jitter: a random wait up to the exponential backoff of `attempt`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .settings
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(Duration::from_secs(30));
        let millis = u64::try_from(ceiling.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
    }

    async fn get_once(
        &self,
        url: &url::Url,
        headers: &HeaderMap,
        max_bytes: usize,
    ) -> Result<Answer, Failure> {
        let mut response = self
            .client
            .get(url.clone())
            .headers(headers.clone())
            .send()
            .await
            .map_err(Failure::from_transport)?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Failure::Passing {
                after: retry_after(response.headers()),
                error: OutboundError::Status(status),
            });
        }
        if !status.is_success() && status != StatusCode::NOT_MODIFIED {
            return Err(Failure::Final(OutboundError::Status(status)));
        }
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes as u64)
        {
            return Err(Failure::Final(OutboundError::TooLarge(max_bytes)));
        }
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Failure::from_transport)? {
            if body.len() + chunk.len() > max_bytes {
                return Err(Failure::Final(OutboundError::TooLarge(max_bytes)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            url: final_url,
            status,
            headers,
            body,
        })
    }
}

/// The server's `Retry-After` in seconds, capped at a minute.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(60)))
}

/// An attempt's failure: one that may pass on a retry (after the server's `Retry-After`, if
/// it said one), or one that will not.
enum Failure {
    Passing {
        after: Option<Duration>,
        error: OutboundError,
    },
    Final(OutboundError),
}

impl Failure {
    fn from_transport(error: reqwest::Error) -> Self {
        let text = describe(&error);
        if error.is_redirect() || text.contains("does not call") {
            return Self::Final(OutboundError::Refused(text));
        }
        if error.is_timeout() || error.is_connect() {
            Self::Passing {
                after: None,
                error: OutboundError::Transport(text),
            }
        } else {
            Self::Final(OutboundError::Transport(text))
        }
    }
}

/// A reqwest error with its causes: the policy's refusal sits a few sources down.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
