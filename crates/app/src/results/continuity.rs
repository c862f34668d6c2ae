//! Continuity of published results for a unit formed by a reform: its predecessors' results side by side,
//! year by year, and the derived series (core's rule, `chiso_core::results::derive_continuity`), composed
//! from the store's lineage and results of those units.

use super::{RankError, Results};
use chiso_core::access::Scope;
use chiso_core::framework::Framework;
use chiso_core::results::{Continuity, PredecessorResults, derive_continuity};
use chiso_store::results::Lineage;
use serde::Serialize;

/// A unit's results across the reform: who it came from, and their series with the derived one.
#[derive(Debug, Clone, Serialize)]
pub struct ContinuityView {
    pub lineage: Lineage,
    /// The stored years of the framework, oldest first (the years of the series).
    pub continuity: Continuity,
    /// The unit's own published years (a unit formed after the last published year has none).
    pub own_years: Vec<i32>,
}

impl ContinuityView {
    /// The unit was formed from others (a reform or merger): there is a predecessors' series to show.
    pub fn has_predecessors(&self) -> bool {
        !self.lineage.predecessors.is_empty()
    }
}

impl Results<'_> {
    /// The results of the unit with `code` in force today (by the app's clock; else its latest unit) and
    /// of its predecessors, every stored year. Published results are public: any viewer.
    pub async fn continuity(&self, scope: &Scope, fw: &Framework, code: &str) -> Result<ContinuityView, RankError> {
        let store = &self.app.store;
        let today = chiso_core::unit::format_date(self.app.today());
        let lineage = store.results_lineage(scope, code, &today).await?;
        let mut years: Vec<i32> = store.result_years(scope, &fw.code).await?.into_iter().map(|y| y.year).collect();
        years.sort_unstable();
        let mut ids: Vec<i64> = lineage.predecessors.iter().map(|p| p.id).collect();
        ids.push(lineage.unit.id);
        let mut results = store.results_of_units(scope, &fw.code, &ids).await?;
        let own_years =
            results.get(&lineage.unit.id).map(|y| y.iter().filter(|(_, l)| l.is_some()).map(|(y, _)| *y).collect()).unwrap_or_default();
        let inputs: Vec<PredecessorResults> = lineage
            .predecessors
            .iter()
            .map(|p| PredecessorResults { code: p.code.clone(), name: p.name.clone(), years: results.remove(&p.id).unwrap_or_default() })
            .collect();
        let continuity = derive_continuity(fw, &years, &inputs);
        Ok(ContinuityView { lineage, continuity, own_years })
    }
}
