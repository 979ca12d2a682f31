//! Planning a fair's routes: the domain's fair and registrations, scored and solved by the
//! matcher with the weights the application loaded at start.

use std::sync::Arc;

use doorstep_domain::DomainError;
use doorstep_domain::auth::Principal;
use doorstep_domain::fairs::plans::PlanSummary;
use doorstep_matcher::Weights;
use doorstep_matcher::fair_routes::{self, RouteSettings};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Plans (or re-plans) every registered seeker's route at fair `id` for `actor` and sends
/// the routes and the booths' schedules. Pairs scoring below `min_score` are not planned.
pub async fn plan(
    db: &DatabaseConnection,
    weights: &Arc<Weights>,
    min_score: f64,
    actor: &Principal,
    id: Uuid,
) -> Result<PlanSummary, DomainError> {
    let settings = RouteSettings {
        min_score,
        weights: weights.clone(),
    };
    fair_routes::plan_fair(db, actor, id, settings).await
}
