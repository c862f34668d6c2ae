//! The estimates page (intervals, small-sample warnings, radar chart beside the official results, survey
//! points for a score sheet), computing estimates, and filling a score sheet from them.

use super::render::{INPUT_MISTAKES, dimension_short, family_label, is_one_of, node_name, number_text, vn_datetime, with_interval};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::pages::Base;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::ErrorKind;
use chiso_app::surveys::{EstimateOptions, SheetPoints, is_small_sample};
use chiso_core::access::Permission;
use chiso_core::framework::Framework;
use chiso_core::text::vn_number;
use chiso_stats::UnitReport;
use chiso_store::surveys::Survey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most bootstrap replicates asked from the web page (a page request must not keep a core busy for
/// minutes; the command line has no limit).
const MAX_WEB_BOOTSTRAP: usize = 20_000;

struct SubView {
    code: String,
    label: String,
    /// "thang 0,33–3,33" (the node's official range), empty for runs on the engine's scale.
    range: String,
    value: String,
    official: String,
}

struct DimView {
    code: String,
    label: String,
    range: String,
    /// "ước lượng từ 1/3 nội dung thành phần có câu trả lời" when not every one was measured.
    coverage: String,
    value: String,
    official: String,
    subs: Vec<SubView>,
}

struct GroupView {
    name: String,
    n: usize,
    total: String,
    small: bool,
}

struct UnitView {
    code: String,
    name: String,
    n: usize,
    n_text: String,
    weight_sum: String,
    small: bool,
    total: String,
    total_range: String,
    official_total: String,
    dims: Vec<DimView>,
    groups: Vec<GroupView>,
    warnings: Vec<String>,
    /// Survey points for a PAR-style score sheet: (leaf, label, "4,12 / 6").
    sheet: Vec<(String, String, String)>,
}

#[derive(Serialize)]
struct RadarSeries {
    name: String,
    values: Vec<Option<f64>>,
    kind: &'static str,
}

#[derive(Serialize)]
struct RadarChart {
    id: String,
    axes: Vec<String>,
    series: Vec<RadarSeries>,
}

#[derive(Template)]
#[template(path = "survey_estimates.html")]
struct EstimatesPage {
    b: Base,
    survey: Survey,
    run: Option<String>,
    units: Vec<UnitView>,
    charts_json: String,
    official_label: Option<String>,
    /// How the values are put on the official scale (or why they are not).
    method: String,
    warnings: Vec<String>,
    runs: Vec<String>,
    can_edit: bool,
    error: Option<String>,
    default_bootstrap: usize,
    default_seed: u64,
}

/// Where survey values are put beside official ones: the framework's tree of a year (the official results'
/// year when they are shown, else the survey's), on which each node's share is put on the node's official
/// range by `chiso_core::framework::Node::value_of_share` — the one place that rule lives.
struct OfficialScale<'a> {
    fw: Option<&'a Framework>,
    tree: Option<chiso_core::framework::Node>,
    /// The run stored the shares (runs before issue 12 did not: their values stay on the engine's scale).
    has_shares: bool,
}

impl OfficialScale<'_> {
    fn node(&self, code: &str) -> Option<&chiso_core::framework::Node> {
        let tree = self.tree.as_ref()?;
        if code.is_empty() { Some(tree) } else { tree.find(code) }
    }

    /// "2,11 (1,90–2,30)" on the node's official range, or why there is no such value.
    fn value(&self, ur: &UnitReport, code: &str) -> (Option<f64>, String) {
        let Some(node) = self.node(code) else { return (None, "—".into()) };
        if !node.is_survey_measured() {
            return (None, "không so sánh".into());
        }
        let share = ur.estimate.shares.get(code).copied().flatten();
        let v = share.and_then(|n| node.value_of_share(n));
        let ci = ur
            .ci95
            .as_ref()
            .and_then(|c| c.shares.get(code).copied().flatten())
            .and_then(|[lo, hi]| Some([node.value_of_share(lo)?, node.value_of_share(hi)?]));
        (v, with_interval(v, ci))
    }

    /// "thang 0,33–3,33".
    fn range(&self, code: &str) -> String {
        match self.node(code).and_then(|n| n.min.zip(n.max)) {
            Some((lo, hi)) => format!("thang {}–{}", vn_number(lo, 2), vn_number(hi, 2)),
            None => String::new(),
        }
    }
}

