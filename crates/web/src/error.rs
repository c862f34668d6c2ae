//! One error type for the whole web layer, rendered as an HTML page for browsers and as JSON
//! `{"error": {"code", "message"}}` under `/api`.

use crate::i18n::Lang;
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

/// What an error page says, carried in the response's extensions from [`PageError`] to the
/// [`error_pages`] middleware, which shows it in the layout (with the user's menu and language).
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = self.0.public_message();
        // A plain page for the rare response that does not pass through the router's middleware.
        let body = format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Lỗi {code} – chiso</title><link rel=\"stylesheet\" href=\"/assets/app.css\"><script src=\"/assets/app.js\" defer></script></head>\
             <body><main class=\"container\"><div class=\"card error-page\"><h1>Lỗi {code}</h1><p class=\"alert alert-error\">{msg}</p>\
             <p><a href=\"/\" data-back>← Quay lại</a> · <a href=\"/\">Trang chủ</a></p></div></main></body></html>",
            code = status.as_u16(),
            msg = html_escape(&message)
        );
        let mut resp = (status, Html(body)).into_response();
        resp.extensions_mut().insert(ErrorMessage(message));
        resp
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    b: crate::render::Base,
    heading: String,
    message: String,
    /// The Vietnamese detail under an English message (the use cases speak Vietnamese).
    detail: Option<String>,
}

/// The heading and the general sentence of an error status, in the reader's language.
fn status_text(status: StatusCode, lang: Lang) -> (&'static str, &'static str) {
    let vi = lang == Lang::Vi;
    match status.as_u16() {
        400 => {
            if vi {
                ("Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ.")
            } else {
                ("Bad request", "The address or the data sent is not valid.")
            }
        }
        401 => {
            if vi {
                ("Cần đăng nhập", "Hãy đăng nhập để xem trang này.")
            } else {
                ("Login required", "Please log in to see this page.")
            }
        }
        403 => {
            if vi {
                ("Không có quyền", "Tài khoản của bạn không được làm việc này.")
            } else {
                ("Not allowed", "Your account may not do this.")
            }
        }
        404 => {
            if vi {
                ("Không tìm thấy", "Không tìm thấy trang hoặc dữ liệu bạn yêu cầu.")
            } else {
                ("Not found", "The page or the data you asked for does not exist.")
            }
        }
        405 => {
            if vi {
                ("Thao tác không dùng được", "Trang này không nhận thao tác đó.")
            } else {
                ("Action not available", "This page does not accept that action.")
            }
        }
        409 => {
            if vi {
                ("Xung đột dữ liệu", "Dữ liệu đã thay đổi trong lúc bạn làm việc.")
            } else {
                ("Conflict", "The data changed while you were working.")
            }
        }
        413 => {
            if vi {
                ("Tệp hoặc nội dung quá lớn", "Nội dung gửi lên vượt quá giới hạn cho phép.")
            } else {
                ("Too large", "What you sent is over the size limit.")
            }
        }
        415 => {
            if vi {
                ("Kiểu nội dung không hỗ trợ", "Kiểu nội dung gửi lên không được hỗ trợ.")
            } else {
                ("Unsupported content", "This kind of content is not accepted.")
            }
        }
        422 => {
            if vi {
                ("Dữ liệu không hợp lệ", "Dữ liệu trong biểu mẫu không hợp lệ.")
            } else {
                ("Invalid data", "The form's data is not valid.")
            }
        }
        429 => {
            if vi {
                ("Quá nhiều yêu cầu", "Vui lòng đợi một lúc rồi thử lại.")
            } else {
                ("Too many requests", "Please wait a moment and try again.")
            }
        }
        s if s >= 500 => {
            if vi {
                ("Lỗi hệ thống", "Đã có lỗi hệ thống; vui lòng thử lại hoặc báo quản trị viên.")
            } else {
                ("Server error", "Something went wrong on the server; please try again or tell an administrator.")
            }
        }
        _ => {
            if vi {
                ("Yêu cầu không được chấp nhận", "Yêu cầu không được chấp nhận.")
            } else {
                ("Request refused", "The request was refused.")
            }
        }
    }
}

