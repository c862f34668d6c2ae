//! The assignment review before a plan is issued: every task whose owners were read from the document
//! (proposals), with the sentence they come from, how sure the reading is, what could not be resolved, the
//! unit's agencies and the plan framework's nodes to choose from. Confirming sets the chosen agency (or keeps
//! the name as written, for a group such as "UBND các xã, thị trấn", or leaves the task without a lead) and
//! the chosen framework nodes, and ends the proposal. The compliance checklist counts only confirmed owners.

use super::tasks::PickOption;
use crate::{App, ServiceResult};
use chiso_core::access::{Permission, Scope};
use chiso_core::agency::{pick_value, resolve_pick};
use chiso_core::plan::{node_choices, normalize_node, unknown_node};
use chiso_store::StoreError;
use chiso_store::plans::{Plan, Task, TaskPatch};
use chiso_store::units::Agency;

/// One task to review.
pub struct ReviewItem {
    pub task: Task,
    /// Notes of the importer (unresolved agencies, times that are no dates).
    pub notes: Vec<String>,
    /// Names the task carries that are no agency of the unit (offered as written in the pick lists).
    pub written: Vec<PickOption>,
    /// The coordinators as pick list values.
    pub coordinating_values: Vec<String>,
}

pub struct OwnerReview {
    pub plan: Plan,
    pub agencies: Vec<Agency>,
    pub unit_name: String,
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
    /// A value of the pick list that is none of the above: an agency by its record or name, or a name the
    /// task carries (see `chiso_core::agency::resolve_pick`); anything else is refused.
    Named(String),
}

/// What a person confirmed for one task on the review page.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDecision {
    pub task_id: i64,
    pub lead: OwnerChoice,
    /// The framework nodes chosen (`None`: the task's nodes stay as they are).
    pub nodes: Option<Vec<String>>,
    /// The coordinating agencies chosen, as pick list values (`None`: the coordinators as read are confirmed).
    pub coordinating: Option<Vec<String>>,
    /// The task's version when the page was read.
    pub version: i64,
}

pub async fn owner_review(app: &App, scope: &Scope, plan_id: i64) -> ServiceResult<OwnerReview> {
    let plan = app.store.plan(scope, plan_id).await?;
    let agencies = app.store.agencies(scope, plan.unit_id).await?;
    let tasks = app.store.tasks(scope, plan_id).await?;
    let total = tasks.len();
    let nodes = node_choices(&app.frameworks, &plan.families(), plan.year as i32);
    let unit_name = app.store.unit_by_id(scope, plan.unit_id).await?.name;
    let pending = tasks
        .into_iter()
        .filter(|t| t.row.lead_proposed)
        .map(|t| {
            let c = super::tasks::carried_values(&t, &agencies);
            ReviewItem { notes: t.notes(), written: c.written, coordinating_values: c.coordinating_values, task: t }
        })
        .collect();
    Ok(OwnerReview { plan, agencies, unit_name, nodes, pending, total })
}

/// A choice refused on the review page: the task, the field (`lead`, `coordinating`, `nodes`) and why, in
/// Vietnamese.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub task_id: i64,
    pub field: &'static str,
    pub message: String,
}

