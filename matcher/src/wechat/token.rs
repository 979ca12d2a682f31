//! The mini-program's `access_token`, obtained with `stable_token` and shared.
//!
//! WeChat allows a limited number of token fetches a day and, in force mode, a new token
//! invalidates the old one for everybody; so several instances must not each fetch their
//! own. The token lives in the `wechat_access_token` row of `leases` (its `progress` holds
//! `{"token", "expires_at"}`), and the instance that finds it missing, stale or nearly
//! expired takes that row's lease, fetches, writes, and lets go; the others wait for the
//! row to change. Each instance also keeps the token in memory, so a call reads the
//! database only when the token is near its end or WeChat refused it.
//!
//! The token sits in the database in clear, as the JWT keys and webhook secrets do: it
//! expires within two hours and grants only what the AppSecret grants.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Mutex;

use doorstep_domain::entities::lease;
use doorstep_domain::{leases, time};

use super::{Wechat, WechatError};

const LEASE: &str = "wechat_access_token";
/// A token with less than this left is refreshed before use.
const MARGIN: Duration = Duration::minutes(5);
/// How long a fetching instance holds the row before another may take over.
const FETCH_LEASE: Duration = Duration::seconds(20);
/// How often a waiting instance looks at the row, and for how long in all.
const WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(100);
const WAIT_STEPS: u32 = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cached {
    token: String,
    expires_at: DateTime<Utc>,
}

impl Cached {
    fn usable(&self, now: DateTime<Utc>, refused: Option<&str>) -> bool {
        self.expires_at - MARGIN > now && Some(self.token.as_str()) != refused
    }
}

pub struct AccessTokens {
    db: DatabaseConnection,
    holder: String,
    memory: Mutex<Option<Cached>>,
}

impl AccessTokens {
    pub fn new(db: DatabaseConnection, holder: String) -> Self {
        Self {
            db,
            holder,
            memory: Mutex::new(None),
        }
    }

    async fn stored(&self) -> Result<Option<Cached>, WechatError> {
        let row = lease::Entity::find_by_id(LEASE.to_owned())
            .one(&self.db)
            .await
            .map_err(database)?;
        Ok(row.and_then(|r| serde_json::from_value(r.progress).ok()))
    }

    /// A usable token: from memory, else from the shared row, else fetched by whichever
    /// instance takes the row's lease. `refused` is a token WeChat just called stale: it
    /// is not usable, and if the fetch gives it back, a forced fetch follows.
    pub(crate) async fn get(
        &self,
        wechat: &Wechat,
        refused: Option<&str>,
    ) -> Result<String, WechatError> {
        // One fetch per instance at a time; the others in this process wait here.
        let mut memory = self.memory.lock().await;
        if let Some(cached) = memory.as_ref().filter(|c| c.usable(time::now(), refused)) {
            return Ok(cached.token.clone());
        }
        for _ in 0..WAIT_STEPS {
            let now = time::now();
            if let Some(stored) = self.stored().await?.filter(|c| c.usable(now, refused)) {
                *memory = Some(stored.clone());
                return Ok(stored.token);
            }
            let claimed = leases::claim(&self.db, LEASE, &self.holder, FETCH_LEASE, now, json!({}))
                .await
                .map_err(|e| WechatError::Database(e.to_string()))?;
            if claimed {
                let fetched = self.fetch_and_store(wechat, refused).await;
                self.release().await?;
                let fetched = fetched?;
                *memory = Some(fetched.clone());
                return Ok(fetched.token);
            }
            tokio::time::sleep(WAIT_STEP).await;
        }
        Err(WechatError::Unreachable(
            "another instance has been fetching the WeChat access token for too long".into(),
        ))
    }

    async fn fetch_and_store(
        &self,
        wechat: &Wechat,
        refused: Option<&str>,
    ) -> Result<Cached, WechatError> {
        // Another instance may have written a token between our read and our claim.
        if let Some(stored) = self
            .stored()
            .await?
            .filter(|c| c.usable(time::now(), refused))
        {
            return Ok(stored);
        }
        let (mut token, mut expires_in) = wechat.fetch_stable_token(false).await?;
        if Some(token.as_str()) == refused {
            (token, expires_in) = wechat.fetch_stable_token(true).await?;
        }
        let cached = Cached {
            token,
            expires_at: time::now() + Duration::seconds(expires_in),
        };
        lease::Entity::update_many()
            .col_expr(
                lease::Column::Progress,
                Expr::value(serde_json::to_value(&cached).expect("serialises")),
            )
            .col_expr(lease::Column::UpdatedAt, Expr::value(time::now()))
            .filter(lease::Column::Name.eq(LEASE))
            .filter(lease::Column::Holder.eq(self.holder.clone()))
            .exec(&self.db)
            .await
            .map_err(database)?;
        tracing::info!(
            expires_at = %cached.expires_at,
            "fetched a WeChat access token"
        );
        Ok(cached)
    }

    async fn release(&self) -> Result<(), WechatError> {
        lease::Entity::update_many()
            .col_expr(lease::Column::Holder, Expr::value(Option::<String>::None))
            .col_expr(
                lease::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(lease::Column::Name.eq(LEASE))
            .filter(lease::Column::Holder.eq(self.holder.clone()))
            .exec(&self.db)
            .await
            .map_err(database)?;
        Ok(())
    }
}

fn database(err: sea_orm::DbErr) -> WechatError {
    WechatError::Database(err.to_string())
}
