//! The assignment review page of a plan: the owners read from the document, each with its evidence, pick
//! lists of the unit's agencies (lead and coordinators) and of the plan framework's nodes, and confirmation.
//! A refused choice shows the page again (422) with everything as chosen and the reason beside the field.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::form::{FormState, form_again};
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc, OwnerChoice, ReviewDecision, ReviewError, ReviewItem};
use chiso_store::plans::Plan;
use chiso_store::units::Agency;

#[derive(Template)]
#[template(path = "plan_review.html")]
struct ReviewPage {
    b: crate::pages::Base,
    plan: Plan,
    agencies: Vec<Agency>,
    unit_name: String,
    nodes: Vec<(String, String)>,
    items: Vec<ReviewItem>,
    total: usize,
    /// The form as posted after a refusal (empty on a GET) and the errors by field (`lead_ID`, `coord_ID`,
    /// `nodes_ID`).
    form: FormState,
}

impl ReviewPage {
    fn confidence(&self, c: &Option<f64>) -> String {
        c.map(|c| format!("{}%", (c * 100.0).round())).unwrap_or_default()
    }
    fn has_node(&self, it: &ReviewItem, code: &str) -> bool {
        self.form.picked(&format!("nodes_{}", it.task.row.id), code, &it.task.nodes)
    }
    fn lead_is(&self, it: &ReviewItem, value: &str) -> bool {
        let stored = match it.task.row.lead_agency_id {
            Some(id) if self.agencies.iter().any(|a| a.id == id) => format!("a{id}"),
            _ => "as_written".to_string(),
        };
        self.form.chosen(&format!("lead_{}", it.task.row.id), value, &stored)
    }
    fn coord_is(&self, it: &ReviewItem, value: &str) -> bool {
        self.form.picked(&format!("coord_{}", it.task.row.id), value, &it.coordinating_values)
    }
    fn confirmed(&self, it: &ReviewItem) -> bool {
        self.form.get(&format!("ok_{}", it.task.row.id)).is_some()
    }
    fn error_of(&self, field: &str, it: &ReviewItem) -> String {
        self.form.error_of(&format!("{field}_{}", it.task.row.id)).to_string()
    }
    /// Posted values a task's list does not offer (a refused agency or code), kept on the page.
    fn unknown(&self, field: &str, it: &ReviewItem) -> Vec<String> {
        let name = format!("{field}_{}", it.task.row.id);
        let agencies: Vec<String> = self.agencies.iter().map(|a| format!("a{}", a.id)).collect();
        let known: Vec<&str> = match field {
            "nodes" => self.nodes.iter().map(|(c, _)| c.as_str()).collect(),
            "lead" => agencies.iter().map(String::as_str).chain(["as_written", "none"]).collect(),
            _ => agencies.iter().map(String::as_str).chain(it.written.iter().map(|o| o.value.as_str())).collect(),
        };
        self.form.unknown(&name, &known)
    }
}

async fn render(state: &AppState, me: &CurrentUser, id: i64, form: FormState) -> Result<String, PageError> {
    let r = uc::owner_review(&state.app, &me.scope, id).await?;
    let page = ReviewPage {
        b: me.base(&format!("Rà soát phân công — {}", r.plan.title), "plans"),
        plan: r.plan,
        agencies: r.agencies,
        unit_name: r.unit_name,
        nodes: r.nodes,
        items: r.pending,
        total: r.total,
        form,
    };
    Ok(page.render()?)
}

pub async fn review_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    render(&state, &me, id, FormState::empty()).await.map(Html)
}

/// The form: `csrf`, and per task `ver_<id>` (its version), `lead_<id>` ("a<agency id>", "as_written" or
/// "none"), `coord_<id>` (one per chosen coordinating agency, with `coord_sent_<id>`), `nodes_<id>` (one per
/// chosen framework node, with `nodes_sent_<id>` saying the list was on the page, so that choosing none
/// clears them) and `ok_<id>` when the person confirms that task.
pub async fn review_submit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let all = |k: &str| fields.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    me.check_csrf(get("csrf").unwrap_or_default())?;
    let mut decisions = Vec::new();
    for (name, _) in fields.iter().filter(|(n, _)| n.starts_with("ok_")) {
        let Ok(task_id) = name["ok_".len()..].parse::<i64>() else { continue };
        let version = get(&format!("ver_{task_id}")).and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
        let lead = match get(&format!("lead_{task_id}")).unwrap_or("as_written") {
            "none" => OwnerChoice::None,
            "as_written" => OwnerChoice::AsWritten,
            v => match chiso_core::agency::pick_id(v) {
                Some(a) => OwnerChoice::Agency(a),
                None => OwnerChoice::Named(v.to_string()),
            },
        };
        let nodes = get(&format!("nodes_sent_{task_id}")).map(|_| all(&format!("nodes_{task_id}")));
        let coordinating = get(&format!("coord_sent_{task_id}")).map(|_| all(&format!("coord_{task_id}")));
        decisions.push(ReviewDecision { task_id, lead, nodes, coordinating, version });
    }
    match uc::confirm_owners(&state.app, &me.scope, id, &decisions).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}/review")).into_response()),
        Err(ReviewError::Refused(refusals)) => {
            let mut form = FormState::posted(fields.iter().cloned());
            for r in refusals {
                let field = match r.field {
                    "coordinating" => "coord",
                    f => f,
                };
                form.field_error(&format!("{field}_{}", r.task_id), r.message);
            }
            Ok(form_again(StatusCode::UNPROCESSABLE_ENTITY, render(&state, &me, id, form).await?))
        }
        Err(ReviewError::Store(e)) => Err(e.into()),
    }
}
