//! Plans: list, import a document, plan page (tasks by dimension, compliance checklist, children), issue,
//! child plans (the cascade), task edits, the task library, and exports (DOCX/XLSX/PDF).
//! The document conversions used by the CLI live here too (`import_document`, `export_plan`).

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError, PageError};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chiso_core::access::{Permission, Scope};
use chiso_core::framework::{Family, FrameworkSet};
use chiso_core::plan::{self as core_plan, Basis, Check, PlanDraft, PlanStatus, Recurrence, TaskDraft, TaskFacts};
use chiso_core::text::{fold, vn_date_short};
use chiso_core::unit::parse_date;
use chiso_docs::{AppendixRow, ParsedPlan, PlanDocument};
use chiso_store::plans::{Plan, PlanFilter, PlanListItem, Task, TaskPatch};
use chiso_store::units::Unit;
use chiso_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list))
        .route("/plans/import", post(import_upload))
        .route("/plans/{id}", get(detail))
        .route("/plans/{id}/issue", post(issue))
        .route("/plans/{id}/children", post(create_child))
        .route("/plans/{id}/export/{format}", get(export))
        .route("/tasks/{id}/edit", get(task_edit_page).post(task_edit_submit))
        .route("/library", get(library))
        .route("/api/v1/plans", get(api_list))
        .route("/api/v1/plans/{id}", get(api_detail))
        .route("/api/v1/tasks/search", get(api_search))
        .route("/results/{fw}/{year}/units/{code}/draft-plan", post(draft_plan_form))
        .route("/api/v1/results/{fw}/{year}/units/{code}/draft-plan", post(draft_plan_api))
}

// ---------------------------------------------------------------------------------------------
// Conversions (used by the CLI as well)

/// PAPI sub-dimension codes as the framework writes them: "papi.d2.2" → "papi.d2.s2".
pub fn normalize_node(code: &str) -> String {
    let parts: Vec<&str> = code.split('.').collect();
    if parts.len() == 3 && parts[0] == "papi" && parts[2].chars().all(|c| c.is_ascii_digit()) {
        format!("papi.{}.s{}", parts[1], parts[2])
    } else {
        code.to_string()
    }
}

/// The deadline a plan sets for its children's plans: a deadline whose text speaks of issuing or building a plan.
fn child_deadline(parsed: &ParsedPlan) -> Option<time::Date> {
    parsed.deadlines.iter().find_map(|d| {
        let f = fold(&d.text);
        (f.contains("ke hoach") && (f.contains("ban hanh") || f.contains("xay dung"))).then_some(d.date).flatten()
    })
}

/// A parsed document as a plan draft. `fallback_year` is used when the document shows no year.
pub fn draft_from_parsed(parsed: &ParsedPlan, fallback_year: Option<i32>) -> Result<PlanDraft, String> {
    let year =
        parsed.year.or(parsed.date.map(|d| d.year())).or(fallback_year).ok_or("văn bản không ghi năm; hãy chỉ định năm của kế hoạch")?;
    let status = if parsed.number.is_some() && parsed.date.is_some() { PlanStatus::Issued } else { PlanStatus::Draft };
    let tasks = parsed
        .tasks
        .iter()
        .map(|t| TaskDraft {
            code: t.code.clone(),
            text: if t.details.is_empty() { t.text.clone() } else { format!("{}\n{}", t.text, t.details.join("\n")) },
            nodes: t.nodes.iter().map(|n| normalize_node(n)).collect(),
            section_code: t.section_code.clone(),
            lead_agency: t.lead_agency.clone(),
            coordinating_agencies: t.coordinating_agencies.clone(),
            expected_result: t.product.clone(),
            due_date: t.due_date,
            due_text: t.due.clone(),
            recurrence: t.due.as_deref().and_then(Recurrence::from_text).or(match t.recurrence.as_deref() {
                Some("thuong_xuyen") => Some(Recurrence::Continuous),
                Some("quarterly") => Some(Recurrence::Quarterly),
                Some("half_yearly") => Some(Recurrence::HalfYearly),
                Some("yearly") => Some(Recurrence::Yearly),
                _ => None,
            }),
            task_group: None,
        })
        .collect();
    let document = serde_json::to_value(parsed).map_err(|e| e.to_string())?;
    let families = if parsed.index_families.is_empty() { vec!["PAPI".to_string()] } else { parsed.index_families.clone() };
    Ok(PlanDraft {
        doc_type: parsed.doc_type.clone().unwrap_or_else(|| "KẾ HOẠCH".into()),
        year,
        year_to: None,
        families,
        number: parsed.number.clone(),
        place: parsed.place.clone(),
        issued_on: parsed.date,
        title: if parsed.title.trim().is_empty() { "(không có trích yếu)".into() } else { parsed.title.clone() },
        status,
        based_on: parsed
            .based_on
            .iter()
            .map(|b| Basis { number: b.number.clone(), date: b.date, issuer: b.issuer.clone(), text: b.text.clone() })
            .collect(),
        recipients: parsed.recipients.clone(),
        signer: parsed.signer.as_ref().map(|s| core_plan::Signer {
            authority: s.authority.clone(),
            position: match (&s.delegation, &s.position) {
                (Some(d), Some(p)) => Some(format!("{d}\n{p}")),
                (None, p) => p.clone(),
                (Some(d), None) => Some(d.clone()),
            },
            name: s.name.clone(),
        }),
        child_deadline: child_deadline(parsed),
        document,
        tasks,
    })
}

