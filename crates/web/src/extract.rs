//! What handlers take from a request: the current user (session cookie → user, scope, CSRF token), and
//! query, path and JSON extractors whose rejections are the API's JSON error (axum's own answer in plain
//! text, which the OpenAPI document does not describe).

use crate::auth::{SESSION_COOKIE, urlencode};
use crate::error::{ApiError, AppError, PageError};
use crate::i18n::Lang;
use crate::render::Base;
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chiso_core::access::Scope;
use chiso_store::accounts::User;
use serde::de::DeserializeOwned;

/// The logged-in user, their scope and their session's CSRF token.
#[derive(Clone)]
pub struct CurrentUser {
    pub user: User,
    pub scope: Scope,
    pub csrf: String,
    pub lang: Lang,
    /// Unread notifications (pages only; 0 for API requests), for the header's badge.
    pub unread: i64,
}

impl CurrentUser {
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) { Ok(()) } else { Err(AppError::Csrf) }
    }

    pub fn base(&self, title: &str, nav: &'static str) -> Base {
        Base {
            lang: self.lang,
            title: title.to_string(),
            nav,
            user_name: Some(self.user.full_name.clone()),
            username: self.user.username.clone(),
            csrf: self.csrf.clone(),
            unread: self.unread,
        }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_cookie(cookie(headers, "lang"))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Rejection: browsers go to the login page, API clients get 401 JSON.
pub enum AuthRejection {
    Page(String),
    Api,
    Error(AppError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Page(next) => Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response(),
            AuthRejection::Api => crate::error::ApiError(AppError::Unauthorized).into_response(),
            AuthRejection::Error(e) => PageError(e).into_response(),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_string();
        let is_api = path.starts_with("/api/");
        let reject = || if is_api { AuthRejection::Api } else { AuthRejection::Page(path.clone()) };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(reject()) };
        // One query: the user, the token, the scope and the bell's count (pages only).
        let found = state.store.session_context(token, !is_api).await.map_err(|e| AuthRejection::Error(e.into()))?;
        let Some(s) = found else { return Err(reject()) };
        Ok(CurrentUser { user: s.user, scope: s.scope, csrf: s.csrf, lang: lang_of(&parts.headers), unread: s.unread })
    }
}

/// `Query<T>` for the JSON API: a malformed query string is a 400 JSON error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError(AppError::BadRequest(query_message(&e)))),
        }
    }
}

/// `Path<T>` for the JSON API: a malformed path parameter is a 400 JSON error.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(ApiError(AppError::BadRequest(path_message(&e)))),
        }
    }
}

/// `Json<T>` for the JSON API: a malformed body is a 400 (syntax) or 422 (shape) JSON error, a body that is
/// not `application/json` 415 (as axum's `Json`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError(json_error(&e))),
        }
    }
}

/// `Path<T>` for pages: a malformed path parameter is the Vietnamese error page (400), not axum's English text.
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PagePath(v)),
            Err(e) => Err(PageError(AppError::BadRequest(path_message(&e)))),
        }
    }
}

/// `Query<T>` for pages: a malformed query is the Vietnamese error page (400).
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(PageQuery(v)),
            Err(e) => Err(PageError(AppError::BadRequest(query_message(&e)))),
        }
    }
}

fn path_message(e: &PathRejection) -> String {
    match e {
        PathRejection::FailedToDeserializePathParams(_) => "đường dẫn không hợp lệ: tham số không đúng kiểu (vd. mã số phải là số)".into(),
        _ => "đường dẫn không hợp lệ".into(),
    }
}

fn query_message(_e: &QueryRejection) -> String {
    "tham số truy vấn không hợp lệ (sai kiểu hoặc thiếu giá trị)".into()
}

fn json_error(e: &JsonRejection) -> AppError {
    match e {
        JsonRejection::JsonDataError(d) => AppError::Service {
            kind: chiso_app::ErrorKind::Unprocessable,
            code: "invalid",
            message: format!("dữ liệu JSON không đúng cấu trúc: {}", d.body_text()),
        },
        JsonRejection::MissingJsonContentType(_) => AppError::NotJson,
        JsonRejection::BytesRejection(b) if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::too_large(),
        JsonRejection::BytesRejection(_) => AppError::BadRequest("không đọc được nội dung yêu cầu (bị ngắt)".into()),
        _ => AppError::BadRequest("nội dung không phải JSON hợp lệ".into()),
    }
}

// ------------------------------------------------------------------------------------------ NUL bytes

/// The message of a request that carries a NUL byte.
const NUL_MESSAGE: &str = "dữ liệu gửi lên chứa ký tự NUL (\\0), không hợp lệ";

