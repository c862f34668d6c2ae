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

#[cfg(test)]
mod tests {
    use super::*;

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
