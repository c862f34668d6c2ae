//! The cascade: a child unit's plan made from its parent's issued plan, and where each child unit stands
//! with its plan, as seen from the parent plan.

use super::plan_checklist;
use crate::{App, ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::plan::{
    self as core_plan, Basis, PlanDraft, PlanStatus, Recurrence, TaskDraft, authority_of, issued_late, parse_task_group, place_of,
};
use chiso_core::unit::parse_date;
use chiso_store::StoreError;
use chiso_store::plans::{Plan, Task};
use chiso_store::units::Unit;
use std::collections::HashMap;
use time::Date;

/// Why a child plan was not made.
#[derive(Debug, thiserror::Error)]
pub enum CascadeError {
    #[error("chỉ lập kế hoạch cấp dưới từ kế hoạch đã ban hành")]
    ParentNotIssued,
    #[error("'{child}' không phải đơn vị trực thuộc {parent}")]
    NotAChild { child: String, parent: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Failure for CascadeError {
    fn kind(&self) -> ErrorKind {
        match self {
            CascadeError::ParentNotIssued | CascadeError::NotAChild { .. } => ErrorKind::Invalid,
            CascadeError::Store(e) => e.kind(),
        }
    }
}

/// The sentences of a stored plan's document that may hand its tasks to a level: the preamble and the closing
/// (the implementation duties are tasks).
fn addressing_sentences(document: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(document).unwrap_or_default();
    ["preamble", "closing"]
        .iter()
        .filter_map(|k| doc.get(k).and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// Every owner the stored document names for each task ("lead" of the parsed tasks), by task code: the stored
/// lead is only the first of them.
fn document_owners(document: &str) -> HashMap<String, Vec<String>> {
    let doc: serde_json::Value = serde_json::from_str(document).unwrap_or_default();
    let tasks = doc.get("tasks").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    tasks
        .iter()
        .filter_map(|t| {
            let code = t.get("code")?.as_str()?.to_string();
            let lead = t.get("lead")?.as_array()?.iter().filter_map(|l| l.as_str().map(String::from)).collect();
            Some((code, lead))
        })
        .collect()
}

/// The parent plan's tasks that concern a child unit, in plan order (every one of them: no cap), as decided by
/// `chiso_core::plan::task_concerns_child`.
pub fn tasks_for_child<'a>(parent: &Plan, parent_tasks: &'a [Task], child: &Unit) -> Vec<&'a Task> {
    let drafts: Vec<TaskDraft> = parent_tasks.iter().map(Task::to_draft).collect();
    let mut sentences = addressing_sentences(&parent.document);
    let owners = document_owners(&parent.document);
    // A duty is read with the bodies it is given to ("UBND các xã, thị trấn: trên cơ sở … xây dựng kế hoạch …").
    sentences.extend(drafts.iter().filter(|t| t.source.as_deref() == Some("implementation")).map(|t| {
        let named = owners.get(&t.code).cloned().unwrap_or_else(|| t.lead_agency.iter().cloned().collect());
        format!("{}: {}", named.join(", "), t.text)
    }));
    let addressed = core_plan::plan_addresses_level(sentences.iter().map(String::as_str), &child.level);
    parent_tasks
        .iter()
        .zip(&drafts)
        .filter(|(_, d)| {
            let named = owners.get(&d.code).map(Vec::as_slice).unwrap_or_default();
            core_plan::task_concerns_child(d, named, &child.level, &child.name, addressed)
        })
        .map(|(t, _)| t)
        .collect()
}

/// Make a draft child plan of `child_code` from an issued parent plan: titled for the child unit, the based-on
/// reference filled in, and every parent task that concerns the child ([`tasks_for_child`]) as its tasks —
/// numbered afresh, each linked to the parent task it comes from, with the parent task's framework nodes,
/// expected result and time, and without owners (the child assigns its own agencies). The plan carries the
/// deadline the parent set for its children's plans (the store copies it).
pub async fn create_child_plan(app: &App, scope: &Scope, parent_id: i64, child_code: &str) -> Result<Plan, CascadeError> {
    let store = &app.store;
    let parent = store.plan(scope, parent_id).await?;
    if parent.status != PlanStatus::Issued {
        return Err(CascadeError::ParentNotIssued);
    }
    let parent_unit = store.unit_by_id(scope, parent.unit_id).await?;
    let child = store.unit_by_code(scope, child_code).await?;
    if child.parent_id != Some(parent_unit.id) {
        return Err(CascadeError::NotAChild { child: child.name, parent: parent_unit.name });
    }
    let authority = authority_of(&parent_unit.name);
    let issued_on = parent.issued_on.as_deref().and_then(parse_date);
    let basis_text = core_plan::basis_sentence(&parent.doc_type, parent.number.as_deref(), issued_on, &authority, &parent.title);
    let parent_tasks = store.tasks(scope, parent_id).await?;
    let tasks: Vec<TaskDraft> = tasks_for_child(&parent, &parent_tasks, &child)
        .into_iter()
        .enumerate()
        .map(|(i, p)| TaskDraft {
            code: format!("{}", i + 1),
            text: p.row.text.clone(),
            nodes: p.nodes.clone(),
            section_code: p.row.section_code.clone(),
            expected_result: p.row.expected_result.clone(),
            due_date: p.row.due_date.as_deref().and_then(parse_date),
            due_text: p.row.due_text.clone(),
            recurrence: p.row.recurrence.as_deref().and_then(Recurrence::parse),
            task_group: p.row.task_group.as_deref().and_then(parse_task_group),
            parent_task_id: Some(p.row.id),
            ..TaskDraft::default()
        })
        .collect();
    let draft = PlanDraft {
        doc_type: parent.doc_type.clone(),
        year: parent.year as i32,
        year_to: parent.year_to.map(|y| y as i32),
        families: parent.families(),
        number: None,
        place: Some(place_of(&child.name)),
        issued_on: None,
        title: core_plan::child_title(&parent.title, &parent_unit.name, &child.name),
        status: PlanStatus::Draft,
        based_on: vec![Basis { number: parent.number.clone(), date: issued_on, issuer: Some(authority.clone()), text: basis_text }],
        recipients: vec![format!("{authority} (để báo cáo)"), "Lưu: VT.".into()],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks,
    };
    Ok(super::create_plan(app, scope, child_code, &draft, Some(parent_id), None, None).await?)
}

/// Where a child unit stands with its plan made from the parent plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChildPlanState {
    /// No plan yet; the parent's deadline, if it set one.
    Missing { deadline: Option<Date> },
    /// A plan is being drafted.
    Drafting,
    /// Issued after the parent's deadline.
    IssuedLate { issued_on: Option<Date> },
    /// Issued in time but failing checks of the compliance checklist (their labels).
    Incomplete { failing: Vec<&'static str> },
    /// Issued in time and passing every check.
    Complete { issued_on: Option<Date> },
}

/// A child unit of the plan's unit (in force in the plan's year), its plan made from this plan, if any, and
/// where it stands.
#[derive(Clone, Debug)]
pub struct ChildPlan {
    pub unit: Unit,
    pub plan: Option<Plan>,
    pub state: ChildPlanState,
}

/// The child units in force in the plan's year (who can be given a plan from this one) and, when the plan is
/// issued, where each of them stands with its plan.
pub async fn children_of(app: &App, scope: &Scope, plan: &Plan, unit: &Unit) -> Result<(Vec<Unit>, Vec<ChildPlan>), StoreError> {
    let store = &app.store;
    let child_units = store.child_units_in_year(scope, unit, plan.year).await?;
    let mut children = Vec::new();
    if plan.status != PlanStatus::Issued {
        return Ok((child_units, children));
    }
    let child_plans = store.child_plans(scope, plan.id).await?;
    let deadline = plan.child_deadline.as_deref().and_then(parse_date);
    for u in &child_units {
        let child_plan = child_plans.iter().find(|c| c.plan.unit_id == u.id).map(|c| c.plan.clone());
        let state = match &child_plan {
            None => ChildPlanState::Missing { deadline },
            Some(p) if p.status == PlanStatus::Draft => ChildPlanState::Drafting,
            Some(p) => {
                let issued_on = p.issued_on.as_deref().and_then(parse_date);
                let tasks = store.tasks(scope, p.id).await?;
                let checks = plan_checklist(app, scope, p, &tasks).await?;
                // Lateness is its own state; the other checks tell whether the plan is complete.
                let failing: Vec<&'static str> =
                    checks.iter().filter(|c| c.ok == Some(false) && c.code != "issued_on_time").map(|c| c.label).collect();
                if issued_late(issued_on, deadline) {
                    ChildPlanState::IssuedLate { issued_on }
                } else if !failing.is_empty() {
                    ChildPlanState::Incomplete { failing }
                } else {
                    ChildPlanState::Complete { issued_on }
                }
            }
        };
        children.push(ChildPlan { unit: u.clone(), plan: child_plan, state });
    }
    Ok((child_units, children))
}
