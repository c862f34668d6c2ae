//! PAR-style score sheets (phiếu chấm điểm): a unit's self-assessment of every leaf criterion of a
//! framework for one year, the higher level's appraisal, an optional explanation round, and the
//! finalised, locked result.
//!
//! * **Who does what** is core's rule (`chiso_core::results::check_side`), enforced here on every call:
//!   the unit side (self scores, evidence notes, explanations, submit) is the assessed unit's own
//!   accounts with the self-score permission; the appraiser side (appraise, complete a round,
//!   finalise, reopen) needs the appraisal permission and a scope reaching the unit's *parent* and is
//!   never the unit itself — so self-assessment and appraisal are always done by different units, and
//!   a commune cannot touch another commune's sheet. Reading a sheet needs a scope reaching the unit.
//! * **States** follow `chiso_core::results::next_status`: draft → submitted → appraised
//!   (→ explained → re_appraised) → finalised; reopen steps back (reason required). Self scores
//!   change only in draft, appraisals only while a round is open, explanations only after the first
//!   round; a finalised sheet refuses every change until reopened.
//! * Every score change and state change is written with its audit entry (who, when, old, new,
//!   reason) in one transaction; the sheet's `version` guards against two people overwriting each
//!   other (optimistic concurrency).

use crate::audit::Change;
use crate::units::Unit;
use crate::{Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use chiso_core::access::{Permission, Scope};
use chiso_core::framework::{Framework, Node, Source};
use chiso_core::results::{self as core_results, Actor, ItemState, SheetAction, SheetStatus, SheetUnit};
use chiso_core::text::nfc;
use serde::Serialize;
use std::collections::HashMap;

/// Inside `write_tx!`: take the sheet's next version (and maybe a new status and round) only if
/// nobody changed it since it was read; otherwise return a conflict, which rolls the whole
/// transaction back.
macro_rules! bump {
    ($tx:ident, $a:expr, $now:expr, $status:expr, $round:expr) => {{
        const SQL: &str = "UPDATE assessment SET version = version + 1, updated_at = $1, status = COALESCE($2, status), \
                           round = COALESCE($3, round) WHERE id = $4 AND version = $5";
        let status: Option<SheetStatus> = $status;
        let round: Option<i32> = $round;
        let n = sqlx::query(SQL)
            .bind($now)
            .bind(status.map(|s| s.as_str()))
            .bind(round)
            .bind($a.id)
            .bind($a.version)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "phiếu của {} vừa được người khác thay đổi; hãy tải lại trang rồi làm lại",
                $a.unit_name
            )));
        }
    }};
}

/// Writes explanation changes `(criterion, new text, old text)` of sheet `$a`, each audited (inside a
/// transaction that has bumped the sheet's version).
macro_rules! write_explanations {
    ($tx:ident, $scope:expr, $a:expr, $now:expr, $changes:expr) => {{
        for (node, text, old) in &$changes {
            const UPD: &str = "UPDATE assessment_item SET explanation = $1, updated_at = $2 WHERE assessment_id = $3 AND node = $4";
            sqlx::query(UPD).bind(text).bind($now).bind($a.id).bind(node).execute(&mut *$tx).await?;
            audit!(
                $tx,
                $scope,
                Change {
                    unit_id: Some($a.unit_id),
                    entity: "assessment",
                    entity_id: $a.id.to_string(),
                    action: "explain",
                    field: Some(node.as_str()),
                    old_value: old.clone(),
                    new_value: text.clone(),
                    reason: None,
                }
            );
        }
    }};
}

