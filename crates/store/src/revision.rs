//! Revisions of unit subtrees: what tells a cache of figures computed from rows that the rows changed.
//!
//! Every write to what the progress figures read (plans, tasks, task dimensions, updates, evidence, reports,
//! agencies, units) bumps its unit's revision in the same transaction, by triggers (migration 0017), so no
//! write path can forget it. A subtree's revision sums its units' revisions; it changes with any write below
//! the root and with units entering or leaving the subtree.

use crate::{Db, Store, StoreResult, units::Unit};
use chiso_core::access::Scope;

/// The state of a subtree's rows as of one read. Equal revisions mean nothing the figures read changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Revision {
    /// Units in the subtree.
    pub units: i64,
    /// The sum of their revisions (each write adds one).
    pub sum: i64,
    /// The sum of their ids (a unit leaving and another entering changes it).
    pub ids: i64,
    /// The sum of the revisions of the root's ancestors (their plans set the root's report schedule).
    pub chain: i64,
    /// The revision of the unit tree itself (any unit added, renamed, moved or closed anywhere).
    pub tree: i64,
}

/// The end of a path range: every path that starts with `prefix` sorts in `[prefix, end)` by bytes, since
/// paths are `/id/id/` and `0` follows `/`.
fn range_end(prefix: &str) -> String {
    match prefix.strip_suffix('/') {
        Some(head) => format!("{head}0"),
        None => format!("{prefix}\u{10FFFF}"),
    }
}

impl Revision {
    /// As stored with a shared figure.
    pub fn as_text(&self) -> String {
        format!("{}.{}.{}.{}.{}", self.units, self.sum, self.ids, self.chain, self.tree)
    }
}

impl Store {
    /// A figure another process computed (`kind`, `key_id`, `detail`): the revision it was computed at (as
    /// [`Revision::as_text`]) and its body.
    pub async fn shared_figure(&self, kind: &str, key_id: i64, detail: &str) -> StoreResult<Option<(String, String)>> {
        const SQL: &str = "SELECT revision, body FROM shared_figure WHERE kind = $1 AND key_id = $2 AND detail = $3";
        Ok(crate::on_db!(&self.read, |p| sqlx::query_as(SQL).bind(kind).bind(key_id).bind(detail).fetch_optional(p).await)?)
    }

    /// Every stored figure of `kind` about `key_id`: (detail, revision, body), by detail.
    pub async fn shared_figures_of(&self, kind: &str, key_id: i64) -> StoreResult<Vec<(String, String, String)>> {
        const SQL: &str = "SELECT detail, revision, body FROM shared_figure WHERE kind = $1 AND key_id = $2 ORDER BY detail";
        Ok(crate::on_db!(&self.read, |p| sqlx::query_as(SQL).bind(kind).bind(key_id).fetch_all(p).await)?)
    }

