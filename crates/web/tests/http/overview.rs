//! The overview of a unit's children (`/overview`): numbers computed over HTTP from a small tree built here
//! (plans on time, late, in draft and missing; tasks by status and dimension; reports on time, late and
//! missing), asserted against what was inserted; the national view and the scope refusals.

use crate::helpers::*;
use chiso_core::access::{Role, Scope};
use chiso_core::plan::{PlanDraft, PlanStatus};
use chiso_core::progress::TaskStatus;
use chiso_store::accounts::NewUser;
use chiso_store::bulk::{BulkPlan, BulkReport, BulkTask, BulkUpdate};
use time::Date;
use time::macros::date;

fn ms(d: Date, hour: i64) -> i64 {
    chiso_store::progress::end_of_day_ms(d) + 1 - (24 - hour) * 3_600_000
}

fn task(code: &str, nodes: &[&str], due: Option<Date>, lead: Option<(i64, String)>, updates: Vec<BulkUpdate>) -> BulkTask {
    BulkTask {
        code: code.into(),
        text: format!("Nhiệm vụ {code}"),
        lead,
        due_date: due,
        nodes: nodes.iter().map(|n| n.to_string()).collect(),
        source: None,
        updates,
    }
}

fn update(status: TaskStatus, percent: u8, completed_on: Option<Date>, made: Date) -> BulkUpdate {
    BulkUpdate {
        agency_id: None,
        status,
        percent: Some(percent),
        completed_on,
        narrative: "Cập nhật".into(),
        created_by: "test".into(),
        created_at: ms(made, 10),
        evidence: None,
    }
}

fn report(unit_id: i64, agency_id: Option<i64>, submitted: Date) -> BulkReport {
    BulkReport {
        unit_id,
        agency_id,
        period: "2025-H1".into(),
        window: (date!(2024 - 12 - 15), date!(2025 - 06 - 14)),
        due: date!(2025 - 06 - 20),
        narrative: "Báo cáo".into(),
        summary: Default::default(),
        submitted_at: ms(submitted, 10),
        submitted_by: "test".into(),
    }
}

/// The cells of the table line whose `data-code` is `code`, as text (tags removed).
fn line_cells(page: &str, code: &str) -> Vec<String> {
    let start = page.find(&format!("<tr data-code=\"{code}\">")).unwrap_or_else(|| panic!("line {code} in {page}"));
    let end = start + page[start..].find("</tr>").expect("end of line");
    cells(&page[start..end])
}

