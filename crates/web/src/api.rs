//! The JSON API under `/api/v1`. Same session as the pages; writes need the `X-CSRF-Token` header.

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::pages::{YearQuery, parse_year};
use crate::startup::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chiso_core::access::Permission;
use chiso_store::units::{Agency, NewUnit, Unit};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/units", get(list_units).post(create_unit))
        .route("/api/v1/units/{code}", get(unit))
        .route("/api/v1/units/{code}/agencies", get(agencies))
        .route("/api/v1/frameworks", get(frameworks))
        .route("/api/v1/frameworks/{code}", get(framework))
}

fn check_header_csrf(me: &CurrentUser, headers: &HeaderMap) -> Result<(), AppError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    me.check_csrf(token)
}

#[derive(Serialize)]
struct Me {
    username: String,
    full_name: String,
    role: String,
    unit: Option<Unit>,
    scope: chiso_core::access::Reach,
    permissions: Vec<Permission>,
    csrf_token: String,
}

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

#[derive(Deserialize)]
struct UnitsQuery {
    q: Option<String>,
    level: Option<String>,
}

async fn list_units(State(state): State<AppState>, me: CurrentUser, Query(q): Query<UnitsQuery>) -> Result<Json<Vec<Unit>>, ApiError> {
    let mut units = match q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => state.store.search_units(&me.scope, text).await?,
        None => state.store.units(&me.scope).await?,
    };
    if let Some(level) = q.level.as_deref().filter(|s| !s.is_empty()) {
        units.retain(|u| u.level == level);
    }
    Ok(Json(units))
}

#[derive(Serialize)]
struct UnitDetail {
    #[serde(flatten)]
    unit: Unit,
    parent_code: Option<String>,
    children: Vec<Unit>,
    agencies: Vec<Agency>,
}

async fn unit(State(state): State<AppState>, me: CurrentUser, Path(code): Path<String>) -> Result<Json<UnitDetail>, ApiError> {
    let unit = state.store.unit_by_code(&me.scope, &code).await?;
    let children = state.store.units(&me.scope).await?.into_iter().filter(|u| u.parent_id == Some(unit.id)).collect();
    let agencies = state.store.agencies(&me.scope, unit.id).await?;
    let parent_code = match unit.parent_id {
        Some(pid) => state.store.unit_by_id(&me.scope, pid).await.ok().map(|p| p.code),
        None => None,
    };
    Ok(Json(UnitDetail { unit, parent_code, children, agencies }))
}

#[derive(Deserialize)]
struct NewUnitJson {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    valid_from: String,
    valid_to: Option<String>,
}

