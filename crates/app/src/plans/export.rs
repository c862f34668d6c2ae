//! A stored plan as a printable document, and its exports as DOCX, XLSX (the appendix table) or PDF.

use crate::{App, ErrorKind, Failure};
use chiso_core::access::Scope;
use chiso_core::plan::{Recurrence, dimension_label, place_of};
use chiso_core::progress::TaskStatus;
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

/// How the appendix names a task's status.
fn task_status_vi(s: &str) -> &'static str {
    match TaskStatus::parse(s) {
        Some(TaskStatus::NotStarted) => "Chưa thực hiện",
        Some(TaskStatus::InProgress) => "Đang thực hiện",
        Some(TaskStatus::Done) => "Hoàn thành",
        Some(TaskStatus::DoneLate) => "Hoàn thành muộn",
        Some(TaskStatus::Overdue) => "Quá hạn",
        Some(TaskStatus::CannotDo) => "Không thực hiện được",
        None => "—",
    }
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

/// A stored plan as a printable document: the parsed structure when there is one, with the stored fields
/// and the current tasks (as the appendix table) on top. What the plan does not say is given the usual
/// wording of a people's committee plan (issuer, symbol, signer's title), never invented content.
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
            dimension: t.nodes.first().map(|n| dimension_label(&app.frameworks, n)),
            lead_agency: t.row.lead_agency.clone(),
            coordinating_agencies: t.coordinating_agencies.clone(),
            time: time_text(t),
            product: t.row.expected_result.clone(),
            status: Some(task_status_vi(&t.row.status).to_string()),
            group: None,
            group_title: None,
        })
        .collect();
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
        assert_eq!(task_status_vi("done_late"), "Hoàn thành muộn");
        assert_eq!(task_status_vi("?"), "—");
    }
}
