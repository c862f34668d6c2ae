//! Plans over HTTP: import a seed by upload, the plan page and its checklist, the cascade to a commune,
//! exports that read back, bad uploads, and scope.

use crate::helpers::*;

const SEED_003: &[u8] = include_bytes!("../../../../datasets/plans/003_187a403246ebc703.txt");

async fn upload(app: &TestApp, c: &reqwest::Client, unit: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let csrf = csrf_of(app, c).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("unit", unit.to_string())
        .text("year", "")
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    c.post(app.url("/plans/import")).multipart(form).send().await.expect("upload")
}

#[tokio::test]
async fn import_cascade_and_export_a_seed_plan() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let r = upload(&app, &c, "123", "003.txt", SEED_003.to_vec()).await;
        assert_eq!(r.status(), 303, "{label}");
        let loc = r.headers()["location"].to_str().expect("loc").to_string();
        let page = c.get(app.url(&loc)).send().await.expect("plan").text().await.expect("body");
        assert!(page.contains("426/KH-UBND") && page.contains("Mộc Châu, ngày 18 tháng 02 năm 2022"), "{label}: header");
        assert!(page.contains("Bao quát đủ các nội dung") && page.contains("8/8"), "{label}: covers the 8 PAPI dimensions");
        assert!(page.contains("Mỗi nhiệm vụ có cơ quan chủ trì"), "{label}: checklist");
        assert!(page.contains("Nội dung 8 – Quản trị điện tử"), "{label}: tasks grouped by dimension");
        let id: i64 = loc.trim_start_matches("/plans/").parse().expect("id");
        // The API gives the same plan with its checklist.
        let detail: serde_json::Value =
            c.get(app.url(&format!("/api/v1/plans/{id}"))).send().await.expect("api").json().await.expect("json");
        assert_eq!(detail["plan"]["number"], "426/KH-UBND");
        let lead =
            detail["compliance"].as_array().expect("checks").iter().find(|c| c["code"] == "tasks_have_lead").expect("lead check").clone();
        assert_eq!(lead["ok"], false, "{label}: the seed's tasks name no lead agency, and the checklist says so");
        // The cascade: a child plan for a commune carries the based-on reference and the deadline.
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/plans/{id}/children")))
            .form(&[("csrf", csrf.as_str()), ("unit", "X01")])
            .send()
            .await
            .expect("child");
        assert_eq!(r.status(), 303, "{label}");
        let child_loc = r.headers()["location"].to_str().expect("loc").to_string();
        let child = c.get(app.url(&child_loc)).send().await.expect("child page").text().await.expect("body");
        assert!(child.contains("Căn cứ Kế hoạch số 426/KH-UBND ngày 18/02/2022 của UBND huyện Mộc Châu"), "{label}: based-on reference");
        assert!(child.contains("hạn ban hành kế hoạch: <strong>20/02/2022</strong>"), "{label}: the parent's deadline is carried");
        assert!(child.contains("chưa ban hành (hạn 20/02/2022)"), "{label}: checklist shows it is not issued yet");
        // The parent sees which children have no plan yet.
        let parent = c.get(app.url(&loc)).send().await.expect("plan").text().await.expect("body");
        assert!(parent.contains("Xã Chiềng Sơn") && parent.contains("Chưa có kế hoạch"), "{label}: missing child plan flagged");
        // Issue the child late: the parent flags it.
        let child_id: i64 = child_loc.trim_start_matches("/plans/").parse().expect("id");
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/plans/{child_id}/issue")))
            .form(&[("csrf", csrf.as_str()), ("number", "05/KH-UBND"), ("issued_on", "2022-02-24"), ("version", "1")])
            .send()
            .await
            .expect("issue");
        assert_eq!(r.status(), 303, "{label}");
        let parent = c.get(app.url(&loc)).send().await.expect("plan").text().await.expect("body");
        assert!(parent.contains("Ban hành muộn"), "{label}: late child plan flagged");
        // Export: DOCX that reads back with the same number, date and title; XLSX is a zip.
        let docx = c.get(app.url(&format!("/plans/{id}/export/docx"))).send().await.expect("docx").bytes().await.expect("bytes");
        let back = chiso_docs::parse_plan(&docx, "back.docx").expect("parse exported docx");
        assert_eq!(back.number.as_deref(), Some("426/KH-UBND"));
        assert_eq!(back.date.map(|d| d.to_string()), Some("2022-02-18".into()));
        assert!(back.title.contains("Nâng cao chỉ số hiệu quả quản trị"), "{}", back.title);
        let xlsx = c.get(app.url(&format!("/plans/{id}/export/xlsx"))).send().await.expect("xlsx").bytes().await.expect("bytes");
        assert!(xlsx.starts_with(b"PK"), "{label}: xlsx is a zip");
        // The library finds the plan's tasks without diacritics.
        let hits: Vec<serde_json::Value> =
            c.get(app.url("/api/v1/tasks/search?q=ho%20ngheo")).send().await.expect("search").json().await.expect("json");
        assert!(!hits.is_empty(), "{label}: library search");
        // A commune officer cannot see the district's plan.
        let x = app.login("xa.x01").await;
        assert_eq!(x.get(app.url(&loc)).send().await.expect("get").status(), 403, "{label}");
        assert_eq!(x.get(app.url(&format!("/api/v1/plans/{id}"))).send().await.expect("get").status(), 403);
        assert_eq!(x.get(app.url(&format!("/plans/{id}/export/docx"))).send().await.expect("get").status(), 403);
        let leaked: Vec<serde_json::Value> =
            x.get(app.url("/api/v1/tasks/search?q=ho%20ngheo")).send().await.expect("search").json().await.expect("json");
        assert!(leaked.iter().all(|h| h["plan_id"] != id), "{label}: library does not leak");
    })
    .await;
}

