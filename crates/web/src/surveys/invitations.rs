//! Creating invitations, and the print page of the unused ones with their QR codes.

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
            let html =
                render_detail(&state, &me, &headers, id, None, Some(format!("Số phiếu mời \"{}\" không phải là số", f.count))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    match chiso_app::surveys::invite(&state.app, &me.scope, id, &f.unit, &f.group, count).await {
        Ok(v) => Ok(Redirect::to(&format!("/surveys/{id}?invited={}", v.len())).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let html = render_detail(&state, &me, &headers, id, None, Some(format!("Không tạo được phiếu mời: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

struct PrintCard {
    unit_name: String,
    group: String,
    link: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "survey_invitations.html")]
struct PrintPage {
    b: Base,
    survey: Survey,
    cards: Vec<PrintCard>,
}

pub(super) async fn print_invitations(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let survey = state.store.survey(&me.scope, id).await?;
    let invitations = chiso_app::surveys::invitations(&state.app, &me.scope, id, &links_base(&state, &headers)).await?;
    let cards = invitations
        .unused()
        .map(|(i, link)| PrintCard {
            unit_name: i.unit_name.clone(),
            group: group_label(i.group_code.as_deref()),
            qr: qr_svg(link).unwrap_or_default(),
            link: link.clone(),
        })
        .collect();
    let page = PrintPage { b: me.base(&format!("Phiếu mời – {}", survey.title), "surveys"), survey, cards };
    Ok(Html(page.render()?))
}
