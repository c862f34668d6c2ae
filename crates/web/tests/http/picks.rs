//! Pick lists for a task's lead and coordinating agencies and its framework nodes (issue 12): the task form
//! and the review page offer the plan unit's agencies (and the names a task carries as written); an agency
//! of another unit, a name no list has or an unknown node code refuses the whole form — nothing changes —
//! with the reason beside the field and every choice kept.

use crate::helpers::*;
use chiso_core::access::Scope;

const SEED_003: &[u8] = include_bytes!("../../../../datasets/plans/003_187a403246ebc703.txt");

/// The Mộc Châu plan imported by `nv.huyen`; returns its id.
async fn import_plan(app: &TestApp, c: &reqwest::Client) -> i64 {
    let csrf = csrf_of(app, c).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("unit", "123")
        .text("year", "")
        .part("file", reqwest::multipart::Part::bytes(SEED_003.to_vec()).file_name("003.txt"));
    let r = c.post(app.url("/plans/import")).multipart(form).send().await.expect("upload");
    assert_eq!(r.status(), 303, "{}", app.label);
    r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").parse().expect("id")
}

#[tokio::test]
async fn task_agencies_and_nodes_are_picked_from_lists_and_anything_else_is_refused_with_the_form_kept() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let district = app.store.unit_by_code(&sys, "123").await.expect("unit");
        let province = app.store.unit_by_code(&sys, "14").await.expect("unit");
        let nv = app.store.ensure_agency(&sys, district.id, "Phòng Nội vụ", "office").await.expect("agency");
        let tp = app.store.ensure_agency(&sys, district.id, "Phòng Tư pháp", "office").await.expect("agency");
        let foreign = app.store.ensure_agency(&sys, province.id, "Sở Nội vụ", "office").await.expect("agency");
        let c = app.login("nv.huyen").await;
        let id = import_plan(&app, &c).await;
        // A duty whose lead the document gives as a group, with a group of coordinators.
        let tasks = app.store.tasks(&sys, id).await.expect("tasks");
        let t = tasks.iter().find(|t| t.row.code == "IV.1.d1").expect("duty").clone();
        assert_eq!(t.row.lead_agency.as_deref(), Some("Các cơ quan, đơn vị"), "{label}");

        // The form: pick lists, not free text; the group as written is a choice, and chosen.
        let page = c.get(app.url(&format!("/tasks/{}/edit", t.row.id))).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("<select name=\"lead_agency\" id=\"f-lead_agency\">"), "{label}: the lead is a list");
        assert!(page.contains("<select name=\"coordinating\" id=\"f-coordinating\" multiple"), "{label}: coordinators a list");
        assert!(page.contains("<select name=\"nodes\" id=\"f-nodes\" multiple"), "{label}: nodes a list");
        assert!(page.contains("<option value=\"Các cơ quan, đơn vị\" selected>Các cơ quan, đơn vị (như văn bản)</option>"), "{label}");
        assert!(page.contains(&format!("<option value=\"a{}\">Phòng Nội vụ</option>", nv.id)), "{label}: the unit's agencies");
        assert!(!page.contains("Sở Nội vụ"), "{label}: another unit's agencies are not offered");
        assert!(page.contains("data-filter-for=\"f-coordinating\" hidden"), "{label}: the search box waits for the script");
        assert!(page.contains("<option value=\"papi.d1\">D1 — "), "{label}: nodes labelled for people");

        // Another unit's agency, a made-up name and an unknown code: refused together, nothing stored.
        let csrf = csrf_of(&app, &c).await;
        let ver = t.row.version.to_string();
        let post = |lead: String, coord: Vec<String>, nodes: Vec<&'static str>| {
            let mut f: Vec<(String, String)> = vec![
                ("csrf".into(), csrf.clone()),
                ("version".into(), ver.clone()),
                ("text".into(), "Nội dung đã sửa".into()),
                ("lead_agency".into(), lead),
                ("expected_result".into(), "Báo cáo".into()),
                ("due_date".into(), "".into()),
                ("due_text".into(), "".into()),
                ("recurrence".into(), "".into()),
                ("task_group".into(), "".into()),
            ];
            f.extend(coord.into_iter().map(|v| ("coordinating".to_string(), v)));
            f.extend(nodes.into_iter().map(|v| ("nodes".to_string(), v.to_string())));
            c.post(app.url(&format!("/tasks/{}/edit", t.row.id))).form(&f).send()
        };
        let r = post(format!("a{}", foreign.id), vec![format!("a{}", tp.id), "Sở Bịa Đặt".into()], vec!["papi.d1", "papi.d99"])
            .await
            .expect("post");
        assert_eq!(r.status(), 422, "{label}");
        let page = r.text().await.expect("body");
        for (field, says) in [
            ("lead_agency", "Cơ quan chủ trì: cơ quan đã chọn không có trong danh sách cơ quan của Huyện Mộc Châu"),
            ("coordinating", "Cơ quan phối hợp: «Sở Bịa Đặt» không có trong danh sách cơ quan của Huyện Mộc Châu"),
            ("nodes", "Nội dung chỉ số: mã chỉ số &#39;papi.d99&#39; không có trong bộ chỉ số của kế hoạch (PAPI)"),
        ] {
            let beside = format!("<span class=\"field-error\" id=\"err-{field}\">{says}");
            assert!(page.contains(&beside), "{label}: {field} refused beside the field: {}", excerpt(&page, field));
        }
        assert!(page.contains(">Nội dung đã sửa</textarea>"), "{label}: typed text kept");
        assert!(page.contains(&format!("<option value=\"a{}\" selected>Phòng Tư pháp</option>", tp.id)), "{label}: good choice kept");
        assert!(page.contains("<option value=\"Sở Bịa Đặt\" selected>Sở Bịa Đặt (không có trong danh sách)</option>"), "{label}");
        assert!(page.contains("<option value=\"papi.d99\" selected>papi.d99 (không có trong bộ chỉ số)</option>"), "{label}");
        assert!(page.contains("<option value=\"papi.d1\" selected>D1 — "), "{label}: the known node kept chosen");
        let same = app.store.task(&sys, t.row.id).await.expect("task");
        assert_eq!((same.row.version, same.row.text.as_str()), (t.row.version, t.row.text.as_str()), "{label}: nothing changed");

        // The lists' values are saved: an agency by its record, the group as written, nodes by code.
        let r = post(format!("a{}", nv.id), vec![format!("a{}", tp.id), "Các cơ quan, đơn vị".into()], vec!["papi.d1", "papi.d2.s1"])
            .await
            .expect("post");
        assert_eq!(r.status(), 303, "{label}");
        let after = app.store.task(&sys, t.row.id).await.expect("task");
        assert_eq!((after.row.lead_agency.as_deref(), after.row.lead_agency_id), (Some("Phòng Nội vụ"), Some(nv.id)), "{label}");
        assert_eq!(after.coordinating_agencies, vec!["Phòng Tư pháp".to_string(), "Các cơ quan, đơn vị".to_string()], "{label}");
        assert_eq!(after.nodes, vec!["papi.d1".to_string(), "papi.d2.s1".to_string()], "{label}");
        // A name no longer on the task is no longer a choice.
        let page = c.get(app.url(&format!("/tasks/{}/edit", t.row.id))).send().await.expect("page").text().await.expect("body");
        assert!(page.contains(&format!("<option value=\"a{}\" selected>Phòng Nội vụ</option>", nv.id)), "{label}: lead chosen");
    })
    .await;
}

