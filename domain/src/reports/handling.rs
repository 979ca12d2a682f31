//! From a filed report to a fixed problem: the coordinator dispatches it to a department
//! with a deadline (or rejects it), the department's handler — an account, or anyone
//! holding the e-mailed signed link — marks it in progress and resolved, and a scheduled
//! job escalates what is overdue.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::link::{self, LinkClaims};
use super::{
    NewFile, UploadLimits, category_label, find, record_event, store_media, tell_reporters,
};
use crate::auth::Principal;
use crate::entities::{department, report, report_media};
use crate::html;
use crate::mail_queue::{self, OutgoingMail};
use crate::media::{self, MediaStore};
use crate::types::{Email, MediaKind, PointReason, ReportStatus, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, accounts, inbox, points, time};

/// The shortest and longest deadline a coordinator may set.
pub const MIN_DEADLINE_HOURS: i64 = 1;
pub const MAX_DEADLINE_DAYS: i64 = 30;
/// A handling link stays valid this long after the deadline, so late work can still be
/// reported through it.
pub const LINK_GRACE_DAYS: i64 = 14;

/// An office that handles reports.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    /// 街道城管中队, 消防救援站, 环卫所…
    pub name: String,
    /// Where dispatch links are sent.
    #[serde(default)]
    pub email: Option<String>,
    /// An account that handles this department's reports in the app.
    #[serde(default)]
    pub handler_id: Option<Uuid>,
}

fn require_coordinator(actor: &Principal) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only coordinators (officers) do this",
        ))
    }
}

/// Adds a department.
pub async fn create_department<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    actor: &Principal,
    input: DepartmentInput,
) -> Result<department::Model, DomainError> {
    require_coordinator(actor)?;
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", bounded(&input.name, 2, 60));
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => errors
            .check("email", Email::parse(raw))
            .map(|e| Some(e.as_str().to_owned())),
    };
    if input.email.is_none() && input.handler_id.is_none() {
        errors.push(
            "email",
            Invalid::new(
                "required",
                "a department needs an e-mail address or a handler account",
            ),
        );
    }
    if let Some(handler) = input.handler_id {
        let found = accounts::find(db, handler).await;
        if !found.is_ok_and(|a| a.deleted_at.is_none()) {
            errors.push(
                "handler_id",
                Invalid::new("unknown_account", "no such account"),
            );
        }
    }
    let (Some(name), Some(email)) = (name, email) else {
        return Err(DomainError::Validation(errors));
    };
    errors.into_result()?;
    // An officer's department serves their (first) district; an admin's serves everywhere.
    let district = crate::districts::scope_of(db, actor)
        .await?
        .district_ids()
        .and_then(|ids| ids.first().copied());
    let txn = crate::db::begin_write(db).await?;
    let created = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        district_id: Set(district),
        name: Set(name),
        email: Set(email),
        handler_id: Set(input.handler_id),
        created_by: Set(actor.account_id),
        created_at: Set(time::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn list_departments<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
) -> Result<Vec<department::Model>, DomainError> {
    require_coordinator(actor)?;
    // City-wide departments (no district) serve every district.
    let scope = crate::districts::scope_of(db, actor).await?;
    Ok(department::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(scope.condition(department::Column::DistrictId))
                .add(department::Column::DistrictId.is_null()),
        )
        .order_by_asc(department::Column::Name)
        .all(db)
        .await?)
}

async fn find_department<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<department::Model, DomainError> {
    department::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("department"))
}

/// Whether `account` is the handler account of the department `report` is dispatched to.
pub async fn is_handler_account<C: ConnectionTrait>(
    db: &C,
    report: &report::Model,
    account: Uuid,
) -> Result<bool, DomainError> {
    let Some(department) = report.department_id else {
        return Ok(false);
    };
    Ok(find_department(db, department).await?.handler_id == Some(account))
}

/// The coordinator's dispatch.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchInput {
    pub department_id: Uuid,
    /// When the problem must be fixed: at least an hour and at most 30 days ahead.
    pub deadline: DateTime<FixedOffset>,
    /// A word for the department (optional).
    #[serde(default)]
    pub note: String,
}

/// What a dispatch produced: the report, and the handling link sent to the department.
#[derive(Debug, Clone)]
pub struct Dispatched {
    pub report: report::Model,
    pub link: String,
}

/// Builds a handling link URL.
fn link_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/api/v1/report-handling?token={token}",
        public_url.trim_end_matches('/')
    )
}

