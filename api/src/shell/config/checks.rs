//! The checks of groups of settings that need more than a range: URLs, lists, and the
//! settings that depend on each other.

use std::time::Duration;

use hdab_domain::applications::deadlines::DeadlinePolicy;
use hdab_domain::applications::rules::SubmissionPolicy;
use hdab_domain::permits::PermitPolicy;
use hdab_persistence::Timeouts;

use super::{ApplicationSettings, AuthMode, AuthSettings, ClaimNames, RawSettings};
use crate::application::permits::PermitSettings;
use crate::background::webhooks::WebhookSettings;
use crate::outbound::{AddressPolicy, OutboundSettings};

/// The deadlines of EHDS Art 68 and the opt-out exception of Art 71(4), as configured.
pub(super) fn check_applications(raw: &RawSettings) -> Result<ApplicationSettings, String> {
    let periods = [
        (
            "HDAB_DEADLINE_COMPLETENESS_DAYS (deadline_completeness_days)",
            raw.deadline_completeness_days,
        ),
        (
            "HDAB_DEADLINE_DECISION_MONTHS (deadline_decision_months)",
            raw.deadline_decision_months,
        ),
        (
            "HDAB_DEADLINE_ACCELERATED_DECISION_MONTHS (deadline_accelerated_decision_months)",
            raw.deadline_accelerated_decision_months,
        ),
        (
            "HDAB_DEADLINE_DATA_REQUEST_MONTHS (deadline_data_request_months)",
            raw.deadline_data_request_months,
        ),
        (
            "HDAB_DEADLINE_CHECK_INTERVAL_SECS (deadline_check_interval_secs)",
            u32::try_from(raw.deadline_check_interval_secs).unwrap_or(u32::MAX),
        ),
        (
            "HDAB_PERMIT_MAX_MONTHS (permit_max_months)",
            raw.permit_max_months,
        ),
    ];
    if let Some((key, _)) = periods.iter().find(|(_, value)| *value == 0) {
        return Err(format!("{key} must be at least 1"));
    }
    Ok(ApplicationSettings {
        deadlines: DeadlinePolicy {
            completeness_days: raw.deadline_completeness_days,
            decision_months: raw.deadline_decision_months,
            extension_months: raw.deadline_extension_months,
            accelerated_decision_months: raw.deadline_accelerated_decision_months,
            accelerated_extension_months: raw.deadline_accelerated_extension_months,
            data_request_months: raw.deadline_data_request_months,
            warning_days: raw.deadline_warning_days,
        },
        submission: SubmissionPolicy {
            opt_out_exception_available: raw.opt_out_exception,
        },
        permits: PermitPolicy {
            max_months: raw.permit_max_months,
            ..PermitPolicy::default()
        },
        deadline_check_interval: Duration::from_secs(raw.deadline_check_interval_secs),
    })
}

/// Visas and permit expiry, as configured.
pub(super) fn check_permits(
    raw: &RawSettings,
    applications: &ApplicationSettings,
) -> Result<PermitSettings, String> {
    if raw.visa_lifetime_secs == 0 || raw.visa_lifetime_secs > 24 * 3600 {
        return Err(
            "HDAB_VISA_LIFETIME_SECS (visa_lifetime_secs) must be between 1 and 86400".into(),
        );
    }
    if raw.permit_expiry_check_interval_secs == 0 {
        return Err("HDAB_PERMIT_EXPIRY_CHECK_INTERVAL_SECS (permit_expiry_check_interval_secs) must be at least 1".into());
    }
    Ok(PermitSettings {
        policy: applications.permits,
        visa_lifetime: chrono::Duration::seconds(
            i64::try_from(raw.visa_lifetime_secs).unwrap_or(3600),
        ),
        opt_out_exception_available: raw.opt_out_exception,
        expiry_check_interval: Duration::from_secs(raw.permit_expiry_check_interval_secs),
    })
}

pub(super) fn check_webhooks(raw: &RawSettings) -> Result<WebhookSettings, String> {
    if raw.webhook_timeout_secs == 0 || raw.webhook_first_retry_secs == 0 {
        return Err("HDAB_WEBHOOK_TIMEOUT_SECS and HDAB_WEBHOOK_FIRST_RETRY_SECS (webhook_timeout_secs, webhook_first_retry_secs) must be at least 1".into());
    }
    if !(1..=24 * 30).contains(&raw.webhook_give_up_hours) {
        return Err(
            "HDAB_WEBHOOK_GIVE_UP_HOURS (webhook_give_up_hours) must be between 1 and 720".into(),
        );
    }
    Ok(WebhookSettings {
        timeout: Duration::from_secs(raw.webhook_timeout_secs),
        first_retry: Duration::from_secs(raw.webhook_first_retry_secs),
        give_up_after: Duration::from_secs(raw.webhook_give_up_hours * 3600),
    })
}

