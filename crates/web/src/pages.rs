//! Long (~850 lines): the small pages without a folder of their own (home, units, frameworks, accounts, audit
//! log with its filters and CSV); to be split into `units` and `accounts` modules as they grow.
//! HTML pages: home, units, frameworks, accounts, audit.

use crate::audit::AuditLine;
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::extract::PageQuery;
use crate::i18n::Lang;
use crate::lists::{ListFilters, ListNav, ListQuery};
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_core::access::{Permission, Reach, Role};
use chiso_core::audit::{ActionKind, EntityKind};
use chiso_core::framework::{Framework, Node};
use chiso_core::list::{DateRange, PageRequest, Paged, Sort};
use chiso_core::text::fold;
use chiso_store::accounts::{UserColumn, UserFilter};
use chiso_store::audit::{AuditColumn, AuditEntry, AuditFilter};
use chiso_store::units::{Agency, NewUnit, Related, Unit, UnitLevel};
use serde::Deserialize;
use std::collections::HashMap;

pub use crate::render::Base;

/// A unit as a row of the tree, with its depth for indentation.
pub struct TreeRow {
    pub unit: Unit,
    pub depth: usize,
    pub level_name: String,
    pub in_force: bool,
}

/// Units as a tree: children under their parent, sorted by name (diacritic-folded), depth-first.
pub fn tree_rows(units: Vec<Unit>, levels: &[UnitLevel], lang: Lang, today: time::Date) -> Vec<TreeRow> {
    let level_names: HashMap<&str, String> =
        levels.iter().map(|l| (l.code.as_str(), if lang == Lang::En { l.name_en.clone() } else { l.name_vi.clone() })).collect();
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Unit>> = HashMap::new();
    for u in units {
        // A unit whose parent is outside the list is shown as a root.
        let key = u.parent_id.filter(|p| ids.contains(p));
        children.entry(key).or_default().push(u);
    }
    for v in children.values_mut() {
        v.sort_by_key(|u| (u.valid_to.is_some(), fold(&u.name)));
    }
    let today = chiso_core::unit::format_date(today);
    let mut out = Vec::new();
    fn walk(
        key: Option<i64>,
        depth: usize,
        children: &mut HashMap<Option<i64>, Vec<Unit>>,
        out: &mut Vec<TreeRow>,
        names: &HashMap<&str, String>,
        today: &str,
    ) {
        let Some(list) = children.remove(&key) else { return };
        for u in list {
            let id = u.id;
            let level_name = names.get(u.level.as_str()).cloned().unwrap_or_else(|| u.level.clone());
            let in_force = u.in_force_on(today);
            out.push(TreeRow { unit: u, depth, level_name, in_force });
            walk(Some(id), depth + 1, children, out, names, today);
        }
    }
    walk(None, 0, &mut children, &mut out, &level_names, &today);
    out
}

// ---------- home ----------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    b: Base,
    role_name: String,
    unit_name: String,
    scope_text: String,
    permissions: Vec<&'static str>,
    unit_count: usize,
    frameworks: Vec<FrameworkSummary>,
    /// The user's unit is closed (a merger or the 2025 reform): where it went.
    moved: Option<Moved>,
    /// "Việc của tôi", which the home page opens with.
    w: crate::my_work::MyWorkView,
}

/// A closed unit and where its area went, read from the store's successor links.
pub struct Moved {
    pub name: String,
    /// "ngày 30 tháng 6 năm 2025": the last day the unit was in force.
    pub last_day: String,
    pub to: Vec<RelatedRow>,
}

/// A unit related by a merger or division, for display.
pub struct RelatedRow {
    pub code: String,
    pub name: String,
    /// Link to exactly that unit (`?on=` its first day: a code may name several units over time).
    pub href: String,
    pub share: &'static str,
}

