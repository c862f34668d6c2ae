//! Notifications that happen: when a use case returns, submits, appraises, finalises or issues something,
//! the people concerned are told in the application (and, through `pending_digests`, in the daily e-mail
//! digest). Each use case calls one function here right after its store transaction committed.
//!
//! A notification is a courtesy on top of a change that is already stored: if writing one fails, the failure
//! is logged and the use case still succeeds (telling the person "failed" would make them repeat a change
//! that was made). Keys make every event notify each person once, whatever the number of retries.

use crate::App;
use chiso_core::access::Scope;
use chiso_core::period::Period;
use chiso_core::results::SheetAction;
use chiso_store::StoreResult;
use chiso_store::assessments::Assessment;
use chiso_store::notifications::Recipient;
use chiso_store::plans::Plan;
use chiso_store::progress::{ReportRow, UpdateRow};
use chiso_store::units::Unit;

/// Accounts that act for a unit as a whole (its reports, its plans, its score sheet).
const UNIT_ROLES: &[&str] = &["admin", "specialist", "leader"];
/// Accounts that act for a unit's tasks (updates) when no agency leads them.
const TASK_ROLES: &[&str] = &["admin", "specialist"];
/// Accounts of the higher level that review reports and appraise score sheets.
const REVIEWER_ROLES: &[&str] = &["admin", "specialist"];

/// One event to tell people about.
struct Notice<'a> {
    kind: &'a str,
    /// Unique per event; the recipient's id is appended.
    key: String,
    title: String,
    link: String,
}

/// Create the notice for every recipient except the person who acted; failures are logged, not returned.
async fn deliver(app: &App, scope: &Scope, people: Vec<Recipient>, notice: Notice<'_>) {
    let now = app.now_ms();
    let mut seen = std::collections::BTreeSet::new();
    for p in people {
        if Some(p.user_id) == scope.user_id || !seen.insert(p.user_id) {
            continue;
        }
        let key = format!("{}:{}", notice.key, p.user_id);
        if let Err(e) = app.store.notify(p.user_id, notice.kind, &key, &notice.title, &notice.link, now).await {
            tracing::warn!(user = p.user_id, kind = notice.kind, error = %e, "notification not created");
        }
    }
}

/// The people of `unit` (of its agency `agency_id` when set: that agency's staff) with one of `roles`.
async fn people_of(app: &App, unit_id: i64, agency_id: Option<i64>, roles: &[&str]) -> StoreResult<Vec<Recipient>> {
    match agency_id {
        Some(a) => app.store.recipients(unit_id, Some(a), &["agency_staff"]).await,
        None => app.store.recipients(unit_id, None, roles).await,
    }
}

/// Log a failure to find the recipients (the change itself is stored).
fn logged<T: Default>(what: &str, r: StoreResult<T>) -> T {
    r.unwrap_or_else(|e| {
        tracing::warn!(event = what, error = %e, "recipients of a notification not found");
        T::default()
    })
}

/// An update returned for correction: the accounts that update the task (the lead agency's staff, or the
/// unit's when no agency made the update).
pub(crate) async fn update_returned(app: &App, scope: &Scope, up: &UpdateRow, task_code: &str, reason: &str) {
    let mut people = logged("update_returned", people_of(app, up.unit_id, up.agency_id, TASK_ROLES).await);
    if up.agency_id.is_some() {
        // The unit's own officers follow their agencies' tasks too.
        people.extend(logged("update_returned", app.store.recipients(up.unit_id, None, TASK_ROLES).await));
    }
    let notice = Notice {
        kind: "update_returned",
        key: format!("update-returned:{}:{}", up.id, app.now_ms()),
        title: format!("Cập nhật nhiệm vụ {task_code} bị trả lại để chỉnh sửa: {reason}"),
        link: format!("/tasks/{}", up.task_id),
    };
    deliver(app, scope, people, notice).await;
}

/// An update that corrects a returned one: the reviewers of the level that returned it (the parent unit; the
/// unit itself for an agency's update), with a link to the task.
pub(crate) async fn update_corrected(app: &App, scope: &Scope, up: &UpdateRow, returned: &UpdateRow, task_code: &str) {
    let sys = Scope::system("notifications");
    let unit = match app.store.unit_by_id(&sys, up.unit_id).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(unit = up.unit_id, error = %e, "unit of a corrected update not found");
            return;
        }
    };
    let to_unit = match (up.agency_id, unit.parent_id) {
        (Some(_), _) => unit.id,
        (None, Some(parent)) => parent,
        (None, None) => return,
    };
    let people = logged("update_corrected", app.store.recipients(to_unit, None, REVIEWER_ROLES).await);
    let notice = Notice {
        kind: "update_corrected",
        key: format!("update-corrected:{}:{}", returned.id, up.id),
        title: format!(
            "{} đã sửa và cập nhật lại nhiệm vụ {task_code} (đã trả lại vì: {})",
            unit.name,
            returned.returned_reason.as_deref().unwrap_or_default()
        ),
        link: format!("/tasks/{}", up.task_id),
    };
    deliver(app, scope, people, notice).await;
}

fn report_link(unit: &Unit, period: &str, agency_id: Option<i64>) -> String {
    format!("/reports?unit={}&period={period}&agency={}", unit.code, agency_id.map(|a| a.to_string()).unwrap_or_default())
}

fn period_label(code: &str) -> String {
    Period::parse(code).map(|p| p.label_vi()).unwrap_or_else(|_| code.to_string())
}

