//! The plans API: the list, one plan with its tasks and checklist, and the task library search.

use super::list::{PlansQuery, filter_of};
use super::tasks::LibraryQuery;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::startup::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chiso_app::plans::{self as uc, PlanSort, TaskQuery};
use chiso_core::plan::Check;
use chiso_store::plans::{BasisRow, LibraryHit, Plan, PlanListItem, Task};
use serde::Serialize;

/// The list in the store's order (newest first); the page's `sort` does not apply here.
pub async fn api_list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<PlansQuery>,
) -> Result<Json<Vec<PlanListItem>>, ApiError> {
    let Some(filter) = filter_of(&q) else { return Ok(Json(Vec::new())) };
    Ok(Json(uc::list_plans(&state.app, &me.scope, &filter, PlanSort::Newest).await?))
}

#[derive(Serialize)]
pub struct PlanDetail {
    plan: Plan,
    unit_code: String,
    based_on: Vec<BasisRow>,
    tasks: Vec<Task>,
    compliance: Vec<Check>,
}

pub async fn api_detail(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Json<PlanDetail>, ApiError> {
    let d = uc::plan_detail(&state.app, &me.scope, id).await?;
    Ok(Json(PlanDetail { plan: d.plan, unit_code: d.unit.code, based_on: d.basis, tasks: d.tasks, compliance: d.checks }))
}

pub async fn api_search(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<LibraryQuery>,
) -> Result<Json<Vec<LibraryHit>>, ApiError> {
    Ok(Json(uc::search_tasks(&state.app, &me.scope, &TaskQuery::new(&q.q, &q.node)).await?))
}
