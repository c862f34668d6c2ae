//! The survey page: questionnaire, responses per unit and group, invitations, imports, the latest estimate;
//! its files (questionnaire TOML, response template, synthetic responses) and opening or closing it.

use super::render::{csv_response, group_label, node_name, number_text, vn_datetime};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::pages::Base;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::surveys::{is_small_sample, response_csv_header, survey_overview};
use chiso_core::access::Permission;
use chiso_core::text::vn_number;
use chiso_store::surveys::{Invitation, Survey, SurveyStatus};
use chiso_store::units::Unit;
use serde::Deserialize;

struct IndicatorView {
    code: String,
    node: String,
    node_name: String,
    text: String,
    scale: String,
    reversed: bool,
    options: String,
    groups: String,
}

struct CountRow {
    unit_code: String,
    unit_name: String,
    total: i64,
    by_group: Vec<i64>,
    small: bool,
}

struct InvitationView {
    inv: Invitation,
    group: String,
    created: String,
    used: String,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    b: Base,
    survey: Survey,
    status_vi: &'static str,
    open: bool,
    draft: bool,
    fw_name: String,
    indicators: Vec<IndicatorView>,
    groups: Vec<String>,
    units: Vec<Unit>,
    group_columns: Vec<String>,
    counts: Vec<CountRow>,
    total_responses: String,
    invitations: Vec<InvitationView>,
    invitations_total: usize,
    invitations_used: usize,
    invitations_unused: usize,
    imports: Vec<(String, i64, String, String)>,
    latest: Option<String>,
    can_edit: bool,
    message: Option<String>,
    error: Option<String>,
    /// Every problem of a refused response file.
    problems: Vec<String>,
    next_seed: usize,
    csv_header: String,
}

