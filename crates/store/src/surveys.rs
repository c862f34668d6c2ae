//! Long (~1,020 lines) pending a split: every survey table's SQL lives here; the split by table (questionnaires,
//! invitations, responses, estimates) is the next step once the service-layer move of surveys settles.
//!
//! Citizen surveys (issue 6): a survey of one unit (the unit that runs it) for one framework and year, its
//! questionnaire (stored as indicators, exportable back to TOML), respondent groups, invitations (random
//! tokens, one response each; only a token's SHA-256 is stored, so a link is shown once, when it is made), responses (imported in one transaction, or from the public form) and stored
//! estimates (the engine's JSON report, with the B and seed used and when).
//!
//! Permissions: reading a survey needs `Permission::View`, changing it (create, invitations, import,
//! estimates, open/close) needs `Permission::EditPlans` — surveys are part of the plan work of the Home
//! Affairs specialist, and roles.rs is left as it is. Either way the scope must reach the survey's unit; the
//! units a survey covers are that unit's subtree. The public form needs no scope: it acts only through an
//! unused invitation token.

use crate::accounts::token_hash;
use crate::audit::Change;
use crate::{Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use chiso_core::access::{Permission, Scope};
use chiso_core::framework::Framework;
use chiso_core::text::{fold, nfc};
use chiso_stats::{AnswerOption, Indicator, Questionnaire};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most invitations created at once.
pub const MAX_INVITATIONS_PER_BATCH: usize = 1000;
/// Respondent id given to an answer of the public form: `web-<invitation id>`.
pub const FORM_RESPONDENT_PREFIX: &str = "web-";

fn require(scope: &Scope, p: Permission) -> StoreResult<()> {
    if scope.can(p) { Ok(()) } else { Err(StoreError::Forbidden(p.name_vi().to_string())) }
}

/// Draft: the questionnaire is being written (it can be edited only then); no form, invitation or import
/// yet. Open: the public form accepts answers. Closed: it does not (imports still do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    Draft,
    Open,
    Closed,
}

