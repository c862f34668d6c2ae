//! Long (~980 lines): plans and their tasks share private row types, the fold columns and the version checks;
//! the paged list queries (issue 12) joined them. The task library could move out with its search.
//! Plans and tasks: create (from a parsed document, by hand, or as a child of a parent plan), browse,
//! issue (audited), edit tasks with optimistic concurrency, and the task library search.

use crate::audit::Change;
use crate::list::{Sql, contains_pattern, fetch_all, fetch_page};
use crate::units::Unit;
use crate::{Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use chiso_core::access::{Permission, Scope};
use chiso_core::list::{PageRequest, Paged, Sort, SortColumn, SortDir};
use chiso_core::plan::{PlanDraft, PlanStatus, Recurrence, TaskDraft, parse_task_group, task_group_str};
use chiso_core::text::{fold, nfc};
use chiso_core::unit::{format_date, parse_date};
use chiso_core::weakness::TaskGroup;
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Plan {
    pub id: i64,
    pub unit_id: i64,
    pub doc_type: String,
    pub year: i64,
    pub year_to: Option<i64>,
    pub families: String,
    pub number: Option<String>,
    pub place: Option<String>,
    pub issued_on: Option<String>,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: PlanStatus,
    pub parent_plan_id: Option<i64>,
    pub child_deadline: Option<String>,
    pub signer_authority: Option<String>,
    pub signer_position: Option<String>,
    pub signer_name: Option<String>,
    pub recipients: String,
    pub document: String,
    pub source_name: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The deadline the parent plan set for this plan (its children's deadline), carried when linked.
    pub parent_deadline: Option<String>,
    /// Why an imported plan that cites a parent plan was not linked to it (Vietnamese); asks a person.
    pub parent_note: Option<String>,
}

impl Plan {
    pub fn families(&self) -> Vec<String> {
        self.families.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
    }
    pub fn recipients(&self) -> Vec<String> {
        serde_json::from_str(&self.recipients).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BasisRow {
    pub id: i64,
    pub plan_id: i64,
    pub position: i64,
    pub number: Option<String>,
    pub date: Option<String>,
    pub issuer: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: i64,
    pub plan_id: i64,
    pub position: i64,
    pub code: String,
    pub section_code: Option<String>,
    pub text: String,
    pub lead_agency: Option<String>,
    pub lead_agency_id: Option<i64>,
    pub coordinating: String,
    pub expected_result: Option<String>,
    pub due_date: Option<String>,
    pub due_text: Option<String>,
    pub recurrence: Option<String>,
    pub task_group: Option<String>,
    pub status: String,
    pub source_task_id: Option<i64>,
    pub version: i64,
    /// The owners were read from the document and are not confirmed yet.
    pub lead_proposed: bool,
    pub lead_evidence: Option<String>,
    pub lead_confidence: Option<f64>,
    /// "tasks", "implementation", "appendix" for a task read from a document.
    pub source: Option<String>,
    /// JSON array of notes (see `Task::notes`).
    #[serde(skip)]
    pub notes: String,
    /// The parent plan's task this task was made from (the cascade).
    pub parent_task_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    #[serde(flatten)]
    pub row: TaskRow,
    pub nodes: Vec<String>,
    pub coordinating_agencies: Vec<String>,
}

impl Task {
    /// What the importer could not resolve for this task.
    pub fn notes(&self) -> Vec<String> {
        serde_json::from_str(&self.row.notes).unwrap_or_default()
    }
    /// A lead a person has confirmed (or entered): not a proposal read from the document.
    pub fn has_confirmed_lead(&self) -> bool {
        !self.row.lead_proposed && self.row.lead_agency.as_deref().is_some_and(|s| !s.trim().is_empty())
    }
    pub fn has_time(&self) -> bool {
        self.row.due_date.is_some() || self.row.recurrence.is_some() || self.row.due_text.as_deref().is_some_and(|s| !s.trim().is_empty())
    }
    pub fn to_draft(&self) -> TaskDraft {
        TaskDraft {
            code: self.row.code.clone(),
            text: self.row.text.clone(),
            nodes: self.nodes.clone(),
            section_code: self.row.section_code.clone(),
            lead_agency: self.row.lead_agency.clone(),
            coordinating_agencies: self.coordinating_agencies.clone(),
            expected_result: self.row.expected_result.clone(),
            due_date: self.row.due_date.as_deref().and_then(parse_date),
            due_text: self.row.due_text.clone(),
            recurrence: self.row.recurrence.as_deref().and_then(Recurrence::parse),
            task_group: self.row.task_group.as_deref().and_then(parse_task_group),
            lead_proposed: self.row.lead_proposed,
            lead_evidence: self.row.lead_evidence.clone(),
            lead_confidence: self.row.lead_confidence,
            source: self.row.source.clone(),
            notes: self.notes(),
            parent_task_id: self.row.parent_task_id,
        }
    }
}

/// A plan in a list, with its unit and counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanListItem {
    pub plan: Plan,
    pub unit_code: String,
    pub unit_name: String,
    pub task_count: i64,
}

/// A plan that may be another plan's parent: a plan of a superior unit, with its unit's depth in the tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParentCandidateRow {
    pub item: PlanListItem,
    pub depth: usize,
}

#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Plans of the unit(s) with this code only.
    pub unit_code: Option<String>,
    /// Plans of this unit and of the units under it (the list page's unit filter).
    pub subtree_of: Option<String>,
    pub year: Option<i64>,
    pub status: Option<PlanStatus>,
    pub family: Option<String>,
    pub text: Option<String>,
    /// Plans cascaded from this plan only.
    pub parent_plan_id: Option<i64>,
}

/// The columns the list of plans sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanColumn {
    Number,
    Title,
    Unit,
    Year,
    Issued,
    Tasks,
    Status,
}

