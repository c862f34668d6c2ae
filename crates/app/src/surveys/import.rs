//! Importing a response file into a stored survey: every row or none.

use super::read::{ReadError, RowProblem, RowProblems, read_responses};
use crate::{App, ErrorKind, Failure};
use chiso_core::access::{Permission, Scope};
use chiso_store::StoreError;
use chiso_store::surveys::ResponseImportSummary;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A unit code of the file that the survey does not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitProblem {
    /// No unit has this code.
    NotInDatabase { code: String },
    /// The unit exists but is not the survey's unit or below it.
    OutsideSurvey { code: String, survey_unit: String },
}

impl fmt::Display for UnitProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitProblem::NotInDatabase { code } => write!(f, "mã đơn vị \"{code}\" không có trong cơ sở dữ liệu"),
            UnitProblem::OutsideSurvey { code, survey_unit } => {
                write!(f, "mã đơn vị \"{code}\" không thuộc phạm vi khảo sát ({survey_unit} và các đơn vị trực thuộc)")
            }
        }
    }
}

/// Why a response file was not imported. Nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read against the questionnaire; the message names the file, line and column.
    #[error("{file}: {error}{}", .unit.as_ref().map(|u| format!(" — {u}")).unwrap_or_default())]
    File { file: String, error: ReadError, unit: Option<UnitProblem> },
    /// The survey is not there or not the caller's, or the store refused the rows (e.g. a respondent id
    /// already imported, named by its line).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl ImportError {
    /// The line of the file at fault, when one is.
    pub fn line(&self) -> Option<u64> {
        match self {
            ImportError::File { error, .. } => error.line(),
            _ => None,
        }
    }
}

impl Failure for ImportError {
    fn kind(&self) -> ErrorKind {
        match self {
            ImportError::File { .. } => ErrorKind::Invalid,
            ImportError::Store(e) => e.kind(),
            ImportError::Internal(_) => ErrorKind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            ImportError::File { .. } => "bad_request",
            ImportError::Store(e) => e.code(),
            ImportError::Internal(_) => "internal",
        }
    }
}

/// What an import stored, and what the engine accepted but the person should know.
pub struct Imported {
    pub summary: ResponseImportSummary,
    pub warnings: Vec<String>,
}

/// Read a response file (CSV or XLSX) and import it into a stored survey: every row or none. Unit codes
/// must be the survey's unit or below it, groups the survey's groups (when it declares any).
pub async fn import_file(app: &App, scope: &Scope, survey_id: i64, bytes: Vec<u8>, file: &str) -> Result<Imported, ImportError> {
    let survey = app.store.survey(scope, survey_id).await?;
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().into()).into());
    }
    let q = app.store.survey_questionnaire(scope, survey_id).await?;
    let units: HashSet<String> = app.store.survey_units(scope, survey_id).await?.into_iter().map(|u| u.code).collect();
    let groups = app.store.survey_groups(scope, survey_id).await?;
    let name = file.to_string();
    // Reading is CPU work (a file of a million rows takes seconds): off the async threads.
    let parsed = tokio::task::spawn_blocking(move || read_responses(&q, &bytes, &name, &units, &groups))
        .await
        .map_err(|e| ImportError::Internal(e.to_string()))?;
    let parsed = match parsed {
        Ok(p) => p,
        Err(ReadError::Rows(mut rows)) => {
            // Each unit the survey does not cover: missing from the database, or only outside the survey.
            let mut said: HashMap<String, String> = HashMap::new();
            for p in &mut rows.problems {
                let Some(code) = p.unknown_unit.clone() else { continue };
                if !said.contains_key(&code) {
                    let problem = match app.store.unit_by_code(scope, &code).await {
                        Err(StoreError::NotFound(_)) => UnitProblem::NotInDatabase { code: code.clone() },
                        _ => UnitProblem::OutsideSurvey { code: code.clone(), survey_unit: survey.unit_name.clone() },
                    };
                    said.insert(code.clone(), problem.to_string());
                }
                if let Some(m) = said.get(&code) {
                    p.message = m.clone();
                }
            }
            return Err(ImportError::File { file: file.to_string(), error: ReadError::Rows(rows), unit: None });
        }
        Err(error) => {
            let unit = match error.unknown_unit() {
                Some(code) => Some(match app.store.unit_by_code(scope, code).await {
                    Err(StoreError::NotFound(_)) => UnitProblem::NotInDatabase { code: code.to_string() },
                    _ => UnitProblem::OutsideSurvey { code: code.to_string(), survey_unit: survey.unit_name.clone() },
                }),
                None => None,
            };
            return Err(ImportError::File { file: file.to_string(), error, unit });
        }
    };
    // Respondents imported before: every one named, with its line (the store would stop at the first).
    let existing = app.store.survey_respondent_ids(scope, survey_id).await?;
    let mut repeated = RowProblems::default();
    for r in &parsed.import.rows {
        if existing.contains(r.respondent_id.trim()) {
            repeated.push(RowProblem {
                line: r.line,
                column: parsed.import.id_column.map(|c| (c, "respondent_id".to_string())),
                value: Some(r.respondent_id.clone()),
                message: format!("mã người trả lời \"{}\" đã có trong khảo sát (đã nhập trước đó)", r.respondent_id.trim()),
                unknown_unit: None,
            });
        }
    }
    if repeated.count() > 0 {
        return Err(ImportError::File { file: file.to_string(), error: ReadError::Rows(repeated), unit: None });
    }
    let summary = app.store.import_responses(scope, survey_id, &parsed.import).await?;
    Ok(Imported { summary, warnings: parsed.warnings })
}