impl SurveyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "draft",
            SurveyStatus::Open => "open",
            SurveyStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<SurveyStatus> {
        match s {
            "draft" => Some(SurveyStatus::Draft),
            "open" => Some(SurveyStatus::Open),
            "closed" => Some(SurveyStatus::Closed),
            _ => None,
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "Bản nháp (đang soạn bảng hỏi)",
            SurveyStatus::Open => "Đang nhận phiếu",
            SurveyStatus::Closed => "Đã đóng",
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct Survey {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub framework: String,
    pub year: i64,
    pub title: String,
    pub questionnaire_title: Option<String>,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Survey {
    pub fn status(&self) -> SurveyStatus {
        SurveyStatus::parse(&self.status).unwrap_or(SurveyStatus::Closed)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SurveyListItem {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub survey: Survey,
    pub responses: i64,
    pub invitations: i64,
    pub invitations_used: i64,
    pub last_estimate_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    pub unit_code: Option<String>,
    pub year: Option<i64>,
    pub framework: Option<String>,
    /// Diacritic-insensitive words of the title.
    pub text: Option<String>,
}

/// A survey to create. `framework` is the framework the questionnaire names; every indicator's node must be a
/// sub-dimension of it in `year`.
pub struct NewSurvey<'a> {
    pub unit_code: &'a str,
    pub year: i32,
    pub title: &'a str,
    pub questionnaire: &'a Questionnaire,
    pub framework: &'a Framework,
    /// Respondent groups besides those the questionnaire names (e.g. the six groups of a plan).
    pub extra_groups: &'a [String],
    /// Start as a draft (the questionnaire is then edited in the browser and may still be empty) instead of
    /// open.
    pub draft: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct Invitation {
    pub id: i64,
    pub survey_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub group_code: Option<String>,
    pub created_at: i64,
    pub used_at: Option<i64>,
}

/// An invitation just made, with its token: the only time the token is known (the store keeps its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedInvitation {
    pub invitation: Invitation,
    pub token: String,
}

/// One respondent to import. `line` is where it stands in its file (for errors).
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub line: u64,
    pub respondent_id: String,
    pub unit_code: String,
    pub group: Option<String>,
    pub weight: f64,
    /// (indicator code, raw answer); a missing answer is absent.
    pub answers: Vec<(String, f64)>,
}

/// A file of responses to import: all of it or nothing. The column numbers (1-based) name the place of an
/// error.
#[derive(Debug, Clone, Default)]
pub struct ResponseImport {
    pub source_name: String,
    pub id_column: Option<usize>,
    pub unit_column: Option<usize>,
    pub group_column: Option<usize>,
    pub weight_column: Option<usize>,
    pub rows: Vec<NewResponse>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResponseImportSummary {
    pub import_id: i64,
    pub rows: usize,
    /// unit code → respondents imported.
    pub by_unit: BTreeMap<String, usize>,
}

/// Respondents of a survey per unit and group.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct ResponseCount {
    pub unit_code: String,
    pub unit_name: String,
    pub group_code: Option<String>,
    pub n: i64,
}

/// A stored response, as the estimation reads it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredResponse {
    pub respondent_id: String,
    pub unit_code: String,
    pub group_code: Option<String>,
    pub weight: f64,
    pub answers: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct ImportRecord {
    pub id: i64,
    pub source_name: String,
    pub row_count: i64,
    pub actor: String,
    pub created_at: i64,
}

/// An estimation run to store.
pub struct NewEstimate<'a> {
    pub bootstrap: usize,
    pub seed: u64,
    pub by_group: bool,
    pub responses: usize,
    /// The engine's report, as JSON.
    pub report: &'a str,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct StoredEstimate {
    pub id: i64,
    pub survey_id: i64,
    pub bootstrap: i64,
    pub seed: i64,
    pub by_group: bool,
    pub responses: i64,
    /// The engine's JSON report.
    pub report: String,
    pub computed_at: i64,
    pub actor: String,
}

/// What a public form token leads to.
#[derive(Debug, Clone)]
pub enum FormLookup {
    /// No such invitation.
    Unknown,
    /// Already answered (at, unix ms).
    Used(i64),
    /// The survey no longer accepts answers.
    Closed(Box<Survey>),
    Open(Box<FormContext>),
}

#[derive(Debug, Clone)]
pub struct FormContext {
    pub invitation_id: i64,
    pub survey: Survey,
    pub unit_code: String,
    pub unit_name: String,
    pub group_code: Option<String>,
    pub questionnaire: Questionnaire,
}

impl FormContext {
    /// The indicators asked of this invitation's group (all of them when the invitation names no group or
    /// an indicator names none).
    pub fn asked(&self) -> Vec<&Indicator> {
        self.questionnaire.indicators.iter().filter(|i| is_asked(i, self.group_code.as_deref())).collect()
    }
}

/// Is the indicator asked of respondents of `group`?
pub fn is_asked(ind: &Indicator, group: Option<&str>) -> bool {
    match group {
        None => true,
        Some(g) => ind.groups.is_empty() || ind.groups.iter().any(|x| x == g),
    }
}

/// A public-form token has the shape the store gives out (32 lower-case hex digits): anything else is
/// refused before the database is asked.
pub fn is_token_shape(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn new_token() -> String {
    crate::accounts::random_bytes()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// "dòng 12, cột 2 (unit)".
fn place(line: u64, column: Option<usize>, name: &str) -> String {
    match column {
        Some(c) => format!("dòng {line}, cột {c} ({name})"),
        None => format!("dòng {line} ({name})"),
    }
}

/// Check an answer against its indicator: finite, within [min, max], and one of the options when the
/// indicator lists options.
pub fn check_answer(ind: &Indicator, v: f64) -> Result<(), String> {
    if !v.is_finite() || v < ind.min || v > ind.max {
        return Err(format!("câu trả lời {v} nằm ngoài thang [{}, {}] của câu {}", ind.min, ind.max, ind.code));
    }
    if !ind.options.is_empty() && !ind.options.iter().any(|o| o.value == v) {
        return Err(format!("câu trả lời {v} không phải là một phương án của câu {}", ind.code));
    }
    Ok(())
}

/// The checks a questionnaire passes before it is stored: well formed (empty only in a draft), of the
/// framework, and each node a sub-dimension of the framework in the survey's year.
fn check_questionnaire(q: &Questionnaire, fw: &Framework, year: i64, draft: bool) -> StoreResult<()> {
    let problems = q.problems(draft);
    if let Some(p) = problems.first() {
        let at = p.indicator.and_then(|i| q.indicators.get(i)).map(|i| format!("chỉ tiêu {}: ", i.code)).unwrap_or_default();
        return Err(StoreError::Invalid(format!("bảng hỏi: {at}{}", p.message)));
    }
    if q.framework != fw.code {
        return Err(StoreError::Invalid(format!("bảng hỏi thuộc khung \"{}\", không phải \"{}\"", q.framework, fw.code)));
    }
    let year = i32::try_from(year).map_err(|_| StoreError::Invalid(format!("năm {year} không hợp lệ")))?;
    let errors: Vec<String> = q
        .indicators
        .iter()
        .filter_map(|ind| check_node_in(fw, year, &ind.node).err().map(|e| format!("chỉ tiêu {}: {e}", ind.code)))
        .collect();
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors.join("; ")));
    }
    Ok(())
}

/// The respondent groups a survey declares: those its questions name, then `extra`, each once.
fn survey_groups_of(q: &Questionnaire, extra: &[String]) -> StoreResult<Vec<String>> {
    let mut groups: Vec<String> = Vec::new();
    for g in q.indicators.iter().flat_map(|i| i.groups.iter()).chain(extra.iter()) {
        let g = nfc(g.trim());
        if g.is_empty() {
            continue;
        }
        if g.chars().count() > 60 {
            return Err(StoreError::Invalid(format!("tên nhóm người trả lời \"{g}\" dài quá 60 ký tự")));
        }
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    Ok(groups)
}

/// Each indicator with its options and groups as JSON, as `survey_indicator` stores them.
fn indicator_rows(q: &Questionnaire) -> StoreResult<Vec<(&Indicator, String, String)>> {
    q.indicators
        .iter()
        .map(|ind| {
            let options = serde_json::to_string(&ind.options).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let groups = serde_json::to_string(&ind.groups).map_err(|e| StoreError::Invalid(e.to_string()))?;
            Ok((ind, options, groups))
        })
        .collect()
}

fn codes_of(q: &Questionnaire) -> String {
    let codes: Vec<&str> = q.indicators.iter().map(|i| i.code.as_str()).collect();
    if codes.is_empty() { "—".into() } else { codes.join(", ") }
}

/// The sub-dimension of `year`'s tree that `node` names: a child of a child of the root (the shape the
/// estimation aggregates over).
fn check_node_in(fw: &Framework, year: i32, node: &str) -> Result<(), String> {
    let tree = fw.tree_for_year(Some(year));
    let dim = node.rsplit_once('.').map_or("", |(d, _)| d);
    let Some(d) = tree.children.iter().find(|d| d.code == dim) else {
        return Err(format!("nút {node}: khung {} năm {year} không có chỉ số nội dung {dim}", fw.code));
    };
    if d.children.iter().any(|s| s.code == node) {
        Ok(())
    } else {
        let subs: Vec<&str> = d.children.iter().map(|s| s.code.as_str()).collect();
        Err(format!("nút {node} không có trong {} năm {year} (các nội dung thành phần của {dim}: {})", fw.code, subs.join(", ")))
    }
}

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    code: String,
    node: String,
    min_value: f64,
    max_value: f64,
    direction: i64,
    text: Option<String>,
    options: String,
    groups: String,
    section: Option<String>,
    required: bool,
}

#[derive(sqlx::FromRow)]
struct ResponseRow {
    respondent_id: String,
    unit_code: String,
    group_code: Option<String>,
    weight: f64,
    answers: String,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    survey_id: i64,
    unit_code: String,
    unit_name: String,
    group_code: Option<String>,
    used_at: Option<i64>,
}

impl Store {
    /// Create a survey with its questionnaire and respondent groups, in one transaction.
    pub async fn create_survey(&self, scope: &Scope, new: &NewSurvey<'_>) -> StoreResult<Survey> {
        require(scope, Permission::EditPlans)?;
        let unit = self.unit_by_code(scope, new.unit_code).await?;
        let title = nfc(new.title.trim());
        if title.is_empty() {
            return Err(StoreError::Invalid("tên khảo sát để trống".into()));
        }
        if title.chars().count() > 300 {
            return Err(StoreError::Invalid("tên khảo sát dài quá 300 ký tự".into()));
        }
        if !(2000..=2100).contains(&new.year) {
            return Err(StoreError::Invalid(format!("năm {} không hợp lệ (2000–2100)", new.year)));
        }
        let q = new.questionnaire;
        let fw = new.framework;
        if !fw.applies_to(new.year) {
            return Err(StoreError::Invalid(format!("bộ chỉ số {} không áp dụng cho năm {} (áp dụng: {})", fw.code, new.year, fw.years)));
        }
        check_questionnaire(q, fw, new.year as i64, new.draft)?;
        let groups = survey_groups_of(q, new.extra_groups)?;
        let now = now_ms();
        let rows = indicator_rows(q)?;
        let status = if new.draft { SurveyStatus::Draft } else { SurveyStatus::Open };
        let id = write_tx!(self, |tx| {
            const INS: &str = "INSERT INTO survey (unit_id, framework, year, title, title_fold, questionnaire_title, status, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $9, $7, $8, $8) RETURNING id";
            let id: i64 = sqlx::query_scalar(INS)
                .bind(unit.id)
                .bind(&fw.code)
                .bind(i64::from(new.year))
                .bind(&title)
                .bind(fold(&title))
                .bind(q.title.as_deref().map(nfc))
                .bind(scope.actor.as_str())
                .bind(now)
                .bind(status.as_str())
                .fetch_one(&mut *tx)
                .await?;
            for (pos, (ind, options, groups)) in rows.iter().enumerate() {
                const IND: &str = "INSERT INTO survey_indicator (survey_id, position, code, node, min_value, max_value, direction, text, options, groups, section, required) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
                sqlx::query(IND)
                    .bind(id)
                    .bind(pos as i64)
                    .bind(&ind.code)
                    .bind(&ind.node)
                    .bind(ind.min)
                    .bind(ind.max)
                    .bind(i64::from(ind.direction))
                    .bind(ind.text.as_deref())
                    .bind(options)
                    .bind(groups)
                    .bind(ind.section.as_deref())
                    .bind(ind.required)
                    .execute(&mut *tx)
                    .await?;
            }
            for (pos, g) in groups.iter().enumerate() {
                const GRP: &str = "INSERT INTO survey_group (survey_id, position, code) VALUES ($1, $2, $3)";
                sqlx::query(GRP).bind(id).bind(pos as i64).bind(g).execute(&mut *tx).await?;
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(unit.id),
                    entity: "survey",
                    entity_id: id.to_string(),
                    action: "create",
                    field: Some("status"),
                    new_value: Some(format!("{} — {title} ({} {}, {} câu hỏi)", status.as_str(), fw.code, new.year, q.indicators.len())),
                    ..Default::default()
                }
            );
            id
        });
        self.survey(scope, id).await
    }

    /// Replace the questionnaire of a draft survey (the builder's "Lưu"): indicators and respondent groups
    /// replaced in one transaction, audited (old and new number of questions). Refused once the survey is
    /// open or closed: answers would no longer match their questions.
    pub async fn replace_questionnaire(&self, scope: &Scope, id: i64, q: &Questionnaire, fw: &Framework) -> StoreResult<Survey> {
        let s = self.survey_for_edit(scope, id).await?;
        if s.status() != SurveyStatus::Draft {
            return Err(StoreError::Conflict(format!(
                "khảo sát \"{}\" {}: bảng hỏi chỉ sửa được khi khảo sát còn là bản nháp",
                s.title,
                if s.status() == SurveyStatus::Open { "đã mở nhận phiếu" } else { "đã đóng" }
            )));
        }
        if fw.code != s.framework {
            return Err(StoreError::Invalid(format!("bảng hỏi thuộc khung \"{}\", khảo sát thuộc \"{}\"", fw.code, s.framework)));
        }
        check_questionnaire(q, fw, s.year, true)?;
        // The groups the survey declared (e.g. at creation) stay; the questionnaire's are added.
        let declared = self.groups_unchecked(id).await?;
        let groups = survey_groups_of(q, &declared)?;
        let rows = indicator_rows(q)?;
        let old = self.questionnaire_unchecked(&s).await?;
        let now = now_ms();
        write_tx!(self, |tx| {
            // Still a draft inside the transaction (a concurrent "Mở khảo sát" wins or waits).
            const ST: &str = "SELECT status FROM survey WHERE id = $1";
            let status: String = sqlx::query_scalar(ST).bind(id).fetch_one(&mut *tx).await?;
            if status != SurveyStatus::Draft.as_str() {
                return Err(StoreError::Conflict("khảo sát vừa được mở: bảng hỏi chỉ sửa được khi còn là bản nháp".into()));
            }
            sqlx::query("DELETE FROM survey_indicator WHERE survey_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM survey_group WHERE survey_id = $1").bind(id).execute(&mut *tx).await?;
            for (pos, (ind, options, groups)) in rows.iter().enumerate() {
                const IND: &str = "INSERT INTO survey_indicator (survey_id, position, code, node, min_value, max_value, direction, text, options, groups, section, required) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
                sqlx::query(IND)
                    .bind(id)
                    .bind(pos as i64)
                    .bind(&ind.code)
                    .bind(&ind.node)
                    .bind(ind.min)
                    .bind(ind.max)
                    .bind(i64::from(ind.direction))
                    .bind(ind.text.as_deref())
                    .bind(options)
                    .bind(groups)
                    .bind(ind.section.as_deref())
                    .bind(ind.required)
                    .execute(&mut *tx)
                    .await?;
            }
            for (pos, g) in groups.iter().enumerate() {
                const GRP: &str = "INSERT INTO survey_group (survey_id, position, code) VALUES ($1, $2, $3)";
                sqlx::query(GRP).bind(id).bind(pos as i64).bind(g).execute(&mut *tx).await?;
            }
            const UPD: &str = "UPDATE survey SET questionnaire_title = $1, updated_at = $2 WHERE id = $3";
            sqlx::query(UPD).bind(q.title.as_deref().map(nfc)).bind(now).bind(id).execute(&mut *tx).await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(s.unit_id),
                    entity: "survey",
                    entity_id: id.to_string(),
                    action: "questionnaire",
                    field: Some("questionnaire"),
                    old_value: Some(format!("{} câu hỏi: {}", old.indicators.len(), codes_of(&old))),
                    new_value: Some(format!("{} câu hỏi: {}", q.indicators.len(), codes_of(q))),
                    ..Default::default()
                }
            );
        });
        self.survey(scope, id).await
    }

    async fn survey_unchecked(&self, id: i64) -> StoreResult<Survey> {
        const SQL: &str = "SELECT s.id, s.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, s.framework, s.year, s.title, \
             s.questionnaire_title, s.status, s.created_by, s.created_at, s.updated_at FROM survey s JOIN unit u ON u.id = s.unit_id WHERE s.id = $1";
        on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("khảo sát #{id}")))
    }

    /// One survey, if the scope reaches its unit.
    pub async fn survey(&self, scope: &Scope, id: i64) -> StoreResult<Survey> {
        require(scope, Permission::View)?;
        let s = self.survey_unchecked(id).await?;
        if !scope.reaches_path(&s.unit_path) {
            return Err(StoreError::OutOfScope(format!("khảo sát #{id} của {}", s.unit_name)));
        }
        Ok(s)
    }

    /// A survey the scope may change.
    async fn survey_for_edit(&self, scope: &Scope, id: i64) -> StoreResult<Survey> {
        require(scope, Permission::EditPlans)?;
        self.survey(scope, id).await
    }

    /// Surveys of the units the scope reaches, newest year first, with their counts.
    pub async fn surveys(&self, scope: &Scope, f: &SurveyFilter) -> StoreResult<Vec<SurveyListItem>> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT s.id, s.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, s.framework, s.year, s.title, \
             s.questionnaire_title, s.status, s.created_by, s.created_at, s.updated_at, \
             (SELECT COUNT(*) FROM survey_response r WHERE r.survey_id = s.id) AS responses, \
             (SELECT COUNT(*) FROM survey_invitation i WHERE i.survey_id = s.id) AS invitations, \
             (SELECT COUNT(*) FROM survey_invitation i WHERE i.survey_id = s.id AND i.used_at IS NOT NULL) AS invitations_used, \
             (SELECT MAX(e.computed_at) FROM survey_estimate e WHERE e.survey_id = s.id) AS last_estimate_at \
             FROM survey s JOIN unit u ON u.id = s.unit_id \
             WHERE u.path LIKE $1 || '%' AND ($2 = '' OR u.code = $2) AND ($3 = 0 OR s.year = $3) AND ($4 = '' OR s.framework = $4) \
               AND ($5 = '' OR s.title_fold LIKE $5) \
             ORDER BY s.year DESC, s.id DESC";
        let prefix = scope.path_prefix();
        let text = f.text.as_deref().map(|t| fold(t).replace(['%', '_'], "")).filter(|t| !t.trim().is_empty());
        let like = text.map(|t| format!("%{}%", t.trim())).unwrap_or_default();
        let unit = f.unit_code.clone().unwrap_or_default();
        let framework = f.framework.clone().unwrap_or_default();
        let year = f.year.unwrap_or(0);
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(prefix).bind(&unit).bind(year).bind(&framework).bind(&like).fetch_all(p).await)?)
    }

    async fn questionnaire_unchecked(&self, s: &Survey) -> StoreResult<Questionnaire> {
        const SQL: &str = "SELECT code, node, min_value, max_value, direction, text, options, groups, section, required FROM survey_indicator \
                           WHERE survey_id = $1 ORDER BY position";
        let rows: Vec<IndicatorRow> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(s.id).fetch_all(p).await)?;
        let bad = |code: &str, e: serde_json::Error| StoreError::Invalid(format!("khảo sát #{}: dữ liệu câu {code} hỏng: {e}", s.id));
        let mut indicators = Vec::with_capacity(rows.len());
        for r in rows {
            let options: Vec<AnswerOption> = serde_json::from_str(&r.options).map_err(|e| bad(&r.code, e))?;
            let groups: Vec<String> = serde_json::from_str(&r.groups).map_err(|e| bad(&r.code, e))?;
            indicators.push(Indicator {
                code: r.code,
                node: r.node,
                min: r.min_value,
                max: r.max_value,
                direction: if r.direction < 0 { -1 } else { 1 },
                text: r.text,
                options,
                groups,
                section: r.section,
                required: r.required,
            });
        }
        Ok(Questionnaire { framework: s.framework.clone(), title: s.questionnaire_title.clone(), indicators })
    }

    /// The survey's questionnaire (export it with `Questionnaire::to_toml_string`).
    pub async fn survey_questionnaire(&self, scope: &Scope, id: i64) -> StoreResult<Questionnaire> {
        let s = self.survey(scope, id).await?;
        self.questionnaire_unchecked(&s).await
    }

    async fn groups_unchecked(&self, survey_id: i64) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT code FROM survey_group WHERE survey_id = $1 ORDER BY position";
        Ok(on_db!(&self.read, |p| sqlx::query_scalar(SQL).bind(survey_id).fetch_all(p).await)?)
    }

    /// The respondent ids a survey already holds (to name every one an import would repeat).
    pub async fn survey_respondent_ids(&self, scope: &Scope, id: i64) -> StoreResult<HashSet<String>> {
        self.survey(scope, id).await?;
        const IDS: &str = "SELECT respondent_id FROM survey_response WHERE survey_id = $1";
        Ok(on_db!(&self.read, |p| sqlx::query_scalar::<_, String>(IDS).bind(id).fetch_all(p).await)?.into_iter().collect())
    }

    /// The survey's respondent groups (empty: responses may name any group).
    pub async fn survey_groups(&self, scope: &Scope, id: i64) -> StoreResult<Vec<String>> {
        self.survey(scope, id).await?;
        self.groups_unchecked(id).await
    }

    /// The units a survey covers: its unit and every unit below it (closed ones too: older responses may name
    /// them), parents first.
    pub async fn survey_units(&self, scope: &Scope, id: i64) -> StoreResult<Vec<crate::units::Unit>> {
        let s = self.survey(scope, id).await?;
        self.subtree_units(&s.unit_path).await
    }

    async fn subtree_units(&self, path: &str) -> StoreResult<Vec<crate::units::Unit>> {
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id \
                           FROM unit WHERE path LIKE $1 || '%' ORDER BY path";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(path).fetch_all(p).await)?)
    }

    /// Open or close the public form of a survey (audited).
    pub async fn set_survey_status(&self, scope: &Scope, id: i64, status: SurveyStatus) -> StoreResult<Survey> {
        let s = self.survey_for_edit(scope, id).await?;
        if s.status() == status {
            return Ok(s);
        }
        if status == SurveyStatus::Draft {
            return Err(StoreError::Conflict("khảo sát đã mở không trở lại bản nháp được (câu trả lời phải khớp bảng hỏi)".into()));
        }
        if s.status() == SurveyStatus::Draft {
            // Opening locks the questionnaire: it must be complete by then.
            let fw_q = self.questionnaire_unchecked(&s).await?;
            fw_q.validate().map_err(|e| StoreError::Invalid(format!("chưa mở được khảo sát: {e}")))?;
        }
        let now = now_ms();
        write_tx!(self, |tx| {
            const SQL: &str = "UPDATE survey SET status = $1, updated_at = $2 WHERE id = $3";
            sqlx::query(SQL).bind(status.as_str()).bind(now).bind(id).execute(&mut *tx).await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(s.unit_id),
                    entity: "survey",
                    entity_id: id.to_string(),
                    action: "status",
                    field: Some("status"),
                    old_value: Some(s.status.clone()),
                    new_value: Some(status.as_str().to_string()),
                    ..Default::default()
                }
            );
        });
        self.survey(scope, id).await
    }

    // ------------------------------------------------------------------------------------------ invitations

    /// Create `count` invitations (random tokens) for respondents of `unit_code` (the survey's unit or one
    /// below it) in `group` (one of the survey's groups, or none).
    pub async fn create_invitations(
        &self,
        scope: &Scope,
        survey_id: i64,
        unit_code: &str,
        group: Option<&str>,
        count: usize,
    ) -> StoreResult<Vec<IssuedInvitation>> {
        let s = self.survey_for_edit(scope, survey_id).await?;
        match s.status() {
            SurveyStatus::Open => {}
            SurveyStatus::Draft => {
                return Err(StoreError::Conflict("khảo sát còn là bản nháp: hãy mở khảo sát trước khi tạo phiếu mời".into()));
            }
            SurveyStatus::Closed => return Err(StoreError::Conflict("khảo sát đã đóng: không tạo thêm phiếu mời".into())),
        }
        if count == 0 || count > MAX_INVITATIONS_PER_BATCH {
            return Err(StoreError::Invalid(format!("số phiếu mời phải từ 1 đến {MAX_INVITATIONS_PER_BATCH} (nhận {count})")));
        }
        let unit = self.unit_by_code(scope, unit_code.trim()).await?;
        if !unit.path.starts_with(&s.unit_path) {
            return Err(StoreError::Invalid(format!(
                "đơn vị {} ({}) không thuộc phạm vi khảo sát của {}",
                unit.name, unit.code, s.unit_name
            )));
        }
        let groups = self.groups_unchecked(survey_id).await?;
        let group = group.map(|g| nfc(g.trim())).filter(|g| !g.is_empty());
        if let Some(g) = &group
            && !groups.is_empty()
            && !groups.contains(g)
        {
            return Err(StoreError::Invalid(format!("nhóm \"{g}\" không có trong khảo sát (các nhóm: {})", groups.join(", "))));
        }
        let now = now_ms();
        let issued: Vec<(i64, String)> = write_tx!(self, |tx| {
            let mut issued = Vec::with_capacity(count);
            for _ in 0..count {
                const SQL: &str = "INSERT INTO survey_invitation (survey_id, unit_id, group_code, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
                let token = new_token();
                let id: i64 = sqlx::query_scalar(SQL)
                    .bind(survey_id)
                    .bind(unit.id)
                    .bind(group.as_deref())
                    .bind(token_hash(&token))
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                issued.push((id, token));
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(s.unit_id),
                    entity: "survey",
                    entity_id: survey_id.to_string(),
                    action: "invite",
                    field: Some("invitations"),
                    new_value: Some(format!(
                        "{count} phiếu mời cho {} ({}){}",
                        unit.name,
                        unit.code,
                        group.as_deref().map(|g| format!(", nhóm {g}")).unwrap_or_default()
                    )),
                    ..Default::default()
                }
            );
            issued
        });
        let mut tokens: HashMap<i64, String> = issued.into_iter().collect();
        Ok(self
            .invitations(scope, survey_id)
            .await?
            .into_iter()
            .filter_map(|invitation| tokens.remove(&invitation.id).map(|token| IssuedInvitation { invitation, token }))
            .collect())
    }

    /// Withdraw the survey's invitations not answered yet (their links stop working); answered ones stay.
    /// Returns how many were withdrawn.
    pub async fn revoke_unused_invitations(&self, scope: &Scope, survey_id: i64) -> StoreResult<u64> {
        let s = self.survey_for_edit(scope, survey_id).await?;
        Ok(write_tx!(self, |tx| {
            const SQL: &str = "DELETE FROM survey_invitation WHERE survey_id = $1 AND used_at IS NULL";
            let n = sqlx::query(SQL).bind(survey_id).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                audit!(
                    tx,
                    scope,
                    Change {
                        unit_id: Some(s.unit_id),
                        entity: "survey",
                        entity_id: survey_id.to_string(),
                        action: "revoke_invitations",
                        field: Some("invitations"),
                        new_value: Some(format!("thu hồi {n} phiếu mời chưa dùng")),
                        ..Default::default()
                    }
                );
            }
            n
        }))
    }

    /// Hash the invitation tokens stored in plain text by versions before migration 0009 (32 hex digits; a
    /// hash has 64), so the links already handed out keep working. Run at every start, after the
    /// migrations: it finds nothing once done, and a run cut short is finished by the next one.
    pub async fn hash_plain_invitation_tokens(&self) -> StoreResult<u64> {
        Ok(write_tx!(self, |tx| {
            const SEL: &str = "SELECT id, token_hash FROM survey_invitation WHERE length(token_hash) = 32";
            let plain: Vec<(i64, String)> = sqlx::query_as(SEL).fetch_all(&mut *tx).await?;
            for (id, token) in &plain {
                const UPD: &str = "UPDATE survey_invitation SET token_hash = $1 WHERE id = $2";
                sqlx::query(UPD).bind(token_hash(token)).bind(id).execute(&mut *tx).await?;
            }
            plain.len() as u64
        }))
    }

    /// The survey's invitations, oldest first.
    pub async fn invitations(&self, scope: &Scope, survey_id: i64) -> StoreResult<Vec<Invitation>> {
        self.survey_for_edit(scope, survey_id).await?;
        const SQL: &str = "SELECT i.id, i.survey_id, i.unit_id, u.code AS unit_code, u.name AS unit_name, i.group_code, i.created_at, i.used_at \
             FROM survey_invitation i JOIN unit u ON u.id = i.unit_id WHERE i.survey_id = $1 ORDER BY i.id";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).fetch_all(p).await)?)
    }

    // -------------------------------------------------------------------------------------- public form

    /// What a public form token leads to. Needs no scope: the token is the credential.
    pub async fn survey_form(&self, token: &str) -> StoreResult<FormLookup> {
        if !is_token_shape(token) {
            return Ok(FormLookup::Unknown);
        }
        const SQL: &str = "SELECT i.id, i.survey_id, u.code AS unit_code, u.name AS unit_name, i.group_code, i.used_at \
             FROM survey_invitation i JOIN unit u ON u.id = i.unit_id WHERE i.token_hash = $1";
        let hash = token_hash(token);
        let row: Option<TokenRow> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(&hash).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(FormLookup::Unknown) };
        if let Some(at) = row.used_at {
            return Ok(FormLookup::Used(at));
        }
        let survey = self.survey_unchecked(row.survey_id).await?;
        if survey.status() != SurveyStatus::Open {
            return Ok(FormLookup::Closed(Box::new(survey)));
        }
        let questionnaire = self.questionnaire_unchecked(&survey).await?;
        Ok(FormLookup::Open(Box::new(FormContext {
            invitation_id: row.id,
            survey,
            unit_code: row.unit_code,
            unit_name: row.unit_name,
            group_code: row.group_code,
            questionnaire,
        })))
    }

    /// Store the answers of a public form and use up its token, in one transaction: a token answers once,
    /// even when two submissions race. Every answer is checked against the questionnaire first.
    pub async fn submit_survey_form(&self, token: &str, answers: &[(String, f64)]) -> StoreResult<i64> {
        let ctx = match self.survey_form(token).await? {
            FormLookup::Open(ctx) => ctx,
            FormLookup::Unknown => return Err(StoreError::NotFound("phiếu khảo sát (đường dẫn không đúng)".into())),
            FormLookup::Used(_) => return Err(StoreError::Conflict("phiếu khảo sát này đã được trả lời".into())),
            FormLookup::Closed(_) => return Err(StoreError::Conflict("khảo sát đã kết thúc, không nhận thêm câu trả lời".into())),
        };
        let mut seen = HashSet::new();
        let mut map = BTreeMap::new();
        for (code, v) in answers {
            let Some(ind) = ctx.questionnaire.indicator(code) else {
                return Err(StoreError::Invalid(format!("câu hỏi \"{code}\" không có trong bảng hỏi")));
            };
            if !is_asked(ind, ctx.group_code.as_deref()) {
                return Err(StoreError::Invalid(format!("câu {code} không hỏi nhóm người trả lời này")));
            }
            if !seen.insert(code.as_str()) {
                return Err(StoreError::Invalid(format!("câu {code} được trả lời hai lần")));
            }
            check_answer(ind, *v).map_err(StoreError::Invalid)?;
            map.insert(code.clone(), *v);
        }
        let json = serde_json::to_string(&map).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = now_ms();
        let survey = &ctx.survey;
        let response_id = write_tx!(self, |tx| {
            // Claim the token first: the loser of a race updates no row and stores nothing.
            const CLAIM: &str = "UPDATE survey_invitation SET used_at = $1 WHERE id = $2 AND used_at IS NULL RETURNING unit_id";
            let unit_id: Option<i64> = sqlx::query_scalar(CLAIM).bind(now).bind(ctx.invitation_id).fetch_optional(&mut *tx).await?;
            let Some(unit_id) = unit_id else {
                return Err(StoreError::Conflict("phiếu khảo sát này đã được trả lời".into()));
            };
            const OPEN: &str = "SELECT status FROM survey WHERE id = $1";
            let status: String = sqlx::query_scalar(OPEN).bind(survey.id).fetch_one(&mut *tx).await?;
            if status != SurveyStatus::Open.as_str() {
                return Err(StoreError::Conflict("khảo sát đã kết thúc, không nhận thêm câu trả lời".into()));
            }
            const INS: &str = "INSERT INTO survey_response (survey_id, respondent_id, unit_id, group_code, weight, answers, source, import_id, created_at) \
                 VALUES ($1, $2, $3, $4, 1.0, $5, 'form', NULL, $6) RETURNING id";
            let rid: i64 = sqlx::query_scalar(INS)
                .bind(survey.id)
                .bind(format!("{FORM_RESPONDENT_PREFIX}{}", ctx.invitation_id))
                .bind(unit_id)
                .bind(ctx.group_code.as_deref())
                .bind(&json)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            const LINK: &str = "UPDATE survey_invitation SET response_id = $1 WHERE id = $2";
            sqlx::query(LINK).bind(rid).bind(ctx.invitation_id).execute(&mut *tx).await?;
            rid
        });
        Ok(response_id)
    }

    // ---------------------------------------------------------------------------------------- responses

    /// Import responses into a survey: every row or none. Unit codes must be the survey's unit or units below
    /// it; groups must be the survey's groups (when it declares any); respondent ids must be new to the
    /// survey; weights positive; answers finite and of the questionnaire's indicators. Errors name the line
    /// and column.
    pub async fn import_responses(&self, scope: &Scope, survey_id: i64, import: &ResponseImport) -> StoreResult<ResponseImportSummary> {
        let s = self.survey_for_edit(scope, survey_id).await?;
        if s.status() == SurveyStatus::Draft {
            return Err(StoreError::Conflict(
                "khảo sát còn là bản nháp: hãy mở khảo sát (khóa bảng hỏi) trước khi nhập câu trả lời".into(),
            ));
        }
        if import.rows.is_empty() {
            return Err(StoreError::Invalid(format!("{}: không có câu trả lời nào để nhập", import.source_name)));
        }
        let q = self.questionnaire_unchecked(&s).await?;
        let codes: HashSet<&str> = q.indicators.iter().map(|i| i.code.as_str()).collect();
        let units: HashMap<String, (i64, String)> =
            self.subtree_units(&s.unit_path).await?.into_iter().map(|u| (u.code.clone(), (u.id, u.name))).collect();
        let groups = self.groups_unchecked(survey_id).await?;
        const IDS: &str = "SELECT respondent_id FROM survey_response WHERE survey_id = $1";
        let existing: HashSet<String> =
            on_db!(&self.read, |p| sqlx::query_scalar::<_, String>(IDS).bind(survey_id).fetch_all(p).await)?.into_iter().collect();
        let file = &import.source_name;
        let err = |line: u64, column: Option<usize>, name: &str, msg: String| {
            StoreError::Invalid(format!("{file}, {}: {msg}", place(line, column, name)))
        };
        let mut seen: HashMap<&str, u64> = HashMap::new();
        let mut prepared = Vec::with_capacity(import.rows.len());
        let mut by_unit: BTreeMap<String, usize> = BTreeMap::new();
        for r in &import.rows {
            let id = r.respondent_id.trim();
            if id.is_empty() {
                return Err(err(r.line, import.id_column, "respondent_id", "thiếu mã người trả lời".into()));
            }
            if existing.contains(id) {
                return Err(err(
                    r.line,
                    import.id_column,
                    "respondent_id",
                    format!("mã người trả lời \"{id}\" đã có trong khảo sát (đã nhập trước đó)"),
                ));
            }
            if let Some(first) = seen.insert(id, r.line) {
                return Err(err(r.line, import.id_column, "respondent_id", format!("mã người trả lời \"{id}\" trùng với dòng {first}")));
            }
            let Some((unit_id, _)) = units.get(r.unit_code.trim()) else {
                return Err(err(
                    r.line,
                    import.unit_column,
                    "unit",
                    format!("mã đơn vị \"{}\" không thuộc phạm vi khảo sát ({} và các đơn vị trực thuộc)", r.unit_code, s.unit_name),
                ));
            };
            let group = r.group.as_deref().map(|g| nfc(g.trim())).filter(|g| !g.is_empty());
            if let Some(g) = &group
                && !groups.is_empty()
                && !groups.contains(g)
            {
                return Err(err(
                    r.line,
                    import.group_column,
                    "group",
                    format!("nhóm \"{g}\" không có trong khảo sát (các nhóm: {})", groups.join(", ")),
                ));
            }
            if !(r.weight.is_finite() && r.weight > 0.0) {
                return Err(err(r.line, import.weight_column, "weight", format!("trọng số {} không hợp lệ: phải là số dương", r.weight)));
            }
            let mut answers = BTreeMap::new();
            for (code, v) in &r.answers {
                if !codes.contains(code.as_str()) {
                    return Err(err(r.line, None, code, format!("\"{code}\" không phải là câu hỏi của bảng hỏi")));
                }
                if !v.is_finite() {
                    return Err(err(r.line, None, code, "câu trả lời không phải là số hữu hạn".into()));
                }
                answers.insert(code.as_str(), *v);
            }
            let json = serde_json::to_string(&answers).map_err(|e| StoreError::Invalid(e.to_string()))?;
            *by_unit.entry(r.unit_code.trim().to_string()).or_default() += 1;
            prepared.push((id, *unit_id, group, r.weight, json));
        }
        let now = now_ms();
        let n = prepared.len();
        let import_id = write_tx!(self, |tx| {
            const IMP: &str =
                "INSERT INTO survey_import (survey_id, source_name, row_count, actor, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
            let import_id: i64 = sqlx::query_scalar(IMP)
                .bind(survey_id)
                .bind(file)
                .bind(n as i64)
                .bind(scope.actor.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            for (id, unit_id, group, weight, json) in &prepared {
                const INS: &str = "INSERT INTO survey_response (survey_id, respondent_id, unit_id, group_code, weight, answers, source, import_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'import', $7, $8)";
                sqlx::query(INS)
                    .bind(survey_id)
                    .bind(*id)
                    .bind(*unit_id)
                    .bind(group.as_deref())
                    .bind(*weight)
                    .bind(json)
                    .bind(import_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(s.unit_id),
                    entity: "survey",
                    entity_id: survey_id.to_string(),
                    action: "import_responses",
                    field: Some("responses"),
                    new_value: Some(format!("{n} câu trả lời từ {file}")),
                    ..Default::default()
                }
            );
            import_id
        });
        Ok(ResponseImportSummary { import_id, rows: n, by_unit })
    }

    /// The survey's imports, newest first.
    pub async fn survey_imports(&self, scope: &Scope, survey_id: i64) -> StoreResult<Vec<ImportRecord>> {
        self.survey(scope, survey_id).await?;
        const SQL: &str = "SELECT id, source_name, row_count, actor, created_at FROM survey_import WHERE survey_id = $1 ORDER BY id DESC";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).fetch_all(p).await)?)
    }

    /// Respondents per unit and group (no group first within a unit).
    pub async fn response_counts(&self, scope: &Scope, survey_id: i64) -> StoreResult<Vec<ResponseCount>> {
        self.survey(scope, survey_id).await?;
        const SQL: &str = "SELECT u.code AS unit_code, u.name AS unit_name, r.group_code, COUNT(*) AS n \
             FROM survey_response r JOIN unit u ON u.id = r.unit_id WHERE r.survey_id = $1 \
             GROUP BY u.code, u.name, r.group_code";
        let mut rows: Vec<ResponseCount> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).fetch_all(p).await)?;
        rows.sort_by(|a, b| a.unit_code.cmp(&b.unit_code).then_with(|| a.group_code.cmp(&b.group_code)));
        Ok(rows)
    }

    /// Every response of the survey, in the order stored.
    pub async fn survey_responses(&self, scope: &Scope, survey_id: i64) -> StoreResult<Vec<StoredResponse>> {
        self.survey(scope, survey_id).await?;
        const SQL: &str = "SELECT r.respondent_id, u.code AS unit_code, r.group_code, r.weight, r.answers \
             FROM survey_response r JOIN unit u ON u.id = r.unit_id WHERE r.survey_id = $1 ORDER BY r.id";
        let rows: Vec<ResponseRow> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                let answers: BTreeMap<String, f64> = serde_json::from_str(&r.answers)
                    .map_err(|e| StoreError::Invalid(format!("khảo sát #{survey_id}: câu trả lời của {} hỏng: {e}", r.respondent_id)))?;
                Ok(StoredResponse {
                    respondent_id: r.respondent_id,
                    unit_code: r.unit_code,
                    group_code: r.group_code,
                    weight: r.weight,
                    answers,
                })
            })
            .collect()
    }

    // ---------------------------------------------------------------------------------------- estimates

    /// Store an estimation run (audited).
    pub async fn save_estimate(&self, scope: &Scope, survey_id: i64, e: &NewEstimate<'_>) -> StoreResult<StoredEstimate> {
        let s = self.survey_for_edit(scope, survey_id).await?;
        let seed = i64::try_from(e.seed).map_err(|_| StoreError::Invalid(format!("hạt giống {} quá lớn (tối đa {})", e.seed, i64::MAX)))?;
        let bootstrap = i64::try_from(e.bootstrap).map_err(|_| StoreError::Invalid("số lần lặp bootstrap quá lớn".into()))?;
        serde_json::from_str::<serde::de::IgnoredAny>(e.report)
            .map_err(|err| StoreError::Invalid(format!("báo cáo ước lượng không phải JSON: {err}")))?;
        let now = now_ms();
        let id = write_tx!(self, |tx| {
            const SQL: &str = "INSERT INTO survey_estimate (survey_id, bootstrap, seed, by_group, responses, report, computed_at, actor) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(survey_id)
                .bind(bootstrap)
                .bind(seed)
                .bind(e.by_group)
                .bind(e.responses as i64)
                .bind(e.report)
                .bind(now)
                .bind(scope.actor.as_str())
                .fetch_one(&mut *tx)
                .await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(s.unit_id),
                    entity: "survey",
                    entity_id: survey_id.to_string(),
                    action: "estimate",
                    field: Some("estimates"),
                    new_value: Some(format!(
                        "ước lượng #{id}: {} câu trả lời, B = {}, seed = {}{}",
                        e.responses,
                        e.bootstrap,
                        e.seed,
                        if e.by_group { ", theo nhóm" } else { "" }
                    )),
                    ..Default::default()
                }
            );
            id
        });
        self.estimate(scope, survey_id, id).await
    }

    /// One stored estimation run of a survey.
    pub async fn estimate(&self, scope: &Scope, survey_id: i64, id: i64) -> StoreResult<StoredEstimate> {
        self.survey(scope, survey_id).await?;
        const SQL: &str = "SELECT id, survey_id, bootstrap, seed, by_group, responses, report, computed_at, actor FROM survey_estimate \
                           WHERE survey_id = $1 AND id = $2";
        on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("ước lượng #{id} của khảo sát #{survey_id}")))
    }

    /// The latest estimation run, if any.
    pub async fn latest_estimate(&self, scope: &Scope, survey_id: i64) -> StoreResult<Option<StoredEstimate>> {
        self.survey(scope, survey_id).await?;
        const SQL: &str = "SELECT id, survey_id, bootstrap, seed, by_group, responses, report, computed_at, actor FROM survey_estimate \
                           WHERE survey_id = $1 ORDER BY computed_at DESC, id DESC LIMIT 1";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).fetch_optional(p).await)?)
    }

    /// Every estimation run, newest first, without the reports.
    pub async fn estimate_runs(&self, scope: &Scope, survey_id: i64) -> StoreResult<Vec<StoredEstimate>> {
        self.survey(scope, survey_id).await?;
        const SQL: &str = "SELECT id, survey_id, bootstrap, seed, by_group, responses, '' AS report, computed_at, actor FROM survey_estimate \
                           WHERE survey_id = $1 ORDER BY computed_at DESC, id DESC";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(survey_id).fetch_all(p).await)?)
    }
}
