//! Login sessions and CSRF protection.
//!
//! * The session cookie holds a random token; the database keeps only its SHA-256, so any server process
//!   behind a load balancer can resolve it, and a leaked database does not leak live sessions.
//! * Every state-changing form carries a CSRF token: the session's own token after login, and before login a
//!   double-submit token (cookie + hidden field). JSON API writes send it as `X-CSRF-Token`.
//! * Cookies are HttpOnly and SameSite=Lax.

use crate::error::{AppError, PageError};
use crate::extract::constant_time_eq;
pub use crate::extract::{AuthRejection, CurrentUser, cookie, lang_of};
use crate::render::Base;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_store::accounts::LoginOutcome;
use serde::Deserialize;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "chiso_session";
pub const LOGIN_CSRF_COOKIE: &str = "chiso_login_csrf";

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Is this a path on this site (`/…`), safe to redirect to? Not `//host` or `/\\host` (other sites for a
/// browser), and no control characters or spaces (browsers drop tabs and line breaks, turning `/\t/host`
/// into `//host`). Every redirect taken from a request (`next`, `back`) goes through this.
pub fn is_local_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Only local paths are allowed as a post-login destination (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn random_hex() -> String {
    chiso_store::accounts::random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    b: Base,
    next: String,
    error: Option<String>,
    username: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let token = match cookie(&headers, LOGIN_CSRF_COOKIE) {
        Some(t) if t.len() == 64 => t.to_string(),
        _ => random_hex(),
    };
    let page = LoginPage {
        b: Base::anonymous(lang, lang.t("login"), &token),
        next: safe_next(q.next.as_deref()),
        error: None,
        username: String::new(),
    };
    let mut resp = Html(page.render()?).into_response();
    resp.headers_mut().append(SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, state.secure_cookies));
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let cookie_token = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if cookie_token.is_empty() || !constant_time_eq(cookie_token.as_bytes(), form.csrf.as_bytes()) {
        return Err(AppError::Csrf.into());
    }
    let next = safe_next(form.next.as_deref());
    let fail = |status: StatusCode, msg: String| -> Result<Response, PageError> {
        let page = LoginPage {
            b: Base::anonymous(lang, lang.t("login"), cookie_token),
            next: next.clone(),
            error: Some(msg),
            username: form.username.clone(),
        };
        Ok((status, Html(page.render()?)).into_response())
    };
    let client = state.client_address(&headers, addr.ip());
    match state.store.login(&form.username, &form.password, &client).await? {
        LoginOutcome::Ok(user) => {
            let session = state.store.create_session(user.id).await?;
            tracing::info!(username = %user.username, "login");
            let mut resp = Redirect::to(&next).into_response();
            let max_age = chiso_store::accounts::SESSION_TTL_MS / 1000;
            resp.headers_mut().append(SET_COOKIE, set_cookie(SESSION_COOKIE, &session.token, max_age, state.secure_cookies));
            resp.headers_mut().append(SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.secure_cookies));
            Ok(resp)
        }
        LoginOutcome::BadCredentials => fail(StatusCode::UNAUTHORIZED, "Tên đăng nhập hoặc mật khẩu không đúng.".into()),
        LoginOutcome::RateLimited(secs) => {
            fail(StatusCode::TOO_MANY_REQUESTS, format!("Đăng nhập sai nhiều lần từ địa chỉ này. Vui lòng thử lại sau {}.", wait_vi(secs)))
        }
    }
}

/// "45 giây", "3 phút".
fn wait_vi(secs: i64) -> String {
    if secs < 60 { format!("{secs} giây") } else { format!("{} phút", (secs + 59) / 60) }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(token).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies));
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// The page a link was followed from, if it is on this site: the `Referer`'s path and query when its host is
/// the request's own `Host` (same origin), and a local path ([`is_local_path`]); never `/lang/…` itself.
fn same_origin_referer(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(axum::http::header::REFERER)?.to_str().ok()?;
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split('#').next().unwrap_or("/");
    (authority.eq_ignore_ascii_case(host) && is_local_path(path) && !path.starts_with("/lang/")).then(|| path.to_string())
}

/// Switch the interface language and go back to the page the link was on (`next` if given, else the
/// same-origin `Referer`, else the home page).
pub async fn set_lang(axum::extract::Path(lang): axum::extract::Path<String>, headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let value = if lang == "en" { "en" } else { "vi" };
    let back = match q.next.as_deref() {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => same_origin_referer(&headers).unwrap_or_else(|| "/".to_string()),
    };
    let mut resp = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("lang={value}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}