fn department_mail(
    report: &report::Model,
    department: &department::Model,
    to: &str,
    url: &str,
    reminder: bool,
    note: &str,
) -> OutgoingMail {
    let deadline = report
        .deadline
        .map(|d| time::to_display(d).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let what = category_label(report.category);
    let subject = if reminder {
        format!("【逾期提醒】随手拍问题待处理：{what}（期限 {deadline}）")
    } else {
        format!("【随手拍派单】{what}：请于 {deadline} 前处理")
    };
    let text = format!(
        "{}：\n\n{}\n\n问题：{}\n地点：{}（{:.5}, {:.5}）\n处理期限：{deadline}\n{}\n处理链接（标记处理中、已解决并上传照片）：\n{url}\n",
        department.name,
        if reminder {
            "以下问题已超过处理期限，请尽快处理并反馈。"
        } else {
            "社区协调员向贵部门派发了一条群众随手拍问题。"
        },
        report.text,
        report.address,
        report.lat,
        report.lon,
        if note.is_empty() {
            String::new()
        } else {
            format!("协调员备注：{note}\n")
        },
    );
    let html = format!(
        "<p>{}</p><p>{}</p><p><a href=\"{}\">打开处理链接</a></p>",
        html::escape(&department.name),
        html::escape(&text).replace('\n', "<br>"),
        html::escape(url)
    );
    OutgoingMail {
        to: to.to_owned(),
        subject,
        text,
        html,
        message_id: format!(
            "<report-{}-{}-{}@doorstep>",
            report.id.simple(),
            report.dispatch_no,
            if reminder { "overdue" } else { "dispatch" }
        ),
    }
}

/// Dispatches a report (or dispatches it again, to another department or with a new
/// deadline): the reporter earns points for a verified report, the department gets a
/// signed handling link by e-mail and its handler account a notice, the reporters are told.
pub async fn dispatch<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: DispatchInput,
    public_url: &str,
) -> Result<Dispatched, DomainError> {
    require_coordinator(actor)?;
    let now = time::now();
    let deadline = input.deadline.with_timezone(&Utc);
    let mut errors = ValidationErrors::new();
    if deadline < now + Duration::hours(MIN_DEADLINE_HOURS)
        || deadline > now + Duration::days(MAX_DEADLINE_DAYS)
    {
        errors.push(
            "deadline",
            Invalid::new("out_of_range", "from an hour to 30 days from now"),
        );
    }
    let note = errors.check("note", bounded(&input.note, 0, 300));
    let Some(note) = note.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let department = find_department(db, input.department_id)
        .await
        .map_err(|_| {
            DomainError::Validation(ValidationErrors::single(
                "department_id",
                Invalid::new("unknown_department", "no such department"),
            ))
        })?;
    points::retrying(|| dispatch_once(db, actor, id, deadline, &department, &note, public_url))
        .await
}

