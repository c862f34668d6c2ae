//! How a failed use case is classified. Every operation has its own error enum (its `Display` is the
//! Vietnamese message a person reads); `Failure::kind` says which class it is, and the web crate maps the
//! class to an HTTP status in one place (`chiso_web::error`).

use chiso_store::StoreError;

/// The class of a failure, independent of the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is wrong (malformed or fails a rule): 400/422.
    Invalid,
    /// Well-formed input that a rule refuses (e.g. a value out of range): 422.
    Unprocessable,
    /// The thing asked for does not exist (or is outside the caller's scope and must not be revealed).
    NotFound,
    /// Outside the caller's scope.
    OutOfScope,
    /// The caller's role may not do this.
    Forbidden,
    /// The state has moved on (stale version, already submitted, period locked …).
    Conflict,
    /// A dependency (database, converter) is not available right now.
    Unavailable,
    /// A bug or an environment problem; details go to the log, not to the person.
    Internal,
}

/// A use-case error: a Vietnamese message (`Display`), a class and a stable machine code.
pub trait Failure: std::error::Error {
    fn kind(&self) -> ErrorKind;
    /// A stable code for API clients ("locked", "already_submitted" …). Defaults to the class.
    fn code(&self) -> &'static str {
        match self.kind() {
            ErrorKind::Invalid => "bad_request",
            ErrorKind::Unprocessable => "invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::OutOfScope => "out_of_scope",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}

impl Failure for StoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound(_) => ErrorKind::NotFound,
            StoreError::OutOfScope(_) => ErrorKind::OutOfScope,
            StoreError::Forbidden(_) => ErrorKind::Forbidden,
            StoreError::Conflict(_) => ErrorKind::Conflict,
            StoreError::Invalid(_) => ErrorKind::Unprocessable,
            StoreError::Unavailable(_) => ErrorKind::Unavailable,
            StoreError::Config(_) | StoreError::Db(_) | StoreError::Migrate(_) => ErrorKind::Internal,
        }
    }
}

/// The error of use cases that have no failure of their own beyond bad input and the store's.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl Failure for ServiceError {
    fn kind(&self) -> ErrorKind {
        match self {
            ServiceError::Store(e) => e.kind(),
            ServiceError::Invalid(_) => ErrorKind::Invalid,
            ServiceError::Unprocessable(_) => ErrorKind::Unprocessable,
            ServiceError::NotFound(_) => ErrorKind::NotFound,
            ServiceError::Conflict(_) => ErrorKind::Conflict,
            ServiceError::Internal(_) => ErrorKind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            ServiceError::Store(e) => e.code(),
            ServiceError::Invalid(_) => "bad_request",
            ServiceError::Unprocessable(_) => "invalid",
            ServiceError::NotFound(_) => "not_found",
            ServiceError::Conflict(_) => "conflict",
            ServiceError::Internal(_) => "internal",
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
