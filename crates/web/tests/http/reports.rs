//! The seed 003 scenario end to end: the Mộc Châu plan imported, agencies and communes update tasks with
//! evidence, some report on time, one late, one not at all; the district's report compiles; the status
//! document and the dashboard show completeness and timeliness; the report exports as DOCX.

use crate::helpers::*;
use chiso_core::access::{Role, Scope};
use chiso_core::period::Period;
use chiso_store::accounts::NewUser;
use chiso_store::plans::TaskPatch;

const SEED_003: &[u8] = include_bytes!("../../../../datasets/plans/003_187a403246ebc703.txt");

fn at(date: &str, hour: i64) -> i64 {
    let d = chiso_core::unit::parse_date(date).expect("date");
    chiso_store::progress::end_of_day_ms(d) + 1 - (24 - hour) * 3_600_000
}

#[tokio::test]
async fn seed_003_reporting_scenario() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let store = &app.store;
        let district = store.unit_by_code(&sys, "123").await.expect("unit");
        let nv = store.ensure_agency(&sys, district.id, "Phòng Nội vụ", "office").await.expect("agency");
        let vh = store.ensure_agency(&sys, district.id, "Phòng Văn hóa và Thông tin", "office").await.expect("agency");
        let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().expect("frameworks"));
        let uc = chiso_app::App::new(store.clone(), frameworks);
        let plan = chiso_app::plans::import_document(&uc, &sys, "123", SEED_003, "003.txt", None).await.expect("import");
        for t in store.tasks(&sys, plan.id).await.expect("tasks") {
            let lead = if t.nodes.iter().any(|n| n.starts_with("papi.d8")) {
                &vh.name
            } else if t.nodes.iter().any(|n| n.starts_with("papi.d1")) {
                &nv.name
            } else {
                continue;
            };
            store
                .update_task(&sys, t.row.id, TaskPatch { lead_agency: Some(Some(lead.clone())), ..Default::default() }, t.row.version)
                .await
                .expect("assign");
        }
        for (commune, number) in [("X01", "10/KH-UBND"), ("X02", "11/KH-UBND")] {
            let child = chiso_app::plans::create_child_plan(&uc, &sys, plan.id, commune).await.expect("child plan");
            store.issue_plan(&sys, child.id, number, "2022-02-19", child.version).await.expect("issue");
        }
        // Agency staff update a task they lead, with evidence, over HTTP.
        store
            .create_user(
                &sys,
                NewUser {
                    username: "vh.staff".into(),
                    full_name: "Cán bộ VH-TT".into(),
                    password: PASSWORD.into(),
                    role: Role::AgencyStaff,
                    unit_code: Some("123".into()),
                    agency_id: Some(vh.id),
                },
            )
            .await
            .expect("user");
        let staff = app.login("vh.staff").await;
        let csrf = csrf_of(&app, &staff).await;
        let task = store
            .tasks(&sys, plan.id)
            .await
            .expect("tasks")
            .into_iter()
            .find(|t| t.row.lead_agency.as_deref() == Some(vh.name.as_str()))
            .expect("a VH-TT task");
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("version", task.row.version.to_string())
            .text("status", "in_progress")
            .text("percent", "50")
            .text("narrative", "Đã đăng 20 tin bài trên Cổng thông tin điện tử")
            .part("files", reqwest::multipart::Part::bytes(b"%PDF-1.4 bien ban".to_vec()).file_name("bien-ban.pdf"));
        let r = staff.post(app.url(&format!("/tasks/{}/updates", task.row.id))).multipart(form).send().await.expect("update");
        assert_eq!(r.status(), 303, "{label}: update with evidence");
        let page = staff.get(app.url(&format!("/tasks/{}", task.row.id))).send().await.expect("task").text().await.expect("body");
        assert!(page.contains("bien-ban.pdf") && page.contains("Đang thực hiện"), "{label}: update and evidence shown");
        let ev_link = page.split("href=\"/evidence/").nth(1).and_then(|s| s.split('"').next()).expect("evidence link").to_string();
        let file = staff.get(app.url(&format!("/evidence/{ev_link}"))).send().await.expect("download");
        assert_eq!(file.bytes().await.expect("bytes").as_ref(), b"%PDF-1.4 bien ban");
        // A file with a lying extension is refused with a message, and nothing is stored.
        let task = store.task(&sys, task.row.id).await.expect("task");
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("version", task.row.version.to_string())
            .text("status", "done")
            .text("narrative", "xong")
            .part("files", reqwest::multipart::Part::bytes(b"MZ\x90\x00binary".to_vec()).file_name("anh.png"));
        let r = staff.post(app.url(&format!("/tasks/{}/updates", task.row.id))).multipart(form).send().await.expect("update");
        assert_eq!(r.status(), 422, "{label}");
        assert!(r.text().await.expect("body").contains("không thuộc loại được phép"));
        assert_eq!(store.task_updates(&sys, task.row.id).await.expect("updates").len(), 1, "{label}: nothing stored");
        // An invalid progress form comes back (422) with everything typed kept and the error beside the field.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("version", task.row.version.to_string())
            .text("status", "cannot_do")
            .text("percent", "150")
            .text("completed_on", "2022-05-30")
            .text("reason", "Thiếu kinh phí <năm nay>")
            .text("narrative", "Đã tổ chức 3 hội nghị tuyên truyền");
        let r = staff.post(app.url(&format!("/tasks/{}/updates", task.row.id))).multipart(form).send().await.expect("update");
        assert_eq!(r.status(), 422, "{label}: invalid percent");
        let body = r.text().await.expect("body");
        assert!(body.contains(">Đã tổ chức 3 hội nghị tuyên truyền</textarea>"), "{label}: typed note kept");
        assert!(body.contains("value=\"150\"") && body.contains("value=\"2022-05-30\""), "{label}: typed values kept");
        assert!(body.contains("value=\"Thiếu kinh phí &") && !body.contains("<năm nay>"), "{label}: typed reason kept, escaped");
        assert!(body.contains("value=\"cannot_do\" selected"), "{label}: chosen status kept");
        assert!(body.contains("id=\"err-percent\"") && body.contains("nhập một số từ 0 đến 100"), "{label}: error beside the field");
        assert_eq!(store.task_updates(&sys, task.row.id).await.expect("updates").len(), 1, "{label}: nothing stored");
        // The commune officer cannot download the district's evidence.
        let x = app.login("xa.x01").await;
        assert_eq!(x.get(app.url(&format!("/evidence/{ev_link}"))).send().await.expect("get").status(), 403, "{label}");
        // H1 2022 reports: due 05/06 for communes and district agencies (read from the plan's text).
        let h1 = Period::parse("2022-H1").expect("period");
        let x01 = store.unit_by_code(&sys, "X01").await.expect("x01");
        let x02 = store.unit_by_code(&sys, "X02").await.expect("x02");
        // Submitted in the past: the use cases run on a clock set to each moment.
        let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().expect("frameworks"));
        let on = |ms: i64| chiso_app::App::new(store.clone(), frameworks.clone()).with_clock(chiso_app::Clock::Fixed { now_ms: ms });
        on(at("2022-06-04", 10)).reports().submit(&sys, &x01, None, h1, "Đúng hạn").await.expect("x01");
        on(at("2022-06-03", 16)).reports().submit(&sys, &district, Some(vh.id), h1, "Đúng hạn").await.expect("vh");
        on(at("2022-06-08", 9)).reports().submit(&sys, &x02, None, h1, "Muộn").await.expect("x02");
        // Phòng Nội vụ does not report at all.
        let c = app.login("nv.huyen").await;
        let status: serde_json::Value = c
            .get(app.url("/api/v1/reports/status?unit=123&period=2022-H1&as_of=2022-06-20"))
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("json");
        let r = &status["unit"]["reports"];
        assert_eq!(
            (r["expected"].as_u64(), r["submitted"].as_u64(), r["on_time"].as_u64(), r["late"].as_u64(), r["missing"].as_u64()),
            (Some(4), Some(3), Some(2), Some(1), Some(1)),
            "{label}: {r}"
        );
        assert_eq!(r["completeness"].as_f64(), Some(0.75));
        assert_eq!(r["timeliness"].as_f64(), Some(0.5));
        assert_eq!(status["window"]["from"], "2021-12-01", "{label}: the plan's own data window");
        assert!(status["unit"]["tasks"]["by_status"]["total"].as_u64().unwrap_or(0) > 0);
        let missing: Vec<&str> = status["children"]
            .as_array()
            .expect("children")
            .iter()
            .filter(|l| l["own_report"]["submission"] == "missing")
            .filter_map(|l| l["name"].as_str())
            .collect();
        assert_eq!(missing, vec!["Phòng Nội vụ"], "{label}");
        // The report page and the dashboard show the same figures.
        let page = c.get(app.url("/reports?unit=123&period=2022-H1")).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("75%") && page.contains("50%"), "{label}: report page completeness/timeliness");
        // X01 sent its report: its row links to its unit and to that report (`/reports/{id}`).
        let row = page.split("<a href=\"/units/X01\">").nth(1).and_then(|r| r.split("</td>").next()).unwrap_or_default();
        let link = row.split("<a href=\"/reports/").nth(1).and_then(|r| r.split_once("\">Xem báo cáo")).map(|(id, _)| id);
        assert!(link.is_some_and(|id| id.parse::<i64>().is_ok()), "{label}: each child links to its unit and to its report: {row}");
        let dash = c.get(app.url("/dashboard?unit=123&period=2022-H1")).send().await.expect("dash").text().await.expect("body");
        assert!(dash.contains("id=\"completeness\">75%") && dash.contains("id=\"timeliness\">50%"), "{label}: dashboard");
        // The district's own report, submitted and exported as DOCX in the official layout.
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url("/reports/submit"))
            .form(&[("csrf", csrf.as_str()), ("unit", "123"), ("period", "2022-H1"), ("agency", ""), ("narrative", "Kết quả 6 tháng")])
            .send()
            .await
            .expect("submit");
        assert_eq!(r.status(), 409, "{label}: H1 2022 is long locked, so a submission now is refused");
        let docx = c.get(app.url("/reports/export/docx?unit=123&period=2022-H1")).send().await.expect("docx").bytes().await.expect("bytes");
        let back = chiso_docs::parse_plan(&docx, "bao-cao.docx").expect("parse the report back");
        assert_eq!(back.doc_type.as_deref(), Some("BÁO CÁO"), "{label}");
        assert!(back.title.contains("6 tháng đầu năm 2022"), "{}", back.title);
    })
    .await;
}
