//! Signed webhook deliveries.
//!
//! Each POST carries `X-Doorstep-Timestamp` and `X-Doorstep-Signature: v1=<hex>`, the
//! HMAC-SHA256 of `"<timestamp>.<body>"` under the endpoint's secret, so a receiver can
//! check origin and freshness; `X-Doorstep-Delivery` is the push id, for de-duplication.
//! The target's name is resolved here and every address checked, then the request is sent
//! to the checked address, so a name cannot be re-pointed at an internal host between the
//! check and the request.

use std::net::SocketAddr;
use std::time::Duration;

use doorstep_domain::entities::webhook_endpoint;
use doorstep_domain::webhooks::is_internal;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::mail::DeliveryError;

/// Installs the TLS crypto provider (ring) once per process.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `v1=<hex>` for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let digest = mac.finalize().into_bytes();
    format!(
        "v1={}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

pub async fn post(
    endpoint: &webhook_endpoint::Model,
    body: &str,
    delivery: Uuid,
    allow_internal: bool,
) -> Result<(), DeliveryError> {
    install_crypto();
    let url = reqwest::Url::parse(&endpoint.url)
        .map_err(|e| DeliveryError::Permanent(format!("bad URL: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| DeliveryError::Permanent("URL without a host".into()))?
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> =
        tokio::net::lookup_host((host.trim_start_matches('[').trim_end_matches(']'), port))
            .await
            .map_err(|e| DeliveryError::Transient(format!("resolving {host}: {e}")))?
            .collect();
    let Some(address) = addresses.first().copied() else {
        return Err(DeliveryError::Transient(format!("{host} has no address")));
    };
    if !allow_internal && addresses.iter().any(|a| is_internal(a.ip())) {
        return Err(DeliveryError::Permanent(format!(
            "{host} resolves to an internal address"
        )));
    }
    let client = reqwest::Client::builder()
        .resolve(&host, address)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-doorstep-timestamp", timestamp.to_string())
        .header(
            "x-doorstep-signature",
            signature(&endpoint.secret, timestamp, body),
        )
        .header("x-doorstep-delivery", delivery.to_string())
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
        Err(DeliveryError::Transient(format!(
            "the receiver answered {status}"
        )))
    } else {
        Err(DeliveryError::Permanent(format!(
            "the receiver answered {status}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_and_body() {
        // Independent value: printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, "{}"),
            "v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163".to_owned()
        );
    }
}
