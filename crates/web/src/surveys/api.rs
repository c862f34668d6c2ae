//! The JSON API of surveys: the list, one survey with its questionnaire and response counts, and the latest
//! estimate (the engine's report).

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::ErrorBody;
use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use chiso_stats::Questionnaire;
use chiso_store::surveys::{ResponseCount, Survey, SurveyFilter, SurveyListItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API routes of surveys, each registered with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api_list)).routes(routes!(api_detail)).routes(routes!(api_estimates))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ApiListQuery {
    /// Mã đơn vị (khảo sát của đơn vị này).
    unit: Option<String>,
    /// Năm.
    year: Option<i64>,
    /// Mã bộ chỉ số.
    framework: Option<String>,
    /// Tìm không dấu trong tên.
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys",
    summary = "Các khảo sát trong phạm vi, với số câu trả lời, phiếu mời và lần tính ước lượng gần nhất",
    params(ApiListQuery),
    responses((status = 200, body = Vec<SurveyListItem>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn api_list(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ApiListQuery>,
) -> Result<Json<Vec<SurveyListItem>>, ApiError> {
    let f = SurveyFilter { unit_code: q.unit, year: q.year, framework: q.framework, text: q.q };
    Ok(Json(state.store.surveys(&me.scope, &f).await?))
}

/// A survey with its questionnaire, its respondent groups and the number of responses per unit and group.
#[derive(Serialize, ToSchema)]
pub(super) struct ApiSurvey {
    survey: Survey,
    questionnaire: Questionnaire,
    groups: Vec<String>,
    responses: Vec<ResponseCount>,
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys",
    summary = "Một khảo sát: bảng hỏi, nhóm người trả lời, số câu trả lời theo đơn vị và nhóm",
    params(("id" = i64, Path, description = "Mã số khảo sát")),
    responses((status = 200, body = ApiSurvey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn api_detail(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiSurvey>, ApiError> {
    Ok(Json(ApiSurvey {
        survey: state.store.survey(&me.scope, id).await?,
        questionnaire: state.store.survey_questionnaire(&me.scope, id).await?,
        groups: state.store.survey_groups(&me.scope, id).await?,
        responses: state.store.response_counts(&me.scope, id).await?,
    }))
}

/// The latest estimate of a survey: the engine's JSON report with the bootstrap size and seed it used.
#[derive(Serialize, ToSchema)]
pub(super) struct ApiEstimate {
    id: i64,
    /// Number of bootstrap replicates.
    bootstrap: i64,
    seed: i64,
    by_group: bool,
    responses: i64,
    /// Milliseconds since 1970-01-01 UTC.
    computed_at: i64,
    actor: String,
    /// The estimation engine's report: units → n, weight_sum, estimate, ci95 …
    #[schema(value_type = Object)]
    report: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}/estimates", tag = "surveys",
    summary = "Ước lượng gần nhất của khảo sát (404 khi chưa tính)",
    params(("id" = i64, Path, description = "Mã số khảo sát")),
    responses((status = 200, body = ApiEstimate), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn api_estimates(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiEstimate>, ApiError> {
    let e = state
        .store
        .latest_estimate(&me.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("ước lượng của khảo sát #{id} (chưa tính)")))?;
    let report = serde_json::from_str(&e.report).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(Json(ApiEstimate {
        id: e.id,
        bootstrap: e.bootstrap,
        seed: e.seed,
        by_group: e.by_group,
        responses: e.responses,
        computed_at: e.computed_at,
        actor: e.actor,
        report,
    }))
}
