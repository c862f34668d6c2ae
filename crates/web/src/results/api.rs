//! The JSON API under `/api/v1/results` and `/api/v1/assessments`, each handler described for the OpenAPI
//! document (`#[utoipa::path]`, registered in [`routes`]) with every status code it can return.

use super::*;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::ErrorBody;
use chiso_store::assessments::AssessmentListItem;
use chiso_store::results::{ResultYear, ResultsImportSummary};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API routes of results and score sheets.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api_years))
        .routes(routes!(api_ranking, api_import))
        .routes(routes!(api_unit))
        .routes(routes!(api_weak))
        .routes(routes!(api_sheets, api_sheet_create))
        .routes(routes!(api_sheet))
        .routes(routes!(api_self))
        .routes(routes!(api_appraise))
        .routes(routes!(api_explain))
        .routes(routes!(api_transition))
}

/// The imported years of a framework.
#[derive(Serialize, ToSchema)]
pub(super) struct YearsJson {
    framework: String,
    years: Vec<ResultYear>,
}

#[utoipa::path(get, path = "/api/v1/results/{framework}", tag = "results", summary = "Các năm đã nhập kết quả của một bộ chỉ số",
    params(("framework" = String, Path, description = "papi, par_index, sipas")),
    responses((status = 200, body = YearsJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn api_years(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<YearsJson>, ApiError> {
    let fw = framework(&state, &code)?;
    let years = state.store.result_years(&me.scope, &fw.code).await?;
    Ok(Json(YearsJson { framework: fw.code.clone(), years }))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParentQuery {
    /// Mã đơn vị cha: xếp hạng trong các đơn vị trực thuộc (mặc định: tất cả).
    pub(super) parent: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/results/{framework}/{year}", tag = "results", summary = "Xếp hạng một năm (đổi hạng so với năm công bố trước)",
    params(("framework" = String, Path, description = "papi, par_index, sipas"), ("year" = i32, Path, description = "Năm"), ParentQuery),
    responses((status = 200, body = RankTable), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn api_ranking(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((code, year)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<ParentQuery>,
) -> Result<Json<RankTable>, ApiError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let parent = q.parent.as_deref().filter(|s| !s.is_empty());
    let r = state.app.results().ranking(&me.scope, fw, year, parent).await?;
    Ok(Json(rank_table(&r)))
}

/// One year of official results to import (CSV text, UTF-8).
#[derive(Deserialize, ToSchema)]
pub(super) struct ImportJson {
    /// The results file's text.
    text: String,
    /// `wide` (default: `Province,SC11,…`) or `long` (`unit,node,score`).
    format: Option<String>,
    /// A mapping file's text (`papi_code,unit_code`); without it PAPI files use the shipped mapping.
    mapping: Option<String>,
    /// The file already uses the system's unit codes (no mapping).
    #[serde(default)]
    unit_codes: bool,
    /// The file's name, kept with the year and in the audit.
    source: Option<String>,
    /// Confirm that the import may remove results already published for the year; without it such an
    /// import is refused with 409 saying how many units it would remove.
    #[serde(default)]
    confirm_removal: bool,
}

#[utoipa::path(post, path = "/api/v1/results/{framework}/{year}", tag = "results",
    summary = "Nhập kết quả chính thức của một năm (chỉ quản trị hệ thống; xóa kết quả đã công bố cần confirm_removal)",
    security(("session" = [], "csrf" = [])), params(("framework" = String, Path, description = "papi, par_index, sipas"), ("year" = i32, Path, description = "Năm")),
    request_body = ImportJson,
    responses((status = 200, body = ResultsImportSummary), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(super) async fn api_import(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    ApiPath((code, year)): ApiPath<(String, String)>,
    body: Result<ApiJson<ImportJson>, ApiError>,
) -> Result<Json<ResultsImportSummary>, ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(b) = body?;
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let format = ResultsFormat::parse(b.format.as_deref().unwrap_or("wide"))
        .ok_or_else(|| AppError::BadRequest("định dạng phải là wide hoặc long".into()))?;
    let mapping = match (&b.mapping, b.unit_codes) {
        (Some(t), _) => Mapping::File { name: "mapping", text: t },
        (None, true) => Mapping::None,
        (None, false) => Mapping::Default,
    };
    let source = b.source.as_deref().unwrap_or("api");
    let req = ImportRequest { framework: fw, year, text: &b.text, format, mapping, source, confirm_removal: b.confirm_removal };
    Ok(Json(state.app.results().import(&me.scope, req).await?))
}

#[derive(Serialize, ToSchema)]
pub(super) struct UnitResult {
    pub(super) framework: String,
    pub(super) year: i32,
    pub(super) unit: String,
    pub(super) name: String,
    pub(super) published: bool,
    /// Scores, ranks and changes of every node (absent when not published).
    pub(super) result: Option<RankedUnit>,
    /// National (peer) mean, best and worst per node.
    pub(super) stats: BTreeMap<String, NodeStats>,
}

#[utoipa::path(get, path = "/api/v1/results/{framework}/{year}/units/{code}", tag = "results", summary = "Kết quả của một đơn vị và thống kê toàn quốc",
    params(("framework" = String, Path, description = "papi, par_index, sipas"), ("year" = i32, Path, description = "Năm"), ("code" = String, Path, description = "Mã đơn vị (01 = Hà Nội)")),
    responses((status = 200, body = UnitResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn api_unit(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((code, year, unit)): ApiPath<(String, String, String)>,
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

#[utoipa::path(get, path = "/api/v1/results/{framework}/{year}/units/{code}/weak-points", tag = "results",
    summary = "Điểm yếu, nhóm nhiệm vụ và dàn ý kế hoạch năm sau (kết quả chính thức, không có thì phiếu chấm điểm của đơn vị)",
    params(("framework" = String, Path, description = "papi, par_index, sipas"), ("year" = i32, Path, description = "Năm"), ("code" = String, Path, description = "Mã đơn vị (01 = Hà Nội)")),
    responses((status = 200, body = WeakReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(super) async fn api_weak(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((code, year, unit)): ApiPath<(String, String, String)>,
) -> Result<Json<WeakReport>, ApiError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    Ok(Json(state.app.results().next_plan_outline(&me.scope, fw, &unit, year).await?))
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments", summary = "Các phiếu chấm điểm trong phạm vi, với tổng điểm",
    params(SheetsQuery),
    responses((status = 200, body = Vec<AssessmentListItem>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn api_sheets(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<SheetsQuery>,
) -> Result<Json<Vec<AssessmentListItem>>, ApiError> {
    let year = crate::pages::parse_year(&q.year)?;
    Ok(Json(state.store.assessments(&me.scope, q.framework.as_deref().filter(|s| !s.is_empty()), year).await?))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewSheetJson {
    pub(super) unit: String,
    pub(super) framework: String,
    pub(super) year: i32,
}

#[utoipa::path(post, path = "/api/v1/assessments", tag = "assessments", summary = "Mở phiếu chấm điểm cho một đơn vị",
    security(("session" = [], "csrf" = [])), request_body = NewSheetJson,
    responses((status = 201, body = SheetView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn api_sheet_create(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    body: Result<ApiJson<NewSheetJson>, ApiError>,
) -> Result<(StatusCode, Json<SheetView>), ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(n) = body?;
    let fw = framework(&state, &n.framework)?;
    let a = state.app.assessments().create(&me.scope, fw, &n.unit, n.year).await?;
    Ok((StatusCode::CREATED, Json(state.app.assessments().sheet(&me.scope, fw, a.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments", summary = "Một phiếu: điểm tự chấm, thẩm định, tỷ lệ, việc được làm",
    params(("id" = i64, Path, description = "Mã phiếu")),
    responses((status = 200, body = SheetView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(super) async fn api_sheet(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SheetView>, ApiError> {
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct SelfItemJson {
    pub(super) node: String,
    pub(super) score: Option<f64>,
    pub(super) evidence: Option<String>,
    pub(super) missing_reason: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub(super) struct SelfJson {
    pub(super) version: Option<i32>,
    pub(super) items: Vec<SelfItemJson>,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/self-scores", tag = "assessments", summary = "Lưu điểm tự chấm và tài liệu kiểm chứng (chính đơn vị được chấm, khi phiếu đang tự chấm)",
    security(("session" = [], "csrf" = [])), params(("id" = i64, Path, description = "Mã phiếu")), request_body = SelfJson,
    responses((status = 200, body = SheetView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn api_self(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<SelfJson>, ApiError>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(b) = body?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<SelfScoreInput> = b
        .items
        .into_iter()
        .map(|i| SelfScoreInput { node: i.node, score: i.score, evidence: i.evidence, missing_reason: i.missing_reason })
        .collect();
    state.app.assessments().save_self_scores(&me.scope, &fw, id, &inputs, b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct AppraisalItemJson {
    pub(super) node: String,
    pub(super) score: Option<f64>,
    pub(super) reason: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub(super) struct AppraisalJson {
    pub(super) version: Option<i32>,
    pub(super) items: Vec<AppraisalItemJson>,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/appraisals", tag = "assessments", summary = "Thẩm định tiêu chí (cấp trên của đơn vị, khi vòng thẩm định đang mở)",
    security(("session" = [], "csrf" = [])), params(("id" = i64, Path, description = "Mã phiếu")), request_body = AppraisalJson,
    responses((status = 200, body = SheetView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn api_appraise(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<AppraisalJson>, ApiError>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(b) = body?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<AppraisalInput> =
        b.items.into_iter().map(|i| AppraisalInput { node: i.node, score: i.score, reason: i.reason }).collect();
    state.app.assessments().appraise(&me.scope, &fw, id, &inputs, b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ExplanationItemJson {
    pub(super) node: String,
    pub(super) text: String,
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ExplanationJson {
    pub(super) version: Option<i32>,
    pub(super) items: Vec<ExplanationItemJson>,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/explanations", tag = "assessments", summary = "Giải trình kết quả thẩm định (chính đơn vị được chấm)",
    security(("session" = [], "csrf" = [])), params(("id" = i64, Path, description = "Mã phiếu")), request_body = ExplanationJson,
    responses((status = 200, body = SheetView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn api_explain(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ExplanationJson>, ApiError>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(b) = body?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let inputs: Vec<(String, String)> = b.items.into_iter().map(|i| (i.node, i.text)).collect();
    state.app.assessments().explain(&me.scope, &fw, id, &inputs, b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct TransitionJson {
    pub(super) action: String,
    pub(super) reason: Option<String>,
    pub(super) version: Option<i32>,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/transitions", tag = "assessments", summary = "Chuyển trạng thái phiếu: submit, complete_appraisal, explain, finalise, reopen",
    security(("session" = [], "csrf" = [])), params(("id" = i64, Path, description = "Mã phiếu")), request_body = TransitionJson,
    responses((status = 200, body = SheetView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn api_transition(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<TransitionJson>, ApiError>,
) -> Result<Json<SheetView>, ApiError> {
    check_header_csrf(&me, &headers)?;
    // The CSRF check comes before the body is judged: a forged request is a 403 whatever it carries.
    let ApiJson(b) = body?;
    let (_, fw) = sheet_framework(&state, &me, id).await?;
    let action = SheetAction::parse(&b.action).ok_or_else(|| {
        let all: Vec<&str> = SheetAction::ALL.iter().map(|a| a.as_str()).collect();
        AppError::BadRequest(format!("thao tác '{}' không có (có: {})", b.action, all.join(", ")))
    })?;
    state.app.assessments().transition(&me.scope, &fw, id, action, b.reason.as_deref(), b.version).await?;
    Ok(Json(state.app.assessments().sheet(&me.scope, &fw, id).await?))
}
