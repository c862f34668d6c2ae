//! The plans API: the list, one plan with its tasks and checklist, the task library search, and drafting
//! next year's plan from a unit's results. Each handler carries its OpenAPI description.

use super::list::{PlansQuery, filter_of};
use super::tasks::LibraryQuery;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::ErrorBody;
use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chiso_app::plans::{self as uc, PlanSort, TaskQuery};
use chiso_core::plan::Check;
use chiso_store::plans::{BasisRow, LibraryHit, Plan, PlanListItem, Task};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API routes of plans, each registered with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api_list)).routes(routes!(api_detail)).routes(routes!(api_search)).routes(routes!(draft_plan_api))
}

/// The list, newest first unless `sort` asks otherwise.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", summary = "Các kế hoạch trong phạm vi (mới nhất trước)",
    params(PlansQuery),
    responses((status = 200, body = Vec<PlanListItem>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PlansQuery>,
) -> Result<Json<Vec<PlanListItem>>, ApiError> {
    let Some(filter) = filter_of(&q) else { return Ok(Json(Vec::new())) };
    Ok(Json(uc::list_plans(&state.app, &me.scope, &filter, PlanSort::parse(&q.sort)).await?))
}

/// A plan with its unit, the documents it is based on, its tasks and its compliance checklist.
#[derive(Serialize, ToSchema)]
pub struct PlanDetail {
    plan: Plan,
    unit_code: String,
    based_on: Vec<BasisRow>,
    tasks: Vec<Task>,
    compliance: Vec<Check>,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans", summary = "Một kế hoạch với các nhiệm vụ và bảng kiểm tra",
    params(("id" = i64, Path, description = "Mã số kế hoạch")),
    responses((status = 200, body = PlanDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_detail(State(state): State<AppState>, me: CurrentUser, ApiPath(id): ApiPath<i64>) -> Result<Json<PlanDetail>, ApiError> {
    let d = uc::plan_detail(&state.app, &me.scope, id).await?;
    Ok(Json(PlanDetail { plan: d.plan, unit_code: d.unit.code, based_on: d.basis, tasks: d.tasks, compliance: d.checks }))
}

#[utoipa::path(get, path = "/api/v1/tasks/search", tag = "plans", summary = "Tìm nhiệm vụ trong các kế hoạch (thư viện nhiệm vụ)",
    params(LibraryQuery),
    responses((status = 200, body = Vec<LibraryHit>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn api_search(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<LibraryQuery>,
) -> Result<Json<Vec<LibraryHit>>, ApiError> {
    Ok(Json(uc::search_tasks(&state.app, &me.scope, &TaskQuery::new(&q.q, &q.node)).await?))
}

#[utoipa::path(post, path = "/api/v1/results/{fw}/{year}/units/{code}/draft-plan", tag = "plans",
    summary = "Dự thảo kế hoạch năm sau từ các điểm yếu của đơn vị trong kết quả năm `year`",
    security(("session" = [], "csrf" = [])),
    params(("fw" = String, Path, description = "Mã bộ chỉ số"), ("year" = i32, Path, description = "Năm kết quả"),
        ("code" = String, Path, description = "Mã đơn vị")),
    responses((status = 201, body = Plan), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Ngoài phạm vi, vai trò không được soạn kế hoạch, hoặc sai mã CSRF"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft_plan_api(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    ApiPath((fw, year, code)): ApiPath<(String, i32, String)>,
) -> Result<(StatusCode, Json<Plan>), ApiError> {
    me.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or(""))?;
    let plan = uc::draft_next_plan(&state.app, &me.scope, &fw, &code, year).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}
