//! Published index results (PAPI and others): import of a whole year, rankings among peers, weak
//! points and the outline of next year's plan.
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
use chiso_core::results::{self as core_results, DataProblem, Ranking, ResultsError, YearScores};
use chiso_core::weakness::{self, PlanOutline, Reference, TaskGroup, WeakPoint};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// Layout of a results file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsFormat {
    /// One row per unit, one column per leaf (`Province,SC11,…` as in `datasets/papi/YYYY.csv`).
    Wide,
    /// `unit,node,score`, one row per unit and leaf.
    Long,
}

impl ResultsFormat {
    pub fn parse(s: &str) -> Option<ResultsFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wide" | "rong" => Some(ResultsFormat::Wide),
            "long" | "dai" => Some(ResultsFormat::Long),
            _ => None,
        }
    }
}

/// One results file to import.
#[derive(Debug, Clone)]
pub struct ResultsImport<'a> {
    pub framework: &'a Framework,
    pub year: i32,
    pub text: &'a str,
    pub format: ResultsFormat,
    /// File unit code → system unit code (e.g. PAPI `P14` → `22`); `None`: the file already uses
    /// the system's unit codes.
    pub mapping: Option<&'a BTreeMap<String, String>>,
    /// Where the data came from (file name), kept with the year and in the audit.
    pub source: &'a str,
    /// The person confirmed that the import may remove results already published for the year
    /// (units with scores that the file leaves without). Without it such an import is refused.
    pub confirm_removal: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
#[derive(Debug, Clone, Serialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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

/// One row of [`RankTable`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankRow {
    pub unit: String,
    pub name: String,
    pub total: Option<f64>,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    /// `previous_rank − rank`: > 0 moved up.
    pub rank_change: Option<i32>,
    pub dimensions: BTreeMap<String, f64>,
}

/// The ranking of one year in its compact, stable shape (CLI `results rank --json`, API).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankTable {
    pub framework: String,
    pub year: i32,
    /// Units with a total, best first; ties share a rank (1, 2, 2, 4) and are listed by code.
    pub ranked: Vec<RankRow>,
    /// Units with some dimensions published but no total (a whole dimension unpublished).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partially_published: Vec<RankRow>,
    pub not_published: Vec<UnitName>,
}

/// The leaves of one task group.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TaskGroups {
    pub keep: Vec<String>,
    pub improve: Vec<String>,
    pub survey: Vec<String>,
}

/// A unit's weak points in one year, with the task groups and the outline of next year's plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WeakReport {
    pub framework: String,
    pub year: i32,
    pub unit: String,
    pub name: String,
    /// `peers` (PAPI: points lost = gap to the national mean) or `full_score` (PAR: max − score).
    pub reference: Reference,
    /// Where the scores come from: `official` results or the unit's `score_sheet`.
    pub basis: &'static str,
    /// Every scored node, most points lost first.
    pub items: Vec<WeakPoint>,
    /// Node codes, worst relative rank first.
    pub by_rank: Vec<String>,
    /// Node codes, most places lost since the previous year first.
    pub by_change: Vec<String>,
    pub groups: TaskGroups,
    /// Sections of next year's plan, weakest dimension first.
    pub plan: PlanOutline,
}

/// "Tỉnh Quảng Ninh" → "Quảng Ninh", "Thành phố Hà Nội" → "Hà Nội": the province names as the
/// published rankings write them. Other names are kept whole.
pub fn short_name(name: &str) -> String {
    let name = name.trim();
    for prefix in ["Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "] {
        if let Some(rest) = name.strip_prefix(prefix)
            && !rest.trim().is_empty()
        {
            return rest.trim().to_string();
        }
    }
    name.to_string()
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
}

