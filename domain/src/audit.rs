//! The audit log: every time an officer reads someone's personal data, who read whose, what,
//! when and why; and admins browsing it ([`browse`], [`export`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{account, audit_entry};
use crate::pagination::{Page, PageRequest};
use crate::types::Role;
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

/// The most rows one CSV export holds; a larger selection gets its newest rows and is
/// marked truncated (narrow the filters, e.g. by time, to get the rest).
pub const EXPORT_CAP: u64 = 100_000;

/// Which entries an admin is looking for; every filter is optional and they combine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<Uuid>,
    pub subject: Option<Uuid>,
    pub action: Option<String>,
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// The filters as they arrive in a query string.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawAuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub action: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

fn parse_id(raw: &str) -> Result<Uuid, Invalid> {
    raw.trim()
        .parse()
        .map_err(|_| Invalid::new("invalid_uuid", "must be an account id (a UUID)"))
}

fn parse_action(raw: &str) -> Result<String, Invalid> {
    let action = raw.trim();
    let well_formed = (1..=64).contains(&action.len())
        && action
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if well_formed {
        Ok(action.to_owned())
    } else {
        Err(Invalid::new(
            "invalid_action",
            "an action is a name like read_profile (lower-case letters, digits, _)",
        ))
    }
}

/// An RFC 3339 instant, or a date (a whole day in China Standard Time): the start of the
/// day for `from`, the start of the next day for `to`, so `to=2026-11-26` includes that day.
fn parse_instant(raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, Invalid> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        Invalid::new(
            "invalid_time",
            "must be a date (2026-11-26) or an RFC 3339 time (2026-11-26T09:00:00+08:00)",
        )
    })?;
    let day = if end_of_day {
        day.succ_opt()
            .ok_or_else(|| Invalid::new("invalid_time", "the date is out of range"))?
    } else {
        day
    };
    time::local_midnight(day)
        .ok_or_else(|| Invalid::new("invalid_time", "the date is out of range"))
}

fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

impl AuditFilter {
    /// Checks every filter, naming each bad one.
    pub fn parse(raw: RawAuditFilter<'_>) -> Result<Self, DomainError> {
        let mut errors = ValidationErrors::new();
        let actor = present(raw.actor).and_then(|v| errors.check("actor", parse_id(v)));
        let subject = present(raw.subject).and_then(|v| errors.check("subject", parse_id(v)));
        let action = present(raw.action).and_then(|v| errors.check("action", parse_action(v)));
        let from = present(raw.from).and_then(|v| errors.check("from", parse_instant(v, false)));
        let to = present(raw.to).and_then(|v| errors.check("to", parse_instant(v, true)));
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            errors.push(
                "to",
                Invalid::new("empty_range", "`to` must come after `from`"),
            );
        }
        errors.into_result()?;
        Ok(Self {
            actor,
            subject,
            action,
            from,
            to,
        })
    }

    fn apply(&self, mut query: Select<audit_entry::Entity>) -> Select<audit_entry::Entity> {
        if let Some(actor) = self.actor {
            query = query.filter(audit_entry::Column::ActorId.eq(actor));
        }
        if let Some(subject) = self.subject {
            query = query.filter(audit_entry::Column::SubjectId.eq(subject));
        }
        if let Some(action) = &self.action {
            query = query.filter(audit_entry::Column::Action.eq(action.as_str()));
        }
        if let Some(from) = self.from {
            query = query.filter(audit_entry::Column::At.gte(from));
        }
        if let Some(to) = self.to {
            query = query.filter(audit_entry::Column::At.lt(to));
        }
        query
    }
}

/// An entry with the name its actor goes by.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: audit_entry::Model,
    /// Absent if the actor's account no longer exists.
    pub actor_name: Option<String>,
}

fn admins_only(actor: &Principal) -> Result<(), DomainError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::forbidden("only admins browse the audit log"))
    }
}

