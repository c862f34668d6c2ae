//! The plan page (tasks by dimension, compliance checklist, the cascade to child units), issuing a plan
//! and making a child plan from it.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc, ChildPlan, ChildPlanState};
use chiso_core::access::Permission;
use chiso_core::framework::FrameworkSet;
use chiso_core::plan::{Check, PlanStatus, Recurrence, dimension_label, dimension_of};
use chiso_core::text::{vn_date_long, vn_date_short};
use chiso_core::unit::parse_date;
use chiso_store::plans::{BasisRow, Plan, PlanListItem, Task};
use chiso_store::units::Unit;
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct DimensionGroup {
    pub code: String,
    pub label: String,
    pub tasks: Vec<Task>,
    pub percent: usize,
}

/// A child unit's line in the cascade table.
pub struct ChildRow {
    pub unit: Unit,
    pub plan: Option<Plan>,
    pub state: &'static str,
    pub detail: String,
    pub css: &'static str,
}

impl ChildRow {
    fn of(c: ChildPlan) -> ChildRow {
        let date = |d: Option<time::Date>| d.map(vn_date_short).unwrap_or_default();
        let (state, detail, css) = match c.state {
            ChildPlanState::Missing { deadline } => {
                ("Chưa có kế hoạch", deadline.map(|d| format!("hạn {}", vn_date_short(d))).unwrap_or_default(), "bad")
            }
            ChildPlanState::Drafting => ("Đang dự thảo", String::new(), "warn"),
            ChildPlanState::IssuedLate { issued_on } => ("Ban hành muộn", date(issued_on), "warn"),
            ChildPlanState::Incomplete { failing } => ("Chưa đầy đủ", failing.join("; "), "warn"),
            ChildPlanState::Complete { issued_on } => ("Đã ban hành đầy đủ", date(issued_on), "ok"),
        };
        ChildRow { unit: c.unit, plan: c.plan, state, detail, css }
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    b: crate::pages::Base,
    plan: Plan,
    unit: Unit,
    status_vi: &'static str,
    date_text: String,
    basis: Vec<BasisRow>,
    groups: Vec<DimensionGroup>,
    task_total: usize,
    checks: Vec<Check>,
    children: Vec<ChildRow>,
    child_units: Vec<Unit>,
    parent: Option<Plan>,
    /// The plan has a parent the reader may not see.
    parent_hidden: bool,
    /// Plans of superior units the plan can be linked to, `(id, label)`.
    parent_choices: Vec<(i64, String)>,
    /// Plans linked to this one as their parent.
    linked_children: Vec<PlanListItem>,
    parent_deadline: String,
    child_deadline: String,
    can_edit: bool,
    libreoffice: bool,
    /// For the names of the tasks' index nodes.
    fw: std::sync::Arc<FrameworkSet>,
}

impl PlanPage {
    fn rec(&self, r: &str) -> &'static str {
        Recurrence::parse(r).map(|r| r.name_vi()).unwrap_or("—")
    }
    fn node(&self, code: &str) -> String {
        crate::labels::node(&self.fw, code)
    }
    fn date(&self, iso: &str) -> String {
        crate::labels::date(self.b.lang, iso).unwrap_or_else(|| iso.to_string())
    }
    fn is_draft(&self) -> bool {
        self.plan.status == PlanStatus::Draft
    }
    fn is_issued(&self) -> bool {
        self.plan.status == PlanStatus::Issued
    }
    fn is_parent(&self, id: &i64) -> bool {
        self.plan.parent_plan_id == Some(*id)
    }
}