impl SortColumn for PlanColumn {
    const ALL: &'static [PlanColumn] = &[
        PlanColumn::Number,
        PlanColumn::Title,
        PlanColumn::Unit,
        PlanColumn::Year,
        PlanColumn::Issued,
        PlanColumn::Tasks,
        PlanColumn::Status,
    ];
    fn key(self) -> &'static str {
        match self {
            PlanColumn::Number => "number",
            PlanColumn::Title => "title",
            PlanColumn::Unit => "unit",
            PlanColumn::Year => "year",
            PlanColumn::Issued => "issued",
            PlanColumn::Tasks => "tasks",
            PlanColumn::Status => "status",
        }
    }
    fn default_dir(self) -> SortDir {
        match self {
            PlanColumn::Year | PlanColumn::Issued | PlanColumn::Tasks => SortDir::Desc,
            _ => SortDir::Asc,
        }
    }
}

impl PlanColumn {
    /// Newest year first, then newest issue date.
    pub const NEWEST: Sort<PlanColumn> = Sort { column: PlanColumn::Year, dir: SortDir::Desc };

    fn sql(self) -> &'static str {
        match self {
            PlanColumn::Number => "COALESCE(p.number_fold, '')",
            PlanColumn::Title => "p.title_fold",
            PlanColumn::Unit => "u.name_fold",
            PlanColumn::Year => "p.year",
            PlanColumn::Issued => "COALESCE(p.issued_on, '')",
            PlanColumn::Tasks => "task_count",
            PlanColumn::Status => "p.status",
        }
    }
}

fn plan_order(sort: Sort<PlanColumn>) -> [(&'static str, SortDir); 4] {
    [(sort.column.sql(), sort.dir), ("p.year", SortDir::Desc), ("COALESCE(p.issued_on, '')", SortDir::Desc), ("p.id", SortDir::Desc)]
}

const PLAN_LIST_COLUMNS: &str = "SELECT p.id, p.unit_id, p.doc_type, p.year, p.year_to, p.families, p.number, p.place, p.issued_on, p.title, p.status, \
    p.parent_plan_id, p.child_deadline, p.signer_authority, p.signer_position, p.signer_name, p.recipients, p.document, p.source_name, \
    p.version, p.created_at, p.updated_at, p.parent_deadline, p.parent_note, u.code AS unit_code, u.name AS unit_name, \
    (SELECT COUNT(*) FROM task t WHERE t.plan_id = p.id) AS task_count";

#[derive(sqlx::FromRow)]
struct PlanRow {
    #[sqlx(flatten)]
    plan: Plan,
    unit_code: String,
    unit_name: String,
    task_count: i64,
}

impl PlanRow {
    fn item(self) -> PlanListItem {
        PlanListItem { plan: self.plan, unit_code: self.unit_code, unit_name: self.unit_name, task_count: self.task_count }
    }
}

/// `FROM … WHERE …` of the plans within the scope that pass the filter. The text matches, word by word
/// and without diacritics, the title or any part of the document number ("426", "kh-ubnd", "426/KH").
fn plans_query(scope: &Scope, f: &PlanFilter) -> Sql {
    let mut q = Sql::new("FROM plan p JOIN unit u ON u.id = p.unit_id WHERE u.path LIKE ");
    q.text(scope.path_prefix()).push(" || '%'");
    if let Some(code) = f.unit_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND u.code = ").text(code);
    }
    if let Some(code) = f.subtree_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND EXISTS (SELECT 1 FROM unit f WHERE f.code = ").text(code).push(" AND u.path LIKE f.path || '%')");
    }
    if let Some(year) = f.year {
        q.push(" AND (p.year = ").int(year).push(" OR (p.year <= ").int(year).push(" AND p.year_to >= ").int(year).push("))");
    }
    if let Some(status) = f.status {
        q.push(" AND p.status = ").text(status.as_str());
    }
    if let Some(parent) = f.parent_plan_id {
        q.push(" AND p.parent_plan_id = ").int(parent);
    }
    if let Some(family) = f.family.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND (',' || p.families || ',') LIKE ").text(format!("%,{},%", family.replace(['%', '_'], "")));
    }
    for word in f.text.as_deref().map(fold).unwrap_or_default().split_whitespace() {
        let like = contains_pattern(word);
        if like == "%%" {
            continue;
        }
        q.push(" AND (p.title_fold LIKE ").text(like.clone()).push(" OR COALESCE(p.number_fold, '') LIKE ").text(like).push(")");
    }
    q
}

/// What may change in a task. `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub text: Option<String>,
    pub lead_agency: Option<Option<String>>,
    pub coordinating_agencies: Option<Vec<String>>,
    pub expected_result: Option<Option<String>>,
    pub due_date: Option<Option<Date>>,
    pub due_text: Option<Option<String>>,
    pub recurrence: Option<Option<Recurrence>>,
    pub task_group: Option<Option<TaskGroup>>,
    pub nodes: Option<Vec<String>>,
}

/// A library hit: a task with where it comes from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LibraryHit {
    pub task: Task,
    pub plan_id: i64,
    pub plan_title: String,
    pub plan_number: Option<String>,
    pub plan_year: i64,
    pub unit_name: String,
    pub unit_code: String,
}