fn related_rows(rows: Vec<Related>, lang: Lang) -> Vec<RelatedRow> {
    rows.into_iter()
        .map(|r| RelatedRow {
            href: format!("/units/{}?on={}", r.code, r.valid_from),
            share: lang.t(match (r.share.as_str(), r.main) {
                ("whole", _) => "share_whole",
                (_, 1) => "share_main",
                _ => "share_part",
            }),
            code: r.code,
            name: r.name,
        })
        .collect()
}

/// Where a unit went, if it is closed on `today`; None while it is in force.
async fn moved(state: &AppState, me: &CurrentUser, unit: &Unit, today: &str) -> Result<Option<Moved>, AppError> {
    let Some(last) = unit.valid_to.as_deref().filter(|t| *t < today) else { return Ok(None) };
    let to = related_rows(state.store.successors_of(&me.scope, unit.id).await?, me.lang);
    let last_day = chiso_core::unit::parse_date(last).map(chiso_core::text::vn_date_long).unwrap_or_else(|| last.to_string());
    Ok(Some(Moved { name: unit.name.clone(), last_day, to }))
}

pub struct FrameworkSummary {
    pub code: String,
    pub name: String,
    pub family: String,
    pub years: String,
    pub reference: String,
    pub node_count: usize,
}

fn summarize(fw: &Framework, lang: Lang) -> FrameworkSummary {
    FrameworkSummary {
        code: fw.code.clone(),
        name: if lang == Lang::En { fw.name_en.clone() } else { fw.name_vi.clone() },
        family: format!("{:?}", fw.family).to_uppercase(),
        years: fw.years.to_string(),
        reference: fw.reference.clone(),
        node_count: fw.root().walk().len().saturating_sub(1),
    }
}

pub async fn home(State(state): State<AppState>, me: CurrentUser) -> Result<Html<String>, PageError> {
    let units = state.store.units(&me.scope).await?;
    let today = chiso_core::unit::format_date(state.app.today());
    let (unit_name, moved) = match me.user.unit_id {
        Some(id) => {
            let unit = state.store.unit_by_id(&me.scope, id).await?;
            let moved = moved(&state, &me, &unit, &today).await?;
            (unit.name, moved)
        }
        None => ("Toàn hệ thống".to_string(), None),
    };
    let scope_text = match &me.scope.reach {
        Reach::All => "Toàn bộ các đơn vị trong hệ thống".to_string(),
        Reach::Subtree { .. } => format!("{unit_name} và các đơn vị trực thuộc"),
    };
    let permissions = [
        Permission::View,
        Permission::ManageUnits,
        Permission::ManageUsers,
        Permission::EditPlans,
        Permission::UpdateTasks,
        Permission::SelfScore,
        Permission::Appraise,
        Permission::Approve,
    ]
    .into_iter()
    .filter(|p| me.scope.can(*p))
    .map(|p| p.name_vi())
    .collect();
    // The units are a link (the page is "Việc của tôi"), with how many the account reaches.
    let unit_count = units.len();
    let w = crate::my_work::view_of(&state, &me).await?;
    let page = HomePage {
        w,
        b: me.base(me.lang.t("home"), "home"),
        role_name: crate::labels::role(me.lang, me.user.role()).to_string(),
        unit_name,
        scope_text,
        permissions,
        unit_count,
        frameworks: state.frameworks.frameworks().iter().map(|f| summarize(f, me.lang)).collect(),
        moved,
    };
    Ok(Html(page.render()?))
}

// ---------- units ----------

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    b: Base,
    rows: Vec<TreeRow>,
    levels: Vec<UnitLevel>,
    q: String,
    level: String,
    show_closed: bool,
    total: usize,
    can_manage: bool,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct UnitsQuery {
    q: Option<String>,
    level: Option<String>,
    closed: Option<String>,
    msg: Option<String>,
}

pub async fn units(State(state): State<AppState>, me: CurrentUser, Query(q): Query<UnitsQuery>) -> Result<Html<String>, PageError> {
    render_units(&state, &me, q, Vec::new()).await
}

