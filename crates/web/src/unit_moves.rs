//! "Sắp xếp đơn vị sau sáp nhập" (`/units/moves`): the page a Sở Nội vụ official or an administrator uses
//! after a reform to move each closed unit's accounts and history to its successor — one line at a time
//! (a divided commune: pick the successor), or every closed unit with exactly one successor in one
//! transaction. HTTP only: the use case is `chiso_app::units` (the same as `chiso units move`), the store
//! enforces the scope (a province official sees and moves only units of its subtree) and audits each move.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::extract::PageQuery;
use crate::lists::{ListFilters, ListNav, ListQuery};
use crate::render::Base;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chiso_core::list::Paged;
use chiso_store::units::{MoveSummary, PendingColumn, PendingFilter, PendingMove};
use serde::Deserialize;
use std::collections::HashMap;

/// The list's query (shown back as typed, kept by the forms of the page).
#[derive(Deserialize, Default, Clone)]
pub struct MovesQuery {
    #[serde(default)]
    pub q: String,
    /// Sort and page.
    #[serde(flatten)]
    pub list: ListQuery,
}

impl ListFilters for MovesQuery {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![("q", self.q.clone())]
    }
}

/// A successor offered on a line.
pub struct SuccessorView {
    pub code: String,
    pub label: String,
    /// The main (or whole) successor: selected first.
    pub main: bool,
}

/// One closed unit on the page.
pub struct MoveRow {
    pub code: String,
    pub name: String,
    pub level: String,
    /// Its last day, dd/mm/yyyy.
    pub closed: String,
    /// Its last day, ISO: which unit with this code the form names (a code may name several over time).
    pub on: String,
    pub accounts: i64,
    pub plans: i64,
    pub reports: i64,
    pub placed: bool,
    /// Successors the caller may move it to.
    pub choices: Vec<SuccessorView>,
    /// Why there is no button, when there is none.
    pub note: Option<String>,
}

/// A unit moved, as the result shows it.
pub struct MovedLine {
    pub from: String,
    pub to: String,
    pub users: Vec<String>,
    pub agencies_moved: usize,
    pub agencies_joined: usize,
    pub plans: i64,
    pub reports: i64,
    pub unchanged: bool,
}

/// What a move (one line or the batch) did.
pub struct MoveResult {
    pub title: String,
    pub lines: Vec<MovedLine>,
    /// Closed units the batch left for a person.
    pub left: usize,
}

#[derive(Template)]
#[template(path = "unit_moves.html")]
struct MovesPage {
    b: Base,
    rows: Vec<MoveRow>,
    q: MovesQuery,
    nav: ListNav,
    errors: Vec<String>,
    result: Option<MoveResult>,
}

fn share_label(me: &CurrentUser, share: &str, main: i32) -> &'static str {
    me.lang.t(match (share, main) {
        ("whole", _) => "share_whole",
        (_, 1) => "share_main",
        _ => "share_part",
    })
}

fn rows_of(me: &CurrentUser, items: Vec<PendingMove>, levels: &HashMap<String, String>) -> Vec<MoveRow> {
    items
        .into_iter()
        .map(|p| {
            let choices: Vec<SuccessorView> = p
                .successors
                .iter()
                .filter(|s| s.in_scope)
                .map(|s| SuccessorView {
                    code: s.code.clone(),
                    label: format!("{} ({}, {})", s.name, s.code, share_label(me, &s.share, s.main)),
                    main: s.share == "whole" || s.main == 1,
                })
                .collect();
            let note = if p.successors.is_empty() {
                Some("Chưa ghi nhận đơn vị kế thừa: hãy bổ sung bằng việc sắp xếp đơn vị (chiso units reform) trước.".to_string())
            } else if choices.is_empty() {
                let names: Vec<String> = p.successors.iter().map(|s| format!("{} ({})", s.name, s.code)).collect();
                Some(format!("Đơn vị kế thừa {} nằm ngoài phạm vi của bạn: cần cấp trên thực hiện.", names.join(", ")))
            } else {
                None
            };
            let on = p.unit.valid_to.clone().unwrap_or_default();
            MoveRow {
                level: levels.get(&p.unit.level).cloned().unwrap_or_else(|| p.unit.level.clone()),
                closed: crate::labels::table_date(&on),
                on,
                code: p.unit.code,
                name: p.unit.name,
                accounts: p.accounts,
                plans: p.plans,
                reports: p.reports,
                placed: p.placed,
                choices,
                note,
            }
        })
        .collect()
}

fn moved_line(s: MoveSummary) -> MovedLine {
    MovedLine {
        from: format!("{} ({})", s.from.name, s.from.code),
        to: format!("{} ({})", s.to.name, s.to.code),
        users: s.users,
        agencies_moved: s.agencies_moved,
        agencies_joined: s.agencies_joined,
        plans: s.plans,
        reports: s.reports,
        unchanged: s.unchanged,
    }
}

