//! Report use cases against a real store (SQLite, and PostgreSQL when `CHISO_TEST_PG` is set): the schedule
//! read from the deadlines stored with a plan, submission judged on time, late or locked by core, and a
//! two-level unit tree that needs no code change.

use chiso_app::reports::SubmitError;
use chiso_app::{App, Clock, ErrorKind, Failure};
use chiso_core::access::{Reach, Role, Scope};
use chiso_core::framework::FrameworkSet;
use chiso_core::period::Period;
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_core::progress::{Deadline, ReportState, Submission};
use chiso_core::text::vn_date_short;
use chiso_store::Store;
use chiso_store::testing::TestDb;
use std::sync::Arc;
use time::macros::date;

async fn on_each_backend<F, Fut>(f: F)
where
    F: Fn(Store, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await.expect("test database") {
        f(db.store.clone(), db.label).await;
        db.cleanup().await;
    }
}

fn frameworks() -> Arc<FrameworkSet> {
    Arc::new(FrameworkSet::builtin().expect("frameworks"))
}

/// The app on a clock frozen at `hour`:00 Vietnam time of `day`.
fn at(store: &Store, fw: &Arc<FrameworkSet>, day: time::Date, hour: u8) -> App {
    let t = day.with_hms(hour, 0, 0).expect("time").assume_offset(chiso_core::progress::VIETNAM_OFFSET);
    App::new(store.clone(), fw.clone()).with_clock(Clock::Fixed { now_ms: (t.unix_timestamp_nanos() / 1_000_000) as i64 })
}

fn plan(year: i32, deadlines: serde_json::Value, tasks: Vec<TaskDraft>) -> PlanDraft {
    PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year,
        year_to: None,
        families: vec!["PAPI".into()],
        number: Some("1/KH-UBND".into()),
        place: None,
        issued_on: time::Date::from_calendar_date(year, time::Month::January, 15).ok(),
        title: "Kế hoạch nâng cao chỉ số PAPI".into(),
        status: PlanStatus::Issued,
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: deadlines,
        tasks,
    }
}

fn task(code: &str) -> TaskDraft {
    TaskDraft { code: code.into(), text: format!("Nhiệm vụ {code}"), nodes: vec!["papi.d1.s1".into()], ..Default::default() }
}

async fn scope_of(store: &Store, code: &str, role: Role) -> Scope {
    let u = store.unit_by_code(&Scope::system("t"), code).await.expect("unit");
    Scope { user_id: None, actor: format!("{code}-user"), role, reach: Reach::Subtree { unit_id: u.id, path: u.path }, agency_id: None }
}

