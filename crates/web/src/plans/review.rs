//! The assignment review page of a plan: the owners read from the document, each with its evidence, pick
//! lists of the unit's agencies and of the plan framework's nodes, and confirmation.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc, OwnerChoice, ReviewDecision, ReviewItem};
use chiso_store::plans::Plan;
use chiso_store::units::Agency;

#[derive(Template)]
#[template(path = "plan_review.html")]
struct ReviewPage {
    b: crate::pages::Base,
    plan: Plan,
    agencies: Vec<Agency>,
    nodes: Vec<(String, String)>,
    items: Vec<ReviewItem>,
    total: usize,
}

impl ReviewPage {
    fn confidence(&self, c: &Option<f64>) -> String {
        c.map(|c| format!("{}%", (c * 100.0).round())).unwrap_or_default()
    }
    fn has_node(&self, it: &ReviewItem, code: &str) -> bool {
        it.task.nodes.iter().any(|n| n == code)
    }
}

pub async fn review_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    let r = uc::owner_review(&state.app, &me.scope, id).await?;
    let page = ReviewPage {
        b: me.base(&format!("Rà soát phân công — {}", r.plan.title), "plans"),
        plan: r.plan,
        agencies: r.agencies,
        nodes: r.nodes,
        items: r.pending,
        total: r.total,
    };
    Ok(Html(page.render()?))
}

/// The form: `csrf`, and per task `ver_<id>` (its version), `lead_<id>` ("a<agency id>", "as_written" or
/// "none"), `nodes_<id>` (one per chosen framework node, with `nodes_sent_<id>` saying the list was on the
/// page, so that choosing none clears them) and `ok_<id>` when the person confirms that task.
pub async fn review_submit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    me.check_csrf(get("csrf").unwrap_or_default())?;
    let mut decisions = Vec::new();
    for (name, _) in fields.iter().filter(|(n, _)| n.starts_with("ok_")) {
        let Ok(task_id) = name["ok_".len()..].parse::<i64>() else { continue };
        let version = get(&format!("ver_{task_id}")).and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
        let lead = match get(&format!("lead_{task_id}")).unwrap_or("as_written") {
            "none" => OwnerChoice::None,
            "as_written" => OwnerChoice::AsWritten,
            v => match v.strip_prefix('a').and_then(|n| n.parse::<i64>().ok()) {
                Some(a) => OwnerChoice::Agency(a),
                None => OwnerChoice::AsWritten,
            },
        };
        let key = format!("nodes_{task_id}");
        let nodes = get(&format!("nodes_sent_{task_id}"))
            .map(|_| fields.iter().filter(|(n, _)| *n == key).map(|(_, v)| v.clone()).collect::<Vec<_>>());
        decisions.push(ReviewDecision { task_id, lead, nodes, version });
    }
    uc::confirm_owners(&state.app, &me.scope, id, &decisions).await?;
    Ok(Redirect::to(&format!("/plans/{id}/review")).into_response())
}