#[tokio::test]
async fn bad_uploads_are_refused_and_store_nothing() {
    on_each_app(|app| async move {
        let c = app.login("nv.huyen").await;
        for (name, bytes) in [
            ("rong.txt", Vec::new()),
            ("nhi-phan.docx", vec![0u8, 159, 146, 150, 1, 2, 3, 255]),
            ("khong-phai-zip.docx", b"PK\x03\x04 this is not really a zip".to_vec()),
        ] {
            let r = upload(&app, &c, "123", name, bytes).await;
            assert_eq!(r.status(), 422, "{}: {name}", app.label);
            let body = r.text().await.expect("body");
            assert!(body.contains(name), "the error names the file: {name}");
        }
        let list: Vec<serde_json::Value> = c.get(app.url("/api/v1/plans")).send().await.expect("list").json().await.expect("json");
        assert!(list.is_empty(), "{}: nothing stored", app.label);
        // Uploading into a unit outside the scope is refused.
        let x = app.login("xa.x01").await;
        let r = upload(&app, &x, "X02", "003.txt", SEED_003.to_vec()).await;
        assert_eq!(r.status(), 403, "{}", app.label);
    })
    .await;
}

#[tokio::test]
async fn the_review_page_shows_owners_read_from_the_document_and_confirms_them() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = chiso_core::access::Scope::system("test");
        let unit = app.store.unit_by_code(&sys, "123").await.expect("unit");
        let nv = app.store.ensure_agency(&sys, unit.id, "Phòng Nội vụ", "phong").await.expect("agency");
        let c = app.login("nv.huyen").await;
        let r = upload(&app, &c, "123", "003.txt", SEED_003.to_vec()).await;
        assert_eq!(r.status(), 303, "{label}");
        let id: i64 = r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").parse().expect("id");
        let plan_page = c.get(app.url(&format!("/plans/{id}"))).send().await.expect("plan").text().await.expect("body");
        assert!(plan_page.contains(&format!("/plans/{id}/review")) && plan_page.contains("đề xuất, chưa xác nhận"), "{label}");

        let page = c.get(app.url(&format!("/plans/{id}/review"))).send().await.expect("review").text().await.expect("body");
        assert!(page.contains("Rà soát phân công") && page.contains("Còn 10/45 nhiệm vụ chờ xác nhận"), "{label}: the 10 duties");
        assert!(page.contains("<q>Theo dõi, đôn đốc, tổng hợp kết quả thực hiện"), "{label}: the evidence sentence");
        assert!(
            page.contains(&format!("<option value=\"a{}\" selected>Phòng Nội vụ</option>", nv.id)),
            "{label}: resolved agency preselected"
        );
        assert!(page.contains("Tòa án nhân huyện") && page.contains("không có trong danh sách cơ quan"), "{label}: unresolved name noted");

        let tasks = app.store.tasks(&sys, id).await.expect("tasks");
        let t = tasks.iter().find(|t| t.row.code == "IV.2.d1").expect("duty");
        let csrf = csrf_of(&app, &c).await;
        let (ok, ver, lead) = (format!("ok_{}", t.row.id), format!("ver_{}", t.row.id), format!("lead_{}", t.row.id));
        let form = [
            ("csrf", csrf.clone()),
            (ok.as_str(), "on".to_string()),
            (ver.as_str(), t.row.version.to_string()),
            (lead.as_str(), format!("a{}", nv.id)),
        ];
        let r = c.post(app.url(&format!("/plans/{id}/review"))).form(&form).send().await.expect("confirm");
        assert_eq!(r.status(), 303, "{label}");
        let after = app.store.task(&sys, t.row.id).await.expect("task");
        assert!(!after.row.lead_proposed && after.row.lead_agency_id == Some(nv.id), "{label}: confirmed");
        let page = c.get(app.url(&format!("/plans/{id}/review"))).send().await.expect("review").text().await.expect("body");
        assert!(page.contains("Còn 9/45 nhiệm vụ chờ xác nhận"), "{label}");
        // Without the form token nothing changes.
        let other = tasks.iter().find(|t| t.row.code == "IV.3.d1").expect("duty");
        let (ok, ver) = (format!("ok_{}", other.row.id), format!("ver_{}", other.row.id));
        let r =
            c.post(app.url(&format!("/plans/{id}/review"))).form(&[(ok.as_str(), "on"), (ver.as_str(), "1")]).send().await.expect("post");
        assert_ne!(r.status(), 303, "{label}");
        assert!(app.store.task(&sys, other.row.id).await.expect("task").row.lead_proposed, "{label}");
    })
    .await;
}

