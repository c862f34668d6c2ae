//! Issue 12, "Done means": an official's everyday loops walked end to end in a real browser (headless Chromium),
//! on SQLite and on PostgreSQL (when `CHISO_TEST_PG` is set). Each journey asserts what a person reads on the
//! pages (Vietnamese text), not only status codes, and saves a screenshot of every step under
//! `target/journeys/<backend>/<journey>/NN-step.png` (the directory is printed).
//!
//! The application clock makes "today" deterministic: the server runs on a frozen day, and a journey that
//! needs days to pass restarts it on a later one (`TestApp::restart_with`), as `chiso serve --today` would.

use crate::browser::{Browser, Shots, temp_file};
use crate::helpers::*;
use chiso_app::Clock;
use chiso_core::access::{Role, Scope};
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_core::text::vn_date_short;
use chiso_store::accounts::NewUser;
use chiso_store::testing::TestDb;
use time::Date;

/// The commune clerk of the journeys: a specialist of Thị trấn Mộc Châu (X01).
const CLERK: &str = "cb.x01";
/// The district official who reviews: Phòng Nội vụ's specialist of Huyện Mộc Châu (123).
const DISTRICT: &str = "nv.huyen";

fn day(s: &str) -> Date {
    chiso_core::unit::parse_date(s).expect("date")
}

/// The app frozen at noon of `d` (Vietnam time).
fn on(d: Date) -> impl FnOnce(chiso_web::AppState) -> chiso_web::AppState {
    move |mut s| {
        s.app = s.app.with_clock(Clock::fixed_on(d));
        s
    }
}

/// The commune clerk's account and an issued 2026 plan of X01 with two tasks: "1" due 30/04/2026 and "2" due
/// 30/09/2026. Returns the ids of the tasks.
async fn commune_with_plan(app: &TestApp) -> (i64, i64) {
    let sys = Scope::system("test");
    app.store
        .create_user(
            &sys,
            NewUser {
                username: CLERK.into(),
                full_name: "Lò Thị Mai".into(),
                password: PASSWORD.into(),
                role: Role::Specialist,
                unit_code: Some("X01".into()),
                agency_id: None,
            },
        )
        .await
        .expect("clerk");
    let task = |code: &str, text: &str, due: &str| TaskDraft {
        code: code.into(),
        text: text.into(),
        nodes: vec!["papi.d1.s1".into()],
        due_date: Some(day(due)),
        ..Default::default()
    };
    let draft = PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: 2026,
        year_to: None,
        families: vec!["PAPI".into()],
        number: Some("5/KH-UBND".into()),
        place: None,
        issued_on: Some(day("2026-01-15")),
        title: "Kế hoạch nâng cao chỉ số PAPI năm 2026".into(),
        status: PlanStatus::Issued,
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks: vec![
            task("1", "Niêm yết công khai thủ tục hành chính", "2026-04-30"),
            task("2", "Tổ chức đối thoại với người dân", "2026-09-30"),
        ],
    };
    let plan = app.store.create_plan(&sys, "X01", &draft, None, None).await.expect("plan");
    let tasks = app.store.tasks(&sys, plan.id).await.expect("tasks");
    let id = |code: &str| tasks.iter().find(|t| t.row.code == code).expect("task").row.id;
    (id("1"), id("2"))
}

fn assert_has(page: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(page.contains(n), "{what}: the page should say “{n}”; it says:\n{page}");
    }
}

