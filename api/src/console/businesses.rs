//! The verification queue: businesses of the officer's districts by status, a business's
//! file (details, licence photo, the checks, every decision) and verify / reject.

use actix_web::{HttpResponse, web};
use doorstep_domain::business_verification;
use doorstep_domain::businesses;
use doorstep_domain::entities::business;
use doorstep_domain::identity;
use doorstep_domain::types::BusinessStatus;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, when};
use super::session::{ConsoleUser, Posted};
use crate::http::page;
use crate::startup::AppState;

const SECTION: &str = "/console/businesses";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    status: Option<BusinessStatus>,
    cursor: Option<String>,
}

pub fn status_label(status: BusinessStatus) -> &'static str {
    match status {
        BusinessStatus::Pending => "待审核",
        BusinessStatus::Verified => "已认证",
        BusinessStatus::Rejected => "已驳回",
        BusinessStatus::Suspended => "已暂停",
    }
}

fn status_badge(status: BusinessStatus) -> Markup {
    let class = match status {
        BusinessStatus::Verified => "badge ok",
        BusinessStatus::Rejected | BusinessStatus::Suspended => "badge bad",
        BusinessStatus::Pending => "badge warn",
    };
    html! { span class=(class) { (status_label(status)) } }
}

/// The queue: pending businesses first (the default), oldest first, 50 a page.
pub async fn queue(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let status = query.status.unwrap_or(BusinessStatus::Pending);
    let request = page(Some(50), query.cursor.as_deref())?;
    let found =
        businesses::list_by_status(&state.db, &user.principal, Some(status), request).await?;
    let counts = business_verification::licence_counts(
        &state.db,
        found.items.iter().map(|b| b.licence_number.clone()),
    )
    .await?;
    let photos =
        business_verification::latest_photos(&state.db, found.items.iter().map(|b| b.id)).await?;
    let body = html! {
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "状态"
                select name="status" {
                    @for s in [BusinessStatus::Pending, BusinessStatus::Verified, BusinessStatus::Rejected, BusinessStatus::Suspended] {
                        option value=(s.as_str()) selected[s == status] { (status_label(s)) }
                    }
                }
            }
            noscript { button type="submit" { "筛选" } }
        }
        @if found.items.is_empty() {
            p.muted { "没有" (status_label(status)) "的商户。" }
        } @else {
            table {
                thead { tr { th { "商户" } th { "商场 / 地址" } th { "营业执照号" } th { "核验" } th { "提交时间" } th { "状态" } } }
                tbody {
                    @for b in &found.items {
                        @let duplicates = counts.get(&b.licence_number).copied().unwrap_or(1).saturating_sub(1);
                        tr {
                            td { a href=(format!("{SECTION}/{}", b.id)) { (b.name) } }
                            td { (b.mall) " " span.muted { (b.address) } }
                            td { code { (b.licence_number) } }
                            td {
                                @if b.owner_verified { span.badge.ok { "店主已实名" } } @else { span.badge.warn { "店主未实名" } }
                                " "
                                @if photos.contains_key(&b.id) { span.badge.ok { "有执照照片" } } @else { span.badge.warn { "缺执照照片" } }
                                @if duplicates > 0 { " " span.badge.bad { "执照号重复 " (duplicates) } }
                            }
                            td { (when(b.created_at)) }
                            td { (status_badge(b.status)) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &found.next_cursor {
            p.pager { a href=(format!("{SECTION}?status={}&cursor={next}", status.as_str())) { "下一页 →" } }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "商户审核", body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    done: Option<String>,
}

/// A business's file: what the merchant entered, the owner's real name (ID masked), the
/// checks, the licence photo, every decision, and the verify / reject forms.
pub async fn detail(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    // The history is the officer's file and applies the district scope.
    let records = business_verification::history(&state.db, &user.principal, id).await?;
    let found = businesses::find(&state.db, id).await?;
    let checks = business_verification::checks(&state.db, &found).await?;
    let owner = identity::of_account(&state.db, found.created_by).await?;
    let body = html! {
        (notice(query.done.as_deref(), &[("verified", "已通过认证，商户已收到通知。"), ("rejected", "已驳回，商户已收到理由。")]))
        p { a href=(SECTION) { "← 返回审核队列" } }
        (facts(&found))
        h2 { "核验" }
        ul {
            li { "店主实名：" @match &owner {
                Some(o) => { span.badge.ok { "已实名" } " " (o.full_name) "，身份证 " code { (o.id_masked) } "（" (o.method) "，" (when(o.verified_at)) "）" }
                None => { span.badge.warn { "未实名" } }
            } }
            li { "营业执照号校验位：" @if checks.checksum_ok { span.badge.ok { "正确" } } @else { span.badge.bad { "不正确" } } }
            li { "相同执照号的其他商户：" @if checks.duplicates == 0 { "无" } @else { span.badge.bad { (checks.duplicates) " 家" } } }
        }
        h2 { "营业执照照片" }
        @if checks.licence_photo_id.is_some() {
            img.photo src=(format!("{SECTION}/{id}/licence")) alt=(format!("{} 的营业执照照片", found.name));
        } @else {
            p.warn { "商户尚未上传营业执照照片，不能通过认证。" }
        }
        @if found.status != BusinessStatus::Suspended {
            h2 { "审核" }
            div.cards {
                form.card method="post" action=(format!("{SECTION}/{id}/verify")) {
                    (csrf_field(&user))
                    p { "资料、执照照片与店主实名一致时通过。" }
                    button type="submit" { "通过认证" }
                }
                form.card.stack method="post" action=(format!("{SECTION}/{id}/reject")) {
                    (csrf_field(&user))
                    label { "驳回理由（商户会看到）"
                        textarea name="reason" rows="3" minlength="2" maxlength="500" required {}
                    }
                    button.danger type="submit" { "驳回" }
                }
            }
        } @else {
            p.warn { "该商户因投诉被暂停，需在投诉处理中解除暂停。" }
        }
        h2 { "审核记录" }
        @if records.is_empty() {
            p.muted { "还没有审核记录。" }
        } @else {
            table {
                thead { tr { th { "时间" } th { "结果" } th { "理由" } th { "当时的核验" } } }
                tbody {
                    @for r in &records {
                        tr {
                            td { (when(r.created_at)) }
                            td { @if r.outcome == "verified" { "通过" } @else { "驳回" } }
                            td { (r.reason.as_deref().unwrap_or("")) }
                            td.muted {
                                "校验位" @if r.checksum_ok { "正确" } @else { "不正确" }
                                "；" @if r.duplicate_licence { "执照号重复" } @else { "执照号唯一" }
                                "；" @if r.licence_photo_id.is_some() { "有照片" } @else { "无照片" }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, &found.name, body)))
}

fn facts(b: &business::Model) -> Markup {
    html! {
        dl.facts {
            dt { "状态" } dd { (status_badge(b.status)) @if let Some(r) = &b.rejection_reason { " " span.muted { "理由：" (r) } } }
            dt { "商户名称" } dd { (b.name) }
            dt { "商场" } dd { (b.mall) }
            dt { "地址" } dd { (b.address) }
            dt { "营业执照号" } dd { code { (b.licence_number) } }
            dt { "联系电话" } dd { (b.contact_phone) }
            dt { "提交时间" } dd { (when(b.created_at)) }
            @if let Some(at) = b.reviewed_at { dt { "上次审核" } dd { (when(at)) } }
        }
    }
}

/// The licence photo, for the officers who may see the business's file.
pub async fn licence(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ConsoleError> {
    let (row, bytes) = business_verification::photo(
        &state.db,
        state.media.as_ref(),
        &user.principal,
        id.into_inner(),
    )
    .await?;
    Ok(crate::http::upload::private_file(row.content_type, bytes))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyForm {}

pub async fn verify(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<VerifyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    businesses::review(&state.db, &posted.user.principal, id, Ok(())).await?;
    Ok(layout::see_other(&format!("{SECTION}/{id}?done=verified")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectForm {
    reason: String,
}

pub async fn reject(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<RejectForm>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    businesses::review(
        &state.db,
        &posted.user.principal,
        id,
        Err(posted.form.reason),
    )
    .await?;
    Ok(layout::see_other(&format!("{SECTION}/{id}?done=rejected")))
}