/// The review page's node pick list: the plan framework's nodes labelled "D1.2 — …", the task's nodes chosen;
/// nodes are confirmed together with the owners, unknown codes are refused, and the checklist counts only
/// confirmed leads.
#[tokio::test]
async fn the_review_page_picks_framework_nodes_and_confirms_them_with_the_owners() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = chiso_core::access::Scope::system("test");
        let unit = app.store.unit_by_code(&sys, "123").await.expect("unit");
        let nv = app.store.ensure_agency(&sys, unit.id, "Phòng Nội vụ", "phong").await.expect("agency");
        let c = app.login("nv.huyen").await;
        let r = upload(&app, &c, "123", "003.txt", SEED_003.to_vec()).await;
        let id: i64 = r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").parse().expect("id");
        let tasks = app.store.tasks(&sys, id).await.expect("tasks");
        let t = tasks.iter().find(|t| t.row.code == "IV.3.d1").expect("duty");
        assert_eq!(t.nodes, vec!["papi.d8".to_string(), "papi.d8.s1".to_string()], "{label}: as read");

        let page = c.get(app.url(&format!("/plans/{id}/review"))).send().await.expect("review").text().await.expect("body");
        let list = format!("name=\"nodes_{}\"", t.row.id);
        assert!(page.contains(&list), "{label}: a node list per task");
        assert!(page.contains("<option value=\"papi.d8.s1\" selected>D8.1 — "), "{label}: the task's nodes chosen, labelled for people");
        assert!(page.contains("<option value=\"papi.d2\">D2 — "), "{label}: every node of the plan's framework offered");
        assert!(!page.contains("value=\"par.a1\""), "{label}: only the plan's framework");
        assert!(page.contains(&format!("data-filter-for=\"nodes-{}\"", t.row.id)), "{label}: a filter without diacritics");
        let lead_before = lead_check(&app, &c, id).await;

        // An unknown code refuses the whole form: nothing changes.
        let (ok, ver, lead, nodes, sent) = (
            format!("ok_{}", t.row.id),
            format!("ver_{}", t.row.id),
            format!("lead_{}", t.row.id),
            format!("nodes_{}", t.row.id),
            format!("nodes_sent_{}", t.row.id),
        );
        let csrf = csrf_of(&app, &c).await;
        let bad = [
            ("csrf", csrf.clone()),
            (ok.as_str(), "on".into()),
            (ver.as_str(), t.row.version.to_string()),
            (lead.as_str(), format!("a{}", nv.id)),
            (sent.as_str(), "1".into()),
            (nodes.as_str(), "papi.d99".into()),
        ];
        let r = c.post(app.url(&format!("/plans/{id}/review"))).form(&bad).send().await.expect("post");
        assert_eq!(r.status(), 422, "{label}: refused as invalid");
        assert!(r.text().await.expect("body").contains("papi.d99"), "{label}: the refusal names the code");
        let same = app.store.task(&sys, t.row.id).await.expect("task");
        assert!(same.row.lead_proposed && same.nodes == t.nodes, "{label}: nothing changed");

        // Owners and nodes confirmed together; the parser's way of writing a code is accepted.
        let good = [
            ("csrf", csrf.clone()),
            (ok.as_str(), "on".into()),
            (ver.as_str(), t.row.version.to_string()),
            (lead.as_str(), format!("a{}", nv.id)),
            (sent.as_str(), "1".into()),
            (nodes.as_str(), "papi.d2.1".into()),
            (nodes.as_str(), "papi.d8".into()),
        ];
        let r = c.post(app.url(&format!("/plans/{id}/review"))).form(&good).send().await.expect("post");
        assert_eq!(r.status(), 303, "{label}");
        let after = app.store.task(&sys, t.row.id).await.expect("task");
        assert!(!after.row.lead_proposed && after.row.lead_agency_id == Some(nv.id), "{label}: the owner confirmed");
        assert_eq!(after.nodes, vec!["papi.d2.s1".to_string(), "papi.d8".to_string()], "{label}: the nodes chosen");
        // The checklist counts the confirmed lead, and only confirmed ones.
        let lead_after = lead_check(&app, &c, id).await;
        assert!(lead_before.starts_with("0/45") && lead_after.starts_with("1/45"), "{label}: {lead_before} → {lead_after}");
    })
    .await;
}

