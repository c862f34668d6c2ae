//! Editing a task as a person typed it, and the task library (every task of every plan within the scope).

use crate::{App, ErrorKind, Failure, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::plan::{Recurrence, normalize_node, parse_task_group, unknown_node};
use chiso_core::unit::parse_date;
use chiso_store::StoreError;
use chiso_store::plans::{LibraryHit, Task, TaskPatch};

/// A task's fields as a person typed them (the task form): empty means "none"; agencies are separated by
/// ';', framework nodes by ',', ';' or spaces.
#[derive(Clone, Debug, Default)]
pub struct TaskEdit {
    pub text: String,
    pub lead_agency: String,
    pub coordinating: String,
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
            TaskEditError::Invalid(_) | TaskEditError::InvalidField { .. } => ErrorKind::Unprocessable,
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
            coordinating_agencies: Some(self.coordinating.split(';').filter_map(optional).collect()),
            expected_result: Some(optional(&self.expected_result)),
            due_date: Some(due_date),
            due_text: Some(optional(&self.due_text)),
            recurrence: Some(recurrence),
            task_group: Some(task_group),
            nodes: Some(self.nodes.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(normalize_node).collect()),
        })
    }
}

/// Save a person's edit of a task read at `version` (optimistic concurrency; audited by the store).
pub async fn edit_task(app: &App, scope: &Scope, task_id: i64, edit: &TaskEdit, version: i64) -> Result<Task, TaskEditError> {
    let patch = edit.to_patch()?;
    if let Some(nodes) = &patch.nodes {
        let task = app.store.task(scope, task_id).await?;
        let plan = app.store.plan(scope, task.row.plan_id).await?;
        if let Some(reason) = unknown_node(&app.frameworks, &plan.families(), nodes) {
            return Err(TaskEditError::InvalidField { field: "nodes", message: reason });
        }
    }
    Ok(app.store.update_task(scope, task_id, patch, version).await?)
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
            coordinating: "Phòng Tư pháp; ; UBND các xã".into(),
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
