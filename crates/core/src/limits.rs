//! Every size limit of chiso in one place: uploads by kind of file, request bodies, and (in
//! [`crate::text`]'s checks) text fields. The web layer sizes each route's body limit from these, so a
//! documented limit is always reachable, and the messages quote the same numbers.

pub const MB: usize = 1024 * 1024;

/// One evidence file (PDF, DOCX, XLSX, PNG, JPEG).
pub const MAX_EVIDENCE_BYTES: usize = 20 * MB;
/// Evidence files in one task update.
pub const MAX_EVIDENCE_FILES: usize = 5;
/// A plan document to import (text, Markdown, DOCX, XLSX).
pub const MAX_PLAN_DOCUMENT_BYTES: usize = 20 * MB;
/// A unit tree CSV.
pub const MAX_UNIT_CSV_BYTES: usize = 5 * MB;
/// A published results file (CSV/XLSX).
pub const MAX_RESULTS_FILE_BYTES: usize = 5 * MB;
/// A questionnaire (TOML).
pub const MAX_QUESTIONNAIRE_BYTES: usize = 2 * MB;
/// A survey responses file uploaded on the web (larger files: `chiso survey import`).
pub const MAX_RESPONSES_FILE_BYTES: usize = 64 * MB;
/// Any other request body: forms and JSON.
pub const MAX_FORM_BODY_BYTES: usize = 8 * MB;
/// Room for the form fields and multipart headers beside the files of an upload.
pub const MULTIPART_OVERHEAD_BYTES: usize = 256 * 1024;

/// The body limit of a route that takes `files` files of at most `each` bytes.
pub const fn upload_body_limit(files: usize, each: usize) -> usize {
    files * each + MULTIPART_OVERHEAD_BYTES
}

/// The limits as a person reads them, for the message of a refused body.
pub fn upload_limits_vi() -> String {
    format!(
        "tệp kiểm chứng {} MB mỗi tệp (tối đa {} tệp một lần), tài liệu kế hoạch {} MB, kết quả chỉ số {} MB, \
         danh mục đơn vị {} MB, bảng hỏi {} MB, tệp câu trả lời khảo sát {} MB, biểu mẫu khác {} MB",
        MAX_EVIDENCE_BYTES / MB,
        MAX_EVIDENCE_FILES,
        MAX_PLAN_DOCUMENT_BYTES / MB,
        MAX_RESULTS_FILE_BYTES / MB,
        MAX_UNIT_CSV_BYTES / MB,
        MAX_QUESTIONNAIRE_BYTES / MB,
        MAX_RESPONSES_FILE_BYTES / MB,
        MAX_FORM_BODY_BYTES / MB
    )
}

/// A plan's or a survey's title, a document number.
pub const MAX_TITLE_CHARS: usize = 1_000;
/// One task's text (the longest in the seed plans is about 1,400 characters).
pub const MAX_TASK_TEXT_CHARS: usize = 10_000;
/// Narratives, reasons, expected results, notes.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Names of units, agencies, people; a task's lead agency or time limit in words.
pub const MAX_NAME_CHARS: usize = 300;
/// Tasks in one plan.
pub const MAX_TASKS_PER_PLAN: usize = 2_000;

/// Refuse a text over `max` characters, naming the field (Vietnamese) and both numbers.
pub fn check_len(field_vi: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max {
        return Err(format!(
            "{field_vi} quá dài ({} ký tự; tối đa {} ký tự)",
            crate::text::vn_number(n as f64, 0),
            crate::text::vn_number(max as f64, 0)
        ));
    }
    Ok(())
}

/// The text limits of a plan and its tasks (every way in: import, the editor, the API).
pub fn check_plan_draft(d: &crate::plan::PlanDraft) -> Result<(), String> {
    check_len("tên kế hoạch", &d.title, MAX_TITLE_CHARS)?;
    if let Some(n) = &d.number {
        check_len("số hiệu văn bản", n, MAX_NAME_CHARS)?;
    }
    if d.tasks.len() > MAX_TASKS_PER_PLAN {
        return Err(format!("kế hoạch có quá nhiều nhiệm vụ ({}; tối đa {MAX_TASKS_PER_PLAN})", d.tasks.len()));
    }
    for t in &d.tasks {
        let label = |f: &str| format!("{f} của nhiệm vụ {}", t.code);
        check_len(&label("nội dung"), &t.text, MAX_TASK_TEXT_CHARS)?;
        check_len(&label("mã"), &t.code, MAX_NAME_CHARS)?;
        if let Some(x) = &t.expected_result {
            check_len(&label("kết quả dự kiến"), x, MAX_NOTE_CHARS)?;
        }
        if let Some(x) = &t.lead_agency {
            check_len(&label("cơ quan chủ trì"), x, MAX_NAME_CHARS)?;
        }
        if let Some(x) = &t.due_text {
            check_len(&label("thời hạn"), x, MAX_NAME_CHARS)?;
        }
        for c in &t.coordinating_agencies {
            check_len(&label("cơ quan phối hợp"), c, MAX_NAME_CHARS)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_refused_with_both_numbers() {
        assert!(check_len("nội dung", &"a".repeat(MAX_TASK_TEXT_CHARS), MAX_TASK_TEXT_CHARS).is_ok());
        let e = check_len("nội dung nhiệm vụ", &"ă".repeat(220_000), MAX_TASK_TEXT_CHARS).expect_err("too long");
        assert_eq!(e, "nội dung nhiệm vụ quá dài (220.000 ký tự; tối đa 10.000 ký tự)");
    }

    #[test]
    fn every_upload_fits_its_route() {
        assert!(upload_body_limit(MAX_EVIDENCE_FILES, MAX_EVIDENCE_BYTES) > MAX_EVIDENCE_FILES * MAX_EVIDENCE_BYTES);
        // Uploads without their own route limit go through the general one.
        for l in [MAX_UNIT_CSV_BYTES, MAX_RESULTS_FILE_BYTES, MAX_QUESTIONNAIRE_BYTES] {
            assert!(l + MULTIPART_OVERHEAD_BYTES <= MAX_FORM_BODY_BYTES);
        }
        assert!(upload_limits_vi().contains("20 MB"));
    }
}