#[tokio::test]
async fn submissions_are_judged_on_time_late_or_locked_by_the_plans_schedule() {
    let fw = frameworks();
    on_each_backend(|store, label| {
        let fw = fw.clone();
        async move {
            let sys = Scope::system("t");
            let tree = "code,name,level,parent_code,valid_from,valid_to\n14,Tỉnh Sơn La,province,,2000-01-01,\n\
                        123,Huyện Mộc Châu,district,14,2000-01-01,\nX01,Thị trấn Mộc Châu,commune,123,2000-01-01,\n\
                        X02,Xã Chiềng Sơn,commune,123,2000-01-01,\n";
            store.import_units_csv(&sys, tree).await.expect("tree");
            let doc = serde_json::json!({
                "deadlines": [{"date": "2022-06-05", "text": "Báo cáo gửi về Phòng Nội vụ: 6 tháng đầu năm trước ngày 05/6"}],
                "sections": [{"paragraphs": ["- Báo cáo 6 tháng đầu năm 2022: Thời gian chốt số liệu tính từ ngày 01/12/2021 đến ngày 31/5/2022."]}]
            });
            let p = store.create_plan(&sys, "123", &plan(2022, doc, vec![task("1")]), None, None).await.expect("plan");
            let x01 = store.unit_by_code(&sys, "X01").await.expect("x01");
            let x02 = store.unit_by_code(&sys, "X02").await.expect("x02");
            let district = store.unit_by_code(&sys, "123").await.expect("123");
            let h1 = Period::parse("2022-H1").expect("h1");

            // A plan stored without its deadlines gets them on first use, once.
            assert_eq!(store.plan_report_deadlines(p.id).await.expect("read"), None, "{label}");
            let app = at(&store, &fw, date!(2022 - 06 - 01), 9);
            let schedule = app.reports().schedule_for(&x01, 2022).await.expect("schedule");
            let sp = app.reports().scheduled(&schedule, h1).expect("h1");
            assert_eq!((sp.window.from, sp.window.to), (date!(2021 - 12 - 01), date!(2022 - 05 - 31)), "{label}: the plan's window");
            assert_eq!(sp.due_for("commune"), Some(date!(2022 - 06 - 05)), "{label}: the plan's deadline");
            assert_eq!(store.plan_report_deadlines(p.id).await.expect("read").map(|d| d.len()), Some(2), "{label}: recorded");

            // On time at 23:00 on the due date, late the day after.
            let r = at(&store, &fw, date!(2022 - 06 - 05), 23).reports().submit(&sys, &x01, None, h1, "Đúng hạn").await.expect("x01");
            assert_eq!(r.status, ReportState::Submitted);
            at(&store, &fw, date!(2022 - 06 - 06), 8).reports().submit(&sys, &x02, None, h1, "Muộn").await.expect("x02");
            let again = at(&store, &fw, date!(2022 - 06 - 07), 8).reports().submit(&sys, &x01, None, h1, "Lại").await;
            assert!(matches!(again, Err(SubmitError::AlreadySubmitted(_))), "{label}: {again:?}");
            let status = app.reports().status(&sys, "123", "2022-H1", Some(date!(2022 - 06 - 20))).await.expect("status");
            let by_code = |c: &str| status.children.iter().find(|l| l.code == c).and_then(|l| l.own_report.as_ref()).map(|o| o.submission);
            assert_eq!((by_code("X01"), by_code("X02")), (Some(Submission::OnTime), Some(Submission::Late)), "{label}");
            assert_eq!((status.unit.reports.on_time, status.unit.reports.late), (1, 1));

            // The district's report: due after the communes' (the policy's spacing), still accepted late until
            // the grace ends, refused the day after; agency staff may not send the unit's report.
            let due = sp.due_for("district").expect("district due");
            assert!(due > date!(2022 - 06 - 05), "{label}");
            let lock = Deadline::new(due, schedule.lock_grace_working_days, &app.calendar).locked_after;
            let specialist = scope_of(&store, "123", Role::Specialist).await;
            let day_after = lock.next_day().expect("day");
            let late = at(&store, &fw, day_after, 8).reports().submit(&specialist, &district, None, h1, "x").await;
            match late {
                Err(e @ SubmitError::Locked { .. }) => {
                    assert_eq!((e.kind(), e.code()), (ErrorKind::Conflict, "locked"));
                    assert!(e.to_string().contains(&format!("đã khóa từ ngày {}", vn_date_short(lock))), "{e}");
                }
                other => panic!("{label}: {other:?}"),
            }
            let staff = scope_of(&store, "123", Role::AgencyStaff).await;
            let refused = at(&store, &fw, date!(2022 - 06 - 08), 8).reports().submit(&staff, &district, None, h1, "x").await;
            assert!(matches!(&refused, Err(e) if e.kind() == ErrorKind::Forbidden), "{label}: {refused:?}");
            at(&store, &fw, lock, 8).reports().submit(&specialist, &district, None, h1, "Muộn").await.expect("accepted late");

            // An ad hoc period no plan sets has no schedule.
            let adhoc = app.reports().submit(&sys, &x01, None, Period::parse("2022-A01").expect("a01"), "x").await;
            assert!(matches!(&adhoc, Err(e @ SubmitError::NoSchedule(_)) if e.kind() == ErrorKind::Invalid), "{label}: {adhoc:?}");
        }
    })
    .await;
}