/// Tasks grouped by the dimension of their first node (untagged tasks last), dimensions in numeric order.
fn group_by_dimension(frameworks: &FrameworkSet, tasks: Vec<Task>) -> Vec<DimensionGroup> {
    let mut groups: BTreeMap<String, Vec<Task>> = BTreeMap::new();
    for t in tasks {
        let key = t.nodes.first().map(|n| dimension_of(n)).unwrap_or_else(|| "~".into());
        groups.entry(key).or_default().push(t);
    }
    let total: usize = groups.values().map(Vec::len).sum::<usize>().max(1);
    let mut out: Vec<DimensionGroup> = groups
        .into_iter()
        .map(|(code, tasks)| DimensionGroup {
            label: if code == "~" { "Chưa gắn nội dung chỉ số".into() } else { dimension_label(frameworks, &code) },
            percent: tasks.len() * 100 / total,
            code,
            tasks,
        })
        .collect();
    // papi.d10 after papi.d9: sort by the number in the code.
    out.sort_by_key(|g| {
        (g.code == "~", g.code.trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().unwrap_or(999), g.code.clone())
    });
    out
}

pub async fn detail(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    let uc::PlanDetail { plan, unit, basis, tasks, checks } = uc::plan_detail(&state.app, &me.scope, id).await?;
    // The parent plan may be outside the viewer's scope: then it is not shown, only said.
    let links = uc::plan_links(&state.app, &me.scope, &plan).await?;
    let parent_choices = links
        .candidates
        .iter()
        .map(|c| {
            let p = &c.item.plan;
            let date = p.issued_on.as_deref().and_then(parse_date).map(|d| format!(" ngày {}", vn_date_short(d))).unwrap_or_default();
            let number = p.number.as_deref().map(|n| format!("số {n}{date} — ")).unwrap_or_else(|| "(chưa có số) — ".into());
            (p.id, format!("{}: {number}{}", c.item.unit_name, p.title))
        })
        .collect();
    let task_total = tasks.len();
    let groups = group_by_dimension(&state.frameworks, tasks);
    let (child_units, children) = uc::children_of(&state.app, &me.scope, &plan, &unit).await?;
    let date = |d: Option<&str>| d.and_then(parse_date).map(vn_date_short).unwrap_or_default();
    let page = PlanPage {
        fw: state.frameworks.clone(),
        b: me.base(&plan.title, "plans"),
        status_vi: crate::labels::plan_status(me.lang, plan.status),
        date_text: plan
            .issued_on
            .as_deref()
            .and_then(parse_date)
            .map(vn_date_long)
            .unwrap_or_else(|| format!("ngày … tháng … năm {}", plan.year)),
        child_deadline: date(plan.child_deadline.as_deref()),
        parent_deadline: date(plan.parent_deadline.as_deref().or(links.parent.as_ref().and_then(|p| p.child_deadline.as_deref()))),
        basis,
        groups,
        task_total,
        checks,
        children: children.into_iter().map(ChildRow::of).collect(),
        child_units,
        parent: links.parent,
        parent_hidden: links.parent_hidden,
        parent_choices,
        linked_children: links.children,
        can_edit: me.scope.can(Permission::EditPlans),
        libreoffice: chiso_docs::find_libreoffice().is_some(),
        unit,
        plan,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct IssueForm {
    csrf: String,
    number: String,
    issued_on: String,
    version: i64,
}

pub async fn issue(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<IssueForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    uc::issue_plan(&state.app, &me.scope, id, &f.number, &f.issued_on, f.version).await?;
    Ok(Redirect::to(&format!("/plans/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct ChildForm {
    csrf: String,
    unit: String,
}

pub async fn create_child(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ChildForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let plan = uc::create_child_plan(&state.app, &me.scope, id, &f.unit).await?;
    Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response())
}

/// The form: `csrf`, `version` (the plan's, as read) and `parent` (a plan id), or `unlink` (the plan is
/// unlinked; also an empty `parent`).
pub async fn set_parent(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    me.check_csrf(get("csrf").unwrap_or_default())?;
    let version = get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let parent = match get("parent").unwrap_or_default() {
        _ if get("unlink").is_some() => None,
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| chiso_app::ServiceError::Invalid(format!("kế hoạch cấp trên '{v}' không hợp lệ")))?),
    };
    uc::link_parent(&state.app, &me.scope, id, parent, version).await?;
    Ok(Redirect::to(&format!("/plans/{id}#parent-link")).into_response())
}
