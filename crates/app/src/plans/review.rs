//! The assignment review before a plan is issued: every task whose owners were read from the document
//! (proposals), with the sentence they come from, how sure the reading is, what could not be resolved, and the
//! unit's agencies to choose from. Confirming sets the chosen agency (or keeps the name as written, for a group
//! such as "UBND các xã, thị trấn", or leaves the task without a lead) and ends the proposal.

use crate::{App, ServiceResult};
use chiso_core::access::{Permission, Scope};
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

pub async fn owner_review(app: &App, scope: &Scope, plan_id: i64) -> ServiceResult<OwnerReview> {
    let plan = app.store.plan(scope, plan_id).await?;
    let agencies = app.store.agencies(scope, plan.unit_id).await?;
    let tasks = app.store.tasks(scope, plan_id).await?;
    let total = tasks.len();
    let pending = tasks.into_iter().filter(|t| t.row.lead_proposed).map(|t| ReviewItem { notes: t.notes(), task: t }).collect();
    Ok(OwnerReview { plan, agencies, pending, total })
}

/// Confirm (or change) a task's lead; the coordinators as read are confirmed with it.
pub async fn confirm_owner(app: &App, scope: &Scope, task_id: i64, choice: OwnerChoice, version: i64) -> Result<Task, StoreError> {
    let task = app.store.task(scope, task_id).await?;
    let lead = match choice {
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
    let patch =
        TaskPatch { lead_agency: Some(lead), coordinating_agencies: Some(task.coordinating_agencies.clone()), ..TaskPatch::default() };
    app.store.update_task(scope, task_id, patch, version).await
}

/// Confirm the owners chosen on a plan's review page: `(task id, choice, version read)` per task. Checked up
/// front, before any task is touched: the person may edit plans, the plan is within their scope, and every
/// task belongs to that plan — so a form posted for a plan outside the scope is refused even when it names no
/// task.
pub async fn confirm_owners(app: &App, scope: &Scope, plan_id: i64, choices: &[(i64, OwnerChoice, i64)]) -> Result<usize, StoreError> {
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().to_string()));
    }
    let plan = app.store.plan(scope, plan_id).await?;
    for (task_id, _, _) in choices {
        let task = app.store.task(scope, *task_id).await?;
        if task.row.plan_id != plan.id {
            return Err(StoreError::Invalid(format!("nhiệm vụ #{task_id} không thuộc kế hoạch này")));
        }
    }
    for (task_id, choice, version) in choices {
        confirm_owner(app, scope, *task_id, choice.clone(), *version).await?;
    }
    Ok(choices.len())
}
