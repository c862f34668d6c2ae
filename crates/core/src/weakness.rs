//! Weak points of one unit in one year, and the three task groups of a PAR plan (the Mê Linh
//! model: Biểu 01 keep what is at full score, Biểu 02 improve what is below full score, Biểu 03
//! raise the survey score).
//!
//! Points lost, the reference:
//! - `full_score` (frameworks with self-assessed leaves, e.g. PAR INDEX): points lost =
//!   max − score.
//! - `peers` (every leaf is survey-based, e.g. PAPI): there is no full score a unit can earn, the
//!   scores only mean something against other units, so points lost = gap to the peer (national)
//!   mean; the gap to the best unit is also given and breaks ties.
//!
//! Task groups of leaves:
//! - `full_score`: survey leaves → `survey`; score = max → `keep`; otherwise `improve`.
//! - `peers`: every leaf is survey-based, so `survey` would hold everything and say nothing.
//!   Instead a leaf at or above the peer mean (on 4 decimals) → `keep`, below → `improve`
//!   (towards the mean, then the best). Without peer statistics the full-score rule applies.

use serde::{Deserialize, Serialize};

use crate::framework::{Framework, Source};
use crate::results::{Ranking, round_to};

const FULL_EPSILON: f64 = 1e-9;

/// The three task groups of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskGroup {
    /// At full score (or at/above the peer mean): keep it.
    Keep,
    /// Below full score (or below the peer mean): improve to full score.
    Improve,
    /// Survey-based criterion: raise the survey score.
    Survey,
}

impl TaskGroup {
    /// The group's name for people. Against peers (PAPI) "keep" and "improve" are relative to the
    /// national mean, so they are not called "full score" there.
    pub fn label_vi(self, reference: Reference) -> &'static str {
        match (self, reference) {
            (TaskGroup::Keep, Reference::FullScore) => "Duy trì điểm tối đa",
            (TaskGroup::Improve, Reference::FullScore) => "Phấn đấu đạt điểm tối đa",
            (TaskGroup::Keep, Reference::Peers) => "Duy trì, phát huy (từ trung bình trở lên)",
            (TaskGroup::Improve, Reference::Peers) => "Cải thiện (dưới trung bình)",
            (TaskGroup::Survey, _) => "Nâng cao điểm điều tra XHH",
        }
    }
}

/// What points lost are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    FullScore,
    Peers,
}

/// One node of the unit's result, with what it lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WeakPoint {
    pub code: String,
    pub name_vi: String,
    /// 1 = dimension/area, 2 = sub-dimension/criterion, …
    pub depth: usize,
    pub is_leaf: bool,
    pub source: Source,
    pub score: f64,
    pub max: Option<f64>,
    /// Points lost against the reference (see module doc); ≥ 0 means below it.
    pub points_lost: f64,
    /// `max − score`.
    pub below_max: Option<f64>,
    /// `peer mean − score` (> 0: below the mean).
    pub gap_to_mean: Option<f64>,
    /// `best − score`.
    pub gap_to_best: Option<f64>,
    pub rank: u32,
    pub of: u32,
    pub rank_change: Option<i32>,
    pub score_change: Option<f64>,
    /// Task group (leaves only).
    pub group: Option<TaskGroup>,
}

/// A unit's weak points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakPoints {
    pub framework: String,
    pub year: i32,
    pub unit: String,
    pub reference: Reference,
    /// Every node below the root with a score, most points lost first (an area/dimension sorts
    /// above its own criteria since its loss is their sum).
    pub items: Vec<WeakPoint>,
    /// Codes, worst relative rank (rank / number ranked) first.
    pub by_rank: Vec<String>,
    /// Codes, most places lost since last year first; nodes without a previous rank last.
    pub by_change: Vec<String>,
}

impl WeakPoints {
    pub fn item(&self, code: &str) -> Option<&WeakPoint> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Leaf codes of one task group, most points lost first.
    pub fn group(&self, group: TaskGroup) -> Vec<&str> {
        self.items.iter().filter(|i| i.group == Some(group)).map(|i| i.code.as_str()).collect()
    }
}