/// What the task library asks for.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Words of the task's text or lead agency, without diacritics; every word must appear.
    pub text: Option<String>,
    /// A framework node (a dimension finds its sub-dimensions too).
    pub node: Option<String>,
    /// Tasks of plans of this unit and the units under it.
    pub unit_code: Option<String>,
    pub year: Option<i64>,
    pub plan_id: Option<i64>,
}

/// The columns the task library sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskColumn {
    Plan,
    Text,
    Lead,
    Due,
    Unit,
}

impl SortColumn for TaskColumn {
    const ALL: &'static [TaskColumn] = &[TaskColumn::Plan, TaskColumn::Text, TaskColumn::Lead, TaskColumn::Due, TaskColumn::Unit];
    fn key(self) -> &'static str {
        match self {
            TaskColumn::Plan => "plan",
            TaskColumn::Text => "text",
            TaskColumn::Lead => "lead",
            TaskColumn::Due => "due",
            TaskColumn::Unit => "unit",
        }
    }
    fn default_dir(self) -> SortDir {
        if self == TaskColumn::Plan { SortDir::Desc } else { SortDir::Asc }
    }
}

impl TaskColumn {
    /// Newest plans first, tasks in their plan's order.
    pub const NEWEST: Sort<TaskColumn> = Sort { column: TaskColumn::Plan, dir: SortDir::Desc };

    fn sql(self) -> &'static str {
        match self {
            TaskColumn::Plan => "p.year",
            TaskColumn::Text => "t.text_fold",
            TaskColumn::Lead => "COALESCE(t.lead_agency, '')",
            TaskColumn::Due => "COALESCE(t.due_date, '9999')",
            TaskColumn::Unit => "u.name_fold",
        }
    }
}

fn require(scope: &Scope, p: Permission) -> StoreResult<()> {
    if scope.can(p) { Ok(()) } else { Err(StoreError::Forbidden(p.name_vi().to_string())) }
}

fn opt_text(s: Option<&str>) -> Option<String> {
    s.map(nfc).filter(|s| !s.is_empty())
}

impl Store {
    /// Store a plan with all its tasks under `unit_code`, in one transaction. Needs Permission::EditPlans
    /// over the unit.
    pub async fn create_plan(
        &self,
        scope: &Scope,
        unit_code: &str,
        draft: &PlanDraft,
        parent_plan_id: Option<i64>,
        source_name: Option<&str>,
    ) -> StoreResult<Plan> {
        self.create_plan_noted(scope, unit_code, draft, parent_plan_id, None, source_name).await
    }