/// The page with `errors` and `result`, answered with `status`.
async fn render(
    state: &AppState,
    me: &CurrentUser,
    q: MovesQuery,
    mut errors: Vec<String>,
    result: Option<MoveResult>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (page, sort) = q.list.parse(PendingColumn::DEFAULT, &mut errors);
    let filter = PendingFilter { text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()) };
    let paged = chiso_app::units::pending(&state.app, &me.scope, &filter, sort, page).await?;
    let levels: HashMap<String, String> = state.store.unit_levels().await?.into_iter().map(|l| (l.code, l.name_vi)).collect();
    let nav = ListNav::of("/units/moves", &q, sort, PendingColumn::DEFAULT, &paged);
    let Paged { items, .. } = paged;
    let status = if status == StatusCode::OK && !errors.is_empty() { StatusCode::BAD_REQUEST } else { status };
    let page = MovesPage { b: me.base(me.lang.t("unit_moves"), "units"), rows: rows_of(me, items, &levels), q, nav, errors, result };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(State(state): State<AppState>, me: CurrentUser, PageQuery(q): PageQuery<MovesQuery>) -> Result<Response, PageError> {
    render(&state, &me, q, Vec::new(), None, StatusCode::OK).await
}

/// A move's refusal that the person can fix on the page (wrong successor, unit still in force …): shown on the
/// page. Anything else (out of scope, not allowed, not found) is the error page.
async fn refused(state: &AppState, me: &CurrentUser, q: MovesQuery, e: AppError) -> Result<Response, PageError> {
    let status = e.status();
    if status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST {
        render(state, me, q, vec![format!("Không chuyển được: {e}. Không có gì thay đổi.")], None, status).await
    } else {
        Err(e.into())
    }
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    /// The closed unit's last day (which unit with the code).
    #[serde(default)]
    on: String,
    /// The successor's code.
    #[serde(default)]
    to: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

const NOT_CONFIRMED: &str = "Chưa xác nhận: hãy đánh dấu ô xác nhận bên cạnh nút chuyển rồi bấm lại.";

/// Move one closed unit (`/units/{code}/move`, the unit that had the code on `on`) to the chosen successor.
pub async fn move_one(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<MoveForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let q = MovesQuery { q: f.q, list: ListQuery { page: f.page, ..Default::default() } };
    if f.confirm != "1" {
        // Still refuse what the caller may not do at all before asking for the confirmation.
        state.store.unit_by_code_on(&me.scope, &code, f.on.trim()).await.map_err(AppError::from)?;
        return render(&state, &me, q, vec![NOT_CONFIRMED.to_string()], None, StatusCode::BAD_REQUEST).await;
    }
    if f.to.trim().is_empty() || f.on.trim().is_empty() {
        return refused(&state, &me, q, AppError::BadRequest(format!("đơn vị {code}: chưa chọn đơn vị kế thừa"))).await;
    }
    match chiso_app::units::move_one(&state.app, &me.scope, &code, &f.on, &f.to).await {
        Ok(s) => {
            let title = if s.unchanged {
                format!("{} ({}) đã được chuyển từ trước; không thay đổi gì.", s.from.name, s.from.code)
            } else {
                format!("Đã chuyển {} ({}) về {} ({}).", s.from.name, s.from.code, s.to.name, s.to.code)
            };
            let result = MoveResult { title, lines: vec![moved_line(s)], left: 0 };
            render(&state, &me, q, Vec::new(), Some(result), StatusCode::OK).await
        }
        Err(e) => refused(&state, &me, q, e.into()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct BatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

/// Move every closed unit within the scope with exactly one successor, in one transaction.
pub async fn move_all(State(state): State<AppState>, me: CurrentUser, Form(f): Form<BatchForm>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    if !me.scope.can(chiso_core::access::Permission::ManageUnits) {
        return Err(
            AppError::Store(chiso_store::StoreError::Forbidden(chiso_core::access::Permission::ManageUnits.name_vi().into())).into()
        );
    }
    if f.confirm != "1" {
        return render(&state, &me, MovesQuery::default(), vec![NOT_CONFIRMED.to_string()], None, StatusCode::BAD_REQUEST).await;
    }
    match chiso_app::units::move_all_single(&state.app, &me.scope).await {
        Ok(b) => {
            let accounts = b.accounts();
            let title = if b.moved.is_empty() {
                "Không có đơn vị nào chỉ có một đơn vị kế thừa để chuyển; không thay đổi gì.".to_string()
            } else {
                format!("Đã chuyển {} đơn vị (chỉ có một đơn vị kế thừa) và {accounts} tài khoản, trong một lần.", b.moved.len())
            };
            let left = b.left.len();
            let result = MoveResult { title, lines: b.moved.into_iter().map(moved_line).collect(), left };
            render(&state, &me, MovesQuery::default(), Vec::new(), Some(result), StatusCode::OK).await
        }
        Err(e) => refused(&state, &me, MovesQuery::default(), e.into()).await,
    }
}
