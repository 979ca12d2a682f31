//! The community part of a seeker's data rights: what they reported, the trainings they
//! took, their points, redemptions and wishes, in their export; and on erasure, the links
//! from their reports and wishes to them cut (the reports and wishes stay, anonymous, for
//! the board and the figures), the rest left on the anonymous account stub.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::entities::{point_entry, redemption, report, training_registration, wish};
use crate::{DomainError, time};

/// The community section of a seeker's export.
pub async fn export<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<Value, DomainError> {
    let reports = report::Entity::find()
        .filter(report::Column::ReporterId.eq(account))
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?;
    let trainings = training_registration::Entity::find()
        .filter(training_registration::Column::SeekerId.eq(account))
        .order_by_asc(training_registration::Column::Id)
        .all(db)
        .await?;
    let points = point_entry::Entity::find()
        .filter(point_entry::Column::AccountId.eq(account))
        .order_by_asc(point_entry::Column::Seq)
        .all(db)
        .await?;
    let redemptions = redemption::Entity::find()
        .filter(redemption::Column::AccountId.eq(account))
        .order_by_asc(redemption::Column::Id)
        .all(db)
        .await?;
    let wishes = wish::Entity::find()
        .filter(wish::Column::AuthorId.eq(account))
        .order_by_asc(wish::Column::Id)
        .all(db)
        .await?;
    Ok(json!({
        "reports": reports.iter().map(|r| json!({
            "id": r.id, "category": r.category, "text": r.text, "lat": r.lat, "lon": r.lon,
            "address": r.address, "status": r.status, "created_at": time::to_display(r.created_at),
        })).collect::<Vec<_>>(),
        "trainings": trainings.iter().map(|t| json!({
            "session_id": t.session_id, "status": t.status,
            "registered_at": time::to_display(t.created_at),
            "attended_at": t.attended_at.map(time::to_display),
        })).collect::<Vec<_>>(),
        "points": points.iter().map(|p| json!({
            "delta": p.delta, "balance_after": p.balance_after, "reason": p.reason,
            "note": p.note, "at": time::to_display(p.created_at),
        })).collect::<Vec<_>>(),
        "redemptions": redemptions.iter().map(|r| json!({
            "reward_id": r.reward_id, "cost": r.cost, "status": r.status,
            "created_at": time::to_display(r.created_at),
        })).collect::<Vec<_>>(),
        "wishes": wishes.iter().map(|w| json!({
            "category": w.category, "text": w.text, "status": w.status,
            "created_at": time::to_display(w.created_at),
        })).collect::<Vec<_>>(),
    }))
}

/// Cuts the seeker's reports and wishes loose from them (inside the erasure transaction).
pub async fn erase<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<(), DomainError> {
    report::Entity::update_many()
        .col_expr(
            report::Column::ReporterId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(report::Column::ReporterId.eq(account))
        .exec(db)
        .await?;
    wish::Entity::update_many()
        .col_expr(wish::Column::AuthorId, Expr::value(Option::<Uuid>::None))
        .filter(wish::Column::AuthorId.eq(account))
        .exec(db)
        .await?;
    Ok(())
}
