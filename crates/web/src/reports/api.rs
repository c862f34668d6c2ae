//! `GET /api/v1/reports/status?unit=CODE&period=2022-H1[&as_of=YYYY-MM-DD]`: the report status document.

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::extract::ApiQuery;
use crate::openapi::ErrorBody;
use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use chiso_core::progress::ReportStatus;
use chiso_core::unit::parse_date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API routes of reports, each registered with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(status))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Mã đơn vị.
    unit: String,
    /// Mã kỳ báo cáo, vd. `2022-H1`, `2022-Q3`, `2022-Y`.
    period: String,
    /// Ngày xét (YYYY-MM-DD); mặc định hôm nay.
    #[serde(default)]
    #[param(required = false, format = Date)]
    as_of: String,
}

#[utoipa::path(get, path = "/api/v1/reports/status", tag = "reports",
    summary = "Tình hình báo cáo của đơn vị và các đơn vị trực thuộc trong kỳ (đúng hạn, muộn, chưa nộp)",
    params(StatusQuery),
    responses((status = 200, body = ReportStatus),
        (status = 400, body = ErrorBody, description = "Thiếu tham số, ngày hoặc kỳ không hợp lệ, kỳ không có lịch báo cáo"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> Result<Json<ReportStatus>, ApiError> {
    let as_of = if q.as_of.is_empty() {
        None
    } else {
        Some(parse_date(&q.as_of).ok_or_else(|| AppError::BadRequest(format!("ngày '{}' không hợp lệ", q.as_of)))?)
    };
    Ok(Json(state.app.reports().status(&me.scope, &q.unit, &q.period, as_of).await?))
}