fn unit_view(
    code: &str,
    name: String,
    ur: &UnitReport,
    scale: &OfficialScale<'_>,
    official: Option<&BTreeMap<String, f64>>,
    charts: &mut Vec<RadarChart>,
    official_label: Option<&str>,
) -> UnitView {
    let fw = scale.fw;
    let ci = ur.ci95.as_ref();
    let off = |c: &str| official.and_then(|o| o.get(c)).map(|v| vn_number(*v, 2)).unwrap_or_default();
    // A value as shown: on the official scale when the run has shares, else as the engine computed it.
    let shown = |node: &str, engine: Option<f64>, engine_ci: Option<[f64; 2]>| -> (Option<f64>, String) {
        if scale.has_shares { scale.value(ur, node) } else { (engine, with_interval(engine, engine_ci)) }
    };
    let mut radar_values: Vec<Option<f64>> = Vec::new();
    let dims: Vec<DimView> = ur
        .estimate
        .dimensions
        .0
        .iter()
        .map(|(d, v)| {
            let subs: Vec<SubView> = ur
                .estimate
                .sub_dimensions
                .0
                .iter()
                .filter(|(s, _)| s.rsplit_once('.').is_some_and(|(dim, _)| dim == d))
                .map(|(s, sv)| SubView {
                    code: s.clone(),
                    label: node_name(fw, s),
                    range: if scale.has_shares { scale.range(s) } else { String::new() },
                    value: shown(s, *sv, ci.and_then(|c| c.sub_dimensions.get(s).copied().flatten())).1,
                    official: off(s),
                })
                .collect();
            let measured = ur
                .estimate
                .sub_dimensions
                .0
                .iter()
                .filter(|(s, v)| v.is_some() && s.rsplit_once('.').is_some_and(|(dim, _)| dim == d))
                .count();
            let (dv, value) = shown(d, *v, ci.and_then(|c| c.dimensions.get(d).copied().flatten()));
            radar_values.push(dv.map(|x| (x * 100.0).round() / 100.0));
            DimView {
                label: format!("{} – {}", dimension_short(d), node_name(fw, d)),
                range: if scale.has_shares { scale.range(d) } else { String::new() },
                coverage: if measured > 0 && measured < subs.len() {
                    format!("ước lượng từ {measured}/{} nội dung thành phần có câu trả lời", subs.len())
                } else {
                    String::new()
                },
                value,
                official: off(d),
                code: d.clone(),
                subs,
            }
        })
        .collect();
    let groups = ur
        .groups
        .as_ref()
        .map(|g| {
            g.0.iter()
                .map(|(name, gr)| GroupView {
                    name: name.clone(),
                    n: gr.n,
                    total: shown("", gr.estimate.total, gr.ci95.as_ref().and_then(|c| c.total)).1,
                    small: is_small_sample(gr.n),
                })
                .collect()
        })
        .unwrap_or_default();
    // Radar: one axis per dimension, the estimate between its 95% bounds, and the official scores, all on
    // the official scale. Short axis names (the table beside the chart has the full ones).
    let axes: Vec<String> = ur.estimate.dimensions.keys().map(dimension_short).collect();
    let bound = |d: &str, i: usize| -> Option<f64> {
        if scale.has_shares {
            let node = scale.node(d)?;
            let [lo, hi] = ci?.shares.get(d).copied().flatten()?;
            node.value_of_share(if i == 0 { lo } else { hi })
        } else {
            ci.and_then(|c| c.dimensions.get(d).copied().flatten()).map(|x| x[i])
        }
    };
    let pick = |f: &dyn Fn(&str) -> Option<f64>| -> Vec<Option<f64>> {
        ur.estimate.dimensions.0.iter().map(|(d, _)| f(d).map(|x| (x * 100.0).round() / 100.0)).collect()
    };
    let mut series = vec![
        RadarSeries { name: "Cận trên 95%".into(), values: pick(&|d| bound(d, 1)), kind: "hi" },
        RadarSeries { name: "Cận dưới 95%".into(), values: pick(&|d| bound(d, 0)), kind: "lo" },
        RadarSeries { name: "Ước lượng".into(), values: radar_values, kind: "estimate" },
    ];
    if let (Some(o), Some(label)) = (official, official_label) {
        series.push(RadarSeries { name: label.to_string(), values: pick(&|d| o.get(d).copied()), kind: "official" });
    }
    charts.push(RadarChart { id: format!("radar-{code}"), axes, series });
    UnitView {
        code: code.to_string(),
        name,
        n: ur.n,
        n_text: vn_number(ur.n as f64, 0),
        weight_sum: vn_number(ur.weight_sum, 2),
        small: is_small_sample(ur.n),
        total: shown("", ur.estimate.total, ci.and_then(|c| c.total)).1,
        total_range: if scale.has_shares { scale.range("") } else { String::new() },
        official_total: official.and_then(|o| o.get(fw.map_or("", |f| f.code.as_str()))).map(|v| vn_number(*v, 2)).unwrap_or_default(),
        dims,
        groups,
        warnings: ur.warnings.clone(),
        sheet: Vec::new(),
    }
}

