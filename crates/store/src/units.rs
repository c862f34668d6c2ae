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
}

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
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit WHERE code = $1";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(code).fetch_optional(p).await)?)
    }

    /// One unit by code, if the scope reaches it.
    pub async fn unit_by_code(&self, scope: &Scope, code: &str) -> StoreResult<Unit> {
        require(scope, Permission::View)?;
        let unit = self.unit_by_code_unchecked(code).await?.ok_or_else(|| StoreError::NotFound(format!("đơn vị mã '{code}'")))?;
        check_reach(scope, &unit)?;
        Ok(unit)
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
        match self.import_records(scope, vec![rec]).await {
            Ok(_) => {}
            Err(ImportError::Store(e)) => return Err(e),
            Err(ImportError::Rows(rows)) => return Err(StoreError::Invalid(rows.to_string())),
        }
        self.unit_by_code(scope, &nfc(&new.code)).await
    }

    /// Import a unit tree from CSV (`code,name,level,parent_code,valid_from,valid_to`): all rows or none.
    /// Existing codes are updated (name, level, validity); a different parent for an existing unit is refused.
    pub async fn import_units_csv(&self, scope: &Scope, text: &str) -> Result<ImportSummary, ImportError> {
        require(scope, Permission::ManageUnits)?;
        let levels: Vec<String> = self.unit_levels().await?.into_iter().map(|l| l.code).collect();
        let records = core_unit::parse_units_csv(text, &levels).map_err(ImportError::Rows)?;
        self.import_records(scope, records).await
    }

    async fn import_records(&self, scope: &Scope, records: Vec<UnitRecord>) -> Result<ImportSummary, ImportError> {
        let records = core_unit::order_parents_first(records).map_err(ImportError::Rows)?;
        // Check everything against what is stored before writing anything.
        let existing: HashMap<String, Unit> = {
            const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit";
            let all: Vec<Unit> = on_db!(&self.read, |p| sqlx::query_as(SQL).fetch_all(p).await)?;
            all.into_iter().map(|u| (u.code.clone(), u)).collect()
        };
        let by_id: HashMap<i64, &Unit> = existing.values().map(|u| (u.id, u)).collect();
        let in_file: std::collections::HashSet<&str> = records.iter().map(|r| r.code.as_str()).collect();
        let mut errors = Vec::new();
        for r in &records {
            let mut bad = |column: &str, message: String| errors.push(RowError { line: r.line, column: column.into(), message });
            match &r.parent_code {
                Some(pc) if !in_file.contains(pc.as_str()) => match existing.get(pc) {
                    None => bad("parent_code", format!("đơn vị cấp trên '{pc}' không có trong tệp hay trong hệ thống")),
                    Some(parent) if !scope.reaches_path(&parent.path) => {
                        bad("parent_code", format!("đơn vị cấp trên '{pc}' nằm ngoài phạm vi của bạn"))
                    }
                    Some(_) => {}
                },
                None if !matches!(scope.reach, Reach::All) && !existing.contains_key(&r.code) => {
                    bad("parent_code", "chỉ quản trị hệ thống mới tạo được đơn vị gốc".into())
                }
                _ => {}
            }
            if let Some(old) = existing.get(&r.code) {
                if !scope.reaches_path(&old.path) {
                    bad("code", format!("đơn vị '{}' nằm ngoài phạm vi của bạn", r.code));
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
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(RowErrors(errors)));
        }
        let mut summary = ImportSummary::default();
        let now = now_ms();
        write_tx!(self, |tx| {
            let mut paths: HashMap<String, (i64, String)> = existing.values().map(|u| (u.code.clone(), (u.id, u.path.clone()))).collect();
            for r in &records {
                let from = core_unit::format_date(r.valid_from);
                let to = r.valid_to.map(core_unit::format_date);
                if let Some(old) = existing.get(&r.code) {
                    if old.name == r.name && old.level == r.level && old.valid_from == from && old.valid_to == to {
                        summary.unchanged += 1;
                        continue;
                    }
                    const UPD: &str = "UPDATE unit SET name = $1, name_fold = $2, level = $3, valid_from = $4, valid_to = $5 WHERE id = $6";
                    sqlx::query(UPD)
                        .bind(&r.name)
                        .bind(fold(&r.name))
                        .bind(&r.level)
                        .bind(&from)
                        .bind(&to)
                        .bind(old.id)
                        .execute(&mut *tx)
                        .await?;
                    let describe = |u: &str, l: &str, f: &str, t: Option<&str>| format!("{u} | {l} | {f} → {}", t.unwrap_or(""));
                    audit!(
                        tx,
                        scope,
                        Change {
                            unit_id: Some(old.id),
                            entity: "unit",
                            entity_id: old.code.clone(),
                            action: "update",
                            old_value: Some(describe(&old.name, &old.level, &old.valid_from, old.valid_to.as_deref())),
                            new_value: Some(describe(&r.name, &r.level, &from, to.as_deref())),
                            ..Default::default()
                        }
                    );
                    summary.updated += 1;
                } else {
                    let (parent_id, parent_path) = match &r.parent_code {
                        Some(pc) => match paths.get(pc) {
                            Some((id, path)) => (Some(*id), path.clone()),
                            None => {
                                return Err(ImportError::Store(StoreError::Invalid(format!(
                                    "dòng {}: thiếu đơn vị cấp trên '{pc}'",
                                    r.line
                                ))));
                            }
                        },
                        None => (None, "/".to_string()),
                    };
                    const INS: &str = "INSERT INTO unit (code, name, name_fold, level, parent_id, path, valid_from, valid_to, created_at) \
                                       VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8) RETURNING id";
                    let id: i64 = sqlx::query_scalar(INS)
                        .bind(&r.code)
                        .bind(&r.name)
                        .bind(fold(&r.name))
                        .bind(&r.level)
                        .bind(parent_id)
                        .bind(&from)
                        .bind(&to)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                    let path = format!("{parent_path}{id}/");
                    const SET_PATH: &str = "UPDATE unit SET path = $1 WHERE id = $2";
                    sqlx::query(SET_PATH).bind(&path).bind(id).execute(&mut *tx).await?;
                    audit!(
                        tx,
                        scope,
                        Change {
                            unit_id: Some(id),
                            entity: "unit",
                            entity_id: r.code.clone(),
                            action: "create",
                            new_value: Some(format!("{} | {} | {from}", r.name, r.level)),
                            ..Default::default()
                        }
                    );
                    paths.insert(r.code.clone(), (id, path));
                    summary.created += 1;
                }
            }
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
                u.valid_from.as_str(),
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
