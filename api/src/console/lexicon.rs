//! The search lexicon: the entries officers added (the shipped ones are in
//! `search-index/data/lexicon.toml`), a form to add one, and removal. The same service as
//! `POST`/`DELETE /api/v1/lexicon` checks and stores them and reloads the vocabulary.

use actix_web::{HttpResponse, web};
use doorstep_domain::lexicon;
use doorstep_domain::postings::taxonomy::{self, CATEGORIES};
use doorstep_search_index::lexicon::{Entry, EntryKind};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, post_button, when};
use super::session::{ConsoleUser, Posted};
use crate::http::page;
use crate::services;
use crate::startup::AppState;

const SECTION: &str = "/console/lexicon";

const KINDS: [(EntryKind, &str, &str); 5] = [
    (
        EntryKind::Synonym,
        "同义词",
        "“词语”里的词互相能找到（如 服务员、店员）",
    ),
    (
        EntryKind::Narrower,
        "上下位",
        "宽泛的“词”也能找到“含义”里更具体的岗位，反过来不行",
    ),
    (
        EntryKind::Colloquial,
        "口语说法",
        "人们的说法 → 它指的岗位词（如 带娃 → 育儿嫂），也从简历里读成技能",
    ),
    (
        EntryKind::Alias,
        "英文/缩写",
        "英文词或缩写 → 岗位词（如 barista → 咖啡师）",
    ),
    (
        EntryKind::Filler,
        "虚词",
        "查询里有岗位词时去掉的词（如 师傅、招聘）",
    ),
];

fn kind_label(kind: EntryKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, label, _)| *label)
        .unwrap_or("")
}

/// Words typed in one field: separated by commas (either width), 、 or spaces.
fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    cursor: Option<String>,
    done: Option<String>,
}

pub async fn list(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let request = page(Some(100), query.cursor.as_deref())?;
    let rows = lexicon::page(&state.db, request).await?;
    let body = html! {
        (notice(query.done.as_deref(), &[("added", "已添加，下一次搜索即按新词条理解。"), ("removed", "已删除该词条。")]))
        p.muted { "这里是工作人员添加的词条；系统自带的词条在 search-index/data/lexicon.toml。添加后所有实例在几秒内生效，无需重建索引。" }
        (add_form(&user))
        h2 { "已添加的词条" }
        @if rows.items.is_empty() {
            p.muted { "还没有工作人员添加的词条。" }
        } @else {
            table {
                thead { tr { th { "类型" } th { "类别" } th { "词语" } th { "含义" } th { "添加时间" } th {} } }
                tbody {
                    @for row in &rows.items {
                        @let entry: Option<Entry> = serde_json::from_value(row.entry.clone()).ok();
                        tr {
                            @match &entry {
                                Some(e) => {
                                    td { (kind_label(e.kind)) }
                                    td { (taxonomy::name_zh(&e.category)) }
                                    td { @if let Some(w) = &e.word { (w) } @else { (e.words.join("、")) } }
                                    td { (e.means.join("、")) }
                                }
                                None => { td colspan="4" .muted { "（无法读取的词条）" } }
                            }
                            td { (when(row.created_at)) }
                            td { (post_button(&user, &format!("{SECTION}/{}/remove", row.id), "删除", "secondary")) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &rows.next_cursor {
            p.pager { a href=(format!("{SECTION}?cursor={next}")) { "下一页 →" } }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "搜索词库", body)))
}

fn add_form(user: &ConsoleUser) -> Markup {
    html! {
        form.stack.card method="post" action=(SECTION) {
            (csrf_field(user))
            h2 { "添加词条" }
            label { "类型"
                select name="kind" {
                    @for (kind, label, help) in KINDS {
                        option value=(kind.as_str()) { (label) "：" (help) }
                    }
                }
            }
            label { "类别"
                select name="category" {
                    option value="general" { "通用" }
                    @for c in CATEGORIES { option value=(c.code) { (c.name_zh) } }
                }
            }
            label { "词语（同义词、虚词用；用逗号或空格分开）" input type="text" name="words"; }
            label { "词（上下位、口语说法、英文/缩写用）" input type="text" name="word"; }
            label { "含义（岗位词，用逗号或空格分开）" input type="text" name="means"; }
            button type="submit" { "添加" }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddForm {
    kind: EntryKind,
    category: String,
    #[serde(default)]
    words: String,
    #[serde(default)]
    word: String,
    #[serde(default)]
    means: String,
}

pub async fn add(
    state: web::Data<AppState>,
    posted: Posted<AddForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = posted.form;
    let word = form.word.trim();
    let entry = Entry {
        kind: form.kind,
        category: form.category,
        words: split_words(&form.words),
        word: (!word.is_empty()).then(|| word.to_owned()),
        means: split_words(&form.means),
    };
    services::lexicon::add(&state.db, &state.search, &posted.user.principal, entry).await?;
    Ok(layout::see_other(&format!("{SECTION}?done=added")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveForm {}

pub async fn remove(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<RemoveForm>,
) -> Result<HttpResponse, ConsoleError> {
    services::lexicon::remove(
        &state.db,
        &state.search,
        &posted.user.principal,
        id.into_inner(),
    )
    .await?;
    Ok(layout::see_other(&format!("{SECTION}?done=removed")))
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn words_split_on_either_comma_and_spaces() {
        assert_eq!(
            split_words(" 咖啡师，咖啡 师傅, barista、店员 "),
            ["咖啡师", "咖啡", "师傅", "barista", "店员"]
        );
        assert!(split_words(" ，, ").is_empty());
    }
}