impl Store {
    /// Import one year of published results (see the module doc). The file is parsed and checked
    /// whole first; nothing is written unless every row is right.
    pub async fn import_results(&self, scope: &Scope, req: ResultsImport<'_>) -> Result<ResultsImportSummary, ResultsImportError> {
        core_results::check_may_import(scope).map_err(StoreError::Forbidden)?;
        let fw = req.framework;
        let parsed = match req.format {
            ResultsFormat::Wide => core_results::parse_wide_csv(fw, req.year, req.text),
            ResultsFormat::Long => core_results::parse_long_csv(fw, req.year, req.text),
        }
        .map_err(ResultsImportError::File)?;
        let data = match req.mapping {
            Some(m) => core_results::map_unit_codes(parsed, m).map_err(ResultsImportError::File)?,
            None => parsed,
        };

        // Every unit must exist and be within reach; name them all with their lines.
        const UNITS: &str = "SELECT id, code, name, path FROM unit";
        let units: Vec<UnitRow> = on_db!(&self.read, |p| sqlx::query_as(UNITS).fetch_all(p).await)?;
        let by_code: HashMap<&str, &UnitRow> = units.iter().map(|u| (u.code.as_str(), u)).collect();
        let mut problems = Vec::new();
        for (line, code) in core_results::units_by_line(&data) {
            let message = match by_code.get(code) {
                None => format!("mã đơn vị `{code}` không có trong hệ thống (unknown unit code)"),
                Some(u) if !scope.reaches_path(&u.path) => format!("đơn vị `{code}` ({}) nằm ngoài phạm vi của bạn (out of scope)", u.name),
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
            let removed = core_results::removed_units(o, &data);
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
            let new_listed = listed(&data, code);
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

    /// Id of a unit by code, for peers of a parent (no reach needed: results are public).
    async fn unit_id_of(&self, code: &str) -> StoreResult<(i64, String)> {
        const SQL: &str = "SELECT id, name FROM unit WHERE code = $1";
        on_db!(&self.read, |p| sqlx::query_as::<_, (i64, String)>(SQL).bind(code).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("đơn vị mã '{code}'")))
    }

    /// Ranking of one year among all units of the data, or among the children of `parent`. Change
    /// is taken against the latest earlier stored year in which the unit was published (stated
    /// per unit as `previous_year`). Names are the units' full names.
    pub async fn ranking(&self, scope: &Scope, fw: &Framework, year: i32, parent: Option<&str>) -> StoreResult<Ranking> {
        require(scope, Permission::View)?;
        let parent_id = match parent {
            Some(code) => Some(self.unit_id_of(code).await?.0),
            None => None,
        };
        let years = self.load_years(&fw.code, None).await?;
        rank_year(fw, &years, year, parent_id).ok_or_else(|| StoreError::NotFound(format!("kết quả {} năm {year} (chưa nhập)", fw.code)))
    }

    /// Rankings of every stored year (each against the year before it), oldest first.
    pub async fn rankings(&self, scope: &Scope, fw: &Framework, parent: Option<&str>) -> StoreResult<Vec<Ranking>> {
        require(scope, Permission::View)?;
        let parent_id = match parent {
            Some(code) => Some(self.unit_id_of(code).await?.0),
            None => None,
        };
        let years = self.load_years(&fw.code, None).await?;
        Ok(years.iter().filter_map(|y| rank_year(fw, &years, y.scores.year, parent_id)).collect())
    }

    /// The ranking in its compact shape (see [`RankTable`]); names without "Tỉnh "/"Thành phố ".
    pub async fn rank_table(&self, scope: &Scope, fw: &Framework, year: i32) -> StoreResult<RankTable> {
        let r = self.ranking(scope, fw, year, None).await?;
        Ok(rank_table(&r))
    }

    /// Weak points of a unit in a year from the official results, with the task groups and the
    /// outline of next year's plan.
    pub async fn weak_report(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> StoreResult<WeakReport> {
        let ranking = self.ranking(scope, fw, year, None).await?;
        let (_, name) = self.unit_id_of(unit_code).await?;
        let weak = weakness::weak_points(fw, &ranking, unit_code).ok_or_else(|| {
            StoreError::NotFound(format!("kết quả {} năm {year} của đơn vị {name} ({unit_code}) — không được công bố", fw.code))
        })?;
        Ok(weak_report(fw, weak, name, "official"))
    }

    /// What next year's plan of a unit should contain: its weak points in `year` ordered weakest
    /// first and the task group of every leaf, from the official results when they include the
    /// unit, otherwise from the unit's score sheet (scoped). For the plan drafter.
    pub async fn next_plan_outline(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> StoreResult<WeakReport> {
        match self.weak_report(scope, fw, unit_code, year).await {
            Ok(r) => Ok(r),
            Err(StoreError::NotFound(official)) => match self.sheet_weak_report(scope, fw, unit_code, year).await {
                Ok(r) => Ok(r),
                Err(StoreError::NotFound(sheet)) => Err(StoreError::NotFound(format!("{official}; {sheet}"))),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

impl StoredYear {
    /// Full name of a unit of the year.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }
}

/// The ranking of `year` among `years` (restricted to the children of `parent_id`).
fn rank_year(fw: &Framework, years: &[StoredYear], year: i32, parent_id: Option<i64>) -> Option<Ranking> {
    let restrict = |y: &StoredYear| -> YearScores {
        let mut s = y.scores.clone();
        if let Some(pid) = parent_id {
            let keep = |c: &String| y.parents.get(c).copied().flatten() == Some(pid);
            s.units.retain(|c, _| keep(c));
            s.not_published.retain(keep);
        }
        s
    };
    let current = years.iter().find(|y| y.scores.year == year)?;
    let cur = restrict(current);
    let earlier: Vec<YearScores> = years.iter().filter(|y| y.scores.year < year).map(restrict).collect();
    let earlier: Vec<&YearScores> = earlier.iter().collect();
    let mut r = core_results::rank_with_history(fw, &cur, &earlier);
    r.set_names(|u| current.name(u).map(str::to_string));
    Some(r)
}

/// The compact shape of a ranking.
pub fn rank_table(r: &Ranking) -> RankTable {
    let row = |u: &core_results::RankedUnit| RankRow {
        unit: u.unit.clone(),
        name: short_name(u.name.as_deref().unwrap_or(&u.unit)),
        total: u.total,
        rank: u.rank,
        previous_rank: u.previous_rank,
        rank_change: u.rank_change,
        dimensions: u.dimensions.clone(),
    };
    RankTable {
        framework: r.framework.clone(),
        year: r.year,
        ranked: r.ranked.iter().map(row).collect(),
        partially_published: r.partially_published.iter().map(row).collect(),
        not_published: r
            .not_published
            .iter()
            .map(|u| UnitName { unit: u.unit.clone(), name: short_name(u.name.as_deref().unwrap_or(&u.unit)) })
            .collect(),
    }
}

/// Assemble a [`WeakReport`] from core's weak points.
pub fn weak_report(fw: &Framework, weak: weakness::WeakPoints, name: String, basis: &'static str) -> WeakReport {
    let plan = weakness::plan_outline(fw, &weak);
    let codes = |g: TaskGroup| weak.group(g).into_iter().map(str::to_string).collect::<Vec<_>>();
    let groups = TaskGroups { keep: codes(TaskGroup::Keep), improve: codes(TaskGroup::Improve), survey: codes(TaskGroup::Survey) };
    WeakReport {
        framework: weak.framework,
        year: weak.year,
        unit: weak.unit,
        name,
        reference: weak.reference,
        basis,
        items: weak.items,
        by_rank: weak.by_rank,
        by_change: weak.by_change,
        groups,
        plan,
    }
}
