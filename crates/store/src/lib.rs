//! Persistence for chiso: one repository API over SQLite (default, embedded) and PostgreSQL (by URL).
//!
//! * Every query is one `const` SQL string in the common subset of both dialects (`$1` placeholders,
//!   `RETURNING`, `ON CONFLICT`, recursive CTEs), compiled once per backend by the [`on_db!`] macro.
//! * Timestamps are `i64` unix milliseconds and dates ISO text, identical on both backends and sortable.
//! * SQLite has one writer: writes go through a one-connection write pool and start with `BEGIN IMMEDIATE`
//!   (a deferred transaction that reads then writes fails with SQLITE_BUSY instead of waiting); reads use a
//!   separate pool. PostgreSQL uses one pool for both.
//! * Every function that reads or changes unit-owned data takes a [`Scope`] and enforces it here, not in
//!   the handlers.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub mod accounts;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod bulk;
mod error;
pub(crate) mod list;
pub mod notifications;
pub mod overview;
pub mod plans;
pub mod progress;
pub mod results;
pub mod revision;
pub mod surveys;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod units;

pub use chiso_core::access::{Permission, Reach, Role, Scope};
pub use error::{StoreError, StoreResult};

/// A connection pool of one backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Run `$body` with `$p` bound to the backend's pool. The body is compiled once per backend, so the same
/// SQL text and Rust code serve both.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Run `$body` inside one write transaction `$tx` and commit it; an error rolls everything back.
/// SQLite transactions begin IMMEDIATE so that they take the write lock up front.
#[macro_export]
macro_rules! write_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.write {
            $crate::Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store: a write pool and a read pool (the same pool on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Store {
    pub write: Db,
    pub read: Db,
    /// Argon2 cost for new password hashes (tests lower it; verification reads the cost from the hash).
    pub hash_cost: accounts::HashCost,
    /// Where evidence files are kept (`DATA_DIR/files`); None until the caller sets it.
    pub files_dir: Option<std::path::PathBuf>,
}

/// Milliseconds since the Unix epoch, UTC. Generated in Rust, never by the database, so both backends agree.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

impl Store {
    /// Open (creating and migrating if needed) the database at `url`: `sqlite://PATH`, `sqlite::memory:` or
    /// `postgres://…`. A database that cannot be reached gives an error saying so, never a panic.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(|e| StoreError::Config(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(|e| StoreError::Unavailable(format!("không kết nối được PostgreSQL ({}): {e}", redact(url))))?;
            Store { write: Db::Postgres(pool.clone()), read: Db::Postgres(pool), hash_cost: Default::default(), files_dir: None }
        } else if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("địa chỉ SQLite không hợp lệ: {e}")))?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .synchronous(SqliteSynchronous::Normal);
            if memory {
                // One shared connection: each new in-memory connection would be a different, empty database.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(opts)
                    .await
                    .map_err(|e| StoreError::Unavailable(format!("không mở được SQLite: {e}")))?;
                Store { write: Db::Sqlite(pool.clone()), read: Db::Sqlite(pool), hash_cost: Default::default(), files_dir: None }
            } else {
                let opts = opts.journal_mode(SqliteJournalMode::Wal);
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts.clone())
                    .await
                    .map_err(|e| StoreError::Unavailable(format!("không mở được tệp SQLite ({url}): {e}")))?;
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(opts.read_only(true))
                    .await
                    .map_err(|e| StoreError::Unavailable(format!("không mở được tệp SQLite ({url}): {e}")))?;
                Store { write: Db::Sqlite(write), read: Db::Sqlite(read), hash_cost: Default::default(), files_dir: None }
            }
        } else {
            return Err(StoreError::Config(format!(
                "địa chỉ cơ sở dữ liệu phải bắt đầu bằng sqlite: hoặc postgres:// (nhận được '{}')",
                redact(url)
            )));
        };
        store.migrate().await?;
        store.hash_plain_invitation_tokens().await?;
        store.fold_plan_numbers().await?;
        store.fold_user_names().await?;
        store.seed_levels().await?;
        Ok(store)
    }

    /// The SQLite URL for a data directory: `DIR/chiso.db`.
    pub fn sqlite_url_for_dir(dir: &Path) -> String {
        format!("sqlite://{}", dir.join("chiso.db").display())
    }

    pub fn backend(&self) -> Backend {
        match self.write {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        match &self.write {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    async fn seed_levels(&self) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO unit_level (code, name_vi, name_en, depth) VALUES ($1, $2, $3, $4) \
                           ON CONFLICT (code) DO NOTHING";
        for (code, vi, en, depth) in chiso_core::unit::DEFAULT_LEVELS {
            on_db!(&self.write, |p| sqlx::query(SQL).bind(code).bind(vi).bind(en).bind(depth).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// A cheap round trip, for the health endpoint.
    pub async fn ping(&self) -> StoreResult<()> {
        const SQL: &str = "SELECT 1";
        let _: i32 = on_db!(&self.read, |p| sqlx::query_scalar(SQL).fetch_one(p).await)?;
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(&self.write, |p| p.close().await);
        on_db!(&self.read, |p| p.close().await);
    }
}

/// Hide a password in a database URL before printing it.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
