//! Survey estimation engine (issue 6: citizen surveys).
//!
//! - [`Questionnaire`]: indicators mapped to framework nodes, with their coding (TOML in/out,
//!   errors with line, column, indicator and field).
//! - [`Responses`]: answers read from CSV (in parallel, into one byte per answer) or pushed row
//!   by row through [`ResponsesBuilder`] (XLSX, the web form); errors name the line and column.
//! - [`Structure`]: dimensions → sub-dimensions, from a framework tree or from the node codes.
//! - [`score`]: the spec — normalise, weighted indicator means, sub-dimension scores
//!   (1 + 9n)/k, dimension and total scores — per unit and optionally per respondent group,
//!   with reproducible bootstrap 95% intervals ([`ScoreOptions`]).
//! - [`score_files`]: the whole `chiso survey score` command in one call.
//!
//! ```no_run
//! use chiso_stats::{ScoreOptions, score_files};
//! let opts = ScoreOptions { bootstrap: 200, seed: 1, ..ScoreOptions::default() };
//! let report = score_files("q.toml".as_ref(), "r.csv".as_ref(), &opts)?;
//! println!("{}", serde_json::to_string(&report)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
pub use questionnaire::{AnswerOption, FIXED_COLUMNS, Indicator, Problem as QuestionnaireProblem, Questionnaire};
pub use report::{Estimate, Intervals, OrderedMap, Report, ScoreOptions, UnitReport, score, score_files, score_files_with};
pub use responses::{Record, Responses, ResponsesBuilder, parse_number};
pub use structure::Structure;
