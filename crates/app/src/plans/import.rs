//! Import a plan document: parse it (off the async threads), turn what was read into a plan draft, store
//! the draft — all of it or nothing.

use crate::{App, ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::plan::{Basis, PlanDraft, PlanStatus, Recurrence, Signer, TaskDraft, normalize_node};
use chiso_core::text::fold;
use chiso_docs::ParsedPlan;
use chiso_store::StoreError;
use chiso_store::plans::Plan;

/// Why a document was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The reader failed on this file (it panicked; its own limits did not catch the input).
    #[error("không đọc được tệp '{0}' (lỗi bộ đọc)")]
    Unreadable(String),
    /// The file is not a plan the reader understands (empty, not text, a broken archive …).
    #[error("{0}")]
    Parse(#[from] chiso_docs::DocError),
    /// The document was read but does not make a plan (e.g. it shows no year and none was given).
    #[error("{file}: {message}")]
    Draft { file: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl ImportError {
    /// The document itself was refused (as opposed to the caller's rights or the system): the person
    /// should pick another file or fix this one.
    pub fn is_document_rejected(&self) -> bool {
        matches!(
            self,
            ImportError::Unreadable(_) | ImportError::Parse(_) | ImportError::Draft { .. } | ImportError::Store(StoreError::Invalid(_))
        )
    }
}

impl Failure for ImportError {
    fn kind(&self) -> ErrorKind {
        match self {
            ImportError::Unreadable(_) | ImportError::Parse(_) | ImportError::Draft { .. } => ErrorKind::Invalid,
            ImportError::Store(e) => e.kind(),
            ImportError::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// The deadline a plan sets for its children's plans: a deadline whose text speaks of issuing or building a plan.
fn child_deadline(parsed: &ParsedPlan) -> Option<time::Date> {
    parsed.deadlines.iter().find_map(|d| {
        let f = fold(&d.text);
        (f.contains("ke hoach") && (f.contains("ban hanh") || f.contains("xay dung"))).then_some(d.date).flatten()
    })
}

/// The recurrence as the parser names it.
fn parsed_recurrence(s: &str) -> Option<Recurrence> {
    match s {
        "thuong_xuyen" => Some(Recurrence::Continuous),
        "quarterly" => Some(Recurrence::Quarterly),
        "half_yearly" => Some(Recurrence::HalfYearly),
        "yearly" => Some(Recurrence::Yearly),
        _ => None,
    }
}

/// A task as read: its owners are proposals (with the sentence they come from) until a person confirms them;
/// further leads the text names are kept in a note, not dropped.
fn task_draft(t: &chiso_docs::Task) -> TaskDraft {
    let mut notes = t.notes.clone();
    if t.lead.len() > 1 {
        notes.push(format!("Văn bản giao cùng chủ trì: {}.", t.lead[1..].join("; ")));
    }
    TaskDraft {
        code: t.code.clone(),
        text: if t.details.is_empty() { t.text.clone() } else { format!("{}\n{}", t.text, t.details.join("\n")) },
        nodes: t.nodes.iter().map(|n| normalize_node(n)).collect(),
        section_code: t.section_code.clone(),
        lead_agency: t.lead_agency(),
        coordinating_agencies: t.coordinating_agencies.clone(),
        expected_result: t.product.clone(),
        due_date: t.due_date,
        due_text: t.due_text.clone(),
        recurrence: t.due_text.as_deref().and_then(Recurrence::from_text).or(t.recurrence.as_deref().and_then(parsed_recurrence)),
        task_group: None,
        lead_proposed: !t.lead.is_empty() || !t.coordinating_agencies.is_empty(),
        lead_evidence: t.evidence.clone(),
        lead_confidence: t.confidence,
        source: Some(t.source.clone()).filter(|s| !s.is_empty()),
        notes,
        parent_task_id: None,
    }
}

/// Resolve the owners a document names to the unit's agencies (`agencies`: their names as stored): an exact
/// match takes the agency's own name (so the store links the agency); a name that matches no agency, or only
/// resembles some, is kept as written with a note that asks — never silently another body. Groups ("UBND các
/// xã, thị trấn") stay as written.
pub fn resolve_owners(draft: &mut PlanDraft, agencies: &[String]) {
    for t in &mut draft.tasks {
        if let Some(lead) = t.lead_agency.clone() {
            let (name, note) = resolve_one(&lead, agencies, "Cơ quan chủ trì");
            t.lead_agency = Some(name);
            t.notes.extend(note);
        }
        let mut coordinators = Vec::new();
        for c in std::mem::take(&mut t.coordinating_agencies) {
            let (name, note) = resolve_one(&c, agencies, "Cơ quan phối hợp");
            coordinators.push(name);
            t.notes.extend(note);
        }
        t.coordinating_agencies = coordinators;
    }
}

fn resolve_one(name: &str, agencies: &[String], role: &str) -> (String, Option<String>) {
    use chiso_core::agency::{AgencyMatch, is_group, resolve};
    if is_group(name) {
        return (name.to_string(), None);
    }
    match resolve(name, agencies) {
        AgencyMatch::Exact(i) => (agencies[i].clone(), None),
        AgencyMatch::Close(c) => (
            name.to_string(),
            Some(format!(
                "{role} \"{name}\" chưa khớp cơ quan nào của đơn vị; gần giống: {}. Hãy chọn hoặc tạo cơ quan.",
                c.iter().map(|&i| agencies[i].as_str()).collect::<Vec<_>>().join("; ")
            )),
        ),
        AgencyMatch::None => (
            name.to_string(),
            Some(format!("{role} \"{name}\" không có trong danh sách cơ quan của đơn vị. Hãy tạo cơ quan hoặc chọn cơ quan khác.")),
        ),
    }
}

/// A parsed document as a plan draft. `fallback_year` is used when the document shows no year. A document
/// with a number and a date was issued; anything else is a draft. Nothing the document does not say is
/// filled in, except the family (PAPI when the document names none) and a placeholder title.
pub fn draft_from_parsed(parsed: &ParsedPlan, fallback_year: Option<i32>) -> Result<PlanDraft, String> {
    let year =
        parsed.year.or(parsed.date.map(|d| d.year())).or(fallback_year).ok_or("văn bản không ghi năm; hãy chỉ định năm của kế hoạch")?;
    let status = if parsed.number.is_some() && parsed.date.is_some() { PlanStatus::Issued } else { PlanStatus::Draft };
    let tasks = parsed.tasks.iter().map(task_draft).collect();
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
        signer: parsed.signer.as_ref().map(|s| Signer {
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

/// Parse a document and store it as a plan of `unit_code`: all of it or nothing. A plan that cites its parent
/// plan is linked to it when exactly one stored plan of a superior unit within the scope is cited
/// (`chiso_core::plan::resolve_parent`); otherwise the plan keeps a note that asks a person.
pub async fn import_document(
    app: &App,
    scope: &Scope,
    unit_code: &str,
    bytes: &[u8],
    file_name: &str,
    fallback_year: Option<i32>,
) -> Result<Plan, ImportError> {
    let name = file_name.to_string();
    let data = bytes.to_vec();
    // Parsers run off the async threads, with a panic guard on top of their own limits.
    let parsed = tokio::task::spawn_blocking(move || std::panic::catch_unwind(|| chiso_docs::parse_plan(&data, &name)))
        .await
        .map_err(|e| ImportError::Internal(e.to_string()))?
        .map_err(|_| ImportError::Unreadable(file_name.to_string()))??;
    let mut draft =
        draft_from_parsed(&parsed, fallback_year).map_err(|message| ImportError::Draft { file: file_name.to_string(), message })?;
    let unit = app.store.unit_by_code(scope, unit_code).await?;
    let agencies: Vec<String> = app.store.agencies(scope, unit.id).await?.into_iter().map(|a| a.name).collect();
    resolve_owners(&mut draft, &agencies);
    let (parent_id, parent_note) = super::links::parent_of_import(app, scope, unit.id, &draft.based_on).await?;
    let plan = super::create_plan(app, scope, unit_code, &draft, parent_id, parent_note.as_deref(), Some(file_name)).await?;
    app.reports().record_deadlines(&plan).await?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_003: &[u8] = include_bytes!("../../../../datasets/plans/003_187a403246ebc703.txt");

    #[test]
    fn a_seed_plan_becomes_an_issued_draft_with_framework_codes() {
        let parsed = chiso_docs::parse_plan(SEED_003, "003.txt").expect("parse");
        let draft = draft_from_parsed(&parsed, None).expect("draft");
        assert_eq!(draft.status, PlanStatus::Issued, "number and date make it issued");
        assert_eq!(draft.number.as_deref(), Some("426/KH-UBND"));
        assert_eq!(draft.year, 2022);
        assert!(!draft.tasks.is_empty());
        // The parser writes "papi.d2.2"; stored codes are the framework's.
        assert!(draft.tasks.iter().flat_map(|t| &t.nodes).any(|n| n.contains(".s")), "sub-dimension codes normalised");
        assert!(
            draft.tasks.iter().flat_map(|t| &t.nodes).all(|n| n.split('.').nth(2).is_none_or(|s| s.starts_with('s'))),
            "no parser-style code is left"
        );
        assert_eq!(draft.child_deadline.map(|d| d.to_string()), Some("2022-02-20".into()), "the deadline for the communes' plans");
        draft.validate().expect("a valid draft");
    }

    #[test]
    fn a_document_without_year_needs_one_given() {
        let text = "KẾ HOẠCH\nThực hiện nhiệm vụ\nI. MỤC ĐÍCH\n1. Tuyên truyền";
        let parsed = chiso_docs::parse_plan(text.as_bytes(), "x.txt").expect("parse");
        if parsed.year.is_none() && parsed.date.is_none() {
            assert!(draft_from_parsed(&parsed, None).is_err());
        }
        let draft = draft_from_parsed(&parsed, Some(2024)).expect("draft");
        assert_eq!(draft.year, parsed.year.unwrap_or(2024));
        assert_eq!(draft.status, PlanStatus::Draft, "no number: a draft");
        assert_eq!(draft.families, vec!["PAPI".to_string()]);
    }

    #[test]
    fn recurrences_named_by_the_parser() {
        assert_eq!(parsed_recurrence("thuong_xuyen"), Some(Recurrence::Continuous));
        assert_eq!(parsed_recurrence("quarterly"), Some(Recurrence::Quarterly));
        assert_eq!(parsed_recurrence("half_yearly"), Some(Recurrence::HalfYearly));
        assert_eq!(parsed_recurrence("yearly"), Some(Recurrence::Yearly));
        assert_eq!(parsed_recurrence("monthly"), None);
    }
}
