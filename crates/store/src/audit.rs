//! The audit log: who changed what, when, from what to what, and why. Entries are written inside the same
//! transaction as the change they describe, so a change without its entry cannot be committed.

use crate::list::{Sql, fetch_page};
use crate::{Store, StoreResult, on_db};
use chiso_core::access::Scope;
use chiso_core::audit::{ActionKind, EntityKind};
use chiso_core::list::{DateRange, PageRequest, Paged, Sort, SortColumn, SortDir};
use serde::Serialize;

const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, user_id, actor, unit_id, entity, entity_id, action, field, old_value, new_value, reason) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// One change to record.
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    pub unit_id: Option<i64>,
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

/// Insert an audit entry with the transaction `$tx` (a macro so that it compiles for both backends).
#[macro_export]
macro_rules! audit {
    ($tx:ident, $scope:expr, $change:expr) => {{
        let c: $crate::audit::Change = $change;
        let s: &chiso_core::access::Scope = $scope;
        sqlx::query($crate::audit::INSERT_AUDIT_PUB)
            .bind($crate::now_ms())
            .bind(s.user_id)
            .bind(s.actor.as_str())
            .bind(c.unit_id)
            .bind(c.entity)
            .bind(c.entity_id.as_str())
            .bind(c.action)
            .bind(c.field)
            .bind(c.old_value.as_deref())
            .bind(c.new_value.as_deref())
            .bind(c.reason.as_deref())
            .execute(&mut *$tx)
            .await?;
    }};
}

#[doc(hidden)]
pub const INSERT_AUDIT_PUB: &str = INSERT_AUDIT;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub unit_id: Option<i64>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    /// The code and name of the unit the entry belongs to (none for system-wide entries).
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
}

/// What the audit log page asks for; every field narrows the list (an empty filter is the whole log
/// within the scope).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Who made the change (username).
    pub actor: Option<String>,
    pub action: Option<ActionKind>,
    pub entity: Option<EntityKind>,
    /// When, whole days in Vietnam time.
    pub range: DateRange,
    /// Entries of this unit and the units under it.
    pub unit_code: Option<String>,
}

/// The columns the audit log sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditColumn {
    At,
    Actor,
    Entity,
    Action,
    Unit,
}

impl SortColumn for AuditColumn {
    const ALL: &'static [AuditColumn] = &[AuditColumn::At, AuditColumn::Actor, AuditColumn::Entity, AuditColumn::Action, AuditColumn::Unit];
    fn key(self) -> &'static str {
        match self {
            AuditColumn::At => "at",
            AuditColumn::Actor => "actor",
            AuditColumn::Entity => "entity",
            AuditColumn::Action => "action",
            AuditColumn::Unit => "unit",
        }
    }
    fn default_dir(self) -> SortDir {
        if self == AuditColumn::At { SortDir::Desc } else { SortDir::Asc }
    }
}

impl AuditColumn {
    /// Newest first.
    pub const DEFAULT: Sort<AuditColumn> = Sort { column: AuditColumn::At, dir: SortDir::Desc };

    fn sql(self) -> &'static str {
        match self {
            AuditColumn::At => "a.at",
            AuditColumn::Actor => "a.actor",
            AuditColumn::Entity => "a.entity",
            AuditColumn::Action => "a.action",
            AuditColumn::Unit => "COALESCE(u.name_fold, '')",
        }
    }
}

const AUDIT_COLUMNS: &str = "SELECT a.id, a.at, a.actor, a.unit_id, a.entity, a.entity_id, a.action, a.field, a.old_value, a.new_value, a.reason, \
     u.code AS unit_code, u.name AS unit_name";

impl Store {
    /// One page of the audit log within the scope, filtered and sorted (ties: newest first).
    pub async fn audit_page(
        &self,
        scope: &Scope,
        filter: &AuditFilter,
        sort: Sort<AuditColumn>,
        page: PageRequest,
    ) -> StoreResult<Paged<AuditEntry>> {
        let mut q = Sql::new("FROM audit_log a LEFT JOIN unit u ON u.id = a.unit_id WHERE ((u.path IS NULL AND ");
        let prefix = scope.path_prefix().to_string();
        q.text(prefix.clone()).push(" = '/') OR u.path LIKE ").text(prefix).push(" || '%')");
        if let Some(actor) = filter.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q.push(" AND a.actor = ").text(actor);
        }
        if let Some(action) = filter.action {
            q.push(" AND a.action = ").text(action.as_str());
        }
        if let Some(entity) = filter.entity {
            q.push(" AND a.entity = ").text(entity.as_str());
        }
        if let Some(start) = filter.range.start_ms() {
            q.push(" AND a.at >= ").int(start);
        }
        if let Some(end) = filter.range.end_ms() {
            q.push(" AND a.at < ").int(end);
        }
        if let Some(code) = filter.unit_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q.push(" AND EXISTS (SELECT 1 FROM unit f WHERE f.code = ").text(code).push(" AND u.path LIKE f.path || '%')");
        }
        let order = [(sort.column.sql(), sort.dir), ("a.at", SortDir::Desc), ("a.id", SortDir::Desc)];
        fetch_page(&self.read, AUDIT_COLUMNS, &q, &order, page).await
    }

    /// Audit entries of one entity (e.g. `("unit", "123")`), newest first, if the scope reaches its unit.
    /// Entries without a unit (accounts of the system) are visible only to a scope that reaches everything.
    pub async fn audit_of(&self, scope: &Scope, entity: &str, entity_id: &str) -> StoreResult<Vec<AuditEntry>> {
        const SQL: &str = "SELECT a.id, a.at, a.actor, a.unit_id, a.entity, a.entity_id, a.action, a.field, a.old_value, a.new_value, a.reason, \
             u.code AS unit_code, u.name AS unit_name FROM audit_log a LEFT JOIN unit u ON u.id = a.unit_id \
             WHERE a.entity = $1 AND a.entity_id = $2 AND ((u.path IS NULL AND $3 = '/') OR u.path LIKE $3 || '%') \
             ORDER BY a.at DESC, a.id DESC";
        let prefix = scope.path_prefix();
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(entity).bind(entity_id).bind(prefix).fetch_all(p).await)?)
    }

    /// The most recent audit entries within the scope.
    pub async fn audit_recent(&self, scope: &Scope, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        const SQL: &str = "SELECT a.id, a.at, a.actor, a.unit_id, a.entity, a.entity_id, a.action, a.field, a.old_value, a.new_value, a.reason, \
             u.code AS unit_code, u.name AS unit_name FROM audit_log a LEFT JOIN unit u ON u.id = a.unit_id \
             WHERE (u.path IS NULL AND $1 = '/') OR u.path LIKE $1 || '%' \
             ORDER BY a.at DESC, a.id DESC LIMIT $2";
        let prefix = scope.path_prefix();
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(prefix).bind(limit).fetch_all(p).await)?)
    }
}
