//! Searching the index: jobs for everyone, profiles under the profile search policy (who
//! sees which profiles, from where distances are measured, and the audit of what officers
//! read), and the admin's rebuild.

use doorstep_domain::ErrorCode;
use std::sync::Arc;

use doorstep_domain::auth::Principal;
use doorstep_domain::types::{GeoPoint, Role, Visibility};
use doorstep_domain::{DomainError, audit, businesses, districts};
use doorstep_search_index::documents::{JobDisplay, ProfileDisplay};
use doorstep_search_index::{Area, IndexError, Results, SearchIndex, SearchRequest};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Why a search failed: the domain refused or failed, or the index did (a cursor it did not
/// issue or that expired is the caller's mistake; the rest are internal).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// What a profile search may show a viewer who may search profiles at all (merchants,
/// officers, admins: the caller authorises). Merchants find public profiles; officers and
/// admins also officers-only ones, within their districts, and must say why: every profile
/// returned to them is audited with that reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilePolicy {
    /// Officers and admins: why they search. `None` for merchants.
    pub reason: Option<String>,
    /// The visibilities the search includes.
    pub visibilities: Vec<Visibility>,
}

impl ProfilePolicy {
    /// Decides the policy for `viewer`, checking an officer's `reason`.
    pub fn decide(viewer: &Principal, reason: Option<&str>) -> Result<Self, DomainError> {
        let officer = viewer.role != Role::Merchant;
        let reason = if officer {
            Some(audit::parse_reason(reason)?)
        } else {
            None
        };
        let visibilities = if officer {
            vec![Visibility::Public, Visibility::OfficersOnly]
        } else {
            vec![Visibility::Public]
        };
        Ok(Self {
            reason,
            visibilities,
        })
    }

    /// Whether the viewer searches as an officer (they also see each profile's visibility).
    pub fn officer(&self) -> bool {
        self.reason.is_some()
    }
}

/// A profile search's results and the policy they were found under.
pub struct ProfileSearch {
    pub results: Results<ProfileDisplay>,
    pub policy: ProfilePolicy,
}

/// Runs a search on the blocking pool: tantivy reads block.
async fn blocking<T, F>(index: &Arc<SearchIndex>, search: F) -> Result<T, SearchError>
where
    T: Send + 'static,
    F: FnOnce(&SearchIndex) -> Result<T, IndexError> + Send + 'static,
{
    let index = index.clone();
    Ok(tokio::task::spawn_blocking(move || search(&index))
        .await
        .map_err(|e| DomainError::internal_from("a search task failed", e))??)
}

/// Open jobs of verified businesses; no login needed. An empty or absent `cursor` is the
/// first page.
pub async fn search_jobs(
    index: &Arc<SearchIndex>,
    request: SearchRequest,
    limit: usize,
    cursor: Option<String>,
) -> Result<Results<JobDisplay>, SearchError> {
    blocking(index, move |index| {
        index.search_jobs(&request, limit, cursor.as_deref())
    })
    .await
}

/// Seeker profiles for `viewer` under [`ProfilePolicy`]: merchants' distances are measured
/// from their business when `request` gives no point, officers' results are limited to their
/// districts, and each profile returned to an officer is written to the audit log.
pub async fn search_profiles(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    viewer: &Principal,
    mut request: SearchRequest,
    limit: usize,
    cursor: Option<String>,
    reason: Option<&str>,
) -> Result<ProfileSearch, SearchError> {
    let policy = ProfilePolicy::decide(viewer, reason)?;
    let officer = policy.officer();
    request.visibilities = policy
        .visibilities
        .iter()
        .map(|v| v.as_str().into())
        .collect();
    if request.area.is_none() && !officer {
        // Distances from the merchant's business when no point is given.
        if let Some(b) = businesses::mine(db, viewer.account_id)
            .await?
            .into_iter()
            .next()
        {
            request.area = GeoPoint::new(b.lat, b.lon).ok().map(|center| Area {
                center,
                radius_m: None,
            });
        }
    }
    if officer {
        let scope = districts::scope_of(db, viewer).await?;
        request.districts = scope
            .district_ids()
            .map(|ids| ids.iter().map(Uuid::to_string).collect());
    }
    let results: Results<ProfileDisplay> = blocking(index, move |index| {
        index.search_profiles(&request, limit, cursor.as_deref())
    })
    .await?;
    if let Some(reason) = &policy.reason {
        for hit in &results.hits {
            audit::record(
                db,
                viewer.account_id,
                Some(hit.id),
                "search_profile",
                ("profile", hit.id),
                reason,
            )
            .await?;
        }
    }
    Ok(ProfileSearch { results, policy })
}

/// Starts rebuilding the index from the database in the background (searches are answered
/// throughout); refused while a rebuild is running.
pub fn start_reindex(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    admin: &Principal,
) -> Result<(), DomainError> {
    let claim = index.try_begin_rebuild().ok_or_else(|| {
        DomainError::conflict(ErrorCode::RebuildRunning, "a rebuild is already running")
    })?;
    let db = db.clone();
    let by = admin.account_id;
    tokio::spawn(async move {
        match doorstep_search_index::sync::reindex(&db, claim).await {
            Ok(()) => tracing::info!(by = %by, "search index rebuilt"),
            Err(err) => tracing::error!(error = %err, "search index rebuild failed"),
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role) -> Principal {
        Principal {
            account_id: Uuid::now_v7(),
            role,
        }
    }

    #[test]
    fn merchants_see_public_profiles_without_a_reason() {
        let policy = ProfilePolicy::decide(&viewer(Role::Merchant), None).unwrap();
        assert_eq!(policy.visibilities, vec![Visibility::Public]);
        assert_eq!(policy.reason, None);
        assert!(!policy.officer());
    }

    #[test]
    fn a_merchants_reason_is_ignored() {
        let policy = ProfilePolicy::decide(&viewer(Role::Merchant), Some("x")).unwrap();
        assert_eq!(policy.reason, None);
    }

    #[test]
    fn officers_and_admins_must_say_why() {
        for role in [Role::Officer, Role::Admin] {
            for reason in [None, Some(""), Some(" a "), Some(&*"长".repeat(201))] {
                let err = ProfilePolicy::decide(&viewer(role), reason).unwrap_err();
                let DomainError::Validation(errors) = err else {
                    panic!("{role:?} with {reason:?}: {err:?}");
                };
                assert!(
                    errors
                        .0
                        .iter()
                        .any(|e| e.field == "reason" && e.code == ErrorCode::ReasonRequired),
                    "{errors:?}"
                );
            }
        }
    }

    #[test]
    fn officers_also_see_officers_only_profiles_and_are_audited() {
        for role in [Role::Officer, Role::Admin] {
            let policy =
                ProfilePolicy::decide(&viewer(role), Some("  核查就业补贴申请  ")).unwrap();
            assert_eq!(
                policy.visibilities,
                vec![Visibility::Public, Visibility::OfficersOnly]
            );
            assert_eq!(policy.reason.as_deref(), Some("核查就业补贴申请"));
            assert!(policy.officer());
        }
    }
}
