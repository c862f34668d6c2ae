//! The JSON API of surveys: the list, one survey with its questionnaire and response counts, and the latest
//! estimate (the engine's report).

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::startup::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chiso_stats::Questionnaire;
use chiso_store::surveys::{ResponseCount, Survey, SurveyFilter, SurveyListItem};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub(super) struct ApiListQuery {
    unit: Option<String>,
    year: Option<i64>,
    framework: Option<String>,
    q: Option<String>,
}

pub(super) async fn api_list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ApiListQuery>,
) -> Result<Json<Vec<SurveyListItem>>, ApiError> {
    let f = SurveyFilter { unit_code: q.unit, year: q.year, framework: q.framework, text: q.q };
    Ok(Json(state.store.surveys(&me.scope, &f).await?))
}

#[derive(Serialize)]
pub(super) struct ApiSurvey {
    survey: Survey,
    questionnaire: Questionnaire,
    groups: Vec<String>,
    responses: Vec<ResponseCount>,
}

pub(super) async fn api_detail(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Json<ApiSurvey>, ApiError> {
    Ok(Json(ApiSurvey {
        survey: state.store.survey(&me.scope, id).await?,
        questionnaire: state.store.survey_questionnaire(&me.scope, id).await?,
        groups: state.store.survey_groups(&me.scope, id).await?,
        responses: state.store.response_counts(&me.scope, id).await?,
    }))
}

#[derive(Serialize)]
pub(super) struct ApiEstimate {
    id: i64,
    bootstrap: i64,
    seed: i64,
    by_group: bool,
    responses: i64,
    computed_at: i64,
    actor: String,
    report: serde_json::Value,
}

pub(super) async fn api_estimates(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
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