async fn lead_check(app: &TestApp, c: &reqwest::Client, id: i64) -> String {
    let detail: serde_json::Value = c.get(app.url(&format!("/api/v1/plans/{id}"))).send().await.expect("api").json().await.expect("json");
    let check = detail["compliance"].as_array().expect("checks").iter().find(|c| c["code"] == "tasks_have_lead").expect("check").clone();
    check["detail"].as_str().unwrap_or_default().to_string()
}

/// Both plan pages show the link: the child "Kế hoạch cấp trên", the parent its children plans; a plan whose
/// citation could not be resolved says so on the review page; the specialist links and unlinks by hand.
#[tokio::test]
async fn plan_pages_show_the_parent_link_and_a_specialist_links_by_hand() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let r = upload(&app, &c, "123", "003.txt", SEED_003.to_vec()).await;
        let parent: i64 = r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").parse().expect("id");
        let commune = "ỦY BAN NHÂN DÂN XÃ CHIỀNG SƠN\nSố: 07/KH-UBND\nChiềng Sơn, ngày 19 tháng 02 năm 2022\nKẾ HOẠCH\nNâng cao chỉ số PAPI xã Chiềng Sơn năm 2022\n\
            Căn cứ Kế hoạch số 426/KH-UBND ngày 18/02/2022 của UBND huyện Mộc Châu về nâng cao chỉ số PAPI năm 2022;\n\
            I. MỤC ĐÍCH, YÊU CẦU\n- Nâng cao chỉ số PAPI.\nII. NHIỆM VỤ VÀ GIẢI PHÁP\n1. Niêm yết công khai danh sách hộ nghèo.\n";
        let r = upload(&app, &c, "X02", "cs.txt", commune.as_bytes().to_vec()).await;
        assert_eq!(r.status(), 303, "{label}");
        let child: i64 = r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").parse().expect("id");
        let page = c.get(app.url(&format!("/plans/{child}"))).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("<dt>Kế hoạch cấp trên</dt>") && page.contains(&format!("<a href=\"/plans/{parent}\">426/KH-UBND")), "{label}");
        assert!(page.contains("hạn ban hành kế hoạch: <strong>20/02/2022</strong>"), "{label}: the parent's deadline");
        let page = c.get(app.url(&format!("/plans/{parent}"))).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("id=\"linked-children\"") && page.contains(&format!("<a href=\"/plans/{child}\">Nâng cao chỉ số PAPI xã Chiềng Sơn")), "{label}");

        // Unlink by hand, then the same plan imported again where two plans have the number: a note that asks.
        let version = app.store.plan(&chiso_core::access::Scope::system("t"), child).await.expect("plan").version;
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/plans/{child}/parent")))
            .form(&[("csrf", csrf.as_str()), ("version", &version.to_string()), ("parent", &parent.to_string()), ("unlink", "1")])
            .send()
            .await
            .expect("unlink");
        assert_eq!(r.status(), 303, "{label}");
        let page = c.get(app.url(&format!("/plans/{child}"))).send().await.expect("page").text().await.expect("body");
        assert!(!page.contains("<dt>Kế hoạch cấp trên</dt>") && page.contains("Liên kết kế hoạch cấp trên"), "{label}: unlinked, the form offers");
        upload(&app, &c, "123", "003-ban-sao.txt", SEED_003.to_vec()).await;
        let r = upload(&app, &c, "X02", "cs2.txt", commune.replace("07/KH", "08/KH").into_bytes()).await;
        let again: i64 = r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").parse().expect("id");
        let review = c.get(app.url(&format!("/plans/{again}/review"))).send().await.expect("review").text().await.expect("body");
        assert!(review.contains("id=\"parent-note\"") && review.contains("2 kế hoạch cùng số"), "{label}: the review page asks");
        // Link by hand from the pick list.
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/plans/{again}/parent")))
            .form(&[("csrf", csrf.as_str()), ("version", "1"), ("parent", &parent.to_string())])
            .send()
            .await
            .expect("link");
        assert_eq!(r.status(), 303, "{label}");
        let review = c.get(app.url(&format!("/plans/{again}/review"))).send().await.expect("review").text().await.expect("body");
        assert!(!review.contains("id=\"parent-note\""), "{label}: the note is answered");
        // A viewer cannot link.
        let v = app.login("xem.x02").await;
        let csrf = csrf_of(&app, &v).await;
        let r = v
            .post(app.url(&format!("/plans/{again}/parent")))
            .form(&[("csrf", csrf.as_str()), ("version", "2"), ("unlink", "1")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{label}");
    })
    .await;
}

