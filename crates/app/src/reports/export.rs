//! The report of a unit for a period as an official document ("BÁO CÁO Kết quả thực hiện Kế hoạch … 6 tháng
//! đầu năm 2022"), in DOCX or XLSX.

use super::Reports;
use super::status::{status_node, subtree};
use super::views::dimension_rows;
use crate::{ServiceError, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_core::period::{DateWindow, Period};
use chiso_core::progress::{ReportStatus, Submission, TaskCounts, report_status};
use chiso_docs::{AppendixRow, PlanDocument, Section};
use chiso_store::Store;
use chiso_store::plans::PlanFilter;
use chiso_store::progress::TaskProgress;
use chiso_store::units::Unit;
use time::Date;

/// An exported file.
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    /// "bao-cao-123-2022-H1.docx".
    pub file_name: String,
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{}%", chiso_core::text::vn_number(v * 100.0, 0))).unwrap_or_else(|| "—".into())
}

impl Reports<'_> {
    /// The report of a unit for a period as a document: task results by dimension, who reported, the
    /// narrative of the unit's own report, and the task table as the appendix.
    pub async fn document(&self, scope: &Scope, unit_code: &str, period: &str) -> ServiceResult<(Unit, Period, PlanDocument)> {
        let store = &self.app.store;
        let (unit, period) = self.unit_and_period(scope, unit_code, period).await?;
        let schedule = self.schedule_for(&unit, period.year()).await?;
        let sp = self.scheduled(&schedule, period)?;
        let today = self.app.today();
        let tasks = store.task_progress(scope, &unit, i64::from(period.year()), None, today.min(sp.window.to)).await?;
        let counts = Store::counts_of(&tasks);
        let sub = subtree(store, scope, &unit, period, &sp, today).await?;
        let root = status_node(&sub, &unit, &sp, 1);
        let status = report_status(period, Some(sp.window), &root, today);
        let report = store.report_of(scope, &unit, None, &period.code()).await?;
        let filter = PlanFilter {
            unit_code: Some(unit.code.clone()),
            year: Some(i64::from(period.year())),
            status: Some(chiso_core::plan::PlanStatus::Issued),
            ..Default::default()
        };
        let plans = store.plans(scope, &filter).await?;
        let plan_ref = plans
            .first()
            .map(|p| {
                format!("Kế hoạch {}{}", p.plan.number.as_deref().map(|n| format!("số {n} ")).unwrap_or_default(), p.plan.title.trim())
            })
            .unwrap_or_else(|| "Kế hoạch nâng cao chỉ số".into());
        let doc = report_document(
            &self.app.frameworks,
            &unit,
            period,
            &sp.window,
            &plan_ref,
            &counts,
            &tasks,
            &status,
            report.as_ref().map(|r| r.narrative.as_str()).unwrap_or(""),
            today,
        );
        Ok((unit, period, doc))
    }

    /// [`Reports::document`] written as `format` ("docx" or "xlsx").
    pub async fn export(&self, scope: &Scope, unit_code: &str, period: &str, format: &str) -> ServiceResult<ExportFile> {
        let (unit, period, doc) = self.document(scope, unit_code, period).await?;
        let format = format.to_string();
        let (bytes, mime, ext) = tokio::task::spawn_blocking(move || -> ServiceResult<(Vec<u8>, &'static str, &'static str)> {
            match format.as_str() {
                "docx" => Ok((
                    chiso_docs::write_docx(&doc).map_err(|e| ServiceError::Internal(e.to_string()))?,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "docx",
                )),
                "xlsx" => Ok((
                    chiso_docs::write_xlsx(&doc).map_err(|e| ServiceError::Internal(e.to_string()))?,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                )),
                other => Err(ServiceError::Invalid(format!("định dạng '{other}' không hỗ trợ (docx, xlsx)"))),
            }
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
        Ok(ExportFile { bytes, mime, file_name: format!("bao-cao-{}-{}.{ext}", unit.code, period.code()) })
    }
}

/// The report as an official document: "BÁO CÁO Kết quả thực hiện Kế hoạch … 6 tháng đầu năm 2022", dated
/// `date`.
#[allow(clippy::too_many_arguments)]
fn report_document(
    frameworks: &FrameworkSet,
    unit: &Unit,
    period: Period,
    window: &DateWindow,
    plan_ref: &str,
    counts: &TaskCounts,
    tasks: &[TaskProgress],
    status: &ReportStatus,
    narrative: &str,
    date: Date,
) -> PlanDocument {
    let para = |code: String, title: String| Section { code, title, ..Default::default() };
    let mut results = Vec::new();
    for (i, d) in dimension_rows(frameworks, counts).iter().enumerate() {
        results.push(para(
            format!("I.{}", i + 1),
            format!(
                "{}: {} nhiệm vụ — {} hoàn thành, {} đang thực hiện, {} quá hạn, {} chưa thực hiện.",
                d.label, d.total, d.done, d.in_progress, d.overdue, d.not_started
            ),
        ));
    }
    let names = |codes: &Vec<String>| -> String {
        let v: Vec<String> = codes.iter().filter_map(|c| status.children.iter().find(|l| &l.code == c).map(|l| l.name.clone())).collect();
        if v.is_empty() { "không có".into() } else { v.join("; ") }
    };
    let mut on_time = Vec::new();
    let mut late = Vec::new();
    let mut missing = Vec::new();
    for l in &status.children {
        match l.own_report.as_ref().map(|o| o.submission) {
            Some(Submission::OnTime) => on_time.push(l.code.clone()),
            Some(Submission::Late) => late.push(l.code.clone()),
            Some(Submission::Missing) => missing.push(l.code.clone()),
            _ => {}
        }
    }
    let reporting = vec![
        para("II.1".into(), format!("Đúng hạn: {}.", names(&on_time))),
        para("II.2".into(), format!("Muộn: {}.", names(&late))),
        para("II.3".into(), format!("Chưa gửi báo cáo: {}.", names(&missing))),
        para(
            "II.4".into(),
            format!(
                "Tỷ lệ báo cáo đã nhận: {}; tỷ lệ đúng hạn: {}.",
                pct(status.unit.reports.completeness()),
                pct(status.unit.reports.timeliness())
            ),
        ),
    ];
    let mut sections = vec![
        Section {
            code: "I".into(),
            title: "KẾT QUẢ THỰC HIỆN".into(),
            paragraphs: vec![format!("Thời gian chốt số liệu: {}.", window.label_vi())],
            children: results,
            ..Default::default()
        },
        Section {
            code: "II".into(), title: "TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ".into(), children: reporting, ..Default::default()
        },
    ];
    if !narrative.trim().is_empty() {
        sections.push(Section {
            code: "III".into(),
            title: "ĐÁNH GIÁ CHUNG, KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ".into(),
            paragraphs: narrative.lines().map(String::from).filter(|l| !l.trim().is_empty()).collect(),
            ..Default::default()
        });
    }
    PlanDocument {
        issuer: format!("ỦY BAN NHÂN DÂN {}", unit.name.to_uppercase()),
        symbol: Some("BC-UBND".into()),
        place: unit.name.split_whitespace().skip(1).collect::<Vec<_>>().join(" "),
        date: Some(date),
        year: Some(period.year()),
        doc_type: "BÁO CÁO".into(),
        title: format!("Kết quả thực hiện {plan_ref} {}", period.label_vi().to_lowercase()),
        sections,
        recipients: vec!["Như trên".into(), "Lưu: VT".into()],
        signer: Some(chiso_docs::Signer {
            authority: Some("TM. ỦY BAN NHÂN DÂN".into()),
            delegation: None,
            position: Some("CHỦ TỊCH".into()),
            name: None,
        }),
        appendix_title: Some(format!("TÌNH HÌNH THỰC HIỆN NHIỆM VỤ {}", period.label_vi().to_uppercase())),
        appendix: tasks
            .iter()
            .map(|t| AppendixRow {
                code: t.task.row.code.clone(),
                text: t.task.row.text.lines().next().unwrap_or_default().to_string(),
                dimension: t.dimensions.first().map(|d| super::views::dimension_label(frameworks, d)),
                lead_agency: t.task.row.lead_agency.clone(),
                coordinating_agencies: t.task.coordinating_agencies.clone(),
                // Dates as the document writes them (dd/mm/yyyy), as the plan's own export does.
                time: t.task.row.due_date.as_deref().and_then(chiso_core::unit::parse_date).map(chiso_core::text::vn_date_short).or(t
                    .task
                    .row
                    .due_text
                    .clone()),
                product: t.latest.as_ref().map(|u| u.narrative.clone()),
                status: Some(t.status.label_vi().to_string()),
                group: None,
                group_title: None,
            })
            .collect(),
        ..Default::default()
    }
}