/// Parse a document and store it as a plan of `unit_code`: all of it or nothing.
pub async fn import_document(
    store: &Store,
    scope: &Scope,
    unit_code: &str,
    bytes: &[u8],
    file_name: &str,
    fallback_year: Option<i32>,
) -> Result<Plan, AppError> {
    let name = file_name.to_string();
    let data = bytes.to_vec();
    // Parsers run off the async threads, with a panic guard on top of their own limits.
    let parsed = tokio::task::spawn_blocking(move || std::panic::catch_unwind(|| chiso_docs::parse_plan(&data, &name)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|_| AppError::BadRequest(format!("không đọc được tệp '{file_name}' (lỗi bộ đọc)")))?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let draft = draft_from_parsed(&parsed, fallback_year).map_err(|e| AppError::BadRequest(format!("{file_name}: {e}")))?;
    Ok(store.create_plan(scope, unit_code, &draft, None, Some(file_name)).await?)
}

/// "UBND huyện Mộc Châu" from the unit "Huyện Mộc Châu".
pub fn authority_of(unit: &Unit) -> String {
    let mut cs = unit.name.chars();
    match cs.next() {
        Some(f) => format!("UBND {}{}", f.to_lowercase(), cs.as_str()),
        None => "UBND".into(),
    }
}

pub fn dimension_label(frameworks: &FrameworkSet, node: &str) -> String {
    let dim = dimension_code(node);
    frameworks.frameworks().iter().find_map(|f| f.node(&dim)).map(|n| format!("{} – {}", short_code(&dim), n.name_vi)).unwrap_or(dim)
}

fn short_code(code: &str) -> String {
    // "papi.d3" → "Nội dung 3"; "par.a2" → "Lĩnh vực 2".
    if let Some(n) = code.strip_prefix("papi.d") {
        format!("Nội dung {n}")
    } else if let Some(n) = code.strip_prefix("par.a") {
        format!("Lĩnh vực {n}")
    } else {
        code.to_string()
    }
}

pub use chiso_core::plan::dimension_of as dimension_code;

/// A stored plan as a printable document: the parsed structure when there is one, with the stored fields
/// and the current tasks (as the appendix table) on top.
pub async fn plan_document(store: &Store, scope: &Scope, frameworks: &FrameworkSet, plan: &Plan) -> Result<PlanDocument, AppError> {
    let unit = store.unit_by_id(scope, plan.unit_id).await?;
    let tasks = store.tasks(scope, plan.id).await?;
    let basis = store.plan_basis(scope, plan.id).await?;
    let parsed: Option<ParsedPlan> =
        serde_json::from_str(&plan.document).ok().filter(|p: &ParsedPlan| !p.title.is_empty() || !p.sections.is_empty());
    let mut doc = parsed.as_ref().map(PlanDocument::from).unwrap_or_default();
    if doc.issuer.trim().is_empty() {
        doc.issuer = format!("ỦY BAN NHÂN DÂN {}", unit.name.to_uppercase());
    }
    doc.number = plan.number.clone();
    if doc.number.is_none() && doc.symbol.is_none() {
        doc.symbol = Some("KH-UBND".into());
    }
    doc.place = plan.place.clone().unwrap_or_else(|| unit.name.split_whitespace().skip(1).collect::<Vec<_>>().join(" "));
    doc.date = plan.issued_on.as_deref().and_then(parse_date);
    doc.year = Some(plan.year as i32);
    doc.doc_type = plan.doc_type.clone();
    doc.title = plan.title.clone();
    if parsed.is_none() {
        doc.based_on = basis.iter().map(|b| b.text.clone()).collect();
        let items: Vec<chiso_docs::Section> = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| chiso_docs::Section { code: format!("II.{}", i + 1), title: t.row.text.clone(), ..Default::default() })
            .collect();
        doc.sections =
            vec![chiso_docs::Section {
                code: "II".into(), title: "NHIỆM VỤ, GIẢI PHÁP".into(), children: items, ..Default::default()
            }];
    }
    doc.recipients = plan.recipients();
    doc.signer = Some(chiso_docs::Signer {
        authority: plan.signer_authority.clone().or(Some("TM. ỦY BAN NHÂN DÂN".into())),
        delegation: None,
        position: plan.signer_position.clone().or(Some("CHỦ TỊCH".into())),
        name: plan.signer_name.clone(),
    });
    doc.appendix_title = Some(format!("NHIỆM VỤ CỤ THỂ — {}", plan.title.to_uppercase()));
    doc.appendix = tasks
        .iter()
        .map(|t| AppendixRow {
            code: t.row.code.clone(),
            text: t.row.text.lines().next().unwrap_or_default().to_string(),
            dimension: t.nodes.first().map(|n| dimension_label(frameworks, n)),
            lead_agency: t.row.lead_agency.clone(),
            coordinating_agencies: t.coordinating_agencies.clone(),
            time: time_text(t),
            product: t.row.expected_result.clone(),
            status: Some(status_vi(&t.row.status).to_string()),
            group: None,
            group_title: None,
        })
        .collect();
    Ok(doc)
}

