//! Survey estimation engine (issue 6: citizen surveys).
//!
//! - [`Questionnaire`]: indicators mapped to framework nodes, with their coding (TOML in/out).
//! - [`Responses`]: answers streamed from CSV (or pushed row by row through
//!   [`ResponsesBuilder`]) into a compact columnar form, with line/column errors.
//! - [`score`]: weighted estimates by the spec (normalise, indicator means, sub-dimension,
//!   dimension and total scores) per unit and optionally per respondent group, with
//!   reproducible bootstrap 95% intervals ([`ScoreOptions`]).
//! - [`score_files`]: the whole `chiso survey score` command in one call.

mod bootstrap;
mod error;
mod estimate;
mod percentile;
mod questionnaire;
mod report;
mod responses;
mod structure;

pub use error::{QuestionnaireError, ResponseError, ResponseErrorKind, SurveyError};
pub use percentile::{nanpercentiles, percentile_sorted};
pub use questionnaire::{AnswerOption, FIXED_COLUMNS, Indicator, Questionnaire};
pub use report::{Estimate, Intervals, OrderedMap, Report, ScoreOptions, UnitReport, score, score_files, score_files_with};
pub use responses::{Record, Responses, ResponsesBuilder};
pub use structure::Structure;