/// Since 1 July 2025 communes sit directly under the province. A provincial plan's deadlines then go to the
/// communes and the province, with no district in between and no code change: levels are data.
#[tokio::test]
async fn a_two_level_tree_reports_straight_to_the_province() {
    let fw = frameworks();
    on_each_backend(|store, label| {
        let fw = fw.clone();
        async move {
            let sys = Scope::system("t");
            let tree = "code,name,level,parent_code,valid_from,valid_to\nP,Tỉnh Thử,province,,2025-07-01,\n\
                        P.01,Xã Một,commune,P,2025-07-01,\nP.02,Xã Hai,commune,P,2025-07-01,\n";
            store.import_units_csv(&sys, tree).await.expect("tree");
            let doc = serde_json::json!({"deadlines": [
                {"date": "2026-06-05", "text": "Báo cáo 6 tháng đầu năm: các xã gửi Sở Nội vụ trước ngày 05/6/2026"},
                {"date": "2026-06-12", "text": "Báo cáo 6 tháng đầu năm: UBND tỉnh báo cáo Bộ Nội vụ trước ngày 12/6/2026"}
            ]});
            let p = store.create_plan(&sys, "P", &plan(2026, doc, vec![task("1")]), None, None).await.expect("plan");
            let app = at(&store, &fw, date!(2026 - 06 - 01), 9);
            assert_eq!(app.reports().record_deadlines(&p).await.expect("record").len(), 2);
            let commune = store.unit_by_code(&sys, "P.01").await.expect("commune");
            let s = app.reports().schedule_for(&commune, 2026).await.expect("schedule");
            let h1 = s.get(Period::parse("2026-H1").expect("h1")).expect("h1 in the plan's schedule");
            assert_eq!(h1.due_for("commune"), Some(date!(2026 - 06 - 05)), "{label}: {h1:?}");
            assert_eq!(h1.reports_to("commune"), Some("province"), "{label}");
            assert_eq!(h1.due_for("province"), Some(date!(2026 - 06 - 12)), "{label}");
            assert_eq!(h1.due_for("district"), None, "{label}");
            let status = app.reports().status(&sys, "P", "2026-H1", Some(date!(2026 - 06 - 10))).await.expect("status");
            assert_eq!((status.unit.reports.expected, status.unit.reports.missing), (2, 2), "{label}: both communes owe a report");
        }
    })
    .await;
}

