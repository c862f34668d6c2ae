//! The list of plans (filters, sort) and importing a plan document by upload.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::extract::PageQuery;
use crate::lists::{ListFilters, ListNav, ListQuery};
use crate::startup::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc};
use chiso_core::access::Permission;
use chiso_core::list::Paged;
use chiso_core::plan::PlanStatus;
use chiso_core::text::vn_date_short;
use chiso_core::unit::parse_date;
use chiso_store::plans::{PlanColumn, PlanFilter, PlanListItem};
use chiso_store::units::Unit;
use serde::Deserialize;

pub struct PlanRowView {
    pub item: PlanListItem,
    pub status_vi: &'static str,
    pub date: String,
    /// "PAPI, Chỉ số CCHC": the plan's index families as people name them.
    pub families: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    b: crate::pages::Base,
    rows: Vec<PlanRowView>,
    /// Units plans may be imported into.
    units: Vec<Unit>,
    /// Units the list may be filtered by (each with its subtree).
    unit_options: Vec<(String, String)>,
    q: PlansPageQuery,
    can_edit: bool,
    error: Option<String>,
    errors: Vec<String>,
    nav: ListNav,
}

/// The list page's query: the API's filters plus the column to sort by, its direction and the page.
#[derive(Deserialize, Default, Clone)]
pub struct PlansPageQuery {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub q: String,
    /// Sort and page.
    #[serde(flatten)]
    pub list: ListQuery,
}

impl ListFilters for PlansPageQuery {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("unit", self.unit.clone()),
            ("year", self.year.clone()),
            ("status", self.status.clone()),
            ("family", self.family.clone()),
        ]
    }
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
    /// Tìm không dấu theo từng từ trong trích yếu hoặc bất kỳ phần nào của số, ký hiệu ("426", "kh-ubnd").
    #[serde(default)]
    pub q: String,
    /// Thứ tự: `unit` (theo đơn vị), `title` (theo trích yếu), `tasks` (nhiều nhiệm vụ nhất); mặc định mới nhất trước.
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
        subtree_of: None,
        year: q.year.trim().parse().ok(),
        status,
        family: Some(q.family.clone()).filter(|s| !s.is_empty()),
        text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        parent_plan_id: None,
    })
}

pub async fn list(State(state): State<AppState>, me: CurrentUser, PageQuery(q): PageQuery<PlansPageQuery>) -> Result<Response, PageError> {
    render_list(&state, &me, q, None).await
}

async fn render_list(state: &AppState, me: &CurrentUser, q: PlansPageQuery, error: Option<String>) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (page, sort) = q.list.parse(PlanColumn::NEWEST, &mut errors);
    let year = match q.year.trim() {
        "" => None,
        y => match y.parse::<i64>() {
            Ok(n) if (1990..=2100).contains(&n) => Some(n),
            _ => {
                errors.push(format!("Năm '{y}' không hợp lệ (vd. 2022)."));
                None
            }
        },
    };
    let status = match q.status.trim() {
        "" => None,
        s => PlanStatus::parse(s).or_else(|| {
            errors.push(format!("Trạng thái '{s}' không có (Dự thảo hoặc Đã ban hành)."));
            None
        }),
    };
    let unit_code = crate::pages::check_unit_filter(state, me, &q.unit, &mut errors).await;
    let filter = PlanFilter {
        unit_code: None,
        subtree_of: unit_code,
        year,
        status,
        family: Some(q.family.trim().to_string()).filter(|s| !s.is_empty()),
        text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        parent_plan_id: None,
    };
    let paged = if errors.is_empty() {
        uc::plans_page(&state.app, &me.scope, &filter, sort, page).await?
    } else {
        Paged { items: Vec::new(), total: 0, page: 1, size: page.size }
    };
    let nav = ListNav::of("/plans", &q, sort, PlanColumn::NEWEST, &paged);
    let rows = paged
        .items
        .into_iter()
        .map(|item| PlanRowView {
            status_vi: crate::labels::plan_status(me.lang, item.plan.status),
            date: item.plan.issued_on.as_deref().and_then(parse_date).map(vn_date_short).unwrap_or_else(|| "—".into()),
            families: item.plan.families().iter().map(|f| family_vi(f)).collect::<Vec<_>>().join(", "),
            item,
        })
        .collect();
    let can_edit = me.scope.can(Permission::EditPlans);
    let units =
        if can_edit { state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect() } else { Vec::new() };
    let status = if !errors.is_empty() {
        StatusCode::BAD_REQUEST
    } else if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PlansPage {
        b: me.base("Kế hoạch", "plans"),
        rows,
        units,
        unit_options: crate::pages::unit_choices(state, me, &q.unit).await?,
        q,
        can_edit,
        error,
        errors,
        nav,
    };
    Ok((status, Html(page.render()?)).into_response())
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
            render_list(&state, &me, PlansPageQuery::default(), Some(format!("Không nhập được '{name}': {e}"))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An index family as people name it ("PAR_INDEX" is "Chỉ số CCHC").
fn family_vi(code: &str) -> &str {
    match code {
        "PAR_INDEX" => "Chỉ số CCHC",
        other => other,
    }
}