pub(super) fn check_outbound(raw: &RawSettings) -> Result<OutboundSettings, String> {
    if raw.outbound_connect_timeout_secs == 0 || raw.outbound_timeout_secs == 0 {
        return Err("HDAB_OUTBOUND_CONNECT_TIMEOUT_SECS and HDAB_OUTBOUND_TIMEOUT_SECS (outbound_connect_timeout_secs, outbound_timeout_secs) must be at least 1".into());
    }
    let allowed_hosts = raw
        .outbound_allowed_hosts
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(OutboundSettings {
        connect_timeout: Duration::from_secs(raw.outbound_connect_timeout_secs),
        timeout: Duration::from_secs(raw.outbound_timeout_secs),
        retries: raw.outbound_retries,
        policy: AddressPolicy {
            allow_private: raw.outbound_allow_private,
            allowed_hosts,
        },
        ..OutboundSettings::default()
    })
}

/// The comma-separated origins of `HDAB_CORS_ALLOWED_ORIGINS`, each `scheme://host[:port]`.
pub(super) fn check_origins(list: Option<&str>) -> Result<Vec<String>, String> {
    let key = "HDAB_CORS_ALLOWED_ORIGINS (cors_allowed_origins)";
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let url = parse_http_url(origin, key)?;
            let serialised = url.origin().ascii_serialization();
            if serialised != origin.trim_end_matches('/') {
                return Err(format!(
                    "{key} must list origins such as https://portal.example.eu (scheme, host and port only), got {origin:?}"
                ));
            }
            Ok(serialised)
        })
        .collect()
}

pub(super) fn check_database_timeouts(raw: &RawSettings) -> Result<Timeouts, String> {
    if raw.database_connect_timeout_secs == 0 {
        return Err(
            "HDAB_DATABASE_CONNECT_TIMEOUT_SECS (database_connect_timeout_secs) must be at least 1"
                .into(),
        );
    }
    if raw.database_statement_timeout_secs == 0 {
        return Err("HDAB_DATABASE_STATEMENT_TIMEOUT_SECS (database_statement_timeout_secs) must be at least 1".into());
    }
    Ok(Timeouts {
        connect: Duration::from_secs(raw.database_connect_timeout_secs),
        statement: Duration::from_secs(raw.database_statement_timeout_secs),
    })
}

pub(super) fn check_auth(raw: &RawSettings) -> Result<AuthSettings, String> {
    let jwks_url = raw
        .auth_jwks_url
        .as_deref()
        .map(|u| parse_http_url(u, "HDAB_AUTH_JWKS_URL (auth_jwks_url)"))
        .transpose()?;
    let mode = match raw.auth_issuer.as_deref() {
        None if jwks_url.is_some() => {
            return Err(
                "HDAB_AUTH_JWKS_URL (auth_jwks_url) needs HDAB_AUTH_ISSUER (auth_issuer) too"
                    .into(),
            );
        }
        None => AuthMode::Development,
        Some(issuer) => {
            parse_http_url(issuer, "HDAB_AUTH_ISSUER (auth_issuer)")?;
            AuthMode::Oidc {
                issuer: issuer.to_owned(),
                jwks_url,
            }
        }
    };
    for (key, value) in [
        ("HDAB_AUTH_AUDIENCE (auth_audience)", &raw.auth_audience),
        (
            "HDAB_AUTH_ROLES_CLAIM (auth_roles_claim)",
            &raw.auth_roles_claim,
        ),
        (
            "HDAB_AUTH_PUBLISHERS_CLAIM (auth_publishers_claim)",
            &raw.auth_publishers_claim,
        ),
        (
            "HDAB_AUTH_COMMITTEES_CLAIM (auth_committees_claim)",
            &raw.auth_committees_claim,
        ),
    ] {
        if value.trim().is_empty() {
            return Err(format!("{key} must not be empty"));
        }
    }
    Ok(AuthSettings {
        mode,
        audience: raw.auth_audience.clone(),
        claims: ClaimNames {
            roles: raw.auth_roles_claim.clone(),
            publishers: raw.auth_publishers_claim.clone(),
            committees: raw.auth_committees_claim.clone(),
        },
        leeway_secs: raw.auth_leeway_secs,
        jwks_min_refresh_secs: raw.auth_jwks_min_refresh_secs,
        jwks_timeout: Duration::from_secs(raw.auth_jwks_timeout_secs.max(1)),
        dev_token_max_ttl: Duration::from_secs(raw.dev_token_max_ttl_secs),
    })
}

pub(super) fn parse_http_url(value: &str, key: &str) -> Result<url::Url, String> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        _ => Err(format!(
            "{key} must be an absolute http(s) URL, got {value:?}"
        )),
    }
}
