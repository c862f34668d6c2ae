//! Editing a task as a person typed it, and the task library (every task of every plan within the scope).

use crate::{App, ErrorKind, Failure, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::agency::{pick_id, pick_value, resolve_pick};
use chiso_core::plan::{Recurrence, node_choices, node_short, normalize_node, parse_task_group, unknown_node};
use chiso_core::text::fold;
use chiso_core::unit::parse_date;
use chiso_store::StoreError;
use chiso_store::plans::{LibraryHit, Plan, Task, TaskPatch};
use chiso_store::units::Agency;

/// A task's fields as a person chose or typed them (the task form): empty means "none". The lead and each
/// coordinating agency are pick list values (`chiso_core::agency::pick_value`, or a name: see
/// `chiso_core::agency::resolve_pick`); framework nodes are separated by ',', ';' or spaces.
#[derive(Clone, Debug, Default)]
pub struct TaskEdit {
    pub text: String,
    pub lead_agency: String,
    /// One value per coordinating agency chosen (empty values are ignored).
    pub coordinating: Vec<String>,
    pub expected_result: String,
    /// YYYY-MM-DD.
    pub due_date: String,
    pub due_text: String,
    /// "continuous", "quarterly", "half_yearly", "yearly".
    pub recurrence: String,
    /// "keep", "improve", "survey".
    pub task_group: String,
    pub nodes: String,
}

/// Why a task edit was not saved.
#[derive(Debug, thiserror::Error)]
pub enum TaskEditError {
    /// A value is not valid (empty text, a date, recurrence or group that does not parse).
    #[error("{0}")]
    Invalid(String),
    /// One field of the form is not valid (`field` is the form's field name: `due_date`, `recurrence`,
    /// `task_group`, `nodes`), so the page can show the message beside it.
    #[error("{message}")]
    InvalidField { field: &'static str, message: String },
    /// Several fields are not valid (`(field, message)`, in the form's order): nothing was saved.
    #[error("{}", .0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; "))]
    InvalidFields(Vec<(&'static str, String)>),
    /// Someone else changed the task since the form was loaded.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for TaskEditError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => TaskEditError::Invalid(m),
            StoreError::Conflict(m) => TaskEditError::Conflict(m),
            e => TaskEditError::Store(e),
        }
    }
}

impl Failure for TaskEditError {
    fn kind(&self) -> ErrorKind {
        match self {
            TaskEditError::Invalid(_) | TaskEditError::InvalidField { .. } | TaskEditError::InvalidFields(_) => ErrorKind::Unprocessable,
            TaskEditError::Conflict(_) => ErrorKind::Conflict,
            TaskEditError::Store(e) => e.kind(),
        }
    }
}

/// "" → none; anything else, trimmed.
fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl TaskEdit {
    /// The typed change: every field is set (an empty one clears it). Node codes are normalised.
    pub fn to_patch(&self) -> Result<TaskPatch, TaskEditError> {
        let due_date = match optional(&self.due_date) {
            Some(d) => Some(parse_date(&d).ok_or_else(|| TaskEditError::InvalidField {
                field: "due_date",
                message: format!("thời hạn '{d}' không hợp lệ (YYYY-MM-DD)"),
            })?),
            None => None,
        };
        let recurrence = match optional(&self.recurrence) {
            Some(r) => Some(
                Recurrence::parse(&r)
                    .ok_or_else(|| TaskEditError::InvalidField {
                        field: "recurrence", message: format!("chu kỳ '{r}' không hợp lệ")
                    })?,
            ),
            None => None,
        };
        let task_group = match optional(&self.task_group) {
            Some(g) => Some(parse_task_group(&g).ok_or_else(|| TaskEditError::InvalidField {
                field: "task_group",
                message: format!("nhóm nhiệm vụ '{g}' không hợp lệ"),
            })?),
            None => None,
        };
        Ok(TaskPatch {
            text: Some(self.text.clone()),
            lead_agency: Some(optional(&self.lead_agency)),
            coordinating_agencies: Some(self.coordinating.iter().filter_map(|c| optional(c)).collect()),
            expected_result: Some(optional(&self.expected_result)),
            due_date: Some(due_date),
            due_text: Some(optional(&self.due_text)),
            recurrence: Some(recurrence),
            task_group: Some(task_group),
            nodes: Some(self.nodes.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(normalize_node).collect()),
        })
    }
}

/// Save a person's edit of a task read at `version` (optimistic concurrency; audited by the store). The
/// whole edit is refused, nothing saved, when any agency is not one the task may name
/// (`chiso_core::agency::resolve_pick`: the plan unit's agencies, or a name the task already carries) or any
/// node is not a node of the plan's frameworks — every wrong field is named.
pub async fn edit_task(app: &App, scope: &Scope, task_id: i64, edit: &TaskEdit, version: i64) -> Result<Task, TaskEditError> {
    let mut patch = edit.to_patch()?;
    let task = app.store.task(scope, task_id).await?;
    let plan = app.store.plan(scope, task.row.plan_id).await?;
    let unit = app.store.unit_by_id(scope, plan.unit_id).await?;
    let agencies = app.store.agencies(scope, plan.unit_id).await?;
    let pool: Vec<(i64, &str)> = agencies.iter().map(|a| (a.id, a.name.as_str())).collect();
    let kept = carried_names(&task);
    let mut refused: Vec<(&'static str, String)> = Vec::new();
    match resolve_pick(&edit.lead_agency, &pool, &kept, &unit.name) {
        Ok(lead) => patch.lead_agency = Some(lead),
        Err(m) => refused.push(("lead_agency", format!("Cơ quan chủ trì: {m}"))),
    }
    let mut coordinating: Vec<String> = Vec::new();
    for v in &edit.coordinating {
        match resolve_pick(v, &pool, &kept, &unit.name) {
            Ok(Some(name)) if !coordinating.contains(&name) => coordinating.push(name),
            Ok(_) => {}
            Err(m) => refused.push(("coordinating", format!("Cơ quan phối hợp: {m}"))),
        }
    }
    patch.coordinating_agencies = Some(coordinating);
    if let Some(reason) = patch.nodes.as_ref().and_then(|nodes| unknown_node(&app.frameworks, &plan.families(), nodes)) {
        refused.push(("nodes", format!("Nội dung chỉ số: {reason}")));
    }
    if !refused.is_empty() {
        return Err(TaskEditError::InvalidFields(refused));
    }
    Ok(app.store.update_task(scope, task_id, patch, version).await?)
}

/// One choice of a pick list: the value the form posts and what a person reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PickOption {
    pub value: String,
    pub label: String,
}

/// A task's edit form: the task, its plan and the pick lists with what is chosen now — the lead and the
/// coordinating agencies from the plan unit's agencies (and, first, the names the task carries as written,
/// such as a group from the document), the framework nodes from the plan's frameworks in its year (and any
/// node the task has that the year's tree lacks, so saving never drops it silently).
pub struct TaskPicks {
    pub task: Task,
    pub plan: Plan,
    pub unit_name: String,
    pub agencies: Vec<PickOption>,
    /// Names the task carries that are no agency of the unit, offered as they are written.
    pub written: Vec<PickOption>,
    pub lead_value: String,
    pub coordinating_values: Vec<String>,
    pub nodes: Vec<PickOption>,
}

pub async fn task_picks(app: &App, scope: &Scope, task_id: i64) -> ServiceResult<TaskPicks> {
    let task = app.store.task(scope, task_id).await?;
    let plan = app.store.plan(scope, task.row.plan_id).await?;
    let unit = app.store.unit_by_id(scope, plan.unit_id).await?;
    let agencies = app.store.agencies(scope, plan.unit_id).await?;
    let Carried { written, lead_value, coordinating_values } = carried_values(&task, &agencies);
    let mut nodes: Vec<PickOption> = node_choices(&app.frameworks, &plan.families(), plan.year as i32)
        .into_iter()
        .map(|(value, label)| PickOption { value, label })
        .collect();
    for n in &task.nodes {
        if !nodes.iter().any(|o| &o.value == n) {
            nodes.push(PickOption { value: n.clone(), label: node_short(n) });
        }
    }
    Ok(TaskPicks {
        agencies: agencies.iter().map(|a| PickOption { value: pick_value(a.id), label: a.name.clone() }).collect(),
        written,
        lead_value,
        coordinating_values,
        nodes,
        unit_name: unit.name,
        task,
        plan,
    })
}

/// The agency names a task carries now, as pick list values: an agency of the unit by its record, any
/// other name as written (offered in `written`, so that keeping it is a choice).
pub struct Carried {
    pub written: Vec<PickOption>,
    pub lead_value: String,
    pub coordinating_values: Vec<String>,
}

pub fn carried_values(task: &Task, agencies: &[Agency]) -> Carried {
    let value_of = |name: &str| -> String {
        let key = fold(name);
        agencies.iter().find(|a| fold(&a.name) == key).map(|a| pick_value(a.id)).unwrap_or_else(|| name.trim().to_string())
    };
    let lead_value = match (task.row.lead_agency_id, task.row.lead_agency.as_deref()) {
        (Some(id), _) if agencies.iter().any(|a| a.id == id) => pick_value(id),
        (_, Some(l)) => value_of(l),
        (_, None) => String::new(),
    };
    let coordinating_values: Vec<String> = task.coordinating_agencies.iter().map(|c| value_of(c)).collect();
    let mut written: Vec<PickOption> = Vec::new();
    for v in std::iter::once(&lead_value).chain(coordinating_values.iter()) {
        if !v.is_empty() && pick_id(v).is_none() && !written.iter().any(|w| &w.value == v) {
            written.push(PickOption { value: v.clone(), label: format!("{v} (như văn bản)") });
        }
    }
    Carried { written, lead_value, coordinating_values }
}

/// The agency names a task carries now (its lead and coordinators): they may stay as written.
pub fn carried_names(task: &Task) -> Vec<&str> {
    task.row.lead_agency.iter().map(String::as_str).chain(task.coordinating_agencies.iter().map(String::as_str)).collect()
}

/// At most this many library hits are returned.
pub const LIBRARY_LIMIT: i64 = 200;

/// A search of the task library: words (diacritics optional) and/or a framework node (a dimension finds
/// its sub-dimensions too).
#[derive(Clone, Debug, Default)]
pub struct TaskQuery {
    pub text: String,
    /// Normalised (see [`normalize_node`]); empty for any node.
    pub node: String,
}

impl TaskQuery {
    pub fn new(text: &str, node: &str) -> TaskQuery {
        TaskQuery { text: text.to_string(), node: normalize_node(node.trim()) }
    }

    /// Asks for nothing in particular.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.node.is_empty()
    }
}

/// Tasks of the plans within the scope that match the query, newest plans first.
pub async fn search_tasks(app: &App, scope: &Scope, q: &TaskQuery) -> ServiceResult<Vec<LibraryHit>> {
    Ok(app.store.search_tasks(scope, &q.text, Some(&q.node), LIBRARY_LIMIT).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_core::weakness::TaskGroup;

    fn edit() -> TaskEdit {
        TaskEdit { text: "Niêm yết công khai".into(), ..Default::default() }
    }

    #[test]
    fn a_form_becomes_a_typed_patch() {
        let e = TaskEdit {
            lead_agency: "  Phòng Nội vụ ".into(),
            coordinating: vec!["Phòng Tư pháp".into(), " ".into(), "UBND các xã".into()],
            due_date: " 2022-04-30 ".into(),
            recurrence: "quarterly".into(),
            task_group: "improve".into(),
            nodes: "papi.d2.2, papi.d3;papi.d1.s1".into(),
            ..edit()
        };
        let p = e.to_patch().expect("patch");
        assert_eq!(p.lead_agency, Some(Some("Phòng Nội vụ".into())));
        assert_eq!(p.coordinating_agencies, Some(vec!["Phòng Tư pháp".to_string(), "UBND các xã".to_string()]));
        assert_eq!(p.due_date, Some(parse_date("2022-04-30")));
        assert_eq!(p.recurrence, Some(Some(Recurrence::Quarterly)));
        assert_eq!(p.task_group, Some(Some(TaskGroup::Improve)));
        assert_eq!(p.nodes, Some(vec!["papi.d2.s2".to_string(), "papi.d3".to_string(), "papi.d1.s1".to_string()]));
        assert_eq!(p.expected_result, Some(None), "an empty field clears the value");
    }

    #[test]
    fn values_that_do_not_parse_are_refused_with_the_value() {
        let bad = |e: TaskEdit| e.to_patch().err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(bad(TaskEdit { due_date: "30/04/2022".into(), ..edit() }), "thời hạn '30/04/2022' không hợp lệ (YYYY-MM-DD)");
        assert_eq!(bad(TaskEdit { recurrence: "monthly".into(), ..edit() }), "chu kỳ 'monthly' không hợp lệ");
        assert_eq!(bad(TaskEdit { task_group: "x".into(), ..edit() }), "nhóm nhiệm vụ 'x' không hợp lệ");
    }

    #[test]
    fn library_queries_normalise_the_node() {
        let q = TaskQuery::new("hộ nghèo", " papi.d2.2 ");
        assert_eq!(q.node, "papi.d2.s2");
        assert!(!q.is_empty());
        assert!(TaskQuery::new("  ", "").is_empty());
    }
}
