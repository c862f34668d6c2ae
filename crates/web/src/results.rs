//! Long (~1,500 lines) pending the results refactor (issue 9): its split into `results/` with the use cases
//! in chiso-app is done on a branch of session 2 that did not land in time.
//!
//! Index results over HTTP: published results (import, ranking of all peers, a unit's page with
//! charts and weak points) and PAR-style score sheets (self score → appraisal → finalised), as pages
//! and as the JSON API under `/api/v1/results` and `/api/v1/assessments`.
//!
//! Published official results are public: every logged-in user reads every unit's (see
//! `chiso_store::results`). Score sheets are scoped by the store. Charts are ECharts
//! (`/assets/echarts.min.js`) drawn by a small inline script from JSON the handler puts in the
//! page; every chart has a table beside it, so the page reads without JavaScript.

use crate::auth::{CurrentUser, urlencode};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{AuditRow, Base, audit_rows};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chiso_app::assessments::SheetView;
use chiso_app::results::{ImportError, ImportRequest, Mapping, RankTable, WeakReport, rank_table, short_name};
use chiso_core::access::Permission;
use chiso_core::framework::{Family, Framework, Source};
use chiso_core::results::ResultsFormat;
use chiso_core::results::{NodeStats, RankedUnit, Ranking, SheetAction, SheetStatus, check_may_import, rank_change_vi};
use chiso_core::text::{fold, vn_number};
use chiso_core::weakness::TaskGroup;
use chiso_store::StoreError;
use chiso_store::assessments::{AppraisalInput, Assessment, SelfScoreInput};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/results", get(index))
        .route("/results/import", post(import_upload))
        .route("/results/{framework}/{year}", get(ranking_page))
        .route("/results/{framework}/{year}/units/{code}", get(unit_page))
        .route("/assessments", get(sheets_page).post(sheet_create))
        .route("/assessments/ranking", get(sheet_ranking_page))
        .route("/assessments/{id}", get(sheet_page))
        .route("/assessments/{id}/self", post(sheet_self))
        .route("/assessments/{id}/appraise", post(sheet_appraise))
        .route("/assessments/{id}/explain", post(sheet_explain))
        .route("/assessments/{id}/status", post(sheet_status))
        .route("/api/v1/results/{framework}", get(api_years))
        .route("/api/v1/results/{framework}/{year}", get(api_ranking))
        .route("/api/v1/results/{framework}/{year}/units/{code}", get(api_unit))
        .route("/api/v1/results/{framework}/{year}/units/{code}/weak-points", get(api_weak))
        .route("/api/v1/assessments", get(api_sheets).post(api_sheet_create))
        .route("/api/v1/assessments/{id}", get(api_sheet))
        .route("/api/v1/assessments/{id}/self-scores", post(api_self))
        .route("/api/v1/assessments/{id}/appraisals", post(api_appraise))
        .route("/api/v1/assessments/{id}/explanations", post(api_explain))
        .route("/api/v1/assessments/{id}/transitions", post(api_transition))
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn framework<'a>(state: &'a AppState, code: &str) -> Result<&'a Framework, AppError> {
    state.frameworks.get(code).ok_or_else(|| AppError::NotFound(format!("bộ chỉ số '{code}'")))
}

fn year_of(s: &str) -> Result<i32, AppError> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| AppError::BadRequest(format!("năm '{s}' không hợp lệ")))
}

/// "8,52"; "–" for nothing.
fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| vn_number(v, 2))
}

/// "88,57%".
fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{}%", vn_number(v, 2)))
}

/// A score the way it was written in a form: "1,5" or "1.5"; empty = none.
fn parse_score(raw: &str, what: &str) -> Result<Option<f64>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let normal = if t.contains(',') && !t.contains('.') { t.replace(',', ".") } else { t.to_string() };
    match normal.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("{what}: '{t}' không phải là số (vd. 1,5)")),
    }
}

/// JSON to put inside `<script type="application/json">`: `<`, `>` and `&` escaped so that no text
/// can close the script element.
fn script_json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into()).replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// Rank change for people: ("tăng 6 bậc", "up"), with the year compared with when it is not the
/// year before.
fn change_text(change: Option<i32>, previous_year: Option<i32>, year: i32) -> (String, &'static str) {
    match change {
        None => ("–".into(), ""),
        Some(c) => {
            let mut t = rank_change_vi(c);
            if let Some(py) = previous_year.filter(|py| *py != year - 1) {
                t.push_str(&format!(" (so với {py})"));
            }
            (
                t,
                if c > 0 {
                    "up"
                } else if c < 0 {
                    "down"
                } else {
                    ""
                },
            )
        }
    }
}

/// "Chỉ số 1" style short labels of the root's children, for charts and narrow table heads.
fn dim_label(fw: &Framework, code: &str) -> String {
    let tree = fw.root();
    match tree.children.iter().position(|c| c.code == code) {
        Some(i) if fw.family == Family::Papi => format!("CS{}", i + 1),
        Some(i) => format!("LV{}", i + 1),
        None => code.to_string(),
    }
}

/// "papi.d1.s2" → "1.2", "par.a3.c4" → "3.4": the numbering people use for a node.
fn node_number(code: &str) -> String {
    let parts: Vec<&str> = code.split('.').skip(1).map(|seg| seg.trim_start_matches(|c: char| c.is_alphabetic())).collect();
    if parts.iter().all(|p| !p.is_empty()) { parts.join(".") } else { code.to_string() }
}

fn group_class(g: TaskGroup) -> &'static str {
    match g {
        TaskGroup::Keep => "keep",
        TaskGroup::Improve => "improve",
        TaskGroup::Survey => "survey",
    }
}

fn check_header_csrf(me: &CurrentUser, headers: &HeaderMap) -> Result<(), AppError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    me.check_csrf(token)
}

/// Form fields by name (the sheet forms have one field per criterion).
struct Fields(HashMap<String, String>);

