//! Accounts, password hashes (Argon2id), login sessions stored in the database (so several server processes
//! share them), login rate limiting, and the scope of a user.

use crate::audit::Change;
use crate::list::{Sql, contains_pattern, fetch_page};
use crate::{Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chiso_core::access::{Permission, Reach, Role, Scope, login_backoff_ms};
use chiso_core::list::{PageRequest, Paged, Sort, SortColumn, SortDir};
use chiso_core::text::{fold, nfc};
use rand::RngExt;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Sessions last 12 hours (a working day), then the user logs in again.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
/// Failed logins for one username from one address before the back-off starts (see
/// [`chiso_core::access::login_backoff_ms`]).
pub const MAX_FAILED_LOGINS: i64 = chiso_core::access::FREE_FAILED_LOGINS;
/// Failures older than this no longer count (and their rows are purged).
pub const LOGIN_WINDOW_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HashCost {
    /// Argon2id, 19 MiB, 2 passes (OWASP's recommended minimum).
    #[default]
    Standard,
    /// Very cheap parameters: only for tests and the demo's throw-away accounts.
    Fast,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub active: bool,
}

impl User {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }
}

/// An account in the list, with its unit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserListItem {
    #[sqlx(flatten)]
    pub user: User,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
}

/// What the list of accounts asks for.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Part of the username or of the full name, without regard to diacritics or case.
    pub text: Option<String>,
    pub role: Option<Role>,
    /// Accounts of this unit and the units under it.
    pub unit_code: Option<String>,
}

/// The columns the list of accounts sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserColumn {
    Username,
    FullName,
    Role,
    Unit,
}

impl SortColumn for UserColumn {
    const ALL: &'static [UserColumn] = &[UserColumn::Username, UserColumn::FullName, UserColumn::Role, UserColumn::Unit];
    fn key(self) -> &'static str {
        match self {
            UserColumn::Username => "username",
            UserColumn::FullName => "name",
            UserColumn::Role => "role",
            UserColumn::Unit => "unit",
        }
    }
}

impl UserColumn {
    pub const DEFAULT: Sort<UserColumn> = Sort { column: UserColumn::Username, dir: SortDir::Asc };

