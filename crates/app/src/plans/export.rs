//! A stored plan as a printable document, and its exports as DOCX, XLSX (the appendix table) or PDF.

use crate::{App, ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::plan::{Recurrence, dimension_label, parse_task_group, place_of, task_group_vi};
use chiso_core::text::vn_date_short;
use chiso_core::unit::parse_date;
use chiso_docs::{AppendixRow, ParsedPlan, PlanDocument};
use chiso_store::StoreError;
use chiso_store::plans::{Plan, Task};

/// The formats a plan is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Docx,
    Xlsx,
    Pdf,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Result<ExportFormat, ExportError> {
        match s {
            "docx" => Ok(ExportFormat::Docx),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "pdf" => Ok(ExportFormat::Pdf),
            other => Err(ExportError::UnknownFormat(other.to_string())),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Docx => "docx",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Pdf => "pdf",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat::Pdf => "application/pdf",
        }
    }
}

/// Why a plan was not exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("định dạng '{0}' không hỗ trợ (docx, xlsx, pdf)")]
    UnknownFormat(String),
    /// The PDF converter is missing or failed on this document.
    #[error("{0}")]
    Pdf(chiso_docs::DocError),
    /// Writing DOCX or XLSX failed: a bug, not the person's doing.
    #[error("lỗi hệ thống: {0}")]
    Write(chiso_docs::DocError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl Failure for ExportError {
    fn kind(&self) -> ErrorKind {
        match self {
            // The PDF export has always answered 400 when LibreOffice is missing or fails; kept so.
            ExportError::UnknownFormat(_) | ExportError::Pdf(_) => ErrorKind::Invalid,
            ExportError::Store(e) => e.kind(),
            ExportError::Write(_) | ExportError::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// An exported plan.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub format: ExportFormat,
}

/// The "time" column of a task: its due date, else its time as written, else its recurrence.
fn time_text(t: &Task) -> Option<String> {
    t.row.due_date.as_deref().and_then(parse_date).map(vn_date_short).or(t.row.due_text.clone()).or(t
        .row
        .recurrence
        .as_deref()
        .and_then(Recurrence::parse)
        .map(|r| r.name_vi().to_string()))
}

/// "TỔ CHỨC THỰC HIỆN" → "Tổ chức thực hiện"; text with lower-case letters is kept as written.
fn sentence_case(s: &str) -> String {
    if s.chars().any(char::is_lowercase) {
        return s.to_string();
    }
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The group row a task is printed under in the appendix: its task group (PAR INDEX plans), else the
/// group heading the document puts it under, else — for an implementation duty — the title of the
/// document's implementation section, else the dimension of its first framework node. `None` when
/// none is known.
fn appendix_group(app: &App, t: &Task, parsed: Option<&ParsedPlan>) -> Option<String> {
    if let Some(g) = t.row.task_group.as_deref().and_then(parse_task_group) {
        return Some(task_group_vi(g).to_string());
    }
    let from_doc = parsed.and_then(|p| p.tasks.iter().find(|pt| pt.code == t.row.code));
    if let Some(g) = from_doc.and_then(|pt| pt.group.clone()).filter(|g| !g.trim().is_empty()) {
        return Some(g);
    }
    if t.row.source.as_deref() == Some("implementation")
        && let Some(p) = parsed
    {
        let roman = t.row.section_code.as_deref().and_then(|c| c.split('.').next()).unwrap_or_default();
        if let Some(sec) = p.sections.iter().find(|s| s.code == roman && !s.title.trim().is_empty()) {
            return Some(sentence_case(sec.title.trim()));
        }
    }
    t.nodes.first().map(|n| dimension_label(&app.frameworks, n))
}

/// The lead column: the stored lead; while it is still the document's proposal, with the further leads
/// the document names beside it ("Các cơ quan, đơn vị; UBND các xã, thị trấn").
fn appendix_lead(t: &Task, parsed: Option<&ParsedPlan>) -> Option<String> {
    let lead = t.row.lead_agency.clone().filter(|l| !l.trim().is_empty())?;
    let co_leads = parsed
        .filter(|_| t.row.lead_proposed)
        .and_then(|p| p.tasks.iter().find(|pt| pt.code == t.row.code))
        .map(|pt| pt.lead.iter().skip(1).cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    if co_leads.is_empty() { Some(lead) } else { Some(format!("{lead}; {}", co_leads.join("; "))) }
}

/// A stored plan as a printable document: the parsed structure when there is one, with the stored fields
/// and the current tasks (as the appendix table) on top. What the plan does not say is given the usual
/// wording of a people's committee plan (issuer, symbol, signer's title), never invented content: the
/// appendix columns hold what the tasks hold (lead, coordinators, time, product) and stay empty otherwise.
pub async fn plan_document(app: &App, scope: &Scope, plan: &Plan) -> Result<PlanDocument, StoreError> {
    let store = &app.store;
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
    doc.place = plan.place.clone().unwrap_or_else(|| place_of(&unit.name));
    doc.date = plan.issued_on.as_deref().and_then(parse_date);
    doc.year = Some(plan.year as i32);
    // An incomplete date keeps the month the document gives ("ngày … tháng 6 năm 2021").
    doc.month = if doc.date.is_none() { parsed.as_ref().and_then(|p| p.month) } else { None };
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
    let mut rows: Vec<AppendixRow> = tasks
        .iter()
        .map(|t| AppendixRow {
            code: t.row.code.clone(),
            text: t.row.text.lines().next().unwrap_or_default().to_string(),
            dimension: None,
            lead_agency: appendix_lead(t, parsed.as_ref()),
            coordinating_agencies: t.coordinating_agencies.clone(),
            time: time_text(t),
            product: t.row.expected_result.clone().filter(|p| !p.trim().is_empty()),
            // The plan as issued: no progress column.
            status: None,
            group: None,
            group_title: appendix_group(app, t, parsed.as_ref()),
        })
        .collect();
    // Tasks under no group come last, under a group row of their own when others have one.
    if rows.iter().any(|r| r.group_title.is_some()) {
        rows.sort_by_key(|r| r.group_title.is_none());
        for r in rows.iter_mut().filter(|r| r.group_title.is_none()) {
            r.group_title = Some("Nhiệm vụ khác".into());
        }
    }
    doc.appendix = rows;
    Ok(doc)
}

/// Export a plan as DOCX, XLSX or PDF. The writers run off the async threads (PDF goes through LibreOffice).
pub async fn export_plan(app: &App, scope: &Scope, plan_id: i64, format: ExportFormat) -> Result<Exported, ExportError> {
    let plan = app.store.plan(scope, plan_id).await?;
    let doc = plan_document(app, scope, &plan).await?;
    let bytes = tokio::task::spawn_blocking(move || match format {
        ExportFormat::Docx => chiso_docs::write_docx(&doc).map_err(ExportError::Write),
        ExportFormat::Xlsx => chiso_docs::write_xlsx(&doc).map_err(ExportError::Write),
        ExportFormat::Pdf => chiso_docs::write_pdf(&doc).map_err(ExportError::Pdf),
    })
    .await
    .map_err(|e| ExportError::Internal(e.to_string()))??;
    Ok(Exported { bytes, format })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        for f in [ExportFormat::Docx, ExportFormat::Xlsx, ExportFormat::Pdf] {
            assert_eq!(ExportFormat::parse(f.extension()).ok(), Some(f));
        }
        let e = ExportFormat::parse("odt").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("định dạng 'odt' không hỗ trợ (docx, xlsx, pdf)"));
        assert_eq!(sentence_case("TỔ CHỨC THỰC HIỆN"), "Tổ chức thực hiện");
        assert_eq!(sentence_case("Nội dung “Quản trị môi trường”"), "Nội dung “Quản trị môi trường”");
    }
}