async fn create_unit(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Json(n): Json<NewUnitJson>,
) -> Result<(axum::http::StatusCode, Json<Unit>), ApiError> {
    check_header_csrf(&me, &headers)?;
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

async fn agencies(State(state): State<AppState>, me: CurrentUser, Path(code): Path<String>) -> Result<Json<Vec<Agency>>, ApiError> {
    let unit = state.store.unit_by_code(&me.scope, &code).await?;
    Ok(Json(state.store.agencies(&me.scope, unit.id).await?))
}

async fn frameworks(State(state): State<AppState>, _me: CurrentUser) -> Json<Value> {
    let list: Vec<Value> = state
        .frameworks
        .frameworks()
        .iter()
        .map(|f| json!({"code": f.code, "family": f.family, "name_vi": f.name_vi, "name_en": f.name_en, "version": f.version, "reference": f.reference, "years": f.years.to_string()}))
        .collect();
    Json(Value::Array(list))
}

async fn framework(
    State(state): State<AppState>,
    _me: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, ApiError> {
    let fw = state.frameworks.get(&code).ok_or_else(|| AppError::NotFound(format!("bộ chỉ số '{code}'")))?;
    let year = parse_year(&q.year)?;
    let tree = serde_json::to_value(fw.tree_for_year(year)).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(tree))
}

/// The OpenAPI 3.1 document of this API, served by the binary.
pub fn openapi_document() -> Value {
    let err = json!({"description": "Lỗi", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |desc: &str, schema: Value| json!({"description": desc, "content": {"application/json": {"schema": schema}}});
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "chiso API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "API của chiso: đơn vị, bộ chỉ số, kế hoạch, kết quả. Xác thực bằng phiên đăng nhập (cookie chiso_session); các lệnh ghi cần tiêu đề X-CSRF-Token lấy từ /api/v1/me."},
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "chiso_session"},
                                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Unit": {"type": "object", "required": ["id", "code", "name", "level", "path", "valid_from"], "properties": {
                    "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string"},
                    "parent_id": {"type": ["integer", "null"]}, "path": {"type": "string"}, "valid_from": {"type": "string", "format": "date"},
                    "valid_to": {"type": ["string", "null"], "format": "date"}, "successor_id": {"type": ["integer", "null"]}}},
                "Agency": {"type": "object", "properties": {"id": {"type": "integer"}, "unit_id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"}}},
                "FrameworkNode": {"type": "object", "properties": {"code": {"type": "string"}, "name_vi": {"type": "string"}, "name_en": {"type": "string"},
                    "kind": {"type": "string"}, "min": {"type": ["number", "null"]}, "max": {"type": ["number", "null"]}, "source": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/FrameworkNode"}}}}
            }
        },
        "security": [{"session": []}],
        "paths": {
            "/health": {"get": {"summary": "Tình trạng máy chủ và cơ sở dữ liệu", "security": [], "responses": {"200": ok("OK", json!({"type": "object"})), "503": err}}},
            "/api/v1/me": {"get": {"summary": "Tài khoản, vai trò, phạm vi và mã CSRF của người đang đăng nhập", "responses": {"200": ok("Người dùng", json!({"type": "object"})), "401": err}}},
            "/api/v1/units": {
                "get": {"summary": "Các đơn vị trong phạm vi", "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "tìm không dấu: 'moc chau'"},
                    {"name": "level", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": ok("Danh sách", json!({"type": "array", "items": {"$ref": "#/components/schemas/Unit"}})), "401": err}},
                "post": {"summary": "Tạo đơn vị trực thuộc", "security": [{"session": [], "csrf": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["code", "name", "level", "valid_from"],
                        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string"}, "parent_code": {"type": "string"}, "valid_from": {"type": "string", "format": "date"}, "valid_to": {"type": "string", "format": "date"}}}}}},
                    "responses": {"201": ok("Đã tạo", json!({"$ref": "#/components/schemas/Unit"})), "403": err, "409": err, "422": err}}
            },
            "/api/v1/units/{code}": {"get": {"summary": "Một đơn vị, các đơn vị trực thuộc và cơ quan", "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("Đơn vị", json!({"$ref": "#/components/schemas/Unit"})), "403": err, "404": err}}},
            "/api/v1/units/{code}/agencies": {"get": {"summary": "Cơ quan của đơn vị", "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("Cơ quan", json!({"type": "array", "items": {"$ref": "#/components/schemas/Agency"}})), "403": err, "404": err}}},
            "/api/v1/frameworks": {"get": {"summary": "Các bộ chỉ số", "responses": {"200": ok("Danh sách", json!({"type": "array"}))}}},
            "/api/v1/frameworks/{code}": {"get": {"summary": "Cây bộ chỉ số (theo năm)", "parameters": [
                {"name": "code", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "year", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": ok("Cây", json!({"$ref": "#/components/schemas/FrameworkNode"})), "404": err}}},
            "/api/v1/surveys": {"get": {"summary": "Các khảo sát trong phạm vi, với số câu trả lời, phiếu mời và lần tính ước lượng gần nhất", "parameters": [
                {"name": "unit", "in": "query", "schema": {"type": "string"}}, {"name": "year", "in": "query", "schema": {"type": "integer"}},
                {"name": "framework", "in": "query", "schema": {"type": "string"}}, {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "tìm không dấu trong tên"}],
                "responses": {"200": ok("Danh sách", json!({"type": "array", "items": {"type": "object"}})), "401": err}}},
            "/api/v1/surveys/{id}": {"get": {"summary": "Một khảo sát: bảng hỏi, nhóm người trả lời, số câu trả lời theo đơn vị và nhóm", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": ok("Khảo sát", json!({"type": "object"})), "403": err, "404": err}}},
            "/api/v1/surveys/{id}/estimates": {"get": {"summary": "Ước lượng gần nhất của khảo sát: báo cáo JSON của bộ ước lượng (units → n, weight_sum, estimate, ci95), với B và seed đã dùng", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": ok("Ước lượng", json!({"type": "object", "properties": {"bootstrap": {"type": "integer"}, "seed": {"type": "integer"}, "computed_at": {"type": "integer"}, "report": {"type": "object"}}})), "403": err, "404": err}}},
            "/api/v1/openapi.json": {"get": {"summary": "Tài liệu OpenAPI này", "security": [], "responses": {"200": ok("OpenAPI", json!({"type": "object"}))}}}
        }
    });
    // Results and score sheets (routes in results.rs).
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.extend(crate::results::openapi_paths());
    }
    doc
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}