/// Writes self-score changes ([`SelfChange`]) of sheet `$a`: each changed score audited with its evidence,
/// each changed evidence note audited (inside a transaction that has bumped the sheet's version).
macro_rules! write_self_scores {
    ($tx:ident, $scope:expr, $a:expr, $now:expr, $changes:expr) => {{
        for c in &$changes {
            const UPD: &str = "UPDATE assessment_item SET self_score = $1, evidence = $2, missing_reason = $3, updated_at = $4 \
                               WHERE assessment_id = $5 AND node = $6";
            sqlx::query(UPD)
                .bind(c.score)
                .bind(&c.evidence)
                .bind(&c.missing)
                .bind($now)
                .bind($a.id)
                .bind(&c.node)
                .execute(&mut *$tx)
                .await?;
            if !same(c.old.self_score, c.score) {
                audit!(
                    $tx,
                    $scope,
                    Change {
                        unit_id: Some($a.unit_id),
                        entity: "assessment",
                        entity_id: $a.id.to_string(),
                        action: "self_score",
                        field: Some(c.node.as_str()),
                        old_value: num(c.old.self_score),
                        new_value: num(c.score),
                        reason: c.evidence.clone().or_else(|| c.missing.clone()),
                    }
                );
            }
            if c.old.evidence != c.evidence || c.old.missing_reason != c.missing {
                audit!(
                    $tx,
                    $scope,
                    Change {
                        unit_id: Some($a.unit_id),
                        entity: "assessment",
                        entity_id: $a.id.to_string(),
                        action: "evidence",
                        field: Some(c.node.as_str()),
                        old_value: describe_evidence(c.old.evidence.as_deref(), c.old.missing_reason.as_deref()),
                        new_value: describe_evidence(c.evidence.as_deref(), c.missing.as_deref()),
                        reason: None,
                    }
                );
            }
        }
    }};
}

/// Writes appraisal changes ([`AppraisalChange`]) of sheet `$a`, each audited with its reason (inside a
/// transaction that has bumped the sheet's version).
macro_rules! write_appraisals {
    ($tx:ident, $scope:expr, $a:expr, $now:expr, $changes:expr) => {{
        for c in &$changes {
            const UPD: &str = "UPDATE assessment_item SET appraised_score = $1, decision = $2, appraisal_reason = $3, updated_at = $4 \
                               WHERE assessment_id = $5 AND node = $6";
            sqlx::query(UPD).bind(c.score).bind(c.decision).bind(&c.reason).bind($now).bind($a.id).bind(&c.node).execute(&mut *$tx).await?;
            let why = match (c.decision, &c.reason) {
                (_, Some(r)) => Some(r.clone()),
                ("accept", None) => Some("chấp nhận điểm tự chấm".to_string()),
                ("survey", None) => Some("điểm điều tra xã hội học".to_string()),
                _ => None,
            };
            audit!(
                $tx,
                $scope,
                Change {
                    unit_id: Some($a.unit_id),
                    entity: "assessment",
                    entity_id: $a.id.to_string(),
                    action: "appraise",
                    field: Some(c.node.as_str()),
                    old_value: num(c.old.appraised_score),
                    new_value: num(c.score).map(|v| format!("{v} ({})", c.decision)),
                    reason: why,
                }
            );
        }
    }};
}

/// A changed explanation: `(criterion, new text, old text)`.
type ExplanationChange = (String, Option<String>, Option<String>);

/// The explanations that differ from what is stored; unknown criteria refused.
fn explanation_changes(
    fw: &Framework,
    a: &Assessment,
    items: &[AssessmentItem],
    inputs: &[(String, String)],
) -> StoreResult<Vec<ExplanationChange>> {
    let leaves = leaves_of(fw, a.year);
    let items: HashMap<&str, &AssessmentItem> = items.iter().map(|i| (i.node.as_str(), i)).collect();
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for (node, text) in inputs {
        match find_leaf(&leaves, node).map(|l| items.get(l.code.as_str())) {
            Ok(Some(item)) => {
                let text = clean(Some(text));
                if item.explanation != text {
                    changes.push((node.clone(), text, item.explanation.clone()));
                }
            }
            Ok(None) => errors.push(format!("`{node}`: tiêu chí không có trong phiếu")),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(changes) } else { Err(invalid(errors)) }
}

/// What a form held besides its step, saved with the status change ([`Store::transition_with`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SheetEdits<'a> {
    pub self_scores: &'a [SelfScoreInput],
    pub appraisals: &'a [AppraisalInput],
    /// `(criterion, text)`.
    pub explanations: &'a [(String, String)],
}

