//! The compliance checklist of a stored plan (seed 003, IV.1.1), decided by `chiso_core::plan::compliance`.

use crate::App;
use chiso_core::access::Scope;
use chiso_core::plan::{self as core_plan, Check, TaskFacts, parse_family};
use chiso_core::unit::parse_date;
use chiso_store::StoreError;
use chiso_store::plans::{Plan, Task};

/// The checklist of `plan` with its `tasks`: the dimensions of each of its index families in the plan's year,
/// what each task says, and the deadline the parent plan set (carried by the plan when it was linked).
pub async fn plan_checklist(app: &App, scope: &Scope, plan: &Plan, tasks: &[Task]) -> Result<Vec<Check>, StoreError> {
    let year = plan.year as i32;
    let mut required = Vec::new();
    for family in plan.families().iter().filter_map(|f| parse_family(f)) {
        if let Some(fw) = app.frameworks.for_family_year(family, year).first() {
            required.push((family, core_plan::required_nodes(fw, year)));
        }
    }
    let facts: Vec<TaskFacts> = tasks
        .iter()
        .map(|t| TaskFacts {
            code: t.row.code.clone(),
            nodes: t.nodes.clone(),
            has_lead: t.has_confirmed_lead(),
            has_result: t.row.expected_result.as_deref().is_some_and(|s| !s.trim().is_empty()),
            has_time: t.has_time(),
        })
        .collect();
    // The deadline the plan carries from its parent; for plans linked before it was carried, the parent's own.
    let parent_deadline = match (plan.parent_deadline.as_deref().and_then(parse_date), plan.parent_plan_id) {
        (Some(d), _) => Some(d),
        (None, Some(pid)) => match app.store.plan(scope, pid).await {
            Ok(parent) => parent.child_deadline.as_deref().and_then(parse_date),
            // The parent plan may be outside the viewer's scope: the check is then not applicable.
            Err(StoreError::OutOfScope(_)) => None,
            Err(e) => return Err(e),
        },
        (None, None) => None,
    };
    Ok(core_plan::compliance(&required, &facts, plan.issued_on.as_deref().and_then(parse_date), parent_deadline))
}
