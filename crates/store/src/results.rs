//! Published index results (PAPI and others): storing a whole year and reading stored years. Parsing,
//! rankings, weak points and the plan outline are composed in chiso-app (`app.results()`) from core's
//! rules and the years read here.
//!
//! * Only leaf scores are stored, per (framework, year, unit, leaf); dimensions, totals, ranks and
//!   peer statistics are computed by chiso-core from them. A unit listed with no value at all is
//!   stored as "not published" (`result_unit.published = FALSE`), never as zeros.
//! * An import replaces the whole year in one transaction: a bad file (unknown unit or column,
//!   non-numeric or out-of-range value) stores nothing and names line and column. Every change is
//!   audited: one entry for the year and one per unit whose scores changed.
//! * **Who reads what.** Published official results are public information, and a ranking needs
//!   every peer: any logged-in user with the view permission reads the published results of every
//!   unit, whatever their reach. Writing (import) is core's rule `results::check_may_import`: official
//!   results are national data, imported only by an administrator reaching the whole system.
//!   Score sheets (`assessments.rs`) are unit-owned working data and stay scoped.

use crate::audit::Change;
use crate::{Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use chiso_core::access::{Permission, Scope};
use chiso_core::framework::Framework;
use chiso_core::results::{self as core_results, DataProblem, ResultsError, YearScores};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// One year of results to store, parsed and mapped to the system's unit codes by the caller (core's
/// `results::parse_results` and `map_unit_codes`).
#[derive(Debug, Clone)]
pub struct ResultsImport<'a> {
    pub framework: &'a Framework,
    pub year: i32,
    pub data: &'a YearScores,
    /// File unit code → system unit code, to keep each unit's code as the file wrote it; `None`: the
    /// file used the system's unit codes.
    pub mapping: Option<&'a BTreeMap<String, String>>,
    /// Where the data came from (file name), kept with the year and in the audit.
    pub source: &'a str,
    /// The person confirmed that the import may remove results already published for the year
    /// (units with scores that the file leaves without). Without it such an import is refused.
    pub confirm_removal: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ResultsImportSummary {
    pub framework: String,
    pub year: i32,
    /// Units with scores.
    pub published: usize,
    /// Units listed without any value.
    pub not_published: usize,
    /// Leaf scores stored.
    pub scores: usize,
    /// A previous import of the year was replaced.
    pub replaced: bool,
    /// Units whose stored results changed (all of them on a first import).
    pub changed_units: usize,
    /// The stored year was identical: nothing was written.
    pub unchanged: bool,
}

/// Why an import was refused: the file (every problem with line and column) or the store.
#[derive(Debug)]
pub enum ResultsImportError {
    File(ResultsError),
    /// The import would remove published results of these units (code, full name) and was not
    /// confirmed.
    RemovalNotConfirmed(Vec<UnitName>),
    Store(StoreError),
}

impl fmt::Display for ResultsImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultsImportError::File(e) => write!(f, "{e}"),
            ResultsImportError::RemovalNotConfirmed(units) => {
                let names: Vec<&str> = units.iter().take(10).map(|u| u.name.as_str()).collect();
                write!(
                    f,
                    "tệp này sẽ xóa kết quả đã công bố của {} đơn vị ({}{}); cần xác nhận xóa thì mới nhập",
                    units.len(),
                    names.join(", "),
                    if units.len() > 10 { ", …" } else { "" }
                )
            }
            ResultsImportError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ResultsImportError {}

impl From<StoreError> for ResultsImportError {
    fn from(e: StoreError) -> Self {
        ResultsImportError::Store(e)
    }
}

impl From<sqlx::Error> for ResultsImportError {
    fn from(e: sqlx::Error) -> Self {
        ResultsImportError::Store(StoreError::Db(e))
    }
}

/// An imported year.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ResultYear {
    pub framework: String,
    pub year: i32,
    pub source: String,
    pub imported_at: i64,
    pub actor: String,
    pub published: i64,
    pub not_published: i64,
}

