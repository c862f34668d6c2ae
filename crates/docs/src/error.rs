//! Errors of document reading and writing. `Display` is Vietnamese first with the English
//! meaning in parentheses, because the message is shown to users as is.

use std::fmt;

/// Everything that can go wrong reading or writing a plan document.
/// Every variant that concerns an input names the file.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("{file}: tệp rỗng, không có nội dung")]
    Empty { file: String },

    #[error("{file}: tệp quá lớn: {size} byte, giới hạn {limit} byte")]
    TooLarge { file: String, size: u64, limit: u64 },

    #[error("{file}: định dạng không được hỗ trợ: {detail}")]
    Unsupported { file: String, detail: String },

    #[error("{file}: không phải văn bản đọc được: {detail} (binary or non-UTF-8 content)")]
    NotText { file: String, detail: String },

    #[error("{file}: tệp nén ZIP (DOCX/XLSX) hỏng hoặc không hợp lệ: {detail}")]
    Zip { file: String, detail: String },

    #[error("{file}: thiếu phần '{entry}' trong tệp")]
    MissingPart { file: String, entry: String },

    #[error("{file}: phần '{entry}' khi giải nén vượt quá {limit} byte, nghi là bom ZIP")]
    ZipBomb { file: String, entry: String, limit: u64 },

    #[error("{file}: XML hỏng trong '{entry}' tại byte {position}: {detail} (malformed XML)")]
    Xml { file: String, entry: String, position: u64, detail: String },

    #[error("{file}: XML lồng quá sâu (hơn {limit} cấp) trong '{entry}' (XML nested too deeply)")]
    XmlTooDeep { file: String, entry: String, limit: usize },

    #[error("{file}: không đọc được bảng tính: {detail}")]
    Spreadsheet { file: String, detail: String },

    #[error("{file}: không tìm thấy bảng nhiệm vụ có tiêu đề STT | Nhiệm vụ | Cơ quan chủ trì | …")]
    NoTaskTable { file: String },

    #[error("không tạo được tệp {format}: {detail}")]
    Write { format: &'static str, detail: String },

    #[error("cần cài LibreOffice (lệnh soffice hoặc libreoffice) để xuất PDF (LibreOffice is needed for PDF export)")]
    LibreOfficeMissing,

    #[error("LibreOffice không chuyển được sang PDF: {detail} (PDF conversion failed)")]
    Pdf { detail: String },

    #[error("LibreOffice chạy quá {seconds} giây, đã dừng (PDF conversion timed out)")]
    PdfTimeout { seconds: u64 },
}

impl DocError {
    /// A stable machine code for APIs and logs (English, snake case).
    pub fn code(&self) -> &'static str {
        match self {
            DocError::Empty { .. } => "empty",
            DocError::TooLarge { .. } => "too_large",
            DocError::Unsupported { .. } => "unsupported_format",
            DocError::NotText { .. } => "not_text",
            DocError::Zip { .. } => "corrupt_zip",
            DocError::MissingPart { .. } => "missing_part",
            DocError::ZipBomb { .. } => "zip_bomb",
            DocError::Xml { .. } => "malformed_xml",
            DocError::XmlTooDeep { .. } => "xml_too_deep",
            DocError::Spreadsheet { .. } => "spreadsheet",
            DocError::NoTaskTable { .. } => "no_task_table",
            DocError::Write { .. } => "write_failed",
            DocError::LibreOfficeMissing => "libreoffice_missing",
            DocError::Pdf { .. } => "pdf_failed",
            DocError::PdfTimeout { .. } => "pdf_timeout",
        }
    }

    pub(crate) fn write(format: &'static str, detail: impl fmt::Display) -> Self {
        DocError::Write { format, detail: detail.to_string() }
    }
}