impl Fields {
    fn new(list: Vec<(String, String)>) -> Fields {
        Fields(list.into_iter().collect())
    }
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
    fn has(&self, k: &str) -> bool {
        self.0.contains_key(k)
    }
    fn version(&self) -> Option<i32> {
        self.get("version").trim().parse().ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Index and import

#[derive(Template)]
#[template(path = "results.html")]
struct IndexPage {
    b: Base,
    frameworks: Vec<FrameworkYears>,
    can_import: bool,
    message: Option<String>,
    errors: Vec<String>,
    framework_codes: Vec<(String, String)>,
    /// The last import would remove the published results of this many units: ask to confirm.
    confirm_removal: Option<usize>,
}

struct FrameworkYears {
    code: String,
    name: String,
    years: Vec<YearRow>,
}

struct YearRow {
    year: i32,
    published: i64,
    not_published: i64,
    source: String,
    imported: String,
}

#[derive(Deserialize, Default)]
pub struct MsgQuery {
    msg: Option<String>,
}

async fn index(State(state): State<AppState>, me: CurrentUser, Query(q): Query<MsgQuery>) -> Result<Html<String>, PageError> {
    render_index(&state, &me, q.msg, Vec::new(), None).await
}

async fn render_index(
    state: &AppState,
    me: &CurrentUser,
    message: Option<String>,
    errors: Vec<String>,
    confirm_removal: Option<usize>,
) -> Result<Html<String>, PageError> {
    let mut frameworks = Vec::new();
    for fw in state.frameworks.frameworks() {
        let years = state.store.result_years(&me.scope, &fw.code).await?;
        frameworks.push(FrameworkYears {
            code: fw.code.clone(),
            name: fw.name_vi.clone(),
            years: years
                .into_iter()
                .map(|y| YearRow {
                    year: y.year,
                    published: y.published,
                    not_published: y.not_published,
                    source: y.source,
                    imported: crate::pages::format_ms(y.imported_at),
                })
                .collect(),
        });
    }
    let page = IndexPage {
        b: me.base(me.lang.t("results"), "results"),
        framework_codes: state.frameworks.frameworks().iter().map(|f| (f.code.clone(), f.name_vi.clone())).collect(),
        frameworks,
        can_import: check_may_import(&me.scope).is_ok(),
        message,
        errors,
        confirm_removal,
    };
    Ok(Html(page.render()?))
}

/// Results upload: at most 5 MB.
const RESULTS_LIMIT: usize = 5 * 1024 * 1024;

async fn import_upload(State(state): State<AppState>, me: CurrentUser, mut multipart: Multipart) -> Result<Response, PageError> {
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut mapping: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("biểu mẫu tải lên không hợp lệ: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" | "mapping" => {
                let fname = field.file_name().unwrap_or("tệp").to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("không đọc được tệp '{fname}': {e}")))?;
                if bytes.len() > RESULTS_LIMIT {
                    return Err(AppError::BadRequest(format!("tệp '{fname}' quá lớn ({} byte, tối đa 5 MB)", bytes.len())).into());
                }
                let slot = if name == "file" { &mut file } else { &mut mapping };
                if !bytes.is_empty() {
                    *slot = Some((fname, bytes.to_vec()));
                }
            }
            _ => {
                let v = field.text().await.map_err(|e| AppError::BadRequest(e.to_string()))?;
                fields.insert(name, v);
            }
        }
    }
    me.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let fw = framework(&state, fields.get("framework").map(String::as_str).unwrap_or(""))?;
    let year = year_of(fields.get("year").map(String::as_str).unwrap_or(""))?;
    let format = ResultsFormat::parse(fields.get("format").map(String::as_str).unwrap_or("wide"))
        .ok_or_else(|| AppError::BadRequest("định dạng phải là wide hoặc long".into()))?;
    let Some((name, bytes)) = file else { return Err(AppError::BadRequest("chưa chọn tệp kết quả".into()).into()) };
    let utf8 = |n: &str, b: Vec<u8>| {
        String::from_utf8(b).map_err(|_| AppError::BadRequest(format!("tệp '{n}' không phải văn bản UTF-8 (hãy lưu CSV dạng UTF-8)")))
    };
    let text = utf8(&name, bytes)?;
    let unit_codes = fields.get("unit_codes").is_some_and(|v| v == "1");
    let map_text = match mapping {
        Some((n, b)) => Some((n.clone(), utf8(&n, b)?)),
        None => None,
    };
    let mapping = match &map_text {
        Some((n, t)) => Mapping::File { name: n, text: t },
        None if unit_codes => Mapping::None,
        None => Mapping::Default,
    };
    let confirm_removal = fields.get("confirm_removal").is_some_and(|v| v == "1");
    let req = ImportRequest { framework: fw, year, text: &text, format, mapping, source: &name, confirm_removal };
    match state.app.results().import(&me.scope, req).await {
        Ok(s) => {
            let msg = if s.unchanged {
                format!("'{name}': trùng với dữ liệu {} năm {year} đã lưu, không thay đổi.", fw.code)
            } else {
                format!(
                    "Đã nhập '{name}' ({} năm {year}): {} đơn vị có kết quả, {} không công bố{}.",
                    fw.code,
                    s.published,
                    s.not_published,
                    if s.replaced { format!("; thay bản cũ, {} đơn vị thay đổi", s.changed_units) } else { String::new() }
                )
            };
            Ok(Redirect::to(&format!("/results/{}/{year}?msg={}", fw.code, urlencode(&msg))).into_response())
        }
        Err(ImportError::Mapping { name: n, error: e }) => {
            let errors = std::iter::once(format!("Tệp ánh xạ '{n}' có lỗi, chưa nhập gì:"))
                .chain(e.problems.iter().map(|p| p.to_string()))
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_index(&state, &me, None, errors, None).await?).into_response())
        }
        Err(ImportError::File(e)) => {
            let mut errors = vec![format!("Tệp '{name}' có lỗi, không dữ liệu nào được nhận:")];
            errors.extend(e.problems.iter().map(|p| p.to_string()));
            if e.more > 0 {
                errors.push(format!("… và {} lỗi khác", e.more));
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_index(&state, &me, None, errors, None).await?).into_response())
        }
        Err(e @ ImportError::RemovalNotConfirmed(_)) => {
            let ImportError::RemovalNotConfirmed(units) = &e else { unreachable!() };
            let errors = vec![
                format!("Tệp '{name}' ({} năm {year}) chưa được nhập: {e}.", fw.code),
                "Nếu đúng là cần xóa, hãy chọn lại tệp, đánh dấu ô xác nhận bên dưới rồi nhập lại.".to_string(),
            ];
            Ok((StatusCode::CONFLICT, render_index(&state, &me, None, errors, Some(units.len())).await?).into_response())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Ranking page

#[derive(Template)]
#[template(path = "results_ranking.html")]
struct RankingPage {
    b: Base,
    fw_code: String,
    fw_name: String,
    year: i32,
    years: Vec<i32>,
    previous_year: Option<i32>,
    dims: Vec<DimHead>,
    rows: Vec<RankRowView>,
    partial: Vec<RankRowView>,
    not_published: Vec<(String, String)>,
    mean: Vec<String>,
    mean_total: String,
    best: Vec<String>,
    best_total: String,
    total_count: usize,
    q: String,
    q_enc: String,
    sort: String,
    message: Option<String>,
    chart: String,
}

struct DimHead {
    code: String,
    label: String,
    name: String,
}

struct RankRowView {
    unit: String,
    name: String,
    rank: String,
    /// Another unit shares the rank (equal to 4 decimals).
    tie: bool,
    total: String,
    change: String,
    change_class: &'static str,
    /// "+0,52" / "−1,03" points against the year compared with.
    score_change: String,
    dims: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct RankingQuery {
    q: Option<String>,
    sort: Option<String>,
    msg: Option<String>,
}

/// "+0,52" / "−1,03" / "" for a change of score.
fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v > 0.0 => format!("+{}", vn_number(v, 2)),
        Some(v) if v < 0.0 => format!("−{}", vn_number(-v, 2)),
        Some(_) => "±0".to_string(),
        None => String::new(),
    }
}