async fn render_units(state: &AppState, me: &CurrentUser, q: UnitsQuery, errors: Vec<String>) -> Result<Html<String>, PageError> {
    let all = state.store.units(&me.scope).await?;
    let total = all.len();
    let levels = state.store.unit_levels().await?;
    let show_closed = q.closed.as_deref() == Some("1");
    let text = q.q.clone().unwrap_or_default();
    let level = q.level.clone().unwrap_or_default();
    let filtering = !text.trim().is_empty() || !level.is_empty();
    let mut rows = tree_rows(all, &levels, me.lang, state.app.today());
    if !show_closed {
        rows.retain(|r| r.in_force);
    }
    if filtering {
        let key = fold(&text);
        rows.retain(|r| {
            (key.is_empty() || fold(&r.unit.name).contains(&key) || r.unit.code == text.trim())
                && (level.is_empty() || r.unit.level == level)
        });
    }
    let page = UnitsPage {
        b: me.base(me.lang.t("units"), "units"),
        rows,
        levels,
        q: text,
        level,
        show_closed,
        total,
        can_manage: me.scope.can(Permission::ManageUnits),
        message: q.msg,
        errors,
    };
    Ok(Html(page.render()?))
}

pub async fn units_export(State(state): State<AppState>, me: CurrentUser) -> Result<Response, PageError> {
    let csv = state.store.export_units_csv(&me.scope).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"don-vi.csv\"")], csv)
        .into_response())
}

/// Unit CSV upload: at most 5 MB, UTF-8 text.
pub const UNIT_CSV_LIMIT: usize = chiso_core::limits::MAX_UNIT_CSV_BYTES;