/// The reference for a framework: `peers` when every leaf is survey-based.
pub fn reference_for(fw: &Framework) -> Reference {
    let leaves = fw.root().leaves();
    if !leaves.is_empty() && leaves.iter().all(|l| l.source == Source::Survey) { Reference::Peers } else { Reference::FullScore }
}

/// Weak points of `unit` in `ranking` (built by [`crate::results::rank`] for the same
/// framework). `None` when the unit has no scores that year.
pub fn weak_points(fw: &Framework, ranking: &Ranking, unit: &str) -> Option<WeakPoints> {
    let entry = ranking.unit(unit)?;
    let year = ranking.year;
    let reference = reference_for(fw);
    let tree = fw.tree_for_year(Some(year));
    let mut items = Vec::new();
    let mut stack: Vec<(&crate::framework::Node, usize)> = tree.children.iter().rev().map(|c| (c, 1)).collect();
    while let Some((node, depth)) = stack.pop() {
        stack.extend(node.children.iter().rev().map(|c| (c, depth + 1)));
        let Some(r) = entry.nodes.get(&node.code) else {
            continue;
        };
        let stats = ranking.stats.get(&node.code);
        let below_max = node.max.map(|m| m - r.score);
        let gap_to_mean = stats.map(|s| s.mean - r.score);
        let gap_to_best = stats.map(|s| s.best - r.score);
        let points_lost = match (reference, gap_to_mean, below_max) {
            (Reference::Peers, Some(g), _) => g,
            (_, _, Some(b)) => b,
            (_, Some(g), None) => g,
            (_, None, None) => 0.0,
        };
        let group = node.is_leaf().then(|| {
            let at_full = node.max.is_some_and(|m| r.score >= m - FULL_EPSILON);
            match (reference, stats) {
                (Reference::Peers, Some(s)) => {
                    if round_to(r.score, 4) >= round_to(s.mean, 4) {
                        TaskGroup::Keep
                    } else {
                        TaskGroup::Improve
                    }
                }
                _ if node.source == Source::Survey && reference == Reference::FullScore => TaskGroup::Survey,
                _ if at_full => TaskGroup::Keep,
                _ => TaskGroup::Improve,
            }
        });
        items.push(WeakPoint {
            code: node.code.clone(),
            name_vi: node.name_vi.clone(),
            depth,
            is_leaf: node.is_leaf(),
            source: node.source,
            score: r.score,
            max: node.max,
            points_lost,
            below_max,
            gap_to_mean,
            gap_to_best,
            rank: r.rank,
            of: r.of,
            rank_change: r.rank_change,
            score_change: r.score_change,
            group,
        });
    }
    items.sort_by(|a, b| {
        b.points_lost
            .total_cmp(&a.points_lost)
            .then_with(|| b.gap_to_best.unwrap_or(0.0).total_cmp(&a.gap_to_best.unwrap_or(0.0)))
            .then_with(|| a.code.cmp(&b.code))
    });

    let mut by_rank: Vec<&WeakPoint> = items.iter().collect();
    by_rank.sort_by(|a, b| {
        let fa = f64::from(a.rank) / f64::from(a.of.max(1));
        let fb = f64::from(b.rank) / f64::from(b.of.max(1));
        fb.total_cmp(&fa).then_with(|| b.points_lost.total_cmp(&a.points_lost)).then_with(|| a.code.cmp(&b.code))
    });
    let mut by_change: Vec<&WeakPoint> = items.iter().collect();
    by_change.sort_by(|a, b| {
        let key = |w: &WeakPoint| w.rank_change.map_or(i64::MAX, i64::from);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.score_change.unwrap_or(f64::INFINITY).total_cmp(&b.score_change.unwrap_or(f64::INFINITY)))
            .then_with(|| a.code.cmp(&b.code))
    });
    let by_rank = by_rank.into_iter().map(|w| w.code.clone()).collect();
    let by_change = by_change.into_iter().map(|w| w.code.clone()).collect();

    Some(WeakPoints { framework: fw.code.clone(), year, unit: unit.to_string(), reference, items, by_rank, by_change })
}