    /// [`Store::create_plan`] with a note that asks a person about the parent plan (an imported plan cites
    /// one that is not, or not uniquely, stored). A plan linked to a parent carries the parent's deadline for
    /// its children's plans; each task's `parent_task_id` must be a task of that parent.
    pub async fn create_plan_noted(
        &self,
        scope: &Scope,
        unit_code: &str,
        draft: &PlanDraft,
        parent_plan_id: Option<i64>,
        parent_note: Option<&str>,
        source_name: Option<&str>,
    ) -> StoreResult<Plan> {
        require(scope, Permission::EditPlans)?;
        let unit = self.unit_by_code(scope, unit_code).await?;
        draft.validate().map_err(StoreError::Invalid)?;
        chiso_core::limits::check_plan_draft(draft).map_err(StoreError::Invalid)?;
        let parent = match parent_plan_id {
            Some(pid) => Some(self.plan(scope, pid).await?),
            None => None,
        };
        if draft.tasks.iter().any(|t| t.parent_task_id.is_some()) {
            let parent_tasks: Vec<i64> = match &parent {
                Some(p) => self.tasks(scope, p.id).await?.iter().map(|t| t.row.id).collect(),
                None => Vec::new(),
            };
            if let Some(t) = draft.tasks.iter().find(|t| t.parent_task_id.is_some_and(|id| !parent_tasks.contains(&id))) {
                return Err(StoreError::Invalid(format!("nhiệm vụ {}: nhiệm vụ gốc không thuộc kế hoạch cấp trên", t.code)));
            }
        }
        let parent_deadline = parent.as_ref().and_then(|p| p.child_deadline.clone());
        let agencies: HashMap<String, i64> = self.agencies(scope, unit.id).await?.into_iter().map(|a| (fold(&a.name), a.id)).collect();
        let now = now_ms();
        let document = serde_json::to_string(&draft.document).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let recipients = serde_json::to_string(&draft.recipients).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let signer = draft.signer.clone().unwrap_or_default();
        let families = draft.families.join(",");
        let plan_id = write_tx!(self, |tx| {
            const INS: &str = "INSERT INTO plan (unit_id, doc_type, year, year_to, families, number, place, issued_on, title, title_fold, status, \
                 parent_plan_id, child_deadline, signer_authority, signer_position, signer_name, recipients, document, source_name, version, created_at, updated_at, \
                 parent_deadline, parent_note, number_fold) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, $20, $20, $21, $22, $23) RETURNING id";
            let id: i64 = sqlx::query_scalar(INS)
                .bind(unit.id)
                .bind(nfc(&draft.doc_type))
                .bind(draft.year as i64)
                .bind(draft.year_to.map(i64::from))
                .bind(&families)
                .bind(opt_text(draft.number.as_deref()))
                .bind(opt_text(draft.place.as_deref()))
                .bind(draft.issued_on.map(format_date))
                .bind(nfc(&draft.title))
                .bind(fold(&draft.title))
                .bind(draft.status.as_str())
                .bind(parent_plan_id)
                .bind(draft.child_deadline.map(format_date))
                .bind(opt_text(signer.authority.as_deref()))
                .bind(opt_text(signer.position.as_deref()))
                .bind(opt_text(signer.name.as_deref()))
                .bind(&recipients)
                .bind(&document)
                .bind(source_name)
                .bind(now)
                .bind(&parent_deadline)
                .bind(parent_note.map(nfc))
                .bind(opt_text(draft.number.as_deref()).map(|n| fold(&n)))
                .fetch_one(&mut *tx)
                .await?;
            for (i, b) in draft.based_on.iter().enumerate() {
                const BASIS: &str =
                    "INSERT INTO plan_basis (plan_id, position, number, date, issuer, text) VALUES ($1, $2, $3, $4, $5, $6)";
                sqlx::query(BASIS)
                    .bind(id)
                    .bind(i as i64)
                    .bind(opt_text(b.number.as_deref()))
                    .bind(b.date.map(format_date))
                    .bind(opt_text(b.issuer.as_deref()))
                    .bind(nfc(&b.text))
                    .execute(&mut *tx)
                    .await?;
            }
            for (i, t) in draft.tasks.iter().enumerate() {
                let lead_id = t.lead_agency.as_deref().and_then(|a| agencies.get(&fold(a)).copied());
                const TASK: &str = "INSERT INTO task (plan_id, position, code, section_code, text, text_fold, lead_agency, lead_agency_id, coordinating, \
                     expected_result, due_date, due_text, recurrence, task_group, status, source_task_id, version, created_at, updated_at, \
                     lead_proposed, lead_evidence, lead_confidence, source, notes, parent_task_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'not_started', NULL, 1, $15, $15, $16, $17, $18, $19, $20, $21) RETURNING id";
                let task_id: i64 = sqlx::query_scalar(TASK)
                    .bind(id)
                    .bind(i as i64)
                    .bind(nfc(&t.code))
                    .bind(opt_text(t.section_code.as_deref()))
                    .bind(nfc(&t.text))
                    .bind(search_key(&t.text, t.lead_agency.as_deref()))
                    .bind(opt_text(t.lead_agency.as_deref()))
                    .bind(lead_id)
                    .bind(serde_json::to_string(&t.coordinating_agencies).unwrap_or_else(|_| "[]".into()))
                    .bind(opt_text(t.expected_result.as_deref()))
                    .bind(t.due_date.map(format_date))
                    .bind(opt_text(t.due_text.as_deref()))
                    .bind(t.recurrence.map(|r| r.as_str()))
                    .bind(t.task_group.map(task_group_str))
                    .bind(now)
                    .bind(t.lead_proposed)
                    .bind(opt_text(t.lead_evidence.as_deref()))
                    .bind(t.lead_confidence)
                    .bind(opt_text(t.source.as_deref()))
                    .bind(serde_json::to_string(&t.notes).unwrap_or_else(|_| "[]".into()))
                    .bind(t.parent_task_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let mut nodes = t.nodes.clone();
                nodes.sort();
                nodes.dedup();
                for n in nodes {
                    const NODE: &str = "INSERT INTO task_node (task_id, node_code) VALUES ($1, $2)";
                    sqlx::query(NODE).bind(task_id).bind(n).execute(&mut *tx).await?;
                }
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(unit.id),
                    entity: "plan",
                    entity_id: id.to_string(),
                    action: "create",
                    field: Some("status"),
                    new_value: Some(format!("{} — {} ({} nhiệm vụ)", draft.status.as_str(), draft.title, draft.tasks.len())),
                    ..Default::default()
                }
            );
            id
        });
        self.plan(scope, plan_id).await
    }

