//! Score sheets (phiếu chấm điểm): create, self scores, explanation, appraisal, status transitions, the
//! sheet with its computed points, the ranking of a parent's children on their finalised sheets, and the
//! weak points of a unit from its own sheet.
//!
//! Who may take which step and which status may go to which are core's rules
//! (`chiso_core::results::{check_side, next_status}`); the store enforces them on every write, in the
//! same transaction as the audit. Here the reads are composed: store rows → core's score sheet, ranking
//! and weak points.

use crate::App;
use crate::results::{WeakError, WeakReport, short_name, weak_report};
use chiso_core::access::Scope;
use chiso_core::framework::{Framework, Node};
use chiso_core::results::{self as core_results, LeafScore, Ranking, ScoreSheet, SheetAction, SheetStatus, YearScores};
use chiso_core::weakness;
use chiso_store::StoreError;
use chiso_store::assessments::{AppraisalInput, Assessment, AssessmentItem, SelfScoreInput, SheetEdits};
use chiso_store::results::UnitName;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A sheet with its items, the computed points and percentages, and what the scope may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetView {
    pub assessment: Assessment,
    pub status_vi: &'static str,
    /// Leaf items in the framework's order.
    pub items: Vec<AssessmentItem>,
    /// Every node: points self vs appraised, difference, % of maximum (overall, area, criterion).
    pub sheet: ScoreSheet,
    pub can_self_score: bool,
    pub can_appraise: bool,
    pub can_explain: bool,
    /// Status changes this scope may make now.
    pub actions: Vec<SheetAction>,
}

/// Units under one parent ranked on their finalised sheets.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRanking {
    pub parent: UnitName,
    pub framework: String,
    pub year: i32,
    /// Finalised sheets, ranked on the appraised index (ties share a rank).
    pub ranking: Ranking,
    /// Sheets not finalised yet: provisional index, no rank.
    pub pending: Vec<PendingSheet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingSheet {
    pub unit: String,
    pub name: String,
    pub status: String,
    pub appraised_percent: Option<f64>,
}

/// The score-sheet use cases of an [`App`]: `app.assessments().sheet(…)`.
#[derive(Clone, Copy)]
pub struct Assessments<'a> {
    app: &'a App,
}

impl App {
    pub fn assessments(&self) -> Assessments<'_> {
        Assessments { app: self }
    }
}

/// The leaves of the sheet's year.
fn leaves_of(fw: &Framework, year: i32) -> Vec<Node> {
    fw.tree_for_year(Some(year)).leaves().into_iter().cloned().collect()
}

/// Leaf scores of a sheet for core's computations.
fn leaf_scores(items: &[AssessmentItem], leaves: &[Node]) -> Vec<LeafScore> {
    items
        .iter()
        .filter(|i| leaves.iter().any(|l| l.code == i.node))
        .map(|i| LeafScore { code: i.node.clone(), self_score: i.self_score, appraised_score: i.appraised_score })
        .collect()
}

/// The points every leaf counts for in rankings and weak points: appraised, else self, else 0.
fn counted_leaves(leaves: &[Node], items: &[AssessmentItem]) -> BTreeMap<String, f64> {
    leaves
        .iter()
        .map(|l| {
            let v = items.iter().find(|i| i.node == l.code).and_then(|i| i.appraised_score.or(i.self_score));
            (l.code.clone(), v.unwrap_or(0.0))
        })
        .collect()
}