pub async fn units_import(
    State(state): State<AppState>,
    me: CurrentUser,
    mut multipart: crate::extract::Upload,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field("biểu mẫu tải lên không hợp lệ").await? {
        match field.name() {
            Some("csrf") => csrf = field.text().await?,
            Some("file") => {
                let name = field.file_name().unwrap_or("tệp").to_string();
                let bytes = field.bytes().await.map_err(AppError::multipart)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    me.check_csrf(&csrf)?;
    let Some((name, bytes)) = file else { return Err(AppError::BadRequest("chưa chọn tệp CSV".into()).into()) };
    if bytes.len() > UNIT_CSV_LIMIT {
        return Err(AppError::BadRequest(format!(
            "tệp '{name}' quá lớn ({} byte, tối đa {} MB)",
            bytes.len(),
            UNIT_CSV_LIMIT / chiso_core::limits::MB
        ))
        .into());
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(AppError::BadRequest(format!("tệp '{name}' không phải văn bản UTF-8 (hãy lưu CSV dạng UTF-8)")).into());
    };
    match state.store.import_units_csv(&me.scope, &text).await {
        Ok(s) => Ok(Redirect::to(&format!(
            "/units?msg={}",
            crate::auth::urlencode(&format!(
                "Đã nhập '{name}': {} đơn vị mới, {} cập nhật, {} không đổi.",
                s.created, s.updated, s.unchanged
            ))
        ))
        .into_response()),
        Err(chiso_store::units::ImportError::Rows(rows)) => {
            let errors =
                std::iter::once(format!("Tệp '{name}' có lỗi, chưa nhập dòng nào:")).chain(rows.0.iter().map(|e| e.to_string())).collect();
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render_units(&state, &me, UnitsQuery::default(), errors).await?)
                .into_response())
        }
        Err(chiso_store::units::ImportError::Store(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    b: Base,
    unit: Unit,
    level_name: String,
    ancestors: Vec<Unit>,
    children: Vec<TreeRow>,
    agencies: Vec<Agency>,
    successor: Option<Unit>,
    history: Vec<AuditRow>,
    levels: Vec<UnitLevel>,
    can_manage: bool,
    in_force: bool,
    /// "—" for a unit in force since before its list began (stored as 0001-01-01).
    valid_from_text: String,
    formed_from: Vec<RelatedRow>,
    moved: Option<Moved>,
}

#[derive(Deserialize, Default)]
pub struct UnitOnQuery {
    /// The unit that had the code on this day (a code may name several units over time).
    on: Option<String>,
}

/// An audit entry as the history tables show it (a sentence, see [`crate::audit`]).
pub type AuditRow = AuditLine;

pub fn audit_rows(entries: Vec<AuditEntry>, frameworks: &chiso_core::framework::FrameworkSet) -> Vec<AuditRow> {
    crate::audit::lines(entries, frameworks)
}

/// "18/02/2022 14:05" in Vietnam time.
pub fn format_ms(ms: i64) -> String {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!("{} {:02}:{:02}", chiso_core::text::vn_date_short(t.date()), t.hour(), t.minute())
        }
        Err(_) => ms.to_string(),
    }
}

pub async fn unit_detail(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<UnitOnQuery>,
) -> Result<Html<String>, PageError> {
    let unit = match q.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(on) => state.store.unit_by_code_on(&me.scope, &code, on).await?,
        None => state.store.unit_by_code(&me.scope, &code).await?,
    };
    let levels = state.store.unit_levels().await?;
    let ancestors = state.store.unit_ancestors(&me.scope, &unit).await?;
    let all = state.store.units(&me.scope).await?;
    let kids: Vec<Unit> = all.into_iter().filter(|u| u.parent_id == Some(unit.id)).collect();
    let children = tree_rows(kids, &levels, me.lang, state.app.today());
    let agencies = state.store.agencies(&me.scope, unit.id).await?;
    let successor = match unit.successor_id {
        Some(id) => state.store.unit_by_id(&me.scope, id).await.ok(),
        None => None,
    };
    let history = audit_rows(state.store.audit_of(&me.scope, "unit", &unit.code).await?, &state.frameworks);
    let level_name = levels.iter().find(|l| l.code == unit.level).map(|l| l.name_vi.clone()).unwrap_or_else(|| unit.level.clone());
    let today = chiso_core::unit::format_date(state.app.today());
    let in_force = unit.in_force_on(&today);
    let formed_from = related_rows(state.store.predecessors_of(&me.scope, unit.id).await?, me.lang);
    let moved = moved(&state, &me, &unit, &today).await?;
    let valid_from_text = crate::labels::table_date(&unit.valid_from);
    let page = UnitPage {
        valid_from_text,
        formed_from,
        moved,
        b: me.base(&unit.name, "units"),
        level_name,
        ancestors,
        children,
        agencies,
        successor,
        history,
        levels,
        can_manage: me.scope.can(Permission::ManageUnits),
        in_force,
        unit,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct NewUnitForm {
    csrf: String,
    code: String,
    name: String,
    level: String,
    valid_from: String,
}

pub async fn unit_create_child(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(parent): Path<String>,
    Form(f): Form<NewUnitForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let u = state
        .store
        .create_unit(
            &me.scope,
            NewUnit { code: f.code, name: f.name, level: f.level, parent_code: Some(parent), valid_from: f.valid_from, valid_to: None },
        )
        .await?;
    Ok(Redirect::to(&format!("/units/{}", crate::auth::urlencode(&u.code))).into_response())
}

#[derive(Deserialize)]
pub struct NewAgencyForm {
    csrf: String,
    name: String,
    kind: String,
}

pub async fn agency_create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<NewAgencyForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let unit = state.store.unit_by_code(&me.scope, &code).await?;
    state.store.ensure_agency(&me.scope, unit.id, &f.name, &f.kind).await?;
    Ok(Redirect::to(&format!("/units/{}", crate::auth::urlencode(&unit.code))).into_response())
}

// ---------- frameworks ----------

#[derive(Template)]
#[template(path = "frameworks.html")]
struct FrameworksPage {
    b: Base,
    frameworks: Vec<FrameworkSummary>,
}

pub async fn frameworks(State(state): State<AppState>, me: CurrentUser) -> Result<Html<String>, PageError> {
    let page = FrameworksPage {
        b: me.base(me.lang.t("frameworks"), "frameworks"),
        frameworks: state.frameworks.frameworks().iter().map(|f| summarize(f, me.lang)).collect(),
    };
    Ok(Html(page.render()?))
}

pub struct NodeRow {
    pub depth: usize,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub points: String,
    pub source: String,
    pub years: String,
    pub is_leaf: bool,
}

fn points_text(n: &Node) -> String {
    let num = |x: f64| chiso_core::text::vn_number(x, if x.fract() == 0.0 { 0 } else { 2 });
    match (n.min, n.max) {
        (Some(lo), Some(hi)) => format!("{} – {}", num(lo), num(hi)),
        (None, Some(hi)) => num(hi),
        (Some(lo), None) => format!("≥ {}", num(lo)),
        (None, None) => "–".into(),
    }
}

fn flatten(n: &Node, depth: usize, out: &mut Vec<NodeRow>, lang: Lang) {
    out.push(NodeRow {
        depth,
        code: n.code.clone(),
        // The name in the reader's language only (the other one is in the framework's file).
        name_vi: if lang == Lang::En { n.name_en.clone() } else { n.name_vi.clone() },
        name_en: n.name_en.clone(),
        points: points_text(n),
        source: crate::labels::source(lang, n.source).to_string(),
        years: n.years.as_ref().map(|y| y.to_string()).unwrap_or_default(),
        is_leaf: n.children.is_empty(),
    });
    for c in &n.children {
        flatten(c, depth + 1, out, lang);
    }
}

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage {
    b: Base,
    fw: FrameworkSummary,
    notes: Vec<String>,
    rows: Vec<NodeRow>,
    year: Option<i32>,
    years: Vec<i32>,
    leaf_count: usize,
}

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<String>,
}

pub fn parse_year(q: &Option<String>) -> Result<Option<i32>, AppError> {
    match q.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("năm '{s}' không hợp lệ"))),
    }
}

