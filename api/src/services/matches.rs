//! A seeker's feedback on a match: saving, dismissing, or applying (which also creates the
//! application through the domain).

use doorstep_domain::DomainError;
use doorstep_domain::auth::Principal;
use doorstep_domain::entities::job_match;
use doorstep_matcher::matches::{self, Feedback};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Records `what` the seeker `actor` did with match `id`: `reason` is why they dismissed it,
/// `note` their note to the merchant when applying. Answers the match as it now stands.
pub async fn feedback(
    db: &DatabaseConnection,
    actor: &Principal,
    id: Uuid,
    what: Feedback,
    reason: Option<String>,
    note: String,
) -> Result<job_match::Model, DomainError> {
    matches::feedback(db, actor, id, what, reason, note).await
}