async fn dispatch_once<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    deadline: DateTime<Utc>,
    department: &department::Model,
    note: &str,
    public_url: &str,
) -> Result<Dispatched, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(current.district_id, "report")?;
    if current.status == ReportStatus::Duplicate {
        return Err(DomainError::conflict(
            "report_is_duplicate",
            "this report is linked to an earlier one; dispatch that one",
        ));
    }
    if matches!(
        current.status,
        ReportStatus::Resolved | ReportStatus::Rejected
    ) {
        return Err(DomainError::conflict(
            "report_closed",
            "this report is already resolved or rejected",
        ));
    }
    let first_dispatch = current.status == ReportStatus::Submitted;
    // One key per report; a new dispatch number, not a new key, retires earlier links, so
    // an old link still verifies and can be told apart from a forged one.
    let key = current
        .handler_key
        .clone()
        .unwrap_or_else(crate::signed_token::new_key);
    let dispatch_no = current.dispatch_no + 1;
    let mut active: report::ActiveModel = current.clone().into();
    active.status = Set(ReportStatus::Dispatched);
    active.department_id = Set(Some(department.id));
    active.dispatch_no = Set(dispatch_no);
    active.handler_key = Set(Some(key.clone()));
    active.deadline = Set(Some(deadline));
    active.dispatched_at = Set(Some(time::now()));
    active.dispatched_by = Set(Some(actor.account_id));
    active.escalated_at = Set(None);
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    let token = link::issue(
        &key,
        LinkClaims {
            report: id,
            dispatch: dispatch_no,
        },
        deadline + Duration::days(LINK_GRACE_DAYS),
    );
    let url = link_url(public_url, &token);
    record_event(
        &txn,
        id,
        "dispatched",
        Some(actor.account_id),
        &format!("{}；{}", department.name, note),
    )
    .await?;
    if first_dispatch && let Some(reporter) = updated.reporter_id {
        // Dispatching is the coordinator's confirmation that the report is real.
        points::append(
            &txn,
            reporter,
            points::REPORT_VERIFIED,
            PointReason::ReportVerified,
            id,
            "随手拍核实",
        )
        .await?;
    }
    if let Some(email) = &department.email {
        mail_queue::enqueue(
            &txn,
            department_mail(&updated, department, email, &url, false, note),
        )
        .await?;
    }
    if let Some(handler) = department.handler_id {
        inbox::notify(
            &txn,
            handler,
            "report_dispatched",
            format!("新派单：{}", category_label(updated.category)),
            updated.text.clone(),
            json!({"report_id": id, "deadline": time::to_display(deadline)}),
        )
        .await?;
    }
    tell_reporters(
        &txn,
        &updated,
        "report_dispatched",
        format!("你的随手拍已派发至{}", department.name),
        format!(
            "处理期限：{}{}",
            time::to_display(deadline).format("%m月%d日 %H:%M"),
            if first_dispatch {
                format!("。核实有效，积分 +{}", points::REPORT_VERIFIED)
            } else {
                String::new()
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Dispatched {
        report: updated,
        link: url,
    })
}

/// The coordinator turns a report down (not a real problem, not ours), with a reason the
/// reporter sees.
pub async fn reject<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    reason: &str,
) -> Result<report::Model, DomainError> {
    require_coordinator(actor)?;
    let reason = bounded(reason, 2, 300)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(current.district_id, "report")?;
    if current.status != ReportStatus::Submitted {
        return Err(DomainError::conflict(
            "report_not_waiting",
            "only a report waiting for dispatch can be rejected",
        ));
    }
    let mut active: report::ActiveModel = current.into();
    active.status = Set(ReportStatus::Rejected);
    active.resolution_note = Set(Some(reason.clone()));
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    record_event(&txn, id, "rejected", Some(actor.account_id), &reason).await?;
    tell_reporters(
        &txn,
        &updated,
        "report_rejected",
        "你的随手拍未被受理".to_owned(),
        reason,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Who is acting on a dispatched report.
#[derive(Debug, Clone, Copy)]
pub enum Handler<'a> {
    /// A signed-in account: the department's handler, or a coordinator.
    Account(&'a Principal),
    /// Whoever holds the e-mailed link.
    Link(&'a str),
}

/// The report a handler may act on, checked: for a link, its signature, dispatch and expiry;
/// for an account, that it is the department's handler account or a coordinator.
pub async fn report_for_handler<C: ConnectionTrait>(
    db: &C,
    handler: Handler<'_>,
    id: Option<Uuid>,
) -> Result<report::Model, DomainError> {
    match handler {
        Handler::Link(token) => {
            // A link naming no report is as invalid as an altered one.
            let found = report::Entity::find_by_id(link::report_of(token)?)
                .one(db)
                .await?
                .ok_or_else(|| {
                    DomainError::unauthenticated("invalid_token", "this handling link is not valid")
                })?;
            link::verify(
                token,
                found.handler_key.as_deref(),
                found.dispatch_no,
                time::now(),
            )?;
            Ok(found)
        }
        Handler::Account(actor) => {
            let id = id.ok_or(DomainError::NotFound("report"))?;
            let found = find(db, id).await?;
            let allowed = (matches!(actor.role, Role::Officer | Role::Admin)
                && crate::districts::scope_of(db, actor)
                    .await?
                    .covers(found.district_id))
                || is_handler_account(db, &found, actor.account_id).await?;
            if allowed && found.department_id.is_some() {
                Ok(found)
            } else {
                Err(DomainError::NotFound("report"))
            }
        }
    }
}

fn actor_of(handler: Handler<'_>) -> Option<Uuid> {
    match handler {
        Handler::Account(actor) => Some(actor.account_id),
        Handler::Link(_) => None,
    }
}

/// The handler's progress: `in_progress` once work starts, `resolved` when fixed (with a
/// note, and photos attached before or after).
pub async fn advance<C: TransactionTrait>(
    db: &C,
    handler: Handler<'_>,
    id: Option<Uuid>,
    to: ReportStatus,
    note: &str,
) -> Result<report::Model, DomainError> {
    let note = bounded(note, if to == ReportStatus::Resolved { 2 } else { 0 }, 500)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("note", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let current = report_for_handler(&txn, handler, id).await?;
    let allowed_from: &[ReportStatus] = match to {
        ReportStatus::InProgress => &[ReportStatus::Dispatched],
        ReportStatus::Resolved => &[ReportStatus::Dispatched, ReportStatus::InProgress],
        _ => &[],
    };
    if !allowed_from.contains(&current.status) {
        return Err(DomainError::conflict(
            "invalid_transition",
            format!("a {} report cannot become {to}", current.status),
        ));
    }
    let mut active: report::ActiveModel = current.into();
    active.status = Set(to);
    active.updated_at = Set(time::now());
    if to == ReportStatus::Resolved {
        active.resolved_at = Set(Some(time::now()));
        active.resolution_note = Set(Some(note.clone()));
    }
    let updated = active.update(&txn).await?;
    let (kind, title) = if to == ReportStatus::Resolved {
        ("report_resolved", "你上报的问题已解决")
    } else {
        ("report_in_progress", "你上报的问题正在处理")
    };
    record_event(&txn, updated.id, to.as_str(), actor_of(handler), &note).await?;
    tell_reporters(&txn, &updated, kind, title.to_owned(), note).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The handler's photo of the fixed problem (metadata stripped like every photo).
pub async fn attach_resolution_photo<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    limits: UploadLimits,
    handler: Handler<'_>,
    id: Option<Uuid>,
    bytes: Vec<u8>,
) -> Result<report_media::Model, DomainError> {
    let current = report_for_handler(db, handler, id).await?;
    if !matches!(
        current.status,
        ReportStatus::Dispatched | ReportStatus::InProgress | ReportStatus::Resolved
    ) {
        return Err(DomainError::conflict(
            "report_closed_for_files",
            "photos are added while the report is being handled",
        ));
    }
    let clean = media::clean_photo(bytes, limits.photo_bytes)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("body", e)))?;
    let file = NewFile {
        kind: MediaKind::ResolutionPhoto,
        uploaded_by: actor_of(handler),
        media_type: clean.media_type,
        bytes: clean.bytes,
        limit: super::MAX_RESOLUTION_PHOTOS,
    };
    store_media(db, store, current.id, file).await
}

/// Escalates dispatched reports past their deadline, once each: the dispatching
/// coordinator is told, the department gets a reminder, the reporters learn it is overdue.
/// Safe to run twice and from several workers: the conditional update decides who
/// escalates a report.
pub async fn escalate_overdue<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<usize, DomainError> {
    let due = report::Entity::find()
        .filter(report::Column::Status.is_in([ReportStatus::Dispatched, ReportStatus::InProgress]))
        .filter(report::Column::Deadline.lt(now))
        .filter(report::Column::EscalatedAt.is_null())
        .order_by_asc(report::Column::Deadline)
        .all(db)
        .await?;
    let mut escalated = 0;
    for overdue in due {
        let txn = crate::db::begin_write(db).await?;
        let won = report::Entity::update_many()
            .col_expr(report::Column::EscalatedAt, Expr::value(now))
            .filter(report::Column::Id.eq(overdue.id))
            .filter(report::Column::EscalatedAt.is_null())
            .filter(report::Column::DispatchNo.eq(overdue.dispatch_no))
            .exec(&txn)
            .await?;
        if won.rows_affected == 0 {
            continue;
        }
        let current = find(&txn, overdue.id).await?;
        record_event(&txn, current.id, "escalated", None, "").await?;
        if let Some(coordinator) = current.dispatched_by {
            inbox::notify(
                &txn,
                coordinator,
                "report_overdue",
                format!("随手拍逾期未解决：{}", category_label(current.category)),
                current.text.clone(),
                json!({"report_id": current.id}),
            )
            .await?;
        }
        if let Some(department_id) = current.department_id {
            let department = find_department(&txn, department_id).await?;
            if let (Some(email), Some(key)) = (&department.email, &current.handler_key) {
                let token = link::issue(
                    key,
                    LinkClaims {
                        report: current.id,
                        dispatch: current.dispatch_no,
                    },
                    current.deadline.unwrap_or(now) + Duration::days(LINK_GRACE_DAYS),
                );
                let url = link_url(public_url, &token);
                mail_queue::enqueue(
                    &txn,
                    department_mail(&current, &department, email, &url, true, ""),
                )
                .await?;
            }
        }
        tell_reporters(
            &txn,
            &current,
            "report_overdue",
            "你上报的问题已逾期，已督办".to_owned(),
            "责任部门未在期限内处理，协调员已收到督办提醒。".to_owned(),
        )
        .await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}
