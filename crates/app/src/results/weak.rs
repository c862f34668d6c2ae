//! Weak points of a unit (from the official results, or from its own score sheet) with the task groups
//! and the outline of next year's plan.

use super::Results;
use crate::{ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::framework::Framework;
use chiso_core::weakness::{self, PlanOutline, Reference, TaskGroup, WeakPoint};
use chiso_store::StoreError;
use serde::Serialize;

/// The leaves of one task group.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct TaskGroups {
    pub keep: Vec<String>,
    pub improve: Vec<String>,
    pub survey: Vec<String>,
}

/// A unit's weak points in one year, with the task groups and the outline of next year's plan.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct WeakReport {
    pub framework: String,
    pub year: i32,
    pub unit: String,
    pub name: String,
    /// `peers` (PAPI: points lost = gap to the national mean) or `full_score` (PAR: max − score).
    pub reference: Reference,
    /// Where the scores come from: `official` results or the unit's `score_sheet`.
    pub basis: &'static str,
    /// Every scored node, most points lost first.
    pub items: Vec<WeakPoint>,
    /// Node codes, worst relative rank first.
    pub by_rank: Vec<String>,
    /// Node codes, most places lost since the previous year first.
    pub by_change: Vec<String>,
    pub groups: TaskGroups,
    /// Sections of next year's plan, weakest dimension first.
    pub plan: PlanOutline,
}

/// Why there are no weak points to show.
#[derive(Debug, thiserror::Error)]
pub enum WeakError {
    /// No scores of the unit for the year: not imported, not published, no sheet (the message says which).
    #[error("không tìm thấy {0}")]
    NoScores(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for WeakError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => WeakError::NoScores(m),
            e => WeakError::Store(e),
        }
    }
}

impl From<super::RankError> for WeakError {
    fn from(e: super::RankError) -> Self {
        match e {
            super::RankError::NotImported { framework, year } => WeakError::NoScores(format!("kết quả {framework} năm {year} (chưa nhập)")),
            super::RankError::Store(e) => e.into(),
        }
    }
}

impl Failure for WeakError {
    fn kind(&self) -> ErrorKind {
        match self {
            WeakError::NoScores(_) => ErrorKind::NotFound,
            WeakError::Store(e) => e.kind(),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            WeakError::NoScores(_) => "not_found",
            WeakError::Store(e) => e.code(),
        }
    }
}

impl Results<'_> {
    /// Weak points of a unit in a year from the official results (public), with the task groups and
    /// the outline of next year's plan.
    pub async fn weak_report(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> Result<WeakReport, WeakError> {
        let ranking = self.ranking(scope, fw, year, None).await?;
        let (_, name) = self.app.store.result_unit(scope, unit_code).await?;
        let weak = weakness::weak_points(fw, &ranking, unit_code).ok_or_else(|| {
            WeakError::NoScores(format!("kết quả {} năm {year} của đơn vị {name} ({unit_code}) — không được công bố", fw.code))
        })?;
        Ok(weak_report(fw, weak, name, "official"))
    }

    /// What next year's plan of a unit should contain: its weak points in `year` ordered weakest first
    /// and the task group of every leaf, from the official results when they include the unit,
    /// otherwise from the unit's score sheet (scoped). For the plan drafter.
    pub async fn next_plan_outline(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> Result<WeakReport, WeakError> {
        match self.weak_report(scope, fw, unit_code, year).await {
            Err(WeakError::NoScores(official)) => match self.app.assessments().weak_report(scope, fw, unit_code, year).await {
                Err(WeakError::NoScores(sheet)) => Err(WeakError::NoScores(format!("{official}; {sheet}"))),
                other => other,
            },
            other => other,
        }
    }
}

/// Assemble a [`WeakReport`] from core's weak points.
pub fn weak_report(fw: &Framework, weak: weakness::WeakPoints, name: String, basis: &'static str) -> WeakReport {
    let plan = weakness::plan_outline(fw, &weak);
    let codes = |g: TaskGroup| weak.group(g).into_iter().map(str::to_string).collect::<Vec<_>>();
    let groups = TaskGroups { keep: codes(TaskGroup::Keep), improve: codes(TaskGroup::Improve), survey: codes(TaskGroup::Survey) };
    WeakReport {
        framework: weak.framework,
        year: weak.year,
        unit: weak.unit,
        name,
        reference: weak.reference,
        basis,
        items: weak.items,
        by_rank: weak.by_rank,
        by_change: weak.by_change,
        groups,
        plan,
    }
}

impl From<WeakError> for crate::ServiceError {
    fn from(e: WeakError) -> Self {
        match e {
            WeakError::NoScores(m) => crate::ServiceError::Store(StoreError::NotFound(m)),
            WeakError::Store(e) => crate::ServiceError::Store(e),
        }
    }
}
