//! Errors of the survey engine. Messages are in Vietnamese (users see them in the CLI and the web
//! UI); every error says where: file, line, column, indicator and field when known.

use std::fmt;
use std::path::PathBuf;

/// Any failure of reading a questionnaire or responses, or of matching them to a structure.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("không đọc được tệp {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Questionnaire(Box<QuestionnaireError>),
    #[error(transparent)]
    Responses(Box<ResponseError>),
    /// The structure (dimensions → sub-dimensions) does not fit the questionnaire or the
    /// responses were not built from this questionnaire.
    #[error("cấu trúc không khớp với bảng hỏi: {0}")]
    Structure(String),
}

impl From<QuestionnaireError> for SurveyError {
    fn from(e: QuestionnaireError) -> Self {
        SurveyError::Questionnaire(Box::new(e))
    }
}

impl From<ResponseError> for SurveyError {
    fn from(e: ResponseError) -> Self {
        SurveyError::Responses(Box::new(e))
    }
}

/// A questionnaire (TOML) that cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionnaireError {
    pub file: Option<PathBuf>,
    /// 1-based line, when the questionnaire came from TOML text.
    pub line: Option<usize>,
    /// 1-based column (in characters).
    pub column: Option<usize>,
    /// Code of the indicator concerned (or `#n`, its 1-based position, when the code is unusable).
    pub indicator: Option<String>,
    /// Field concerned (`min`, `options[2].value`, …).
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for QuestionnaireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bảng hỏi")?;
        if let Some(file) = &self.file {
            write!(f, " {}", file.display())?;
        }
        if let Some(line) = self.line {
            write!(f, ", dòng {line}")?;
        }
        if let Some(col) = self.column {
            write!(f, ", cột {col}")?;
        }
        if let Some(ind) = &self.indicator {
            write!(f, ", chỉ tiêu {ind}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", trường `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for QuestionnaireError {}

/// A response file (CSV or rows from another source) that cannot be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseError {
    pub file: Option<PathBuf>,
    /// 1-based line of the file (the header is line 1), or the row number given by the caller.
    pub line: u64,
    /// 1-based column number, when one column is at fault.
    pub column: Option<usize>,
    /// Header of that column.
    pub column_name: Option<String>,
    pub kind: ResponseErrorKind,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tệp câu trả lời")?;
        if let Some(file) = &self.file {
            write!(f, " {}", file.display())?;
        }
        write!(f, ", dòng {}", self.line)?;
        if let Some(col) = self.column {
            write!(f, ", cột {col}")?;
        }
        if let Some(name) = &self.column_name {
            write!(f, " ({name})")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for ResponseError {}

/// What is wrong in a response file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResponseErrorKind {
    #[error("thiếu cột bắt buộc `{0}`")]
    MissingColumn(&'static str),
    #[error(
        "cột `{0}` không phải là mã chỉ tiêu nào của bảng hỏi (các cột được phép: respondent_id, unit, group, weight, các mã chỉ tiêu; cột bắt đầu bằng `_` được bỏ qua)"
    )]
    UnknownColumn(String),
    #[error("cột `{0}` xuất hiện hai lần")]
    DuplicateColumn(String),
    #[error("tên cột để trống")]
    EmptyHeader,
    #[error("tệp trống: không có dòng tiêu đề")]
    NoHeader,
    #[error("dòng có {found} ô, dòng tiêu đề có {expected} ô")]
    FieldCount { expected: usize, found: usize },
    #[error("câu trả lời \"{0}\" không phải là số (và không phải nhãn của phương án trả lời nào)")]
    NotNumeric(String),
    #[error("thiếu trọng số")]
    MissingWeight,
    #[error("trọng số \"{0}\" không hợp lệ: phải là số dương")]
    BadWeight(String),
    #[error("thiếu mã đơn vị")]
    MissingUnit,
    #[error("mã đơn vị \"{0}\" không có trong danh sách đơn vị")]
    UnknownUnit(String),
    #[error("thiếu mã người trả lời (respondent_id)")]
    MissingRespondentId,
    #[error("mã người trả lời \"{id}\" trùng với dòng {first_line}")]
    DuplicateRespondent { id: String, first_line: u64 },
    #[error("ô không phải văn bản UTF-8 hợp lệ")]
    NotUtf8,
    #[error("lỗi đọc CSV: {0}")]
    Csv(String),
}