fn time_text(t: &Task) -> Option<String> {
    t.row.due_date.as_deref().and_then(parse_date).map(vn_date_short).or(t.row.due_text.clone()).or(t
        .row
        .recurrence
        .as_deref()
        .and_then(Recurrence::parse)
        .map(|r| r.name_vi().to_string()))
}

pub fn status_vi(s: &str) -> &'static str {
    match s {
        "not_started" => "Chưa thực hiện",
        "in_progress" => "Đang thực hiện",
        "done" => "Hoàn thành",
        "done_late" => "Hoàn thành muộn",
        "overdue" => "Quá hạn",
        "cannot_do" => "Không thực hiện được",
        _ => "—",
    }
}

/// Export a plan as DOCX, XLSX or PDF: (bytes, MIME type, file extension).
pub async fn export_plan(
    store: &Store,
    scope: &Scope,
    frameworks: &FrameworkSet,
    plan_id: i64,
    format: &str,
) -> Result<(Vec<u8>, &'static str, &'static str), AppError> {
    let plan = store.plan(scope, plan_id).await?;
    let doc = plan_document(store, scope, frameworks, &plan).await?;
    let format = format.to_string();
    tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, &'static str, &'static str), AppError> {
        match format.as_str() {
            "docx" => Ok((
                chiso_docs::write_docx(&doc).map_err(|e| AppError::Internal(e.to_string()))?,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            )),
            "xlsx" => Ok((
                chiso_docs::write_xlsx(&doc).map_err(|e| AppError::Internal(e.to_string()))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )),
            "pdf" => Ok((chiso_docs::write_pdf(&doc).map_err(|e| AppError::BadRequest(e.to_string()))?, "application/pdf", "pdf")),
            other => Err(AppError::BadRequest(format!("định dạng '{other}' không hỗ trợ (docx, xlsx, pdf)"))),
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The compliance checklist of a stored plan.
pub async fn plan_checklist(
    store: &Store,
    scope: &Scope,
    frameworks: &FrameworkSet,
    plan: &Plan,
    tasks: &[Task],
) -> Result<Vec<Check>, AppError> {
    let mut required = Vec::new();
    for fam in plan.families() {
        let family = match fam.as_str() {
            "PAPI" => Family::Papi,
            "PAR_INDEX" => Family::ParIndex,
            "SIPAS" => Family::Sipas,
            "PCI" => Family::Pci,
            _ => continue,
        };
        if let Some(fw) = frameworks.for_family_year(family, plan.year as i32).first() {
            required.push((family, core_plan::required_nodes(fw, plan.year as i32)));
        }
    }
    let facts: Vec<TaskFacts> = tasks
        .iter()
        .map(|t| TaskFacts {
            code: t.row.code.clone(),
            nodes: t.nodes.clone(),
            has_lead: t.row.lead_agency.as_deref().is_some_and(|s| !s.trim().is_empty()),
            has_result: t.row.expected_result.as_deref().is_some_and(|s| !s.trim().is_empty()),
            has_time: t.has_time(),
        })
        .collect();
    let parent_deadline = match plan.parent_plan_id {
        Some(pid) => match store.plan(scope, pid).await {
            Ok(parent) => parent.child_deadline.as_deref().and_then(parse_date),
            // The parent plan may be outside the viewer's scope: the check is then not applicable.
            Err(StoreError::OutOfScope(_)) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    Ok(core_plan::compliance(&required, &facts, plan.issued_on.as_deref().and_then(parse_date), parent_deadline))
}

/// Make a draft child plan of `child_code` from an issued parent plan: the based-on reference filled in, the
/// parent's tasks that concern the child as starting tasks; the parent's deadline applies through the link.
pub async fn create_child_plan(store: &Store, scope: &Scope, parent_id: i64, child_code: &str) -> Result<Plan, AppError> {
    let parent = store.plan(scope, parent_id).await?;
    if parent.status() != PlanStatus::Issued {
        return Err(AppError::BadRequest("chỉ lập kế hoạch cấp dưới từ kế hoạch đã ban hành".into()));
    }
    let parent_unit = store.unit_by_id(scope, parent.unit_id).await?;
    let child = store.unit_by_code(scope, child_code).await?;
    if child.parent_id != Some(parent_unit.id) {
        return Err(AppError::BadRequest(format!("'{}' không phải đơn vị trực thuộc {}", child.name, parent_unit.name)));
    }
    let basis_text = core_plan::basis_sentence(
        &parent.doc_type,
        parent.number.as_deref(),
        parent.issued_on.as_deref().and_then(parse_date),
        &authority_of(&parent_unit),
        &parent.title,
    );
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
        place: Some(child.name.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")),
        issued_on: None,
        title: parent.title.clone(),
        status: PlanStatus::Draft,
        based_on: vec![Basis {
            number: parent.number.clone(),
            date: parent.issued_on.as_deref().and_then(parse_date),
            issuer: Some(authority_of(&parent_unit)),
            text: basis_text,
        }],
        recipients: vec![format!("{} (để báo cáo)", authority_of(&parent_unit)), "Lưu: VT.".into()],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks,
    };
    Ok(store.create_plan(scope, child_code, &draft, Some(parent_id), None).await?)
}

// ---------------------------------------------------------------------------------------------
// Pages

pub struct PlanRowView {
    pub item: PlanListItem,
    pub status_vi: &'static str,
    pub date: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    b: crate::pages::Base,
    rows: Vec<PlanRowView>,
    units: Vec<Unit>,
    q: PlansQuery,
    can_edit: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct PlansQuery {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
}

fn filter_of(q: &PlansQuery) -> PlanFilter {
    PlanFilter {
        unit_code: Some(q.unit.clone()).filter(|s| !s.is_empty()),
        year: q.year.trim().parse().ok(),
        status: Some(q.status.clone()).filter(|s| !s.is_empty()),
        family: Some(q.family.clone()).filter(|s| !s.is_empty()),
        text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    }
}

async fn list(State(state): State<AppState>, me: CurrentUser, Query(q): Query<PlansQuery>) -> Result<Html<String>, PageError> {
    render_list(&state, &me, q, None).await.map(Html)
}

async fn render_list(state: &AppState, me: &CurrentUser, q: PlansQuery, error: Option<String>) -> Result<String, PageError> {
    let mut items = state.store.plans(&me.scope, &filter_of(&q)).await?;
    match q.sort.as_str() {
        "unit" => items.sort_by_key(|i| fold(&i.unit_name)),
        "tasks" => items.sort_by_key(|i| std::cmp::Reverse(i.task_count)),
        "title" => items.sort_by_key(|i| fold(&i.plan.title)),
        _ => {}
    }
    let rows = items
        .into_iter()
        .map(|item| PlanRowView {
            status_vi: item.plan.status().name_vi(),
            date: item.plan.issued_on.as_deref().and_then(parse_date).map(vn_date_short).unwrap_or_else(|| "—".into()),
            item,
        })
        .collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let page = PlansPage { b: me.base("Kế hoạch", "plans"), rows, units, q, can_edit: me.scope.can(Permission::EditPlans), error };
    Ok(page.render()?)
}

/// Plan documents: at most 20 MB (the parser's own limit applies too).
pub const PLAN_UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

async fn import_upload(State(state): State<AppState>, me: CurrentUser, mut multipart: Multipart) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut unit = String::new();
    let mut year = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("biểu mẫu tải lên không hợp lệ: {e}")))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("unit") => unit = field.text().await.unwrap_or_default(),
            Some("year") => year = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("tệp").to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("không đọc được tệp '{name}': {e}")))?;
                if bytes.len() > PLAN_UPLOAD_LIMIT {
                    return Err(AppError::BadRequest(format!("tệp '{name}' quá lớn (tối đa 20 MB)")).into());
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    me.check_csrf(&csrf)?;
    let Some((name, bytes)) = file else { return Err(AppError::BadRequest("chưa chọn tệp kế hoạch".into()).into()) };
    match import_document(&state.store, &me.scope, &unit, &bytes, &name, year.trim().parse().ok()).await {
        Ok(plan) => Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::Store(StoreError::Invalid(_)))) => {
            let html = render_list(&state, &me, PlansQuery::default(), Some(format!("Không nhập được '{name}': {e}"))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub struct DimensionGroup {
    pub code: String,
    pub label: String,
    pub tasks: Vec<Task>,
    pub percent: usize,
}

pub struct ChildRow {
    pub unit: Unit,
    pub plan: Option<Plan>,
    pub state: &'static str,
    pub detail: String,
    pub css: &'static str,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    b: crate::pages::Base,
    plan: Plan,
    unit: Unit,
    status_vi: &'static str,
    date_text: String,
    basis: Vec<chiso_store::plans::BasisRow>,
    groups: Vec<DimensionGroup>,
    task_total: usize,
    checks: Vec<Check>,
    children: Vec<ChildRow>,
    child_units: Vec<Unit>,
    parent: Option<Plan>,
    parent_deadline: String,
    child_deadline: String,
    can_edit: bool,
    libreoffice: bool,
}

impl PlanPage {
    fn rec(&self, r: &str) -> &'static str {
        Recurrence::parse(r).map(|r| r.name_vi()).unwrap_or("—")
    }
}

pub fn group_by_dimension(frameworks: &FrameworkSet, tasks: Vec<Task>) -> Vec<DimensionGroup> {
    let mut groups: BTreeMap<String, Vec<Task>> = BTreeMap::new();
    for t in tasks {
        let key = t.nodes.first().map(|n| dimension_code(n)).unwrap_or_else(|| "~".into());
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

async fn detail(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    let plan = state.store.plan(&me.scope, id).await?;
    let unit = state.store.unit_by_id(&me.scope, plan.unit_id).await?;
    let tasks = state.store.tasks(&me.scope, id).await?;
    let checks = plan_checklist(&state.store, &me.scope, &state.frameworks, &plan, &tasks).await?;
    let basis = state.store.plan_basis(&me.scope, id).await?;
    let parent = match plan.parent_plan_id {
        Some(pid) => state.store.plan(&me.scope, pid).await.ok(),
        None => None,
    };
    let task_total = tasks.len();
    let groups = group_by_dimension(&state.frameworks, tasks);
    let child_units = state.store.child_units_in_year(&me.scope, &unit, plan.year).await?;
    let mut children = Vec::new();
    if plan.status() == PlanStatus::Issued {
        let child_plans = state.store.child_plans(&me.scope, id).await?;
        let deadline = plan.child_deadline.as_deref().and_then(parse_date);
        for u in &child_units {
            let cp = child_plans.iter().find(|c| c.plan.unit_id == u.id).map(|c| c.plan.clone());
            let (st, detail, css) = match &cp {
                None => ("Chưa có kế hoạch", deadline.map(|d| format!("hạn {}", vn_date_short(d))).unwrap_or_default(), "bad"),
                Some(p) if p.status() == PlanStatus::Draft => ("Đang dự thảo", String::new(), "warn"),
                Some(p) => {
                    let issued = p.issued_on.as_deref().and_then(parse_date);
                    let late = matches!((issued, deadline), (Some(i), Some(d)) if i > d);
                    let ctasks = state.store.tasks(&me.scope, p.id).await?;
                    let cchecks = plan_checklist(&state.store, &me.scope, &state.frameworks, p, &ctasks).await?;
                    let failing: Vec<&str> =
                        cchecks.iter().filter(|c| c.ok == Some(false) && c.code != "issued_on_time").map(|c| c.label).collect();
                    if late {
                        ("Ban hành muộn", issued.map(vn_date_short).unwrap_or_default(), "warn")
                    } else if !failing.is_empty() {
                        ("Chưa đầy đủ", failing.join("; "), "warn")
                    } else {
                        ("Đã ban hành đầy đủ", issued.map(vn_date_short).unwrap_or_default(), "ok")
                    }
                }
            };
            children.push(ChildRow { unit: u.clone(), plan: cp, state: st, detail, css });
        }
    }
    let parent_deadline =
        parent.as_ref().and_then(|p| p.child_deadline.as_deref()).and_then(parse_date).map(vn_date_short).unwrap_or_default();
    let page = PlanPage {
        b: me.base(&plan.title, "plans"),
        status_vi: plan.status().name_vi(),
        date_text: plan
            .issued_on
            .as_deref()
            .and_then(parse_date)
            .map(chiso_core::text::vn_date_long)
            .unwrap_or_else(|| format!("ngày … tháng … năm {}", plan.year)),
        child_deadline: plan.child_deadline.as_deref().and_then(parse_date).map(vn_date_short).unwrap_or_default(),
        basis,
        groups,
        task_total,
        checks,
        children,
        child_units,
        parent,
        parent_deadline,
        can_edit: me.scope.can(Permission::EditPlans),
        libreoffice: chiso_docs::find_libreoffice().is_some(),
        unit,
        plan,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct IssueForm {
    csrf: String,
    number: String,
    issued_on: String,
    version: i64,
}

async fn issue(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<IssueForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.store.issue_plan(&me.scope, id, &f.number, &f.issued_on, f.version).await?;
    Ok(Redirect::to(&format!("/plans/{id}")).into_response())
}

#[derive(Deserialize)]
struct ChildForm {
    csrf: String,
    unit: String,
}

async fn create_child(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ChildForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let plan = create_child_plan(&state.store, &me.scope, id, &f.unit).await?;
    Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response())
}

async fn export(State(state): State<AppState>, me: CurrentUser, Path((id, format)): Path<(i64, String)>) -> Result<Response, PageError> {
    let (bytes, mime, ext) = export_plan(&state.store, &me.scope, &state.frameworks, id, &format).await?;
    let disposition = format!("attachment; filename=\"ke-hoach-{id}.{ext}\"");
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

#[derive(Template)]
#[template(path = "task_edit.html")]
struct TaskEditPage {
    b: crate::pages::Base,
    task: Task,
    plan: Plan,
    nodes: String,
    coordinating: String,
    error: Option<String>,
}

async fn task_edit_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    let task = state.store.task(&me.scope, id).await?;
    let plan = state.store.plan(&me.scope, task.row.plan_id).await?;
    let page = TaskEditPage {
        b: me.base(&format!("Nhiệm vụ {}", task.row.code), "plans"),
        nodes: task.nodes.join(", "),
        coordinating: task.coordinating_agencies.join("; "),
        task,
        plan,
        error: None,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct TaskForm {
    csrf: String,
    version: i64,
    text: String,
    lead_agency: String,
    coordinating: String,
    expected_result: String,
    due_date: String,
    due_text: String,
    recurrence: String,
    task_group: String,
    nodes: String,
}

async fn task_edit_submit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let opt = |s: &str| Some(Some(s.trim().to_string()).filter(|s| !s.is_empty()));
    let patch = TaskPatch {
        text: Some(f.text.clone()),
        lead_agency: opt(&f.lead_agency),
        coordinating_agencies: Some(f.coordinating.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()),
        expected_result: opt(&f.expected_result),
        due_date: opt(&f.due_date),
        due_text: opt(&f.due_text),
        recurrence: opt(&f.recurrence),
        task_group: opt(&f.task_group),
        nodes: Some(f.nodes.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(normalize_node).collect()),
    };
    match state.store.update_task(&me.scope, id, patch, f.version).await {
        Ok(t) => Ok(Redirect::to(&format!("/plans/{}#task-{}", t.row.plan_id, t.row.id)).into_response()),
        Err(StoreError::Conflict(msg)) | Err(StoreError::Invalid(msg)) => {
            // Show the other person's version with the message; the user's text stays in the message.
            let task = state.store.task(&me.scope, id).await?;
            let plan = state.store.plan(&me.scope, task.row.plan_id).await?;
            let page = TaskEditPage {
                b: me.base(&format!("Nhiệm vụ {}", task.row.code), "plans"),
                nodes: task.nodes.join(", "),
                coordinating: task.coordinating_agencies.join("; "),
                task,
                plan,
                error: Some(format!("{msg}. Nội dung bạn vừa nhập: «{}»", f.text.chars().take(300).collect::<String>())),
            };
            Ok((axum::http::StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct LibraryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    node: String,
}

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage {
    b: crate::pages::Base,
    q: String,
    node: String,
    hits: Vec<chiso_store::plans::LibraryHit>,
    dimensions: Vec<(String, String)>,
}

async fn library(State(state): State<AppState>, me: CurrentUser, Query(q): Query<LibraryQuery>) -> Result<Html<String>, PageError> {
    let node = normalize_node(q.node.trim());
    let hits = if q.q.trim().is_empty() && node.is_empty() {
        Vec::new()
    } else {
        state.store.search_tasks(&me.scope, &q.q, Some(&node), 200).await?
    };
    let mut dimensions = Vec::new();
    for fw in state.frameworks.frameworks() {
        for d in &fw.root().children {
            dimensions.push((d.code.clone(), format!("{} – {}", fw.code.to_uppercase(), d.name_vi)));
            for s in &d.children {
                dimensions.push((s.code.clone(), format!("   {} {}", s.code, s.name_vi)));
            }
        }
    }
    let page = LibraryPage { b: me.base("Thư viện nhiệm vụ", "library"), q: q.q, node, hits, dimensions };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// API

async fn api_list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<PlansQuery>,
) -> Result<Json<Vec<PlanListItem>>, ApiError> {
    Ok(Json(state.store.plans(&me.scope, &filter_of(&q)).await?))
}

#[derive(Serialize)]
struct PlanDetail {
    plan: Plan,
    unit_code: String,
    based_on: Vec<chiso_store::plans::BasisRow>,
    tasks: Vec<Task>,
    compliance: Vec<Check>,
}

async fn api_detail(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Json<PlanDetail>, ApiError> {
    let plan = state.store.plan(&me.scope, id).await?;
    let unit = state.store.unit_by_id(&me.scope, plan.unit_id).await?;
    let tasks = state.store.tasks(&me.scope, id).await?;
    let compliance = plan_checklist(&state.store, &me.scope, &state.frameworks, &plan, &tasks).await?;
    let based_on = state.store.plan_basis(&me.scope, id).await?;
    Ok(Json(PlanDetail { plan, unit_code: unit.code, based_on, tasks, compliance }))
}

async fn api_search(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<LibraryQuery>,
) -> Result<Json<Vec<chiso_store::plans::LibraryHit>>, ApiError> {
    let node = normalize_node(q.node.trim());
    Ok(Json(state.store.search_tasks(&me.scope, &q.q, Some(&node), 200).await?))
}

// ---------------------------------------------------------------------------------------------
// Drafting next year's plan from the weak points

fn roman(n: usize) -> String {
    const R: [(usize, &str); 9] = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut n = n;
    let mut s = String::new();
    for (v, r) in R {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// "Draft next year's plan": one section per dimension, weakest first, filled with tasks from the task
/// library that serve each weak leaf (or a placeholder task naming the leaf when the library has none),
/// each marked with its task group; lead agencies and dates are left to fill. Stored as a draft.
pub async fn draft_next_plan(
    store: &Store,
    scope: &Scope,
    frameworks: &FrameworkSet,
    fw_code: &str,
    unit_code: &str,
    year: i32,
) -> Result<Plan, AppError> {
    let fw = frameworks.get(fw_code).ok_or_else(|| AppError::NotFound(format!("bộ chỉ số '{fw_code}'")))?;
    let report = store.next_plan_outline(scope, fw, unit_code, year).await?;
    let mut tasks = Vec::new();
    let mut sections = Vec::new();
    for (i, sec) in report.plan.sections.iter().enumerate() {
        let code = roman(i + 1);
        let mut k = 0;
        for item in &sec.items {
            let mut seen = std::collections::HashSet::new();
            let hits = store.search_tasks(scope, "", Some(&item.code), 20).await?;
            let mut picked: Vec<String> = hits.into_iter().map(|h| h.task.row.text).filter(|t| seen.insert(fold(t))).take(2).collect();
            if picked.is_empty() {
                picked.push(format!("Xây dựng giải pháp nâng cao điểm nội dung thành phần \"{}\" ({})", item.name_vi, item.code));
            }
            for text in picked {
                k += 1;
                tasks.push(TaskDraft {
                    code: format!("{code}.{k}"),
                    text,
                    nodes: vec![item.code.clone()],
                    section_code: Some(code.clone()),
                    task_group: Some(item.group),
                    ..Default::default()
                });
            }
        }
        sections.push(serde_json::json!({"code": code, "title": sec.name_vi}));
    }
    let family = match fw.family {
        Family::Papi => "PAPI",
        Family::ParIndex => "PAR_INDEX",
        Family::Sipas => "SIPAS",
        Family::Pci => "PCI",
    };
    let draft = PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: report.plan.plan_year,
        year_to: None,
        families: vec![family.into()],
        number: None,
        place: None,
        issued_on: None,
        title: format!("Nâng cao {} năm {}", fw.name_vi, report.plan.plan_year),
        status: PlanStatus::Draft,
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({"drafted_from": {"framework": fw_code, "results_year": year, "basis": report.basis}, "outline": sections}),
        tasks,
    };
    Ok(store.create_plan(scope, unit_code, &draft, None, None).await?)
}

#[derive(Deserialize)]
struct CsrfOnlyForm {
    csrf: String,
}

async fn draft_plan_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((fw, year, code)): Path<(String, i32, String)>,
    Form(f): Form<CsrfOnlyForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let plan = draft_next_plan(&state.store, &me.scope, &state.frameworks, &fw, &code, year).await?;
    Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response())
}

async fn draft_plan_api(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: axum::http::HeaderMap,
    Path((fw, year, code)): Path<(String, i32, String)>,
) -> Result<(axum::http::StatusCode, Json<Plan>), ApiError> {
    me.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or(""))?;
    let plan = draft_next_plan(&state.store, &me.scope, &state.frameworks, &fw, &code, year).await?;
    Ok((axum::http::StatusCode::CREATED, Json(plan)))
}