/// A unit as results name it: code, full name ("Tỉnh Quảng Ninh") and short name ("Quảng Ninh").
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct UnitName {
    pub unit: String,
    pub name: String,
}

/// One stored year, keyed by the system's unit codes.
#[derive(Debug, Clone)]
pub struct StoredYear {
    pub scores: YearScores,
    /// unit code → full name.
    pub names: BTreeMap<String, String>,
    /// unit code → parent unit id.
    pub parents: BTreeMap<String, Option<i64>>,
    /// The file the year was imported from.
    pub source: String,
}

/// Build a multi-row `INSERT … VALUES ($1, …), (…)` for `rows` rows of `cols` columns. Only
/// placeholders are generated, never data, so the text is safe.
fn insert_values(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// Rows per multi-row insert: 5 columns × 300 rows stays far below both backends' limits.
const INSERT_CHUNK: usize = 300;

fn require(scope: &Scope, p: Permission) -> StoreResult<()> {
    if scope.can(p) { Ok(()) } else { Err(StoreError::Forbidden(p.name_vi().to_string())) }
}

/// A unit's total, for the audit: "47.8212", "không công bố", or "công bố một phần".
fn describe(fw: &Framework, year: i32, leaves: Option<&BTreeMap<String, f64>>) -> String {
    match leaves {
        None => "không công bố".to_string(),
        Some(l) => match core_results::compute_scores(fw, year, l).get(&fw.code) {
            Some(t) => format!("{}", core_results::round_to(*t, 4)),
            None => format!("công bố một phần ({} điểm thành phần)", l.len()),
        },
    }
}

/// A unit whose stored results an import changes, for the audit.
struct UnitChange {
    unit_id: i64,
    code: String,
    action: &'static str,
    old_value: Option<String>,
    new_value: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ScoreRow {
    year: i32,
    code: String,
    name: String,
    parent_id: Option<i64>,
    published: bool,
    node: Option<String>,
    score: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    code: String,
    name: String,
    path: String,
    valid_from: String,
    valid_to: Option<String>,
}

/// The unit each code names in a results year. Codes are reused across reforms (province `37` is the old
/// Ninh Bình until 2025-06-30 and the merged one after), and a year's results belong to the units that
/// existed that year: the unit in force on 31 December of the year, else one in force at some time in the
/// year, else (a code that did not exist that year) its latest unit. `units` are ordered by `valid_from`.
fn units_of_year(units: &[UnitRow], year: i32) -> HashMap<&str, &UnitRow> {
    let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let rank = |u: &UnitRow| -> u8 {
        let starts = u.valid_from.as_str() <= last.as_str();
        if starts && u.valid_to.as_deref().is_none_or(|t| t >= last.as_str()) {
            2
        } else if starts && u.valid_to.as_deref().is_none_or(|t| t >= first.as_str()) {
            1
        } else {
            0
        }
    };
    let mut by_code: HashMap<&str, &UnitRow> = HashMap::new();
    for u in units {
        match by_code.get(u.code.as_str()) {
            Some(best) if rank(best) > rank(u) => {}
            _ => {
                by_code.insert(u.code.as_str(), u);
            }
        }
    }
    by_code
}

/// A unit's published results of one framework: year → leaf scores (`None`: listed, not published).
pub type UnitYears = BTreeMap<i32, Option<BTreeMap<String, f64>>>;

/// A unit as the continuity of results names it, with its predecessors (official names and codes).
#[derive(Debug, Clone, Serialize)]
pub struct Lineage {
    pub unit: crate::units::Unit,
    pub predecessors: Vec<crate::units::Related>,
    /// A closed unit's successor: (code, full name).
    pub successor: Option<(String, String)>,
}

impl Store {
    /// Import one year of published results (see the module doc). The file is parsed and checked
    /// whole first; nothing is written unless every row is right.
    pub async fn import_results(&self, scope: &Scope, req: ResultsImport<'_>) -> Result<ResultsImportSummary, ResultsImportError> {
        core_results::check_may_import(scope).map_err(StoreError::Forbidden)?;
        let fw = req.framework;
        let data = req.data;

        // Every unit must exist and be within reach; name them all with their lines.
        const UNITS: &str = "SELECT id, code, name, path, valid_from, valid_to FROM unit ORDER BY valid_from";
        let units: Vec<UnitRow> = on_db!(&self.read, |p| sqlx::query_as(UNITS).fetch_all(p).await)?;
        let by_code = units_of_year(&units, req.year);
        let mut problems = Vec::new();
        for (line, code) in core_results::units_by_line(data) {
            let message = match by_code.get(code) {
                None => format!("mã đơn vị `{code}` không có trong hệ thống"),
                Some(u) if !scope.reaches_path(&u.path) => format!("đơn vị `{code}` ({}) nằm ngoài phạm vi của bạn", u.name),
                Some(_) => continue,
            };
            problems.push(DataProblem { line, column: Some(1), field: None, message });
        }
        if !problems.is_empty() {
            return Err(ResultsImportError::File(ResultsError { problems, more: 0 }));
        }

        // What is stored now; a re-import replaces it, so the scope must reach it too.
        let old = self.load_years(&fw.code, Some(req.year)).await?.pop();
        let old_scores = old.as_ref().map(|o| &o.scores);
        if let Some(o) = old_scores {
            for code in o.units.keys().chain(o.not_published.iter()) {
                if let Some(u) = by_code.get(code.as_str())
                    && !scope.reaches_path(&u.path)
                {
                    return Err(StoreError::OutOfScope(format!(
                        "kết quả {} năm {} của đơn vị {} ({}) đã lưu; chỉ cấp quản lý đơn vị này mới nhập lại được năm này",
                        fw.code, req.year, u.name, u.code
                    ))
                    .into());
                }
            }
        }
        if let Some(o) = old_scores
            && !req.confirm_removal
        {
            let removed = core_results::removed_units(o, data);
            if !removed.is_empty() {
                let name = |c: &String| old.as_ref().and_then(|y| y.name(c)).unwrap_or(c).to_string();
                return Err(ResultsImportError::RemovalNotConfirmed(
                    removed.iter().map(|c| UnitName { unit: c.clone(), name: name(c) }).collect(),
                ));
            }
        }
        let mut summary = ResultsImportSummary {
            framework: fw.code.clone(),
            year: req.year,
            published: data.units.len(),
            not_published: data.not_published.len(),
            scores: data.units.values().map(BTreeMap::len).sum(),
            replaced: old.is_some(),
            changed_units: 0,
            unchanged: false,
        };
        if let Some(o) = old_scores
            && o.units == data.units
            && o.not_published == data.not_published
        {
            summary.unchanged = true;
            return Ok(summary);
        }

        // Per unit: (id, file code, new leaves or None when not published).
        let file_code = |code: &str| -> String {
            req.mapping.and_then(|m| m.iter().find(|(_, v)| v.as_str() == code).map(|(k, _)| k.clone())).unwrap_or_else(|| code.to_string())
        };
        let mut unit_rows: Vec<(i64, String, bool)> = Vec::new();
        let mut score_rows: Vec<(i64, &str, f64)> = Vec::new();
        for (code, leaves) in &data.units {
            let Some(u) = by_code.get(code.as_str()) else { continue };
            unit_rows.push((u.id, file_code(code), true));
            score_rows.extend(leaves.iter().map(|(node, v)| (u.id, node.as_str(), *v)));
        }
        for code in &data.not_published {
            let Some(u) = by_code.get(code.as_str()) else { continue };
            unit_rows.push((u.id, file_code(code), false));
        }
        // Units whose results change, for the audit.
        let all_codes: BTreeSet<&String> = data
            .units
            .keys()
            .chain(data.not_published.iter())
            .chain(old_scores.into_iter().flat_map(|o| o.units.keys().chain(o.not_published.iter())))
            .collect();
        let listed = |s: &YearScores, c: &str| s.units.contains_key(c) || s.not_published.contains(c);
        let mut changes: Vec<UnitChange> = Vec::new();
        for code in all_codes {
            let Some(u) = by_code.get(code.as_str()) else { continue };
            let new_listed = listed(data, code);
            let old_listed = old_scores.is_some_and(|o| listed(o, code));
            let new_leaves = data.units.get(code);
            let old_leaves = old_scores.and_then(|o| o.units.get(code));
            if new_listed == old_listed && new_leaves == old_leaves {
                continue;
            }
            let action = match (old_listed, new_listed) {
                (false, _) => "import",
                (true, true) => "update",
                (true, false) => "delete",
            };
            let old_value = old_listed.then(|| describe(fw, req.year, old_leaves));
            let new_value = new_listed.then(|| describe(fw, req.year, new_leaves));
            changes.push(UnitChange { unit_id: u.id, code: code.clone(), action, old_value, new_value });
        }
        summary.changed_units = changes.len();

        let now = now_ms();
        let entity_id = format!("{}/{}", fw.code, req.year);
        let old_summary = old_scores.map(|o| {
            format!(
                "{} đơn vị có kết quả, {} không công bố; nguồn {}",
                o.units.len(),
                o.not_published.len(),
                old.as_ref().map(|y| y.source.as_str()).unwrap_or_default()
            )
        });
        let new_summary =
            format!("{} đơn vị có kết quả, {} không công bố, {} điểm thành phần", summary.published, summary.not_published, summary.scores);
        write_tx!(self, |tx| {
            const DEL_SCORES: &str = "DELETE FROM result_score WHERE framework = $1 AND year = $2";
            const DEL_UNITS: &str = "DELETE FROM result_unit WHERE framework = $1 AND year = $2";
            const DEL_YEAR: &str = "DELETE FROM result_year WHERE framework = $1 AND year = $2";
            for sql in [DEL_SCORES, DEL_UNITS, DEL_YEAR] {
                sqlx::query(sql).bind(&fw.code).bind(req.year).execute(&mut *tx).await?;
            }
            const INS_YEAR: &str = "INSERT INTO result_year (framework, year, source, imported_at, actor) VALUES ($1, $2, $3, $4, $5)";
            sqlx::query(INS_YEAR)
                .bind(&fw.code)
                .bind(req.year)
                .bind(req.source)
                .bind(now)
                .bind(scope.actor.as_str())
                .execute(&mut *tx)
                .await?;
            for chunk in unit_rows.chunks(INSERT_CHUNK) {
                let sql = insert_values("INSERT INTO result_unit (framework, year, unit_id, source_code, published)", 5, chunk.len());
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, code, published) in chunk {
                    q = q.bind(&fw.code).bind(req.year).bind(*id).bind(code.as_str()).bind(*published);
                }
                q.execute(&mut *tx).await?;
            }
            for chunk in score_rows.chunks(INSERT_CHUNK) {
                let sql = insert_values("INSERT INTO result_score (framework, year, unit_id, node, score)", 5, chunk.len());
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, node, v) in chunk {
                    q = q.bind(&fw.code).bind(req.year).bind(*id).bind(*node).bind(*v);
                }
                q.execute(&mut *tx).await?;
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: None,
                    entity: "results",
                    entity_id: entity_id.clone(),
                    action: if summary.replaced { "reimport" } else { "import" },
                    field: None,
                    old_value: old_summary.clone(),
                    new_value: Some(new_summary.clone()),
                    reason: Some(format!("nhập từ {}", req.source)),
                }
            );
            for UnitChange { unit_id, code, action, old_value, new_value } in &changes {
                audit!(
                    tx,
                    scope,
                    Change {
                        unit_id: Some(*unit_id),
                        entity: "result",
                        entity_id: format!("{entity_id}/{code}"),
                        action,
                        field: Some("total"),
                        old_value: old_value.clone(),
                        new_value: new_value.clone(),
                        reason: Some(format!("nhập từ {}", req.source)),
                    }
                );
            }
        });
        Ok(summary)
    }

    /// The imported years of a framework, newest first.
    pub async fn result_years(&self, scope: &Scope, framework: &str) -> StoreResult<Vec<ResultYear>> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT y.framework, y.year, y.source, y.imported_at, y.actor, \
                 (SELECT COUNT(*) FROM result_unit u WHERE u.framework = y.framework AND u.year = y.year AND u.published) AS published, \
                 (SELECT COUNT(*) FROM result_unit u WHERE u.framework = y.framework AND u.year = y.year AND NOT u.published) AS not_published \
             FROM result_year y WHERE y.framework = $1 ORDER BY y.year DESC";
        let rows: Vec<(String, i32, String, i64, String, i64, i64)> =
            on_db!(&self.read, |p| sqlx::query_as(SQL).bind(framework).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(framework, year, source, imported_at, actor, published, not_published)| ResultYear {
                framework,
                year,
                source,
                imported_at,
                actor,
                published,
                not_published,
            })
            .collect())
    }

    /// Stored years of a framework (one year, or all), oldest first, keyed by unit code.
    async fn load_years(&self, framework: &str, year: Option<i32>) -> StoreResult<Vec<StoredYear>> {
        const SQL: &str = "SELECT ru.year, un.code, un.name, un.parent_id, ru.published, rs.node, rs.score \
             FROM result_unit ru JOIN unit un ON un.id = ru.unit_id \
             LEFT JOIN result_score rs ON rs.framework = ru.framework AND rs.year = ru.year AND rs.unit_id = ru.unit_id \
             WHERE ru.framework = $1 AND ($2 = 0 OR ru.year = $2) \
             ORDER BY ru.year, un.code, rs.node";
        let rows: Vec<ScoreRow> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(framework).bind(year.unwrap_or(0)).fetch_all(p).await)?;
        const SOURCES: &str = "SELECT year, source FROM result_year WHERE framework = $1";
        let sources: HashMap<i32, String> =
            on_db!(&self.read, |p| sqlx::query_as::<_, (i32, String)>(SOURCES).bind(framework).fetch_all(p).await)?.into_iter().collect();
        let mut years: BTreeMap<i32, StoredYear> = BTreeMap::new();
        for r in rows {
            let y = years.entry(r.year).or_insert_with(|| StoredYear {
                scores: YearScores { framework: framework.to_string(), year: r.year, ..YearScores::default() },
                names: BTreeMap::new(),
                parents: BTreeMap::new(),
                source: sources.get(&r.year).cloned().unwrap_or_default(),
            });
            y.names.insert(r.code.clone(), r.name.clone());
            y.parents.insert(r.code.clone(), r.parent_id);
            if !r.published {
                y.scores.not_published.insert(r.code);
            } else if let (Some(node), Some(score)) = (r.node, r.score) {
                y.scores.units.entry(r.code).or_default().insert(node, score);
            }
        }
        Ok(years.into_values().collect())
    }

    /// One stored year, or `None` when it was never imported.
    pub async fn year_scores(&self, scope: &Scope, framework: &str, year: i32) -> StoreResult<Option<StoredYear>> {
        require(scope, Permission::View)?;
        Ok(self.load_years(framework, Some(year)).await?.pop())
    }

    /// Every stored year of a framework, oldest first.
    pub async fn results_history(&self, scope: &Scope, framework: &str) -> StoreResult<Vec<StoredYear>> {
        require(scope, Permission::View)?;
        self.load_years(framework, None).await
    }

    /// Id and full name of a unit by code, for peers of a parent (no reach needed: results are public).
    pub async fn result_unit(&self, scope: &Scope, code: &str) -> StoreResult<(i64, String)> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT id, name FROM unit WHERE code = $1 ORDER BY valid_from DESC LIMIT 1";
        on_db!(&self.read, |p| sqlx::query_as::<_, (i64, String)>(SQL).bind(code).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("đơn vị mã '{code}'")))
    }
}