#[tokio::test]
async fn a_task_node_that_no_framework_of_the_plan_has_is_refused_by_name() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let r = upload(&app, &c, "123", "003.txt", SEED_003.to_vec()).await;
        assert_eq!(r.status(), 303, "{label}");
        let id = r.headers()["location"].to_str().expect("loc").trim_start_matches("/plans/").to_string();
        let detail: serde_json::Value =
            c.get(app.url(&format!("/api/v1/plans/{id}"))).send().await.expect("api").json().await.expect("json");
        let task = detail["tasks"][0].clone();
        let tid = task["id"].as_i64().expect("task id");
        let before = task["nodes"].clone();
        for (nodes, shown) in
            [("papi.d1, papi.d99", "papi.d99"), ("papi.d1</script>\u{2028}", "papi.d1&#60;/script&#62;"), ("par.a2", "par.a2")]
        {
            let csrf = csrf_of(&app, &c).await;
            let version = task["version"].as_i64().expect("version").to_string();
            let r = c
                .post(app.url(&format!("/tasks/{tid}/edit")))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("version", version.as_str()),
                    ("text", "Niêm yết công khai trên cổng"),
                    ("lead_agency", ""),
                    ("coordinating", ""),
                    ("expected_result", ""),
                    ("due_date", ""),
                    ("due_text", "Quý II"),
                    ("recurrence", "quarterly"),
                    ("task_group", ""),
                    ("nodes", nodes),
                ])
                .send()
                .await
                .expect("edit");
            assert_eq!(r.status(), 422, "{label}: {nodes}");
            let page = r.text().await.expect("body");
            assert!(
                page.contains("mã chỉ số") && page.contains(shown) && page.contains("không có trong bộ chỉ số của kế hoạch (PAPI)"),
                "{label}: {page}"
            );
            assert!(!page.contains("papi.d1</script>"), "{label}: the refused node is escaped");
            // Issue 12: the page keeps everything typed (text, due text, nodes) with the error beside the field.
            assert!(page.contains(">Niêm yết công khai trên cổng</textarea>"), "{label}: typed text kept");
            assert!(page.contains("name=\"due_text\" value=\"Quý II\""), "{label}: typed due text kept");
            assert!(page.contains("id=\"err-nodes\""), "{label}: error beside the nodes field");
            assert!(page.contains("value=\"quarterly\" selected"), "{label}: chosen recurrence kept");
        }
        let after: serde_json::Value =
            c.get(app.url(&format!("/api/v1/plans/{id}"))).send().await.expect("api").json().await.expect("json");
        assert_eq!(after["tasks"][0]["nodes"], before, "{label}: nothing stored");
        // A known node is saved.
        let csrf = csrf_of(&app, &c).await;
        let version = task["version"].as_i64().expect("version").to_string();
        let r = c
            .post(app.url(&format!("/tasks/{tid}/edit")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("text", "Niêm yết công khai"),
                ("lead_agency", ""),
                ("coordinating", ""),
                ("expected_result", ""),
                ("due_date", ""),
                ("due_text", ""),
                ("recurrence", ""),
                ("task_group", ""),
                ("nodes", "papi.d2.2"),
            ])
            .send()
            .await
            .expect("edit");
        assert_eq!(r.status(), 303, "{label}");
        let after: serde_json::Value =
            c.get(app.url(&format!("/api/v1/plans/{id}"))).send().await.expect("api").json().await.expect("json");
        assert_eq!(after["tasks"][0]["nodes"], serde_json::json!(["papi.d2.s2"]), "{label}");
    })
    .await;
}
