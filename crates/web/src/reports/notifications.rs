//! The caller's notifications, and marking them all read.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    b: crate::pages::Base,
    items: Vec<(String, chiso_store::notifications::Notification)>,
}

pub async fn notifications(State(state): State<AppState>, me: CurrentUser) -> Result<Html<String>, PageError> {
    let items =
        state.app.reports().notifications(&me.scope).await?.into_iter().map(|n| (crate::pages::format_ms(n.created_at), n)).collect();
    Ok(Html(NotificationsPage { b: me.base("Thông báo", "notifications"), items }.render()?))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn notifications_read(State(state): State<AppState>, me: CurrentUser, Form(f): Form<CsrfOnly>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.app.reports().mark_notifications_read(&me.scope).await?;
    Ok(Redirect::to("/notifications").into_response())
}