    fn sql(self) -> &'static str {
        match self {
            UserColumn::Username => "a.username",
            UserColumn::FullName => "COALESCE(a.full_name_fold, '')",
            UserColumn::Role => "a.role",
            UserColumn::Unit => "COALESCE(u.name_fold, '')",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub password: String,
    pub role: Role,
    pub unit_code: Option<String>,
    pub agency_id: Option<i64>,
}

#[derive(Debug)]
pub enum LoginOutcome {
    Ok(User),
    BadCredentials,
    /// Too many failed attempts; try again after this many seconds.
    RateLimited(i64),
}

pub struct NewSession {
    /// The secret to put in the cookie. Only its SHA-256 is stored.
    pub token: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// 32 bytes from the operating system's CSPRNG (through `rand::rng`).
pub fn random_bytes() -> [u8; 32] {
    rand::rng().random()
}

fn random_token() -> String {
    let bytes = random_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 (hex) under which a secret token is stored: login sessions and survey invitations. Only the
/// hash is kept, so a copy of the database does not hand out working links or sessions.
pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn check_password_rules(pw: &str) -> StoreResult<()> {
    if pw.chars().count() < 8 {
        return Err(StoreError::Invalid("mật khẩu phải có ít nhất 8 ký tự".into()));
    }
    if pw.len() > 256 {
        return Err(StoreError::Invalid("mật khẩu quá dài (tối đa 256 byte)".into()));
    }
    Ok(())
}

pub(crate) async fn hash_password(pw: String, cost: HashCost) -> StoreResult<String> {
    tokio::task::spawn_blocking(move || {
        let params = match cost {
            HashCost::Standard => Params::new(19 * 1024, 2, 1, None),
            HashCost::Fast => Params::new(256, 1, 1, None),
        }
        .map_err(|e| StoreError::Invalid(format!("tham số Argon2: {e}")))?;
        let salt_bytes: [u8; 16] = rand::rng().random();
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| StoreError::Invalid(format!("salt: {e}")))?;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Invalid(format!("không băm được mật khẩu: {e}")))
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("lỗi luồng băm mật khẩu: {e}")))?
}

async fn verify_password(pw: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default().verify_password(pw.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password with the given cost, made once per process: verified for unknown usernames.
async fn dummy_hash(cost: HashCost) -> StoreResult<String> {
    static STANDARD: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    static FAST: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let cell = match cost {
        HashCost::Standard => &STANDARD,
        HashCost::Fast => &FAST,
    };
    let h = cell.get_or_try_init(|| hash_password(random_token(), cost)).await?;
    Ok(h.clone())
}

/// A live session as a request sees it ([`Store::session_context`]).
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub user: User,
    pub csrf: String,
    pub scope: Scope,
    /// Unread notifications (0 when not asked for).
    pub unread: i64,
}

/// The scope of a user whose home unit has `path` (None: no home unit, which only an administrator may lack:
/// they reach everything).
fn scope_of_user(user: &User, path: Option<String>) -> StoreResult<Scope> {
    let reach = match (user.unit_id, path) {
        (None, _) if user.role() == Role::Admin => Reach::All,
        (Some(id), Some(path)) => Reach::Subtree { unit_id: id, path },
        _ => return Err(StoreError::Config(format!("tài khoản '{}' chưa gắn với đơn vị nào", user.username))),
    };
    Ok(Scope { user_id: Some(user.id), actor: user.username.clone(), role: user.role(), reach, agency_id: user.agency_id })
}

impl Store {
    /// The scope a user acts with: their unit's subtree (or everything for an administrator without a unit).
    pub async fn scope_for(&self, user: &User) -> StoreResult<Scope> {
        let path = match user.unit_id {
            Some(id) => {
                const SQL: &str = "SELECT path FROM unit WHERE id = $1";
                Some(on_db!(&self.read, |p| sqlx::query_scalar(SQL).bind(id).fetch_one(p).await)?)
            }
            None => None,
        };
        scope_of_user(user, path)
    }

    pub async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        const SQL: &str = "SELECT id, username, full_name, role, unit_id, agency_id, active FROM app_user WHERE username = $1";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(username.trim()).fetch_optional(p).await)?)
    }

    /// Users whose home unit the scope reaches (administrators without a unit only for a scope reaching all).
    pub async fn users(&self, scope: &Scope) -> StoreResult<Vec<User>> {
        if !scope.can(Permission::View) {
            return Err(StoreError::Forbidden(Permission::View.name_vi().into()));
        }
        const SQL: &str = "SELECT a.id, a.username, a.full_name, a.role, a.unit_id, a.agency_id, a.active FROM app_user a \
                           LEFT JOIN unit u ON u.id = a.unit_id \
                           WHERE (u.path IS NULL AND $1 = '/') OR u.path LIKE $1 || '%' ORDER BY a.username";
        let prefix = scope.path_prefix();
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(prefix).fetch_all(p).await)?)
    }

    /// One page of the accounts within the scope, filtered and sorted (ties: by username).
    pub async fn users_page(
        &self,
        scope: &Scope,
        f: &UserFilter,
        sort: Sort<UserColumn>,
        page: PageRequest,
    ) -> StoreResult<Paged<UserListItem>> {
        if !scope.can(Permission::View) {
            return Err(StoreError::Forbidden(Permission::View.name_vi().into()));
        }
        let prefix = scope.path_prefix().to_string();
        let mut q = Sql::new("FROM app_user a LEFT JOIN unit u ON u.id = a.unit_id WHERE ((u.path IS NULL AND ");
        q.text(prefix.clone()).push(" = '/') OR u.path LIKE ").text(prefix).push(" || '%')");
        if let Some(text) = f.text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            // Usernames are lower-case ASCII: the folded text finds them too ("Đức" finds "duc.nv").
            let like = contains_pattern(&fold(text));
            q.push(" AND (a.username LIKE ").text(like.clone()).push(" OR a.full_name_fold LIKE ").text(like).push(")");
        }
        if let Some(role) = f.role {
            q.push(" AND a.role = ").text(role.as_str());
        }
        if let Some(code) = f.unit_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q.push(" AND EXISTS (SELECT 1 FROM unit f WHERE f.code = ").text(code).push(" AND u.path LIKE f.path || '%')");
        }
        const COLUMNS: &str = "SELECT a.id, a.username, a.full_name, a.role, a.unit_id, a.agency_id, a.active, \
            u.code AS unit_code, u.name AS unit_name";
        let order = [(sort.column.sql(), sort.dir), ("a.username", SortDir::Asc)];
        fetch_page(&self.read, COLUMNS, &q, &order, page).await
    }

    /// Create an account inside the scope. Only a scope that reaches everything creates unit-less admins.
    pub async fn create_user(&self, scope: &Scope, new: NewUser) -> StoreResult<User> {
        if !scope.can(Permission::ManageUsers) {
            return Err(StoreError::Forbidden(Permission::ManageUsers.name_vi().into()));
        }
        let username = new.username.trim().to_lowercase();
        if username.len() < 3 || username.len() > 64 || !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(StoreError::Invalid(format!(
                "tên đăng nhập '{}' không hợp lệ (3–64 ký tự: chữ không dấu, số, '.', '_', '-')",
                new.username
            )));
        }
        check_password_rules(&new.password)?;
        let unit = match &new.unit_code {
            Some(code) => Some(self.unit_by_code(scope, code).await?),
            None if matches!(scope.reach, Reach::All) && new.role == Role::Admin => None,
            None => return Err(StoreError::Invalid("tài khoản phải thuộc một đơn vị".into())),
        };
        if let Some(aid) = new.agency_id {
            let a = self.agency_by_id(scope, aid).await?;
            if Some(a.unit_id) != unit.as_ref().map(|u| u.id) {
                return Err(StoreError::Invalid("cơ quan không thuộc đơn vị của tài khoản".into()));
            }
        }
        if self.user_by_username(&username).await?.is_some() {
            return Err(StoreError::Conflict(format!("tên đăng nhập '{username}' đã có")));
        }
        let hash = hash_password(new.password.clone(), self.hash_cost).await?;
        let full_name = nfc(&new.full_name);
        let unit_id = unit.as_ref().map(|u| u.id);
        let user = write_tx!(self, |tx| {
            const INS: &str = "INSERT INTO app_user (username, full_name, full_name_fold, password_hash, role, unit_id, agency_id, active, created_at) \
                               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, username, full_name, role, unit_id, agency_id, active";
            let u: User = sqlx::query_as(INS)
                .bind(&username)
                .bind(&full_name)
                .bind(fold(&full_name))
                .bind(&hash)
                .bind(new.role.as_str())
                .bind(unit_id)
                .bind(new.agency_id)
                .bind(true)
                .bind(now_ms())
                .fetch_one(&mut *tx)
                .await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id,
                    entity: "user",
                    entity_id: username.clone(),
                    action: "create",
                    new_value: Some(format!("{} ({})", new.role.as_str(), full_name)),
                    ..Default::default()
                }
            );
            u
        });
        Ok(user)
    }

    /// Fill the folded full name of accounts stored before it was kept (migration 0016); a no-op once done.
    /// One transaction.
    pub async fn fold_user_names(&self) -> StoreResult<u64> {
        const SQL: &str = "SELECT id, full_name FROM app_user WHERE full_name_fold IS NULL";
        let rows: Vec<(i64, String)> = on_db!(&self.write, |p| sqlx::query_as(SQL).fetch_all(p).await)?;
        if rows.is_empty() {
            return Ok(0);
        }
        write_tx!(self, |tx| {
            for (id, name) in &rows {
                const UPD: &str = "UPDATE app_user SET full_name_fold = $1 WHERE id = $2";
                sqlx::query(UPD).bind(fold(name)).bind(id).execute(&mut *tx).await?;
            }
        });
        Ok(rows.len() as u64)
    }

    /// Change a password (the account must be within the scope, or be the scope's own).
    pub async fn set_password(&self, scope: &Scope, username: &str, password: &str) -> StoreResult<()> {
        let user = self.user_by_username(username).await?.ok_or_else(|| StoreError::NotFound(format!("tài khoản '{username}'")))?;
        let own = scope.user_id == Some(user.id);
        if !own {
            if !scope.can(Permission::ManageUsers) {
                return Err(StoreError::Forbidden(Permission::ManageUsers.name_vi().into()));
            }
            match user.unit_id {
                Some(uid) => {
                    self.unit_by_id(scope, uid).await?;
                }
                None if matches!(scope.reach, Reach::All) => {}
                None => return Err(StoreError::OutOfScope(format!("tài khoản '{username}'"))),
            }
        }
        check_password_rules(password)?;
        let hash = hash_password(password.to_string(), self.hash_cost).await?;
        write_tx!(self, |tx| {
            const UPD: &str = "UPDATE app_user SET password_hash = $1 WHERE id = $2";
            sqlx::query(UPD).bind(&hash).bind(user.id).execute(&mut *tx).await?;
            // Changing a password ends every session of the account.
            const END: &str = "DELETE FROM session WHERE user_id = $1";
            sqlx::query(END).bind(user.id).execute(&mut *tx).await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: user.unit_id,
                    entity: "user",
                    entity_id: user.username.clone(),
                    action: "password",
                    ..Default::default()
                }
            );
        });
        Ok(())
    }

    /// Check a login. Failures are counted per username+address (the pair's consecutive failures since its
    /// last success, within [`LOGIN_WINDOW_MS`]) and answered with an exponential back-off, so an attacker
    /// slows only themself: the real user at another address, or anyone else at the attacker's address, is
    /// not locked out. Unknown usernames cost a dummy Argon2 verification, so timing does not reveal which
    /// accounts exist. The state lives in the database, shared by every server process.
    pub async fn login(&self, username: &str, password: &str, client: &str) -> StoreResult<LoginOutcome> {
        let username = username.trim().to_lowercase();
        let now = now_ms();
        let since = now - LOGIN_WINDOW_MS;
        #[derive(sqlx::FromRow)]
        struct Fails {
            n: i64,
            last: Option<i64>,
        }
        const FAILS: &str = "SELECT COUNT(*) AS n, MAX(at) AS last FROM login_attempt \
                             WHERE username = $1 AND client = $2 AND success = $3 AND at > $4 \
                             AND at > COALESCE((SELECT MAX(at) FROM login_attempt WHERE username = $1 AND client = $2 AND success = $5), 0)";
        let fails: Fails = on_db!(&self.write, |p| sqlx::query_as(FAILS)
            .bind(&username)
            .bind(client)
            .bind(false)
            .bind(since)
            .bind(true)
            .fetch_one(p)
            .await)?;
        let wait = login_backoff_ms(fails.n);
        if let Some(last) = fails.last
            && wait > 0
            && now < last + wait
        {
            return Ok(LoginOutcome::RateLimited(((last + wait - now) + 999) / 1000));
        }
        const SQL: &str = "SELECT password_hash FROM app_user WHERE username = $1 AND active = $2";
        let hash: Option<String> = on_db!(&self.write, |p| sqlx::query_scalar(SQL).bind(&username).bind(true).fetch_optional(p).await)?;
        let ok = match hash {
            Some(h) => verify_password(password.to_string(), h).await,
            None => {
                // Same work as for a real account: an unknown username must not answer faster.
                let dummy = dummy_hash(self.hash_cost).await?;
                let _ = verify_password(password.to_string(), dummy).await;
                false
            }
        };
        const REC: &str = "INSERT INTO login_attempt (username, client, at, success) VALUES ($1, $2, $3, $4)";
        on_db!(&self.write, |p| sqlx::query(REC)
            .bind(&username)
            .bind(client)
            .bind(now)
            .bind(ok)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        // Keep the table small without a separate job.
        const PURGE: &str = "DELETE FROM login_attempt WHERE at < $1";
        on_db!(&self.write, |p| sqlx::query(PURGE).bind(since).execute(p).await.map(|r| r.rows_affected()))?;
        if !ok {
            return Ok(LoginOutcome::BadCredentials);
        }
        match self.user_by_username(&username).await? {
            Some(u) => Ok(LoginOutcome::Ok(u)),
            None => Ok(LoginOutcome::BadCredentials),
        }
    }

    pub async fn create_session(&self, user_id: i64) -> StoreResult<NewSession> {
        let token = random_token();
        let csrf_token = random_token();
        let now = now_ms();
        let expires_at = now + SESSION_TTL_MS;
        const INS: &str = "INSERT INTO session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        on_db!(&self.write, |p| sqlx::query(INS)
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(&csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        // Purge expired sessions now and then, without a separate job.
        const PURGE: &str = "DELETE FROM session WHERE expires_at < $1";
        on_db!(&self.write, |p| sqlx::query(PURGE).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(NewSession { token, csrf_token, expires_at })
    }

    /// Everything a request needs of its session in one query: the user, the CSRF token, the user's scope
    /// and, when `with_unread`, how many notifications they have not read.
    pub async fn session_context(&self, token: &str, with_unread: bool) -> StoreResult<Option<SessionContext>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            username: String,
            full_name: String,
            role: String,
            unit_id: Option<i64>,
            agency_id: Option<i64>,
            active: bool,
            csrf_token: String,
            path: Option<String>,
            unread: i64,
        }
        const SQL: &str = "SELECT u.id, u.username, u.full_name, u.role, u.unit_id, u.agency_id, u.active, s.csrf_token, un.path, \
                           CASE WHEN $4 THEN (SELECT COUNT(*) FROM notification n WHERE n.user_id = u.id AND n.read_at IS NULL) ELSE 0 END AS unread \
                           FROM session s JOIN app_user u ON u.id = s.user_id LEFT JOIN unit un ON un.id = u.unit_id \
                           WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = $3";
        let row: Option<Row> = on_db!(&self.read, |p| sqlx::query_as(SQL)
            .bind(token_hash(token))
            .bind(now_ms())
            .bind(true)
            .bind(with_unread)
            .fetch_optional(p)
            .await)?;
        let Some(r) = row else { return Ok(None) };
        let user = User {
            id: r.id,
            username: r.username,
            full_name: r.full_name,
            role: r.role,
            unit_id: r.unit_id,
            agency_id: r.agency_id,
            active: r.active,
        };
        let scope = scope_of_user(&user, r.path)?;
        Ok(Some(SessionContext { user, csrf: r.csrf_token, scope, unread: r.unread }))
    }

    /// The user and CSRF token of a live session ([`Store::session_context`] without the scope's use).
    pub async fn session_user(&self, token: &str) -> StoreResult<Option<(User, String)>> {
        Ok(self.session_context(token, false).await?.map(|s| (s.user, s.csrf)))
    }

    pub async fn delete_session(&self, token: &str) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM session WHERE token_hash = $1";
        on_db!(&self.write, |p| sqlx::query(SQL).bind(token_hash(token)).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