pub async fn framework_detail(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, PageError> {
    let fw = state.frameworks.get(&code).ok_or_else(|| AppError::NotFound(format!("bộ chỉ số '{code}'")))?;
    let year = parse_year(&q.year)?;
    let tree = fw.tree_for_year(year);
    let mut rows = Vec::new();
    flatten(&tree, 0, &mut rows, me.lang);
    let leaf_count = rows.iter().filter(|r| r.is_leaf).count();
    let this_year = state.app.today().year();
    let from = fw.years.from.unwrap_or(2018);
    let to = fw.years.to.unwrap_or(this_year).min(this_year);
    let page = FrameworkPage {
        b: me.base(&fw.name_vi, "frameworks"),
        fw: summarize(fw, me.lang),
        notes: fw.notes.clone(),
        rows,
        year,
        years: (from..=to).rev().collect(),
        leaf_count,
    };
    Ok(Html(page.render()?))
}

// ---------- accounts and audit ----------

/// Units a list may be filtered by: those in force within the scope, down to two levels below its top
/// (a unit's filter includes its subtree, so deeper units are reached through their parents), and the one
/// asked for. Labels are indented by depth.
pub async fn unit_choices(state: &AppState, me: &CurrentUser, selected: &str) -> Result<Vec<(String, String)>, AppError> {
    let levels = state.store.unit_levels().await?;
    let rows = tree_rows(state.store.units(&me.scope).await?, &levels, me.lang, state.app.today());
    Ok(rows
        .into_iter()
        .filter(|r| r.in_force && (r.depth < 3 || r.unit.code == selected))
        .map(|r| (r.unit.code.clone(), format!("{}{} ({})", "— ".repeat(r.depth), r.unit.name, r.unit.code)))
        .collect())
}

/// A unit filter's code, checked against the scope: a Vietnamese message when there is no such unit in it.
pub async fn check_unit_filter(state: &AppState, me: &CurrentUser, code: &str, errors: &mut Vec<String>) -> Option<String> {
    let code = code.trim();
    if code.is_empty() {
        return None;
    }
    match state.store.unit_by_code(&me.scope, code).await {
        Ok(u) => Some(u.code),
        Err(_) => {
            errors.push(format!("Không có đơn vị mã '{code}' trong phạm vi của bạn."));
            None
        }
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    b: Base,
    users: Vec<UserRow>,
    units: Vec<Unit>,
    roles: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    q: UsersQuery,
    unit_options: Vec<(String, String)>,
    nav: ListNav,
    errors: Vec<String>,
}

pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub unit: String,
    pub unit_code: Option<String>,
    /// The audit log of this person's changes.
    pub audit_href: String,
}

/// The list of accounts as the query string gives it (shown back as typed).
#[derive(Deserialize, Default, Clone)]
pub struct UsersQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub unit: String,
    /// Sort and page.
    #[serde(flatten)]
    pub list: ListQuery,
}