/// (leaf, its name, "4,50 / 6").
fn sheet_rows(fw: Option<&Framework>, points: &[SheetPoints]) -> Vec<(String, String, String)> {
    points
        .iter()
        .map(|p| (p.leaf.clone(), node_name(fw, &p.leaf), format!("{} / {}", vn_number(p.points, 2), number_text(p.max))))
        .collect()
}

#[derive(Deserialize, Default)]
pub(super) struct EstimatesQuery {
    run: Option<i64>,
}

pub(super) async fn estimates_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EstimatesQuery>,
) -> Result<Html<String>, PageError> {
    render_estimates(&state, &me, id, q.run, None).await.map(Html)
}

async fn render_estimates(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    run: Option<i64>,
    error: Option<String>,
) -> Result<String, PageError> {
    let est = chiso_app::surveys::survey_estimates(&state.app, &me.scope, id, run).await?;
    let fw = state.frameworks.get(&est.survey.framework);
    let has_shares = est.report.as_ref().is_some_and(|r| r.units.0.iter().all(|(_, u)| !u.estimate.shares.is_empty()));
    // Runs stored before the shares existed are on the engine's scale: never beside official results.
    let official = est.official.as_ref().filter(|_| has_shares);
    let official_label = official.zip(fw).map(|(o, f)| format!("{} chính thức {} – {}", family_label(f), o.year, o.unit_name));
    let official_scores = official.map(|o| &o.scores);
    let scale_year = official.map(|o| o.year).unwrap_or(est.survey.year as i32);
    let scale = OfficialScale { fw, tree: fw.map(|f| f.tree_for_year(Some(scale_year))), has_shares };
    let method = if has_shares {
        format!(
            "Mọi giá trị ở trang này được đưa về thang điểm chính thức của {} năm {scale_year}, nên đặt cạnh kết quả chính thức được: \
             với mỗi nội dung, n là tỷ lệ đánh giá tích cực từ 0 đến 1 (trung bình có trọng số của các câu trả lời đã chuẩn hoá về 0–1 \
             theo thang và chiều của từng câu hỏi); điểm = điểm thấp nhất + n × (điểm cao nhất − điểm thấp nhất) của chính nội dung đó \
             (ví dụ thang 0,33–3,33 và n = 0,50 cho 1,83). Nội dung lấy n trung bình của các nội dung thành phần có câu trả lời; tổng lấy \
             n trung bình của các nội dung. Khoảng tin cậy 95% đổi thang theo cùng công thức.",
            fw.map(family_label).unwrap_or_else(|| est.survey.framework.clone())
        )
    } else {
        "Lần tính này được lưu trước khi ước lượng được đưa về thang điểm chính thức: các giá trị dưới đây theo thang riêng của \
         công cụ ước lượng (nội dung thành phần (1 + 9n)/k), không so sánh được với kết quả chính thức. Hãy tính lại ước lượng."
            .to_string()
    };
    let mut charts = Vec::new();
    let mut units = Vec::new();
    let mut warnings = Vec::new();
    if let Some(report) = &est.report {
        warnings = report.warnings.clone();
        for (code, ur) in &report.units.0 {
            let name = est.unit_names.get(code).cloned().unwrap_or_else(|| code.clone());
            let mut view = unit_view(code, name, ur, &scale, official_scores, &mut charts, official_label.as_deref());
            if let Some(points) = est.sheet_points.get(code) {
                view.sheet = sheet_rows(fw, points);
            }
            units.push(view);
        }
    }
    let runs = est
        .runs
        .iter()
        .map(|e| format!("#{} — {}: {} câu trả lời, B = {}, seed = {}", e.id, vn_datetime(e.computed_at), e.responses, e.bootstrap, e.seed))
        .collect();
    let page = EstimatesPage {
        b: me.base(&format!("Ước lượng – {}", est.survey.title), "surveys"),
        run: est.run.as_ref().map(|e| {
            format!(
                "Tính lúc {} bởi {}: {} câu trả lời, B = {} lần lặp bootstrap, seed = {}{}",
                vn_datetime(e.computed_at),
                e.actor,
                e.responses,
                e.bootstrap,
                e.seed,
                if e.by_group { ", có ước lượng theo nhóm" } else { "" }
            )
        }),
        units,
        charts_json: crate::render::script_json(&charts),
        official_label,
        method,
        warnings,
        runs,
        can_edit: me.scope.can(Permission::EditPlans),
        error,
        default_bootstrap: 1000,
        default_seed: est.run.as_ref().map_or(1, |e| e.seed as u64),
        survey: est.survey,
    };
    Ok(page.render()?)
}