async fn with_names<C: ConnectionTrait>(
    db: &C,
    entries: Vec<audit_entry::Model>,
) -> Result<Vec<AuditRow>, DomainError> {
    let mut actors: Vec<Uuid> = entries.iter().map(|e| e.actor_id).collect();
    actors.sort_unstable();
    actors.dedup();
    let mut names = HashMap::new();
    // Few distinct actors (officers) per page, but an export may have many: ask in chunks
    // that stay under every database's bound-parameter limit.
    for chunk in actors.chunks(1000) {
        let found: Vec<(Uuid, String)> = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .column(account::Column::DisplayName)
            .filter(account::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        names.extend(found);
    }
    Ok(entries
        .into_iter()
        .map(|entry| AuditRow {
            actor_name: names.get(&entry.actor_id).cloned(),
            entry,
        })
        .collect())
}

/// One page of entries matching `filter`, newest first (ids are time-ordered). Admins only.
pub async fn browse<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    filter: &AuditFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<AuditRow>, DomainError> {
    admins_only(actor)?;
    let mut query = filter
        .apply(audit_entry::Entity::find())
        .order_by_desc(audit_entry::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(audit_entry::Column::Id.lt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |e| e.id);
    Ok(Page {
        items: with_names(db, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

/// Entries matching `filter`, newest first, at most [`EXPORT_CAP`]; `true` when more
/// matched than that. Admins only.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    filter: &AuditFilter,
) -> Result<(Vec<AuditRow>, bool), DomainError> {
    admins_only(actor)?;
    let mut rows = filter
        .apply(audit_entry::Entity::find())
        .order_by_desc(audit_entry::Column::Id)
        .limit(EXPORT_CAP + 1)
        .all(db)
        .await?;
    let truncated = rows.len() as u64 > EXPORT_CAP;
    rows.truncate(EXPORT_CAP as usize);
    Ok((with_names(db, rows).await?, truncated))
}

/// The CSV header of [`to_csv`].
pub const CSV_HEADER: [&str; 9] = [
    "id",
    "at",
    "actor_id",
    "actor_name",
    "subject_id",
    "action",
    "object_type",
    "object_id",
    "reason",
];

/// Rows as a spreadsheet-ready document (UTF-8 with BOM, times in +08:00).
pub fn to_csv(rows: &[AuditRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let e = &row.entry;
            vec![
                e.id.to_string(),
                time::to_display(e.at).to_rfc3339(),
                e.actor_id.to_string(),
                row.actor_name.clone().unwrap_or_default(),
                e.subject_id.map(|s| s.to_string()).unwrap_or_default(),
                e.action.clone(),
                e.object_type.clone(),
                e.object_id.to_string(),
                e.reason.clone(),
            ]
        })
        .collect();
    crate::csv::document(&CSV_HEADER, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(f: impl FnOnce(&mut RawAuditFilter<'a>)) -> RawAuditFilter<'a> {
        let mut raw = RawAuditFilter::default();
        f(&mut raw);
        raw
    }

    fn fields(err: DomainError) -> Vec<String> {
        match err {
            DomainError::Validation(errors) => errors.0.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn dates_are_whole_days_in_china_time() {
        let filter = AuditFilter::parse(raw(|r| {
            r.from = Some("2026-11-26");
            r.to = Some("2026-11-26");
        }))
        .unwrap();
        assert_eq!(
            filter.from.unwrap().to_rfc3339(),
            "2026-11-25T16:00:00+00:00"
        );
        assert_eq!(filter.to.unwrap().to_rfc3339(), "2026-11-26T16:00:00+00:00");
        let exact =
            AuditFilter::parse(raw(|r| r.from = Some("2026-11-26T09:30:00+08:00"))).unwrap();
        assert_eq!(
            exact.from.unwrap().to_rfc3339(),
            "2026-11-26T01:30:00+00:00"
        );
    }

    #[test]
    fn every_bad_filter_is_named() {
        let err = AuditFilter::parse(raw(|r| {
            r.actor = Some("me");
            r.subject = Some("42");
            r.action = Some("Read Profile");
            r.from = Some("yesterday");
            r.to = Some("2026-13-01");
        }))
        .unwrap_err();
        assert_eq!(fields(err), ["actor", "subject", "action", "from", "to"]);
        let backwards = AuditFilter::parse(raw(|r| {
            r.from = Some("2026-11-27");
            r.to = Some("2026-11-25");
        }))
        .unwrap_err();
        assert_eq!(fields(backwards), ["to"]);
        assert_eq!(
            AuditFilter::parse(raw(|r| r.actor = Some(" "))).unwrap(),
            AuditFilter::default()
        );
    }
}