impl ListFilters for UsersQuery {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![("q", self.q.clone()), ("role", self.role.clone()), ("unit", self.unit.clone())]
    }
}

pub async fn users(State(state): State<AppState>, me: CurrentUser, PageQuery(q): PageQuery<UsersQuery>) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (page, sort) = q.list.parse(UserColumn::DEFAULT, &mut errors);
    let role = match q.role.trim() {
        "" => None,
        r => Role::parse(r).or_else(|| {
            errors.push(format!("Vai trò '{r}' không có."));
            None
        }),
    };
    let unit_code = check_unit_filter(&state, &me, &q.unit, &mut errors).await;
    let filter = UserFilter { text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()), role, unit_code };
    let paged = if errors.is_empty() {
        chiso_app::lists::users(&state.app, &me.scope, &filter, sort, page).await?
    } else {
        Paged { items: Vec::new(), total: 0, page: 1, size: page.size }
    };
    let nav = ListNav::of("/users", &q, sort, UserColumn::DEFAULT, &paged);
    let users = paged
        .items
        .into_iter()
        .map(|u| UserRow {
            unit: u.unit_name.clone().unwrap_or_else(|| "Toàn hệ thống".into()),
            unit_code: u.unit_code,
            role: u.user.role().name_vi().to_string(),
            audit_href: format!("/audit?actor={}", crate::auth::urlencode(&u.user.username)),
            username: u.user.username,
            full_name: u.user.full_name,
        })
        .collect();
    let units = if me.scope.can(Permission::ManageUsers) {
        state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect()
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let page = UsersPage {
        b: me.base(me.lang.t("users"), "users"),
        users,
        units,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.name_vi())).collect(),
        can_manage: me.scope.can(Permission::ManageUsers),
        unit_options: unit_choices(&state, &me, &q.unit).await?,
        q,
        nav,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: String,
    username: String,
    full_name: String,
    password: String,
    role: String,
    unit_code: String,
}

pub async fn user_create(State(state): State<AppState>, me: CurrentUser, Form(f): Form<NewUserForm>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let role = Role::parse(&f.role).ok_or_else(|| AppError::BadRequest(format!("vai trò '{}' không có", f.role)))?;
    state
        .store
        .create_user(
            &me.scope,
            chiso_store::accounts::NewUser {
                username: f.username,
                full_name: f.full_name,
                password: f.password,
                role,
                unit_code: Some(f.unit_code).filter(|s| !s.is_empty()),
                agency_id: None,
            },
        )
        .await?;
    Ok(Redirect::to("/users").into_response())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    b: Base,
    rows: Vec<AuditLine>,
    q: AuditQuery,
    actions: Vec<(&'static str, String)>,
    entities: Vec<(&'static str, String)>,
    unit_options: Vec<(String, String)>,
    nav: ListNav,
    errors: Vec<String>,
}

/// The audit log's filters as the query string gives them (shown back as typed).
#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    /// Who (username).
    #[serde(default)]
    pub actor: String,
    /// What was done (`ActionKind`).
    #[serde(default)]
    pub action: String,
    /// To what kind of thing (`EntityKind`).
    #[serde(default)]
    pub entity: String,
    /// When: first and last day (YYYY-MM-DD or dd/mm/yyyy).
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Where: a unit and the units under it.
    #[serde(default)]
    pub unit: String,
    /// Sort and page.
    #[serde(flatten)]
    pub list: ListQuery,
}

impl ListFilters for AuditQuery {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("actor", self.actor.clone()),
            ("action", self.action.clone()),
            ("entity", self.entity.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("unit", self.unit.clone()),
        ]
    }
}

