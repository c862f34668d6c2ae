//! One error type for the whole web layer, rendered as an HTML page for browsers and as JSON
//! `{"error": {"code", "message"}}` under `/api`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chiso_app::{ErrorKind, Failure};
use chiso_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    BadRequest(String),
    #[error("cần đăng nhập")]
    Unauthorized,
    #[error("cần Content-Type: application/json")]
    NotJson,
    #[error("phiên làm việc không hợp lệ hoặc biểu mẫu đã cũ (CSRF); hãy tải lại trang và thử lại")]
    Csrf,
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
    /// The request body is over its limit (413).
    #[error("{0}")]
    TooLarge(String),
    /// A use case's own failure (chiso-app), classified by its kind.
    #[error("{message}")]
    Service { kind: ErrorKind, code: &'static str, message: String },
}

/// Every use-case error type of chiso-app becomes an `AppError` through its `Failure` impl: add new error
/// types to this list (a blanket impl would overlap with the conversions of foreign error types).
macro_rules! service_errors {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for AppError {
            fn from(e: $t) -> Self {
                AppError::Service { kind: e.kind(), code: e.code(), message: e.to_string() }
            }
        })*
    };
}

service_errors!(
    chiso_app::ServiceError,
    chiso_app::reports::SubmitError,
    chiso_app::surveys::CreateError,
    chiso_app::surveys::ImportError,
    chiso_app::surveys::EstimateError,
    chiso_app::surveys::SheetError,
    chiso_app::plans::ImportError,
    chiso_app::plans::CascadeError,
    chiso_app::plans::ExportError,
    chiso_app::plans::TaskEditError,
    chiso_app::results::ImportError,
    chiso_app::results::RankError,
    chiso_app::results::WeakError,
);

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::OutOfScope | ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl AppError {
    /// A body over its limit, with every limit stated.
    pub fn too_large() -> AppError {
        AppError::TooLarge(format!("Nội dung gửi lên vượt quá giới hạn cho phép. Giới hạn: {}.", chiso_core::limits::upload_limits_vi()))
    }

    /// A multipart upload that could not be read: over its limit (413) or malformed (400), in Vietnamese.
    pub fn multipart(e: axum::extract::multipart::MultipartError) -> AppError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::too_large()
        } else {
            tracing::debug!(error = %e.body_text(), "multipart");
            AppError::BadRequest("biểu mẫu tải lên không hợp lệ hoặc bị gián đoạn".into())
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Store(e) => status_of(e.kind()),
            AppError::Service { kind, .. } => status_of(*kind),
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Store(StoreError::NotFound(_)) | AppError::NotFound(_) => "not_found",
            AppError::Store(StoreError::OutOfScope(_)) => "out_of_scope",
            AppError::Store(StoreError::Forbidden(_)) => "forbidden",
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(StoreError::Invalid(_)) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::TooLarge(_) => "too_large",
            AppError::NotJson => "unsupported_media_type",
            AppError::Csrf => "csrf",
            AppError::Service { code, .. } => code,
            _ => "internal",
        }
    }

    /// What the user may read. Internal details go to the log, not to the page.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
            "Đã có lỗi hệ thống; vui lòng thử lại hoặc báo quản trị viên.".to_string()
        } else {
            self.to_string()
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// An error on an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let msg = html_escape(&self.0.public_message());
        let body = format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Lỗi {code} – chiso</title><link rel=\"stylesheet\" href=\"/assets/app.css\"><script src=\"/assets/app.js\" defer></script></head>\
             <body><main class=\"container\"><div class=\"card error-page\"><h1>Lỗi {code}</h1><p class=\"alert alert-error\">{msg}</p>\
             <p><a href=\"/\" data-back>← Quay lại</a> · <a href=\"/\">Trang chủ</a></p></div></main></body></html>",
            code = status.as_u16()
        );
        (status, Html(body)).into_response()
    }
}

/// An error of the JSON API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.0.code(), "message": self.0.public_message()}});
        (self.0.status(), Json(body)).into_response()
    }
}

/// Middleware: every error under `/api/` is the JSON error body, also those that axum or a layer answers
/// before a handler runs with an empty or plain-text body (405 wrong method, 413 body too large, 415 …).
/// Handlers' own JSON errors pass unchanged.
pub async fn api_errors_as_json(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "phương thức HTTP này không dùng được cho đường dẫn này".to_string()),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "nội dung yêu cầu quá lớn".to_string()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", AppError::NotJson.to_string()),
        StatusCode::NOT_FOUND => ("not_found", "không tìm thấy".to_string()),
        s if s.is_server_error() => ("internal", "Đã có lỗi hệ thống; vui lòng thử lại hoặc báo quản trị viên.".to_string()),
        s => ("bad_request", format!("yêu cầu không hợp lệ ({})", s.as_u16())),
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let body = serde_json::json!({"error": {"code": code, "message": message}}).to_string();
    Response::from_parts(parts, axum::body::Body::from(body))
}

pub use crate::render::html_escape;
