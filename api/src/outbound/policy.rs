//! Which addresses hdab may call: the address policy against server-side request forgery. A
//! URL that names, resolves to, or redirects to a loopback, private, link-local, unique-local
//! or otherwise non-public address is refused, unless configuration allows private addresses
//! or names the host as an exception (an internal issuer, say). Names are checked on the
//! addresses they resolve to, so a public name pointing at 10.0.0.5 is refused too.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What may be called.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Allow every address, private ones included (a closed network where every partner is
    /// internal).
    pub allow_private: bool,
    /// Hosts allowed whatever they resolve to: `host` or `host:port`, as written in URLs.
    pub allowed_hosts: BTreeSet<String>,
}

impl AddressPolicy {
    /// The policy with the host of `url` allowed too: by name (any port; names are checked
    /// where they are resolved, which knows no port), or for an address, that address and port.
    pub fn allowing(mut self, url: &url::Url) -> Self {
        let Some(host) = url.host_str() else {
            return self;
        };
        let is_address = matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)));
        match url.port_or_known_default() {
            Some(port) if is_address => self.allowed_hosts.insert(format!("{host}:{port}")),
            _ => self.allowed_hosts.insert(host.to_owned()),
        };
        self
    }

    fn host_allowed(&self, host: &str, port: Option<u16>) -> bool {
        self.allow_private
            || self.allowed_hosts.contains(host)
            || port.is_some_and(|port| self.allowed_hosts.contains(&format!("{host}:{port}")))
    }

    /// Why `url` may not be called before any address is looked up, if it may not: a host
    /// written as an address is checked here, since no lookup happens for it.
    pub fn check_url(&self, url: &url::Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{url} is not an http(s) URL"));
        }
        let Some(host) = url.host_str() else {
            return Err(format!("{url} has no host"));
        };
        if self.host_allowed(host, url.port_or_known_default()) {
            return Ok(());
        }
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        match literal.parse::<IpAddr>() {
            Ok(ip) if !is_public(ip) => Err(format!(
                "{url} names the non-public address {ip}, which hdab does not call"
            )),
            _ => Ok(()),
        }
    }
}

impl AddressPolicy {
    /// [`AddressPolicy::check_url`], and for a name, that it resolves to an address hdab may
    /// call: a URL refused at every run is refused when it is registered. A name that does not
    /// resolve now passes (it may later); every call checks again.
    pub async fn check_resolved(&self, url: &url::Url) -> Result<(), String> {
        self.check_url(url)?;
        let Some(url::Host::Domain(host)) = url.host() else {
            return Ok(());
        };
        if self.host_allowed(host, url.port_or_known_default()) {
            return Ok(());
        }
        let Ok(found) = tokio::net::lookup_host((host, 0)).await else {
            return Ok(());
        };
        let found: Vec<SocketAddr> = found.collect();
        if !found.is_empty() && found.iter().all(|a| !is_public(a.ip())) {
            return Err(format!(
                "{host} resolves only to non-public addresses, which hdab does not call"
            ));
        }
        Ok(())
    }
}

/// Whether `ip` is an address of the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                // Carrier-grade NAT, 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // Benchmarking, 198.18.0.0/15.
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local fc00::/7 and link-local fe80::/10.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// The resolver of the outbound client: the system's lookup, with non-public addresses
/// dropped unless the policy allows the name.
pub struct PolicyResolver {
    pub policy: Arc<AddressPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if policy.host_allowed(&host, None) {
                return Ok(Box::new(found.into_iter()) as Addrs);
            }
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} resolves only to non-public addresses, which hdab does not call"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "193.0.6.139", "2001:4860:4860::8888"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn an_address_in_a_url_is_checked_and_exceptions_apply() {
        let policy = AddressPolicy::default();
        let metadata = url::Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(policy.check_url(&metadata).is_err());
        assert!(
            policy
                .check_url(&url::Url::parse("http://[::1]:8080/").unwrap())
                .is_err()
        );
        assert!(
            policy
                .check_url(&url::Url::parse("https://example.org/").unwrap())
                .is_ok()
        );
        let issuer = url::Url::parse("http://10.0.0.5:8443/realms/hdab").unwrap();
        assert!(policy.check_url(&issuer).is_err());
        assert!(policy.clone().allowing(&issuer).check_url(&issuer).is_ok());
        assert!(
            policy
                .check_url(&url::Url::parse("file:///etc/passwd").unwrap())
                .is_err()
        );
    }
}
