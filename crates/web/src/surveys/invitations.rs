//! Creating invitations — the answer is the sheet of their links and QR codes, shown this once (only a hash
//! of each token is stored) — and withdrawing the unanswered ones.

use super::detail::render_detail;
use super::render::{group_label, links_base, qr_svg};
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::pages::Base;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_store::StoreError;
use chiso_store::surveys::Survey;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct InviteForm {
    csrf: String,
    unit: String,
    #[serde(default)]
    group: String,
    count: String,
}

pub(super) async fn invite(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let count: usize = match f.count.trim().parse() {
        Ok(n) => n,
        Err(_) => {
            let html = render_detail(&state, &me, id, None, Some(format!("Số phiếu mời \"{}\" không phải là số", f.count))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let base = links_base(&state, &headers);
    match chiso_app::surveys::invite(&state.app, &me.scope, id, &f.unit, &f.group, count, &base).await {
        // The links exist only now (the store keeps a hash of each token): the answer is the sheet to print
        // or copy, not a redirect to a page that could no longer show them.
        Ok(issued) => {
            let survey = state.store.survey(&me.scope, id).await?;
            let links = issued.iter().map(|i| i.link.as_str()).collect::<Vec<_>>().join("\n");
            let cards = issued
                .into_iter()
                .map(|i| PrintCard {
                    unit_name: i.invitation.unit_name,
                    group: group_label(i.invitation.group_code.as_deref()),
                    qr: qr_svg(&i.link).unwrap_or_default(),
                    link: i.link,
                })
                .collect();
            let page = IssuedPage { b: me.base(&format!("Phiếu mời – {}", survey.title), "surveys"), survey, cards, links };
            // Working links: kept out of every cache.
            let mut resp = Html(page.render()?).into_response();
            resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(resp)
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let html = render_detail(&state, &me, id, None, Some(format!("Không tạo được phiếu mời: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

/// Withdraw the survey's unanswered invitations.
pub(super) async fn revoke_unused(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let n = chiso_app::surveys::revoke_unused(&state.app, &me.scope, id).await?;
    Ok(Redirect::to(&format!("/surveys/{id}?revoked={n}#invitations")).into_response())
}

struct PrintCard {
    unit_name: String,
    group: String,
    link: String,
    qr: String,
}

/// The invitations just made: their links and QR codes, shown this once.
#[derive(Template)]
#[template(path = "survey_invitations.html")]
struct IssuedPage {
    b: Base,
    survey: Survey,
    cards: Vec<PrintCard>,
    /// One link a line, to copy.
    links: String,
}