impl Store {
    /// The unit that has `code` on `on` (ISO date; else the latest unit with the code) and the units it was
    /// formed from. Official names and codes only, so any viewer may read them (like published results).
    pub async fn results_lineage(&self, scope: &Scope, code: &str, on: &str) -> StoreResult<Lineage> {
        require(scope, Permission::View)?;
        const COLS: &str = "id, code, name, level, parent_id, path, valid_from, valid_to, successor_id";
        let on_day = format!(
            "SELECT {COLS} FROM unit WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) ORDER BY valid_from DESC LIMIT 1"
        );
        let latest = format!("SELECT {COLS} FROM unit WHERE code = $1 ORDER BY valid_from DESC LIMIT 1");
        let found: Option<crate::units::Unit> =
            on_db!(&self.read, |p| sqlx::query_as(sqlx::AssertSqlSafe(on_day.clone())).bind(code).bind(on).fetch_optional(p).await)?;
        let unit = match found {
            Some(u) => u,
            None => on_db!(&self.read, |p| sqlx::query_as(sqlx::AssertSqlSafe(latest.clone())).bind(code).fetch_optional(p).await)?
                .ok_or_else(|| StoreError::NotFound(format!("đơn vị mã '{code}'")))?,
        };
        const PREDS: &str = "SELECT u.id, u.code, u.name, u.level, u.valid_from, u.valid_to, p.share, p.main \
                             FROM unit_predecessor p JOIN unit u ON u.id = p.predecessor_id WHERE p.unit_id = $1 ORDER BY u.code, u.valid_from";
        let predecessors = on_db!(&self.read, |p| sqlx::query_as(PREDS).bind(unit.id).fetch_all(p).await)?;
        const SUCC: &str = "SELECT code, name FROM unit WHERE id = $1";
        let successor = match unit.successor_id {
            Some(id) => on_db!(&self.read, |p| sqlx::query_as::<_, (String, String)>(SUCC).bind(id).fetch_optional(p).await)?,
            None => None,
        };
        Ok(Lineage { unit, predecessors, successor })
    }

