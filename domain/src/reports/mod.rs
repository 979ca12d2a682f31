//! 随手拍: riders and couriers photograph problems they pass (a broken manhole cover, a
//! blocked fire lane) and report them with the place, photos and an optional voice note.
//! A coordinator (officer) dispatches each report to the department responsible, with a
//! deadline; the department's handler marks it in progress and resolved; overdue reports
//! escalate; the reporter is told at every step; resolved reports are published per
//! district without anyone's identity.
//!
//! The same problem is often reported several times: a report of the same category within
//! [`DUPLICATE_RADIUS_M`] of an open report from the last [`DUPLICATE_WINDOW_HOURS`] hours is
//! linked to that earlier report instead of becoming a second case, so it is dispatched,
//! counted and rewarded once.

pub mod handling;
pub mod link;

use crate::ErrorCode;
use chrono::Duration;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{report, report_event, report_media};
use crate::media::{self, MediaStore};
use crate::pagination::{Page, PageRequest};
use crate::types::{GeoPoint, MediaKind, ReportCategory, ReportStatus, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, inbox, time};

/// Reports of the same category closer than this are taken for the same problem.
pub const DUPLICATE_RADIUS_M: f64 = 50.0;
/// ... when the earlier one is at most this old.
pub const DUPLICATE_WINDOW_HOURS: i64 = 24;
/// Photos a reporter may attach to one report.
pub const MAX_PHOTOS: usize = 6;
/// Photos a handler may attach to show the fix.
pub const MAX_RESOLUTION_PHOTOS: usize = 6;

/// What a worker reports.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub category: ReportCategory,
    /// What is wrong, 5 to 500 characters.
    pub text: String,
    pub lat: f64,
    pub lon: f64,
    /// Where, in words (optional): 石路步行街北口.
    #[serde(default)]
    pub address: String,
}

/// Size limits for uploads, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    pub photo_bytes: usize,
    pub voice_bytes: usize,
}

/// Writes one step of a report's history.
pub(crate) async fn record_event<C: ConnectionTrait>(
    db: &C,
    report_id: Uuid,
    kind: &str,
    actor: Option<Uuid>,
    note: &str,
) -> Result<(), DomainError> {
    report_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        report_id: Set(report_id),
        kind: Set(kind.to_owned()),
        actor_id: Set(actor),
        note: Set(note.to_owned()),
        at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Tells the reporter of `report` and of every report linked to it.
pub(crate) async fn tell_reporters<C: ConnectionTrait>(
    db: &C,
    canonical: &report::Model,
    kind: &str,
    title: String,
    body: String,
) -> Result<(), DomainError> {
    let mut reporters: Vec<Uuid> = canonical.reporter_id.into_iter().collect();
    for r in linked(db, canonical.id).await? {
        if let Some(reporter) = r.reporter_id.filter(|id| !reporters.contains(id)) {
            reporters.push(reporter);
        }
    }
    for reporter in reporters {
        inbox::notify(
            db,
            reporter,
            kind,
            title.clone(),
            body.clone(),
            json!({"report_id": canonical.id, "status": canonical.status}),
        )
        .await?;
    }
    Ok(())
}

/// A category as people read it.
pub fn category_label(category: ReportCategory) -> &'static str {
    match category {
        ReportCategory::Roads => "道路设施",
        ReportCategory::FireSafety => "消防安全",
        ReportCategory::Sanitation => "环境卫生",
        ReportCategory::Parking => "车辆停放",
        ReportCategory::PublicOrder => "公共秩序",
        ReportCategory::Other => "其他",
    }
}

