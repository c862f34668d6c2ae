//! A reform of the unit tree (the 1 July 2025 one: 63 → 34 provinces, districts abolished, 10,036 → 3,321
//! communes): a new tree in force from a date and a mapping old → new, applied with history. Old units are
//! closed the day before (they keep their rows, plans, reports and results); new units record all their
//! predecessors (`unit_predecessor`, many-to-many: a divided commune has several successors); the successor
//! of an old unit is the new unit that got all of it or its main part. Nothing attached to an old unit
//! (accounts, plans, children) moves: that is a separate, explicit step.

use super::*;
use chiso_core::unit::MergerRecord;
use std::collections::HashSet;

/// What a reform did (all zero on a rerun, except `unchanged` and `already_closed`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReformSummary {
    /// New units created / updated / already there.
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Old units closed on the day before (validity and successor set) / already closed so.
    pub closed: usize,
    pub already_closed: usize,
    /// Predecessor links added (each (new, old) pair once).
    pub predecessors_added: usize,
    /// Lines of the new-units file with neither code nor name, skipped.
    pub skipped_lines: Vec<usize>,
    /// Units in force on the day before the reform and still in force after it that the mapping does not
    /// name: left exactly as they are (never closed or moved silently).
    pub left_open: Vec<Unit>,
    /// Accounts and plans that belong to units closed by the reform: they stay there until moved explicitly.
    pub accounts_on_closed_units: i64,
    pub plans_on_closed_units: i64,
}

/// A unit related to another by a merger or division, with the old unit's share.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct Related {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// `whole` (all of the old unit) or `part` (a divided old unit).
    pub share: String,
    /// 1 for the new unit that got the largest part of a divided old unit.
    pub main: i32,
}

/// One unit with a code, and where it came from and went.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WhereIs {
    pub unit: Unit,
    pub predecessors: Vec<Related>,
    pub successors: Vec<Related>,
}

