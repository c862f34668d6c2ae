//! Units (administrative tree with validity dates and merge history) and agencies.

use crate::audit::Change;
use crate::{Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use chiso_core::access::{Permission, Reach, Scope};
use chiso_core::text::{fold, nfc};
use chiso_core::unit::{self as core_unit, RowError, RowErrors, UnitRecord};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub successor_id: Option<i64>,
}

impl Unit {
    /// In force on `date` (ISO)?
    pub fn in_force_on(&self, date: &str) -> bool {
        self.valid_from.as_str() <= date && self.valid_to.as_deref().is_none_or(|t| date <= t)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UnitLevel {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub depth: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Agency {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines of the file with neither code nor name (nothing to import), skipped.
    pub skipped_lines: Vec<usize>,
}

/// Progress of a long write: `(rows done, rows in all)`.
pub type Progress<'a> = dyn Fn(usize, usize) + Send + Sync + 'a;

/// Rows per multi-row statement (8 parameters a unit, 11 an audit entry). Small on purpose: sqlx looks up
/// every SQLite parameter's name, linear in the number of parameters, so a batch costs O(parameters²);
/// 100 rows keeps that negligible while saving 99 % of round trips.
const BATCH: usize = 100;

/// Import failed: either the file is invalid (every problem listed) or the store refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Rows(RowErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Db(e))
    }
}

fn require(scope: &Scope, p: Permission) -> StoreResult<()> {
    if scope.can(p) { Ok(()) } else { Err(StoreError::Forbidden(p.name_vi().to_string())) }
}

fn check_reach(scope: &Scope, unit: &Unit) -> StoreResult<()> {
    if scope.reaches_path(&unit.path) { Ok(()) } else { Err(StoreError::OutOfScope(format!("đơn vị {} ({})", unit.name, unit.code))) }
}

/// ISO date after every real one, for open-ended validity.
const END_OF_TIME: &str = "9999-12-31";

fn overlaps(a_from: &str, a_to: Option<&str>, b_from: &str, b_to: Option<&str>) -> bool {
    a_from <= b_to.unwrap_or(END_OF_TIME) && b_from <= a_to.unwrap_or(END_OF_TIME)
}

/// Where a new unit's parent comes from.
#[derive(Debug, Clone, Copy)]
enum ParentRef {
    Root,
    Stored(i64),
    /// Another row of the same file (its index in the plan), written before this one.
    InFile(usize),
}

/// What an import does with one row.
#[derive(Debug, Clone)]
enum Action {
    Unchanged(i64),
    Update(Box<Unit>),
    Create(ParentRef),
}

#[derive(Debug, Clone)]
struct Planned {
    code: String,
    name: String,
    level: String,
    from: String,
    to: Option<String>,
    action: Action,
}

/// Decide, for every row (parents first), whether it is a stored unit (unchanged or updated) or a new one and
/// where its parent is — checking scope and consistency before anything is written. `exact`: a row is a
/// stored unit only if code and `valid_from` match (the reform: old units are closed, never renamed into new
/// ones); otherwise a stored unit of the same code whose validity overlaps the row's is the same unit.
fn plan_import(scope: &Scope, records: &[UnitRecord], existing: &[Unit], exact: bool) -> Result<Vec<Planned>, RowErrors> {
    let by_id: HashMap<i64, &Unit> = existing.iter().map(|u| (u.id, u)).collect();
    let mut by_code: HashMap<&str, Vec<&Unit>> = HashMap::new();
    for u in existing {
        by_code.entry(u.code.as_str()).or_default().push(u);
    }
    let dates: Vec<(String, Option<String>)> =
        records.iter().map(|r| (core_unit::format_date(r.valid_from), r.valid_to.map(core_unit::format_date))).collect();
    let mut file_by_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        file_by_code.entry(r.code.as_str()).or_default().push(i);
    }
    let mut errors = Vec::new();
    let mut plan = Vec::with_capacity(records.len());
    let mut matched: HashMap<i64, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let (from, to) = &dates[i];
        let mut bad = |column: &str, message: String| errors.push(RowError { line: r.line, column: column.into(), message });
        let stored: Option<&Unit> = by_code
            .get(r.code.as_str())
            .and_then(|v| {
                v.iter().find(|u| &u.valid_from == from).or_else(|| {
                    if exact { None } else { v.iter().find(|u| overlaps(&u.valid_from, u.valid_to.as_deref(), from, to.as_deref())) }
                })
            })
            .copied();
        // The parent: the row of the file with that code in force when this unit begins (else its only
        // row), else the stored unit with that code in force then (else the latest).
        let parent = match &r.parent_code {
            None => Some(ParentRef::Root),
            Some(pc) => match file_by_code.get(pc.as_str()) {
                Some(ix) => {
                    let covering = ix.iter().find(|&&j| dates[j].0 <= *from && dates[j].1.as_deref().is_none_or(|t| from.as_str() <= t));
                    Some(ParentRef::InFile(*covering.unwrap_or(&ix[0])))
                }
                None => by_code.get(pc.as_str()).map(|v| {
                    let covering = v.iter().find(|u| u.in_force_on(from));
                    let latest = v.iter().max_by(|a, b| a.valid_from.cmp(&b.valid_from));
                    ParentRef::Stored(covering.or(latest).map(|u| u.id).unwrap_or_default())
                }),
            },
        };
        match (&r.parent_code, parent) {
            (Some(pc), None) => bad("parent_code", format!("đơn vị cấp trên '{pc}' không có trong tệp hay trong hệ thống")),
            (Some(pc), Some(ParentRef::Stored(id))) if by_id.get(&id).is_none_or(|p| !scope.reaches_path(&p.path)) => {
                bad("parent_code", format!("đơn vị cấp trên '{pc}' nằm ngoài phạm vi của bạn"))
            }
            (None, _) if !matches!(scope.reach, Reach::All) && stored.is_none() => {
                bad("parent_code", "chỉ quản trị hệ thống mới tạo được đơn vị gốc".into())
            }
            _ => {}
        }
        let action = match stored {
            Some(old) => {
                if !scope.reaches_path(&old.path) {
                    bad("code", format!("đơn vị '{}' nằm ngoài phạm vi của bạn", r.code));
                }
                if let Some(first) = matched.insert(old.id, r.line) {
                    bad("code", format!("dòng {first} và dòng này cùng là đơn vị '{}' (hiệu lực chồng lên nhau)", r.code));
                }
                let old_parent = old.parent_id.and_then(|id| by_id.get(&id)).map(|u| u.code.as_str());
                if old_parent != r.parent_code.as_deref() {
                    bad(
                        "parent_code",
                        format!(
                            "đơn vị '{}' đã có cấp trên '{}'; đổi cấp trên hãy dùng chức năng sáp nhập",
                            r.code,
                            old_parent.unwrap_or("(không có)")
                        ),
                    );
                }
                if old.name == r.name && old.level == r.level && &old.valid_from == from && &old.valid_to == to {
                    Action::Unchanged(old.id)
                } else {
                    Action::Update(Box::new(old.clone()))
                }
            }
            None => Action::Create(parent.unwrap_or(ParentRef::Root)),
        };
        plan.push(Planned {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level.clone(),
            from: from.clone(),
            to: to.clone(),
            action,
        });
    }
    if errors.is_empty() { Ok(plan) } else { Err(RowErrors(errors)) }
}