fn row_view(u: &RankedUnit, dims: &[DimHead], year: i32, ties: &HashMap<u32, usize>) -> RankRowView {
    let (change, change_class) = change_text(u.rank_change, u.previous_year, year);
    RankRowView {
        unit: u.unit.clone(),
        name: short_name(u.name.as_deref().unwrap_or(&u.unit)),
        rank: u.rank.map_or("–".into(), |r| r.to_string()),
        tie: u.rank.is_some_and(|r| ties.get(&r).is_some_and(|n| *n > 1)),
        total: num(u.total),
        change,
        change_class,
        score_change: signed(u.total_change),
        dims: dims.iter().map(|d| num(u.dimensions.get(&d.code).copied())).collect(),
    }
}

async fn ranking_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<RankingQuery>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let ranking = state.app.results().ranking(&me.scope, fw, year, None).await?;
    let years: Vec<i32> = state.store.result_years(&me.scope, &fw.code).await?.into_iter().map(|y| y.year).collect();
    let tree = fw.tree_for_year(Some(year));
    let dims: Vec<DimHead> =
        tree.children.iter().map(|c| DimHead { code: c.code.clone(), label: dim_label(fw, &c.code), name: c.name_vi.clone() }).collect();
    let text = q.q.clone().unwrap_or_default();
    let key = fold(&text);
    let sort = q.sort.clone().unwrap_or_else(|| "rank".into());
    let mut list: Vec<&RankedUnit> = ranking
        .ranked
        .iter()
        .filter(|u| key.is_empty() || fold(u.name.as_deref().unwrap_or("")).contains(&key) || u.unit == text.trim())
        .collect();
    match sort.as_str() {
        "name" => list.sort_by_key(|u| fold(&short_name(u.name.as_deref().unwrap_or(&u.unit)))),
        "change" => list.sort_by_key(|u| std::cmp::Reverse(u.rank_change.unwrap_or(i32::MIN))),
        d if dims.iter().any(|h| h.code == d) => {
            list.sort_by(|a, b| b.dimensions.get(d).unwrap_or(&f64::MIN).total_cmp(a.dimensions.get(d).unwrap_or(&f64::MIN)))
        }
        _ => {}
    }
    let stat = |c: &str, f: fn(&NodeStats) -> f64| ranking.stats.get(c).map(f);
    let mut ties: HashMap<u32, usize> = HashMap::new();
    for r in ranking.ranked.iter().filter_map(|u| u.rank) {
        *ties.entry(r).or_default() += 1;
    }
    let chart = json!({
        "bar": ranking.ranked.iter().map(|u| json!({"unit": u.unit, "name": short_name(u.name.as_deref().unwrap_or(&u.unit)), "total": u.total})).collect::<Vec<_>>(),
        "dims": dims.iter().map(|d| json!({"code": d.code, "label": d.label, "name": d.name})).collect::<Vec<_>>(),
        "heat": ranking.ranked.iter().map(|u| json!({"name": short_name(u.name.as_deref().unwrap_or(&u.unit)),
            "values": dims.iter().map(|d| u.dimensions.get(&d.code)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "mean": stat(&fw.code, |s| s.mean),
    });
    let page = RankingPage {
        b: me.base(&format!("{} {year}", fw.name_vi), "results"),
        fw_code: fw.code.clone(),
        fw_name: fw.name_vi.clone(),
        year,
        years,
        previous_year: ranking.previous_year,
        rows: list.iter().map(|u| row_view(u, &dims, year, &ties)).collect(),
        partial: ranking.partially_published.iter().map(|u| row_view(u, &dims, year, &ties)).collect(),
        not_published: ranking.not_published.iter().map(|u| (u.unit.clone(), short_name(u.name.as_deref().unwrap_or(&u.unit)))).collect(),
        mean: dims.iter().map(|d| num(stat(&d.code, |s| s.mean))).collect(),
        mean_total: num(stat(&fw.code, |s| s.mean)),
        best: dims.iter().map(|d| num(stat(&d.code, |s| s.best))).collect(),
        best_total: num(stat(&fw.code, |s| s.best)),
        total_count: ranking.ranked.len(),
        dims,
        q_enc: urlencode(&text),
        q: text,
        sort,
        message: q.msg,
        chart: script_json(&chart),
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// A unit's results

#[derive(Template)]
#[template(path = "results_unit.html")]
struct UnitPage {
    b: Base,
    fw_code: String,
    fw_name: String,
    year: i32,
    years: Vec<i32>,
    unit_code: String,
    unit_name: String,
    published: bool,
    total: String,
    rank: String,
    change: String,
    change_class: &'static str,
    score_change: String,
    dims: Vec<DimRow>,
    history: Vec<HistoryRow>,
    weak: Vec<WeakRow>,
    groups: Vec<GroupView>,
    outline: Vec<OutlineView>,
    plan_year: i32,
    reference_note: &'static str,
    weak_error: Option<String>,
    chart: String,
}

struct DimRow {
    code: String,
    label: String,
    name: String,
    score: String,
    score_change: String,
    mean: String,
    best: String,
    rank: String,
    change: String,
    change_class: &'static str,
}

struct HistoryRow {
    year: i32,
    total: String,
    rank: String,
    change: String,
}

struct WeakRow {
    code: String,
    name: String,
    depth: usize,
    score: String,
    points_lost: String,
    gap_to_best: String,
    rank: String,
    change: String,
    change_class: &'static str,
    group: String,
    group_class: &'static str,
}

struct GroupView {
    label: &'static str,
    class: &'static str,
    items: Vec<(String, String)>,
}

struct OutlineView {
    code: String,
    name: String,
    lost: String,
    items: Vec<(String, String, &'static str, &'static str)>,
}

fn weak_views(w: &WeakReport, year: i32) -> (Vec<WeakRow>, Vec<GroupView>, Vec<OutlineView>) {
    let group_label = |g: TaskGroup| g.label_vi(w.reference);
    let rows = w
        .items
        .iter()
        .map(|i| {
            let (change, change_class) = change_text(i.rank_change, None, year);
            WeakRow {
                code: i.code.clone(),
                name: i.name_vi.clone(),
                depth: i.depth,
                score: num(Some(i.score)),
                points_lost: num(Some(i.points_lost)),
                gap_to_best: num(i.gap_to_best),
                rank: format!("{}/{}", i.rank, i.of),
                change,
                change_class,
                group: i.group.map(group_label).unwrap_or_default().to_string(),
                group_class: i.group.map(group_class).unwrap_or(""),
            }
        })
        .collect();
    let name_of = |c: &str| w.items.iter().find(|i| i.code == c).map(|i| i.name_vi.clone()).unwrap_or_default();
    let groups = [(TaskGroup::Improve, &w.groups.improve), (TaskGroup::Survey, &w.groups.survey), (TaskGroup::Keep, &w.groups.keep)]
        .into_iter()
        .map(|(g, codes)| GroupView {
            label: group_label(g),
            class: group_class(g),
            items: codes.iter().map(|c| (c.clone(), name_of(c))).collect(),
        })
        .collect();
    let outline = w
        .plan
        .sections
        .iter()
        .map(|s| OutlineView {
            code: s.code.clone(),
            name: s.name_vi.clone(),
            lost: num(s.points_lost),
            items: s.items.iter().map(|i| (i.code.clone(), i.name_vi.clone(), group_label(i.group), group_class(i.group))).collect(),
        })
        .collect();
    (rows, groups, outline)
}

async fn unit_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year, unit)): Path<(String, String, String)>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let rankings = state.app.results().rankings(&me.scope, fw, None).await?;
    let Some(current) = rankings.iter().find(|r| r.year == year) else {
        return Err(AppError::NotFound(format!("kết quả {} năm {year} (chưa nhập)", fw.code)).into());
    };
    let history_years: Vec<i32> = rankings.iter().map(|r| r.year).collect();
    let me_in = |r: &Ranking| r.unit(&unit).cloned();
    let entry = me_in(current);
    let unit_name = current
        .unit(&unit)
        .and_then(|u| u.name.clone())
        .or_else(|| current.not_published.iter().find(|u| u.unit == unit).and_then(|u| u.name.clone()))
        .or_else(|| rankings.iter().rev().find_map(|r| r.unit(&unit).and_then(|u| u.name.clone())))
        .ok_or_else(|| AppError::NotFound(format!("kết quả {} của đơn vị mã '{unit}'", fw.code)))?;
    let tree = fw.tree_for_year(Some(year));
    let dims: Vec<DimRow> = tree
        .children
        .iter()
        .map(|d| {
            let r = entry.as_ref().and_then(|e| e.nodes.get(&d.code));
            let st = current.stats.get(&d.code);
            let (change, change_class) = change_text(r.and_then(|r| r.rank_change), r.and_then(|r| r.previous_year), year);
            DimRow {
                code: d.code.clone(),
                label: dim_label(fw, &d.code),
                name: d.name_vi.clone(),
                score: num(r.map(|r| r.score)),
                score_change: signed(r.and_then(|r| r.score_change)),
                mean: num(st.map(|s| s.mean)),
                best: num(st.map(|s| s.best)),
                rank: r.map_or("–".into(), |r| format!("{}/{}", r.rank, r.of)),
                change,
                change_class,
            }
        })
        .collect();
    let history: Vec<HistoryRow> = rankings
        .iter()
        .map(|r| {
            let u = r.unit(&unit);
            HistoryRow {
                year: r.year,
                total: u.map_or_else(|| "không công bố".to_string(), |u| num(u.total)),
                rank: u.and_then(|u| u.rank).map_or("–".into(), |x| format!("{x}/{}", r.ranked.len())),
                change: change_text(u.and_then(|u| u.rank_change), u.and_then(|u| u.previous_year), r.year).0,
            }
        })
        .collect();
    let (weak, groups, outline, plan_year, weak_error, reference_note) = match state
        .app
        .results()
        .weak_report(&me.scope, fw, &unit, year)
        .await
    {
        Ok(w) => {
            let (a, b, c) = weak_views(&w, year);
            let note = match w.reference {
                chiso_core::weakness::Reference::Peers => {
                    "Điểm mất = trung bình toàn quốc − điểm của đơn vị (dương: thấp hơn trung bình). Nhóm “duy trì”: bằng hoặc cao hơn trung bình; “phấn đấu”: thấp hơn."
                }
                chiso_core::weakness::Reference::FullScore => "Điểm mất = điểm tối đa − điểm đạt.",
            };
            (a, b, c, w.plan.plan_year, None, note)
        }
        Err(chiso_app::results::WeakError::NoScores(m)) => (Vec::new(), Vec::new(), Vec::new(), year + 1, Some(m), ""),
        Err(e) => return Err(e.into()),
    };

    // Charts: radar (unit / mean / best), trend per dimension, ranking bar, heat map of leaves × years.
    let dim_codes: Vec<&str> = tree.children.iter().map(|c| c.code.as_str()).collect();
    let radar = json!({
        // Each axis spans the peers' range (worst → best), so differences between units show.
        "indicators": tree.children.iter().map(|d| {
            let st = current.stats.get(&d.code);
            json!({"name": format!("{} {}", dim_label(fw, &d.code), d.name_vi),
                   "min": st.map_or(d.min.unwrap_or(0.0), |s| s.worst.floor()),
                   "max": st.map_or(d.max.unwrap_or(10.0), |s| s.best.ceil())})
        }).collect::<Vec<_>>(),
        "unit": dim_codes.iter().map(|c| entry.as_ref().and_then(|e| e.dimensions.get(*c))).collect::<Vec<_>>(),
        "mean": dim_codes.iter().map(|c| current.stats.get(*c).map(|s| s.mean)).collect::<Vec<_>>(),
        "best": dim_codes.iter().map(|c| current.stats.get(*c).map(|s| s.best)).collect::<Vec<_>>(),
    });
    let trend = json!({
        "years": history_years,
        "dims": tree.children.iter().map(|d| json!({
            "label": format!("{} {}", dim_label(fw, &d.code), d.name_vi),
            "unit": rankings.iter().map(|r| r.unit(&unit).and_then(|u| u.dimensions.get(&d.code))).collect::<Vec<_>>(),
            "mean": rankings.iter().map(|r| r.stats.get(&d.code).map(|s| s.mean)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let bar = current
        .ranked
        .iter()
        .map(|u| json!({"name": short_name(u.name.as_deref().unwrap_or(&u.unit)), "total": u.total, "me": u.unit == unit}))
        .collect::<Vec<_>>();
    // Leaves of every year (a leaf dropped in a year shows as empty there), ranks per year.
    let mut leaves: Vec<(String, String)> = Vec::new();
    for n in fw.root().walk() {
        if n.is_leaf() && n.code != fw.code {
            leaves.push((n.code.clone(), n.name_vi.clone()));
        }
    }
    let heat_cells: Vec<Value> = rankings
        .iter()
        .enumerate()
        .flat_map(|(x, r)| {
            let u = r.unit(&unit).cloned();
            leaves
                .iter()
                .enumerate()
                .filter_map(move |(y, (c, _))| u.as_ref().and_then(|u| u.nodes.get(c)).map(|n| json!([x, y, n.rank, n.score, n.of])))
        })
        .collect();
    let heat = json!({
        "years": history_years,
        "leaves": leaves.iter().map(|(c, n)| format!("{} {n}", node_number(c))).collect::<Vec<_>>(),
        "cells": heat_cells,
        "of": current.ranked.len().max(1),
    });
    let chart = json!({"radar": radar, "trend": trend, "bar": bar, "heat": heat, "me": short_name(&unit_name)});
    let (change, change_class) =
        change_text(entry.as_ref().and_then(|e| e.rank_change), entry.as_ref().and_then(|e| e.previous_year), year);
    let page = UnitPage {
        b: me.base(&format!("{} – {} {year}", short_name(&unit_name), fw.code.to_uppercase()), "results"),
        fw_code: fw.code.clone(),
        fw_name: fw.name_vi.clone(),
        year,
        years: history_years.iter().rev().copied().collect(),
        unit_code: unit.clone(),
        unit_name,
        published: entry.is_some(),
        total: num(entry.as_ref().and_then(|e| e.total)),
        rank: entry.as_ref().and_then(|e| e.rank).map_or("–".into(), |r| format!("{r}/{}", current.ranked.len())),
        change,
        change_class,
        score_change: signed(entry.as_ref().and_then(|e| e.total_change)),
        dims,
        history,
        weak,
        groups,
        outline,
        plan_year,
        reference_note,
        weak_error,
        chart: script_json(&chart),
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// Score sheets: list, create, ranking

#[derive(Template)]
#[template(path = "assessments.html")]
struct SheetsPage {
    b: Base,
    rows: Vec<SheetListRow>,
    units: Vec<(String, String)>,
    frameworks: Vec<(String, String)>,
    framework: String,
    year: String,
    this_year: i32,
    can_create: bool,
}

struct SheetListRow {
    id: i64,
    unit: String,
    unit_code: String,
    framework: String,
    year: i32,
    status: String,
    self_pct: String,
    appraised_pct: String,
}

#[derive(Deserialize, Default)]
pub struct SheetsQuery {
    framework: Option<String>,
    year: Option<String>,
}

/// Frameworks that units score themselves (with self-assessed leaves).
fn sheet_frameworks(state: &AppState) -> Vec<&Framework> {
    state.frameworks.frameworks().iter().filter(|f| f.root().leaves().iter().any(|l| l.source == Source::SelfAssessment)).collect()
}

async fn sheets_page(State(state): State<AppState>, me: CurrentUser, Query(q): Query<SheetsQuery>) -> Result<Html<String>, PageError> {
    let framework = q.framework.clone().unwrap_or_default();
    let year = crate::pages::parse_year(&q.year)?;
    let list = state.store.assessments(&me.scope, Some(framework.as_str()).filter(|s| !s.is_empty()), year).await?;
    let rows = list
        .into_iter()
        .map(|x| {
            let max = state.frameworks.get(&x.assessment.framework).and_then(|f| f.root().max).filter(|m| *m > 0.0);
            let p = |v: Option<f64>| pct(v.zip(max).map(|(v, m)| v / m * 100.0));
            SheetListRow {
                id: x.assessment.id,
                unit: x.assessment.unit_name.clone(),
                unit_code: x.assessment.unit_code.clone(),
                framework: x.assessment.framework.clone(),
                year: x.assessment.year,
                status: x.assessment.status().name_vi().to_string(),
                self_pct: p(x.self_total),
                appraised_pct: p(x.appraised_total),
            }
        })
        .collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).map(|u| (u.code, u.name)).collect();
    let page = SheetsPage {
        b: me.base(me.lang.t("assessments"), "assessments"),
        rows,
        units,
        frameworks: sheet_frameworks(&state).iter().map(|f| (f.code.clone(), f.name_vi.clone())).collect(),
        framework,
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        this_year: time::OffsetDateTime::now_utc().year(),
        can_create: me.scope.can(Permission::SelfScore) || me.scope.can(Permission::Appraise),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct NewSheetForm {
    csrf: String,
    unit: String,
    framework: String,
    year: String,
}

async fn sheet_create(State(state): State<AppState>, me: CurrentUser, Form(f): Form<NewSheetForm>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let fw = framework(&state, &f.framework)?;
    let year = year_of(&f.year)?;
    let a = state.app.assessments().create(&me.scope, fw, &f.unit, year).await?;
    Ok(Redirect::to(&format!("/assessments/{}", a.id)).into_response())
}

#[derive(Template)]
#[template(path = "assessment_ranking.html")]
struct SheetRankingPage {
    b: Base,
    parent: String,
    parent_code: String,
    framework: String,
    year: i32,
    rows: Vec<SheetRankRow>,
    pending: Vec<(String, String, String, String)>,
}

struct SheetRankRow {
    rank: String,
    unit: String,
    name: String,
    points: String,
    percent: String,
    change: String,
    change_class: &'static str,
}

#[derive(Deserialize)]
pub struct SheetRankingQuery {
    parent: String,
    framework: Option<String>,
    year: String,
}

async fn sheet_ranking_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<SheetRankingQuery>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, q.framework.as_deref().unwrap_or("par_index"))?;
    let year = year_of(&q.year)?;
    let r = state.app.assessments().ranking(&me.scope, fw, &q.parent, year).await?;
    let rows = r
        .ranking
        .ranked
        .iter()
        .map(|u| {
            let root = u.nodes.get(&fw.code);
            let (change, change_class) = change_text(u.rank_change, u.previous_year, year);
            SheetRankRow {
                rank: u.rank.map_or("–".into(), |x| x.to_string()),
                unit: u.unit.clone(),
                name: u.name.clone().unwrap_or_default(),
                points: num(u.total),
                percent: pct(root.and_then(|n| n.percent)),
                change,
                change_class,
            }
        })
        .collect();
    let pending = r
        .pending
        .iter()
        .map(|p| {
            let status = SheetStatus::parse(&p.status).map_or(p.status.clone(), |s| s.name_vi().to_string());
            (p.unit.clone(), p.name.clone(), status, pct(p.appraised_percent))
        })
        .collect();
    let page = SheetRankingPage {
        b: me.base(&format!("Xếp hạng chỉ số CCHC {year} – {}", r.parent.name), "assessments"),
        parent: r.parent.name,
        parent_code: r.parent.unit,
        framework: fw.code.clone(),
        year,
        rows,
        pending,
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// Score sheet page and its forms

#[derive(Template)]
#[template(path = "assessment.html")]
struct SheetPage {
    b: Base,
    a: Assessment,
    fw_name: String,
    status_vi: &'static str,
    overall: SummaryRow,
    areas: Vec<SummaryRow>,
    rows: Vec<CriterionRow>,
    can_self: bool,
    can_appraise: bool,
    can_explain: bool,
    actions: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<String>,
    message: Option<String>,
    history: Vec<AuditRow>,
    has_adjusted: bool,
}

struct SummaryRow {
    code: String,
    name: String,
    max: String,
    self_score: String,
    self_pct: String,
    appraised: String,
    appraised_pct: String,
    diff: String,
}

struct CriterionRow {
    is_area: bool,
    code: String,
    name: String,
    max: String,
    survey: bool,
    self_score: String,
    self_input: String,
    evidence: String,
    missing: String,
    appraised: String,
    appraised_input: String,
    decision: String,
    adjusted: bool,
    reason: String,
    explanation: String,
    diff: String,
    appraised_pct: String,
}

/// A number as a form's input value: "1,5" (what people type back).
fn input_value(x: Option<f64>) -> String {
    x.map(|v| {
        let s = format!("{}", chiso_core::results::round_to(v, 4));
        s.replace('.', ",")
    })
    .unwrap_or_default()
}

fn sheet_page_model(
    me: &CurrentUser,
    fw: &Framework,
    v: SheetView,
    history: Vec<AuditRow>,
    errors: Vec<String>,
    message: Option<String>,
) -> SheetPage {
    let summary = |r: &chiso_core::results::SheetRow| SummaryRow {
        code: r.code.clone(),
        name: r.name_vi.clone(),
        max: num(Some(r.max)),
        self_score: num(r.self_score),
        self_pct: pct(r.self_percent),
        appraised: num(r.appraised_score),
        appraised_pct: pct(r.appraised_percent),
        diff: num(r.difference),
    };
    let overall = v.sheet.overall().map(summary).unwrap_or(SummaryRow {
        code: fw.code.clone(),
        name: fw.name_vi.clone(),
        max: "–".into(),
        self_score: "–".into(),
        self_pct: "–".into(),
        appraised: "–".into(),
        appraised_pct: "–".into(),
        diff: "–".into(),
    });
    let areas = v.sheet.rows.iter().filter(|r| r.depth == 1).map(summary).collect();
    let items: HashMap<&str, &chiso_store::assessments::AssessmentItem> = v.items.iter().map(|i| (i.node.as_str(), i)).collect();
    let tree = fw.tree_for_year(Some(v.assessment.year));
    let mut rows = Vec::new();
    for r in v.sheet.rows.iter().filter(|r| r.depth >= 1) {
        let is_area = tree.find(&r.code).is_some_and(|n| !n.is_leaf());
        let it = items.get(r.code.as_str());
        let decision = it.and_then(|i| i.decision.as_deref()).unwrap_or("");
        rows.push(CriterionRow {
            is_area,
            code: r.code.clone(),
            name: r.name_vi.clone(),
            max: num(Some(r.max)),
            survey: r.source == Source::Survey,
            self_score: num(r.self_score),
            self_input: input_value(it.and_then(|i| i.self_score)),
            evidence: it.and_then(|i| i.evidence.clone()).unwrap_or_default(),
            missing: it.and_then(|i| i.missing_reason.clone()).unwrap_or_default(),
            appraised: if it.is_some_and(|i| i.decision.is_some()) || is_area { num(r.appraised_score) } else { "–".into() },
            appraised_input: input_value(it.and_then(|i| i.appraised_score.or(i.self_score))),
            decision: match decision {
                "accept" => "chấp nhận",
                "adjust" => "điều chỉnh",
                "survey" => "điều tra XHH",
                _ => "",
            }
            .to_string(),
            adjusted: decision == "adjust",
            reason: it.and_then(|i| i.appraisal_reason.clone()).unwrap_or_default(),
            explanation: it.and_then(|i| i.explanation.clone()).unwrap_or_default(),
            diff: num(r.difference),
            appraised_pct: pct(r.appraised_percent),
        });
    }
    let has_adjusted = rows.iter().any(|r| r.adjusted);
    SheetPage {
        b: me.base(&format!("{} – {} {}", v.assessment.unit_name, v.assessment.framework, v.assessment.year), "assessments"),
        fw_name: fw.name_vi.clone(),
        status_vi: v.status_vi,
        overall,
        areas,
        rows,
        can_self: v.can_self_score,
        can_appraise: v.can_appraise,
        can_explain: v.can_explain,
        actions: v.actions.iter().map(|a| (a.as_str(), a.name_vi(), a.needs_reason())).collect(),
        errors,
        message,
        history,
        has_adjusted,
        a: v.assessment,
    }
}

async fn render_sheet(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    errors: Vec<String>,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let a = state.store.assessment(&me.scope, id).await?;
    let fw = framework(state, &a.framework)?;
    let v = state.app.assessments().sheet(&me.scope, fw, id).await?;
    let history = audit_rows(state.store.audit_of(&me.scope, "assessment", &id.to_string()).await?);
    Ok(Html(sheet_page_model(me, fw, v, history, errors, message).render()?))
}

async fn sheet_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<MsgQuery>,
) -> Result<Html<String>, PageError> {
    render_sheet(&state, &me, id, Vec::new(), q.msg).await
}

/// After a sheet form: back to the sheet, or the sheet again with what was wrong (422 / 409).
async fn after_form(state: &AppState, me: &CurrentUser, id: i64, result: Result<(), AppError>, done: &str) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/assessments/{id}?msg={}", urlencode(done))).into_response()),
        Err(e @ (AppError::Store(StoreError::Invalid(_) | StoreError::Conflict(_)) | AppError::BadRequest(_))) => {
            let status = e.status();
            let errors = vec![e.to_string()];
            Ok((status, render_sheet(state, me, id, errors, None).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn sheet_framework(state: &AppState, me: &CurrentUser, id: i64) -> Result<(Assessment, Framework), AppError> {
    let a = state.store.assessment(&me.scope, id).await?;
    let fw = framework(state, &a.framework)?.clone();
    Ok((a, fw))
}

fn self_inputs(fw: &Framework, year: i32, f: &Fields) -> Result<Vec<SelfScoreInput>, AppError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for l in fw.leaves_for_year(year).into_iter().filter(|l| l.source != Source::Survey) {
        let key = format!("score:{}", l.code);
        if !f.has(&key) {
            continue;
        }
        match parse_score(f.get(&key), &format!("tiêu chí {}", l.code)) {
            Ok(score) => out.push(SelfScoreInput {
                node: l.code.clone(),
                score,
                evidence: Some(f.get(&format!("evidence:{}", l.code)).to_string()),
                missing_reason: Some(f.get(&format!("missing:{}", l.code)).to_string()),
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::BadRequest(errors.join("; "))) }
}

fn appraisal_inputs(fw: &Framework, year: i32, f: &Fields) -> Result<Vec<AppraisalInput>, AppError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for l in fw.leaves_for_year(year) {
        let key = format!("appr:{}", l.code);
        if !f.has(&key) {
            continue;
        }
        match parse_score(f.get(&key), &format!("tiêu chí {}", l.code)) {
            Ok(score) => {
                out.push(AppraisalInput { node: l.code.clone(), score, reason: Some(f.get(&format!("reason:{}", l.code)).to_string()) })
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::BadRequest(errors.join("; "))) }
}

async fn sheet_self(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list);
    me.check_csrf(f.get("csrf"))?;
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let result = async {
        let inputs = self_inputs(&fw, a.year, &f)?;
        state.app.assessments().save_self_scores(&me.scope, &fw, id, &inputs, f.version()).await?;
        Ok(())
    }
    .await;
    after_form(&state, &me, id, result, "Đã lưu điểm tự chấm.").await
}

async fn sheet_appraise(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list);
    me.check_csrf(f.get("csrf"))?;
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let result = async {
        let inputs = appraisal_inputs(&fw, a.year, &f)?;
        state.app.assessments().appraise(&me.scope, &fw, id, &inputs, f.version()).await?;
        Ok(())
    }
    .await;
    after_form(&state, &me, id, result, "Đã lưu kết quả thẩm định.").await
}

async fn sheet_explain(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list);
    me.check_csrf(f.get("csrf"))?;
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<(String, String)> = fw
        .leaves_for_year(a.year)
        .into_iter()
        .filter_map(|l| {
            let key = format!("expl:{}", l.code);
            f.has(&key).then(|| (l.code.clone(), f.get(&key).to_string()))
        })
        .collect();
    let result = state.app.assessments().explain(&me.scope, &fw, id, &inputs, f.version()).await.map(|_| ()).map_err(AppError::from);
    after_form(&state, &me, id, result, "Đã lưu giải trình.").await
}

async fn sheet_status(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list);
    me.check_csrf(f.get("csrf"))?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let action =
        SheetAction::parse(f.get("action")).ok_or_else(|| AppError::BadRequest(format!("thao tác '{}' không có", f.get("action"))))?;
    let reason = Some(f.get("reason")).filter(|s| !s.trim().is_empty());
    let result =
        state.app.assessments().transition(&me.scope, &fw, id, action, reason, f.version()).await.map(|_| ()).map_err(AppError::from);
    after_form(&state, &me, id, result, &format!("Đã {}.", action.name_vi().to_lowercase())).await
}

// ---------------------------------------------------------------------------------------------
// JSON API

async fn api_years(State(state): State<AppState>, me: CurrentUser, Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    let fw = framework(&state, &code)?;
    let years = state.store.result_years(&me.scope, &fw.code).await?;
    Ok(Json(json!({"framework": fw.code, "years": years})))
}

#[derive(Deserialize, Default)]
pub struct ParentQuery {
    parent: Option<String>,
}

async fn api_ranking(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<ParentQuery>,
) -> Result<Json<RankTable>, ApiError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let parent = q.parent.as_deref().filter(|s| !s.is_empty());
    let r = state.app.results().ranking(&me.scope, fw, year, parent).await?;
    Ok(Json(rank_table(&r)))
}

#[derive(Serialize)]
struct UnitResult {
    framework: String,
    year: i32,
    unit: String,
    name: String,
    published: bool,
    /// Scores, ranks and changes of every node (absent when not published).
    result: Option<RankedUnit>,
    /// National (peer) mean, best and worst per node.
    stats: BTreeMap<String, NodeStats>,
}

async fn api_unit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year, unit)): Path<(String, String, String)>,
) -> Result<Json<UnitResult>, ApiError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let r = state.app.results().ranking(&me.scope, fw, year, None).await?;
    let entry = r.unit(&unit).cloned();
    let name = entry
        .as_ref()
        .and_then(|e| e.name.clone())
        .or_else(|| r.not_published.iter().find(|u| u.unit == unit).and_then(|u| u.name.clone()))
        .ok_or_else(|| AppError::NotFound(format!("kết quả {} năm {year} của đơn vị mã '{unit}'", fw.code)))?;
    Ok(Json(UnitResult { framework: fw.code.clone(), year, unit, name, published: entry.is_some(), result: entry, stats: r.stats }))
}

async fn api_weak(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year, unit)): Path<(String, String, String)>,
) -> Result<Json<WeakReport>, ApiError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    Ok(Json(state.app.results().next_plan_outline(&me.scope, fw, &unit, year).await?))
}

async fn api_sheets(State(state): State<AppState>, me: CurrentUser, Query(q): Query<SheetsQuery>) -> Result<Json<Value>, ApiError> {
    let year = crate::pages::parse_year(&q.year)?;
    let list = state.store.assessments(&me.scope, q.framework.as_deref().filter(|s| !s.is_empty()), year).await?;
    Ok(Json(serde_json::to_value(list).map_err(|e| AppError::Internal(e.to_string()))?))
}

#[derive(Deserialize)]
struct NewSheetJson {
    unit: String,
    framework: String,
    year: i32,
}

async fn api_sheet_create(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Json(n): Json<NewSheetJson>,
) -> Result<(StatusCode, Json<SheetView>), ApiError> {
    check_header_csrf(&me, &headers)?;
    let fw = framework(&state, &n.framework)?;
    let a = state.app.assessments().create(&me.scope, fw, &n.unit, n.year).await?;
    Ok((StatusCode::CREATED, Json(state.app.assessments().sheet(&me.scope, fw, a.id).await?)))
}

async fn api_sheet(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Json<SheetView>, ApiError> {
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize)]
struct SelfItemJson {
    node: String,
    score: Option<f64>,
    evidence: Option<String>,
    missing_reason: Option<String>,
}

#[derive(Deserialize)]
struct SelfJson {
    version: Option<i32>,
    items: Vec<SelfItemJson>,
}

async fn api_self(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<SelfJson>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<SelfScoreInput> = b
        .items
        .into_iter()
        .map(|i| SelfScoreInput { node: i.node, score: i.score, evidence: i.evidence, missing_reason: i.missing_reason })
        .collect();
    state.app.assessments().save_self_scores(&me.scope, &fw, id, &inputs, b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize)]
struct AppraisalItemJson {
    node: String,
    score: Option<f64>,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct AppraisalJson {
    version: Option<i32>,
    items: Vec<AppraisalItemJson>,
}

async fn api_appraise(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<AppraisalJson>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<AppraisalInput> =
        b.items.into_iter().map(|i| AppraisalInput { node: i.node, score: i.score, reason: i.reason }).collect();
    state.app.assessments().appraise(&me.scope, &fw, id, &inputs, b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize)]
struct ExplanationItemJson {
    node: String,
    text: String,
}

#[derive(Deserialize)]
struct ExplanationJson {
    version: Option<i32>,
    items: Vec<ExplanationItemJson>,
}

async fn api_explain(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<ExplanationJson>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<(String, String)> = b.items.into_iter().map(|i| (i.node, i.text)).collect();
    state.app.assessments().explain(&me.scope, &fw, id, &inputs, b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize)]
struct TransitionJson {
    action: String,
    reason: Option<String>,
    version: Option<i32>,
}

async fn api_transition(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<TransitionJson>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let action = SheetAction::parse(&b.action).ok_or_else(|| {
        let all: Vec<&str> = SheetAction::ALL.iter().map(|a| a.as_str()).collect();
        AppError::BadRequest(format!("thao tác '{}' không có (có: {})", b.action, all.join(", ")))
    })?;
    state.app.assessments().transition(&me.scope, &fw, id, action, b.reason.as_deref(), b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

// ---------------------------------------------------------------------------------------------
// OpenAPI

/// The OpenAPI path items of the routes above, merged into `api::openapi_document`.
pub fn openapi_paths() -> serde_json::Map<String, Value> {
    let err = json!({"description": "Lỗi", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |desc: &str, schema: Value| json!({"description": desc, "content": {"application/json": {"schema": schema}}});
    let fw =
        json!({"name": "framework", "in": "path", "required": true, "schema": {"type": "string"}, "description": "papi, par_index, sipas"});
    let year = json!({"name": "year", "in": "path", "required": true, "schema": {"type": "integer"}});
    let unit =
        json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string"}, "description": "mã đơn vị (01 = Hà Nội)"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let write = json!([{"session": [], "csrf": []}]);
    let version = json!({"type": "integer", "description": "phiên bản phiếu đã đọc; khác phiên bản hiện tại → 409"});
    let sheet = json!({"type": "object", "description": "SheetView: assessment, status_vi, items, sheet (rows: code, max, self_score, appraised_score, difference, self_percent, appraised_percent), can_self_score, can_appraise, can_explain, actions"});
    let rank_row = json!({"type": "object", "properties": {
        "unit": {"type": "string"}, "name": {"type": "string"}, "total": {"type": ["number", "null"]}, "rank": {"type": ["integer", "null"]},
        "previous_rank": {"type": ["integer", "null"]}, "rank_change": {"type": ["integer", "null"], "description": "> 0: tăng bậc"},
        "dimensions": {"type": "object", "additionalProperties": {"type": "number"}}}});
    let rank_table = json!({"type": "object", "properties": {"framework": {"type": "string"}, "year": {"type": "integer"},
        "ranked": {"type": "array", "items": rank_row}, "partially_published": {"type": "array", "items": rank_row},
        "not_published": {"type": "array", "items": {"type": "object", "properties": {"unit": {"type": "string"}, "name": {"type": "string"}}}}}});
    let items = |props: Value| json!({"type": "object", "required": ["items"], "properties": {"version": version, "items": {"type": "array", "items": {"type": "object", "properties": props}}}});
    let body = |schema: Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let paths = json!({
        "/api/v1/results/{framework}": {"get": {"summary": "Các năm đã nhập kết quả công bố", "parameters": [fw],
            "responses": {"200": ok("Các năm", json!({"type": "object"})), "404": err}}},
        "/api/v1/results/{framework}/{year}": {"get": {"summary": "Xếp hạng một năm (công khai; tùy chọn: các đơn vị trực thuộc `parent`)",
            "parameters": [fw, year, {"name": "parent", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": ok("Xếp hạng", rank_table), "404": err}}},
        "/api/v1/results/{framework}/{year}/units/{code}": {"get": {"summary": "Kết quả một đơn vị: điểm, hạng, thay đổi từng nội dung; trung bình và cao nhất toàn quốc",
            "parameters": [fw, year, unit], "responses": {"200": ok("Kết quả", json!({"type": "object"})), "404": err}}},
        "/api/v1/results/{framework}/{year}/units/{code}/weak-points": {"get": {"summary": "Điểm yếu (theo điểm mất, hạng, thay đổi), ba nhóm nhiệm vụ và dàn ý kế hoạch năm sau; từ kết quả công bố hoặc phiếu chấm điểm của đơn vị",
            "parameters": [fw, year, unit], "responses": {"200": ok("Điểm yếu", json!({"type": "object", "properties": {
                "items": {"type": "array"}, "by_rank": {"type": "array"}, "by_change": {"type": "array"},
                "groups": {"type": "object", "properties": {"keep": {"type": "array"}, "improve": {"type": "array"}, "survey": {"type": "array"}}},
                "plan": {"type": "object"}}})), "403": err, "404": err}}},
        "/api/v1/assessments": {
            "get": {"summary": "Phiếu chấm điểm trong phạm vi", "parameters": [
                {"name": "framework", "in": "query", "schema": {"type": "string"}}, {"name": "year", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": ok("Danh sách", json!({"type": "array"}))}},
            "post": {"summary": "Lập phiếu chấm điểm cho một đơn vị", "security": write,
                "requestBody": body(json!({"type": "object", "required": ["unit", "framework", "year"], "properties": {"unit": {"type": "string"}, "framework": {"type": "string"}, "year": {"type": "integer"}}})),
                "responses": {"201": ok("Phiếu", sheet.clone()), "403": err, "409": err, "422": err}}},
        "/api/v1/assessments/{id}": {"get": {"summary": "Phiếu chấm điểm: tự chấm, thẩm định, chênh lệch, tỷ lệ % theo tổng, lĩnh vực, tiêu chí", "parameters": [id],
            "responses": {"200": ok("Phiếu", sheet.clone()), "403": err, "404": err}}},
        "/api/v1/assessments/{id}/self-scores": {"post": {"summary": "Lưu điểm tự chấm và tài liệu kiểm chứng (khi đang tự chấm)", "parameters": [id], "security": write,
            "requestBody": body(items(json!({"node": {"type": "string"}, "score": {"type": ["number", "null"]}, "evidence": {"type": "string"}, "missing_reason": {"type": "string"}}))),
            "responses": {"200": ok("Phiếu", sheet.clone()), "403": err, "409": err, "422": err}}},
        "/api/v1/assessments/{id}/appraisals": {"post": {"summary": "Thẩm định: score rỗng = chấp nhận; điểm khác = điều chỉnh, cần reason; tiêu chí điều tra: điểm điều tra", "parameters": [id], "security": write,
            "requestBody": body(items(json!({"node": {"type": "string"}, "score": {"type": ["number", "null"]}, "reason": {"type": "string"}}))),
            "responses": {"200": ok("Phiếu", sheet.clone()), "403": err, "409": err, "422": err}}},
        "/api/v1/assessments/{id}/explanations": {"post": {"summary": "Giải trình của đơn vị sau thẩm định", "parameters": [id], "security": write,
            "requestBody": body(items(json!({"node": {"type": "string"}, "text": {"type": "string"}}))),
            "responses": {"200": ok("Phiếu", sheet.clone()), "403": err, "409": err, "422": err}}},
        "/api/v1/assessments/{id}/transitions": {"post": {"summary": "Đổi trạng thái: submit, complete_appraisal, explain, finalise, reopen (reopen cần reason)", "parameters": [id], "security": write,
            "requestBody": body(json!({"type": "object", "required": ["action"], "properties": {"action": {"type": "string", "enum": ["submit", "complete_appraisal", "explain", "finalise", "reopen"]}, "reason": {"type": "string"}, "version": version}})),
            "responses": {"200": ok("Phiếu", sheet.clone()), "400": err, "403": err, "409": err, "422": err}}}
    });
    match paths {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(node_number("papi.d1.s2"), "1.2");
        assert_eq!(node_number("par.a3.c4"), "3.4");
        assert_eq!(node_number("papi.d8"), "8");
        assert_eq!(node_number("odd.x.y"), "odd.x.y");
        assert_eq!(parse_score(" 1,5 ", "x"), Ok(Some(1.5)));
        assert_eq!(parse_score("2.25", "x"), Ok(Some(2.25)));
        assert_eq!(parse_score("", "x"), Ok(None));
        assert!(parse_score("1,5,0", "tiêu chí a").is_err_and(|e| e.contains("tiêu chí a")));
        assert!(parse_score("NaN", "x").is_err() && parse_score("inf", "x").is_err());
        // Nothing a unit's name holds can close the script element the chart data lives in.
        let s = script_json(&json!({"name": "</script><script>alert(1)</script>&"}));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(serde_json::from_str::<Value>(&s).ok(), Some(json!({"name": "</script><script>alert(1)</script>&"})));
        assert_eq!(change_text(Some(6), Some(2023), 2024), ("tăng 6 bậc".to_string(), "up"));
        assert_eq!(change_text(Some(0), Some(2022), 2024).0, "giữ nguyên (so với 2022)");
        assert_eq!(change_text(Some(-2), Some(2023), 2024), ("giảm 2 bậc".to_string(), "down"));
        assert_eq!(input_value(Some(1.5)), "1,5");
        assert_eq!(num(Some(47.821236)), "47,82");
        assert_eq!(pct(Some(88.571_428)), "88,57%");
        assert_eq!(
            (signed(Some(0.523)), signed(Some(-1.03)), signed(Some(0.0)), signed(None)),
            ("+0,52".into(), "−1,03".into(), "±0".into(), String::new())
        );
    }
}