#[tokio::test]
async fn the_review_page_picks_coordinators_and_refuses_another_units_agency_changing_nothing() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let district = app.store.unit_by_code(&sys, "123").await.expect("unit");
        let province = app.store.unit_by_code(&sys, "14").await.expect("unit");
        let nv = app.store.ensure_agency(&sys, district.id, "Phòng Nội vụ", "office").await.expect("agency");
        let tp = app.store.ensure_agency(&sys, district.id, "Phòng Tư pháp", "office").await.expect("agency");
        let foreign = app.store.ensure_agency(&sys, province.id, "Sở Nội vụ", "office").await.expect("agency");
        let c = app.login("nv.huyen").await;
        let id = import_plan(&app, &c).await;
        let tasks = app.store.tasks(&sys, id).await.expect("tasks");
        let a = tasks.iter().find(|t| t.row.code == "IV.2.d1").expect("duty").clone();
        let b = tasks.iter().find(|t| t.row.code == "IV.1.d1").expect("duty").clone();
        let page = c.get(app.url(&format!("/plans/{id}/review"))).send().await.expect("review").text().await.expect("body");
        assert!(page.contains(&format!("name=\"coord_{}\"", a.row.id)), "{label}: a coordinators list per task");
        let csrf = csrf_of(&app, &c).await;
        let form = |coord_b: String| {
            vec![
                ("csrf".to_string(), csrf.clone()),
                (format!("ok_{}", a.row.id), "on".into()),
                (format!("ver_{}", a.row.id), a.row.version.to_string()),
                (format!("lead_{}", a.row.id), format!("a{}", nv.id)),
                (format!("coord_sent_{}", a.row.id), "1".into()),
                (format!("coord_{}", a.row.id), format!("a{}", tp.id)),
                (format!("ok_{}", b.row.id), "on".into()),
                (format!("ver_{}", b.row.id), b.row.version.to_string()),
                (format!("lead_{}", b.row.id), "as_written".into()),
                (format!("coord_sent_{}", b.row.id), "1".into()),
                (format!("coord_{}", b.row.id), coord_b),
            ]
        };
        // Task b names the province's agency: the whole form is refused, task a is not confirmed either.
        let r = c.post(app.url(&format!("/plans/{id}/review"))).form(&form(format!("a{}", foreign.id))).send().await.expect("post");
        assert_eq!(r.status(), 422, "{label}");
        let page = r.text().await.expect("body");
        assert!(
            page.contains("nhiệm vụ IV.1.d1: cơ quan phối hợp: cơ quan đã chọn không có trong danh sách cơ quan của Huyện Mộc Châu"),
            "{label}: {}",
            excerpt(&page, "review-errors")
        );
        assert!(page.contains(&format!("name=\"ok_{}\" checked", a.row.id)), "{label}: the confirmations kept");
        assert!(page.contains(&format!("<option value=\"a{}\" selected>Phòng Tư pháp</option>", tp.id)), "{label}: choices kept");
        for t in [&a, &b] {
            let same = app.store.task(&sys, t.row.id).await.expect("task");
            assert!(same.row.lead_proposed && same.row.version == t.row.version, "{label}: {} unchanged", t.row.code);
        }
        // A name the task does not carry is refused the same way; the plan unit's agency is saved.
        let r = c.post(app.url(&format!("/plans/{id}/review"))).form(&form("Sở Bịa Đặt".into())).send().await.expect("post");
        assert_eq!(r.status(), 422, "{label}");
        let r = c.post(app.url(&format!("/plans/{id}/review"))).form(&form(format!("a{}", nv.id))).send().await.expect("post");
        assert_eq!(r.status(), 303, "{label}");
        let after = app.store.task(&sys, a.row.id).await.expect("task");
        assert_eq!(after.coordinating_agencies, vec!["Phòng Tư pháp".to_string()], "{label}");
        let after = app.store.task(&sys, b.row.id).await.expect("task");
        assert_eq!((after.row.lead_agency.as_deref(), after.row.lead_proposed), (Some("Các cơ quan, đơn vị"), false), "{label}");
        assert_eq!(after.coordinating_agencies, vec!["Phòng Nội vụ".to_string()], "{label}");
    })
    .await;
}

fn excerpt(page: &str, near: &str) -> String {
    let at = page.find(near).unwrap_or(0);
    page[at..].chars().take(600).collect()
}
