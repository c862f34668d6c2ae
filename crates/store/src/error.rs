use thiserror::Error;

/// What can go wrong in the store. The web layer maps each variant to one HTTP status.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("ngoài phạm vi được giao: {0}")]
    OutOfScope(String),
    #[error("không có quyền {0}")]
    Forbidden(String),
    #[error("xung đột dữ liệu: {0}")]
    Conflict(String),
    #[error("dữ liệu không hợp lệ: {0}")]
    Invalid(String),
    #[error("cấu hình không hợp lệ: {0}")]
    Config(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Db(#[from] sqlx::Error),
    #[error("lỗi chuyển đổi cơ sở dữ liệu: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Was this a unique-constraint violation (both backends)?
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}