/// A report returned for correction: the reporting unit (or agency).
pub(crate) async fn report_returned(app: &App, scope: &Scope, r: &ReportRow, unit: &Unit, reason: &str) {
    let people = logged("report_returned", people_of(app, r.unit_id, r.agency_id, UNIT_ROLES).await);
    let notice = Notice {
        kind: "report_returned",
        key: format!("report-returned:{}:{}", r.id, app.now_ms()),
        title: format!("Báo cáo {} của {} bị trả lại để chỉnh sửa: {reason}", period_label(&r.period), unit.name),
        link: report_link(unit, &r.period, r.agency_id),
    };
    deliver(app, scope, people, notice).await;
}

/// A report submitted (or corrected and sent again after a return): the specialists of the level it goes to
/// (the parent unit; the unit itself for an agency's report), with a link to the report and its lateness.
pub(crate) async fn report_submitted(app: &App, scope: &Scope, r: &ReportRow, unit: &Unit, agency_name: Option<&str>) {
    let to_unit = match (r.agency_id, unit.parent_id) {
        (Some(_), _) => unit.id,
        (None, Some(parent)) => parent,
        (None, None) => return,
    };
    let who = agency_name.map(|a| format!("{a} ({})", unit.name)).unwrap_or_else(|| unit.name.clone());
    let people = logged("report_submitted", app.store.recipients(to_unit, None, REVIEWER_ROLES).await);
    let late = match r.days_late {
        Some(d) if d > 0 => format!(" (muộn {d} ngày so với hạn)"),
        _ => String::new(),
    };
    let title = if r.is_resubmission() {
        format!("{who} đã sửa và gửi lại báo cáo {} bị trả lại{late}", period_label(&r.period))
    } else {
        format!("{who} đã gửi báo cáo {}{late}", period_label(&r.period))
    };
    let notice = Notice {
        kind: "report_submitted",
        key: format!("report-submitted:{}:{}", r.id, r.submitted_at.unwrap_or_else(|| app.now_ms())),
        title,
        // The report itself, which the reviewer reads (and may return again).
        link: format!("/reports/{}", r.id),
    };
    deliver(app, scope, people, notice).await;
}

/// How a person names a framework: the acronym its Vietnamese name ends with ("… (PAPI)" → "PAPI"), else
/// that whole name ("… (mô hình Hà Nội)" is no acronym); the code only for a framework that is not loaded.
pub(crate) fn framework_label(app: &App, code: &str) -> String {
    match app.frameworks.get(code) {
        Some(fw) => match fw.name_vi.trim_end().strip_suffix(')').and_then(|s| s.rsplit_once('(')) {
            Some((_, short)) if !short.trim().is_empty() && !short.chars().any(char::is_lowercase) => short.trim().to_string(),
            _ => fw.name_vi.clone(),
        },
        None => code.to_string(),
    }
}

/// A score sheet changed status: the other party. The unit's submissions and explanations go to its parent's
/// appraisers; the appraisal, finalisation and reopening go to the unit.
pub(crate) async fn sheet_moved(app: &App, scope: &Scope, a: &Assessment, action: SheetAction) {
    let fw = framework_label(app, &a.framework);
    let (to_unit, what) = match action {
        SheetAction::Submit => (a.parent_id, format!("{} đã gửi phiếu tự chấm điểm {} năm {}", a.unit_name, fw, a.year)),
        SheetAction::Explain => (a.parent_id, format!("{} đã gửi giải trình phiếu chấm điểm {} năm {}", a.unit_name, fw, a.year)),
        SheetAction::CompleteAppraisal => {
            (Some(a.unit_id), format!("Phiếu chấm điểm {} năm {} của {} đã có kết quả thẩm định", fw, a.year, a.unit_name))
        }
        SheetAction::Finalise => {
            (Some(a.unit_id), format!("Phiếu chấm điểm {} năm {} của {} đã được chốt kết quả", fw, a.year, a.unit_name))
        }
        SheetAction::Reopen => {
            (Some(a.unit_id), format!("Phiếu chấm điểm {} năm {} của {} được mở lại để chỉnh sửa", fw, a.year, a.unit_name))
        }
    };
    let Some(to_unit) = to_unit else { return };
    let roles = if to_unit == a.unit_id { &["admin", "specialist", "leader", "agency_staff"][..] } else { REVIEWER_ROLES };
    let people = logged("sheet_moved", app.store.recipients(to_unit, None, roles).await);
    let notice = Notice {
        kind: "sheet",
        key: format!("sheet:{}:{}:{}", a.id, action.as_str(), a.version),
        title: what,
        link: format!("/assessments/{}", a.id),
    };
    deliver(app, scope, people, notice).await;
}

/// A plan issued: the accounts of the units directly under its unit, which make their own plans from it.
pub(crate) async fn plan_issued(app: &App, scope: &Scope, plan: &Plan) {
    let units = logged("plan_issued", app.store.units(scope).await);
    let today = chiso_core::unit::format_date(app.today());
    let Some(unit) = units.iter().find(|u| u.id == plan.unit_id) else { return };
    let mut people = Vec::new();
    for child in units.iter().filter(|u| u.parent_id == Some(plan.unit_id) && u.in_force_on(&today)) {
        people.extend(logged("plan_issued", app.store.recipients(child.id, None, UNIT_ROLES).await));
    }
    let number = plan.number.as_deref().unwrap_or("");
    let notice = Notice {
        kind: "plan_issued",
        key: format!("plan-issued:{}", plan.id),
        title: format!("{} đã ban hành kế hoạch {number}: {}", unit.name, plan.title),
        link: format!("/plans/{}", plan.id),
    };
    deliver(app, scope, people, notice).await;
}
