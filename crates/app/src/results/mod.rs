//! Official index results: import a year (with unit mapping), rank a year with history, rank tables,
//! weak points and the outline of next year's plan.
//!
//! "Compute PAPI ranks" reads: [`Results::ranking`] → `Store::results_history` (every stored year,
//! public) → core's `results::rank_with_history` (scores up the tree, competition ranks, change against
//! the unit's last published year) → names from the stored year.

mod continuity;
mod import;
mod ranking;
mod weak;

pub use continuity::ContinuityView;
pub use import::{ImportError, ImportRequest, Mapping};
pub use ranking::{RankError, RankRow, RankTable, rank_table, short_name};
pub use weak::{TaskGroups, WeakError, WeakReport, weak_report};

use crate::App;

/// The results use cases of an [`App`]: `app.results().ranking(…)`.
#[derive(Clone, Copy)]
pub struct Results<'a> {
    app: &'a App,
}

impl App {
    pub fn results(&self) -> Results<'_> {
        Results { app: self }
    }
}