fn cells(html: &str) -> Vec<String> {
    html.split("<td")
        .skip(1)
        .map(|c| {
            let body = &c[c.find('>').map_or(0, |i| i + 1)..];
            let body = body.split("</td>").next().unwrap_or_default();
            let mut out = String::new();
            let mut tag = false;
            for ch in body.chars() {
                match ch {
                    '<' => tag = true,
                    '>' => tag = false,
                    _ if !tag => out.push(ch),
                    _ => {}
                }
            }
            out.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

fn totals(page: &str) -> Vec<String> {
    let start = page.find("<tr id=\"total\">").expect("totals line");
    let end = start + page[start..].find("</tr>").expect("end");
    cells(&page[start..end].replace("<th", "<td").replace("</th>", "</td>"))
}

#[tokio::test]
async fn the_overview_counts_plans_tasks_and_reports_of_each_child() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let store = &app.store;
        // A second province with one commune, besides the test tree (14 → 123 → X01, X02).
        store
            .import_units_csv(&sys, "code,name,level,parent_code,valid_from,valid_to\n15,Tỉnh Bắc Kạn,province,,2000-01-01,\nY01,Xã Yên Phong,commune,15,2000-01-01,\n")
            .await
            .expect("units");
        let unit = |code: &'static str| async move { store.unit_by_code(&Scope::system("test"), code).await.expect("unit") };
        let (p14, d123, x01, p15) = (unit("14").await, unit("123").await, unit("X01").await, unit("15").await);
        let snv = store.ensure_agency(&sys, p14.id, "Sở Nội vụ", "office").await.expect("agency");
        store.ensure_agency(&sys, d123.id, "Phòng Văn hóa", "office").await.expect("agency (leads nothing, owes no report)");
        for (username, unit) in [("nv.tinh", "14"), ("nv.tinh15", "15")] {
            store
                .create_user(
                    &sys,
                    NewUser {
                        username: username.into(),
                        full_name: format!("Chuyên viên {unit}"),
                        password: PASSWORD.into(),
                        role: Role::Specialist,
                        unit_code: Some(unit.into()),
                        agency_id: None,
                    },
                )
                .await
                .expect("user");
        }
        let due = Some(date!(2025 - 04 - 30));
        let later = Some(date!(2025 - 12 - 31));
        // Province 14: six tasks. H1 2025 is counted as of 14/06/2025 (the end of its data window).
        let province_tasks = vec![
            // done on time
            task("1", &["papi.d1"], due, Some((snv.id, snv.name.clone())), vec![update(TaskStatus::Done, 100, Some(date!(2025 - 04 - 20)), date!(2025 - 04 - 21))]),
            // in progress past its due date: overdue (two nodes of one dimension count once)
            task("2", &["papi.d1", "papi.d1.s2"], due, None, vec![update(TaskStatus::InProgress, 50, None, date!(2025 - 03 - 01))]),
            // in progress, due later; serves two dimensions
            task("3", &["papi.d2", "papi.d1"], later, None, vec![update(TaskStatus::InProgress, 30, None, date!(2025 - 03 - 01))]),
            // no node, no due date, no update: not started, unclassified
            task("4", &[], None, None, vec![]),
            // done after its due date
            task("5", &["papi.d2"], due, None, vec![update(TaskStatus::Done, 100, Some(date!(2025 - 05 - 10)), date!(2025 - 05 - 10))]),
            // its only update came after the window: overdue as of 14/06
            task("6", &["papi.d2"], due, None, vec![update(TaskStatus::Done, 100, Some(date!(2025 - 09 - 01)), date!(2025 - 09 - 01))]),
        ];
        let plans = vec![
            BulkPlan {
                unit_id: p14.id,
                year: 2025,
                number: "1/KH-UBND".into(),
                issued_on: date!(2025 - 01 - 20),
                title: "Kế hoạch tỉnh".into(),
                parent: None,
                child_deadline: Some(date!(2025 - 02 - 15)),
                tasks: province_tasks,
            },
            // The district issues on 10/02, before the province's 15/02: on time.
            BulkPlan {
                unit_id: d123.id,
                year: 2025,
                number: "2/KH-UBND".into(),
                issued_on: date!(2025 - 02 - 10),
                title: "Kế hoạch huyện".into(),
                parent: Some(0),
                child_deadline: Some(date!(2025 - 02 - 18)),
                tasks: vec![task("1", &["papi.d1"], due, None, vec![update(TaskStatus::Done, 100, Some(date!(2025 - 04 - 01)), date!(2025 - 04 - 01))])],
            },
            // X01 issues on 20/02, after the district's 18/02: late. X02 has no plan.
            BulkPlan {
                unit_id: x01.id,
                year: 2025,
                number: "3/KH-UBND".into(),
                issued_on: date!(2025 - 02 - 20),
                title: "Kế hoạch xã".into(),
                parent: Some(1),
                child_deadline: None,
                tasks: vec![task("1", &["papi.d3"], later, None, vec![])],
            },
            // Province 15: no deadline set for it; one task done.
            BulkPlan {
                unit_id: p15.id,
                year: 2025,
                number: "9/KH-UBND".into(),
                issued_on: date!(2025 - 03 - 01),
                title: "Kế hoạch tỉnh Bắc Kạn".into(),
                parent: None,
                child_deadline: None,
                tasks: vec![task("1", &["papi.d1"], due, None, vec![update(TaskStatus::Done, 100, Some(date!(2025 - 04 - 01)), date!(2025 - 04 - 01))])],
            },
        ];
        // Reports of 2025-H1 (due dates by the default schedule, late June at the latest): on time = sent on
        // 14/06, late = sent in August.
        let reports = vec![
            report(p14.id, None, date!(2025 - 06 - 14)),
            report(p14.id, Some(snv.id), date!(2025 - 08 - 20)),
            report(x01.id, None, date!(2025 - 06 - 14)),
            report(p15.id, None, date!(2025 - 08 - 20)),
        ];
        store.bulk_plans(&sys, &plans, &reports, date!(2025 - 06 - 14)).await.expect("bulk");
        store.bulk_finish(&sys).await.expect("finish");
        // Y01 drafts its plan.
        let draft = PlanDraft {
            doc_type: "KẾ HOẠCH".into(),
            year: 2025,
            year_to: None,
            families: vec!["PAPI".into()],
            number: None,
            place: None,
            issued_on: None,
            title: "Kế hoạch xã Yên Phong (dự thảo)".into(),
            status: PlanStatus::Draft,
            based_on: vec![],
            recipients: vec![],
            signer: None,
            child_deadline: None,
            document: serde_json::json!({}),
            tasks: vec![],
        };
        store.create_plan(&sys, "Y01", &draft, None, None).await.expect("draft");

        // The national view: the Ministry (a scope reaching everything).
        let admin = app.login("admin").await;
        let r = admin.get(app.url("/overview?period=2025-H1")).send().await.expect("overview");
        assert_eq!(r.status(), 200, "{label}");
        let page = r.text().await.expect("body");
        assert!(page.contains("Tổng quan toàn quốc"), "{label}");
        // Lines by name: Tỉnh Bắc Kạn before Tỉnh Sơn La.
        assert!(page.find("data-code=\"15\"") < page.find("data-code=\"14\""), "{label}: lines by name");
        let l14 = line_cells(&page, "14");
        // Unit | own plan | plans on time | late / not issued | tasks | % done | % in progress | % overdue |
        // d1 | d2 | d3 | unclassified | own report | on time | late | missing | received | on time %
        assert_eq!(l14[0], "Tỉnh Sơn La · tổng quan", "{label}");
        assert_eq!(l14[1], "Đã ban hành (không đặt hạn)", "{label}");
        // 14 (no deadline) and 123 (on time) of 4 units; X01 late, X02 missing.
        assert_eq!(l14[2], "2/4 (50,0%)", "{label}");
        assert_eq!(l14[3], "1 / 1", "{label}");
        // 8 tasks: done 1, 123's, 5 (late) = 3; in progress 3; overdue 2, 6.
        assert_eq!(&l14[4..8], ["8", "37,5%", "12,5%", "25,0%"], "{label}");
        // d1: 1 done, 2 overdue, 3 in progress, 123's done; d2: 3 in progress, 5 done late, 6 overdue; d3: X01's
        // not started; unclassified: 4.
        assert_eq!(l14[8], "50,0% · 25,0% · 25,0%", "{label}");
        assert_eq!(l14[9], "33,3% · 33,3% · 33,3%", "{label}");
        assert_eq!(l14[10], "0,0% · 0,0% · 0,0%", "{label}");
        assert_eq!(l14[11], "0,0% · 0,0% · 0,0%", "{label}: unclassified");
        // Reports owed: 14, Sở Nội vụ (leads a task), 123, X01, X02 = 5; on time 14 and X01, late Sở Nội vụ,
        // missing 123 and X02. Phòng Văn hóa leads nothing and owes nothing.
        assert_eq!(&l14[12..18], ["Đúng hạn", "2", "1", "2", "60,0%", "40,0%"], "{label}");
        let l15 = line_cells(&page, "15");
        assert_eq!(&l15[1..4], ["Đã ban hành (không đặt hạn)", "1/2 (50,0%)", "0 / 1"], "{label}: Y01 drafting");
        assert_eq!(&l15[4..8], ["1", "100,0%", "0,0%", "0,0%"], "{label}");
        assert_eq!(&l15[12..18], ["Trễ hạn", "0", "1", "1", "50,0%", "0,0%"], "{label}");
        let t = totals(&page);
        assert_eq!(t[0], "Tổng cộng", "{label}");
        assert_eq!(&t[2..8], ["3/6 (50,0%)", "1 / 2", "9", "44,4%", "11,1%", "22,2%"], "{label}: totals");
        assert_eq!(&t[13..18], ["2", "2", "3", "57,1%", "28,6%"], "{label}: 7 reports owed");
        assert!(page.contains("href=\"/dashboard?unit=14&amp;period=2025-H1\"") || page.contains("href=\"/dashboard?unit=14&period=2025-H1\""), "{label}: link to the dashboard");
        assert!(page.contains("/assets/overview.js") && page.contains("id=\"chart-data\""), "{label}: chart");

        // The province's view: its district with the communes below it.
        let tinh = app.login("nv.tinh").await;
        let r = tinh.get(app.url("/overview?period=2025-H1")).send().await.expect("own overview");
        assert_eq!(r.status(), 200, "{label}");
        let page = r.text().await.expect("body");
        assert!(page.contains("Tổng quan — Tỉnh Sơn La"), "{label}");
        let l = line_cells(&page, "123");
        assert_eq!(&l[1..4], ["Ban hành đúng hạn", "1/3 (33,3%)", "1 / 1"], "{label}");
        assert_eq!(&l[4..8], ["2", "50,0%", "0,0%", "0,0%"], "{label}: 123's done, X01's not started");
        // 123 (missing), X01 (on time), X02 (missing).
        assert_eq!(&l[l.len() - 6..], ["Chưa gửi (quá hạn)", "1", "0", "2", "33,3%", "33,3%"], "{label}");
        // Scope: the national view and another province are refused; a province's own code is not.
        for path in ["/overview?unit=toan-quoc", "/overview?unit=15", "/overview?unit=Y01"] {
            assert_eq!(tinh.get(app.url(path)).send().await.expect("get").status(), 403, "{label}: {path}");
        }
        assert_eq!(tinh.get(app.url("/overview?unit=14&period=2025-H1")).send().await.expect("get").status(), 200, "{label}");
        let huyen = app.login("nv.huyen").await;
        assert_eq!(huyen.get(app.url("/overview?unit=14")).send().await.expect("get").status(), 403, "{label}: above the district");
        // A period that is no period is refused, not guessed.
        assert_eq!(admin.get(app.url("/overview?period=2025-H9")).send().await.expect("get").status(), 400, "{label}");
    })
    .await;
}
