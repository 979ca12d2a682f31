//! The job vocabulary officers and admins extend: synonyms, colloquial phrases, English
//! aliases and fillers that apply to the next search on every instance, without a reindex.

use actix_web::{HttpResponse, delete, get, post, web};
use doorstep_domain::types::Role;
use doorstep_domain::{DomainError, lexicon};
use doorstep_search_index::lexicon::Entry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page, problems};
use crate::services;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::search::LexiconEntryView;

/// How an entry's words relate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKindParam {
    /// `words` are interchangeable: each finds the others (weight 0.6).
    Synonym,
    /// A broad `word` also finds the narrower jobs in `means` (0.7), not the reverse.
    Narrower,
    /// What people say → the job words it means (0.8); also read from résumés as skills.
    Colloquial,
    /// An English word or abbreviation → job words (0.9).
    Alias,
    /// `words` dropped from a query that names a job (师傅, 招聘).
    Filler,
}

/// One vocabulary entry. Synonym and filler entries give `words`; the others give `word`
/// and `means`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LexiconEntryBody {
    pub kind: EntryKindParam,
    /// A category code (`GET /categories`), or `general`.
    pub category: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub means: Vec<String>,
}

fn to_entry(body: &LexiconEntryBody) -> Result<Entry, ApiError> {
    let value = serde_json::to_value(body)
        .map_err(|e| DomainError::internal_from("the lexicon entry as JSON", e))?;
    let entry: Entry = serde_json::from_value(value)
        .map_err(|e| DomainError::internal_from("the lexicon entry from JSON", e))?;
    Ok(entry)
}

/// Adds a vocabulary entry; the next search (on every instance within seconds, on this one
/// at once) reads queries with it.
#[utoipa::path(
    tag = "search",
    security(("bearer" = [])),
    request_body = LexiconEntryBody,
    responses(
        (status = 201, body = LexiconEntryView),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an officer or admin"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "the wrong keys for its kind, an unknown category, a word too long"),
    )
)]
#[post("/lexicon")]
pub async fn add_entry(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<LexiconEntryBody>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.require(&[Role::Officer, Role::Admin])?;
    let body = body.into_inner();
    let entry = to_entry(&body)?;
    let row = services::lexicon::add(&state.db, &state.search, &principal, entry).await?;
    let view = LexiconEntryView::from_row(row)
        .ok_or_else(|| DomainError::internal("stored entry unreadable"))?;
    Ok(HttpResponse::Created().json(view))
}

/// The entries added through the API, oldest first (the shipped ones are in
/// `search-index/data/lexicon.toml`).
#[utoipa::path(
    tag = "search",
    security(("bearer" = [])),
    params(LexiconListQuery),
    responses(
        (status = 200, body = Page<LexiconEntryView>),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[get("/lexicon")]
pub async fn list_entries(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<LexiconListQuery>,
) -> Result<web::Json<Page<LexiconEntryView>>, ApiError> {
    auth.require(&[Role::Officer, Role::Admin])?;
    let request = page(query.limit, query.cursor.as_deref())?;
    let rows = lexicon::page(&state.db, request).await?;
    Ok(web::Json(Page {
        items: rows
            .items
            .into_iter()
            .filter_map(LexiconEntryView::from_row)
            .collect(),
        next_cursor: rows.next_cursor,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LexiconListQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Removes an entry added through the API.
#[utoipa::path(
    tag = "search",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/lexicon/{id}")]
pub async fn remove_entry(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.require(&[Role::Officer, Role::Admin])?;
    services::lexicon::remove(&state.db, &state.search, &principal, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