impl Store {
    /// The units a unit was formed from (a new commune's old communes). The scope must reach the unit; the
    /// related units are named even outside it (official names and codes, no data of theirs).
    pub async fn predecessors_of(&self, scope: &Scope, unit_id: i64) -> StoreResult<Vec<Related>> {
        self.unit_by_id(scope, unit_id).await?;
        const SQL: &str = "SELECT u.id, u.code, u.name, u.level, u.valid_from, u.valid_to, p.share, p.main \
                           FROM unit_predecessor p JOIN unit u ON u.id = p.predecessor_id WHERE p.unit_id = $1 ORDER BY u.code, u.valid_from";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit_id).fetch_all(p).await)?)
    }

    /// Where a closed unit went: the units formed (in whole or part) from it, the main one first; for a unit
    /// closed by a plain merger (no predecessor links), its successor. Scope as for [`Store::predecessors_of`].
    pub async fn successors_of(&self, scope: &Scope, unit_id: i64) -> StoreResult<Vec<Related>> {
        let unit = self.unit_by_id(scope, unit_id).await?;
        const SQL: &str = "SELECT u.id, u.code, u.name, u.level, u.valid_from, u.valid_to, p.share, p.main \
                           FROM unit_predecessor p JOIN unit u ON u.id = p.unit_id WHERE p.predecessor_id = $1 \
                           ORDER BY CASE WHEN p.share = 'whole' OR p.main = 1 THEN 0 ELSE 1 END, u.code";
        let mut out: Vec<Related> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit_id).fetch_all(p).await)?;
        if let Some(sid) = unit.successor_id
            && !out.iter().any(|r| r.id == sid)
        {
            const ONE: &str = "SELECT id, code, name, level, valid_from, valid_to, 'whole' AS share, 1 AS main FROM unit WHERE id = $1";
            if let Some(r) = on_db!(&self.read, |p| sqlx::query_as::<_, Related>(ONE).bind(sid).fetch_optional(p).await)? {
                out.insert(0, r);
            }
        }
        Ok(out)
    }

    /// What a code is or was: every unit that had it (or the one that had it `on` a date), with its
    /// predecessors and successors.
    pub async fn where_is_unit(&self, scope: &Scope, code: &str, on: Option<&str>) -> StoreResult<Vec<WhereIs>> {
        let units = match on {
            Some(date) => vec![self.unit_by_code_on(scope, code, date).await?],
            None => {
                let v = self.unit_versions(scope, code).await?;
                if v.is_empty() {
                    // Not found, or out of scope: say which.
                    self.unit_by_code(scope, code).await?;
                }
                v
            }
        };
        let mut out = Vec::with_capacity(units.len());
        for unit in units {
            let predecessors = self.predecessors_of(scope, unit.id).await?;
            let successors = self.successors_of(scope, unit.id).await?;
            out.push(WhereIs { unit, predecessors, successors });
        }
        Ok(out)
    }

    /// Apply a reform: create (or find, on a rerun) the units of `units_csv` — all in force from `date` —
    /// then, for every row of `mapping_csv` (`level,old_code,new_code,share,note`), link the new unit to the
    /// old unit of that code in force the day before, and close each old unit on the day before with its
    /// successor (the new unit that got all of it, or its main part). One transaction, audited, idempotent.
    /// Needs a scope that reaches every unit.
    pub async fn apply_reform(
        &self,
        scope: &Scope,
        units_csv: &str,
        mapping_csv: &str,
        date: &str,
        progress: Option<&Progress<'_>>,
    ) -> Result<ReformSummary, ImportError> {
        require(scope, Permission::ManageUnits)?;
        if !matches!(scope.reach, Reach::All) {
            return Err(StoreError::Forbidden("chỉ quản trị hệ thống mới áp dụng được việc sắp xếp lại đơn vị hành chính".into()).into());
        }
        let day = core_unit::parse_date(date).ok_or_else(|| StoreError::Invalid(format!("ngày '{date}' không hợp lệ (cần YYYY-MM-DD)")))?;
        let date = core_unit::format_date(day);
        let closed_on = core_unit::format_date(day.previous_day().ok_or_else(|| StoreError::Invalid("ngày không hợp lệ".into()))?);
        let levels: Vec<String> = self.unit_levels().await?.into_iter().map(|l| l.code).collect();
        let file = core_unit::parse_units_file(units_csv, &levels).map_err(ImportError::Rows)?;
        let wrong_start: Vec<RowError> = file
            .records
            .iter()
            .filter(|r| r.valid_from != day)
            .map(|r| RowError {
                line: r.line,
                column: "valid_from".into(),
                message: format!("đơn vị mới '{}' phải có hiệu lực từ {date}", r.code),
            })
            .collect();
        if !wrong_start.is_empty() {
            return Err(ImportError::Rows(RowErrors(wrong_start)));
        }
        let mergers = core_unit::parse_mergers_csv(mapping_csv).map_err(ImportError::Rows)?;
        let records = core_unit::order_parents_first(file.records).map_err(ImportError::Rows)?;
        let existing = self.all_units_unchecked().await?;
        let plan = plan_import(scope, &records, &existing, true).map_err(ImportError::Rows)?;

        // Resolve the mapping: old units in force the day before, new units of the file.
        let mut old_by_key: HashMap<(&str, &str), &Unit> = HashMap::new();
        for u in existing.iter().filter(|u| u.in_force_on(&closed_on)) {
            old_by_key.insert((u.code.as_str(), u.level.as_str()), u);
        }
        let new_by_key: HashMap<(&str, &str), usize> =
            plan.iter().enumerate().map(|(i, p)| ((p.code.as_str(), p.level.as_str()), i)).collect();
        let mut errors = Vec::new();
        let mut links: Vec<(&MergerRecord, &Unit, usize)> = Vec::with_capacity(mergers.len());
        for m in &mergers {
            let old = old_by_key.get(&(m.old_code.as_str(), m.level.as_str()));
            let new = new_by_key.get(&(m.new_code.as_str(), m.level.as_str()));
            if old.is_none() {
                errors.push(RowError {
                    line: m.line,
                    column: "old_code".into(),
                    message: format!("tệp ánh xạ: không có đơn vị cấp {} mã '{}' còn hiệu lực ngày {closed_on}", m.level, m.old_code),
                });
            }
            if new.is_none() {
                errors.push(RowError {
                    line: m.line,
                    column: "new_code".into(),
                    message: format!("tệp ánh xạ: đơn vị mới cấp {} mã '{}' không có trong tệp đơn vị mới", m.level, m.new_code),
                });
            }
            if let (Some(old), Some(new)) = (old, new) {
                links.push((m, old, *new));
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(RowErrors(errors)));
        }
        let mapped_old: HashSet<i64> = links.iter().map(|(_, old, _)| old.id).collect();
        let left_open: Vec<Unit> =
            existing.iter().filter(|u| u.in_force_on(&closed_on) && u.in_force_on(&date) && !mapped_old.contains(&u.id)).cloned().collect();

        let mut summary = ReformSummary { skipped_lines: file.skipped_lines, left_open, ..Default::default() };
        let now = now_ms();
        let total = plan.len() + links.len();
        let step = |done: usize| {
            if let Some(report) = progress {
                report(done, total);
            }
        };
        write_tx!(self, |tx| {
            let mut units_summary = ImportSummary::default();
            let ids = write_planned_units!(tx, scope, &plan, now, None, units_summary);
            summary.created = units_summary.created;
            summary.updated = units_summary.updated;
            summary.unchanged = units_summary.unchanged;
            step(plan.len());

            // Predecessor links not there yet, in batches.
            const PAIRS: &str = "SELECT unit_id, predecessor_id FROM unit_predecessor";
            let have: HashSet<(i64, i64)> = sqlx::query_as::<_, (i64, i64)>(PAIRS).fetch_all(&mut *tx).await?.into_iter().collect();
            let mut new_links = Vec::new();
            let mut successor: HashMap<i64, i64> = HashMap::new();
            for (m, old, i) in &links {
                let new_id = ids[*i].ok_or_else(|| StoreError::Invalid(format!("đơn vị mới '{}' chưa được ghi", m.new_code)))?;
                if m.is_successor() {
                    successor.entry(old.id).or_insert(new_id);
                }
                if !have.contains(&(new_id, old.id)) {
                    new_links.push((*m, *old, new_id));
                }
            }
            for batch in new_links.chunks(BATCH) {
                let sql = format!(
                    "INSERT INTO unit_predecessor (unit_id, predecessor_id, share, main) VALUES {} ON CONFLICT (unit_id, predecessor_id) DO NOTHING",
                    values_groups(batch.len(), 4, None)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (m, old, new_id) in batch {
                    q = q.bind(*new_id).bind(old.id).bind(m.share.as_str()).bind(i32::from(m.main));
                }
                q.execute(&mut *tx).await?;
            }
            let changes: Vec<Change> = new_links
                .iter()
                .map(|(m, old, new_id)| Change {
                    unit_id: Some(*new_id),
                    entity: "unit",
                    entity_id: m.new_code.clone(),
                    action: "predecessor",
                    new_value: Some(format!(
                        "{} {} ({}){}",
                        old.code,
                        old.name,
                        m.share.as_str(),
                        if m.main { ", phần chính" } else { "" }
                    )),
                    ..Default::default()
                })
                .collect();
            audit_many!(tx, scope, &changes);
            summary.predecessors_added = new_links.len();

            // Close the old units the day before, with their successor.
            let new_code_of: HashMap<i64, &str> =
                links.iter().filter_map(|(m, _, i)| ids[*i].map(|id| (id, m.new_code.as_str()))).collect();
            let mut seen = HashSet::new();
            let mut closes: Vec<(i64, Option<i64>)> = Vec::new();
            let mut changes = Vec::new();
            for (_, old, _) in &links {
                if !seen.insert(old.id) {
                    continue;
                }
                let succ = successor.get(&old.id).copied();
                if old.valid_to.as_deref() == Some(closed_on.as_str()) && old.successor_id == succ {
                    summary.already_closed += 1;
                    continue;
                }
                closes.push((old.id, succ));
                changes.push(Change {
                    unit_id: Some(old.id),
                    entity: "unit",
                    entity_id: old.code.clone(),
                    action: "close",
                    old_value: Some(format!("hiệu lực đến {}", old.valid_to.as_deref().unwrap_or("(không thời hạn)"))),
                    new_value: Some(format!(
                        "hết hiệu lực {closed_on}, đơn vị kế thừa: {}",
                        succ.and_then(|id| new_code_of.get(&id).copied()).unwrap_or("(không có)")
                    )),
                    reason: Some(format!("sắp xếp đơn vị hành chính từ {date}")),
                    ..Default::default()
                });
            }
            // One UPDATE … FROM (VALUES …) per batch (SQLite ≥ 3.33 and PostgreSQL both name the columns column1, column2).
            for (n, batch) in closes.chunks(BATCH).enumerate() {
                let sql = format!(
                    "UPDATE unit SET valid_to = $1, successor_id = v.column2 FROM (VALUES {}) AS v WHERE unit.id = v.column1",
                    values_groups_from(2, batch.len(), 2, None)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&closed_on);
                for (id, succ) in batch {
                    q = q.bind(*id).bind(*succ);
                }
                q.execute(&mut *tx).await?;
                step((plan.len() + (n + 1) * BATCH).min(total));
            }
            summary.closed = closes.len();
            audit_many!(tx, scope, &changes);
        });
        step(total);
        const ACCOUNTS: &str =
            "SELECT COUNT(*) FROM app_user a JOIN unit u ON u.id = a.unit_id WHERE u.valid_to IS NOT NULL AND u.valid_to < $1";
        const PLANS: &str = "SELECT COUNT(*) FROM plan a JOIN unit u ON u.id = a.unit_id WHERE u.valid_to IS NOT NULL AND u.valid_to < $1";
        summary.accounts_on_closed_units = on_db!(&self.read, |p| sqlx::query_scalar(ACCOUNTS).bind(&date).fetch_one(p).await)?;
        summary.plans_on_closed_units = on_db!(&self.read, |p| sqlx::query_scalar(PLANS).bind(&date).fetch_one(p).await)?;
        Ok(summary)
    }
}