/// Does percent-encoded text (a path, a query string, an urlencoded form) decode to a NUL byte?
fn decodes_to_nul(raw: &[u8]) -> bool {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            0 => return true,
            b'%' if i + 2 < raw.len() => {
                if let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                    if h == 0 && l == 0 {
                        return true;
                    }
                    i += 3;
                    continue;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

/// Does a JSON document hold a NUL in one of its strings or keys?
fn json_has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(json_has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

fn bad_input(is_api: bool, e: AppError) -> Response {
    if is_api { ApiError(e).into_response() } else { PageError(e).into_response() }
}

/// Middleware: a NUL byte in the path, the query, an urlencoded form or a JSON body is bad input (400: the
/// JSON error under `/api/`, the Vietnamese error page elsewhere), refused before any handler or the
/// database sees it — PostgreSQL cannot store NUL in text, SQLite can, and both must answer alike.
/// Multipart text fields are checked by [`Upload`]; file contents may hold any byte.
pub async fn reject_nul(req: Request, next: axum::middleware::Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    if decodes_to_nul(req.uri().path().as_bytes()) || req.uri().query().is_some_and(|q| decodes_to_nul(q.as_bytes())) {
        return bad_input(is_api, AppError::BadRequest(NUL_MESSAGE.into()));
    }
    let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json") || content_type.contains("+json");
    if !is_form && !is_json {
        return next.run(req).await;
    }
    // Forms and JSON are small (the global body limit); read them once, check, and hand the same bytes on.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::startup::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return bad_input(is_api, AppError::too_large()),
    };
    let nul = if is_form {
        decodes_to_nul(&bytes)
    } else {
        bytes.contains(&0) || serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| json_has_nul(&v))
    };
    if nul {
        return bad_input(is_api, AppError::BadRequest(NUL_MESSAGE.into()));
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

/// A page form that changes state and carries no `csrf` field at all is answered 403, like one with a wrong
/// token, rather than as a malformed form (422, its handler's extractor): every state-changing form
/// of the application has the field, so its absence is a forged request. The handlers still compare the
/// token's value (`CurrentUser::check_csrf`, the login and survey forms' double-submit cookies); multipart
/// uploads read it among their parts, and API writes need the `X-CSRF-Token` header.
pub async fn require_csrf_field(req: Request, next: axum::middleware::Next) -> Response {
    use axum::http::Method;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let is_form = content_type.is_empty() || content_type.starts_with("application/x-www-form-urlencoded");
    if safe || !is_form || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::startup::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return PageError(AppError::too_large()).into_response(),
    };
    let has_token = bytes.split(|b| *b == b'&').any(|pair| pair.starts_with(b"csrf=") && pair.len() > 5);
    let resp = next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await;
    // Without the field no handler gets past its token check (a form struct without `csrf` does not even
    // deserialize), so what it answered is the refusal; say it is one. An unrouted path or method keeps
    // its 404/405.
    let unrouted = matches!(resp.status(), axum::http::StatusCode::NOT_FOUND | axum::http::StatusCode::METHOD_NOT_ALLOWED);
    if has_token || unrouted || resp.status() == axum::http::StatusCode::FORBIDDEN {
        return resp;
    }
    PageError(AppError::Csrf).into_response()
}

/// `Multipart` whose text fields (and field and file names) may not hold a NUL byte; file contents may.
/// Every upload form takes this instead of axum's `Multipart`.
pub struct Upload(axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state).await.map(Upload).map_err(|e| {
            // axum's text is English ("Invalid `boundary` for `multipart/form-data` request"): logged, not shown.
            tracing::debug!(error = %e.body_text(), "multipart");
            PageError(if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::too_large()
            } else {
                AppError::BadRequest("biểu mẫu tải lên không hợp lệ: không phải biểu mẫu gửi tệp (multipart/form-data)".into())
            })
        })
    }
}

/// One part of an [`Upload`].
pub struct UploadField<'a>(axum::extract::multipart::Field<'a>);

impl Upload {
    /// The next part; `context` names the form in the error message ("biểu mẫu tải lên không hợp lệ: …").
    pub async fn next_field(&mut self, context: &str) -> Result<Option<UploadField<'_>>, AppError> {
        let field = self.0.next_field().await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::too_large()
            } else {
                tracing::debug!(error = %e.body_text(), "multipart");
                AppError::BadRequest(format!("{context}: biểu mẫu tải lên bị gián đoạn hoặc sai định dạng"))
            }
        })?;
        match field {
            Some(f) if f.name().is_some_and(|n| n.contains('\0')) || f.file_name().is_some_and(|n| n.contains('\0')) => {
                Err(AppError::BadRequest(NUL_MESSAGE.into()))
            }
            Some(f) => Ok(Some(UploadField(f))),
            None => Ok(None),
        }
    }
}

impl UploadField<'_> {
    pub fn name(&self) -> Option<&str> {
        self.0.name()
    }

    pub fn file_name(&self) -> Option<&str> {
        self.0.file_name()
    }

    /// A text field: UTF-8 without NUL.
    pub async fn text(self) -> Result<String, AppError> {
        let text = self.0.text().await.map_err(AppError::multipart)?;
        if text.contains('\0') { Err(AppError::BadRequest(NUL_MESSAGE.into())) } else { Ok(text) }
    }

    /// A file's contents, any bytes.
    pub async fn bytes(self) -> Result<axum::body::Bytes, axum::extract::multipart::MultipartError> {
        self.0.bytes().await
    }
}

#[cfg(test)]
mod tests {
    use super::decodes_to_nul;

    #[test]
    fn percent_encoded_nul_is_found_and_only_it() {
        assert!(decodes_to_nul(b"/api/v1/units/%00"));
        assert!(decodes_to_nul(b"q=a%00b"));
        assert!(decodes_to_nul(b"x=%00"));
        assert!(decodes_to_nul(b"raw\0"));
        assert!(!decodes_to_nul(b"q=%2500&x=%0A%30%41"));
        assert!(!decodes_to_nul(b"q=%0"));
        assert!(!decodes_to_nul(b"q=%"));
        assert!(!decodes_to_nul(b"q=%zz00"));
    }
}