/// Why the review form was not saved.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Choices that are not allowed; nothing was changed.
    #[error("{}", .0.iter().map(|r| r.message.as_str()).collect::<Vec<_>>().join("; "))]
    Refused(Vec<Refusal>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ReviewError> for StoreError {
    fn from(e: ReviewError) -> StoreError {
        match e {
            ReviewError::Refused(_) => StoreError::Invalid(e.to_string()),
            ReviewError::Store(e) => e,
        }
    }
}

/// One task's decision resolved to what is stored: the lead's name and the coordinators' names.
struct Resolved {
    lead: Option<String>,
    coordinating: Vec<String>,
    nodes: Option<Vec<String>>,
}

/// Checks one decision against the plan unit's agencies (`pool`) and the task (`chiso_core::agency::resolve_pick`)
/// and the plan's frameworks; every refused field is pushed to `refused`.
fn resolve(
    app: &App,
    plan: &Plan,
    task: &Task,
    pool: &[(i64, &str)],
    unit_name: &str,
    d: &ReviewDecision,
    refused: &mut Vec<Refusal>,
) -> Resolved {
    let kept = super::tasks::carried_names(task);
    let code = &task.row.code;
    let mut refuse = |field: &'static str, m: String| {
        refused.push(Refusal { task_id: task.row.id, field, message: format!("nhiệm vụ {code}: {m}") })
    };
    let lead = match &d.lead {
        OwnerChoice::Agency(id) => resolve_pick(&pick_value(*id), pool, &kept, unit_name),
        OwnerChoice::Named(v) => resolve_pick(v, pool, &kept, unit_name),
        OwnerChoice::AsWritten => Ok(task.row.lead_agency.clone()),
        OwnerChoice::None => Ok(None),
    };
    let lead = lead.unwrap_or_else(|m| {
        refuse("lead", format!("cơ quan chủ trì: {m}"));
        None
    });
    let mut coordinating: Vec<String> = Vec::new();
    match &d.coordinating {
        None => coordinating = task.coordinating_agencies.clone(),
        Some(values) => {
            for v in values {
                match resolve_pick(v, pool, &kept, unit_name) {
                    Ok(Some(n)) if !coordinating.contains(&n) => coordinating.push(n),
                    Ok(_) => {}
                    Err(m) => refuse("coordinating", format!("cơ quan phối hợp: {m}")),
                }
            }
        }
    }
    let nodes = d.nodes.as_ref().map(|ns| {
        let mut v: Vec<String> = ns.iter().map(|n| normalize_node(n.trim())).filter(|n| !n.is_empty()).collect();
        v.sort();
        v.dedup();
        v
    });
    if let Some(reason) = nodes.as_ref().and_then(|ns| unknown_node(&app.frameworks, &plan.families(), ns)) {
        refuse("nodes", reason);
    }
    Resolved { lead, coordinating, nodes }
}

/// Confirm (or change) one task's lead; the coordinators as read are confirmed with it.
pub async fn confirm_owner(app: &App, scope: &Scope, task_id: i64, choice: OwnerChoice, version: i64) -> Result<Task, ReviewError> {
    let task = app.store.task(scope, task_id).await?;
    let plan = app.store.plan(scope, task.row.plan_id).await?;
    confirm_owners(app, scope, plan.id, &[ReviewDecision { task_id, lead: choice, nodes: None, coordinating: None, version }]).await?;
    Ok(app.store.task(scope, task_id).await?)
}

/// Confirm the owners, coordinators and nodes chosen on a plan's review page. Checked up front, before any
/// task is touched: the person may edit plans, the plan is within their scope, every task belongs to that
/// plan, every agency chosen is one the task may name (the plan unit's agencies or a name the task carries,
/// `chiso_core::agency::resolve_pick`) and every chosen node is a node of the plan's frameworks
/// (`chiso_core::plan::unknown_node`; codes written the parser's way are normalised) — so a form posted for a
/// plan outside the scope is refused even when it names no task, and an unknown agency or code changes
/// nothing ([`ReviewError::Refused`] names every refused choice).
pub async fn confirm_owners(app: &App, scope: &Scope, plan_id: i64, decisions: &[ReviewDecision]) -> Result<usize, ReviewError> {
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().to_string()).into());
    }
    let plan = app.store.plan(scope, plan_id).await?;
    let unit = app.store.unit_by_id(scope, plan.unit_id).await?;
    let agencies = app.store.agencies(scope, plan.unit_id).await?;
    let pool: Vec<(i64, &str)> = agencies.iter().map(|a| (a.id, a.name.as_str())).collect();
    let mut checked = Vec::with_capacity(decisions.len());
    let mut refused = Vec::new();
    for d in decisions {
        let task = app.store.task(scope, d.task_id).await?;
        if task.row.plan_id != plan.id {
            return Err(StoreError::Invalid(format!("nhiệm vụ #{} không thuộc kế hoạch này", d.task_id)).into());
        }
        let r = resolve(app, &plan, &task, &pool, &unit.name, d, &mut refused);
        checked.push((d, r));
    }
    if !refused.is_empty() {
        return Err(ReviewError::Refused(refused));
    }
    for (d, r) in &checked {
        let patch = TaskPatch {
            lead_agency: Some(r.lead.clone()),
            coordinating_agencies: Some(r.coordinating.clone()),
            nodes: r.nodes.clone(),
            ..TaskPatch::default()
        };
        app.store.update_task(scope, d.task_id, patch, d.version).await?;
    }
    Ok(checked.len())
}