/// Issue 12: a report the district returns after the period's lock can be corrected and sent again; the days
/// after the due date are recorded, the district's list says it was returned and why until then, and nothing
/// else is taken after the lock.
#[tokio::test]
async fn a_report_returned_after_the_lock_is_corrected_and_sent_again_with_its_lateness() {
    let fw = frameworks();
    on_each_backend(|store, label| {
        let fw = fw.clone();
        async move {
            let sys = Scope::system("t");
            let tree = "code,name,level,parent_code,valid_from,valid_to\n14,Tỉnh Sơn La,province,,2000-01-01,\n\
                        123,Huyện Mộc Châu,district,14,2000-01-01,\nX01,Thị trấn Mộc Châu,commune,123,2000-01-01,\n\
                        X02,Xã Chiềng Sơn,commune,123,2000-01-01,\n";
            store.import_units_csv(&sys, tree).await.expect("tree");
            let doc = serde_json::json!({
                "deadlines": [{"date": "2022-06-05", "text": "Báo cáo gửi về Phòng Nội vụ: 6 tháng đầu năm trước ngày 05/6"}],
                "sections": [{"paragraphs": ["- Báo cáo 6 tháng đầu năm 2022: Thời gian chốt số liệu tính từ ngày 01/12/2021 đến ngày 31/5/2022."]}]
            });
            store.create_plan(&sys, "123", &plan(2022, doc, vec![task("1")]), None, None).await.expect("plan");
            let x01 = store.unit_by_code(&sys, "X01").await.expect("x01");
            let x02 = store.unit_by_code(&sys, "X02").await.expect("x02");
            let h1 = Period::parse("2022-H1").expect("h1");
            let commune = scope_of(&store, "X01", Role::Specialist).await;
            let district = scope_of(&store, "123", Role::Specialist).await;

            let sent = at(&store, &fw, date!(2022 - 06 - 03), 10).reports().submit(&commune, &x01, None, h1, "Bản đầu").await.expect("sent");
            assert_eq!((sent.days_late, sent.is_resubmission()), (Some(0), false), "{label}: on time, 0 days late");
            let app = at(&store, &fw, date!(2022 - 06 - 01), 9);
            let schedule = app.reports().schedule_for(&x01, 2022).await.expect("schedule");
            let lock = Deadline::new(date!(2022 - 06 - 05), schedule.lock_grace_working_days, &app.calendar).locked_after;
            let after = lock.checked_add(time::Duration::days(5)).expect("day");

            // After the lock: the district returns it; the commune itself may not.
            let late = at(&store, &fw, after, 9);
            let own = late.reports().return_report(&commune, sent.id, "tự trả").await;
            assert!(matches!(&own, Err(e) if e.kind() == ErrorKind::Forbidden), "{label}: {own:?}");
            late.reports().return_report(&district, sent.id, "Thiếu số liệu quý II").await.expect("returned");
            let twice = late.reports().return_report(&district, sent.id, "lại").await;
            assert!(matches!(&twice, Err(e) if e.kind() == ErrorKind::Conflict), "{label}: a returned report is not returned again");
            let page = late.reports().page(&district, "123", "2022-H1", "").await.expect("page");
            let line = page.children.iter().find(|c| c.line.code == "X01").expect("X01 line");
            let r = line.report.as_ref().expect("the returned report is on the list");
            assert_eq!((r.status, r.returned_reason.as_deref()), (ReportState::Returned, Some("Thiếu số liệu quý II")), "{label}");
            assert_eq!(line.report_id, None, "{label}: nothing to return while it stands returned");
            let mine = late.reports().page(&commune, "X01", "2022-H1", "").await.expect("own page");
            assert!(mine.locked && mine.own == chiso_app::reports::OwnReportState::Returned, "{label}");

            // Sent again after the lock: accepted, late by the days since the due date; the reason is kept.
            let again = at(&store, &fw, after, 15).reports().submit(&commune, &x01, None, h1, "Bản đã sửa").await.expect("sent again");
            let days = (after - date!(2022 - 06 - 05)).whole_days();
            assert_eq!((again.status, again.days_late, again.narrative.as_str()), (ReportState::Submitted, Some(days), "Bản đã sửa"), "{label}");
            assert!(again.is_resubmission() && again.returned_reason.as_deref() == Some("Thiếu số liệu quý II"), "{label}");
            let status = late.reports().status(&sys, "123", "2022-H1", Some(after)).await.expect("status");
            let x01_line = status.children.iter().find(|l| l.code == "X01").and_then(|l| l.own_report.as_ref()).expect("x01");
            assert_eq!(x01_line.submission, Submission::Late, "{label}: received again, late");
            // Once sent it is not sent a third time, and a report never sent is still refused after the lock.
            let third = at(&store, &fw, after, 16).reports().submit(&commune, &x01, None, h1, "x").await;
            assert!(matches!(third, Err(SubmitError::AlreadySubmitted(_))), "{label}: {third:?}");
            let never = at(&store, &fw, after, 16).reports().submit(&sys, &x02, None, h1, "x").await;
            match never {
                Err(e @ SubmitError::Locked { .. }) => assert!(e.to_string().contains("6 tháng đầu năm 2022"), "{label}: {e}"),
                other => panic!("{label}: {other:?}"),
            }
            // The returning unit's view of the report: late, resubmitted, and it may return it again.
            let view = late.reports().report(&district, again.id).await.expect("view");
            assert!(view.can_return, "{label}: the district may return it again");
            assert!(!late.reports().report(&commune, again.id).await.expect("own view").can_return, "{label}: not its own");
        }
    })
    .await;
}

