//! Trying a merchant's webhook endpoint: the domain finds it, the matcher's sender posts to
//! it as it would post a match.

use doorstep_domain::DomainError;
use doorstep_domain::auth::Principal;
use doorstep_domain::webhooks;
use doorstep_matcher::mail::DeliveryError;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Sends a signed `{"type": "ping"}` to `actor`'s endpoint `id` now. The outer error is the
/// request's (no such endpoint); the inner result is how the delivery went.
pub async fn ping(
    db: &DatabaseConnection,
    actor: &Principal,
    id: Uuid,
    allow_internal: bool,
) -> Result<Result<(), DeliveryError>, DomainError> {
    let endpoint = webhooks::own(db, actor, id).await?;
    let body = serde_json::json!({"type": "ping", "endpoint_id": endpoint.id}).to_string();
    Ok(doorstep_matcher::webhook::post(&endpoint, &body, Uuid::now_v7(), allow_internal).await)
}