/// A changed self score or evidence note, with the item as it was.
struct SelfChange {
    node: String,
    score: Option<f64>,
    evidence: Option<String>,
    missing: Option<String>,
    old: AssessmentItem,
}

/// The self scores and evidence that differ from what is stored; every problem named by criterion.
fn self_score_changes(fw: &Framework, a: &Assessment, items: &[AssessmentItem], inputs: &[SelfScoreInput]) -> StoreResult<Vec<SelfChange>> {
    let leaves = leaves_of(fw, a.year);
    let items: HashMap<&str, &AssessmentItem> = items.iter().map(|i| (i.node.as_str(), i)).collect();
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for inp in inputs {
        let leaf = match find_leaf(&leaves, &inp.node) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if leaf.source == Source::Survey {
            if inp.score.is_some() {
                errors.push(format!(
                    "{}: tiêu chí điều tra xã hội học do cấp thẩm định nhập, đơn vị không tự chấm",
                    core_results::criterion_vi(leaf)
                ));
            }
            continue;
        }
        if let Some(v) = inp.score
            && let Err(e) = core_results::check_score(leaf, v)
        {
            errors.push(e);
            continue;
        }
        let Some(item) = items.get(leaf.code.as_str()) else {
            errors.push(format!("{}: không có trong phiếu", core_results::criterion_vi(leaf)));
            continue;
        };
        let evidence = clean(inp.evidence.as_deref());
        let missing = clean(inp.missing_reason.as_deref());
        if !same(item.self_score, inp.score) || item.evidence != evidence || item.missing_reason != missing {
            changes.push(SelfChange { node: leaf.code.clone(), score: inp.score, evidence, missing, old: (*item).clone() });
        }
    }
    if errors.is_empty() { Ok(changes) } else { Err(invalid(errors)) }
}

/// A changed appraisal of one criterion, with the item as it was.
struct AppraisalChange {
    node: String,
    score: Option<f64>,
    decision: &'static str,
    reason: Option<String>,
    old: AssessmentItem,
}

/// The appraisals that differ from what is stored: a self-assessed criterion accepts its self score (no
/// score, or the same) or is adjusted with a reason; a survey criterion takes its survey score.
fn appraisal_changes(
    fw: &Framework,
    a: &Assessment,
    items: &[AssessmentItem],
    inputs: &[AppraisalInput],
) -> StoreResult<Vec<AppraisalChange>> {
    let leaves = leaves_of(fw, a.year);
    let items: HashMap<&str, &AssessmentItem> = items.iter().map(|i| (i.node.as_str(), i)).collect();
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for inp in inputs {
        let leaf = match find_leaf(&leaves, &inp.node) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let Some(item) = items.get(leaf.code.as_str()) else {
            errors.push(format!("{}: không có trong phiếu", core_results::criterion_vi(leaf)));
            continue;
        };
        if let Some(v) = inp.score
            && let Err(e) = core_results::check_score(leaf, v)
        {
            errors.push(e);
            continue;
        }
        let reason = clean(inp.reason.as_deref());
        let (score, decision) = if leaf.source == Source::Survey {
            match inp.score {
                Some(v) => (Some(v), "survey"),
                None => continue, // survey result not entered yet
            }
        } else {
            let Some(own) = item.self_score else {
                errors.push(format!("{}: đơn vị chưa tự chấm tiêu chí này", core_results::criterion_vi(leaf)));
                continue;
            };
            match inp.score {
                Some(v) if (v - own).abs() >= SAME => {
                    if reason.is_none() {
                        errors.push(format!(
                            "{}: điều chỉnh điểm {} → {} cần nêu lý do",
                            core_results::criterion_vi(leaf),
                            core_results::score_vi(own),
                            core_results::score_vi(v)
                        ));
                        continue;
                    }
                    (Some(v), "adjust")
                }
                _ => (Some(own), "accept"),
            }
        };
        if !same(item.appraised_score, score) || item.decision.as_deref() != Some(decision) || item.appraisal_reason != reason {
            changes.push(AppraisalChange { node: leaf.code.clone(), score, decision, reason, old: (*item).clone() });
        }
    }
    if errors.is_empty() { Ok(changes) } else { Err(invalid(errors)) }
}

