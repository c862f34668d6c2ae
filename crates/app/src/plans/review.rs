//! The assignment review before a plan is issued: every task whose owners were read from the document
//! (proposals), with the sentence they come from, how sure the reading is, what could not be resolved, the
//! unit's agencies and the plan framework's nodes to choose from. Confirming sets the chosen agency (or keeps
//! the name as written, for a group such as "UBND các xã, thị trấn", or leaves the task without a lead) and
//! the chosen framework nodes, and ends the proposal. The compliance checklist counts only confirmed owners.

use crate::{App, ServiceResult};
use chiso_core::access::{Permission, Scope};
use chiso_core::plan::{node_choices, normalize_node, unknown_node};
use chiso_store::StoreError;
use chiso_store::plans::{Plan, Task, TaskPatch};
use chiso_store::units::Agency;

/// One task to review.
pub struct ReviewItem {
    pub task: Task,
    /// Notes of the importer (unresolved agencies, times that are no dates).
    pub notes: Vec<String>,
}

pub struct OwnerReview {
    pub plan: Plan,
    pub agencies: Vec<Agency>,
    /// The nodes of the plan's frameworks in the plan's year, `(code, "D1.2 — name")`, in tree order.
    pub nodes: Vec<(String, String)>,
    /// Tasks whose owners wait for confirmation, in plan order.
    pub pending: Vec<ReviewItem>,
    /// Tasks of the plan in all.
    pub total: usize,
}

/// What a person decided for one task's lead.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnerChoice {
    /// One of the unit's agencies.
    Agency(i64),
    /// The name as the document writes it (a group, or a body the unit does not list).
    AsWritten,
    /// No lead.
    None,
}

/// What a person confirmed for one task on the review page.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDecision {
    pub task_id: i64,
    pub lead: OwnerChoice,
    /// The framework nodes chosen (`None`: the task's nodes stay as they are).
    pub nodes: Option<Vec<String>>,
    /// The task's version when the page was read.
    pub version: i64,
}

pub async fn owner_review(app: &App, scope: &Scope, plan_id: i64) -> ServiceResult<OwnerReview> {
    let plan = app.store.plan(scope, plan_id).await?;
    let agencies = app.store.agencies(scope, plan.unit_id).await?;
    let tasks = app.store.tasks(scope, plan_id).await?;
    let total = tasks.len();
    let nodes = node_choices(&app.frameworks, &plan.families(), plan.year as i32);
    let pending = tasks.into_iter().filter(|t| t.row.lead_proposed).map(|t| ReviewItem { notes: t.notes(), task: t }).collect();
    Ok(OwnerReview { plan, agencies, nodes, pending, total })
}

/// Confirm (or change) a task's lead; the coordinators as read are confirmed with it, and the framework nodes
/// when chosen (already checked against the plan's frameworks).
async fn confirm_one(app: &App, scope: &Scope, d: &ReviewDecision) -> Result<Task, StoreError> {
    let task = app.store.task(scope, d.task_id).await?;
    let lead = match d.lead {
        OwnerChoice::Agency(id) => {
            let a = app.store.agency_by_id(scope, id).await?;
            let plan = app.store.plan(scope, task.row.plan_id).await?;
            if a.unit_id != plan.unit_id {
                return Err(StoreError::Invalid(format!("cơ quan '{}' không thuộc đơn vị của kế hoạch", a.name)));
            }
            Some(a.name)
        }
        OwnerChoice::AsWritten => task.row.lead_agency.clone(),
        OwnerChoice::None => None,
    };
    let patch = TaskPatch {
        lead_agency: Some(lead),
        coordinating_agencies: Some(task.coordinating_agencies.clone()),
        nodes: d.nodes.clone(),
        ..TaskPatch::default()
    };
    app.store.update_task(scope, d.task_id, patch, d.version).await
}

/// Confirm (or change) one task's lead; the coordinators as read are confirmed with it.
pub async fn confirm_owner(app: &App, scope: &Scope, task_id: i64, choice: OwnerChoice, version: i64) -> Result<Task, StoreError> {
    confirm_one(app, scope, &ReviewDecision { task_id, lead: choice, nodes: None, version }).await
}

/// Confirm the owners and nodes chosen on a plan's review page. Checked up front, before any task is
/// touched: the person may edit plans, the plan is within their scope, every task belongs to that plan, and
/// every chosen node is a node of the plan's frameworks (`chiso_core::plan::unknown_node`; codes written the
/// parser's way are normalised) — so a form posted for a plan outside the scope is refused even when it names
/// no task, and an unknown code changes nothing.
pub async fn confirm_owners(app: &App, scope: &Scope, plan_id: i64, decisions: &[ReviewDecision]) -> Result<usize, StoreError> {
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().to_string()));
    }
    let plan = app.store.plan(scope, plan_id).await?;
    let mut checked = Vec::with_capacity(decisions.len());
    for d in decisions {
        let task = app.store.task(scope, d.task_id).await?;
        if task.row.plan_id != plan.id {
            return Err(StoreError::Invalid(format!("nhiệm vụ #{} không thuộc kế hoạch này", d.task_id)));
        }
        let nodes = d.nodes.as_ref().map(|ns| {
            let mut v: Vec<String> = ns.iter().map(|n| normalize_node(n.trim())).filter(|n| !n.is_empty()).collect();
            v.sort();
            v.dedup();
            v
        });
        if let Some(reason) = nodes.as_ref().and_then(|ns| unknown_node(&app.frameworks, &plan.families(), ns)) {
            return Err(StoreError::Invalid(format!("nhiệm vụ {}: {reason}", task.row.code)));
        }
        checked.push(ReviewDecision { nodes, ..d.clone() });
    }
    for d in &checked {
        confirm_one(app, scope, d).await?;
    }
    Ok(checked.len())
}
