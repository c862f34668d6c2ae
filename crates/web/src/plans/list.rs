//! The list of plans (filters, sort) and importing a plan document by upload.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc, PlanSort};
use chiso_core::access::Permission;
use chiso_core::plan::PlanStatus;
use chiso_core::text::vn_date_short;
use chiso_core::unit::parse_date;
use chiso_store::plans::{PlanFilter, PlanListItem};
use chiso_store::units::Unit;
use serde::Deserialize;

pub struct PlanRowView {
    pub item: PlanListItem,
    pub status_vi: &'static str,
    pub date: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    b: crate::pages::Base,
    rows: Vec<PlanRowView>,
    units: Vec<Unit>,
    q: PlansQuery,
    can_edit: bool,
    error: Option<String>,
}

/// The filters of the list, as the query string gives them (the page shows them back as typed).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlansQuery {
    /// Mã đơn vị.
    #[serde(default)]
    pub unit: String,
    /// Năm (bỏ qua nếu không phải số).
    #[serde(default)]
    pub year: String,
    /// `draft` hoặc `issued` (giá trị khác: danh sách rỗng).
    #[serde(default)]
    pub status: String,
    /// Họ bộ chỉ số (papi, par_index, sipas …).
    #[serde(default)]
    pub family: String,
    /// Tìm không dấu trong tiêu đề.
    #[serde(default)]
    pub q: String,
    /// Thứ tự của trang danh sách (API luôn trả mới nhất trước).
    #[serde(default)]
    pub sort: String,
}

/// The store filter of a query; `None` when it asks for a status no plan can have (so nothing matches).
pub fn filter_of(q: &PlansQuery) -> Option<PlanFilter> {
    let status = match q.status.as_str() {
        "" => None,
        s => Some(PlanStatus::parse(s)?),
    };
    Some(PlanFilter {
        unit_code: Some(q.unit.clone()).filter(|s| !s.is_empty()),
        year: q.year.trim().parse().ok(),
        status,
        family: Some(q.family.clone()).filter(|s| !s.is_empty()),
        text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    })
}

/// The plans a query asks for, in its order.
pub async fn plans_of(state: &AppState, me: &CurrentUser, q: &PlansQuery) -> Result<Vec<PlanListItem>, AppError> {
    match filter_of(q) {
        Some(filter) => Ok(uc::list_plans(&state.app, &me.scope, &filter, PlanSort::parse(&q.sort)).await?),
        None => Ok(Vec::new()),
    }
}

pub async fn list(State(state): State<AppState>, me: CurrentUser, Query(q): Query<PlansQuery>) -> Result<Html<String>, PageError> {
    render_list(&state, &me, q, None).await.map(Html)
}

async fn render_list(state: &AppState, me: &CurrentUser, q: PlansQuery, error: Option<String>) -> Result<String, PageError> {
    let rows = plans_of(state, me, &q)
        .await?
        .into_iter()
        .map(|item| PlanRowView {
            status_vi: crate::labels::plan_status(me.lang, item.plan.status),
            date: item.plan.issued_on.as_deref().and_then(parse_date).map(vn_date_short).unwrap_or_else(|| "—".into()),
            item,
        })
        .collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let page = PlansPage { b: me.base("Kế hoạch", "plans"), rows, units, q, can_edit: me.scope.can(Permission::EditPlans), error };
    Ok(page.render()?)
}

/// Plan documents: see `chiso_core::limits` (the parser's own limit applies too).
pub const PLAN_UPLOAD_LIMIT: usize = chiso_core::limits::MAX_PLAN_DOCUMENT_BYTES;

pub async fn import_upload(
    State(state): State<AppState>,
    me: CurrentUser,
    mut multipart: crate::extract::Upload,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut unit = String::new();
    let mut year = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field("biểu mẫu tải lên không hợp lệ").await? {
        match field.name() {
            Some("csrf") => csrf = field.text().await?,
            Some("unit") => unit = field.text().await?,
            Some("year") => year = field.text().await?,
            Some("file") => {
                let name = field.file_name().unwrap_or("tệp").to_string();
                let bytes = field.bytes().await.map_err(AppError::multipart)?;
                if bytes.len() > PLAN_UPLOAD_LIMIT {
                    return Err(AppError::BadRequest(format!(
                        "tệp '{name}' quá lớn (tối đa {} MB)",
                        PLAN_UPLOAD_LIMIT / chiso_core::limits::MB
                    ))
                    .into());
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    me.check_csrf(&csrf)?;
    let Some((name, bytes)) = file else { return Err(AppError::BadRequest("chưa chọn tệp kế hoạch".into()).into()) };
    match uc::import_document(&state.app, &me.scope, &unit, &bytes, &name, year.trim().parse().ok()).await {
        Ok(plan) => Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response()),
        // A refused document: the list again, with the reason, so another file can be chosen.
        Err(e) if e.is_document_rejected() => {
            let html = render_list(&state, &me, PlansQuery::default(), Some(format!("Không nhập được '{name}': {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
