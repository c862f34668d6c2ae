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
        let found = state.store.session_user(token).await.map_err(|e| AuthRejection::Error(e.into()))?;
        let Some((user, csrf)) = found else { return Err(reject()) };
        let scope = state.store.scope_for(&user).await.map_err(|e| AuthRejection::Error(e.into()))?;
        Ok(CurrentUser { user, scope, csrf, lang: lang_of(&parts.headers) })
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

/// `Json<T>` for the JSON API: a malformed body is a 400 (syntax) or 422 (shape) JSON error.
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
        JsonRejection::MissingJsonContentType(_) => AppError::BadRequest("cần Content-Type: application/json".into()),
        JsonRejection::BytesRejection(b) if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::too_large(),
        JsonRejection::BytesRejection(_) => AppError::BadRequest("không đọc được nội dung yêu cầu (bị ngắt)".into()),
        _ => AppError::BadRequest("nội dung không phải JSON hợp lệ".into()),
    }
}
