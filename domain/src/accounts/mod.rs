//! Accounts: registration, login, and what admins do to accounts.

use crate::ErrorCode;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr,
};
use uuid::Uuid;

use crate::auth::password::HashPool;
use crate::auth::session;
use crate::codes::{self, CodeRules, Courier, OneTimeCode, Purpose, Receipt};
use crate::entities::account;
use crate::pagination::{Page, PageRequest};
use crate::time;
use crate::types::{DisplayName, Email, LoginId, NewPassword, Phone, Role};
use crate::{DomainError, Invalid, ValidationErrors};

/// A validated request to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub role: Role,
    pub login: LoginId,
    pub password: NewPassword,
    pub display_name: DisplayName,
}

impl NewAccount {
    /// Parses the raw fields of a sign-up or staff-creation request, collecting every
    /// field error. Exactly one of `phone` and `email` must be given.
    pub fn parse(
        role: Role,
        phone: Option<&str>,
        email: Option<&str>,
        password: &str,
        display_name: &str,
    ) -> Result<Self, DomainError> {
        let mut errors = ValidationErrors::new();
        let login = login_of(&mut errors, phone, email);
        let login_text = login.as_ref().map(LoginId::as_str).unwrap_or_default();
        let password = errors.check("password", NewPassword::parse(password, login_text));
        let display_name = errors.check("display_name", DisplayName::parse(display_name));
        match (login, password, display_name) {
            (Some(login), Some(password), Some(display_name)) => Ok(Self {
                role,
                login,
                password,
                display_name,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// The phone number or e-mail address of a request that takes exactly one of them.
pub fn parse_login(phone: Option<&str>, email: Option<&str>) -> Result<LoginId, DomainError> {
    let mut errors = ValidationErrors::new();
    login_of(&mut errors, phone, email).ok_or(DomainError::Validation(errors))
}

fn login_of(
    errors: &mut ValidationErrors,
    phone: Option<&str>,
    email: Option<&str>,
) -> Option<LoginId> {
    match (phone, email) {
        (Some(phone), None) => errors.check("phone", Phone::parse(phone).map(LoginId::Phone)),
        (None, Some(email)) => errors.check("email", Email::parse(email).map(LoginId::Email)),
        (Some(_), Some(_)) => {
            errors.push(
                "email",
                Invalid::new(
                    ErrorCode::AmbiguousLogin,
                    "give a phone number or an e-mail address, not both",
                ),
            );
            None
        }
        (None, None) => {
            errors.push(
                "phone",
                Invalid::new(
                    ErrorCode::Required,
                    "a phone number or an e-mail address is required",
                ),
            );
            None
        }
    }
}

/// The `password_hash` of an account that has no password (made by a WeChat sign-in): not
/// a PHC string, so no password ever matches it. Its owner can set one through a password
/// reset by SMS once a phone number is on the account.
pub const NO_PASSWORD: &str = "!no-password";

fn duplicate() -> DomainError {
    DomainError::conflict(
        ErrorCode::AccountExists,
        "an account with this phone number or e-mail address already exists",
    )
}

/// Creates an account of any role. Public sign-up goes through [`register`], which allows
/// only the self-service roles and needs a one-time code; admins and the `doorstep admin`
/// command call this directly.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    passwords: &HashPool,
    new: NewAccount,
) -> Result<account::Model, DomainError> {
    if find_by_login(db, &new.login).await?.is_some() {
        return Err(duplicate());
    }
    let password_hash = passwords.hash(new.password.clone()).await?;
    insert(db, &new, password_hash, false).await
}

/// Inserts an account; `proved` says its login was proved by a one-time code (a phone
/// login is then recorded as verified).
async fn insert<C: ConnectionTrait>(
    db: &C,
    new: &NewAccount,
    password_hash: String,
    proved: bool,
) -> Result<account::Model, DomainError> {
    let now = time::now();
    let phone_verified_at = (proved && matches!(new.login, LoginId::Phone(_))).then_some(now);
    let (phone, email) = match &new.login {
        LoginId::Phone(phone) => (Some(phone.as_str().to_owned()), None),
        LoginId::Email(email) => (None, Some(email.as_str().to_owned())),
    };
    let inserted = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        role: Set(new.role),
        phone: Set(phone),
        email: Set(email),
        phone_verified_at: Set(phone_verified_at),
        display_name: Set(new.display_name.as_str().to_owned()),
        password_hash: Set(password_hash),
        token_version: Set(0),
        disabled_at: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => Ok(model),
        // Two sign-ups with the same phone at once: the unique index decides.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(duplicate())
        }
        Err(err) => Err(err.into()),
    }
}

/// Parses a public sign-up: the account's fields and the one-time code, every field error
/// collected.
pub fn parse_sign_up(
    role: Role,
    phone: Option<&str>,
    email: Option<&str>,
    password: &str,
    display_name: &str,
    code: &str,
) -> Result<(NewAccount, OneTimeCode), DomainError> {
    let parsed = NewAccount::parse(role, phone, email, password, display_name);
    let code = OneTimeCode::parse(code);
    match (parsed, code) {
        (Ok(new), Ok(code)) => Ok((new, code)),
        (parsed, code) => {
            let mut errors = match parsed {
                Err(DomainError::Validation(errors)) => errors,
                Err(other) => return Err(other),
                Ok(_) => ValidationErrors::new(),
            };
            if let Err(invalid) = code {
                errors.push("code", invalid);
            }
            Err(DomainError::Validation(errors))
        }
    }
}

/// Public sign-up: seekers and merchants only, with the code [`codes::request`] sent to
/// the phone or e-mail address. A wrong code costs no password hashing; of two sign-ups
/// with one code, one creates the account and the other gets `invalid_code`.
pub async fn register(
    db: &DatabaseConnection,
    passwords: &HashPool,
    rules: &CodeRules,
    new: NewAccount,
    code: &OneTimeCode,
) -> Result<account::Model, DomainError> {
    if !new.role.is_self_service() {
        return Err(DomainError::Validation(ValidationErrors::single(
            "role",
            Invalid::new(
                ErrorCode::RoleNotAllowed,
                "sign-up creates seeker or merchant accounts; officers are added by an admin",
            ),
        )));
    }
    let checked = codes::check(db, rules, &new.login, Purpose::Register, code).await?;
    let password_hash = passwords.hash(new.password.clone()).await?;
    let txn = crate::db::begin_write(db).await?;
    codes::spend(&txn, &checked).await?;
    // The code went to this destination when no account held it; an account made since
    // (by an admin) still wins, and the caller, who proved the destination, may know.
    let account = insert(&txn, &new, password_hash, true).await?;
    txn.commit().await?;
    Ok(account)
}

pub async fn find_by_login<C: ConnectionTrait>(
    db: &C,
    login: &LoginId,
) -> Result<Option<account::Model>, DomainError> {
    let query = match login {
        LoginId::Phone(phone) => {
            account::Entity::find().filter(account::Column::Phone.eq(phone.as_str()))
        }
        LoginId::Email(email) => {
            account::Entity::find().filter(account::Column::Email.eq(email.as_str()))
        }
    };
    Ok(query.one(db).await?)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<account::Model, DomainError> {
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("account"))
}

/// Checks a login. Every failure, whether the account is missing or the password wrong,
/// looks the same and costs the same time.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    passwords: &HashPool,
    login: &LoginId,
    password: &str,
) -> Result<account::Model, DomainError> {
    let account = find_by_login(db, login).await?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let ok = passwords.verify(hash, password.to_owned()).await?;
    match account {
        Some(account) if ok => {
            if account.disabled_at.is_some() {
                Err(DomainError::AccountDisabled)
            } else {
                Ok(account)
            }
        }
        _ => Err(DomainError::InvalidCredentials),
    }
}

/// Disables or re-enables an account. Disabling bumps the token version, so live access
/// tokens stop working at once, and revokes every refresh token.
pub async fn set_disabled(
    db: &DatabaseConnection,
    id: Uuid,
    disabled: bool,
) -> Result<account::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    let now = time::now();
    let mut active: account::ActiveModel = current.clone().into();
    active.disabled_at = Set(disabled.then_some(now));
    active.token_version = Set(current.token_version + 1);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    if disabled {
        session::revoke_all_for_account(&txn, id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Changes an account's role; live tokens of the old role stop working.
pub async fn set_role<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    role: Role,
) -> Result<account::Model, DomainError> {
    let result = account::Entity::update_many()
        .col_expr(account::Column::Role, Expr::value(role.as_str()))
        .col_expr(
            account::Column::TokenVersion,
            Expr::col(account::Column::TokenVersion).add(1),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(time::now()))
        .filter(account::Column::Id.eq(id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(DomainError::NotFound("account"));
    }
    find(db, id).await
}

/// Accounts in creation order (ids are UUIDv7, so id order is creation order).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    role: Option<Role>,
    page: PageRequest<Uuid>,
) -> Result<Page<account::Model>, DomainError> {
    let mut query = account::Entity::find().order_by_asc(account::Column::Id);
    if let Some(role) = role {
        query = query.filter(account::Column::Role.eq(role));
    }
    if let Some(after) = page.after {
        query = query.filter(account::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |row| row.id))
}

/// The login a new password must not contain: the account's phone, else its e-mail.
fn login_text(account: &account::Model) -> &str {
    account
        .phone
        .as_deref()
        .or(account.email.as_deref())
        .unwrap_or_default()
}

/// Stores a new password hash inside the caller's transaction: every access token stops
/// working (the token version moves) and every refresh token is revoked.
async fn store_password<C: ConnectionTrait>(
    db: &C,
    account: &account::Model,
    password_hash: String,
    phone_proved: bool,
) -> Result<account::Model, DomainError> {
    let now = time::now();
    let mut active: account::ActiveModel = account.clone().into();
    active.password_hash = Set(password_hash);
    active.token_version = Set(account.token_version + 1);
    active.updated_at = Set(now);
    if phone_proved {
        active.phone_verified_at = Set(Some(now));
    }
    let updated = active.update(db).await?;
    session::revoke_all_for_account(db, account.id).await?;
    Ok(updated)
}

/// Changes the caller's password, the current one required. Every session of the account
/// ends; the caller starts a new one with the account this returns (so the device that
/// changed the password stays logged in, and no other does).
pub async fn change_password(
    db: &DatabaseConnection,
    passwords: &HashPool,
    id: Uuid,
    current: &str,
    new: &str,
) -> Result<account::Model, DomainError> {
    let account = find(db, id).await?;
    let new = NewPassword::parse(new, login_text(&account)).map_err(|invalid| {
        DomainError::Validation(ValidationErrors::single("new_password", invalid))
    })?;
    if !passwords
        .verify(Some(account.password_hash.clone()), current.to_owned())
        .await?
    {
        return Err(DomainError::Validation(ValidationErrors::single(
            "current_password",
            Invalid::new(ErrorCode::WrongPassword, "the current password is wrong"),
        )));
    }
    let password_hash = passwords.hash(new).await?;
    let txn = crate::db::begin_write(db).await?;
    // Re-read inside the transaction: a change since the check (another password change,
    // a disabling) keeps its token version step.
    let account = find(&txn, id).await?;
    let updated = store_password(&txn, &account, password_hash, false).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A validated password reset: the login, the code sent to it, the new password.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub login: LoginId,
    pub code: OneTimeCode,
    pub password: NewPassword,
}

impl PasswordReset {
    /// Parses a reset, every field error collected.
    pub fn parse(login: &str, code: &str, password: &str) -> Result<Self, DomainError> {
        let mut errors = ValidationErrors::new();
        let login = errors.check("login", LoginId::parse(login));
        let login_text = login.as_ref().map(LoginId::as_str).unwrap_or_default();
        let password = errors.check("new_password", NewPassword::parse(password, login_text));
        let code = errors.check("code", OneTimeCode::parse(code));
        match (login, code, password) {
            (Some(login), Some(code), Some(password)) => Ok(Self {
                login,
                code,
                password,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// Sets a new password with the code [`codes::request`] (purpose `reset_password`) sent to
/// the account's phone or e-mail, and ends every session of the account. A wrong code
/// costs no hashing; any failure about the code or the account is the same
/// `invalid_code`, so the answer does not tell whether an account exists.
pub async fn reset_password(
    db: &DatabaseConnection,
    passwords: &HashPool,
    rules: &CodeRules,
    reset: PasswordReset,
) -> Result<account::Model, DomainError> {
    let checked =
        codes::check(db, rules, &reset.login, Purpose::ResetPassword, &reset.code).await?;
    let password_hash = passwords.hash(reset.password).await?;
    let txn = crate::db::begin_write(db).await?;
    codes::spend(&txn, &checked).await?;
    // The code went out only while an account held the login; one erased since leaves
    // nothing to reset, and says so like any spent code.
    let Some(account) = find_by_login(&txn, &reset.login).await? else {
        txn.rollback().await?;
        return Err(codes::invalid_code());
    };
    // A code read on the phone proves the phone, as at sign-up.
    let phone_proved = matches!(reset.login, LoginId::Phone(_));
    let updated = store_password(&txn, &account, password_hash, phone_proved).await?;
    txn.commit().await?;
    Ok(updated)
}

fn phone_taken() -> DomainError {
    DomainError::conflict(
        ErrorCode::PhoneTaken,
        "another account already holds this phone number",
    )
}

/// Whether `phone` is free for account `id`: no other account holds it.
async fn ensure_phone_free<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    phone: &Phone,
) -> Result<(), DomainError> {
    match find_by_login(db, &LoginId::Phone(phone.clone())).await? {
        Some(holder) if holder.id != id => Err(phone_taken()),
        _ => Ok(()),
    }
}

/// Sends a code to the number account `id` wants to move to (or to its own number, to
/// verify it). A number another account holds is refused with `phone_taken`: numbers
/// are never merged between accounts.
pub async fn request_phone_change(
    db: &DatabaseConnection,
    rules: &CodeRules,
    courier: &dyn Courier,
    id: Uuid,
    phone: Phone,
) -> Result<Receipt, DomainError> {
    let account = find(db, id).await?;
    ensure_phone_free(db, account.id, &phone).await?;
    codes::request(
        db,
        rules,
        courier,
        LoginId::Phone(phone),
        Purpose::ChangePhone,
    )
    .await
}

/// Moves account `id` to `phone` with the code sent there, and records the number as
/// verified. Sessions stay: the password did not change.
pub async fn change_phone(
    db: &DatabaseConnection,
    rules: &CodeRules,
    id: Uuid,
    phone: Phone,
    code: &OneTimeCode,
) -> Result<account::Model, DomainError> {
    let login = LoginId::Phone(phone.clone());
    let checked = codes::check(db, rules, &login, Purpose::ChangePhone, code).await?;
    let txn = crate::db::begin_write(db).await?;
    ensure_phone_free(&txn, id, &phone).await?;
    codes::spend(&txn, &checked).await?;
    let account = find(&txn, id).await?;
    let now = time::now();
    let mut active: account::ActiveModel = account.into();
    active.phone = Set(Some(phone.as_str().to_owned()));
    active.phone_verified_at = Set(Some(now));
    active.updated_at = Set(now);
    let updated = match active.update(&txn).await {
        Ok(updated) => updated,
        // Another account took the number between the check and the write.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(phone_taken());
        }
        Err(err) => return Err(err.into()),
    };
    txn.commit().await?;
    Ok(updated)
}

/// Puts `phone`, proved by someone other than Doorstep (WeChat's `getuserphonenumber`), on
/// account `id` as verified. A number another account holds is `phone_taken`, never merged;
/// the unique index decides between two accounts storing one number at once.
pub async fn set_verified_phone(
    db: &DatabaseConnection,
    id: Uuid,
    phone: Phone,
) -> Result<account::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    ensure_phone_free(&txn, id, &phone).await?;
    let account = find(&txn, id).await?;
    let now = time::now();
    let mut active: account::ActiveModel = account.into();
    active.phone = Set(Some(phone.as_str().to_owned()));
    active.phone_verified_at = Set(Some(now));
    active.updated_at = Set(now);
    let updated = match active.update(&txn).await {
        Ok(updated) => updated,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(phone_taken());
        }
        Err(err) => return Err(err.into()),
    };
    txn.commit().await?;
    Ok(updated)
}
