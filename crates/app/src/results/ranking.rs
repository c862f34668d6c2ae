//! Rankings of stored years: one year with history, every year, and the compact rank table.

use super::Results;
use crate::{ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::framework::Framework;
use chiso_core::results::{self as core_results, RankedUnit, Ranking, YearScores};
use chiso_store::StoreError;
use chiso_store::results::{StoredYear, UnitName};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a ranking could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RankError {
    /// The year was never imported.
    #[error("không tìm thấy kết quả {framework} năm {year} (chưa nhập)")]
    NotImported { framework: String, year: i32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Failure for RankError {
    fn kind(&self) -> ErrorKind {
        match self {
            RankError::NotImported { .. } => ErrorKind::NotFound,
            RankError::Store(e) => e.kind(),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            RankError::NotImported { .. } => "not_found",
            RankError::Store(e) => e.code(),
        }
    }
}

/// One row of [`RankTable`].
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RankRow {
    pub unit: String,
    pub name: String,
    pub total: Option<f64>,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    /// `previous_rank − rank`: > 0 moved up.
    pub rank_change: Option<i32>,
    pub dimensions: BTreeMap<String, f64>,
}

/// The ranking of one year in its compact, stable shape (CLI `results rank --json`, API).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RankTable {
    pub framework: String,
    pub year: i32,
    /// Units with a total, best first; ties share a rank (1, 2, 2, 4) and are listed by code.
    pub ranked: Vec<RankRow>,
    /// Units with some dimensions published but no total (a whole dimension unpublished).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partially_published: Vec<RankRow>,
    pub not_published: Vec<UnitName>,
}

/// "Tỉnh Quảng Ninh" → "Quảng Ninh", "Thành phố Hà Nội" → "Hà Nội": the province names as the
/// published rankings write them. Other names are kept whole.
pub fn short_name(name: &str) -> String {
    let name = name.trim();
    for prefix in ["Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "] {
        if let Some(rest) = name.strip_prefix(prefix)
            && !rest.trim().is_empty()
        {
            return rest.trim().to_string();
        }
    }
    name.to_string()
}

impl Results<'_> {
    /// Ranking of one year among all units of the data, or among the children of `parent`. Change is
    /// taken against the latest earlier stored year in which the unit was published (stated per unit as
    /// `previous_year`). Names are the units' full names. Published results are public: any viewer.
    pub async fn ranking(&self, scope: &Scope, fw: &Framework, year: i32, parent: Option<&str>) -> Result<Ranking, RankError> {
        let parent_id = self.parent_id(scope, parent).await?;
        let years = self.app.store.results_history(scope, &fw.code).await?;
        rank_year(fw, &years, year, parent_id).ok_or_else(|| RankError::NotImported { framework: fw.code.clone(), year })
    }

    /// Rankings of every stored year (each against the years before it), oldest first.
    pub async fn rankings(&self, scope: &Scope, fw: &Framework, parent: Option<&str>) -> Result<Vec<Ranking>, RankError> {
        let parent_id = self.parent_id(scope, parent).await?;
        let years = self.app.store.results_history(scope, &fw.code).await?;
        Ok(years.iter().filter_map(|y| rank_year(fw, &years, y.scores.year, parent_id)).collect())
    }

    /// The ranking in its compact shape (see [`RankTable`]); names without "Tỉnh "/"Thành phố ".
    pub async fn rank_table(&self, scope: &Scope, fw: &Framework, year: i32) -> Result<RankTable, RankError> {
        Ok(rank_table(&self.ranking(scope, fw, year, None).await?))
    }

    async fn parent_id(&self, scope: &Scope, parent: Option<&str>) -> Result<Option<i64>, StoreError> {
        Ok(match parent {
            Some(code) => Some(self.app.store.result_unit(scope, code).await?.0),
            None => None,
        })
    }
}

/// The ranking of `year` among `years` (restricted to the children of `parent_id`).
fn rank_year(fw: &Framework, years: &[StoredYear], year: i32, parent_id: Option<i64>) -> Option<Ranking> {
    let restrict = |y: &StoredYear| -> YearScores {
        let mut s = y.scores.clone();
        if let Some(pid) = parent_id {
            let keep = |c: &String| y.parents.get(c).copied().flatten() == Some(pid);
            s.units.retain(|c, _| keep(c));
            s.not_published.retain(keep);
        }
        s
    };
    let current = years.iter().find(|y| y.scores.year == year)?;
    let cur = restrict(current);
    let earlier: Vec<YearScores> = years.iter().filter(|y| y.scores.year < year).map(restrict).collect();
    let earlier: Vec<&YearScores> = earlier.iter().collect();
    let mut r = core_results::rank_with_history(fw, &cur, &earlier);
    r.set_names(|u| current.name(u).map(str::to_string));
    Some(r)
}

/// The compact shape of a ranking.
pub fn rank_table(r: &Ranking) -> RankTable {
    let row = |u: &RankedUnit| RankRow {
        unit: u.unit.clone(),
        name: short_name(u.name.as_deref().unwrap_or(&u.unit)),
        total: u.total,
        rank: u.rank,
        previous_rank: u.previous_rank,
        rank_change: u.rank_change,
        dimensions: u.dimensions.clone(),
    };
    RankTable {
        framework: r.framework.clone(),
        year: r.year,
        ranked: r.ranked.iter().map(row).collect(),
        partially_published: r.partially_published.iter().map(row).collect(),
        not_published: r
            .not_published
            .iter()
            .map(|u| UnitName { unit: u.unit.clone(), name: short_name(u.name.as_deref().unwrap_or(&u.unit)) })
            .collect(),
    }
}
