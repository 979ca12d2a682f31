//! Accounts and WeChat mini-program users (issue 23): signing in with `wx.login`, binding
//! and unbinding WeChat from an account's settings, and the phone number WeChat proved.
//!
//! A binding ties one account to one openid (and its unionid when WeChat gives one). The
//! rules:
//!
//! - The first sign-in of an openid creates a seeker account (no phone, no e-mail, no
//!   password; named 微信用户) and its binding in one transaction. Of several first
//!   sign-ins at once, the unique `openid` lets one commit; the others roll back and sign
//!   in to the winner's account. Nothing checks before inserting.
//! - `POST /me/wechat` binds the caller's account; an openid bound elsewhere is
//!   `wechat_taken`, never moved. An account bound to another openid is
//!   `wechat_already_bound` (unbind first).
//! - `DELETE /me/wechat` removes the binding only. The account keeps its phone, e-mail and
//!   password logins; the next WeChat sign-in of that openid creates a new seeker account
//!   (or the user binds it again from a signed-in account). An account with neither a phone
//!   nor an e-mail could never be reached again, so it cannot unbind
//!   (`wechat_only_login`): it verifies a phone number first (`POST /me/phone/wechat`).
//! - Erasing an account (`privacy::erase`) deletes its binding.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use crate::entities::{account, wechat_binding};
use crate::types::{Phone, Role};
use crate::{DomainError, ErrorCode, accounts, time};

/// The display name of an account made by a WeChat sign-in (WeChat's own default
/// nickname); the owner changes it in their profile.
pub const DEFAULT_NAME: &str = "微信用户";

/// Who WeChat says signed in.
#[derive(Debug, Clone)]
pub struct WechatUser {
    pub openid: String,
    pub unionid: Option<String>,
}

fn taken() -> DomainError {
    DomainError::conflict(
        ErrorCode::WechatTaken,
        "this WeChat user is already bound to another account",
    )
}

fn usable(account: account::Model) -> Result<account::Model, DomainError> {
    if account.disabled_at.is_some() {
        Err(DomainError::AccountDisabled)
    } else {
        Ok(account)
    }
}

/// The binding of `openid`, if any.
async fn binding_of<C: ConnectionTrait>(
    db: &C,
    openid: &str,
) -> Result<Option<wechat_binding::Model>, DomainError> {
    Ok(wechat_binding::Entity::find()
        .filter(wechat_binding::Column::Openid.eq(openid))
        .one(db)
        .await?)
}

/// Inserts the binding unless a unique column is taken; `true` when it was inserted.
async fn insert_binding<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    user: &WechatUser,
) -> Result<bool, DomainError> {
    let inserted = wechat_binding::Entity::insert(wechat_binding::ActiveModel {
        account_id: Set(account_id),
        openid: Set(user.openid.clone()),
        unionid: Set(user.unionid.clone()),
        created_at: Set(time::now()),
    })
    // Any unique column (account, openid, unionid): the caller reads who holds it.
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Signs `user` in: the account bound to the openid, or a new seeker account bound to it.
/// The second value is `true` when the account was created now.
pub async fn sign_in(
    db: &DatabaseConnection,
    user: &WechatUser,
) -> Result<(account::Model, bool), DomainError> {
    if let Some(bound) = binding_of(db, &user.openid).await? {
        return Ok((usable(accounts::find(db, bound.account_id).await?)?, false));
    }
    let txn = crate::db::begin_write(db).await?;
    let now = time::now();
    let account = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        role: Set(Role::Seeker),
        phone: Set(None),
        email: Set(None),
        phone_verified_at: Set(None),
        display_name: Set(DEFAULT_NAME.to_owned()),
        password_hash: Set(accounts::NO_PASSWORD.to_owned()),
        token_version: Set(0),
        disabled_at: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if insert_binding(&txn, account.id, user).await? {
        txn.commit().await?;
        return Ok((account, true));
    }
    // Another first sign-in of this openid committed first: drop ours, use theirs.
    txn.rollback().await?;
    match binding_of(db, &user.openid).await? {
        Some(bound) => Ok((usable(accounts::find(db, bound.account_id).await?)?, false)),
        // Only the unionid is held, by another openid: never merged.
        None => Err(taken()),
    }
}

/// Binds `user` to account `account_id`. Binding the same WeChat again is a no-op.
pub async fn bind(
    db: &DatabaseConnection,
    account_id: Uuid,
    user: &WechatUser,
) -> Result<(), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    accounts::find(&txn, account_id).await?;
    let inserted = insert_binding(&txn, account_id, user).await?;
    txn.commit().await?;
    if inserted {
        return Ok(());
    }
    match binding_of(db, &user.openid).await? {
        Some(bound) if bound.account_id == account_id => Ok(()),
        Some(_) => Err(taken()),
        None => match wechat_binding::Entity::find_by_id(account_id)
            .one(db)
            .await?
        {
            Some(_) => Err(DomainError::conflict(
                ErrorCode::WechatAlreadyBound,
                "this account is bound to another WeChat user; unbind it first",
            )),
            // The unionid is held by another account.
            None => Err(taken()),
        },
    }
}

/// Removes account `account_id`'s binding; `false` when there was none. An account that
/// has no other way to log in (no phone, no e-mail) keeps it: `wechat_only_login`.
pub async fn unbind(db: &DatabaseConnection, account_id: Uuid) -> Result<bool, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let account = accounts::find(&txn, account_id).await?;
    if !is_bound(&txn, account_id).await? {
        return Ok(false);
    }
    if account.phone.is_none() && account.email.is_none() {
        return Err(DomainError::conflict(
            ErrorCode::WechatOnlyLogin,
            "WeChat is this account's only login; verify a phone number before unbinding",
        ));
    }
    wechat_binding::Entity::delete_by_id(account_id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// Whether account `account_id` is bound to a WeChat user.
pub async fn is_bound<C: ConnectionTrait>(db: &C, account_id: Uuid) -> Result<bool, DomainError> {
    Ok(wechat_binding::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .is_some())
}

/// Stores the number WeChat's `getuserphonenumber` proved as account `account_id`'s,
/// verified. A number another account holds is `phone_taken`, never merged.
pub async fn set_phone(
    db: &DatabaseConnection,
    account_id: Uuid,
    phone: Phone,
) -> Result<account::Model, DomainError> {
    accounts::set_verified_phone(db, account_id, phone).await
}
