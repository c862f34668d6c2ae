//! The JSON API under `/api/v1`. Same session as the pages; writes need the `X-CSRF-Token` header.

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::ErrorBody;
use crate::pages::{YearQuery, parse_year};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chiso_core::access::Permission;
use chiso_store::units::{Agency, NewUnit, Unit};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of this module, each registered with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi))
        .routes(routes!(me))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(unit))
        .routes(routes!(agencies))
        .routes(routes!(frameworks))
        .routes(routes!(framework))
}

fn check_header_csrf(me: &CurrentUser, headers: &HeaderMap) -> Result<(), AppError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    me.check_csrf(token)
}

#[derive(Serialize, ToSchema)]
struct Me {
    username: String,
    full_name: String,
    role: String,
    unit: Option<Unit>,
    scope: chiso_core::access::Reach,
    permissions: Vec<Permission>,
    csrf_token: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    summary = "Tài khoản, vai trò, phạm vi và mã CSRF của người đang đăng nhập",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, me: CurrentUser) -> Result<Json<Me>, ApiError> {
    let unit = match me.user.unit_id {
        Some(id) => Some(state.store.unit_by_id(&me.scope, id).await?),
        None => None,
    };
    let all = [
        Permission::View,
        Permission::ManageUnits,
        Permission::ManageUsers,
        Permission::EditPlans,
        Permission::UpdateTasks,
        Permission::SelfScore,
        Permission::Appraise,
        Permission::Approve,
    ];
    Ok(Json(Me {
        username: me.user.username.clone(),
        full_name: me.user.full_name.clone(),
        role: me.user.role.clone(),
        unit,
        scope: me.scope.reach.clone(),
        permissions: all.into_iter().filter(|p| me.scope.can(*p)).collect(),
        csrf_token: me.csrf.clone(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UnitsQuery {
    /// Tìm không dấu: "moc chau".
    q: Option<String>,
    /// Cấp đơn vị (province, district, commune …).
    level: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "units", summary = "Các đơn vị trong phạm vi", params(UnitsQuery),
    responses((status = 200, body = Vec<Unit>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_units(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> Result<Json<Vec<Unit>>, ApiError> {
    let mut units = match q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => state.store.search_units(&me.scope, text).await?,
        None => state.store.units(&me.scope).await?,
    };
    if let Some(level) = q.level.as_deref().filter(|s| !s.is_empty()) {
        units.retain(|u| u.level == level);
    }
    Ok(Json(units))
}

#[derive(Serialize, ToSchema)]
struct UnitDetail {
    #[serde(flatten)]
    unit: Unit,
    parent_code: Option<String>,
    children: Vec<Unit>,
    agencies: Vec<Agency>,
}

#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", summary = "Một đơn vị, các đơn vị trực thuộc và cơ quan",
    params(("code" = String, Path, description = "Mã đơn vị")),
    responses((status = 200, body = UnitDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unit(State(state): State<AppState>, me: CurrentUser, ApiPath(code): ApiPath<String>) -> Result<Json<UnitDetail>, ApiError> {
    let unit = state.store.unit_by_code(&me.scope, &code).await?;
    let children = state.store.units(&me.scope).await?.into_iter().filter(|u| u.parent_id == Some(unit.id)).collect();
    let agencies = state.store.agencies(&me.scope, unit.id).await?;
    let parent_code = match unit.parent_id {
        Some(pid) => state.store.unit_by_id(&me.scope, pid).await.ok().map(|p| p.code),
        None => None,
    };
    Ok(Json(UnitDetail { unit, parent_code, children, agencies }))
}

#[derive(Deserialize, ToSchema)]
struct NewUnitJson {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    valid_from: String,
    valid_to: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/units", tag = "units", summary = "Tạo đơn vị trực thuộc",
    security(("session" = [], "csrf" = [])), request_body = NewUnitJson,
    responses((status = 201, body = Unit), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_unit(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    body: Result<ApiJson<NewUnitJson>, ApiError>,
) -> Result<(axum::http::StatusCode, Json<Unit>), ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(n) = body?;
    let u = state
        .store
        .create_unit(
            &me.scope,
            NewUnit {
                code: n.code,
                name: n.name,
                level: n.level,
                parent_code: n.parent_code,
                valid_from: n.valid_from,
                valid_to: n.valid_to,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(u)))
}

#[utoipa::path(get, path = "/api/v1/units/{code}/agencies", tag = "units", summary = "Cơ quan của đơn vị",
    params(("code" = String, Path, description = "Mã đơn vị")),
    responses((status = 200, body = Vec<Agency>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn agencies(State(state): State<AppState>, me: CurrentUser, ApiPath(code): ApiPath<String>) -> Result<Json<Vec<Agency>>, ApiError> {
    let unit = state.store.unit_by_code(&me.scope, &code).await?;
    Ok(Json(state.store.agencies(&me.scope, unit.id).await?))
}

#[utoipa::path(get, path = "/api/v1/frameworks", tag = "frameworks", summary = "Các bộ chỉ số",
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorBody)))]
async fn frameworks(State(state): State<AppState>, _me: CurrentUser) -> Json<Value> {
    let list: Vec<Value> = state
        .frameworks
        .frameworks()
        .iter()
        .map(|f| json!({"code": f.code, "family": f.family, "name_vi": f.name_vi, "name_en": f.name_en, "version": f.version, "reference": f.reference, "years": f.years.to_string()}))
        .collect();
    Json(Value::Array(list))
}

#[utoipa::path(get, path = "/api/v1/frameworks/{code}", tag = "frameworks", summary = "Cây bộ chỉ số (theo năm)",
    params(("code" = String, Path, description = "Mã bộ chỉ số"), ("year" = Option<i32>, Query, description = "Năm")),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn framework(
    State(state): State<AppState>,
    _me: CurrentUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Value>, ApiError> {
    let fw = state.frameworks.get(&code).ok_or_else(|| AppError::NotFound(format!("bộ chỉ số '{code}'")))?;
    let year = parse_year(&q.year)?;
    let tree = serde_json::to_value(fw.tree_for_year(year)).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(tree))
}

/// The OpenAPI document of this API, generated from the handlers (`#[utoipa::path]`) registered in
/// [`crate::openapi::api_router`], with the answers of the layers added.
pub fn openapi_document() -> Value {
    let (_, api) = crate::openapi::api_router().split_for_parts();
    let mut doc = serde_json::to_value(&api).unwrap_or_else(|_| json!({}));
    crate::openapi::add_layer_responses(&mut doc);
    doc
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "Tài liệu OpenAPI này", body = Object)))]
async fn openapi() -> Json<Value> {
    Json(openapi_document())
}
