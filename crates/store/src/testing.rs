//! Test support: a fresh database per test on each backend.
//!
//! SQLite runs always (in memory). PostgreSQL runs when `CHISO_TEST_PG` is set to a server URL (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`): each test creates its own database there and drops it at the
//! end. When `CI=true`, a missing `CHISO_TEST_PG` is an error, so CI can never skip them silently.

use crate::accounts::HashCost;
use crate::{Store, StoreResult};
use sqlx::Connection;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct TestDb {
    pub store: Store,
    pub label: &'static str,
    pg: Option<(String, String)>,
}

static WARNED: AtomicBool = AtomicBool::new(false);

/// The PostgreSQL server URL for tests, or None (after printing why) when they are skipped.
pub fn pg_server_url() -> Option<String> {
    match std::env::var("CHISO_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false);
            assert!(!ci, "CI=true but CHISO_TEST_PG is not set: PostgreSQL tests are required in CI");
            if !WARNED.swap(true, Ordering::Relaxed) {
                eprintln!("NOTE: CHISO_TEST_PG is not set — PostgreSQL tests are SKIPPED (SQLite only).");
            }
            None
        }
    }
}

impl TestDb {
    pub async fn sqlite() -> StoreResult<TestDb> {
        let mut store = Store::connect("sqlite::memory:").await?;
        store.hash_cost = HashCost::Fast;
        Ok(TestDb { store, label: "sqlite", pg: None })
    }

    /// A fresh PostgreSQL database, or None when PostgreSQL tests are skipped.
    pub async fn postgres() -> StoreResult<Option<TestDb>> {
        let Some(server) = pg_server_url() else { return Ok(None) };
        let name = format!("chiso_t_{}_{}", std::process::id(), crate::now_ms() as u64 % 1_000_000_000 * 1000 + next_seq());
        let mut admin = sqlx::PgConnection::connect(&server).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut admin).await?;
        admin.close().await?;
        let url = with_database(&server, &name);
        let mut store = Store::connect(&url).await?;
        store.hash_cost = HashCost::Fast;
        Ok(Some(TestDb { store, label: "postgres", pg: Some((server, name)) }))
    }

    /// Every backend available here: SQLite, and PostgreSQL when configured.
    pub async fn all() -> StoreResult<Vec<TestDb>> {
        let mut v = vec![TestDb::sqlite().await?];
        if let Some(pg) = TestDb::postgres().await? {
            v.push(pg);
        }
        Ok(v)
    }

    /// The database URL of a PostgreSQL test database (None for the in-memory SQLite one).
    pub fn url(&self) -> Option<String> {
        self.pg.as_ref().map(|(server, name)| with_database(server, name))
    }

    /// Close the pools and drop the PostgreSQL database.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((server, name)) = self.pg
            && let Ok(mut admin) = sqlx::PgConnection::connect(&server).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))).execute(&mut admin).await;
        }
    }
}

fn next_seq() -> u64 {
    use std::sync::atomic::AtomicU64;
    static SEQ: AtomicU64 = AtomicU64::new(0);
    SEQ.fetch_add(1, Ordering::Relaxed) % 1000
}

/// Replace the database name in a PostgreSQL URL.
pub fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Run one SQL statement (no parameters) on the store's write pool: for tests that must put the database in
/// a state the store API never makes (e.g. rows left by an older version).
pub async fn exec(store: &Store, sql: &str) -> StoreResult<u64> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    Ok(crate::on_db!(&store.write, |p| sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()))?)
}

/// The first column (text) of every row of a query, for tests that look at what is stored.
pub async fn texts(store: &Store, sql: &str) -> StoreResult<Vec<String>> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    Ok(crate::on_db!(&store.write, |p| sqlx::query_scalar(sql).fetch_all(p).await)?)
}
