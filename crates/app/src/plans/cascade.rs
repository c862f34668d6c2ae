//! The cascade: a child unit's plan made from its parent's issued plan, and where each child unit stands
//! with its plan, as seen from the parent plan.

use super::plan_checklist;
use crate::{App, ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::plan::{self as core_plan, Basis, PlanDraft, PlanStatus, TaskDraft, authority_of, issued_late, place_of};
use chiso_core::unit::parse_date;
use chiso_store::StoreError;
use chiso_store::plans::Plan;
use chiso_store::units::Unit;
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

/// Make a draft child plan of `child_code` from an issued parent plan: the based-on reference filled in, the
/// parent's tasks that concern the child as starting tasks (numbered afresh, with their agencies left to the
/// child to assign); the parent's deadline applies through the link.
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
    let tasks: Vec<TaskDraft> = store
        .tasks(scope, parent_id)
        .await?
        .iter()
        .map(|t| t.to_draft())
        .filter(|t| core_plan::task_concerns_child(t, &child.level, &child.name))
        .enumerate()
        .map(|(i, mut t)| {
            t.code = format!("{}", i + 1);
            t.lead_agency = None;
            t.coordinating_agencies.clear();
            t
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
        title: parent.title.clone(),
        status: PlanStatus::Draft,
        based_on: vec![Basis { number: parent.number.clone(), date: issued_on, issuer: Some(authority.clone()), text: basis_text }],
        recipients: vec![format!("{authority} (để báo cáo)"), "Lưu: VT.".into()],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks,
    };
    Ok(super::create_plan(app, scope, child_code, &draft, Some(parent_id), None).await?)
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