impl Assessments<'_> {
    /// The sheet and the framework it belongs to (the framework must be loaded).
    pub async fn with_framework(&self, scope: &Scope, id: i64) -> Result<(Assessment, Framework), StoreError> {
        let a = self.app.store.assessment(scope, id).await?;
        let fw = self
            .app
            .frameworks
            .get(&a.framework)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("bộ chỉ số '{}' của phiếu #{id}", a.framework)))?;
        Ok((a, fw))
    }

    /// Open a sheet for a unit (every leaf criterion of the year, nothing scored).
    pub async fn create(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> Result<Assessment, StoreError> {
        self.app.store.create_assessment(scope, fw, unit_code, year).await
    }

    /// The unit's self scores and evidence (draft only; the assessed unit itself).
    pub async fn save_self_scores(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        inputs: &[SelfScoreInput],
        version: Option<i32>,
    ) -> Result<Assessment, StoreError> {
        self.app.store.save_self_scores(scope, fw, id, inputs, version).await
    }

    /// The superior's appraisal of criteria while a round is open.
    pub async fn appraise(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        inputs: &[AppraisalInput],
        version: Option<i32>,
    ) -> Result<Assessment, StoreError> {
        self.app.store.appraise(scope, fw, id, inputs, version).await
    }

    /// The unit's explanations of the appraisal (after the first round).
    pub async fn explain(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        inputs: &[(String, String)],
        version: Option<i32>,
    ) -> Result<Assessment, StoreError> {
        self.app.store.explain(scope, fw, id, inputs, version).await
    }

    /// A status change (core's `next_status`; the side that may take it is core's `check_side`); the other
    /// party is notified.
    pub async fn transition(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        action: SheetAction,
        reason: Option<&str>,
        version: Option<i32>,
    ) -> Result<Assessment, StoreError> {
        self.transition_with(scope, fw, id, action, reason, SheetEdits::default(), version).await
    }

    /// A status change that saves what the form held (self scores and evidence, appraisals, explanations) in
    /// the same transaction, each change audited ([`chiso_store::Store::transition_with`]): no step drops
    /// what was typed. The other party is notified.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_with(
        &self,
        scope: &Scope,
        fw: &Framework,
        id: i64,
        action: SheetAction,
        reason: Option<&str>,
        edits: SheetEdits<'_>,
        version: Option<i32>,
    ) -> Result<Assessment, StoreError> {
        let a = self.app.store.transition_with(scope, fw, id, action, reason, edits, version).await?;
        crate::notices::sheet_moved(self.app, scope, &a, action).await;
        Ok(a)
    }

    /// The sheet with its computed points and percentages and what the scope may do now.
    pub async fn sheet(&self, scope: &Scope, fw: &Framework, id: i64) -> Result<SheetView, StoreError> {
        let a = self.app.store.assessment(scope, id).await?;
        if fw.code != a.framework {
            return Err(StoreError::Invalid(format!("phiếu #{} thuộc bộ chỉ số '{}', không phải '{}'", a.id, a.framework, fw.code)));
        }
        let leaves = leaves_of(fw, a.year);
        let mut items = self.app.store.assessment_items(scope, id).await?;
        let order: HashMap<&str, usize> = leaves.iter().enumerate().map(|(i, l)| (l.code.as_str(), i)).collect();
        items.sort_by_key(|i| order.get(i.node.as_str()).copied().unwrap_or(usize::MAX));
        let sheet = core_results::score_sheet(fw, a.year, &leaf_scores(&items, &leaves)).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let status = a.status();
        let unit_side = core_results::is_unit_side(scope, a.sheet_unit());
        let appraiser = core_results::is_appraiser(scope, a.sheet_unit());
        let actions = core_results::allowed_actions(scope, a.sheet_unit(), status, a.round >= 2);
        Ok(SheetView {
            status_vi: status.name_vi(),
            can_self_score: unit_side && status.self_scoring_open(),
            can_appraise: appraiser && status.appraisal_open(),
            can_explain: unit_side && status.explanation_open(),
            actions,
            assessment: a,
            items,
            sheet,
        })
    }

    /// The children of `parent_code` ranked on their finalised sheets (index = appraised points /
    /// maximum), with change against the previous year's finalised sheets; unfinished sheets are listed
    /// apart with their provisional index.
    pub async fn ranking(&self, scope: &Scope, fw: &Framework, parent_code: &str, year: i32) -> Result<SheetRanking, StoreError> {
        let (parent, cur, names, pending) = self.children_sheets(scope, fw, parent_code, year).await?;
        let (_, prev, _, _) = self.children_sheets(scope, fw, parent_code, year - 1).await?;
        let mut ranking = core_results::rank(fw, &cur, (!prev.units.is_empty()).then_some(&prev));
        ranking.set_names(|u| names.get(u).cloned());
        Ok(SheetRanking {
            parent: UnitName { unit: parent.code.clone(), name: short_name(&parent.name) },
            framework: fw.code.clone(),
            year,
            ranking,
            pending,
        })
    }

    /// The sheets of a parent's children in one year: finalised ones as leaf scores, the others as
    /// pending with their provisional index; and the units' names.
    async fn children_sheets(
        &self,
        scope: &Scope,
        fw: &Framework,
        parent_code: &str,
        year: i32,
    ) -> Result<(chiso_store::units::Unit, YearScores, BTreeMap<String, String>, Vec<PendingSheet>), StoreError> {
        let (parent, list) = self.app.store.children_assessments(scope, parent_code, &fw.code, year).await?;
        let mut data = YearScores { framework: fw.code.clone(), year, ..YearScores::default() };
        let mut names = BTreeMap::new();
        let mut pending = Vec::new();
        if !fw.applies_to(year) {
            return Ok((parent, data, names, pending));
        }
        let leaves = leaves_of(fw, year);
        for (a, items) in list {
            if a.status() == SheetStatus::Finalised {
                data.units.insert(a.unit_code.clone(), counted_leaves(&leaves, &items));
            } else {
                let pct = core_results::score_sheet(fw, year, &leaf_scores(&items, &leaves))
                    .ok()
                    .and_then(|s| s.overall().and_then(|r| r.appraised_percent));
                pending.push(PendingSheet {
                    unit: a.unit_code.clone(),
                    name: a.unit_name.clone(),
                    status: a.status.clone(),
                    appraised_percent: pct,
                });
            }
            names.insert(a.unit_code, a.unit_name);
        }
        Ok((parent, data, names, pending))
    }

    /// Weak points of a unit from its own score sheet (points lost = maximum − appraised score, criteria
    /// not scored count 0), with change against the previous year's sheet.
    pub async fn weak_report(&self, scope: &Scope, fw: &Framework, unit_code: &str, year: i32) -> Result<WeakReport, WeakError> {
        let store = &self.app.store;
        let unit = store.unit_by_code(scope, unit_code).await?;
        let Some(current) = store.assessment_for(scope, unit_code, &fw.code, year).await? else {
            return Err(WeakError::NoScores(format!("phiếu chấm điểm {} năm {year} của {}", fw.code, unit.name)));
        };
        let previous = store.assessment_for(scope, unit_code, &fw.code, year - 1).await?;
        let scores = |a: &Assessment, items: Vec<AssessmentItem>| YearScores {
            framework: fw.code.clone(),
            year: a.year,
            units: BTreeMap::from([(unit.code.clone(), counted_leaves(&leaves_of(fw, a.year), &items))]),
            ..YearScores::default()
        };
        let cur = scores(&current, store.assessment_items(scope, current.id).await?);
        let prev = match &previous {
            Some(p) => Some(scores(p, store.assessment_items(scope, p.id).await?)),
            None => None,
        };
        let ranking = core_results::rank(fw, &cur, prev.as_ref());
        let weak = weakness::weak_points(fw, &ranking, &unit.code)
            .ok_or_else(|| WeakError::NoScores(format!("điểm của {} năm {year}", unit.name)))?;
        Ok(weak_report(fw, weak, unit.name.clone(), "score_sheet"))
    }
}
