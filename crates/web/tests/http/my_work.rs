//! Issue 12 (first part): notifications that happen and "Việc của tôi". The district returns a commune's
//! update → the commune account sees the notification (with the count in the header's bell) and the returned
//! item first in "Việc của tôi"; the commune submits its report → the district's specialist is notified and
//! finds the report to review in "Việc của tôi".

use crate::helpers::*;
use chiso_core::access::Scope;
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_store::testing::TestDb;

/// 10:00 on `date` in Vietnam, in Unix milliseconds.
fn at(date: &str, hour: i64) -> i64 {
    let d = chiso_core::unit::parse_date(date).expect("date");
    chiso_store::progress::end_of_day_ms(d) + 1 - (24 - hour) * 3_600_000
}

fn date(s: &str) -> Option<time::Date> {
    chiso_core::unit::parse_date(s)
}

/// An issued 2026 plan of X01 with two tasks: "1" due 30/04 (overdue on the test's day) and "2" due 30/09.
async fn commune_plan(app: &TestApp) -> (i64, i64) {
    let sys = Scope::system("test");
    let task = |code: &str, text: &str, due: &str| TaskDraft {
        code: code.into(),
        text: text.into(),
        nodes: vec!["papi.d1.s1".into()],
        due_date: date(due),
        ..Default::default()
    };
    let draft = PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: 2026,
        year_to: None,
        families: vec!["PAPI".into()],
        number: Some("5/KH-UBND".into()),
        place: None,
        issued_on: date("2026-01-15"),
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

async fn body(c: &reqwest::Client, url: String) -> String {
    let r = c.get(url).send().await.expect("get");
    assert_eq!(r.status(), 200);
    r.text().await.expect("body")
}

/// The number in the header's bell, if shown.
fn badge(page: &str) -> Option<String> {
    let at = page.find("id=\"unread-count\">")? + "id=\"unread-count\">".len();
    Some(page[at..].split('<').next()?.to_string())
}

#[tokio::test]
async fn a_return_and_a_submission_reach_the_people_concerned() {
    for db in TestDb::all().await.expect("test databases") {
        let now = at("2026-06-02", 10);
        let app = spawn_app_with(db, |mut s| {
            s.app = s.app.with_clock(chiso_app::Clock::Fixed { now_ms: now });
            s
        })
        .await;
        let label = app.label;
        let (overdue, later) = commune_plan(&app).await;

        // Before anything happens: no badge, the tasks to update in due order (the overdue one first), and
        // the empty states say what to do.
        let x = app.login("xa.x01").await;
        let home = body(&x, app.url("/")).await;
        assert_eq!(badge(&home), None, "{label}: nothing unread");
        assert!(home.contains("<svg") && !home.contains('🔔'), "{label}: the bell is an inline SVG, not an emoji");
        assert!(home.contains("Việc của tôi") && home.contains("href=\"/my-work\""), "{label}: linked from the home page and the menu");
        let first = home.find(&format!("href=\"/tasks/{overdue}\"")).expect("overdue task listed");
        let second = home.find(&format!("href=\"/tasks/{later}\"")).expect("later task listed");
        assert!(first < second, "{label}: overdue first");
        assert!(home.contains("Hạn: 30/04/2026") && home.contains("Quá hạn"), "{label}: Vietnamese dates and status");
        assert!(!home.contains("Cập nhật bị trả lại"), "{label}: nothing returned yet");

        // The commune updates task 1; the district returns the update with a reason.
        let csrf = csrf_of(&app, &x).await;
        let version = app.store.task(&Scope::system("t"), overdue).await.expect("task").row.version;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("version", version.to_string())
            .text("status", "done")
            .text("percent", "100")
            .text("narrative", "Đã niêm yết tại trụ sở");
        let r = x.post(app.url(&format!("/tasks/{overdue}/updates"))).multipart(form).send().await.expect("update");
        assert_eq!(r.status(), 303, "{label}: update");
        let update = app.store.task_updates(&Scope::system("t"), overdue).await.expect("updates")[0].update.id;
        let d = app.login("nv.huyen").await;
        let dcsrf = csrf_of(&app, &d).await;
        let r = d
            .post(app.url(&format!("/updates/{update}/return")))
            .form(&[("csrf", dcsrf.as_str()), ("reason", "Thiếu ảnh chụp bảng niêm yết"), ("back", "/")])
            .send()
            .await
            .expect("return");
        assert_eq!(r.status(), 303, "{label}: return");

        // The commune account: one unread notification in the bell, the returned item first in its work.
        let home = body(&x, app.url("/")).await;
        assert_eq!(badge(&home).as_deref(), Some("1"), "{label}: the header counts the notification");
        let notes = body(&x, app.url("/notifications")).await;
        assert!(
            notes.contains("Cập nhật nhiệm vụ 1 bị trả lại để chỉnh sửa: Thiếu ảnh chụp bảng niêm yết")
                && notes.contains(&format!("href=\"/tasks/{overdue}\"")),
            "{label}: the notification says what and links to the task"
        );
        let work = body(&x, app.url("/my-work")).await;
        let returned = work.find("Cập nhật bị trả lại (1)").expect("returned section");
        let item = work[returned..].find(&format!("href=\"/tasks/{overdue}\"")).map(|i| i + returned).expect("returned item");
        assert!(work[item..].contains("Lý do trả lại: Thiếu ảnh chụp bảng niêm yết"), "{label}: the reason is shown");
        assert!(item < work.find("Nhiệm vụ cần cập nhật").expect("tasks section"), "{label}: returned items come first");
        // Reading the notifications clears the badge.
        let r = x.post(app.url("/notifications")).form(&[("csrf", csrf.as_str())]).send().await.expect("read");
        assert_eq!(r.status(), 303);
        assert_eq!(badge(&body(&x, app.url("/")).await), None, "{label}: read");
        // The one who returned it is not notified of their own act; the viewer of another commune never is.
        assert_eq!(badge(&body(&d, app.url("/")).await), None, "{label}: no self-notification");
        let v = app.login("xem.x02").await;
        assert_eq!(badge(&body(&v, app.url("/")).await), None, "{label}: another commune is not concerned");

        // The commune submits its report for the first half-year: the district's specialist is notified and
        // sees it to review.
        let work = body(&x, app.url("/my-work")).await;
        assert!(work.contains("Báo cáo 6 tháng đầu năm 2026"), "{label}: the open report is listed to submit");
        let r = x
            .post(app.url("/reports/submit"))
            .form(&[("csrf", csrf.as_str()), ("unit", "X01"), ("period", "2026-H1"), ("agency", ""), ("narrative", "Báo cáo 6 tháng")])
            .send()
            .await
            .expect("submit");
        assert_eq!(r.status(), 303, "{label}: submitted");
        assert!(!body(&x, app.url("/my-work")).await.contains("Báo cáo 6 tháng đầu năm 2026"), "{label}: no longer to submit");
        let dhome = body(&d, app.url("/")).await;
        assert_eq!(badge(&dhome).as_deref(), Some("1"), "{label}: the parent's specialist is notified");
        let dnotes = body(&d, app.url("/notifications")).await;
        assert!(dnotes.contains("Thị trấn Mộc Châu đã gửi báo cáo 6 tháng đầu năm 2026"), "{label}: notification text");
        assert!(
            dhome.contains("Báo cáo cấp dưới đã gửi, cần xem xét (1)")
                && dhome.contains("Báo cáo 6 tháng đầu năm 2026 của Thị trấn Mộc Châu"),
            "{label}: the report to review in the district's work"
        );
        // The district returns the report: the commune is told.
        let report = app
            .store
            .report_of(&Scope::system("t"), &app.store.unit_by_code(&Scope::system("t"), "X01").await.expect("x01"), None, "2026-H1")
            .await
            .expect("report")
            .expect("stored");
        let r = d
            .post(app.url(&format!("/reports/{}/return", report.id)))
            .form(&[("csrf", dcsrf.as_str()), ("reason", "Thiếu số liệu quý II"), ("back", "/")])
            .send()
            .await
            .expect("return report");
        assert_eq!(r.status(), 303, "{label}: report returned");
        let notes = body(&x, app.url("/notifications")).await;
        assert!(
            notes.contains("Báo cáo 6 tháng đầu năm 2026 của Thị trấn Mộc Châu bị trả lại để chỉnh sửa: Thiếu số liệu quý II"),
            "{label}"
        );
        assert_eq!(badge(&body(&x, app.url("/")).await).as_deref(), Some("1"), "{label}: the commune's badge");

        // The district issues a plan: the communes under it are told, with a link to the plan.
        let sys = Scope::system("test");
        let draft = PlanDraft {
            doc_type: "KẾ HOẠCH".into(),
            year: 2026,
            year_to: None,
            families: vec!["PAPI".into()],
            number: None,
            place: None,
            issued_on: None,
            title: "Kế hoạch cải thiện chỉ số PAPI huyện Mộc Châu năm 2026".into(),
            status: PlanStatus::Draft,
            based_on: vec![],
            recipients: vec![],
            signer: None,
            child_deadline: None,
            document: serde_json::json!({}),
            tasks: vec![TaskDraft {
                code: "1".into(), text: "Nhiệm vụ".into(), nodes: vec!["papi.d1.s1".into()], ..Default::default()
            }],
        };
        let plan = app.store.create_plan(&sys, "123", &draft, None, None).await.expect("draft plan");
        let r = d
            .post(app.url(&format!("/plans/{}/issue", plan.id)))
            .form(&[
                ("csrf", dcsrf.as_str()),
                ("number", "77/KH-UBND"),
                ("issued_on", "2026-06-02"),
                ("version", &plan.version.to_string()),
            ])
            .send()
            .await
            .expect("issue");
        assert_eq!(r.status(), 303, "{label}: issued");
        let issued = "Huyện Mộc Châu đã ban hành kế hoạch 77/KH-UBND: Kế hoạch cải thiện chỉ số PAPI huyện Mộc Châu năm 2026";
        let notes = body(&x, app.url("/notifications")).await;
        assert!(
            notes.contains(issued) && notes.contains(&format!("href=\"/plans/{}\"", plan.id)),
            "{label}: the commune is told of the plan"
        );
        // Read-only accounts act on nothing and are not notified.
        assert!(!body(&v, app.url("/notifications")).await.contains(issued), "{label}: a viewer is not notified");
        app.stop().await;
    }
}
