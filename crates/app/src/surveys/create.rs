//! Creating a survey from a questionnaire (an uploaded TOML file, a file on disk or the shipped sample), and
//! opening or closing it.

use super::SAMPLE_QUESTIONNAIRE;
use crate::{App, ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_stats::{Questionnaire, SurveyError};
use chiso_store::StoreError;
use chiso_store::surveys::{NewSurvey, Survey, SurveyStatus};
use std::path::Path;

/// File name of the sample questionnaire (as offered for download).
pub const SAMPLE_QUESTIONNAIRE_FILE: &str = "papi-mini.toml";

/// Where a new survey's questionnaire comes from.
pub enum QuestionnaireInput {
    /// An uploaded file: TOML text in UTF-8.
    Upload { name: String, bytes: Vec<u8> },
    /// The questionnaire shipped with the system ([`SAMPLE_QUESTIONNAIRE`]).
    Sample,
    /// Already read (e.g. by [`read_questionnaire`]); `name` names it in messages.
    Read { name: String, questionnaire: Questionnaire },
    /// Written in the browser afterwards: the survey starts as a draft with no question yet.
    Builder { framework: String },
}

/// A survey to create.
pub struct SurveyRequest {
    pub unit_code: String,
    pub year: i32,
    /// The survey's title; without one, the questionnaire's title (the store refuses an empty title).
    pub title: Option<String>,
    /// Respondent groups besides those the questionnaire names.
    pub extra_groups: Vec<String>,
    /// `None`: the person chose no questionnaire.
    pub questionnaire: Option<QuestionnaireInput>,
    /// Start as a draft (always so with [`QuestionnaireInput::Builder`]).
    pub draft: bool,
}

/// Why a survey could not be created. Nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("chưa chọn tệp bảng hỏi (TOML) — hoặc đánh dấu \"dùng bảng hỏi mẫu\"")]
    NoQuestionnaire,
    #[error("{file}: tệp bảng hỏi phải là văn bản TOML UTF-8")]
    NotUtf8 { file: String },
    /// The questionnaire is malformed (the engine's message names line, indicator and field).
    #[error("{file}: {error}")]
    Questionnaire { file: String, error: SurveyError },
    #[error("{file}: bộ chỉ số \"{framework}\" chưa có trong hệ thống")]
    UnknownFramework { file: String, framework: String },
    /// Refused by the store (unit, year, title, nodes the framework does not have in that year …).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl Failure for CreateError {
    fn kind(&self) -> ErrorKind {
        match self {
            CreateError::Store(e) => e.kind(),
            CreateError::Internal(_) => ErrorKind::Internal,
            _ => ErrorKind::Invalid,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            CreateError::Store(e) => e.code(),
            CreateError::Internal(_) => "internal",
            _ => "bad_request",
        }
    }
}

/// The questionnaire shipped with the system, parsed.
pub fn sample_questionnaire() -> Result<Questionnaire, SurveyError> {
    Questionnaire::from_toml_str(SAMPLE_QUESTIONNAIRE)
}

/// Read a questionnaire file (TOML) from disk; errors name the file, line and field.
pub fn read_questionnaire(path: &Path) -> Result<Questionnaire, SurveyError> {
    Questionnaire::from_path(path)
}

fn questionnaire_of(input: QuestionnaireInput) -> Result<(String, Questionnaire), CreateError> {
    match input {
        QuestionnaireInput::Upload { name, bytes } => {
            let text = String::from_utf8(bytes).map_err(|_| CreateError::NotUtf8 { file: name.clone() })?;
            let q = Questionnaire::from_toml_str(&text).map_err(|error| CreateError::Questionnaire { file: name.clone(), error })?;
            Ok((name, q))
        }
        QuestionnaireInput::Sample => {
            let q = sample_questionnaire().map_err(|e| CreateError::Internal(format!("bảng hỏi mẫu: {e}")))?;
            Ok((SAMPLE_QUESTIONNAIRE_FILE.to_string(), q))
        }
        QuestionnaireInput::Read { name, questionnaire } => Ok((name, questionnaire)),
        QuestionnaireInput::Builder { framework } => {
            Ok(("bảng hỏi soạn trên trang".to_string(), Questionnaire { framework, title: None, indicators: Vec::new() }))
        }
    }
}

/// Create a survey of a unit: the questionnaire must be of a framework the system has, and each of its
/// nodes a sub-dimension of that framework in the survey's year (the store checks the nodes, the unit, the
/// year and the title, all in one transaction, audited).
pub async fn create_survey(app: &App, scope: &Scope, req: SurveyRequest) -> Result<Survey, CreateError> {
    let input = req.questionnaire.ok_or(CreateError::NoQuestionnaire)?;
    let draft = req.draft || matches!(input, QuestionnaireInput::Builder { .. });
    let (name, q) = questionnaire_of(input)?;
    let fw =
        app.frameworks.get(&q.framework).ok_or_else(|| CreateError::UnknownFramework { file: name, framework: q.framework.clone() })?;
    let title = req.title.or_else(|| q.title.clone()).unwrap_or_default();
    let new = NewSurvey {
        unit_code: &req.unit_code,
        year: req.year,
        title: &title,
        questionnaire: &q,
        framework: fw,
        extra_groups: &req.extra_groups,
        draft,
    };
    Ok(app.store.create_survey(scope, &new).await?)
}

/// Save the questionnaire of a draft survey (built in the browser, or a TOML file read into it): checked
/// whole against the survey's framework and year, stored in one transaction, audited. Refused (a conflict
/// that says why) once the survey is open or closed.
pub async fn save_questionnaire(app: &App, scope: &Scope, survey_id: i64, q: &Questionnaire) -> Result<Survey, CreateError> {
    let fw = app
        .frameworks
        .get(&q.framework)
        .ok_or_else(|| CreateError::UnknownFramework { file: "bảng hỏi".into(), framework: q.framework.clone() })?;
    Ok(app.store.replace_questionnaire(scope, survey_id, q, fw).await?)
}

/// Read a questionnaire file (TOML, UTF-8) into a draft survey: the same checks as [`save_questionnaire`].
pub async fn import_questionnaire(app: &App, scope: &Scope, survey_id: i64, name: &str, bytes: Vec<u8>) -> Result<Survey, CreateError> {
    let text = String::from_utf8(bytes).map_err(|_| CreateError::NotUtf8 { file: name.to_string() })?;
    let q = Questionnaire::from_toml_str(&text).map_err(|error| CreateError::Questionnaire { file: name.to_string(), error })?;
    save_questionnaire(app, scope, survey_id, &q).await
}

/// Open or close the public form of a survey (audited; closing keeps imports possible).
pub async fn set_status(app: &App, scope: &Scope, survey_id: i64, status: SurveyStatus) -> Result<Survey, StoreError> {
    app.store.set_survey_status(scope, survey_id, status).await
}
