//! Plans: import a plan document, issue it, cascade it to child units, draft next year's plan from the weak
//! points, the compliance checklist, task edits, the task library, and exports (DOCX/XLSX/PDF).
//!
//! Each use case reads through the store (which enforces the caller's scope), lets core decide
//! (`chiso_core::plan`) and writes through the store in one audited transaction.

mod cascade;
mod checklist;
mod draft;
mod export;
mod import;
mod links;
mod review;
mod tasks;

pub use cascade::{CascadeError, ChildPlan, ChildPlanState, children_of, create_child_plan, tasks_for_child};
pub use checklist::plan_checklist;
pub use draft::draft_next_plan;
pub use export::{ExportError, ExportFormat, Exported, export_plan, plan_document};
pub use import::{ImportError, draft_from_parsed, import_document, resolve_owners};
pub use links::{PlanLinks, link_parent, plan_links};
pub use review::{OwnerChoice, OwnerReview, Refusal, ReviewDecision, ReviewError, ReviewItem, confirm_owner, confirm_owners, owner_review};
pub use tasks::{
    LIBRARY_LIMIT, PickOption, TaskEdit, TaskEditError, TaskPicks, TaskQuery, carried_names, edit_task, search_tasks, task_picks,
};

use crate::{App, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::list::{PageRequest, Paged, Sort};
use chiso_core::plan::{Check, PlanDraft, unknown_node_in_draft};
use chiso_store::StoreError;
use chiso_store::plans::{BasisRow, LibraryHit, Plan, PlanColumn, PlanFilter, PlanListItem, Task, TaskColumn, TaskFilter};
use chiso_store::units::Unit;

/// Store a plan with its tasks once core has checked that every task's framework nodes are nodes of the
/// plan's frameworks (`chiso_core::plan::unknown_node_in_draft`): every way a plan is made (import, cascade,
/// draft from the weak points) goes through here.
pub(crate) async fn create_plan(
    app: &App,
    scope: &Scope,
    unit_code: &str,
    draft: &PlanDraft,
    parent_plan_id: Option<i64>,
    parent_note: Option<&str>,
    source_name: Option<&str>,
) -> Result<Plan, StoreError> {
    if let Some(reason) = unknown_node_in_draft(&app.frameworks, draft) {
        return Err(StoreError::Invalid(reason));
    }
    app.store.create_plan_noted(scope, unit_code, draft, parent_plan_id, parent_note, source_name).await
}

/// How a list of plans is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanSort {
    /// Newest year first, then newest issue date (the store's order).
    #[default]
    Newest,
    /// By unit name, ignoring case and diacritics.
    Unit,
    /// Most tasks first.
    Tasks,
    /// By title, ignoring case and diacritics.
    Title,
}

impl PlanSort {
    /// The sort named in a query string ("unit", "tasks", "title"); anything else is the default order.
    pub fn parse(s: &str) -> PlanSort {
        match s {
            "unit" => PlanSort::Unit,
            "tasks" => PlanSort::Tasks,
            "title" => PlanSort::Title,
            _ => PlanSort::Newest,
        }
    }
}

impl PlanSort {
    /// The store's sort of this order.
    pub fn sort(self) -> Sort<PlanColumn> {
        use chiso_core::list::SortDir;
        match self {
            PlanSort::Newest => PlanColumn::NEWEST,
            PlanSort::Unit => Sort { column: PlanColumn::Unit, dir: SortDir::Asc },
            PlanSort::Tasks => Sort { column: PlanColumn::Tasks, dir: SortDir::Desc },
            PlanSort::Title => Sort { column: PlanColumn::Title, dir: SortDir::Asc },
        }
    }
}

/// The plans within the scope that pass `filter`, in the order asked for (sorted by the store, in SQL).
pub async fn list_plans(app: &App, scope: &Scope, filter: &PlanFilter, sort: PlanSort) -> ServiceResult<Vec<PlanListItem>> {
    Ok(app.store.plans_sorted(scope, filter, sort.sort()).await?)
}

/// One page of the plans within the scope that pass `filter`, sorted by any column of the list.
pub async fn plans_page(
    app: &App,
    scope: &Scope,
    filter: &PlanFilter,
    sort: Sort<PlanColumn>,
    page: PageRequest,
) -> ServiceResult<Paged<PlanListItem>> {
    Ok(app.store.plans_page(scope, filter, sort, page).await?)
}

/// One page of the task library within the scope.
pub async fn tasks_page(
    app: &App,
    scope: &Scope,
    filter: &TaskFilter,
    sort: Sort<TaskColumn>,
    page: PageRequest,
) -> ServiceResult<Paged<LibraryHit>> {
    Ok(app.store.tasks_page(scope, filter, sort, page).await?)
}

/// A plan with what is shown and served with it: its unit, the documents it is based on, its tasks and
/// its compliance checklist.
pub struct PlanDetail {
    pub plan: Plan,
    pub unit: Unit,
    pub basis: Vec<BasisRow>,
    pub tasks: Vec<Task>,
    pub checks: Vec<Check>,
}

pub async fn plan_detail(app: &App, scope: &Scope, plan_id: i64) -> ServiceResult<PlanDetail> {
    let plan = app.store.plan(scope, plan_id).await?;
    let unit = app.store.unit_by_id(scope, plan.unit_id).await?;
    let tasks = app.store.tasks(scope, plan_id).await?;
    let checks = plan_checklist(app, scope, &plan, &tasks).await?;
    let basis = app.store.plan_basis(scope, plan_id).await?;
    Ok(PlanDetail { plan, unit, basis, tasks, checks })
}

/// Issue a draft plan under its number and date (audited by the store); the units directly under the plan's
/// unit are notified.
pub async fn issue_plan(app: &App, scope: &Scope, plan_id: i64, number: &str, issued_on: &str, version: i64) -> ServiceResult<Plan> {
    let plan = app.store.issue_plan(scope, plan_id, number, issued_on, version).await?;
    crate::notices::plan_issued(app, scope, &plan).await;
    Ok(plan)
}