    /// The published results of a framework for some units (by id), every stored year: unit id → years.
    /// Public like every published result (any viewer).
    pub async fn results_of_units(&self, scope: &Scope, framework: &str, unit_ids: &[i64]) -> StoreResult<BTreeMap<i64, UnitYears>> {
        require(scope, Permission::View)?;
        let mut out: BTreeMap<i64, UnitYears> = BTreeMap::new();
        if unit_ids.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (0..unit_ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT ru.unit_id, ru.year, ru.published, rs.node, rs.score FROM result_unit ru \
             LEFT JOIN result_score rs ON rs.framework = ru.framework AND rs.year = ru.year AND rs.unit_id = ru.unit_id \
             WHERE ru.framework = $1 AND ru.unit_id IN ({}) ORDER BY ru.unit_id, ru.year",
            marks.join(", ")
        );
        type Row = (i64, i32, bool, Option<String>, Option<f64>);
        let rows: Vec<Row> = on_db!(&self.read, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(framework);
            for id in unit_ids {
                q = q.bind(*id);
            }
            q.fetch_all(p).await
        })?;
        for (unit_id, year, published, node, score) in rows {
            let slot = out.entry(unit_id).or_default().entry(year).or_insert_with(|| published.then(BTreeMap::new));
            if let (Some(leaves), Some(node), Some(score)) = (slot.as_mut(), node, score) {
                leaves.insert(node, score);
            }
        }
        Ok(out)
    }
}

impl StoredYear {
    /// Full name of a unit of the year.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }
}