/// A step that edits the sheet is refused (a conflict naming the sheet's status) unless the status allows it.
fn check_open(a: &Assessment, open: bool, when: &str) -> StoreResult<()> {
    if open { Ok(()) } else { Err(StoreError::Conflict(format!("phiếu đang ở trạng thái \"{}\": {when}", a.status().name_vi()))) }
}

fn check_self_scoring_open(a: &Assessment) -> StoreResult<()> {
    check_open(a, a.status().self_scoring_open(), "chỉ sửa điểm tự chấm khi phiếu đang tự chấm")
}

fn check_appraisal_open(a: &Assessment) -> StoreResult<()> {
    check_open(a, a.status().appraisal_open(), "chỉ thẩm định khi phiếu đã gửi hoặc đã giải trình")
}

fn check_explanation_open(a: &Assessment) -> StoreResult<()> {
    check_open(a, a.status().explanation_open(), "chỉ giải trình sau khi cấp trên thẩm định")
}

/// Two scores closer than this are the same (scores carry at most a few decimals).
const SAME: f64 = 1e-9;

/// A score sheet's header.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub unit_path: String,
    pub framework: String,
    pub year: i32,
    pub status: String,
    /// 2 once the sheet went through the explanation round.
    pub round: i32,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Assessment {
    pub fn status(&self) -> SheetStatus {
        SheetStatus::parse(&self.status).unwrap_or(SheetStatus::Draft)
    }

    /// The sheet's unit as core's "who may" rules see it.
    pub fn sheet_unit(&self) -> SheetUnit<'_> {
        SheetUnit { id: self.unit_id, name: &self.unit_name, path: &self.unit_path }
    }
}

/// One leaf criterion of a sheet as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct AssessmentItem {
    pub node: String,
    pub self_score: Option<f64>,
    /// Evidence note or reference (document number, link); files come with progress tracking.
    pub evidence: Option<String>,
    /// Why evidence is missing, where it is.
    pub missing_reason: Option<String>,
    pub appraised_score: Option<f64>,
    /// `accept` (the self score stands), `adjust` (changed, with a reason) or `survey` (survey result).
    pub decision: Option<String>,
    pub appraisal_reason: Option<String>,
    /// The unit's explanation (giải trình) after the appraisal.
    pub explanation: Option<String>,
    pub updated_at: i64,
}

/// A self score to save. `None` fields clear the value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SelfScoreInput {
    pub node: String,
    pub score: Option<f64>,
    pub evidence: Option<String>,
    pub missing_reason: Option<String>,
}

/// An appraisal of one criterion. Self-assessed criteria: `score` `None` (or equal to the self
/// score) accepts the self score; another score adjusts it and needs a `reason`. Survey criteria:
/// `score` is the survey result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppraisalInput {
    pub node: String,
    pub score: Option<f64>,
    pub reason: Option<String>,
}

/// A sheet in a list, with its totals (`max` from the framework).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentListItem {
    pub assessment: Assessment,
    pub self_total: Option<f64>,
    /// Appraised points; criteria not (yet) appraised count their self score.
    pub appraised_total: Option<f64>,
}

const SELECT_ASSESSMENT: &str = "SELECT a.id, a.unit_id, u.code AS unit_code, u.name AS unit_name, u.parent_id, u.path AS unit_path, \
     a.framework, a.year, a.status, a.round, a.version, a.created_at, a.updated_at FROM assessment a JOIN unit u ON u.id = a.unit_id";

fn require(scope: &Scope, p: Permission) -> StoreResult<()> {
    if scope.can(p) { Ok(()) } else { Err(StoreError::Forbidden(p.name_vi().to_string())) }
}

/// Core's rule (`results::check_side`): the unit side is the assessed unit itself, the appraiser its
/// superior; no scope is both.
fn check_side(scope: &Scope, a: &Assessment, actor: Actor) -> StoreResult<()> {
    core_results::check_side(scope, a.sheet_unit(), actor).map_err(StoreError::Forbidden)
}

fn check_unit_side(scope: &Scope, a: &Assessment) -> StoreResult<()> {
    check_side(scope, a, Actor::Unit)
}

