//! Published index results: parsing, scores from the leaves up, rankings among peers, and the
//! PAR-style score sheet (self-assessed vs appraised). Pure computation; the caller stores data
//! and supplies unit names.
//!
//! Rules (stated once, used everywhere here):
//! - **Scores up the tree.** A leaf's score is as published. An inner node's score follows the
//!   framework's aggregation (`sum` / `percent_of_max`: sum of the children; `mean`: their mean)
//!   and exists only when every child applying that year has a score. So a dimension whose
//!   sub-dimensions were not published has no score, and then neither has the total.
//! - **Not published is not zero.** A row with no value at all means the unit was not published
//!   that year; a leaf absent from that year's framework (PAPI 5.2 from 2021) is not a missing
//!   value.
//! - **Partial rows.** Values are required per group: the leaves under one inner node (a PAPI
//!   dimension, a PAR area) are published all together or not at all. A group with some but not
//!   all values is refused (the sums would be silently wrong). A wholly empty group is "not
//!   published" for that unit (PAPI 2018 published no D2/D4 for two provinces); the unit keeps
//!   its other scores and ranks but has no total.
//! - **Valid range.** A leaf's value must lie in `[0, max]` of that year (PAPI: max = 10 / the
//!   number of sub-dimensions of its dimension that year, e.g. 2.5 or 3.333). The lower bound is
//!   0, not the inferred PAPI floor 1/n, because that floor is not officially confirmed.
//! - **Ranking.** Higher is better. Standard competition ranking (1, 2, 2, 4) on values rounded
//!   to 4 decimals — the precision PAPI publishes — so 46.04151 and 46.04149 tie.
//!   `rank_change = previous_rank − rank`, so > 0 means the unit moved up.
//! - **Peer statistics.** Mean (unweighted, over the units with a score for the node) and best
//!   score per node, with the units holding the best score.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::framework::{Aggregation, Family, Framework, Node, Source};

mod continuity;
mod import;
mod mapping;
mod parse;
mod ranking;
mod sheet;
mod workflow;

pub use continuity::*;
pub use import::*;
pub use mapping::*;
use parse::csv_reader;
pub use parse::*;
pub use ranking::*;
pub use sheet::*;
pub use workflow::*;

/// Tolerance when checking a value against a maximum (data carry ~9 decimals).
const RANGE_EPSILON: f64 = 1e-9;
/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// Leaf scores of many units for one framework and year, as published.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct YearScores {
    pub framework: String,
    pub year: i32,
    /// unit code → leaf code → score. Units here have at least one published value.
    pub units: BTreeMap<String, BTreeMap<String, f64>>,
    /// Units listed in the data with no value at all that year.
    pub not_published: BTreeSet<String>,
    /// unit code → line of the file where it first appears (its code is in column 1), so later
    /// checks (unknown unit codes) can name the place.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lines: BTreeMap<String, u64>,
}

/// One problem in a results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataProblem {
    /// 1-based line in the file.
    pub line: u64,
    /// 1-based column (field number), when the problem is in one cell.
    pub column: Option<usize>,
    /// Column header of that cell.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for DataProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng {}", self.line)?;
        if let Some(c) = self.column {
            write!(f, ", cột {c}")?;
        }
        if let Some(h) = &self.field {
            write!(f, " ({h})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A results file refused as a whole, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsError {
    pub problems: Vec<DataProblem>,
    /// Problems found beyond those listed.
    pub more: usize,
}

impl fmt::Display for ResultsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tệp kết quả bị từ chối, không dữ liệu nào được nhận")?;
        for p in &self.problems {
            write!(f, "\n{p}")?;
        }
        if self.more > 0 {
            write!(f, "\n… và {} lỗi khác (and {} more)", self.more, self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for ResultsError {}

#[derive(Default)]
struct Problems {
    list: Vec<DataProblem>,
    more: usize,
}

impl Problems {
    fn add(&mut self, line: u64, column: Option<usize>, field: Option<&str>, message: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(DataProblem { line, column, field: field.map(str::to_string), message });
        } else {
            self.more += 1;
        }
    }

    fn finish<T>(self, value: T) -> Result<T, ResultsError> {
        if self.list.is_empty() { Ok(value) } else { Err(ResultsError { problems: self.list, more: self.more }) }
    }
}

#[cfg(test)]
mod tests;
