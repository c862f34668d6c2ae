//! The survey list (filters, sorting) and creating a survey from a questionnaire file or the sample.

use super::render::{INPUT_MISTAKES, is_one_of, vn_datetime};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::pages::Base;
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::surveys::{QuestionnaireInput, SAMPLE_QUESTIONNAIRE, SurveyRequest};
use chiso_core::access::Permission;
use chiso_store::surveys::{Survey, SurveyFilter, SurveyListItem};
use chiso_store::units::Unit;
use serde::Deserialize;
use std::collections::HashMap;

/// Questionnaire files: at most 2 MB.
const QUESTIONNAIRE_LIMIT: usize = chiso_core::limits::MAX_QUESTIONNAIRE_BYTES;

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    framework: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
}

struct ListRow {
    item: SurveyListItem,
    status_vi: &'static str,
    estimated: String,
}

#[derive(Template)]
#[template(path = "survey_list.html")]
struct ListPage {
    b: Base,
    rows: Vec<ListRow>,
    units: Vec<Unit>,
    frameworks: Vec<(String, String)>,
    q: ListQuery,
    can_edit: bool,
    error: Option<String>,
    this_year: i32,
}

pub(super) async fn list(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ListQuery>) -> Result<Html<String>, PageError> {
    render_list(&state, &me, q, None).await.map(Html)
}

async fn render_list(state: &AppState, me: &CurrentUser, q: ListQuery, error: Option<String>) -> Result<String, PageError> {
    let filter = SurveyFilter {
        unit_code: Some(q.unit.trim().to_string()).filter(|s| !s.is_empty()),
        year: q.year.trim().parse().ok(),
        framework: Some(q.framework.trim().to_string()).filter(|s| !s.is_empty()),
        text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    };
    let mut items = state.store.surveys(&me.scope, &filter).await?;
    match q.sort.as_str() {
        "unit" => items.sort_by_key(|i| chiso_core::text::fold(&i.survey.unit_name)),
        "responses" => items.sort_by_key(|i| std::cmp::Reverse(i.responses)),
        "title" => items.sort_by_key(|i| chiso_core::text::fold(&i.survey.title)),
        _ => {}
    }
    let rows = items
        .into_iter()
        .map(|item| ListRow {
            status_vi: item.survey.status().name_vi(),
            estimated: item.last_estimate_at.map(vn_datetime).unwrap_or_else(|| "chưa tính".into()),
            item,
        })
        .collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let frameworks = state.frameworks.frameworks().iter().map(|f| (f.code.clone(), f.name_vi.clone())).collect();
    let page = ListPage {
        b: me.base("Khảo sát", "surveys"),
        rows,
        units,
        frameworks,
        q,
        can_edit: me.scope.can(Permission::EditPlans),
        error,
        this_year: state.app.clock.year(),
    };
    Ok(page.render()?)
}

pub(super) async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    mut multipart: crate::extract::Upload,
) -> Result<Response, PageError> {
    let mut f: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field("biểu mẫu không hợp lệ").await? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let fname = field.file_name().unwrap_or("bảng hỏi").to_string();
            let bytes = field.bytes().await.map_err(AppError::multipart)?;
            if bytes.len() > QUESTIONNAIRE_LIMIT {
                return Err(AppError::BadRequest(format!(
                    "tệp bảng hỏi '{fname}' quá lớn (tối đa {} MB)",
                    QUESTIONNAIRE_LIMIT / chiso_core::limits::MB
                ))
                .into());
            }
            if !bytes.is_empty() {
                file = Some((fname, bytes.to_vec()));
            }
        } else {
            f.insert(name, field.text().await?);
        }
    }
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    me.check_csrf(&get("csrf"))?;
    match create_from_form(&state, &me, &f, file).await {
        Ok(s) if s.status() == chiso_store::surveys::SurveyStatus::Draft => {
            Ok(Redirect::to(&format!("/surveys/{}/questionnaire", s.id)).into_response())
        }
        Ok(s) => Ok(Redirect::to(&format!("/surveys/{}", s.id)).into_response()),
        Err(e) if is_one_of(&e, INPUT_MISTAKES) => {
            let html = render_list(&state, &me, ListQuery::default(), Some(format!("Không tạo được khảo sát: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The fields of the creation form: `unit`, `year`, `title`, `groups`, `sample` ("1": the sample
/// questionnaire when no file is chosen).
async fn create_from_form(
    state: &AppState,
    me: &CurrentUser,
    f: &HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
) -> Result<Survey, AppError> {
    let get = |k: &str| f.get(k).map(|s| s.trim()).unwrap_or_default();
    let (unit, year, title, groups, use_sample) = (get("unit"), get("year"), get("title"), get("groups"), get("sample") == "1");
    let year: i32 = year.parse().map_err(|_| AppError::BadRequest(format!("năm \"{year}\" không hợp lệ")))?;
    let builder = get("builder") == "1";
    let questionnaire = match file {
        _ if builder => {
            let framework = get("framework");
            if framework.is_empty() {
                return Err(AppError::BadRequest("chưa chọn bộ chỉ số cho bảng hỏi soạn trên trang".into()));
            }
            Some(QuestionnaireInput::Builder { framework: framework.to_string() })
        }
        Some((name, bytes)) => Some(QuestionnaireInput::Upload { name, bytes }),
        None if use_sample => Some(QuestionnaireInput::Sample),
        None => None,
    };
    let request = SurveyRequest {
        unit_code: unit.to_string(),
        year,
        title: Some(title.to_string()).filter(|t| !t.is_empty()),
        extra_groups: groups.split([',', ';', '\n']).map(|g| g.trim().to_string()).filter(|g| !g.is_empty()).collect(),
        questionnaire,
        draft: builder,
    };
    Ok(chiso_app::surveys::create_survey(&state.app, &me.scope, request).await?)
}

pub(super) async fn sample_questionnaire() -> Response {
    let disposition = format!("attachment; filename=\"{}\"", chiso_app::surveys::SAMPLE_QUESTIONNAIRE_FILE);
    ([(CONTENT_TYPE, "application/toml; charset=utf-8".to_string()), (CONTENT_DISPOSITION, disposition)], SAMPLE_QUESTIONNAIRE)
        .into_response()
}