fn check_appraiser(scope: &Scope, a: &Assessment) -> StoreResult<()> {
    check_side(scope, a, Actor::Appraiser)
}

fn check_version(a: &Assessment, expected: Option<i32>) -> StoreResult<()> {
    match expected {
        Some(v) if v != a.version => Err(StoreError::Conflict(format!(
            "phiếu của {} vừa được thay đổi (phiên bản {} ≠ {v}); hãy tải lại trang rồi nhập lại",
            a.unit_name, a.version
        ))),
        _ => Ok(()),
    }
}

fn check_framework(fw: &Framework, a: &Assessment) -> StoreResult<()> {
    if fw.code == a.framework {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("phiếu #{} thuộc bộ chỉ số '{}', không phải '{}'", a.id, a.framework, fw.code)))
    }
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(nfc).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn num(v: Option<f64>) -> Option<String> {
    v.map(|x| format!("{}", core_results::round_to(x, 4)))
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < SAME,
        (None, None) => true,
        _ => false,
    }
}

/// The leaves of the sheet's year by code.
fn leaves_of(fw: &Framework, year: i32) -> Vec<Node> {
    fw.tree_for_year(Some(year)).leaves().into_iter().cloned().collect()
}

fn find_leaf<'a>(leaves: &'a [Node], code: &str) -> Result<&'a Node, String> {
    leaves.iter().find(|l| l.code == code).ok_or_else(|| format!("`{code}`: mã {code} không phải tiêu chí của phiếu"))
}

fn invalid(errors: Vec<String>) -> StoreError {
    StoreError::Invalid(errors.join("; "))
}