/// Issue 11: what a dashboard shows is computed from rows once and served again until something below the
/// unit (or in its chain of parents) changes — whichever process wrote it. Two `App`s on one database stand
/// for two `chiso serve` processes: they share nothing but the database.
#[tokio::test]
async fn figures_are_kept_until_a_write_below_whichever_process_writes() {
    let fw = frameworks();
    on_each_backend(|store, label| {
        let fw = fw.clone();
        async move {
            let sys = Scope::system("t");
            let tree = "code,name,level,parent_code,valid_from,valid_to\nP,Tỉnh Thử,province,,2025-07-01,\n\
                        P.01,Xã Một,commune,P,2025-07-01,\nP.02,Xã Hai,commune,P,2025-07-01,\n";
            store.import_units_csv(&sys, tree).await.expect("tree");
            let p1 = store
                .create_plan(&sys, "P.01", &plan(2026, serde_json::json!({}), vec![task("1"), task("2")]), None, None)
                .await
                .expect("plan");
            store.create_plan(&sys, "P.02", &plan(2026, serde_json::json!({}), vec![task("1")]), None, None).await.expect("plan");
            let (a, b) = (at(&store, &fw, date!(2026 - 06 - 01), 9), at(&store, &fw, date!(2026 - 06 - 01), 10));
            let done = |d: &chiso_app::reports::DashboardData| d.status.unit.tasks.by_status.done_all();
            let province = a.reports().dashboard(&sys, None, "P", "2026-H1").await.expect("dashboard");
            assert_eq!((province.status.unit.tasks.by_status.total(), done(&province)), (3, 0), "{label}");
            a.reports().dashboard(&sys, None, "P.02", "2026-H1").await.expect("dashboard");
            let computed = a.figures.computations();
            // Asked again with nothing written: nothing computed.
            a.reports().dashboard(&sys, None, "P", "2026-H1").await.expect("dashboard");
            a.reports().dashboard(&sys, None, "P.02", "2026-H1").await.expect("dashboard");
            assert_eq!(a.figures.computations(), computed, "{label}: served again");

            // The other process records an update in P.01: the province's figures move at once in this one; the
            // sibling commune's are served again (nothing changed below it).
            let t = store.tasks(&sys, p1.id).await.expect("tasks").remove(0);
            let spec = scope_of(&store, "P.01", Role::Specialist).await;
            let update = chiso_store::progress::NewUpdate {
                status: chiso_core::progress::TaskStatus::Done,
                percent: None,
                completed_on: Some(date!(2026 - 05 - 20)),
                reason: None,
                narrative: "Đã xong".into(),
                files: vec![],
            };
            b.store.record_update_at(&spec, t.row.id, update, t.row.version, b.now_ms()).await.expect("update");
            let province = a.reports().dashboard(&sys, None, "P", "2026-H1").await.expect("dashboard");
            assert_eq!(done(&province), 1, "{label}: the write of the other process is seen");
            let commune = a.reports().dashboard(&sys, None, "P.01", "2026-H1").await.expect("dashboard");
            assert_eq!(done(&commune), 1, "{label}");
            let before = a.figures.computations();
            a.reports().dashboard(&sys, None, "P.02", "2026-H1").await.expect("dashboard");
            assert_eq!(a.figures.computations(), before, "{label}: the sibling's figures were kept");

            // A report sent by the other process shows in this one's status of the province.
            let p02 = store.unit_by_code(&sys, "P.02").await.expect("unit");
            b.reports().submit(&sys, &p02, None, Period::parse("2026-H1").expect("h1"), "Báo cáo 6 tháng").await.expect("submit");
            let province = a.reports().dashboard(&sys, None, "P", "2026-H1").await.expect("dashboard");
            assert_eq!(province.status.unit.reports.submitted, 1, "{label}");
            let page = a.reports().page(&sys, "P", "2026-H1", "").await.expect("page");
            assert!(page.children.iter().any(|c| c.line.code == "P.02" && c.report_id.is_some()), "{label}");
            // The national overview likewise.
            let o = a.reports().overview(&sys, chiso_app::reports::NATIONAL, "2026-H1").await.expect("overview");
            let tasks_done = o.tasks.by_status.done_all();
            let t2 = store.tasks(&sys, p1.id).await.expect("tasks").remove(1);
            let update = chiso_store::progress::NewUpdate {
                status: chiso_core::progress::TaskStatus::Done,
                percent: None,
                completed_on: Some(date!(2026 - 05 - 21)),
                reason: None,
                narrative: "Đã xong".into(),
                files: vec![],
            };
            b.store.record_update_at(&spec, t2.row.id, update, t2.row.version, b.now_ms()).await.expect("update");
            let o = a.reports().overview(&sys, chiso_app::reports::NATIONAL, "2026-H1").await.expect("overview");
            assert_eq!(o.tasks.by_status.done_all(), tasks_done + 1, "{label}: the overview moved too");
        }
    })
    .await;
}