/// The open report of the same category within the duplicate radius and window, nearest
/// first, if there is one.
async fn earlier_report_of_same_problem<C: ConnectionTrait>(
    db: &C,
    category: ReportCategory,
    at: GeoPoint,
) -> Result<Option<report::Model>, DomainError> {
    let since = time::now() - Duration::hours(DUPLICATE_WINDOW_HOURS);
    let dlat = DUPLICATE_RADIUS_M / 111_000.0 * 1.01;
    let dlon = dlat / at.lat().to_radians().cos().max(0.01);
    let candidates = report::Entity::find()
        .filter(report::Column::Category.eq(category))
        .filter(report::Column::CreatedAt.gte(since))
        .filter(report::Column::DuplicateOf.is_null())
        .filter(report::Column::Status.is_not_in([ReportStatus::Rejected, ReportStatus::Resolved]))
        .filter(report::Column::Lat.between(at.lat() - dlat, at.lat() + dlat))
        .filter(report::Column::Lon.between(at.lon() - dlon, at.lon() + dlon))
        .all(db)
        .await?;
    Ok(candidates
        .into_iter()
        .filter_map(|r| {
            let d = GeoPoint::new(r.lat, r.lon).ok()?.distance_m(at);
            (d <= DUPLICATE_RADIUS_M).then_some((d, r))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r))
}

/// A registered worker files a report. If the same problem was reported nearby within the
/// day, the new report is linked to the earlier one (status `duplicate`).
/// `held`: its text content security holds for an officer (it stays off the public board
/// until approved).
pub async fn file<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: ReportInput,
    held: &[crate::content_reviews::Held],
) -> Result<report::Model, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden(
            "reports are filed by registered workers",
        ));
    }
    let mut errors = ValidationErrors::new();
    let text = errors.check("text", bounded(&input.text, 5, 500));
    let address = errors.check("address", bounded(&input.address, 0, 200));
    let lat = errors.check("lat", GeoPoint::new(input.lat, 0.0));
    let lon = errors.check("lon", GeoPoint::new(0.0, input.lon));
    let (Some(text), Some(address), Some(_), Some(_)) = (text, address, lat, lon) else {
        return Err(DomainError::Validation(errors));
    };
    let at = GeoPoint::new(input.lat, input.lon)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("lat", e)))?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let earlier = earlier_report_of_same_problem(&txn, input.category, at).await?;
    let district = crate::districts::locate(&txn, at).await?;
    let created = report::ActiveModel {
        id: Set(Uuid::now_v7()),
        reporter_id: Set(Some(actor.account_id)),
        district_id: Set(district),
        category: Set(input.category),
        text: Set(text),
        lat: Set(at.lat()),
        lon: Set(at.lon()),
        address: Set(address),
        status: Set(if earlier.is_some() {
            ReportStatus::Duplicate
        } else {
            ReportStatus::Submitted
        }),
        duplicate_of: Set(earlier.as_ref().map(|e| e.id)),
        duplicates: Set(0),
        department_id: Set(None),
        dispatch_no: Set(0),
        handler_key: Set(None),
        deadline: Set(None),
        dispatched_at: Set(None),
        dispatched_by: Set(None),
        escalated_at: Set(None),
        resolved_at: Set(None),
        resolution_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    record_event(&txn, created.id, "submitted", Some(actor.account_id), "").await?;
    match &earlier {
        Some(earlier) => {
            report::Entity::update_many()
                .col_expr(
                    report::Column::Duplicates,
                    Expr::col(report::Column::Duplicates).add(1),
                )
                .filter(report::Column::Id.eq(earlier.id))
                .exec(&txn)
                .await?;
            record_event(
                &txn,
                earlier.id,
                "duplicate_linked",
                Some(actor.account_id),
                &created.id.to_string(),
            )
            .await?;
            inbox::notify(
                &txn,
                actor.account_id,
                "report_linked",
                "这个问题已有人上报".to_owned(),
                "附近刚有同类问题的报告，你的报告已合并到该报告，处理进展会同步告诉你。".to_owned(),
                json!({"report_id": created.id, "linked_to": earlier.id}),
            )
            .await?;
        }
        None => {
            inbox::notify(
                &txn,
                actor.account_id,
                "report_received",
                format!("已收到你的随手拍：{}", category_label(input.category)),
                "协调员会尽快核实并派发给责任部门。".to_owned(),
                json!({"report_id": created.id}),
            )
            .await?;
        }
    }
    crate::content_reviews::record(
        &txn,
        Some(actor.account_id),
        crate::content_reviews::REPORT,
        Some(created.id),
        held,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<report::Model, DomainError> {
    report::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("report"))
}

/// Who may read a report in full: its reporter, admins and the officers of its district,
/// and the handler account of the department it is dispatched to.
pub async fn readable_by<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<report::Model, DomainError> {
    let found = find(db, id).await?;
    let allowed = match actor.role {
        Role::Officer | Role::Admin => crate::districts::scope_of(db, actor)
            .await?
            .covers(found.district_id),
        _ if found.reporter_id == Some(actor.account_id) => true,
        _ => handling::is_handler_account(db, &found, actor.account_id).await?,
    };
    if allowed {
        Ok(found)
    } else {
        Err(DomainError::NotFound("report"))
    }
}

/// The later reports linked to `id` as the same problem, oldest first.
pub async fn linked<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Vec<report::Model>, DomainError> {
    Ok(report::Entity::find()
        .filter(report::Column::DuplicateOf.eq(id))
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?)
}

/// A report's files and history, oldest first.
pub async fn details<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<(Vec<report_media::Model>, Vec<report_event::Model>), DomainError> {
    let files = report_media::Entity::find()
        .filter(report_media::Column::ReportId.eq(id))
        .order_by_asc(report_media::Column::Id)
        .all(db)
        .await?;
    let events = report_event::Entity::find()
        .filter(report_event::Column::ReportId.eq(id))
        .order_by_asc(report_event::Column::Id)
        .all(db)
        .await?;
    Ok((files, events))
}

/// A checked upload on its way to the store.
pub(crate) struct NewFile {
    pub kind: MediaKind,
    pub uploaded_by: Option<Uuid>,
    pub media_type: media::MediaType,
    pub bytes: Vec<u8>,
    /// How many files of this kind a report may have.
    pub limit: usize,
}

/// Stores an upload and records it; the file is written first and removed again if the
/// record cannot be (a crash between the two leaves an unreferenced file, never a record
/// without its file).
pub(crate) async fn store_media<C: TransactionTrait>(
    db: &C,
    store: &dyn MediaStore,
    report_id: Uuid,
    file: NewFile,
) -> Result<report_media::Model, DomainError> {
    let NewFile {
        kind,
        uploaded_by,
        media_type,
        bytes,
        limit,
    } = file;
    let id = Uuid::now_v7();
    let key = format!(
        "reports/{report_id}/{}.{}",
        id.simple(),
        media_type.extension()
    );
    let size = bytes.len() as i64;
    store
        .put(&key, bytes)
        .await
        .map_err(|e| DomainError::internal_from("storing an upload", e))?;
    let recorded = async {
        let txn = crate::db::begin_write(db).await?;
        // Counted inside the write transaction, so two uploads at once cannot pass the cap.
        let existing = report_media::Entity::find()
            .filter(report_media::Column::ReportId.eq(report_id))
            .filter(report_media::Column::Kind.eq(kind))
            .count(&txn)
            .await? as usize;
        if existing >= limit {
            return Err(DomainError::conflict(
                ErrorCode::TooManyFiles,
                format!("at most {limit} files of this kind per report"),
            ));
        }
        let row = report_media::ActiveModel {
            id: Set(id),
            report_id: Set(report_id),
            kind: Set(kind),
            content_type: Set(media_type.content_type().to_owned()),
            size_bytes: Set(size),
            storage_key: Set(key.clone()),
            uploaded_by: Set(uploaded_by),
            created_at: Set(time::now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(row)
    }
    .await;
    if recorded.is_err() {
        let _ = store.delete(&key).await;
    }
    recorded
}

fn upload_error(field: &str, invalid: Invalid) -> DomainError {
    DomainError::Validation(ValidationErrors::single(field, invalid))
}

/// The reporter adds a photo (EXIF stripped) or a voice note while the report waits for
/// dispatch.
pub async fn attach<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    limits: UploadLimits,
    actor: &Principal,
    id: Uuid,
    kind: MediaKind,
    bytes: Vec<u8>,
) -> Result<report_media::Model, DomainError> {
    let current = find(db, id).await?;
    if current.reporter_id != Some(actor.account_id) {
        return Err(DomainError::NotFound("report"));
    }
    if !matches!(
        current.status,
        ReportStatus::Submitted | ReportStatus::Duplicate
    ) {
        return Err(DomainError::conflict(
            ErrorCode::ReportClosedForFiles,
            "files can be added until the report is dispatched",
        ));
    }
    let (media_type, bytes, limit) = match kind {
        MediaKind::Photo => {
            let clean = media::clean_photo(bytes, limits.photo_bytes)
                .map_err(|e| upload_error("body", e))?;
            (clean.media_type, clean.bytes, MAX_PHOTOS)
        }
        MediaKind::Voice => {
            let media_type = media::check_voice(&bytes, limits.voice_bytes)
                .map_err(|e| upload_error("body", e))?;
            (media_type, bytes, 1)
        }
        MediaKind::ResolutionPhoto => {
            return Err(DomainError::forbidden(
                "resolution photos come from the handler",
            ));
        }
    };
    let file = NewFile {
        kind,
        uploaded_by: Some(actor.account_id),
        media_type,
        bytes,
        limit,
    };
    store_media(db, store, id, file).await
}

/// A stored file and its bytes, for whoever may see the report (or anyone, for the
/// resolution photos of a published report).
pub async fn media_file<C: ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    viewer: Option<&Principal>,
    media_id: Uuid,
) -> Result<(report_media::Model, Vec<u8>), DomainError> {
    let row = report_media::Entity::find_by_id(media_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("file"))?;
    let report = find(db, row.report_id).await?;
    let public = row.kind == MediaKind::ResolutionPhoto && report.status == ReportStatus::Resolved;
    if !public {
        let viewer = viewer.ok_or(DomainError::NotFound("file"))?;
        readable_by(db, viewer, report.id)
            .await
            .map_err(|_| DomainError::NotFound("file"))?;
    }
    let bytes = store
        .get(&row.storage_key)
        .await
        .map_err(|e| DomainError::internal_from("reading an upload", e))?;
    Ok((row, bytes))
}

/// The worker's own reports, newest first.
pub async fn mine<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    page: PageRequest<Uuid>,
) -> Result<Page<report::Model>, DomainError> {
    let mut query = report::Entity::find()
        .filter(report::Column::ReporterId.eq(actor.account_id))
        .order_by_desc(report::Column::Id);
    if let Some(before) = page.after {
        query = query.filter(report::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// The coordinators' queue: reports by status (default: waiting for dispatch), newest
/// first, duplicates left out (they travel with the report they are linked to).
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    status: Option<ReportStatus>,
    overdue_only: bool,
    page: PageRequest<Uuid>,
) -> Result<Page<report::Model>, DomainError> {
    if !matches!(actor.role, Role::Officer | Role::Admin) {
        return Err(DomainError::forbidden("only coordinators see the queue"));
    }
    let scope = crate::districts::scope_of(db, actor).await?;
    let mut query = report::Entity::find()
        .filter(scope.condition(report::Column::DistrictId))
        .filter(report::Column::DuplicateOf.is_null())
        .filter(report::Column::Status.eq(status.unwrap_or(ReportStatus::Submitted)))
        .order_by_desc(report::Column::Id);
    if overdue_only {
        query = query.filter(report::Column::EscalatedAt.is_not_null());
    }
    if let Some(before) = page.after {
        query = query.filter(report::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// The public board: resolved reports, newest first, each with its resolution photos, for
/// anyone; nothing on it names or points to a reporter.
pub async fn board<C: ConnectionTrait>(
    db: &C,
    district: Option<Uuid>,
    page: PageRequest<Uuid>,
) -> Result<Page<(report::Model, Vec<Uuid>)>, DomainError> {
    let mut query = report::Entity::find()
        .filter(report::Column::Status.eq(ReportStatus::Resolved))
        .filter(report::Column::DuplicateOf.is_null())
        .filter(crate::content_reviews::shown(
            crate::content_reviews::REPORT,
            (report::Entity, report::Column::Id),
        ))
        .order_by_desc(report::Column::Id);
    if let Some(district) = district {
        query = query.filter(report::Column::DistrictId.eq(district));
    }
    if let Some(before) = page.after {
        query = query.filter(report::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let found = Page::from_rows(rows, page.limit, |r| r.id);
    let ids: Vec<Uuid> = found.items.iter().map(|r| r.id).collect();
    let photos = report_media::Entity::find()
        .filter(report_media::Column::ReportId.is_in(ids))
        .filter(report_media::Column::Kind.eq(MediaKind::ResolutionPhoto))
        .order_by_asc(report_media::Column::Id)
        .all(db)
        .await?;
    Ok(found.map(|r| {
        let mine = photos
            .iter()
            .filter(|p| p.report_id == r.id)
            .map(|p| p.id)
            .collect();
        (r, mine)
    }))
}