#[derive(Deserialize)]
pub(super) struct ComputeForm {
    csrf: String,
    #[serde(default)]
    bootstrap: String,
    #[serde(default)]
    seed: String,
    #[serde(default)]
    by_group: Option<String>,
}

/// B and the seed from the form (blank: 1000 and 1).
fn parse_compute(f: &ComputeForm) -> Result<EstimateOptions, String> {
    let bootstrap = if f.bootstrap.trim().is_empty() {
        1000
    } else {
        f.bootstrap.trim().parse().map_err(|_| format!("số lần lặp B \"{}\" không phải số nguyên", f.bootstrap))?
    };
    if bootstrap > MAX_WEB_BOOTSTRAP {
        return Err(format!("số lần lặp B tối đa trên trang là {MAX_WEB_BOOTSTRAP} (dùng lệnh chiso survey estimate cho số lớn hơn)"));
    }
    let seed = if f.seed.trim().is_empty() {
        1
    } else {
        f.seed.trim().parse().map_err(|_| format!("seed \"{}\" không phải số nguyên không âm", f.seed))?
    };
    Ok(EstimateOptions { bootstrap, seed, by_group: f.by_group.is_some() })
}

pub(super) async fn compute(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ComputeForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let result = match parse_compute(&f) {
        Ok(opts) => chiso_app::surveys::compute_estimates(&state.app, &me.scope, id, opts).await.map(|_| ()).map_err(AppError::from),
        Err(m) => Err(AppError::BadRequest(m)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/{id}/estimates")).into_response()),
        Err(e) if is_one_of(&e, INPUT_MISTAKES) => {
            let html = render_estimates(&state, &me, id, None, Some(format!("Không tính được ước lượng: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct SheetForm {
    csrf: String,
    unit: String,
}

/// Put the survey points of a unit (from the latest estimates) into its score sheet.
pub(super) async fn fill_sheet(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<SheetForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    match chiso_app::surveys::fill_sheet(&state.app, &me.scope, id, &f.unit).await.map_err(AppError::from) {
        Ok(sheet) => Ok(Redirect::to(&format!("/assessments/{sheet}")).into_response()),
        // Also the sheet's own refusals (its state, the caller's role): shown on the page.
        Err(e) if is_one_of(&e, &[ErrorKind::Invalid, ErrorKind::Unprocessable, ErrorKind::Conflict, ErrorKind::Forbidden]) => {
            let html = render_estimates(&state, &me, id, None, Some(format!("Không điền được phiếu chấm điểm: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
