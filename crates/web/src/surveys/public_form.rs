//! The public form `/s/{token}`: no login (the token is the credential), a double-submit CSRF cookie, the
//! answers kept and the problems shown when a form is refused, a thank-you page.

use super::render::vn_datetime;
use crate::auth::cookie;
use crate::error::PageError;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::surveys::SubmitError;
use chiso_store::surveys::{FormContext, FormLookup};
use std::collections::HashMap;

const FORM_CSRF_COOKIE: &str = "chiso_form_csrf";

struct OptionView {
    value: String,
    label: String,
    checked: bool,
}

struct QuestionView {
    number: usize,
    /// The heading of a new group of questions (shown above the first question of each group).
    section: Option<String>,
    required: bool,
    code: String,
    text: String,
    options: Vec<OptionView>,
    /// Free numeric answer (no options, wide scale).
    numeric: bool,
    min: String,
    max: String,
    value: String,
    dont_know: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct FormPage {
    title: String,
    unit_name: String,
    group: Option<String>,
    questions: Vec<QuestionView>,
    csrf: String,
    token: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_message.html")]
struct MessagePage {
    title: String,
    heading: String,
    text: String,
    ok: bool,
}

fn message_page(status: StatusCode, heading: &str, text: &str, ok: bool) -> Result<Response, PageError> {
    let page = MessagePage { title: heading.to_string(), heading: heading.to_string(), text: text.to_string(), ok };
    Ok((status, Html(page.render()?)).into_response())
}

fn form_cookie(value: &str, secure: bool) -> HeaderValue {
    let s = format!("{FORM_CSRF_COOKIE}={value}; Path=/s/; HttpOnly; SameSite=Lax; Max-Age=86400{}", if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn random_hex() -> String {
    chiso_store::accounts::random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn questions(ctx: &FormContext, given: &HashMap<String, String>, errors: &HashMap<String, String>) -> Vec<QuestionView> {
    let mut previous: Option<String> = None;
    ctx.asked()
        .into_iter()
        .enumerate()
        .map(|(k, ind)| {
            let section = ind.section.clone().filter(|s| !s.trim().is_empty());
            let heading = if section != previous { section.clone() } else { None };
            previous = section;
            let given_value = given.get(&ind.code).cloned();
            let mut options: Vec<(f64, String)> = ind.options.iter().map(|o| (o.value, o.label.clone())).collect();
            let integer_scale = ind.min.fract() == 0.0 && ind.max.fract() == 0.0 && ind.max - ind.min <= 10.0;
            if options.is_empty() && integer_scale {
                let (lo, hi) = (ind.min as i64, ind.max as i64);
                options = (lo..=hi)
                    .map(|v| {
                        let label = if v == lo {
                            format!("{v} (thấp nhất)")
                        } else if v == hi {
                            format!("{v} (cao nhất)")
                        } else {
                            v.to_string()
                        };
                        (v as f64, label)
                    })
                    .collect();
            }
            let numeric = options.is_empty();
            let checked_value = given_value.as_deref().and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok());
            QuestionView {
                number: k + 1,
                section: heading,
                required: ind.required,
                code: ind.code.clone(),
                text: ind.text.clone().unwrap_or_else(|| format!("Câu hỏi {}", ind.code)),
                options: options
                    .into_iter()
                    .map(|(v, label)| OptionView { value: v.to_string(), label, checked: checked_value == Some(v) })
                    .collect(),
                numeric,
                min: ind.min.to_string(),
                max: ind.max.to_string(),
                value: if numeric { given_value.clone().unwrap_or_default() } else { String::new() },
                dont_know: given_value.as_deref() == Some(""),
                error: errors.get(&ind.code).cloned(),
            }
        })
        .collect()
}

fn lookup_message(l: &FormLookup) -> Option<(StatusCode, &'static str, String)> {
    match l {
        FormLookup::Unknown => Some((
            StatusCode::NOT_FOUND,
            "Không tìm thấy phiếu khảo sát",
            "Đường dẫn không đúng hoặc đã bị sao chép thiếu. Vui lòng kiểm tra lại đường dẫn trong tin nhắn mời.".into(),
        )),
        FormLookup::Used(at) => Some((
            StatusCode::CONFLICT,
            "Phiếu này đã được trả lời",
            format!(
                "Phiếu khảo sát theo đường dẫn này đã được trả lời lúc {}. Mỗi đường dẫn chỉ dùng được một lần. Xin cảm ơn ông/bà!",
                vn_datetime(*at)
            ),
        )),
        FormLookup::Closed(s) if s.status() == chiso_store::surveys::SurveyStatus::Draft => Some((
            StatusCode::GONE,
            "Khảo sát chưa mở",
            format!("Khảo sát \"{}\" của {} chưa bắt đầu nhận câu trả lời. Vui lòng quay lại sau.", s.title, s.unit_name),
        )),
        FormLookup::Closed(s) => Some((
            StatusCode::GONE,
            "Khảo sát đã kết thúc",
            format!(
                "Khảo sát \"{}\" của {} đã kết thúc và không nhận thêm câu trả lời. Xin cảm ơn ông/bà đã quan tâm.",
                s.title, s.unit_name
            ),
        )),
        FormLookup::Open(_) => None,
    }
}

/// The open form of a token, or the page saying why there is none.
async fn open_form(state: &AppState, token: &str) -> Result<Result<Box<FormContext>, Response>, PageError> {
    let lookup = chiso_app::surveys::form(&state.app, token).await?;
    if let Some((status, heading, text)) = lookup_message(&lookup) {
        return message_page(status, heading, &text, false).map(Err);
    }
    match lookup {
        FormLookup::Open(ctx) => Ok(Ok(ctx)),
        _ => message_page(StatusCode::NOT_FOUND, "Không tìm thấy phiếu khảo sát", "", false).map(Err),
    }
}

pub(super) async fn form_page(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Result<Response, PageError> {
    let ctx = match open_form(&state, &token).await? {
        Ok(ctx) => ctx,
        Err(page) => return Ok(page),
    };
    let csrf = match cookie(&headers, FORM_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => t.to_string(),
        _ => random_hex(),
    };
    render_form(&ctx, &token, &csrf, &HashMap::new(), &HashMap::new(), None, StatusCode::OK, state.secure_cookies)
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    ctx: &FormContext,
    token: &str,
    csrf: &str,
    given: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    error: Option<String>,
    status: StatusCode,
    secure: bool,
) -> Result<Response, PageError> {
    let page = FormPage {
        title: ctx.survey.title.clone(),
        unit_name: ctx.unit_name.clone(),
        group: ctx.group_code.clone(),
        questions: questions(ctx, given, errors),
        csrf: csrf.to_string(),
        token: token.to_string(),
        error,
    };
    let mut resp = (status, Html(page.render()?)).into_response();
    resp.headers_mut().append(SET_COOKIE, form_cookie(csrf, secure));
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(super) async fn form_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let ctx = match open_form(&state, &token).await? {
        Ok(ctx) => ctx,
        Err(page) => return Ok(page),
    };
    let secure = state.secure_cookies;
    // Double-submit CSRF: the hidden field must repeat the cookie set with the form (and the token in the
    // path is the credential itself).
    let cookie_token = cookie(&headers, FORM_CSRF_COOKIE).unwrap_or("");
    let field_token = fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    let answers: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != "csrf").cloned().collect();
    let given: HashMap<String, String> = answers.iter().cloned().collect();
    if cookie_token.is_empty() || !constant_time_eq(cookie_token.as_bytes(), field_token.as_bytes()) {
        return render_form(
            &ctx,
            &token,
            &random_hex(),
            &given,
            &HashMap::new(),
            Some("Phiên trả lời đã hết hạn hoặc trình duyệt chặn cookie. Các câu trả lời của ông/bà vẫn còn bên dưới: vui lòng bấm \"Gửi phiếu\" lại.".into()),
            StatusCode::FORBIDDEN,
            secure,
        );
    }
    match chiso_app::surveys::submit_form(&state.app, &ctx, &token, &answers).await {
        Ok(_) => {
            let mut resp = Redirect::to(&format!("/s/{token}/done")).into_response();
            resp.headers_mut().append(SET_COOKIE, form_cookie("", secure));
            Ok(resp)
        }
        Err(SubmitError::ForeignQuestion) => message_page(
            StatusCode::BAD_REQUEST,
            "Phiếu không hợp lệ",
            "Phiếu gửi lên có câu hỏi không thuộc bảng hỏi. Vui lòng mở lại đường dẫn và trả lời lại.",
            false,
        ),
        Err(SubmitError::Answers(problems)) => {
            let errors: HashMap<String, String> = problems.into_iter().map(|(code, p)| (code, p.to_string())).collect();
            render_form(
                &ctx,
                &token,
                field_token,
                &given,
                &errors,
                Some(format!(
                    "Còn {} câu chưa trả lời hoặc trả lời chưa hợp lệ (đánh dấu đỏ bên dưới). Phiếu chưa được gửi.",
                    errors.len()
                )),
                StatusCode::UNPROCESSABLE_ENTITY,
                secure,
            )
        }
        Err(SubmitError::Conflict(m)) => message_page(StatusCode::CONFLICT, "Không gửi được phiếu", &format!("{m}."), false),
        Err(SubmitError::Refused(m)) => render_form(
            &ctx,
            &token,
            field_token,
            &given,
            &HashMap::new(),
            Some(format!("Phiếu chưa được gửi: {m}.")),
            StatusCode::UNPROCESSABLE_ENTITY,
            secure,
        ),
        Err(SubmitError::Store(e)) => Err(e.into()),
    }
}

pub(super) async fn form_done(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    match chiso_app::surveys::form(&state.app, &token).await? {
        FormLookup::Used(_) => message_page(
            StatusCode::OK,
            "Xin cảm ơn ông/bà!",
            "Câu trả lời của ông/bà đã được ghi nhận. Ý kiến của ông/bà giúp chính quyền địa phương phục vụ người dân tốt hơn.",
            true,
        ),
        FormLookup::Open(_) => Ok(Redirect::to(&format!("/s/{token}")).into_response()),
        other => {
            let (status, heading, text) =
                lookup_message(&other).unwrap_or((StatusCode::NOT_FOUND, "Không tìm thấy phiếu khảo sát", String::new()));
            message_page(status, heading, &text, false)
        }
    }
}