/// A response that axum or a layer produced before any handler (a path parameter of the wrong type, a form
/// that does not deserialize, an unrouted method, a body over its limit) carries a short English text: say
/// it in Vietnamese, naming what and where.
fn rejection_message(status: StatusCode, text: &str, path: &str, method: &str) -> String {
    // axum: "Invalid URL: Cannot parse `abc` to a `i64`"
    let quoted = |after: &str| -> Option<String> {
        let at = text.find(after)? + after.len();
        let rest = &text[at..];
        let end = rest.find('`')?;
        Some(rest[..end].to_string())
    };
    match status.as_u16() {
        400 => match (quoted("Cannot parse `"), quoted("` to a `")) {
            (Some(value), Some(ty)) if ty.starts_with('i') || ty.starts_with('u') => {
                format!("Đường dẫn {path} không hợp lệ: “{value}” không phải là một số.")
            }
            (Some(value), _) => format!("Đường dẫn {path} không hợp lệ: “{value}” không đúng kiểu dữ liệu."),
            _ if text.contains("query") => format!("Tham số truy vấn của {path} không hợp lệ (sai kiểu hoặc thiếu giá trị)."),
            _ => format!("Yêu cầu tới {path} không hợp lệ."),
        },
        404 => format!("Không tìm thấy trang {path}."),
        405 => format!("Đường dẫn {path} không nhận thao tác {method}."),
        413 => AppError::too_large().to_string(),
        415 => "Kiểu nội dung gửi lên không được hỗ trợ (cần một biểu mẫu).".to_string(),
        // The field by its label where the interface has one ("code" → "Mã"); a field name is not for people.
        422 => match quoted("missing field `").map(|f| Lang::Vi.t(&f)).filter(|l| *l != "??") {
            Some(field) => format!("Biểu mẫu gửi tới {path} thiếu trường “{field}”."),
            None => format!("Biểu mẫu gửi tới {path} thiếu một trường bắt buộc hoặc có giá trị không đúng kiểu (vd. số, ngày)."),
        },
        s if s >= 500 => "Đã có lỗi hệ thống; vui lòng thử lại hoặc báo quản trị viên.".to_string(),
        s => format!("Yêu cầu tới {path} không được chấp nhận (mã {s})."),
    }
}

/// "không tìm thấy …" → "Không tìm thấy …".
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Middleware: every error of a page (not `/api/`) is a page in the layout, in the user's language — the
/// handlers' [`PageError`]s and what axum answers before a handler (plain English text: a bad path
/// parameter, an unknown route, a form that does not deserialize, a body over its limit, a wrong method).
/// Pages that handlers render themselves with an error status (a form shown again with its errors, the login
/// page after a wrong password) pass unchanged.
pub async fn error_pages(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") || path.starts_with("/assets/") {
        return next.run(req).await;
    }
    let headers = req.headers().clone();
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let given = res.extensions().get::<ErrorMessage>().cloned();
    let content_type = res.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // A page a handler rendered itself, or JSON a script asked for: theirs.
    if given.is_none() && (content_type.starts_with("text/html") || content_type.starts_with("application/json")) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let message = match given {
        Some(ErrorMessage(m)) => capitalised(&m),
        None => {
            let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            tracing::debug!(status = status.as_u16(), %path, %text, "rejection shown as an error page");
            rejection_message(status, &text, &path, &method)
        }
    };
    let lang = crate::extract::lang_of(&headers);
    let (heading, general) = status_text(status, lang);
    let title = format!("{} {} – {heading}", lang.t("error"), status.as_u16());
    let mut req_parts = axum::http::Request::new(()).into_parts().0;
    req_parts.uri = path.parse().unwrap_or_default();
    req_parts.headers = headers;
    let b = match <crate::extract::CurrentUser as axum::extract::FromRequestParts<_>>::from_request_parts(&mut req_parts, &state).await {
        Ok(me) => me.base(&title, ""),
        Err(_) => crate::render::Base::anonymous(lang, &title, ""),
    };
    let (message, detail) = match lang {
        Lang::Vi => (message, None),
        Lang::En => (general.to_string(), Some(message)),
    };
    let page = ErrorPage { b, heading: title, message, detail };
    let html = match askama::Template::render(&page) {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "error page template");
            format!(
                "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body><h1>{t}</h1></body></html>",
                t = html_escape(&page.heading)
            )
        }
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/html; charset=utf-8"));
    Response::from_parts(parts, axum::body::Body::from(html))
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