impl Store {
    async fn assessment_unchecked(&self, id: i64) -> StoreResult<Assessment> {
        const SQL: &str = "WHERE a.id = $1";
        let sql = format!("{SELECT_ASSESSMENT} {SQL}");
        on_db!(&self.read, |p| sqlx::query_as::<_, Assessment>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("phiếu chấm điểm #{id}")))
    }

    /// One sheet, if the scope reaches its unit.
    pub async fn assessment(&self, scope: &Scope, id: i64) -> StoreResult<Assessment> {
        require(scope, Permission::View)?;
        let a = self.assessment_unchecked(id).await?;
        if !scope.reaches_path(&a.unit_path) {
            return Err(StoreError::OutOfScope(format!("phiếu chấm điểm của {} ({})", a.unit_name, a.unit_code)));
        }
        Ok(a)
    }

    /// The sheet of a unit for a framework and year, if there is one.
    pub async fn assessment_for(&self, scope: &Scope, unit_code: &str, framework: &str, year: i32) -> StoreResult<Option<Assessment>> {
        let unit = self.unit_by_code(scope, unit_code).await?;
        const SQL: &str = "SELECT id FROM assessment WHERE unit_id = $1 AND framework = $2 AND year = $3";
        let id: Option<i64> =
            on_db!(&self.read, |p| sqlx::query_scalar(SQL).bind(unit.id).bind(framework).bind(year).fetch_optional(p).await)?;
        match id {
            Some(id) => Ok(Some(self.assessment(scope, id).await?)),
            None => Ok(None),
        }
    }

    /// Sheets within reach, newest year first, filtered by framework and year (`None`: all).
    pub async fn assessments(&self, scope: &Scope, framework: Option<&str>, year: Option<i32>) -> StoreResult<Vec<AssessmentListItem>> {
        require(scope, Permission::View)?;
        let prefix = scope.path_prefix();
        let fw = framework.unwrap_or("");
        let y = year.unwrap_or(0);
        let sql = format!(
            "{SELECT_ASSESSMENT} WHERE u.path LIKE $1 || '%' AND ($2 = '' OR a.framework = $2) AND ($3 = 0 OR a.year = $3) \
             ORDER BY a.year DESC, a.framework, u.path"
        );
        let list: Vec<Assessment> =
            on_db!(&self.read, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(prefix).bind(fw).bind(y).fetch_all(p).await)?;
        const SUMS: &str = "SELECT i.assessment_id, SUM(i.self_score), SUM(COALESCE(i.appraised_score, i.self_score)) \
             FROM assessment_item i JOIN assessment a ON a.id = i.assessment_id JOIN unit u ON u.id = a.unit_id \
             WHERE u.path LIKE $1 || '%' AND ($2 = '' OR a.framework = $2) AND ($3 = 0 OR a.year = $3) GROUP BY i.assessment_id";
        let sums: HashMap<i64, (Option<f64>, Option<f64>)> =
            on_db!(&self.read, |p| sqlx::query_as::<_, (i64, Option<f64>, Option<f64>)>(SUMS)
                .bind(prefix)
                .bind(fw)
                .bind(y)
                .fetch_all(p)
                .await)?
            .into_iter()
            .map(|(id, s, a)| (id, (s, a)))
            .collect();
        Ok(list
            .into_iter()
            .map(|a| {
                let (self_total, appraised_total) = sums.get(&a.id).copied().unwrap_or((None, None));
                AssessmentListItem { assessment: a, self_total, appraised_total }
            })
            .collect())
    }

    /// Open a sheet for a unit: every leaf criterion of the year, nothing scored yet. The unit
    /// itself or its appraiser may open it; one sheet per unit, framework and year.
    pub async fn create_assessment(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> StoreResult<Assessment> {
        if !(scope.can(Permission::SelfScore) || scope.can(Permission::Appraise)) {
            return Err(StoreError::Forbidden(Permission::SelfScore.name_vi().to_string()));
        }
        let unit = self.unit_by_code(scope, unit_code).await?;
        if !fw.applies_to(year) {
            return Err(StoreError::Invalid(format!("bộ chỉ số '{}' không áp dụng cho năm {year} (áp dụng {})", fw.code, fw.years)));
        }
        if self.assessment_for(scope, unit_code, &fw.code, year).await?.is_some() {
            return Err(StoreError::Conflict(format!("{} đã có phiếu chấm điểm {} năm {year}", unit.name, fw.code)));
        }
        let leaves = leaves_of(fw, year);
        let now = now_ms();
        let id = write_tx!(self, |tx| {
            const INS: &str = "INSERT INTO assessment (unit_id, framework, year, status, round, version, created_at, updated_at) \
                               VALUES ($1, $2, $3, $4, 1, 1, $5, $5) RETURNING id";
            let id: i64 = sqlx::query_scalar(INS)
                .bind(unit.id)
                .bind(&fw.code)
                .bind(year)
                .bind(SheetStatus::Draft.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            const ITEM: &str = "INSERT INTO assessment_item (assessment_id, node, updated_at) VALUES ($1, $2, $3)";
            for l in &leaves {
                sqlx::query(ITEM).bind(id).bind(&l.code).bind(now).execute(&mut *tx).await?;
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(unit.id),
                    entity: "assessment",
                    entity_id: id.to_string(),
                    action: "create",
                    field: Some("status"),
                    new_value: Some(SheetStatus::Draft.as_str().to_string()),
                    reason: Some(format!("{} năm {year}, {} tiêu chí", fw.code, leaves.len())),
                    ..Default::default()
                }
            );
            id
        });
        self.assessment(scope, id).await
    }

    /// The items of a sheet the scope reaches (unordered).
    pub async fn assessment_items(&self, scope: &Scope, id: i64) -> StoreResult<Vec<AssessmentItem>> {
        self.assessment(scope, id).await?;
        self.items(id).await
    }

    async fn items(&self, id: i64) -> StoreResult<Vec<AssessmentItem>> {
        const SQL: &str = "SELECT node, self_score, evidence, missing_reason, appraised_score, decision, appraisal_reason, explanation, updated_at \
                           FROM assessment_item WHERE assessment_id = $1";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_all(p).await)?)
    }

    /// Save self scores and evidence notes (draft only). Unchanged criteria are left alone; each
    /// change is audited.
    pub async fn save_self_scores(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        inputs: &[SelfScoreInput],
        expected_version: Option<i32>,
    ) -> StoreResult<Assessment> {
        let a = self.assessment(scope, id).await?;
        check_framework(fw, &a)?;
        check_unit_side(scope, &a)?;
        check_version(&a, expected_version)?;
        check_self_scoring_open(&a)?;
        let changes = self_score_changes(fw, &a, &self.items(id).await?, inputs)?;
        if changes.is_empty() {
            return Ok(a);
        }
        let now = now_ms();
        write_tx!(self, |tx| {
            bump!(tx, a, now, None, None);
            write_self_scores!(tx, scope, a, now, changes);
        });
        self.assessment(scope, id).await
    }

    /// Appraise criteria while a round is open: accept the self score, or adjust it with a reason;
    /// survey criteria get their survey score. Each change is audited with its reason.
    pub async fn appraise(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        inputs: &[AppraisalInput],
        expected_version: Option<i32>,
    ) -> StoreResult<Assessment> {
        let a = self.assessment(scope, id).await?;
        check_framework(fw, &a)?;
        check_appraiser(scope, &a)?;
        check_version(&a, expected_version)?;
        check_appraisal_open(&a)?;
        let changes = appraisal_changes(fw, &a, &self.items(id).await?, inputs)?;
        if changes.is_empty() {
            return Ok(a);
        }
        let now = now_ms();
        write_tx!(self, |tx| {
            bump!(tx, a, now, None, None);
            write_appraisals!(tx, scope, a, now, changes);
        });
        self.assessment(scope, id).await
    }

    /// The unit's explanations (giải trình) of the appraisal, per criterion (after the first round).
    pub async fn explain(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        inputs: &[(String, String)],
        expected_version: Option<i32>,
    ) -> StoreResult<Assessment> {
        let a = self.assessment(scope, id).await?;
        check_framework(fw, &a)?;
        check_unit_side(scope, &a)?;
        check_version(&a, expected_version)?;
        check_explanation_open(&a)?;
        let items = self.items(id).await?;
        let changes = explanation_changes(fw, &a, &items, inputs)?;
        if changes.is_empty() {
            return Ok(a);
        }
        let now = now_ms();
        write_tx!(self, |tx| {
            bump!(tx, a, now, None, None);
            write_explanations!(tx, scope, a, now, changes);
        });
        self.assessment(scope, id).await
    }

    /// Change the sheet's status (submit, complete an appraisal round, explain, finalise, reopen).
    /// Refused, with the criteria named, when the sheet is not ready for it.
    pub async fn transition(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        action: SheetAction,
        reason: Option<&str>,
        expected_version: Option<i32>,
    ) -> StoreResult<Assessment> {
        self.transition_with(scope, fw, id, action, reason, SheetEdits::default(), expected_version).await
    }

    /// A status change that first saves what the form held — self scores and evidence, appraisals,
    /// explanations, each validated and audited as by [`Store::save_self_scores`], [`Store::appraise`] and
    /// [`Store::explain`] — in the same transaction as the step: "Gửi thẩm định", "Hoàn thành thẩm định" and
    /// "Gửi giải trình" never drop what was typed, and the step's readiness is judged on the sheet as it will
    /// be. Each kind of edit is only accepted from its side while it is open; a refusal saves nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_with(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        action: SheetAction,
        reason: Option<&str>,
        edits: SheetEdits<'_>,
        expected_version: Option<i32>,
    ) -> StoreResult<Assessment> {
        let a = self.assessment(scope, id).await?;
        check_framework(fw, &a)?;
        check_side(scope, &a, action.actor())?;
        check_version(&a, expected_version)?;
        let status = a.status();
        let next = core_results::next_status(status, action, a.round >= 2).map_err(StoreError::Conflict)?;
        let reason = clean(reason);
        if action.needs_reason() && reason.is_none() {
            return Err(StoreError::Invalid(format!("\"{}\" cần nêu lý do", action.name_vi())));
        }
        let leaves = leaves_of(fw, a.year);
        let mut item_list = self.items(id).await?;
        let self_changes = if edits.self_scores.is_empty() {
            Vec::new()
        } else {
            check_unit_side(scope, &a)?;
            check_self_scoring_open(&a)?;
            self_score_changes(fw, &a, &item_list, edits.self_scores)?
        };
        let appraisals = if edits.appraisals.is_empty() {
            Vec::new()
        } else {
            check_appraiser(scope, &a)?;
            check_appraisal_open(&a)?;
            appraisal_changes(fw, &a, &item_list, edits.appraisals)?
        };
        let explanations = if edits.explanations.is_empty() {
            Vec::new()
        } else {
            check_unit_side(scope, &a)?;
            check_explanation_open(&a)?;
            explanation_changes(fw, &a, &item_list, edits.explanations)?
        };
        // The sheet as it will be once the edits are written.
        for i in item_list.iter_mut() {
            if let Some(c) = self_changes.iter().find(|c| c.node == i.node) {
                i.self_score = c.score;
                i.evidence = c.evidence.clone();
                i.missing_reason = c.missing.clone();
            }
            if let Some(c) = appraisals.iter().find(|c| c.node == i.node) {
                i.appraised_score = c.score;
                i.decision = Some(c.decision.to_string());
                i.appraisal_reason = c.reason.clone();
            }
            if let Some((_, text, _)) = explanations.iter().find(|(n, _, _)| *n == i.node) {
                i.explanation = text.clone();
            }
        }
        let items: HashMap<String, AssessmentItem> = item_list.into_iter().map(|i| (i.node.clone(), i)).collect();
        let state = |code: &str| {
            items.get(code).map(|i| ItemState {
                self_scored: i.self_score.is_some(),
                evidenced: i.evidence.is_some() || i.missing_reason.is_some(),
                decided: i.decision.is_some(),
                appraised: i.appraised_score.is_some(),
            })
        };
        let problem = core_results::not_ready(action, &leaves, &state);
        if !problem.is_empty() {
            let mut parts = vec![format!("không thể \"{}\": {}", action.name_vi(), problem.join("; "))];
            parts.extend(core_results::not_ready_criteria(action, &leaves, &state));
            return Err(invalid(parts));
        }
        let round = if next == SheetStatus::Explained { 2 } else { a.round };
        let now = now_ms();
        write_tx!(self, |tx| {
            bump!(tx, a, now, Some(next), Some(round));
            write_self_scores!(tx, scope, a, now, self_changes);
            write_appraisals!(tx, scope, a, now, appraisals);
            write_explanations!(tx, scope, a, now, explanations);
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(a.unit_id),
                    entity: "assessment",
                    entity_id: id.to_string(),
                    action: action.as_str(),
                    field: Some("status"),
                    old_value: Some(status.as_str().to_string()),
                    new_value: Some(next.as_str().to_string()),
                    reason: reason.clone(),
                }
            );
        });
        self.assessment(scope, id).await
    }

    /// The sheets of the children of `parent_code` for a framework and year, by unit code, with the
    /// parent. Reach of the parent gives reach of every child's sheet.
    pub async fn children_assessments(
        &self,
        scope: &Scope,
        parent_code: &str,
        framework: &str,
        year: i32,
    ) -> StoreResult<(Unit, Vec<(Assessment, Vec<AssessmentItem>)>)> {
        let parent = self.unit_by_code(scope, parent_code).await?;
        let sql = format!("{SELECT_ASSESSMENT} WHERE u.parent_id = $1 AND a.framework = $2 AND a.year = $3 ORDER BY u.code");
        let list: Vec<Assessment> = on_db!(&self.read, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(parent.id)
            .bind(framework)
            .bind(year)
            .fetch_all(p)
            .await)?;
        let mut out = Vec::with_capacity(list.len());
        for a in list {
            let items = self.items(a.id).await?;
            out.push((a, items));
        }
        Ok((parent, out))
    }
}

/// "tài liệu: QĐ 12/QĐ-UBND" / "thiếu tài liệu: …" for the audit.
fn describe_evidence(evidence: Option<&str>, missing: Option<&str>) -> Option<String> {
    match (evidence, missing) {
        (None, None) => None,
        (Some(e), None) => Some(format!("tài liệu: {e}")),
        (None, Some(m)) => Some(format!("thiếu tài liệu: {m}")),
        (Some(e), Some(m)) => Some(format!("tài liệu: {e}; thiếu: {m}")),
    }
}
