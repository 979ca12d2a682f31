//! The forms of a fair's page: review a booth, run the route planner, move the fair along
//! its lifecycle. Each calls the domain function its JSON route calls, then sends the
//! officer back to the fair with a notice.

use actix_web::{HttpResponse, web};
use doorstep_domain::fairs::booths;
use doorstep_domain::fairs::{self, Action};
use serde::Deserialize;
use uuid::Uuid;

use super::fair_path;
use crate::console::error::ConsoleError;
use crate::console::layout;
use crate::console::session::Posted;
use crate::services;
use crate::startup::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyForm {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonForm {
    /// Absent counts as empty, so the domain's check names the field either way.
    #[serde(default)]
    reason: String,
}

fn back(fair: Uuid, done: &str, anchor: &str) -> HttpResponse {
    layout::see_other(&format!("{}?done={done}#{anchor}", fair_path(fair)))
}

pub async fn approve_booth(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (fair, booth) = path.into_inner();
    booths::review(&state.db, &posted.user.principal, fair, booth, Ok(())).await?;
    Ok(back(fair, "approved", "booths"))
}

pub async fn reject_booth(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (fair, booth) = path.into_inner();
    let reason = posted.form.reason;
    booths::review(&state.db, &posted.user.principal, fair, booth, Err(reason)).await?;
    Ok(back(fair, "rejected", "booths"))
}

/// Runs the route planner, as `POST /api/v1/fairs/{id}/plan` does; the fair's page then
/// shows the plan's summary.
pub async fn plan(
    state: web::Data<AppState>,
    fair: web::Path<Uuid>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let fair = fair.into_inner();
    services::fairs::plan(
        &state.db,
        &state.weights,
        state.settings.fair_min_score,
        &posted.user.principal,
        fair,
    )
    .await?;
    Ok(back(fair, "planned", "plan"))
}

async fn move_fair(
    state: &AppState,
    posted: &Posted<impl std::fmt::Debug>,
    fair: Uuid,
    action: Action,
    reason: Option<&str>,
) -> Result<(), ConsoleError> {
    fairs::transition(&state.db, &posted.user.principal, fair, action, reason).await?;
    Ok(())
}

pub async fn publish(
    state: web::Data<AppState>,
    fair: web::Path<Uuid>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let fair = fair.into_inner();
    move_fair(&state, &posted, fair, Action::Publish, None).await?;
    Ok(back(fair, "published", "main"))
}

pub async fn close(
    state: web::Data<AppState>,
    fair: web::Path<Uuid>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let fair = fair.into_inner();
    move_fair(&state, &posted, fair, Action::Close, None).await?;
    Ok(back(fair, "closed", "main"))
}

pub async fn finish(
    state: web::Data<AppState>,
    fair: web::Path<Uuid>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let fair = fair.into_inner();
    move_fair(&state, &posted, fair, Action::Finish, None).await?;
    Ok(back(fair, "finished", "main"))
}

pub async fn cancel(
    state: web::Data<AppState>,
    fair: web::Path<Uuid>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, ConsoleError> {
    let fair = fair.into_inner();
    let reason = posted.form.reason.clone();
    move_fair(&state, &posted, fair, Action::Cancel, Some(&reason)).await?;
    Ok(back(fair, "cancelled", "main"))
}
