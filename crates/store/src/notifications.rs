//! In-application notifications, de-duplicated by a key so that several server processes (and repeated
//! scheduler runs) never create the same reminder twice, and the daily e-mail digest bookkeeping. Times are the
//! caller's (the application clock).

use crate::{Store, StoreResult, on_db};
use chiso_core::access::Scope;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Someone to remind, with what.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
}

impl Store {
    /// Create a notification at `at_ms` unless one with the same key exists. Returns whether it was new.
    pub async fn notify(&self, user_id: i64, kind: &str, dedup_key: &str, title: &str, link: &str, at_ms: i64) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO notification (user_id, kind, dedup_key, title, link, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                           ON CONFLICT (dedup_key) DO NOTHING";
        let n = on_db!(&self.write, |p| sqlx::query(SQL)
            .bind(user_id)
            .bind(kind)
            .bind(dedup_key)
            .bind(title)
            .bind(link)
            .bind(at_ms)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Claim one scheduler cycle (`job`, `cycle_key`) for `holder`: true for exactly one caller across every
    /// process on the database (the one whose INSERT made the row), false for the others, which skip the
    /// cycle. A database lock, not timing: two `chiso serve` on one PostgreSQL run each cycle once.
    pub async fn claim_scheduler_cycle(&self, job: &str, cycle_key: &str, holder: &str, at_ms: i64) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO scheduler_run (job, cycle_key, holder, claimed_at) VALUES ($1, $2, $3, $4) \
                           ON CONFLICT (job, cycle_key) DO NOTHING";
        let n = on_db!(&self.write, |p| sqlx::query(SQL)
            .bind(job)
            .bind(cycle_key)
            .bind(holder)
            .bind(at_ms)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Give a claimed cycle back (its work failed), so that the next tick of any process may run it again.
    pub async fn release_scheduler_cycle(&self, job: &str, cycle_key: &str, holder: &str) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM scheduler_run WHERE job = $1 AND cycle_key = $2 AND holder = $3";
        on_db!(&self.write, |p| sqlx::query(SQL).bind(job).bind(cycle_key).bind(holder).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The notifications of the scope's own user, newest first.
    pub async fn my_notifications(&self, scope: &Scope, limit: i64) -> StoreResult<Vec<Notification>> {
        let Some(uid) = scope.user_id else { return Ok(Vec::new()) };
        const SQL: &str = "SELECT id, user_id, kind, title, link, created_at, read_at FROM notification WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(uid).bind(limit).fetch_all(p).await)?)
    }

    /// How many notifications of the scope's own user are unread (the header's badge).
    pub async fn unread_count(&self, scope: &Scope) -> StoreResult<i64> {
        let Some(uid) = scope.user_id else { return Ok(0) };
        const SQL: &str = "SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at IS NULL";
        Ok(on_db!(&self.read, |p| sqlx::query_scalar(SQL).bind(uid).fetch_one(p).await)?)
    }

    pub async fn mark_notifications_read(&self, scope: &Scope, at_ms: i64) -> StoreResult<()> {
        let Some(uid) = scope.user_id else { return Ok(()) };
        const SQL: &str = "UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL";
        on_db!(&self.write, |p| sqlx::query(SQL).bind(at_ms).bind(uid).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Users of a unit (optionally of one agency) with a role, for reminders.
    pub async fn recipients(&self, unit_id: i64, agency_id: Option<i64>, roles: &[&str]) -> StoreResult<Vec<Recipient>> {
        const SQL: &str =
            "SELECT id AS user_id, username, full_name, email, role, agency_id FROM app_user WHERE unit_id = $1 AND active = $2";
        #[derive(sqlx::FromRow)]
        struct Row {
            user_id: i64,
            username: String,
            full_name: String,
            email: Option<String>,
            role: String,
            agency_id: Option<i64>,
        }
        let rows: Vec<Row> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit_id).bind(true).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter(|r| roles.contains(&r.role.as_str()) && (agency_id.is_none() || r.agency_id == agency_id))
            .map(|r| Recipient { user_id: r.user_id, username: r.username, full_name: r.full_name, email: r.email })
            .collect())
    }

    /// Users with unread notifications not yet e-mailed, with those notifications: one digest each.
    pub async fn pending_digests(&self) -> StoreResult<Vec<(Recipient, Vec<Notification>)>> {
        const SQL: &str = "SELECT n.id, n.user_id, n.kind, n.title, n.link, n.created_at, n.read_at FROM notification n \
                           WHERE n.emailed_at IS NULL AND n.read_at IS NULL ORDER BY n.user_id, n.created_at";
        let all: Vec<Notification> = on_db!(&self.read, |p| sqlx::query_as(SQL).fetch_all(p).await)?;
        let mut out: Vec<(Recipient, Vec<Notification>)> = Vec::new();
        for n in all {
            if out.last().is_some_and(|(r, _)| r.user_id == n.user_id) {
                if let Some((_, list)) = out.last_mut() {
                    list.push(n);
                }
                continue;
            }
            const USER: &str = "SELECT id AS user_id, username, full_name, email FROM app_user WHERE id = $1";
            let r: Option<Recipient> = on_db!(&self.read, |p| sqlx::query_as(USER).bind(n.user_id).fetch_optional(p).await)?;
            if let Some(r) = r {
                out.push((r, vec![n]));
            }
        }
        Ok(out.into_iter().filter(|(r, _)| r.email.as_deref().is_some_and(|e| e.contains('@'))).collect())
    }

    pub async fn mark_emailed(&self, ids: &[i64], at_ms: i64) -> StoreResult<()> {
        const SQL: &str = "UPDATE notification SET emailed_at = $1 WHERE id = $2";
        for id in ids {
            on_db!(&self.write, |p| sqlx::query(SQL).bind(at_ms).bind(*id).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    pub async fn set_email(&self, username: &str, email: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE app_user SET email = $1 WHERE username = $2";
        on_db!(&self.write, |p| sqlx::query(SQL).bind(email.trim()).bind(username).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