    /// Store a computed figure for the other processes (replacing an older one of the same key).
    pub async fn put_shared_figure(
        &self,
        kind: &str,
        key_id: i64,
        detail: &str,
        revision: &Revision,
        body: &str,
        at_ms: i64,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO shared_figure (kind, key_id, detail, revision, body, computed_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, key_id, detail) DO UPDATE SET revision = excluded.revision, body = excluded.body, computed_at = excluded.computed_at";
        crate::on_db!(&self.write, |p| sqlx::query(SQL)
            .bind(kind)
            .bind(key_id)
            .bind(detail)
            .bind(revision.as_text())
            .bind(body)
            .bind(at_ms)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The revision of the subtree under `root` (the scope's whole subtree when None) and of the root's
    /// ancestors. One query: an indexed range scan over the unit paths. The root must be within the scope.
    pub async fn subtree_revision(&self, scope: &Scope, root: Option<&Unit>) -> StoreResult<Revision> {
        let prefix = match root {
            Some(u) if scope.reaches_path(&u.path) => u.path.clone(),
            Some(u) => return Err(crate::StoreError::OutOfScope(format!("đơn vị {} ({})", u.name, u.code))),
            None => scope.path_prefix().to_string(),
        };
        let end = range_end(&prefix);
        // The ancestors are the ids on the root's path before its own; their revisions are read in the same
        // query, six at a time (a unit has at most four above it in practice).
        let ancestors: Vec<i64> = match root {
            Some(u) => u.path.split('/').filter_map(|s| s.parse().ok()).filter(|id| *id != u.id).collect(),
            None => Vec::new(),
        };
        let mut chunks = ancestors.chunks(6);
        let first = chunks.next().unwrap_or_default();
        let at = |part: &[i64], i: usize| part.get(i).copied().unwrap_or(0);
        // A byte-order range over the path index (LIKE with a bound pattern uses no index); PostgreSQL
        // compares in the "C" collation of its index `unit_path_c`.
        const SQLITE: &str = "SELECT COUNT(*), COALESCE(SUM(r.rev), 0), COALESCE(SUM(u.id), 0), \
             (SELECT COALESCE(SUM(rev), 0) FROM unit_revision WHERE unit_id IN ($3, $4, $5, $6, $7, $8)), \
             (SELECT rev FROM unit_tree_revision WHERE id = 1) FROM unit u \
             LEFT JOIN unit_revision r ON r.unit_id = u.id WHERE u.path >= $1 AND u.path < $2";
        const POSTGRES: &str = "SELECT COUNT(*), COALESCE(SUM(r.rev), 0)::BIGINT, COALESCE(SUM(u.id), 0)::BIGINT, \
             (SELECT COALESCE(SUM(rev), 0)::BIGINT FROM unit_revision WHERE unit_id IN ($3, $4, $5, $6, $7, $8)), \
             (SELECT rev FROM unit_tree_revision WHERE id = 1) FROM unit u \
             LEFT JOIN unit_revision r ON r.unit_id = u.id WHERE u.path COLLATE \"C\" >= $1 AND u.path COLLATE \"C\" < $2";
        macro_rules! run {
            ($sql:expr, $p:expr) => {
                sqlx::query_as($sql)
                    .bind(&prefix)
                    .bind(&end)
                    .bind(at(first, 0))
                    .bind(at(first, 1))
                    .bind(at(first, 2))
                    .bind(at(first, 3))
                    .bind(at(first, 4))
                    .bind(at(first, 5))
                    .fetch_one($p)
                    .await?
            };
        }
        let (units, sum, ids, mut chain, tree): (i64, i64, i64, i64, i64) = match &self.read {
            Db::Sqlite(p) => run!(SQLITE, p),
            Db::Postgres(p) => run!(POSTGRES, p),
        };
        for part in chunks {
            const CHAIN: &str = "SELECT CAST(COALESCE(SUM(rev), 0) AS BIGINT) FROM unit_revision WHERE unit_id IN ($1, $2, $3, $4, $5, $6)";
            let s: i64 = crate::on_db!(&self.read, |p| sqlx::query_scalar(CHAIN)
                .bind(at(part, 0))
                .bind(at(part, 1))
                .bind(at(part, 2))
                .bind(at(part, 3))
                .bind(at(part, 4))
                .bind(at(part, 5))
                .fetch_one(p)
                .await)?;
            chain += s;
        }
        Ok(Revision { units, sum, ids, chain, tree })
    }
}

#[cfg(test)]
mod tests {
    use super::range_end;

    #[test]
    fn the_range_holds_exactly_the_subtree() {
        let end = range_end("/12/");
        for inside in ["/12/", "/12/5/", "/12/99999/3/"] {
            assert!(inside >= "/12/" && inside < end.as_str(), "{inside}");
        }
        for outside in ["/1/", "/120/", "/13/", "/11/9/", "/12"] {
            assert!(!(outside >= "/12/" && outside < end.as_str()), "{outside}");
        }
    }
}