/// `$1, $2, …` groups for a multi-row VALUES: `rows` groups of `cols` parameters, with literal `extra`
/// SQL spliced after parameter `extra_after` of each group (e.g. the empty path of a new unit).
fn values_groups(rows: usize, cols: usize, extra_after: Option<(usize, &str)>) -> String {
    values_groups_from(1, rows, cols, extra_after)
}

/// [`values_groups`] numbering parameters from `first`.
fn values_groups_from(first: usize, rows: usize, cols: usize, extra_after: Option<(usize, &str)>) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(first + r * cols + c).to_string());
            if let Some((after, sql)) = extra_after
                && after == c + 1
            {
                out.push_str(", ");
                out.push_str(sql);
            }
        }
        out.push(')');
    }
    out
}

/// Insert many audit entries with the transaction `$tx`, in batches (one multi-row INSERT per batch).
macro_rules! audit_many {
    ($tx:ident, $scope:expr, $changes:expr) => {{
        let changes: &[Change] = $changes;
        let s: &Scope = $scope;
        let at = now_ms();
        for batch in changes.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO audit_log (at, user_id, actor, unit_id, entity, entity_id, action, field, old_value, new_value, reason) VALUES {}",
                values_groups(batch.len(), 11, None)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in batch {
                q = q
                    .bind(at)
                    .bind(s.user_id)
                    .bind(s.actor.as_str())
                    .bind(c.unit_id)
                    .bind(c.entity)
                    .bind(c.entity_id.as_str())
                    .bind(c.action)
                    .bind(c.field)
                    .bind(c.old_value.as_deref())
                    .bind(c.new_value.as_deref())
                    .bind(c.reason.as_deref());
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Write the new units of `$chunk` (plan indices) in one multi-row INSERT, set their paths (parents were
/// written before) and audit their creation; fills `$ids`.
macro_rules! flush_new_units {
    ($tx:ident, $scope:expr, $plan:expr, $chunk:ident, $ids:ident, $now:expr) => {{
        if !$chunk.is_empty() {
            let plan: &[Planned] = $plan;
            let sql = format!(
                "INSERT INTO unit (code, name, name_fold, level, parent_id, path, valid_from, valid_to, created_at) VALUES {} \
                 RETURNING id, code, valid_from",
                values_groups($chunk.len(), 8, Some((5, "''")))
            );
            let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql));
            for &i in &$chunk {
                let pl = &plan[i];
                let parent_id = match pl.action {
                    Action::Create(ParentRef::Stored(id)) => Some(id),
                    Action::Create(ParentRef::InFile(j)) => $ids[j],
                    _ => None,
                };
                q = q
                    .bind(&pl.code)
                    .bind(&pl.name)
                    .bind(fold(&pl.name))
                    .bind(&pl.level)
                    .bind(parent_id)
                    .bind(&pl.from)
                    .bind(&pl.to)
                    .bind($now);
            }
            let rows = q.fetch_all(&mut *$tx).await?;
            let by_key: HashMap<(String, String), i64> = rows.into_iter().map(|(id, c, f)| ((c, f), id)).collect();
            let mut changes = Vec::with_capacity($chunk.len());
            for &i in &$chunk {
                let pl = &plan[i];
                let id = by_key
                    .get(&(pl.code.clone(), pl.from.clone()))
                    .copied()
                    .ok_or_else(|| StoreError::Invalid(format!("đơn vị '{}' ({}) không ghi được", pl.code, pl.from)))?;
                $ids[i] = Some(id);
                changes.push(Change {
                    unit_id: Some(id),
                    entity: "unit",
                    entity_id: pl.code.clone(),
                    action: "create",
                    new_value: Some(format!("{} | {} | {}", pl.name, pl.level, pl.from)),
                    ..Default::default()
                });
            }
            const SET_PATHS: &str = "UPDATE unit SET path = COALESCE((SELECT p.path FROM unit p WHERE p.id = unit.parent_id), '/') \
                                     || CAST(id AS TEXT) || '/' WHERE path = ''";
            sqlx::query(SET_PATHS).execute(&mut *$tx).await?;
            audit_many!($tx, $scope, &changes);
            $chunk.clear();
        }
    }};
}

/// Carry out an import plan with the transaction `$tx`: updates one by one (rare), new units in batches.
/// Evaluates to the id of every planned row.
macro_rules! write_planned_units {
    ($tx:ident, $scope:expr, $plan:expr, $now:expr, $progress:expr, $summary:ident) => {{
        let plan: &[Planned] = $plan;
        let progress: Option<&Progress<'_>> = $progress;
        let mut ids: Vec<Option<i64>> = vec![None; plan.len()];
        let mut chunk: Vec<usize> = Vec::new();
        let mut reported = 0usize;
        for (i, pl) in plan.iter().enumerate() {
            match &pl.action {
                Action::Unchanged(id) => {
                    ids[i] = Some(*id);
                    $summary.unchanged += 1;
                }
                Action::Update(old) => {
                    const UPD: &str = "UPDATE unit SET name = $1, name_fold = $2, level = $3, valid_from = $4, valid_to = $5 WHERE id = $6";
                    sqlx::query(UPD)
                        .bind(&pl.name)
                        .bind(fold(&pl.name))
                        .bind(&pl.level)
                        .bind(&pl.from)
                        .bind(&pl.to)
                        .bind(old.id)
                        .execute(&mut *$tx)
                        .await?;
                    let describe = |u: &str, l: &str, f: &str, t: Option<&str>| format!("{u} | {l} | {f} → {}", t.unwrap_or(""));
                    audit!(
                        $tx,
                        $scope,
                        Change {
                            unit_id: Some(old.id),
                            entity: "unit",
                            entity_id: old.code.clone(),
                            action: "update",
                            old_value: Some(describe(&old.name, &old.level, &old.valid_from, old.valid_to.as_deref())),
                            new_value: Some(describe(&pl.name, &pl.level, &pl.from, pl.to.as_deref())),
                            ..Default::default()
                        }
                    );
                    ids[i] = Some(old.id);
                    $summary.updated += 1;
                }
                Action::Create(parent) => {
                    let parent_pending = matches!(parent, ParentRef::InFile(j) if ids[*j].is_none());
                    if parent_pending || chunk.len() >= BATCH {
                        flush_new_units!($tx, $scope, plan, chunk, ids, $now);
                    }
                    chunk.push(i);
                    $summary.created += 1;
                }
            }
            if let Some(report) = progress
                && i + 1 - chunk.len() >= reported + 1000
            {
                reported = i + 1 - chunk.len();
                report(reported, plan.len());
            }
        }
        flush_new_units!($tx, $scope, plan, chunk, ids, $now);
        if let Some(report) = progress {
            report(plan.len(), plan.len());
        }
        ids
    }};
}

mod moves;
mod reform;
pub use moves::{MoveSummary, PendingColumn, PendingFilter, PendingMove, SuccessorChoice};
pub use reform::{ReformSummary, Related, WhereIs};

impl Store {
    pub async fn unit_levels(&self) -> StoreResult<Vec<UnitLevel>> {
        const SQL: &str = "SELECT code, name_vi, name_en, depth FROM unit_level ORDER BY depth, code";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).fetch_all(p).await)?)
    }

    /// All units the scope reaches, parents before children (ordered by path).
    pub async fn units(&self, scope: &Scope) -> StoreResult<Vec<Unit>> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id \
                           FROM unit WHERE path LIKE $1 || '%' ORDER BY path";
        let prefix = scope.path_prefix();
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(prefix).fetch_all(p).await)?)
    }

    /// Units matching a diacritic-insensitive text ("moc chau" finds "Mộc Châu"), within scope.
    pub async fn search_units(&self, scope: &Scope, text: &str) -> StoreResult<Vec<Unit>> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id \
                           FROM unit WHERE path LIKE $1 || '%' AND (name_fold LIKE $2 OR code = $3) ORDER BY path LIMIT 200";
        let prefix = scope.path_prefix();
        let like = format!("%{}%", fold(text).replace(['%', '_'], ""));
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(prefix).bind(&like).bind(text.trim()).fetch_all(p).await)?)
    }

    async fn unit_by_code_unchecked(&self, code: &str) -> StoreResult<Option<Unit>> {
        // Codes are reused across reforms: the latest version of a code is the one in force today (or the
        // last one there was). A code that was never reused has one row, as before.
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit \
                           WHERE code = $1 ORDER BY valid_from DESC LIMIT 1";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(code).fetch_optional(p).await)?)
    }

    /// One unit by code, if the scope reaches it. When the code was reused (the 2025 reform), this is the
    /// latest unit with that code — the one in force today; use [`Store::unit_by_code_on`] for history.
    pub async fn unit_by_code(&self, scope: &Scope, code: &str) -> StoreResult<Unit> {
        require(scope, Permission::View)?;
        let unit = self.unit_by_code_unchecked(code).await?.ok_or_else(|| StoreError::NotFound(format!("đơn vị mã '{code}'")))?;
        check_reach(scope, &unit)?;
        Ok(unit)
    }

    /// The unit that had `code` on `date` (ISO), if the scope reaches it.
    pub async fn unit_by_code_on(&self, scope: &Scope, code: &str, date: &str) -> StoreResult<Unit> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit \
                           WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) ORDER BY valid_from DESC LIMIT 1";
        let unit: Unit = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(code).bind(date).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("đơn vị mã '{code}' vào ngày {date}")))?;
        check_reach(scope, &unit)?;
        Ok(unit)
    }

    /// Every unit that has had `code`, oldest first, that the scope reaches.
    pub async fn unit_versions(&self, scope: &Scope, code: &str) -> StoreResult<Vec<Unit>> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit \
                           WHERE code = $1 AND path LIKE $2 || '%' ORDER BY valid_from";
        let prefix = scope.path_prefix();
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(code).bind(prefix).fetch_all(p).await)?)
    }

    pub async fn unit_by_id(&self, scope: &Scope, id: i64) -> StoreResult<Unit> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit WHERE id = $1";
        let unit: Unit = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("đơn vị #{id}")))?;
        check_reach(scope, &unit)?;
        Ok(unit)
    }

    /// The ancestors of a unit (root first) that the scope reaches — used for breadcrumbs.
    pub async fn unit_ancestors(&self, scope: &Scope, unit: &Unit) -> StoreResult<Vec<Unit>> {
        let ids: Vec<i64> = unit.path.split('/').filter_map(|s| s.parse().ok()).filter(|id| *id != unit.id).collect();
        let mut out = Vec::new();
        for id in ids {
            match self.unit_by_id(scope, id).await {
                Ok(u) => out.push(u),
                Err(StoreError::OutOfScope(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Create one unit under a parent the scope reaches (a root unit needs a scope that reaches everything).
    pub async fn create_unit(&self, scope: &Scope, new: NewUnit) -> StoreResult<Unit> {
        require(scope, Permission::ManageUnits)?;
        chiso_core::limits::check_len("tên đơn vị", &new.name, chiso_core::limits::MAX_NAME_CHARS).map_err(StoreError::Invalid)?;
        let levels: Vec<String> = self.unit_levels().await?.into_iter().map(|l| l.code).collect();
        let rec = UnitRecord {
            line: 0,
            code: nfc(&new.code),
            name: nfc(&new.name),
            level: new.level.trim().to_string(),
            parent_code: new.parent_code.map(|s| nfc(&s)).filter(|s| !s.is_empty()),
            valid_from: core_unit::parse_date(&new.valid_from)
                .ok_or_else(|| StoreError::Invalid(format!("ngày bắt đầu '{}' không hợp lệ (cần YYYY-MM-DD)", new.valid_from)))?,
            valid_to: match new.valid_to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(core_unit::parse_date(s).ok_or_else(|| StoreError::Invalid(format!("ngày kết thúc '{s}' không hợp lệ")))?),
            },
        };
        if let Some(parent) = &rec.parent_code {
            // Refuse a parent outside the scope up front, as out of scope (not as an invalid row).
            self.unit_by_code(scope, parent).await?;
        }
        core_unit::check_code(&rec.code).map_err(StoreError::Invalid)?;
        if rec.name.is_empty() {
            return Err(StoreError::Invalid("tên đơn vị trống".into()));
        }
        if !levels.contains(&rec.level) {
            return Err(StoreError::Invalid(format!("cấp '{}' không có", rec.level)));
        }
        match self.import_records(scope, vec![rec], None).await {
            Ok(_) => {}
            Err(ImportError::Store(e)) => return Err(e),
            Err(ImportError::Rows(rows)) => return Err(StoreError::Invalid(rows.to_string())),
        }
        self.unit_by_code(scope, &nfc(&new.code)).await
    }

    /// Import a unit tree from CSV (`code,name,level,parent_code,valid_from,valid_to`): all rows or none.
    /// A row is the stored unit of the same code whose validity overlaps it (updated: name, level,
    /// validity), else a new unit — so a code reused after a reform makes a second unit; a different
    /// parent for an existing unit is refused. An empty `valid_from` is [`core_unit::SINCE_EVER`].
    pub async fn import_units_csv(&self, scope: &Scope, text: &str) -> Result<ImportSummary, ImportError> {
        self.import_units_csv_with_progress(scope, text, None).await
    }

    /// [`Store::import_units_csv`], calling `progress(done, total)` after each batch of rows written.
    pub async fn import_units_csv_with_progress(
        &self,
        scope: &Scope,
        text: &str,
        progress: Option<&Progress<'_>>,
    ) -> Result<ImportSummary, ImportError> {
        require(scope, Permission::ManageUnits)?;
        let levels: Vec<String> = self.unit_levels().await?.into_iter().map(|l| l.code).collect();
        let file = core_unit::parse_units_file(text, &levels).map_err(ImportError::Rows)?;
        let mut summary = self.import_records(scope, file.records, progress).await?;
        summary.skipped_lines = file.skipped_lines;
        Ok(summary)
    }

    async fn all_units_unchecked(&self) -> StoreResult<Vec<Unit>> {
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).fetch_all(p).await)?)
    }

    async fn import_records(
        &self,
        scope: &Scope,
        records: Vec<UnitRecord>,
        progress: Option<&Progress<'_>>,
    ) -> Result<ImportSummary, ImportError> {
        let records = core_unit::order_parents_first(records).map_err(ImportError::Rows)?;
        // Check everything against what is stored before writing anything.
        let existing = self.all_units_unchecked().await?;
        let plan = plan_import(scope, &records, &existing, false).map_err(ImportError::Rows)?;
        let mut summary = ImportSummary::default();
        let now = now_ms();
        write_tx!(self, |tx| {
            let _ids = write_planned_units!(tx, scope, &plan, now, progress, summary);
        });
        Ok(summary)
    }

    /// Export the units the scope reaches as CSV, parents first.
    pub async fn export_units_csv(&self, scope: &Scope) -> StoreResult<String> {
        let units = self.units(scope).await?;
        let by_id: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
        let mut parent_codes: HashMap<i64, String> = HashMap::new();
        for u in &units {
            if let Some(pid) = u.parent_id {
                let code = match by_id.get(&pid) {
                    Some(p) => p.code.clone(),
                    // A parent outside the scope: still name it, so the file re-imports under it.
                    None => self.parent_code_unchecked(pid).await?,
                };
                parent_codes.insert(u.id, code);
            }
        }
        let mut out = String::from("code,name,level,parent_code,valid_from,valid_to\n");
        for u in &units {
            let fields = [
                u.code.as_str(),
                u.name.as_str(),
                u.level.as_str(),
                parent_codes.get(&u.id).map(String::as_str).unwrap_or(""),
                if u.valid_from == core_unit::SINCE_EVER { "" } else { u.valid_from.as_str() },
                u.valid_to.as_deref().unwrap_or(""),
            ];
            let line: Vec<String> = fields.iter().map(|f| chiso_core::text::csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        Ok(out)
    }

    async fn parent_code_unchecked(&self, id: i64) -> StoreResult<String> {
        const SQL: &str = "SELECT code FROM unit WHERE id = $1";
        Ok(on_db!(&self.read, |p| sqlx::query_scalar(SQL).bind(id).fetch_one(p).await)?)
    }

    /// Merge units: each of `from_codes` is closed on the day before `date` and points to `into_code` as its
    /// successor; their children in force move under `into_code`. History stays: closed units keep their
    /// rows, codes and data, so older years still read right.
    pub async fn merge_units(&self, scope: &Scope, from_codes: &[String], into_code: &str, date: &str) -> StoreResult<()> {
        require(scope, Permission::ManageUnits)?;
        let day = core_unit::parse_date(date).ok_or_else(|| StoreError::Invalid(format!("ngày sáp nhập '{date}' không hợp lệ")))?;
        let closed_on = core_unit::format_date(day.previous_day().ok_or_else(|| StoreError::Invalid("ngày không hợp lệ".into()))?);
        let into = self.unit_by_code(scope, into_code).await?;
        let mut froms = Vec::new();
        for c in from_codes {
            let u = self.unit_by_code(scope, c).await?;
            if u.id == into.id || into.path.starts_with(&u.path) {
                return Err(StoreError::Invalid(format!("không thể sáp nhập '{c}' vào chính nó hay vào đơn vị cấp dưới của nó")));
            }
            if u.valid_to.as_deref().is_some_and(|t| t < closed_on.as_str()) {
                return Err(StoreError::Invalid(format!("đơn vị '{c}' đã hết hiệu lực từ {}", u.valid_to.as_deref().unwrap_or(""))));
            }
            froms.push(u);
        }
        write_tx!(self, |tx| {
            for u in &froms {
                const CLOSE: &str = "UPDATE unit SET valid_to = $1, successor_id = $2 WHERE id = $3";
                sqlx::query(CLOSE).bind(&closed_on).bind(into.id).bind(u.id).execute(&mut *tx).await?;
                const LINK: &str = "INSERT INTO unit_predecessor (unit_id, predecessor_id, share, main) VALUES ($1, $2, 'whole', 0) \
                                    ON CONFLICT (unit_id, predecessor_id) DO NOTHING";
                sqlx::query(LINK).bind(into.id).bind(u.id).execute(&mut *tx).await?;
                audit!(
                    tx,
                    scope,
                    Change {
                        unit_id: Some(u.id),
                        entity: "unit",
                        entity_id: u.code.clone(),
                        action: "merge",
                        old_value: u.valid_to.clone(),
                        new_value: Some(format!("hết hiệu lực {closed_on}, sáp nhập vào {}", into.code)),
                        ..Default::default()
                    }
                );
                // Move children in force (and their subtrees) under the successor.
                const CHILDREN: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit \
                                        WHERE parent_id = $1 AND (valid_to IS NULL OR valid_to >= $2)";
                let children: Vec<Unit> = sqlx::query_as(CHILDREN).bind(u.id).bind(date).fetch_all(&mut *tx).await?;
                for ch in children {
                    let new_path = format!("{}{}/", into.path, ch.id);
                    const MOVE: &str = "UPDATE unit SET path = $1 || substr(path, $2) WHERE path LIKE $3 || '%'";
                    let cut = ch.path.chars().count() as i32 + 1;
                    sqlx::query(MOVE).bind(&new_path).bind(cut).bind(&ch.path).execute(&mut *tx).await?;
                    const REPARENT: &str = "UPDATE unit SET parent_id = $1 WHERE id = $2";
                    sqlx::query(REPARENT).bind(into.id).bind(ch.id).execute(&mut *tx).await?;
                    audit!(
                        tx,
                        scope,
                        Change {
                            unit_id: Some(ch.id),
                            entity: "unit",
                            entity_id: ch.code.clone(),
                            action: "reparent",
                            old_value: Some(u.code.clone()),
                            new_value: Some(into.code.clone()),
                            ..Default::default()
                        }
                    );
                }
            }
        });
        Ok(())
    }

    // ----- agencies -----

    pub async fn agencies(&self, scope: &Scope, unit_id: i64) -> StoreResult<Vec<Agency>> {
        self.unit_by_id(scope, unit_id).await?;
        const SQL: &str = "SELECT id, unit_id, name, kind FROM agency WHERE unit_id = $1 ORDER BY name";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit_id).fetch_all(p).await)?)
    }

    pub async fn agency_by_id(&self, scope: &Scope, id: i64) -> StoreResult<Agency> {
        const SQL: &str = "SELECT id, unit_id, name, kind FROM agency WHERE id = $1";
        let a: Agency = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("cơ quan #{id}")))?;
        self.unit_by_id(scope, a.unit_id).await?;
        Ok(a)
    }

    /// Create an agency in a unit, or return the existing one of the same (folded) name.
    pub async fn ensure_agency(&self, scope: &Scope, unit_id: i64, name: &str, kind: &str) -> StoreResult<Agency> {
        require(scope, Permission::ManageUnits)?;
        let unit = self.unit_by_id(scope, unit_id).await?;
        let name = nfc(name);
        chiso_core::limits::check_len("tên cơ quan", &name, chiso_core::limits::MAX_NAME_CHARS).map_err(StoreError::Invalid)?;
        if name.is_empty() {
            return Err(StoreError::Invalid("tên cơ quan trống".into()));
        }
        let key = fold(&name);
        const FIND: &str = "SELECT id, unit_id, name, kind FROM agency WHERE unit_id = $1 AND name_fold = $2";
        if let Some(a) = on_db!(&self.read, |p| sqlx::query_as::<_, Agency>(FIND).bind(unit_id).bind(&key).fetch_optional(p).await)? {
            return Ok(a);
        }
        let agency = write_tx!(self, |tx| {
            const INS: &str =
                "INSERT INTO agency (unit_id, name, name_fold, kind) VALUES ($1, $2, $3, $4) RETURNING id, unit_id, name, kind";
            let a: Agency = sqlx::query_as(INS).bind(unit_id).bind(&name).bind(&key).bind(kind).fetch_one(&mut *tx).await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(unit.id),
                    entity: "agency",
                    entity_id: a.id.to_string(),
                    action: "create",
                    new_value: Some(name.clone()),
                    ..Default::default()
                }
            );
            a
        });
        Ok(agency)
    }
}
