//! The client's address. `X-Forwarded-For` is believed only when the direct peer is a
//! configured trusted proxy; otherwise anyone could pick their own address and escape the
//! per-IP login limit.

use std::net::IpAddr;

/// Walks `X-Forwarded-For` from the right (the hop nearest us), skipping trusted proxies;
/// the first untrusted address is the client.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return Some(ip),
            // A garbled hop: stop believing the header beyond what we have.
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_cannot_claim_another_address() {
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), Some("1.2.3.4"), &[ip("10.0.0.1")]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn trusted_proxy_forwards_the_client() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.1")),
                Some("6.6.6.6, 198.51.100.7, 10.0.0.2"),
                &trusted
            ),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), None, &trusted),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), Some("junk"), &trusted),
            Some(ip("10.0.0.1"))
        );
    }
}