// ---------------------------------------------------------------------------------------------
// Outline of next year's plan

/// One leaf (sub-dimension / criterion) a plan section should serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutlineItem {
    pub code: String,
    pub name_vi: String,
    pub group: TaskGroup,
    pub score: f64,
    pub max: Option<f64>,
    pub points_lost: f64,
    pub gap_to_best: Option<f64>,
    pub rank: u32,
    pub of: u32,
    pub rank_change: Option<i32>,
}

/// One section of the plan: a dimension / area, with its leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutlineSection {
    pub code: String,
    pub name_vi: String,
    /// `None` when the dimension has no score that year (not published): it still gets a
    /// section, since a plan must cover every dimension, but comes last.
    pub score: Option<f64>,
    pub max: Option<f64>,
    pub points_lost: Option<f64>,
    pub rank: Option<u32>,
    pub of: Option<u32>,
    pub rank_change: Option<i32>,
    /// Leaves, most points lost first.
    pub items: Vec<OutlineItem>,
}

/// What next year's plan of a unit should contain, from its weak points: one section per
/// dimension/area, weakest first, each leaf marked with its task group. The plan itself (tasks
/// from the task library, lead agencies, dates) is built by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanOutline {
    pub framework: String,
    /// Year of the results the outline is drawn from.
    pub results_year: i32,
    /// The plan's year (the following one).
    pub plan_year: i32,
    pub unit: String,
    pub reference: Reference,
    pub sections: Vec<OutlineSection>,
}

impl PlanOutline {
    /// Leaf codes of one task group, in section order.
    pub fn group(&self, group: TaskGroup) -> Vec<&str> {
        self.sections.iter().flat_map(|s| s.items.iter()).filter(|i| i.group == group).map(|i| i.code.as_str()).collect()
    }
}

/// The outline of next year's plan from `weak` (see [`PlanOutline`]). Sections follow points
/// lost at the dimension level (ties: larger gap to the best, then code); leaves inside a section
/// follow their own points lost, since `weak.items` is already in that order.
pub fn plan_outline(fw: &Framework, weak: &WeakPoints) -> PlanOutline {
    let tree = fw.tree_for_year(Some(weak.year));
    let mut sections: Vec<OutlineSection> = tree
        .children
        .iter()
        .map(|dim| {
            let below: Vec<&str> = dim.walk().into_iter().map(|n| n.code.as_str()).collect();
            let w = weak.item(&dim.code);
            OutlineSection {
                code: dim.code.clone(),
                name_vi: dim.name_vi.clone(),
                score: w.map(|w| w.score),
                max: dim.max,
                points_lost: w.map(|w| w.points_lost),
                rank: w.map(|w| w.rank),
                of: w.map(|w| w.of),
                rank_change: w.and_then(|w| w.rank_change),
                items: weak
                    .items
                    .iter()
                    .filter(|i| i.is_leaf && below.contains(&i.code.as_str()))
                    .filter_map(|i| {
                        Some(OutlineItem {
                            code: i.code.clone(),
                            name_vi: i.name_vi.clone(),
                            group: i.group?,
                            score: i.score,
                            max: i.max,
                            points_lost: i.points_lost,
                            gap_to_best: i.gap_to_best,
                            rank: i.rank,
                            of: i.of,
                            rank_change: i.rank_change,
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let gap_to_best = |code: &str| weak.item(code).and_then(|w| w.gap_to_best).unwrap_or(0.0);
    sections.sort_by(|a, b| match (a.points_lost, b.points_lost) {
        (Some(x), Some(y)) => {
            y.total_cmp(&x).then_with(|| gap_to_best(&b.code).total_cmp(&gap_to_best(&a.code))).then_with(|| a.code.cmp(&b.code))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
    PlanOutline {
        framework: weak.framework.clone(),
        results_year: weak.year,
        plan_year: weak.year + 1,
        unit: weak.unit.clone(),
        reference: weak.reference,
        sections,
    }
}

#[cfg(test)]
mod tests;