/// Issue 11: several `chiso serve` processes on one database behave as one — a province's line of the national
/// overview, computed by one process, is read by the other from the database while the province's revision is
/// the same, and computed again once something in the province changes.
#[tokio::test]
async fn the_national_overview_lines_computed_by_one_process_are_read_by_the_other() {
    let fw = frameworks();
    on_each_backend(|store, label| {
        let fw = fw.clone();
        async move {
            let sys = Scope::system("t");
            let tree = "code,name,level,parent_code,valid_from,valid_to\nP,Tỉnh Thử,province,,2025-07-01,\n\
                        P.01,Xã Một,commune,P,2025-07-01,\n";
            store.import_units_csv(&sys, tree).await.expect("tree");
            let p1 = store.create_plan(&sys, "P.01", &plan(2026, serde_json::json!({}), vec![task("1")]), None, None).await.expect("plan");
            let (a, b) = (at(&store, &fw, date!(2026 - 06 - 01), 9), at(&store, &fw, date!(2026 - 06 - 01), 10));
            let province = store.unit_by_code(&sys, "P").await.expect("unit");
            let o = a.reports().overview(&sys, chiso_app::reports::NATIONAL, "2026-H1").await.expect("overview");
            assert_eq!(o.lines.len(), 1, "{label}");
            // Process A stored the line it computed, at the province's revision.
            let stored = store.shared_figures_of("overview-line", province.id).await.expect("read");
            assert_eq!(stored.len(), 1, "{label}: stored by A");
            let (detail, revision, body) = stored.into_iter().next().expect("stored by A");
            assert!(detail.starts_with("2026-H1|2026-06-01|"), "{label}: {detail}");
            let lines = store.line_revisions(&sys, chiso_store::overview::OverviewRoot::National, 2026).await.expect("lines");
            let rev = lines.iter().find(|(u, _)| u.id == province.id).map(|(_, r)| *r).expect("line");
            assert_eq!(revision, rev.as_text(), "{label}");
            // Process B reads it rather than computing it: a body marked here shows in B's overview.
            let marked = body.replacen("Tỉnh Thử", "Tỉnh Thử (đọc từ cơ sở dữ liệu)", 1);
            store.put_shared_figure("overview-line", province.id, &detail, &rev, &marked, 0).await.expect("put");
            let o = b.reports().overview(&sys, chiso_app::reports::NATIONAL, "2026-H1").await.expect("overview");
            assert_eq!(o.lines[0].1.name, "Tỉnh Thử (đọc từ cơ sở dữ liệu)", "{label}: B read A's line");
            assert_eq!(o.tasks.by_status.total(), 1, "{label}");
            // An update in the province: B computes the line again (the marked body is not served).
            let t = store.tasks(&sys, p1.id).await.expect("tasks").remove(0);
            let spec = scope_of(&store, "P.01", Role::Specialist).await;
            let update = chiso_store::progress::NewUpdate {
                status: chiso_core::progress::TaskStatus::Done,
                percent: None,
                completed_on: Some(date!(2026 - 05 - 20)),
                reason: None,
                narrative: "Đã xong".into(),
                files: vec![],
            };
            a.store.record_update_at(&spec, t.row.id, update, t.row.version, a.now_ms()).await.expect("update");
            let o = b.reports().overview(&sys, chiso_app::reports::NATIONAL, "2026-H1").await.expect("overview");
            assert_eq!((o.lines[0].1.name.as_str(), o.tasks.by_status.done_all()), ("Tỉnh Thử", 1), "{label}: computed again");
        }
    })
    .await;
}
