//! Citizen surveys (issue 6): creating a survey from a questionnaire, invitations and the public form (one
//! answer per token), importing response files (CSV/XLSX, every row or none), estimating with bootstrap
//! intervals beside the official results, and putting survey points into a PAR-style score sheet.
//!
//! The survey engine (`chiso_stats`) computes; the store keeps surveys, responses and estimates and checks
//! scope; this module composes them. The web pages and `chiso survey …` call these functions.

mod create;
mod demo;
mod estimates;
mod form;
mod import;
mod invitations;
mod overview;
mod read;
mod sample;

pub use create::{
    CreateError, QuestionnaireInput, SAMPLE_QUESTIONNAIRE_FILE, SurveyRequest, create_survey, import_questionnaire, read_questionnaire,
    sample_questionnaire, save_questionnaire, set_status,
};
pub use demo::{DEMO_TITLE, DemoError, load_demo};
pub use estimates::{
    EstimateError, EstimateOptions, OfficialScores, ScoreError, SheetError, SheetPoints, SurveyEstimates, YearNotCovered,
    compute_estimates, fill_sheet, is_small_sample, score_files, structure_for, survey_estimates, survey_leaf_scores,
};
pub use form::{AnswerProblem, SubmitError, form, submit_form};
pub use import::{ImportError, Imported, UnitProblem, import_file};
pub use invitations::{Invitations, IssuedLink, invitation_link, invitations, invite, links_base, revoke_unused};
pub use overview::{SurveyOverview, survey_overview};
pub use read::{
    FileError, MAX_LISTED, ParsedResponses, ReadError, RowProblem, RowProblems, for_each_row, read_response_file, read_responses,
};
pub use sample::{MAX_SAMPLE, questionnaire_groups, response_csv_header, sample_csv, synthetic_responses_csv, template_csv};

/// The sample questionnaire shipped with the system (13 questions over the 8 PAPI dimensions).
pub const SAMPLE_QUESTIONNAIRE: &str = include_str!("../../../../datasets/surveys/papi-mini.toml");

/// Units (and groups) with fewer respondents get a small-sample warning.
pub const SMALL_SAMPLE: usize = 30;
