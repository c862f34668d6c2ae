//! A plan and its parent: the link an imported plan gets from the parent it cites ("Căn cứ Kế hoạch số
//! 426/KH-UBND ngày 18/02/2022 …"), linking and unlinking by hand (audited by the store), and the plans linked
//! to a plan, both ways, for its page.

use crate::{App, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::plan::{Basis, ParentCandidate, ParentLink, resolve_parent};
use chiso_core::unit::parse_date;
use chiso_store::StoreError;
use chiso_store::plans::{ParentCandidateRow, Plan, PlanListItem};

/// The parent an imported plan of `unit_id` cites, among the plans of superior units within the scope: the
/// plan's id, or a note that asks when the citation is ambiguous or matches none.
pub(crate) async fn parent_of_import(
    app: &App,
    scope: &Scope,
    unit_id: i64,
    based_on: &[Basis],
) -> Result<(Option<i64>, Option<String>), StoreError> {
    if based_on.iter().all(|b| b.number.is_none()) {
        return Ok((None, None));
    }
    let rows = app.store.parent_plan_candidates(scope, unit_id).await?;
    Ok(match resolve_parent(based_on, &candidates(&rows)) {
        ParentLink::Linked(id) => (Some(id), None),
        ParentLink::NoCitation => (None, None),
        ParentLink::Unresolved(note) => (None, Some(note)),
    })
}

fn candidates(rows: &[ParentCandidateRow]) -> Vec<ParentCandidate> {
    rows.iter()
        .map(|r| ParentCandidate {
            id: r.item.plan.id,
            number: r.item.plan.number.clone(),
            issued_on: r.item.plan.issued_on.as_deref().and_then(parse_date),
            year: r.item.plan.year as i32,
            depth: r.depth,
        })
        .collect()
}

/// The plans linked to a plan: its parent (when within the scope), the plans of superior units it could be
/// linked to instead, and the plans linked to it as their parent.
pub struct PlanLinks {
    pub parent: Option<Plan>,
    /// The plan has a parent outside the reader's scope (its deadline is still carried).
    pub parent_hidden: bool,
    pub candidates: Vec<ParentCandidateRow>,
    pub children: Vec<PlanListItem>,
}

pub async fn plan_links(app: &App, scope: &Scope, plan: &Plan) -> ServiceResult<PlanLinks> {
    let (parent, parent_hidden) = match plan.parent_plan_id {
        Some(pid) => match app.store.plan(scope, pid).await {
            Ok(p) => (Some(p), false),
            Err(StoreError::OutOfScope(_)) => (None, true),
            Err(e) => return Err(e.into()),
        },
        None => (None, false),
    };
    let candidates = app.store.parent_plan_candidates(scope, plan.unit_id).await?;
    let children = app.store.child_plans(scope, plan.id).await?;
    Ok(PlanLinks { parent, parent_hidden, candidates, children })
}

/// Link a plan to a plan of a superior unit, or unlink it (`None`), by hand; audited by the store.
pub async fn link_parent(app: &App, scope: &Scope, plan_id: i64, parent_id: Option<i64>, version: i64) -> ServiceResult<Plan> {
    Ok(app.store.set_parent_plan(scope, plan_id, parent_id, version).await?)
}