    /// One plan, if the scope reaches its unit.
    pub async fn plan(&self, scope: &Scope, id: i64) -> StoreResult<Plan> {
        require(scope, Permission::View)?;
        const SQL: &str = "SELECT p.id, p.unit_id, p.doc_type, p.year, p.year_to, p.families, p.number, p.place, p.issued_on, p.title, p.status, \
            p.parent_plan_id, p.child_deadline, p.signer_authority, p.signer_position, p.signer_name, p.recipients, p.document, p.source_name, \
            p.version, p.created_at, p.updated_at, p.parent_deadline, p.parent_note FROM plan p WHERE p.id = $1";
        let plan: Plan = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("kế hoạch #{id}")))?;
        self.unit_by_id(scope, plan.unit_id).await?;
        Ok(plan)
    }

    /// Plans by document number ("426/KH-UBND") within the scope.
    pub async fn plans_by_number(&self, scope: &Scope, number: &str) -> StoreResult<Vec<Plan>> {
        let items = self.plans(scope, &PlanFilter::default()).await?;
        Ok(items.into_iter().map(|i| i.plan).filter(|p| p.number.as_deref() == Some(number.trim())).collect())
    }

    /// Plans within the scope, newest first, filtered.
    pub async fn plans(&self, scope: &Scope, f: &PlanFilter) -> StoreResult<Vec<PlanListItem>> {
        self.plans_sorted(scope, f, PlanColumn::NEWEST).await
    }

    /// Plans within the scope, filtered, in the order asked for (ties: newest first).
    pub async fn plans_sorted(&self, scope: &Scope, f: &PlanFilter, sort: Sort<PlanColumn>) -> StoreResult<Vec<PlanListItem>> {
        require(scope, Permission::View)?;
        let mut q = plans_query(scope, f);
        q.order_by(&plan_order(sort));
        let rows: Vec<PlanRow> = fetch_all(&self.read, &q.prefixed(PLAN_LIST_COLUMNS)).await?;
        Ok(rows.into_iter().map(PlanRow::item).collect())
    }

    /// One page of the plans within the scope, filtered and sorted, with the number of plans that match.
    pub async fn plans_page(
        &self,
        scope: &Scope,
        f: &PlanFilter,
        sort: Sort<PlanColumn>,
        page: PageRequest,
    ) -> StoreResult<Paged<PlanListItem>> {
        require(scope, Permission::View)?;
        let q = plans_query(scope, f);
        let rows: Paged<PlanRow> = fetch_page(&self.read, PLAN_LIST_COLUMNS, &q, &plan_order(sort), page).await?;
        Ok(rows.map(PlanRow::item))
    }

    /// Fill the folded document number of plans stored before it was kept (migration 0015); a no-op once
    /// done. One transaction.
    pub async fn fold_plan_numbers(&self) -> StoreResult<u64> {
        const SQL: &str = "SELECT id, number FROM plan WHERE number IS NOT NULL AND number_fold IS NULL";
        let rows: Vec<(i64, String)> = on_db!(&self.write, |p| sqlx::query_as(SQL).fetch_all(p).await)?;
        if rows.is_empty() {
            return Ok(0);
        }
        write_tx!(self, |tx| {
            for (id, number) in &rows {
                const UPD: &str = "UPDATE plan SET number_fold = $1 WHERE id = $2";
                sqlx::query(UPD).bind(fold(number)).bind(id).execute(&mut *tx).await?;
            }
        });
        Ok(rows.len() as u64)
    }

    /// The plans within the scope whose unit is above `unit_id` in the tree: who may be a plan's parent
    /// (nearest unit first, then newest).
    pub async fn parent_plan_candidates(&self, scope: &Scope, unit_id: i64) -> StoreResult<Vec<ParentCandidateRow>> {
        require(scope, Permission::View)?;
        let unit = self.unit_by_id(scope, unit_id).await?;
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            plan: Plan,
            unit_code: String,
            unit_name: String,
            unit_path: String,
            task_count: i64,
        }
        const SQL: &str = "SELECT p.id, p.unit_id, p.doc_type, p.year, p.year_to, p.families, p.number, p.place, p.issued_on, p.title, p.status, \
            p.parent_plan_id, p.child_deadline, p.signer_authority, p.signer_position, p.signer_name, p.recipients, p.document, p.source_name, \
            p.version, p.created_at, p.updated_at, p.parent_deadline, p.parent_note, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, \
            (SELECT COUNT(*) FROM task t WHERE t.plan_id = p.id) AS task_count \
            FROM plan p JOIN unit u ON u.id = p.unit_id WHERE u.path LIKE $1 || '%' AND $2 LIKE u.path || '%' AND u.path <> $2 \
            ORDER BY LENGTH(u.path) DESC, p.year DESC, p.issued_on DESC, p.id DESC";
        let prefix = scope.path_prefix();
        let rows: Vec<Row> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(prefix).bind(&unit.path).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter(|r| chiso_core::plan::is_superior_unit(&r.unit_path, &unit.path))
            .map(|r| ParentCandidateRow {
                item: PlanListItem { plan: r.plan, unit_code: r.unit_code, unit_name: r.unit_name, task_count: r.task_count },
                depth: r.unit_path.matches('/').count().saturating_sub(1),
            })
            .collect())
    }

    /// Link a plan to its parent plan (`Some`) or unlink it (`None`), by hand: the parent must be a plan of a
    /// unit above the plan's. The plan carries the parent's deadline for its children's plans; its tasks'
    /// links to the old parent's tasks are dropped; the note that asked is cleared. Audited (a change of the
    /// plan's structure); fails with `Conflict` when the plan changed since `expected_version` was read.
    pub async fn set_parent_plan(&self, scope: &Scope, plan_id: i64, parent_id: Option<i64>, expected_version: i64) -> StoreResult<Plan> {
        require(scope, Permission::EditPlans)?;
        let plan = self.plan(scope, plan_id).await?;
        if plan.parent_plan_id == parent_id {
            return Ok(plan); // nothing changes, nothing is written
        }
        let unit = self.unit_by_id(scope, plan.unit_id).await?;
        let parent = match parent_id {
            Some(pid) => {
                let parent = self.plan(scope, pid).await?;
                let parent_unit = self.unit_by_id(scope, parent.unit_id).await?;
                if !chiso_core::plan::is_superior_unit(&parent_unit.path, &unit.path) {
                    return Err(StoreError::Invalid(format!(
                        "kế hoạch cấp trên phải là kế hoạch của đơn vị cấp trên {} ({} không phải)",
                        unit.name, parent_unit.name
                    )));
                }
                Some(parent)
            }
            None => None,
        };
        let describe = |p: Option<&Plan>| match p {
            Some(p) => format!("#{} {} {}", p.id, p.number.as_deref().unwrap_or("(chưa có số)"), p.title),
            None => "—".to_string(),
        };
        let old_parent = match plan.parent_plan_id {
            Some(pid) => Some(match self.plan(scope, pid).await {
                Ok(p) => describe(Some(&p)),
                // The old parent may be outside the scope of the person who unlinks.
                Err(_) => format!("#{pid}"),
            }),
            None => None,
        };
        let deadline = parent.as_ref().and_then(|p| p.child_deadline.clone());
        write_tx!(self, |tx| {
            const UPD: &str = "UPDATE plan SET parent_plan_id = $1, parent_deadline = $2, parent_note = NULL, version = version + 1, updated_at = $3 \
                 WHERE id = $4 AND version = $5";
            let n = sqlx::query(UPD)
                .bind(parent_id)
                .bind(&deadline)
                .bind(now_ms())
                .bind(plan_id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("kế hoạch vừa được người khác sửa; hãy tải lại trang".into()));
            }
            const TASKS: &str = "UPDATE task SET parent_task_id = NULL WHERE plan_id = $1 AND parent_task_id IS NOT NULL";
            sqlx::query(TASKS).bind(plan_id).execute(&mut *tx).await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(plan.unit_id),
                    entity: "plan",
                    entity_id: plan_id.to_string(),
                    action: if parent_id.is_some() { "link_parent" } else { "unlink_parent" },
                    field: Some("parent_plan_id"),
                    old_value: old_parent.clone(),
                    new_value: Some(describe(parent.as_ref())),
                    ..Default::default()
                }
            );
        });
        self.plan(scope, plan_id).await
    }

    pub async fn plan_basis(&self, scope: &Scope, plan_id: i64) -> StoreResult<Vec<BasisRow>> {
        self.plan(scope, plan_id).await?;
        const SQL: &str = "SELECT id, plan_id, position, number, date, issuer, text FROM plan_basis WHERE plan_id = $1 ORDER BY position";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(plan_id).fetch_all(p).await)?)
    }

    /// The tasks of a plan with their framework nodes, in document order.
    pub async fn tasks(&self, scope: &Scope, plan_id: i64) -> StoreResult<Vec<Task>> {
        self.plan(scope, plan_id).await?;
        const SQL: &str = "SELECT id, plan_id, position, code, section_code, text, lead_agency, lead_agency_id, coordinating, expected_result, \
            due_date, due_text, recurrence, task_group, status, source_task_id, version, lead_proposed, lead_evidence, lead_confidence, source, notes, parent_task_id FROM task WHERE plan_id = $1 ORDER BY position";
        let rows: Vec<TaskRow> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(plan_id).fetch_all(p).await)?;
        const NODES: &str =
            "SELECT n.task_id, n.node_code FROM task_node n JOIN task t ON t.id = n.task_id WHERE t.plan_id = $1 ORDER BY n.node_code";
        let nodes: Vec<(i64, String)> = on_db!(&self.read, |p| sqlx::query_as(NODES).bind(plan_id).fetch_all(p).await)?;
        Ok(attach_nodes(rows, nodes))
    }

    pub async fn task(&self, scope: &Scope, task_id: i64) -> StoreResult<Task> {
        const SQL: &str = "SELECT id, plan_id, position, code, section_code, text, lead_agency, lead_agency_id, coordinating, expected_result, \
            due_date, due_text, recurrence, task_group, status, source_task_id, version, lead_proposed, lead_evidence, lead_confidence, source, notes, parent_task_id FROM task WHERE id = $1";
        let row: TaskRow = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(task_id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("nhiệm vụ #{task_id}")))?;
        self.plan(scope, row.plan_id).await?;
        const NODES: &str = "SELECT task_id, node_code FROM task_node WHERE task_id = $1 ORDER BY node_code";
        let nodes: Vec<(i64, String)> = on_db!(&self.read, |p| sqlx::query_as(NODES).bind(task_id).fetch_all(p).await)?;
        attach_nodes(vec![row], nodes).into_iter().next().ok_or_else(|| StoreError::NotFound(format!("nhiệm vụ #{task_id}")))
    }

    /// Issue a draft plan: set its number and date and mark it issued. Audited.
    pub async fn issue_plan(&self, scope: &Scope, plan_id: i64, number: &str, issued_on: &str, expected_version: i64) -> StoreResult<Plan> {
        require(scope, Permission::EditPlans)?;
        let plan = self.plan(scope, plan_id).await?;
        if plan.status == PlanStatus::Issued {
            return Err(StoreError::Conflict("kế hoạch đã ban hành".into()));
        }
        let date = parse_date(issued_on).ok_or_else(|| StoreError::Invalid(format!("ngày ban hành '{issued_on}' không hợp lệ")))?;
        let number = nfc(number);
        if number.is_empty() || !number.contains('/') {
            return Err(StoreError::Invalid(format!("số, ký hiệu '{number}' không hợp lệ (ví dụ 426/KH-UBND)")));
        }
        write_tx!(self, |tx| {
            const UPD: &str = "UPDATE plan SET status = 'issued', number = $1, issued_on = $2, version = version + 1, updated_at = $3, number_fold = $6 \
                 WHERE id = $4 AND version = $5";
            let n = sqlx::query(UPD)
                .bind(&number)
                .bind(format_date(date))
                .bind(now_ms())
                .bind(plan_id)
                .bind(expected_version)
                .bind(fold(&number))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("kế hoạch vừa được người khác sửa; hãy tải lại trang".into()));
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(plan.unit_id),
                    entity: "plan",
                    entity_id: plan_id.to_string(),
                    action: "issue",
                    field: Some("status"),
                    old_value: Some(plan.status.as_str().to_string()),
                    new_value: Some(format!("issued {number} ngày {}", format_date(date))),
                    ..Default::default()
                }
            );
        });
        self.plan(scope, plan_id).await
    }

    /// Change a task; fails with `Conflict` when someone else changed it since `expected_version` was read.
    pub async fn update_task(&self, scope: &Scope, task_id: i64, patch: TaskPatch, expected_version: i64) -> StoreResult<Task> {
        require(scope, Permission::EditPlans)?;
        let old = self.task(scope, task_id).await?;
        let plan = self.plan(scope, old.row.plan_id).await?;
        let text = patch.text.map(|s| nfc(&s)).unwrap_or(old.row.text.clone());
        if text.is_empty() {
            return Err(StoreError::Invalid("nội dung nhiệm vụ trống".into()));
        }
        {
            use chiso_core::limits::{MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_TASK_TEXT_CHARS, check_len};
            let opt = |v: &Option<Option<String>>| v.as_ref().and_then(|x| x.clone()).unwrap_or_default();
            check_len("nội dung nhiệm vụ", &text, MAX_TASK_TEXT_CHARS)
                .and_then(|_| check_len("cơ quan chủ trì", &opt(&patch.lead_agency), MAX_NAME_CHARS))
                .and_then(|_| check_len("kết quả dự kiến", &opt(&patch.expected_result), MAX_NOTE_CHARS))
                .and_then(|_| check_len("thời hạn", &opt(&patch.due_text), MAX_NAME_CHARS))
                .and_then(|_| {
                    patch.coordinating_agencies.iter().flatten().try_for_each(|c| check_len("cơ quan phối hợp", c, MAX_NAME_CHARS))
                })
                .map_err(StoreError::Invalid)?;
        }
        let pick = |new: Option<Option<String>>, old: &Option<String>| match new {
            Some(v) => v.map(|s| nfc(&s)).filter(|s| !s.is_empty()),
            None => old.clone(),
        };
        // Saving a task's owners confirms them: they are no longer the document's proposal.
        let lead_proposed = old.row.lead_proposed && patch.lead_agency.is_none() && patch.coordinating_agencies.is_none();
        let lead = pick(patch.lead_agency, &old.row.lead_agency);
        let result = pick(patch.expected_result, &old.row.expected_result);
        // Dates, recurrences and groups arrive typed; they are stored in their text form.
        let due_date = match patch.due_date {
            Some(d) => d.map(format_date),
            None => old.row.due_date.clone(),
        };
        let due_text = pick(patch.due_text, &old.row.due_text);
        let recurrence = match patch.recurrence {
            Some(r) => r.map(|r| r.as_str().to_string()),
            None => old.row.recurrence.clone(),
        };
        let group = match patch.task_group {
            Some(g) => g.map(|g| task_group_str(g).to_string()),
            None => old.row.task_group.clone(),
        };
        let coordinating = patch.coordinating_agencies.unwrap_or(old.coordinating_agencies.clone());
        let nodes = patch.nodes.unwrap_or(old.nodes.clone());
        let agencies: HashMap<String, i64> = self.agencies(scope, plan.unit_id).await?.into_iter().map(|a| (fold(&a.name), a.id)).collect();
        let lead_id = lead.as_deref().and_then(|a| agencies.get(&fold(a)).copied());
        write_tx!(self, |tx| {
            const UPD: &str = "UPDATE task SET text = $1, text_fold = $2, lead_agency = $3, lead_agency_id = $4, coordinating = $5, expected_result = $6, \
                 due_date = $7, due_text = $8, recurrence = $9, task_group = $10, version = version + 1, updated_at = $11, lead_proposed = $14 WHERE id = $12 AND version = $13";
            let n = sqlx::query(UPD)
                .bind(&text)
                .bind(search_key(&text, lead.as_deref()))
                .bind(&lead)
                .bind(lead_id)
                .bind(serde_json::to_string(&coordinating).unwrap_or_else(|_| "[]".into()))
                .bind(&result)
                .bind(&due_date)
                .bind(&due_text)
                .bind(&recurrence)
                .bind(&group)
                .bind(now_ms())
                .bind(task_id)
                .bind(expected_version)
                .bind(lead_proposed)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "nhiệm vụ {} vừa được người khác sửa (phiên bản {}); hãy xem thay đổi của họ rồi sửa lại",
                    old.row.code, old.row.version
                )));
            }
            const DEL: &str = "DELETE FROM task_node WHERE task_id = $1";
            sqlx::query(DEL).bind(task_id).execute(&mut *tx).await?;
            let mut ns = nodes.clone();
            ns.sort();
            ns.dedup();
            for node in ns {
                const NODE: &str = "INSERT INTO task_node (task_id, node_code) VALUES ($1, $2)";
                sqlx::query(NODE).bind(task_id).bind(node).execute(&mut *tx).await?;
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(plan.unit_id),
                    entity: "task",
                    entity_id: task_id.to_string(),
                    action: "update",
                    old_value: Some(summary(&old.row.text, &old.row.lead_agency, &old.row.due_date)),
                    new_value: Some(summary(&text, &lead, &due_date)),
                    ..Default::default()
                }
            );
        });
        self.task(scope, task_id).await
    }

    /// Child plans made from `plan_id`.
    pub async fn child_plans(&self, scope: &Scope, plan_id: i64) -> StoreResult<Vec<PlanListItem>> {
        self.plan(scope, plan_id).await?;
        self.plans(scope, &PlanFilter { parent_plan_id: Some(plan_id), ..Default::default() }).await
    }

    /// The task library: tasks of every plan within the scope, by diacritic-insensitive text ("noi vu"
    /// finds "Nội vụ") and/or framework node (a dimension matches its sub-dimensions too).
    pub async fn search_tasks(&self, scope: &Scope, text: &str, node: Option<&str>, limit: i64) -> StoreResult<Vec<LibraryHit>> {
        let filter = TaskFilter { text: Some(text.to_string()), node: node.map(String::from), ..Default::default() };
        let page = PageRequest::new(1, u32::try_from(limit.max(1)).unwrap_or(u32::MAX));
        Ok(self.tasks_page(scope, &filter, TaskColumn::NEWEST, page).await?.items)
    }

    /// One page of the task library within the scope, filtered and sorted (ties: newest plans first, then
    /// the plan's order), with the number of tasks that match.
    pub async fn tasks_page(
        &self,
        scope: &Scope,
        f: &TaskFilter,
        sort: Sort<TaskColumn>,
        page: PageRequest,
    ) -> StoreResult<Paged<LibraryHit>> {
        require(scope, Permission::View)?;
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            task: TaskRow,
            plan_title: String,
            plan_number: Option<String>,
            plan_year: i64,
            unit_name: String,
            unit_code: String,
        }
        const COLUMNS: &str = "SELECT t.id, t.plan_id, t.position, t.code, t.section_code, t.text, t.lead_agency, t.lead_agency_id, t.coordinating, \
            t.expected_result, t.due_date, t.due_text, t.recurrence, t.task_group, t.status, t.source_task_id, t.version, t.lead_proposed, t.lead_evidence, t.lead_confidence, t.source, t.notes, t.parent_task_id, \
            p.title AS plan_title, p.number AS plan_number, p.year AS plan_year, u.name AS unit_name, u.code AS unit_code";
        let mut q = Sql::new("FROM task t JOIN plan p ON p.id = t.plan_id JOIN unit u ON u.id = p.unit_id WHERE u.path LIKE ");
        q.text(scope.path_prefix()).push(" || '%'");
        for word in f.text.as_deref().map(fold).unwrap_or_default().split_whitespace() {
            let like = contains_pattern(word);
            if like != "%%" {
                q.push(" AND t.text_fold LIKE ").text(like);
            }
        }
        if let Some(node) = f.node.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q.push(" AND EXISTS (SELECT 1 FROM task_node n WHERE n.task_id = t.id AND (n.node_code = ")
                .text(node)
                .push(" OR n.node_code LIKE ")
                .text(node)
                .push(" || '.%'))");
        }
        if let Some(code) = f.unit_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q.push(" AND EXISTS (SELECT 1 FROM unit f WHERE f.code = ").text(code).push(" AND u.path LIKE f.path || '%')");
        }
        if let Some(year) = f.year {
            q.push(" AND (p.year = ").int(year).push(" OR (p.year <= ").int(year).push(" AND p.year_to >= ").int(year).push("))");
        }
        if let Some(plan_id) = f.plan_id {
            q.push(" AND t.plan_id = ").int(plan_id);
        }
        let order = [(sort.column.sql(), sort.dir), ("p.year", SortDir::Desc), ("t.plan_id", SortDir::Desc), ("t.position", SortDir::Asc)];
        let rows: Paged<Row> = fetch_page(&self.read, COLUMNS, &q, &order, page).await?;
        let mut node_map: HashMap<i64, Vec<String>> = HashMap::new();
        for r in &rows.items {
            const NODES: &str = "SELECT node_code FROM task_node WHERE task_id = $1 ORDER BY node_code";
            let ns: Vec<String> = on_db!(&self.read, |p| sqlx::query_scalar(NODES).bind(r.task.id).fetch_all(p).await)?;
            node_map.insert(r.task.id, ns);
        }
        Ok(rows.map(|r| {
            let nodes = node_map.remove(&r.task.id).unwrap_or_default();
            let coordinating_agencies = serde_json::from_str(&r.task.coordinating).unwrap_or_default();
            LibraryHit {
                plan_id: r.task.plan_id,
                task: Task { row: r.task, nodes, coordinating_agencies },
                plan_title: r.plan_title,
                plan_number: r.plan_number,
                plan_year: r.plan_year,
                unit_name: r.unit_name,
                unit_code: r.unit_code,
            }
        }))
    }

    /// The direct children of a unit that are in force in `year`, for the cascade overview.
    pub async fn child_units_in_year(&self, scope: &Scope, unit: &Unit, year: i64) -> StoreResult<Vec<Unit>> {
        self.unit_by_id(scope, unit.id).await?;
        // Children are inside the parent's subtree, so the parent's reach check covers them.
        const SQL: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit \
                           WHERE parent_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $3) ORDER BY name";
        let start = format!("{year}-12-31");
        let end = format!("{year}-01-01");
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit.id).bind(&start).bind(&end).fetch_all(p).await)?)
    }
}

/// What the task library searches: the task text and its lead agency, folded.
fn search_key(text: &str, lead: Option<&str>) -> String {
    fold(&format!("{text} {}", lead.unwrap_or("")))
}

fn summary(text: &str, lead: &Option<String>, due: &Option<String>) -> String {
    let short: String = text.chars().take(80).collect();
    format!("{short} | chủ trì: {} | hạn: {}", lead.as_deref().unwrap_or("—"), due.as_deref().unwrap_or("—"))
}

fn attach_nodes(rows: Vec<TaskRow>, nodes: Vec<(i64, String)>) -> Vec<Task> {
    let mut by_task: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, code) in nodes {
        by_task.entry(id).or_default().push(code);
    }
    rows.into_iter()
        .map(|row| {
            let coordinating_agencies = serde_json::from_str(&row.coordinating).unwrap_or_default();
            Task { nodes: by_task.remove(&row.id).unwrap_or_default(), coordinating_agencies, row }
        })
        .collect()
}