#[derive(Deserialize, Default)]
pub(super) struct DetailQuery {
    #[serde(default)]
    imported: Option<usize>,
    #[serde(default)]
    invited: Option<usize>,
    #[serde(default)]
    warnings: Option<usize>,
    #[serde(default)]
    revoked: Option<u64>,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Html<String>, PageError> {
    let message = match (q.imported, q.invited) {
        (Some(n), _) => Some(format!(
            "Đã nhập {} câu trả lời.{}",
            vn_number(n as f64, 0),
            q.warnings.filter(|w| *w > 0).map(|w| format!(" Có {w} lưu ý (xem khi tính ước lượng).")).unwrap_or_default()
        )),
        (None, Some(n)) => Some(format!("Đã tạo {n} phiếu mời.")),
        _ => q.revoked.map(|n| format!("Đã thu hồi {n} phiếu mời chưa dùng: các đường dẫn đó không còn mở được.")),
    };
    render_detail(&state, &me, id, message, None).await.map(Html)
}

/// The survey page, with a message (after an action) or an error (an action refused).
pub(super) async fn render_detail(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    message: Option<String>,
    error: Option<String>,
) -> Result<String, PageError> {
    render_detail_with(state, me, id, message, error, Vec::new()).await
}

/// The survey page after a refused import: the error and every problem of the file, one per line.
pub(super) async fn render_detail_with(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    message: Option<String>,
    error: Option<String>,
    problems: Vec<String>,
) -> Result<String, PageError> {
    let o = survey_overview(&state.app, &me.scope, id).await?;
    let fw = state.frameworks.get(&o.survey.framework);
    let indicators = o
        .questionnaire
        .indicators
        .iter()
        .map(|i| IndicatorView {
            code: i.code.clone(),
            node: i.node.clone(),
            node_name: node_name(fw, &i.node),
            text: i.text.clone().unwrap_or_default(),
            scale: format!("{}–{}", number_text(i.min), number_text(i.max)),
            reversed: i.direction < 0,
            options: i.options.iter().map(|o| format!("{} = {}", number_text(o.value), o.label)).collect::<Vec<_>>().join("; "),
            groups: if i.groups.is_empty() {
                "mọi nhóm".into()
            } else {
                i.groups.iter().map(|g| crate::labels::survey_group(me.lang, g)).collect::<Vec<_>>().join(", ")
            },
        })
        .collect();
    let mut group_columns: Vec<String> = o.groups.clone();
    for c in &o.counts {
        let g = group_label(c.group_code.as_deref());
        if !group_columns.contains(&g) {
            group_columns.push(g);
        }
    }
    let mut rows: Vec<CountRow> = Vec::new();
    for c in &o.counts {
        let pos = match rows.iter().position(|r| r.unit_code == c.unit_code) {
            Some(p) => p,
            None => {
                rows.push(CountRow {
                    unit_code: c.unit_code.clone(),
                    unit_name: c.unit_name.clone(),
                    total: 0,
                    by_group: vec![0; group_columns.len()],
                    small: false,
                });
                rows.len() - 1
            }
        };
        let g = group_label(c.group_code.as_deref());
        if let Some(gi) = group_columns.iter().position(|x| *x == g) {
            rows[pos].by_group[gi] += c.n;
        }
        rows[pos].total += c.n;
    }
    for r in &mut rows {
        r.small = is_small_sample(r.total as usize);
    }
    let total_responses = vn_number(rows.iter().map(|r| r.total).sum::<i64>() as f64, 0);
    let (mut invitations, mut inv_total, mut inv_used, mut inv_unused) = (Vec::new(), 0, 0, 0);
    if let Some(all) = o.invitations {
        inv_total = all.total();
        inv_used = all.used();
        inv_unused = all.unused();
        // The newest first.
        invitations = all
            .all
            .into_iter()
            .rev()
            .take(50)
            .map(|inv| InvitationView {
                group: group_label(inv.group_code.as_deref()),
                created: vn_datetime(inv.created_at),
                used: inv.used_at.map(vn_datetime).unwrap_or_default(),
                inv,
            })
            .collect();
    }
    let imports: Vec<(String, i64, String, String)> =
        o.imports.into_iter().map(|i| (i.source_name, i.row_count, i.actor, vn_datetime(i.created_at))).collect();
    let latest = o.latest.map(|e| {
        format!(
            "{} — {} câu trả lời, B = {}, seed = {}{}",
            vn_datetime(e.computed_at),
            e.responses,
            e.bootstrap,
            e.seed,
            if e.by_group { ", theo nhóm" } else { "" }
        )
    });
    let survey = o.survey;
    let page = SurveyPage {
        b: me.base(&survey.title, "surveys"),
        status_vi: survey.status().name_vi(),
        open: survey.status() == SurveyStatus::Open,
        draft: survey.status() == SurveyStatus::Draft,
        fw_name: fw.map(|f| f.name_vi.clone()).unwrap_or_else(|| survey.framework.clone()),
        indicators,
        groups: o.groups,
        units: o.units,
        group_columns,
        counts: rows,
        total_responses,
        invitations,
        invitations_total: inv_total,
        invitations_used: inv_used,
        invitations_unused: inv_unused,
        next_seed: imports.len() + 1,
        imports,
        latest,
        can_edit: me.scope.can(Permission::EditPlans),
        message,
        error,
        problems,
        csv_header: response_csv_header(&o.questionnaire),
        survey,
    };
    Ok(page.render()?)
}

pub(super) async fn export_questionnaire(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let q = state.store.survey_questionnaire(&me.scope, id).await?;
    let toml = q.to_toml_string().map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"khao-sat-{id}.toml\"");
    Ok(([(CONTENT_TYPE, "application/toml; charset=utf-8".to_string()), (CONTENT_DISPOSITION, disposition)], toml).into_response())
}

pub(super) async fn template_csv(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let body = chiso_app::surveys::template_csv(&state.app, &me.scope, id).await?;
    Ok(csv_response(body, &format!("mau-cau-tra-loi-{id}.csv")))
}

#[derive(Deserialize)]
pub(super) struct SampleQuery {
    n: Option<usize>,
    seed: Option<u64>,
}

pub(super) async fn sample_csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(sq): Query<SampleQuery>,
) -> Result<Response, PageError> {
    let seed = sq.seed.unwrap_or(1);
    let body = chiso_app::surveys::sample_csv(&state.app, &me.scope, id, sq.n.unwrap_or(1000), seed).await?;
    Ok(csv_response(body, &format!("cau-tra-loi-gia-lap-{id}-{seed}.csv")))
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    csrf: String,
    status: String,
}

pub(super) async fn set_status(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let status = SurveyStatus::parse(&f.status).ok_or_else(|| AppError::BadRequest(format!("trạng thái \"{}\" không hợp lệ", f.status)))?;
    match chiso_app::surveys::set_status(&state.app, &me.scope, id, status).await {
        Ok(_) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(chiso_store::StoreError::Invalid(m) | chiso_store::StoreError::Conflict(m)) => {
            let html = render_detail(&state, &me, id, None, Some(m)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}
