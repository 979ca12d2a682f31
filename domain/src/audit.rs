//! The audit log: every time an officer reads someone's personal data, who read whose, what,
//! when and why.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::entities::audit_entry;
use crate::{DomainError, Invalid, ValidationErrors, time};

/// Why an officer is reading a file: required, 2 to 200 characters.
pub fn parse_reason(raw: Option<&str>) -> Result<String, DomainError> {
    let reason = raw.unwrap_or("").trim();
    let chars = reason.chars().count();
    if !(2..=200).contains(&chars) {
        return Err(DomainError::Validation(ValidationErrors::single(
            "reason",
            Invalid::new(
                "reason_required",
                "officers state why they read a person's file (2 to 200 characters)",
            ),
        )));
    }
    Ok(reason.to_owned())
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: Uuid,
    subject: Option<Uuid>,
    action: &str,
    object: (&str, Uuid),
    reason: &str,
) -> Result<(), DomainError> {
    audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor),
        subject_id: Set(subject),
        action: Set(action.to_owned()),
        object_type: Set(object.0.to_owned()),
        object_id: Set(object.1),
        reason: Set(reason.to_owned()),
        at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