/// The typed filter of an audit query, the page and the sort; what is wrong in it, in Vietnamese.
async fn audit_filter(
    state: &AppState,
    me: &CurrentUser,
    q: &AuditQuery,
    errors: &mut Vec<String>,
) -> (AuditFilter, PageRequest, Sort<AuditColumn>) {
    let (page, sort) = q.list.parse(AuditColumn::DEFAULT, errors);
    let action = match q.action.trim() {
        "" => None,
        a => ActionKind::parse(a).or_else(|| {
            errors.push(format!("Loại thao tác '{a}' không có."));
            None
        }),
    };
    let entity = match q.entity.trim() {
        "" => None,
        e => EntityKind::parse(e).or_else(|| {
            errors.push(format!("Loại đối tượng '{e}' không có."));
            None
        }),
    };
    let range = DateRange::parse(&q.from, &q.to).unwrap_or_else(|e| {
        errors.push(e);
        DateRange::default()
    });
    let unit_code = check_unit_filter(state, me, &q.unit, errors).await;
    let actor = Some(q.actor.trim().to_string()).filter(|s| !s.is_empty());
    (AuditFilter { actor, action, entity, range, unit_code }, page, sort)
}

pub async fn audit(State(state): State<AppState>, me: CurrentUser, PageQuery(q): PageQuery<AuditQuery>) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (filter, page, sort) = audit_filter(&state, &me, &q, &mut errors).await;
    let paged = if errors.is_empty() {
        chiso_app::lists::audit_log(&state.app, &me.scope, &filter, sort, page).await?
    } else {
        Paged { items: Vec::new(), total: 0, page: 1, size: page.size }
    };
    let nav = ListNav::of("/audit", &q, sort, AuditColumn::DEFAULT, &paged);
    let rows = crate::audit::lines(paged.items, &state.frameworks);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let page = AuditPage {
        b: me.base(me.lang.t("audit"), "audit"),
        rows,
        actions: ActionKind::ALL.iter().map(|a| (a.as_str(), a.label_vi())).collect(),
        entities: EntityKind::ALL.iter().map(|e| (e.as_str(), e.label_vi())).collect(),
        unit_options: unit_choices(&state, &me, &q.unit).await?,
        q,
        nav,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The filtered audit log (every page) as CSV: when, who, what (the sentence), unit, reason.
pub async fn audit_csv(State(state): State<AppState>, me: CurrentUser, PageQuery(q): PageQuery<AuditQuery>) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (filter, _, sort) = audit_filter(&state, &me, &q, &mut errors).await;
    if !errors.is_empty() {
        return Err(AppError::BadRequest(errors.join(" ")).into());
    }
    let entries = chiso_app::lists::audit_log_all(&state.app, &me.scope, &filter, sort).await?;
    let mut csv = String::from("\u{feff}Thời điểm,Người thực hiện,Nội dung,Đơn vị,Lý do\r\n");
    for l in crate::audit::lines(entries, &state.frameworks) {
        let fields =
            [l.when.clone(), l.actor.clone(), l.sentence(), l.unit_name.clone().unwrap_or_default(), l.reason.clone().unwrap_or_default()];
        csv.push_str(&fields.iter().map(|f| chiso_core::text::csv_field(f)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"nhat-ky.csv\"")], csv)
        .into_response())
}