/// (a) The commune clerk updates a task with evidence; the district returns it with a reason; the clerk sees
/// the notification (the bell's count, /notifications) and the returned item first in "Việc của tôi",
/// corrects it with new evidence and sends it again; the district is told and sees the corrected update.
#[tokio::test]
async fn journey_a_task_update_returned_corrected_and_sent_again() {
    let Some(browser) = Browser::start().await else { return };
    let pdf = temp_file("bien-ban-niem-yet.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    let png = temp_file("anh-bang-niem-yet.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89");
    for db in TestDb::all().await.expect("test databases") {
        let app = spawn_app_with(db, on(day("2026-06-02"))).await;
        let label = app.label;
        let shots = Shots::new(label, "a-task-update-returned");
        let (task, _) = commune_with_plan(&app).await;
        let base = app.base.clone();

        // The clerk opens "Việc của tôi": the overdue task is there, with its due date in Vietnamese.
        browser.login_as(&base, CLERK).await;
        browser.goto(&app.url("/my-work")).await;
        let work = browser.text("#work-tasks").await;
        assert_has(&work, label, &["1. Niêm yết công khai thủ tục hành chính", "Hạn: 30/04/2026", "Quá hạn"]);
        shots.take(&browser, "clerk-my-work").await;
        browser.click(&format!("#work-tasks a[href='/tasks/{task}']")).await;
        assert!(browser.url_containing(&format!("/tasks/{task}")).await.ends_with(&format!("/tasks/{task}")), "{label}");

        // Update with evidence: status, progress, result, a PDF.
        let form = format!("form[action='/tasks/{task}/updates']");
        browser.select(&format!("{form} select[name=status]"), "done").await;
        browser.type_into(&format!("{form} input[name=percent]"), "100").await;
        browser.type_into(&format!("{form} textarea[name=narrative]"), "Đã niêm yết tại trụ sở UBND thị trấn").await;
        browser.upload(&format!("{form} input[name=files]"), &pdf).await;
        shots.take(&browser, "clerk-fills-the-update").await;
        browser.click(&format!("{form} button[type=submit]")).await;
        let history = browser.text_containing("main", "bien-ban-niem-yet.pdf").await;
        assert_has(
            &history,
            label,
            &["Lịch sử cập nhật (1)", "Đã hoàn thành · 100%", "Đã niêm yết tại trụ sở UBND thị trấn", "bien-ban-niem-yet.pdf"],
        );
        browser.scroll_to("div.update").await;
        shots.take(&browser, "clerk-update-saved").await;
        let update = app.store.task_updates(&Scope::system("t"), task).await.expect("updates")[0].update.id;

        // The district official finds it from the commune's report page and returns it with a reason.
        browser.login_as(&base, DISTRICT).await;
        browser.goto(&app.url("/reports?unit=X01&period=2026-H1")).await;
        browser.click(&format!("#task-progress a[href='/tasks/{task}']")).await;
        let page = browser.text_containing("main", "bien-ban-niem-yet.pdf").await;
        assert_has(&page, label, &["Nhiệm vụ 1", "Thời hạn\n30/04/2026", "Đã niêm yết tại trụ sở UBND thị trấn", "bien-ban-niem-yet.pdf"]);
        let ret = format!("form[action='/updates/{update}/return']");
        browser.type_into(&format!("{ret} input[name=reason]"), "Thiếu ảnh chụp bảng niêm yết").await;
        browser.click(&format!("{ret} button[type=submit]")).await;
        let page = browser.text_containing("main", "Bị trả lại để chỉnh sửa").await;
        assert_has(&page, label, &["Bị trả lại để chỉnh sửa: Thiếu ảnh chụp bảng niêm yết"]);
        browser.scroll_to("div.update").await;
        shots.take(&browser, "district-returned-the-update").await;

        // The clerk: the bell counts one notification; it says what and why; the item leads "Việc của tôi".
        browser.login_as(&base, CLERK).await;
        assert_eq!(browser.unread_badge().await.as_deref(), Some("1"), "{label}: the bell's count");
        shots.take(&browser, "clerk-sees-the-bell").await;
        browser.click(".bell").await;
        let notes = browser.text_containing("#notifications", "bị trả lại").await;
        assert_has(&notes, label, &["Cập nhật nhiệm vụ 1 bị trả lại để chỉnh sửa: Thiếu ảnh chụp bảng niêm yết"]);
        shots.take(&browser, "clerk-notifications").await;
        browser.goto(&app.url("/my-work")).await;
        let work = browser.body_text().await;
        assert_has(&work, label, &["Cập nhật bị trả lại (1)", "Lý do trả lại: Thiếu ảnh chụp bảng niêm yết"]);
        assert!(
            work.find("Cập nhật bị trả lại (1)") < work.find("Nhiệm vụ cần cập nhật"),
            "{label}: the returned item comes before the tasks to update"
        );
        shots.take(&browser, "clerk-my-work-returned").await;

        // The clerk corrects it: a new update with the photo, the text kept apart from the returned one.
        browser.click(&format!("#work-returned a[href='/tasks/{task}']")).await;
        browser.url_containing(&format!("/tasks/{task}")).await;
        browser.select(&format!("{form} select[name=status]"), "done").await;
        browser.type_into(&format!("{form} input[name=percent]"), "100").await;
        browser.type_into(&format!("{form} textarea[name=narrative]"), "Đã bổ sung ảnh chụp bảng niêm yết").await;
        browser.upload(&format!("{form} input[name=files]"), &png).await;
        browser.click(&format!("{form} button[type=submit]")).await;
        let history = browser.text_containing("main", "Lịch sử cập nhật (2)").await;
        assert_has(&history, label, &["Đã bổ sung ảnh chụp bảng niêm yết", "anh-bang-niem-yet.png", "Bị trả lại để chỉnh sửa: Thiếu ảnh"]);
        assert!(
            history.find("Đã bổ sung ảnh chụp bảng niêm yết") < history.find("Đã niêm yết tại trụ sở UBND thị trấn"),
            "{label}: the correction is the latest update"
        );
        browser.scroll_to("div.update").await;
        shots.take(&browser, "clerk-sent-the-correction").await;
        browser.goto(&app.url("/my-work")).await;
        assert!(!browser.body_text().await.contains("Cập nhật bị trả lại"), "{label}: nothing left to correct");

        // The district is told and sees the corrected update, which it may return again.
        browser.login_as(&base, DISTRICT).await;
        assert_eq!(browser.unread_badge().await.as_deref(), Some("1"), "{label}: the district's bell");
        browser.goto(&app.url("/notifications")).await;
        let notes = browser.text("#notifications").await;
        assert_has(&notes, label, &["Thị trấn Mộc Châu đã sửa và cập nhật lại nhiệm vụ 1 (đã trả lại vì: Thiếu ảnh chụp bảng niêm yết)"]);
        browser.click(&format!("#notifications a[href='/tasks/{task}']")).await;
        let page = browser.text_containing("main", "anh-bang-niem-yet.png").await;
        assert_has(&page, label, &["Đã bổ sung ảnh chụp bảng niêm yết", "Trả lại để chỉnh sửa"]);
        browser.scroll_to("div.update").await;
        shots.take(&browser, "district-sees-the-correction").await;
        browser.clear_cookies().await;
        app.stop().await;
    }
    browser.quit().await;
}

/// (b) A commune submits its half-year report on time; after the period's lock the district returns it; the
/// commune's page and the district's list say it was returned and why; the commune corrects it and sends it
/// again (accepted after the lock, late by the days since the due date); the district is told, sees the
/// lateness in its list and opens the report from it.
#[tokio::test]
async fn journey_b_report_returned_after_the_lock_corrected_and_sent_again() {
    let Some(browser) = Browser::start().await else { return };
    for db in TestDb::all().await.expect("test databases") {
        // The commune's due date and the lock of 2026-H1, from the application's own schedule.
        let store = db.store.clone();
        let fw = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().expect("frameworks"));
        let mut app = spawn_app_with(db, on(day("2026-06-01"))).await;
        let label = app.label;
        let shots = Shots::new(label, "b-report-returned-after-the-lock");
        commune_with_plan(&app).await;
        let sys = Scope::system("test");
        let x01 = store.unit_by_code(&sys, "X01").await.expect("x01");
        let service = chiso_app::App::new(store.clone(), fw);
        let schedule = service.reports().schedule_for(&x01, 2026).await.expect("schedule");
        let sp = service.reports().scheduled(&schedule, chiso_core::period::Period::parse("2026-H1").expect("h1")).expect("h1");
        let due = sp.due_for("commune").expect("commune due date");
        let lock = chiso_core::progress::Deadline::new(due, schedule.lock_grace_working_days, &service.calendar).locked_after;
        let before = due.previous_day().expect("day");
        let after = lock.checked_add(time::Duration::days(7)).expect("day");
        let late_days = (after - due).whole_days();
        assert!(before >= sp.window.from, "{label}: the report is open the day before its due date");
        let base = app.base.clone();

        // Before the due date: the clerk finds the report in "Việc của tôi" and sends it.
        app.restart_with(on(before)).await;
        browser.login_as(&base, CLERK).await;
        browser.goto(&app.url("/my-work")).await;
        let work = browser.text("#work-reports").await;
        assert_has(&work, label, &["Báo cáo 6 tháng đầu năm 2026", "Chưa gửi", &format!("Hạn gửi: {}", vn_date_short(due))]);
        shots.take(&browser, "clerk-report-to-send").await;
        browser.click("#work-reports a").await;
        browser.type_into("#report-form textarea[name=narrative]", "Đã niêm yết công khai thủ tục hành chính tại trụ sở").await;
        shots.take(&browser, "clerk-writes-the-report").await;
        browser.click("#submit-report").await;
        let state = browser.text_containing("#report-state", "Đã gửi").await;
        assert_has(&state, label, &["Đã gửi", "đúng hạn"]);
        shots.take(&browser, "clerk-report-sent-on-time").await;
        let report = app.store.report_of(&sys, &x01, None, "2026-H1").await.expect("report").expect("stored").id;

        // A week after the lock the district, told of the report, reads it from its list and returns it.
        app.restart_with(on(after)).await;
        browser.login_as(&base, DISTRICT).await;
        assert_eq!(browser.unread_badge().await.as_deref(), Some("1"), "{label}: the district's bell");
        browser.goto(&app.url("/notifications")).await;
        let notes = browser.text("#notifications").await;
        assert_has(&notes, label, &["Thị trấn Mộc Châu đã gửi báo cáo 6 tháng đầu năm 2026"]);
        browser.click("form[action='/notifications'] button[type=submit]").await;
        assert!(browser.gone("#unread-count").await, "{label}: read, the bell has no count");
        browser.goto(&app.url("/reports?unit=123&period=2026-H1")).await;
        let row = browser.text("#children").await;
        assert_has(&row, label, &["Thị trấn Mộc Châu", "Đúng hạn"]);
        shots.take(&browser, "district-list-before-return").await;
        browser.click(&format!("#children a[href='/reports/{report}']")).await;
        let view = browser.text_containing("main", "Đánh giá chung").await;
        assert_has(
            &view,
            label,
            &["Báo cáo 6 tháng đầu năm 2026 — Thị trấn Mộc Châu", "đúng hạn", "Đã niêm yết công khai thủ tục hành chính tại trụ sở"],
        );
        browser.type_into("#return-report input[name=reason]", "Thiếu số liệu quý II").await;
        browser.click("#return-report button[type=submit]").await;
        let status = browser.text_containing("#report-facts", "Đã trả lại").await;
        assert_has(&status, label, &["Đã trả lại — cần sửa", "Thiếu số liệu quý II"]);
        shots.take(&browser, "district-returned-the-report").await;
        browser.goto(&app.url("/reports?unit=123&period=2026-H1")).await;
        let list = browser.text("#children").await;
        assert_has(&list, label, &["Đã trả lại — cần sửa", "Lý do: Thiếu số liệu quý II"]);
        let x01_row = list.lines().find(|l| l.contains("Thị trấn Mộc Châu")).unwrap_or_default().to_string();
        assert!(!x01_row.contains("Chưa gửi"), "{label}: a returned report is not “Chưa gửi”: {x01_row}");
        shots.take(&browser, "district-list-says-returned").await;
        browser.goto(&app.url("/dashboard?unit=123&period=2026-H1")).await;
        let dash = browser.body_text().await;
        let line = dash.lines().find(|l| l.starts_with("Thị trấn Mộc Châu") && l.contains("/")).unwrap_or_default().to_string();
        assert!(line.contains("Đã trả lại — cần sửa"), "{label}: the dashboard's line: {line}\n{dash}");
        shots.take(&browser, "district-dashboard-says-returned").await;
        // The district's own report was never sent: after the lock it is refused, in Vietnamese, with the period's
        // name, and the page comes back with the text typed (the page offers no form, but a stale one may post).
        let c = app.login(DISTRICT).await;
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url("/reports/submit"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("unit", "123"),
                ("period", "2026-H1"),
                ("agency", ""),
                ("narrative", "Báo cáo của huyện <muộn>"),
            ])
            .send()
            .await
            .expect("submit");
        assert_eq!(r.status(), 409, "{label}: locked");
        let page = r.text().await.expect("body");
        assert_has(&page, label, &["Kỳ báo cáo 6 tháng đầu năm 2026 đã khóa từ ngày", "id=\"err-narrative\"", ">Báo cáo của huyện &"]);
        assert!(!page.contains("<muộn>"), "{label}: the typed text is escaped");

        // The clerk is told, finds it in "Việc của tôi", and the page says why; the form holds the text sent.
        browser.login_as(&base, CLERK).await;
        assert_eq!(browser.unread_badge().await.as_deref(), Some("1"), "{label}: the clerk's bell");
        browser.goto(&app.url("/notifications")).await;
        let notes = browser.text("#notifications").await;
        assert_has(&notes, label, &["Báo cáo 6 tháng đầu năm 2026 của Thị trấn Mộc Châu bị trả lại để chỉnh sửa: Thiếu số liệu quý II"]);
        browser.goto(&app.url("/my-work")).await;
        let work = browser.text("#work-reports").await;
        assert_has(&work, label, &["Báo cáo 6 tháng đầu năm 2026", "Đã trả lại — cần sửa", "Lý do trả lại: Thiếu số liệu quý II"]);
        shots.take(&browser, "clerk-my-work-returned-report").await;
        browser.click("#work-reports a").await;
        let state = browser.text_containing("#report-state", "Đã trả lại").await;
        assert_has(&state, label, &["Đã trả lại — cần sửa", "kỳ đã khóa", "Lý do trả lại: Thiếu số liệu quý II"]);
        assert_eq!(browser.value("#report-form textarea[name=narrative]").await, "Đã niêm yết công khai thủ tục hành chính tại trụ sở");
        assert_eq!(browser.text("#submit-report").await, "Gửi lại báo cáo", "{label}: the button is enabled and says what it does");
        shots.take(&browser, "clerk-corrects-after-the-lock").await;
        browser
            .replace_text(
                "#report-form textarea[name=narrative]",
                "Đã niêm yết công khai; bổ sung số liệu quý II: 12 thủ tục được niêm yết",
            )
            .await;
        browser.click("#submit-report").await;
        let state = browser.text_containing("#report-state", "gửi lại").await;
        assert_has(&state, label, &["Đã sửa và gửi lại", &format!("muộn {late_days} ngày")]);
        shots.take(&browser, "clerk-sent-again-late").await;

        // The district is told, sees the lateness in its list and opens the corrected report from it.
        browser.login_as(&base, DISTRICT).await;
        assert_eq!(browser.unread_badge().await.as_deref(), Some("1"), "{label}: the district's bell");
        browser.goto(&app.url("/notifications")).await;
        let notes = browser.text("#notifications").await;
        assert_has(
            &notes,
            label,
            &[&format!("Thị trấn Mộc Châu đã sửa và gửi lại báo cáo 6 tháng đầu năm 2026 bị trả lại (muộn {late_days} ngày so với hạn)")],
        );
        browser.goto(&app.url("/reports?unit=123&period=2026-H1")).await;
        let list = browser.text("#children").await;
        assert_has(&list, label, &[&format!("Muộn {late_days} ngày")]);
        shots.take(&browser, "district-list-shows-lateness").await;
        browser.click(&format!("#children a[href='/reports/{report}']")).await;
        let view = browser.text_containing("main", "bổ sung số liệu quý II").await;
        assert_has(
            &view,
            label,
            &[
                "Đã sửa và gửi lại",
                &format!("muộn {late_days} ngày"),
                &format!("Gửi muộn so với hạn {}", vn_date_short(due)),
                "Lần trả lại trước",
                "Thiếu số liệu quý II",
                "12 thủ tục được niêm yết",
            ],
        );
        shots.take(&browser, "district-opens-the-corrected-report").await;
        let saved = std::fs::read_dir(shots.dir()).map(|d| d.count()).unwrap_or(0);
        assert!(saved >= 10, "{label}: the screenshots were saved ({saved})");
        browser.clear_cookies().await;
        app.stop().await;
    }
    browser.quit().await;
}
