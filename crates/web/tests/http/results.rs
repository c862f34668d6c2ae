//! Results over HTTP: the public ranking and a unit's page with its charts' data and weak points,
//! the import form, and score sheets (self score → appraisal → finalised) as pages and API, with scope.

use crate::browser::Browser;
use crate::helpers::*;
use chiso_app::results::{ImportRequest, Mapping};
use chiso_core::access::Scope;
use chiso_core::framework::{FrameworkSet, Source};
use chiso_core::results::ResultsFormat;
use chiso_store::testing::TestDb;
use serde_json::{Value, json};

const UNITS: &str = include_str!("../../../../datasets/demo/units.csv");
const Y2022: &str = include_str!("../../../../datasets/papi/2022.csv");
const Y2023: &str = include_str!("../../../../datasets/papi/2023.csv");
const Y2024: &str = include_str!("../../../../datasets/papi/2024.csv");

/// The 63 provinces (beside the helpers' fixture tree) and PAPI 2022–2024.
async fn load_papi(app: &TestApp) {
    let sys = Scope::system("test");
    app.store.import_units_csv(&sys, UNITS).await.expect("provinces");
    let set = FrameworkSet::builtin().expect("frameworks");
    let papi = set.get("papi").expect("papi");
    let uc = chiso_app::App::new(app.store.clone(), std::sync::Arc::new(set.clone()));
    for (year, text) in [(2022, Y2022), (2023, Y2023), (2024, Y2024)] {
        let req = ImportRequest {
            framework: papi,
            year,
            text,
            format: ResultsFormat::Wide,
            mapping: Mapping::Default,
            source: "test",
            confirm_removal: false,
        };
        uc.results().import(&sys, req).await.expect("import");
    }
}

async fn get_json(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, Value) {
    let r = c.get(app.url(path)).send().await.expect("get");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_page(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

#[tokio::test]
async fn ranking_and_unit_pages_show_published_results_to_everyone() {
    on_each_app(|app| async move {
        let label = app.label;
        load_papi(&app).await;
        // A commune's viewer reads the national results: they are public.
        let c = app.login("xem.x02").await;
        let (status, t) = get_json(&app, &c, "/api/v1/results/papi/2024").await;
        assert_eq!(status, 200, "{label}");
        assert_eq!((t["ranked"][0]["unit"].as_str(), t["ranked"][0]["name"].as_str()), (Some("22"), Some("Quảng Ninh")));
        assert_eq!(
            (t["ranked"][0]["rank"].as_u64(), t["ranked"][0]["previous_rank"].as_u64(), t["ranked"][0]["rank_change"].as_i64()),
            (Some(1), Some(1), Some(0))
        );
        assert!((t["ranked"][0]["total"].as_f64().expect("total") - 47.82).abs() < 0.005);
        let np: Vec<&str> = t["not_published"].as_array().expect("list").iter().filter_map(|u| u["name"].as_str()).collect();
        assert_eq!(np, ["Vĩnh Phúc", "Tiền Giang"], "{label}");
        let (_, t23) = get_json(&app, &c, "/api/v1/results/papi/2023").await;
        assert_eq!(t23["ranked"][0]["name"], "Thừa Thiên Huế");
        assert!((t23["ranked"][0]["total"].as_f64().expect("total") - 46.0415).abs() < 5e-5);

        // The ranking page: Vietnamese numbers, rank changes in words, the not-published list.
        let (status, page) = get_page(&app, &c, "/results/papi/2024").await;
        assert_eq!(status, 200, "{label}");
        assert!(page.contains("Quảng Ninh") && page.contains("47,82") && page.contains("giữ nguyên (so với 2022)"), "{label}");
        assert!(page.contains("tăng 58 bậc"), "{label}: Tây Ninh moved from 60th to 2nd");
        assert!(page.contains("−0,06 điểm"), "{label}: Quảng Ninh's score change against 2022 (47,8212 − 47,8763)");
        let np_at = page.find("id=\"not-published\"").expect("list");
        assert!(page[np_at..].contains("Vĩnh Phúc"));
        assert!(page.contains("/assets/echarts.min.js") && page.contains("id=\"chart-data\""));
        // Filter (diacritic-insensitive) and sort.
        let (_, page) = get_page(&app, &c, "/results/papi/2024?q=quang").await;
        let table = &page[page.find("id=\"ranking-table\"").expect("table")..];
        let table = &table[..table.find("</table>").expect("end")];
        assert!(table.contains("Quảng Ninh") && table.contains("Quảng Trị") && !table.contains("Hà Nội"), "{label}");
        let (_, page) = get_page(&app, &c, "/results/papi/2024?sort=name").await;
        let first_row = page.find("data-unit=\"").map(|i| &page[i + 11..i + 14]).expect("row");
        assert_eq!(first_row, "89\"", "{label}: An Giang (89) first by name");

        // Hà Nội's page: summary, dimension table, weak points with task groups, plan outline, chart data.
        let (status, page) = get_page(&app, &c, "/results/papi/2024/units/01").await;
        assert_eq!(status, 200, "{label}");
        assert!(page.contains("29/61") && page.contains("giảm 14 bậc"), "{label}: 15th in 2023, 29th in 2024");
        assert!(page.contains("id=\"weak-table\"") && page.contains("Cải thiện (dưới trung bình)"), "{label}");
        assert!(page.contains("Dàn ý kế hoạch năm 2025"), "{label}");
        let data_at = page.find("id=\"chart-data\">").expect("chart data") + "id=\"chart-data\">".len();
        let data_end = page[data_at..].find("</script>").expect("end") + data_at;
        let chart: Value = serde_json::from_str(&page[data_at..data_end]).expect("chart JSON");
        assert_eq!(chart["radar"]["indicators"].as_array().map(Vec::len), Some(8), "{label}: radar of the 8 dimensions");
        assert_eq!(chart["radar"]["unit"].as_array().map(Vec::len), Some(8));
        assert_eq!(chart["trend"]["years"], json!([2022, 2023, 2024]));
        assert_eq!(chart["bar"].as_array().map(Vec::len), Some(61));
        assert_eq!(chart["bar"].as_array().expect("bar").iter().filter(|b| b["me"] == true).count(), 1, "the unit is highlighted");
        assert!(chart["heat"]["cells"].as_array().is_some_and(|c| c.len() >= 28 * 3), "{label}: leaves × years");
        // Not published is said, not shown as zero.
        let (status, page) = get_page(&app, &c, "/results/papi/2023/units/22").await;
        assert_eq!(status, 200, "{label}");
        assert!(page.contains("không được công bố kết quả năm 2023"), "{label}");

        // The API: a unit's results and its weak points with the plan outline.
        let (_, u) = get_json(&app, &c, "/api/v1/results/papi/2024/units/01").await;
        assert_eq!((u["name"].as_str(), u["result"]["rank"].as_u64()), (Some("Thành phố Hà Nội"), Some(29)), "{label}");
        assert!(u["stats"]["papi"]["mean"].is_f64());
        let (status, w) = get_json(&app, &c, "/api/v1/results/papi/2024/units/01/weak-points").await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(w["items"].as_array().map(Vec::len), Some(36));
        assert_eq!(w["plan"]["sections"].as_array().map(Vec::len), Some(8));
        assert_eq!(w["plan"]["plan_year"], 2025);
        let groups = w["groups"]["keep"].as_array().map_or(0, Vec::len) + w["groups"]["improve"].as_array().map_or(0, Vec::len);
        assert_eq!(groups, 28);
        // Unknown years and frameworks.
        assert_eq!(get_json(&app, &c, "/api/v1/results/papi/2019").await.0, 404);
        assert_eq!(get_json(&app, &c, "/api/v1/results/nope/2024").await.0, 404);
        assert_eq!(get_page(&app, &c, "/results/papi/abc").await.0, 400);
        // The chart library is served by the binary.
        let r = c.get(app.url("/assets/echarts.min.js")).send().await.expect("asset");
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap_or("").contains("javascript"));
        assert!(r.bytes().await.expect("js").len() > 500_000);
    })
    .await;
}

#[tokio::test]
async fn importing_from_the_page_refuses_a_bad_file_whole() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        app.store.import_units_csv(&sys, UNITS).await.expect("provinces");
        let upload = |c: reqwest::Client, csrf: String, text: String| {
            let app = app.clone();
            async move {
                let form = reqwest::multipart::Form::new()
                    .text("csrf", csrf)
                    .text("framework", "papi")
                    .text("year", "2023")
                    .text("format", "wide")
                    .part("file", reqwest::multipart::Part::bytes(text.into_bytes()).file_name("2023.csv"));
                c.post(app.url("/results/import")).multipart(form).send().await.expect("upload")
            }
        };
        let admin = app.login("admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let bad = Y2023.replacen("\nP05,", "\nP99,", 1).replacen("SC12", "SC19", 1);
        let r = upload(admin.clone(), csrf.clone(), bad).await;
        assert_eq!(r.status(), 422, "{label}");
        let page = r.text().await.expect("body");
        assert!(page.contains("dòng 1, cột 3 (SC19)"), "{label}: the unknown column is named");
        assert!(app.store.year_scores(&sys, "papi", 2023).await.expect("read").is_none(), "{label}: nothing stored");
        let bad = Y2023.replacen("\nP05,", "\nP99,", 1);
        let page = upload(admin.clone(), csrf.clone(), bad).await.text().await.expect("body");
        assert!(page.contains("dòng 6, cột 1") && page.contains("P99"), "{label}");
        let r = upload(admin.clone(), csrf.clone(), Y2023.to_string()).await;
        assert_eq!(r.status(), 303, "{label}");
        assert!(r.headers()["location"].to_str().expect("loc").starts_with("/results/papi/2023?msg="));
        assert!(app.store.year_scores(&sys, "papi", 2023).await.expect("read").is_some());
        // A viewer may not import; a stale CSRF token is refused.
        let viewer = app.login("xem.x02").await;
        let vcsrf = csrf_of(&app, &viewer).await;
        assert_eq!(upload(viewer, vcsrf, Y2023.to_string()).await.status(), 403, "{label}");
        assert_eq!(upload(admin, "x".repeat(64), Y2023.to_string()).await.status(), 403, "{label}");
    })
    .await;
}

/// Issue 13 items 1 and 2 over HTTP: a specialist may not import official results (403, Vietnamese
/// message; the form is not offered), a header-only file is refused, and a file that would remove
/// published units asks for a confirmation (409) before it removes anything.
#[tokio::test]
async fn importing_official_results_is_for_the_administrator_and_removal_is_confirmed() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        app.store.import_units_csv(&sys, UNITS).await.expect("provinces");
        let upload = |c: reqwest::Client, csrf: String, text: String, confirm: bool| {
            let app = app.clone();
            async move {
                let mut form = reqwest::multipart::Form::new()
                    .text("csrf", csrf)
                    .text("framework", "papi")
                    .text("year", "2023")
                    .text("format", "wide")
                    .part("file", reqwest::multipart::Part::bytes(text.into_bytes()).file_name("2023.csv"));
                if confirm {
                    form = form.text("confirm_removal", "1");
                }
                c.post(app.url("/results/import")).multipart(form).send().await.expect("upload")
            }
        };
        // The district specialist: refused with a Vietnamese reason, nothing stored, no form offered.
        let district = app.login("nv.huyen").await;
        let dcsrf = csrf_of(&app, &district).await;
        let r = upload(district.clone(), dcsrf, Y2023.to_string(), false).await;
        assert_eq!(r.status(), 403, "{label}");
        assert!(r.text().await.expect("body").contains("chỉ quản trị hệ thống"), "{label}");
        assert!(app.store.year_scores(&sys, "papi", 2023).await.expect("read").is_none(), "{label}");
        let (_, page) = get_page(&app, &district, "/results").await;
        assert!(!page.contains("id=\"results-import\""), "{label}: no import form for a specialist");
        // The administrator imports; a header-only file is an error.
        let admin = app.login("admin").await;
        let csrf = csrf_of(&app, &admin).await;
        assert_eq!(upload(admin.clone(), csrf.clone(), Y2023.to_string(), false).await.status(), 303, "{label}");
        let header = format!("{}\n", Y2023.lines().next().expect("header"));
        let r = upload(admin.clone(), csrf.clone(), header, false).await;
        assert_eq!(r.status(), 422, "{label}");
        assert!(r.text().await.expect("body").contains("chỉ có dòng tiêu đề"), "{label}");
        // Leaving out three published provinces: 409, how many, and a confirmation box.
        let fewer: String =
            Y2023.lines().filter(|l| !["P01,", "P02,", "P03,"].iter().any(|p| l.starts_with(p))).map(|l| format!("{l}\n")).collect();
        let r = upload(admin.clone(), csrf.clone(), fewer.clone(), false).await;
        assert_eq!(r.status(), 409, "{label}");
        let page = r.text().await.expect("body");
        assert!(page.contains("xóa kết quả đã công bố của 3 đơn vị") && page.contains("name=\"confirm_removal\""), "{label}");
        let stored = app.store.year_scores(&sys, "papi", 2023).await.expect("read").expect("stored");
        assert!(stored.scores.units.contains_key("01"), "{label}: nothing removed yet");
        // The same through the API: 409 with the count, then confirmed.
        let api = |c: reqwest::Client, csrf: String, body: Value| {
            let app = app.clone();
            async move { c.post(app.url("/api/v1/results/papi/2023")).header("x-csrf-token", csrf).json(&body).send().await.expect("post") }
        };
        let r = api(admin.clone(), csrf.clone(), json!({"text": fewer, "source": "fewer.csv"})).await;
        assert_eq!(r.status(), 409, "{label}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "removal_not_confirmed", "{label}");
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("3 đơn vị"), "{label}: {body}");
        let r = api(admin.clone(), csrf.clone(), json!({"text": format!("{}\n", Y2023.lines().next().expect("h"))})).await;
        assert_eq!(r.status(), 422, "{label}: header only");
        let dcsrf = csrf_of(&app, &district).await;
        let r = api(district.clone(), dcsrf, json!({"text": Y2023, "year": 2023})).await;
        assert_eq!(r.status(), 403, "{label}");
        let body: Value = r.json().await.expect("json");
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("quản trị hệ thống"), "{label}: {body}");
        let r = api(admin.clone(), csrf.clone(), json!({"text": fewer, "confirm_removal": true})).await;
        assert_eq!(r.status(), 200, "{label}");
        let summary: Value = r.json().await.expect("json");
        assert_eq!(summary["changed_units"], 3, "{label}");
        let stored = app.store.year_scores(&sys, "papi", 2023).await.expect("read").expect("stored");
        assert!(!stored.scores.units.contains_key("01"), "{label}");
        // The web form's confirmation works as well (the full year back, nothing removed, no question).
        assert_eq!(upload(admin.clone(), csrf.clone(), Y2023.to_string(), false).await.status(), 303, "{label}");
        assert_eq!(upload(admin.clone(), csrf.clone(), fewer, true).await.status(), 303, "{label}");
    })
    .await;
}

/// Form fields for every self-assessed criterion at full score (1.1 at "1,5"), with evidence.
fn self_form(csrf: &str) -> Vec<(String, String)> {
    let set = FrameworkSet::builtin().expect("frameworks");
    let par = set.get("par_index").expect("par");
    let mut f = vec![("csrf".to_string(), csrf.to_string())];
    for l in par.leaves_for_year(2024).into_iter().filter(|l| l.source != Source::Survey) {
        let score = if l.code == "par.a1.c1" { "1,5".to_string() } else { l.max.unwrap_or(0.0).to_string() };
        f.push((format!("score:{}", l.code), score));
        f.push((format!("evidence:{}", l.code), format!("Báo cáo {}", l.code)));
        f.push((format!("missing:{}", l.code), String::new()));
    }
    f
}

/// Appraisal form: accept every self score (as shown), survey scores 2 points below their maximum
/// (sum 30 − 16 = 14), and `adjust` on 2.1.
fn appraisal_form(csrf: &str, adjust: Option<(&str, &str)>) -> Vec<(String, String)> {
    let set = FrameworkSet::builtin().expect("frameworks");
    let par = set.get("par_index").expect("par");
    let mut f = vec![("csrf".to_string(), csrf.to_string())];
    for l in par.leaves_for_year(2024) {
        let max = l.max.unwrap_or(0.0);
        let (score, reason) = match (l.source, l.code.as_str()) {
            (Source::Survey, _) => ((max - 2.0).to_string(), String::new()),
            (_, "par.a1.c1") => ("1,5".to_string(), String::new()),
            (_, "par.a2.c1") if adjust.is_some() => {
                let (s, r) = adjust.unwrap_or_default();
                (s.to_string(), r.to_string())
            }
            _ => (max.to_string(), String::new()),
        };
        f.push((format!("appr:{}", l.code), score));
        f.push((format!("reason:{}", l.code), reason));
    }
    f
}

async fn post_form(app: &TestApp, c: &reqwest::Client, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    c.post(app.url(path)).form(fields).send().await.expect("post")
}

#[tokio::test]
async fn a_score_sheet_goes_from_self_score_to_finalised_over_http() {
    on_each_app(|app| async move {
        let label = app.label;
        // xa.x01 acts for the commune X01; nv.huyen is the district (123) above it.
        let commune = app.login("xa.x01").await;
        let ccsrf = csrf_of(&app, &commune).await;
        let r = commune
            .post(app.url("/api/v1/assessments"))
            .header("x-csrf-token", &ccsrf)
            .json(&json!({"unit": "X01", "framework": "par_index", "year": 2024}))
            .send()
            .await
            .expect("create");
        assert_eq!(r.status(), 201, "{label}");
        let created: Value = r.json().await.expect("json");
        let id = created["assessment"]["id"].as_i64().expect("id");
        assert_eq!(created["assessment"]["status"], "draft");
        assert_eq!(created["can_self_score"], true);
        // Without the CSRF header: refused.
        let r = commune
            .post(app.url(&format!("/api/v1/assessments/{id}/transitions")))
            .json(&json!({"action": "submit"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{label}");

        // Issue 13 item 4: the district above the commune cannot self-score for it (form or API);
        // self-assessment is the commune's own step, appraisal the district's.
        let district = app.login("nv.huyen").await;
        let dcsrf = csrf_of(&app, &district).await;
        let r = post_form(&app, &district, &format!("/assessments/{id}/self"), &self_form(&dcsrf)).await;
        assert_eq!(r.status(), 403, "{label}");
        let r = district
            .post(app.url(&format!("/api/v1/assessments/{id}/self-scores")))
            .header("x-csrf-token", &dcsrf)
            .json(&json!({"items": [{"node": "par.a1.c1", "score": 1.0, "evidence": "x"}]}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{label}");
        let body: Value = r.json().await.expect("json error");
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("chỉ chính đơn vị"), "{label}: {body}");

        // Self scores by the form (a decimal comma), then submit.
        let r = post_form(&app, &commune, &format!("/assessments/{id}/self"), &self_form(&ccsrf)).await;
        assert_eq!(r.status(), 303, "{label}");
        let mut bad = self_form(&ccsrf);
        bad.push(("score:par.a1.c2".into(), "abc".into()));
        bad.retain(|(k, v)| k != "score:par.a1.c2" || v == "abc");
        let r = post_form(&app, &commune, &format!("/assessments/{id}/self"), &bad).await;
        assert_eq!(r.status(), 422, "{label}");
        let page = r.text().await.expect("body");
        assert!(
            page.contains("Tiêu chí “Thực hiện chế độ báo cáo cải cách hành chính định kỳ”: &#39;abc&#39; không phải là số"),
            "{label}: the criterion is named"
        );
        assert!(page.contains("name=\"score:par.a1.c2\" value=\"abc\""), "{label}: what was typed is kept");
        let r = post_form(
            &app,
            &commune,
            &format!("/assessments/{id}/status"),
            &[("csrf".into(), ccsrf.clone()), ("action".into(), "submit".into())],
        )
        .await;
        assert_eq!(r.status(), 303, "{label}");
        // The district is told, and finds the sheet waiting for its step in "Việc của tôi".
        let district = app.login("nv.huyen").await;
        let (_, notes) = get_page(&app, &district, "/notifications").await;
        assert!(
            notes.contains("Thị trấn Mộc Châu đã gửi phiếu tự chấm điểm Chỉ số cải cách hành chính")
                && notes.contains(&format!("href=\"/assessments/{id}\"")),
            "{label}: the appraiser is notified of the submission"
        );
        let (_, work) = get_page(&app, &district, "/my-work").await;
        assert!(work.contains("Phiếu chấm điểm chờ bạn xử lý (1)") && work.contains(&format!("href=\"/assessments/{id}\"")), "{label}");

        // The commune cannot appraise itself; another commune's viewer cannot even read it.
        let r = post_form(&app, &commune, &format!("/assessments/{id}/appraise"), &appraisal_form(&ccsrf, None)).await;
        assert_eq!(r.status(), 403, "{label}");
        let other = app.login("xem.x02").await;
        assert_eq!(get_page(&app, &other, &format!("/assessments/{id}")).await.0, 403, "{label}");
        assert_eq!(get_json(&app, &other, &format!("/api/v1/assessments/{id}")).await.0, 403, "{label}");

        // The district appraises: an adjustment without a reason is refused with the criterion named.
        let district = app.login("nv.huyen").await;
        let dcsrf = csrf_of(&app, &district).await;
        let r = post_form(&app, &district, &format!("/assessments/{id}/appraise"), &appraisal_form(&dcsrf, Some(("1", "")))).await;
        assert_eq!(r.status(), 422, "{label}");
        let page = r.text().await.expect("body");
        assert!(page.contains("par.a2.c1") && page.contains("lý do"), "{label}");
        let form = appraisal_form(&dcsrf, Some(("1", "Chưa ban hành văn bản theo kế hoạch")));
        assert_eq!(post_form(&app, &district, &format!("/assessments/{id}/appraise"), &form).await.status(), 303, "{label}");
        for action in ["complete_appraisal", "finalise"] {
            let r = post_form(
                &app,
                &district,
                &format!("/assessments/{id}/status"),
                &[("csrf".into(), dcsrf.clone()), ("action".into(), action.into())],
            )
            .await;
            assert_eq!(r.status(), 303, "{label}: {action}");
        }
        // The commune is told of the appraisal and of the final result.
        let (_, notes) = get_page(&app, &commune, "/notifications").await;
        assert!(notes.contains("năm 2024 của Thị trấn Mộc Châu đã có kết quả thẩm định"), "{label}: appraisal notified");
        assert!(notes.contains("năm 2024 của Thị trấn Mộc Châu đã được chốt kết quả"), "{label}: finalisation notified");
        // Finalised: locked, with the index and the audit trail on the page.
        let (status, page) = get_page(&app, &commune, &format!("/assessments/{id}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Đã chốt kết quả"), "{label}");
        // 70 − 0.5 (1.1 self) − 1 (2.1 adjusted) + 14 survey = 82.5.
        assert!(page.contains("id=\"overall-percent\">82,50%"), "{label}");
        assert!(page.contains("Chưa ban hành văn bản theo kế hoạch") && page.contains("nv.huyen"), "{label}: the audit names who and why");
        assert!(!page.contains("id=\"form-self\"") && !page.contains("id=\"form-appraise\""), "{label}: no more forms");
        let r = post_form(&app, &commune, &format!("/assessments/{id}/self"), &self_form(&ccsrf)).await;
        assert_eq!(r.status(), 409, "{label}: a finalised sheet refuses changes");
        let (_, sheet) = get_json(&app, &district, &format!("/api/v1/assessments/{id}")).await;
        assert_eq!(sheet["assessment"]["status"], "finalised");
        let rows = sheet["sheet"]["rows"].as_array().expect("rows");
        let a2 = rows.iter().find(|r| r["code"] == "par.a2").expect("a2");
        // a2: 7 − 1 + (3 − 2) = 7 of 10.
        assert!((a2["appraised_percent"].as_f64().expect("pct") - 70.0).abs() < 1e-9, "{label}");
        assert_eq!(sheet["actions"], json!(["reopen"]));
        // Reopen through the API needs a reason.
        let r = district
            .post(app.url(&format!("/api/v1/assessments/{id}/transitions")))
            .header("x-csrf-token", &dcsrf)
            .json(&json!({"action": "reopen"}))
            .send()
            .await
            .expect("reopen");
        assert_eq!(r.status(), 422, "{label}");
        // The district ranks its communes on finalised sheets.
        let (status, page) = get_page(&app, &district, "/assessments/ranking?parent=123&framework=par_index&year=2024").await;
        assert_eq!(status, 200, "{label}");
        assert!(page.contains("Thị trấn Mộc Châu") && page.contains("82,50%"), "{label}");
        // The sheet list of each side.
        let (_, list) = get_page(&app, &district, "/assessments?framework=par_index&year=2024").await;
        assert!(list.contains(&format!("/assessments/{id}")), "{label}");
        let (_, list) = get_json(&app, &other, "/api/v1/assessments").await;
        assert_eq!(list.as_array().map(Vec::len), Some(0), "{label}: nothing of X01 reaches X02");
    })
    .await;
}

/// Issue 12: a refused score sheet comes back with every typed score kept and the error beside the field;
/// "Gửi giải trình" saves the explanation text with the status change.
#[tokio::test]
async fn the_score_sheet_keeps_what_was_typed_and_sending_the_explanation_saves_it() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = chiso_core::access::Scope::system("test");
        let commune = app.login("xa.x01").await;
        let ccsrf = csrf_of(&app, &commune).await;
        let r = commune
            .post(app.url("/api/v1/assessments"))
            .header("x-csrf-token", &ccsrf)
            .json(&json!({"unit": "X01", "framework": "par_index", "year": 2024}))
            .send()
            .await
            .expect("create");
        assert_eq!(r.status(), 201, "{label}");
        let created: Value = r.json().await.expect("json");
        let id = created["assessment"]["id"].as_i64().expect("id");
        // One score out of range (par.a1.c2 above its maximum) and one typed with a comma elsewhere.
        let mut typed = self_form(&ccsrf);
        for (k, v) in typed.iter_mut() {
            if k == "score:par.a1.c2" {
                *v = "99".into();
            }
            if k == "evidence:par.a1.c3" {
                *v = "Quyết định số 12/QĐ-UBND".into();
            }
        }
        let r = post_form(&app, &commune, &format!("/assessments/{id}/self"), &typed).await;
        assert_eq!(r.status(), 422, "{label}: out of range");
        let page = r.text().await.expect("body");
        assert!(page.contains("name=\"score:par.a1.c2\" value=\"99\" aria-invalid=\"true\""), "{label}: the wrong score kept, marked");
        assert!(
            page.contains("id=\"err-score-par.a1.c2\"") && page.contains("vượt quá điểm tối đa (tối đa 2)"),
            "{label}: error beside the field"
        );
        // In Vietnamese, by the criterion's number and name: no code, no English, no decimal point.
        let offences = crate::visible::offences(&page);
        assert!(offences.is_empty(), "{label}: {:#?}", crate::visible::describe("score sheet after a refusal", &offences));
        for (k, v) in typed.iter().filter(|(k, _)| k.starts_with("score:") || k.starts_with("evidence:")) {
            let v = v.replace('/', "&#x2f;");
            let plain = format!("name=\"{k}\" value=\"{v}\"");
            let slash = format!("name=\"{k}\" value=\"{}\"", v.replace("&#x2f;", "/"));
            assert!(page.contains(&plain) || page.contains(&slash), "{label}: {k} keeps {v}");
        }
        let stored = app.store.assessment_items(&sys, id).await.expect("items");
        assert!(stored.iter().all(|i| i.self_score.is_none()), "{label}: nothing saved from a refused form");
        // "Gửi thẩm định" is a button of the self-score form: the step carries what the form holds. One
        // criterion without evidence: refused beside its field, everything typed kept, nothing saved.
        let (_, page) = get_page(&app, &commune, &format!("/assessments/{id}")).await;
        assert!(page.contains("form=\"form-self\" formaction=\"/assessments/"), "{label}: the button sends the self scores");
        let mut typed = self_form(&ccsrf);
        typed.retain(|(k, _)| k != "evidence:par.a3.c1");
        typed.push(("action".into(), "submit".into()));
        let r = post_form(&app, &commune, &format!("/assessments/{id}/status"), &typed).await;
        assert_eq!(r.status(), 422, "{label}: not ready");
        let page = r.text().await.expect("body");
        let beside = page.split("id=\"err-score-par.a3.c1\">").nth(1).and_then(|r| r.split("</span>").next()).unwrap_or_default();
        assert!(beside.contains("chưa có tài liệu kiểm chứng hoặc lý do thiếu tài liệu"), "{label}: beside the field: {beside}");
        assert!(page.contains("name=\"score:par.a1.c1\" value=\"1,5\""), "{label}: what was typed is kept");
        assert!(!page.contains("`par."), "{label}: no field marker shown to a person");
        let stored = app.store.assessment_items(&sys, id).await.expect("items");
        assert!(stored.iter().all(|i| i.self_score.is_none()), "{label}: a refused step saves nothing");
        let mut typed = self_form(&ccsrf);
        typed.push(("action".into(), "submit".into()));
        assert_eq!(post_form(&app, &commune, &format!("/assessments/{id}/status"), &typed).await.status(), 303, "{label}");
        let items = app.store.assessment_items(&sys, id).await.expect("items");
        let c1 = items.iter().find(|i| i.node == "par.a1.c1").expect("1.1");
        assert_eq!((c1.self_score, c1.evidence.as_deref()), (Some(1.5), Some("Báo cáo par.a1.c1")), "{label}: saved with the step");
        assert_eq!(app.store.assessment(&sys, id).await.expect("sheet").status().as_str(), "submitted", "{label}");
        // The district adjusts 2.1 and completes the round with the same button of its appraisal form.
        let district = app.login("nv.huyen").await;
        let dcsrf = csrf_of(&app, &district).await;
        let (_, page) = get_page(&app, &district, &format!("/assessments/{id}")).await;
        assert!(page.contains("form=\"form-appraise\" formaction=\"/assessments/"), "{label}: the button sends the appraisal");
        let mut form = appraisal_form(&dcsrf, Some(("1", "Chưa ban hành văn bản")));
        form.push(("action".into(), "complete_appraisal".into()));
        assert_eq!(post_form(&app, &district, &format!("/assessments/{id}/status"), &form).await.status(), 303, "{label}");
        let items = app.store.assessment_items(&sys, id).await.expect("items");
        let c21 = items.iter().find(|i| i.node == "par.a2.c1").expect("2.1");
        assert_eq!((c21.decision.as_deref(), c21.appraisal_reason.as_deref()), (Some("adjust"), Some("Chưa ban hành văn bản")), "{label}");
        assert_eq!(app.store.assessment(&sys, id).await.expect("sheet").status().as_str(), "appraised", "{label}");
        // The "Gửi giải trình" button submits the explanation form to the status change.
        let (_, page) = get_page(&app, &commune, &format!("/assessments/{id}")).await;
        assert!(page.contains("form=\"form-explain\" formaction=\"/assessments/"), "{label}: the button sends the explanations");
        let version = hidden_value(&page, "version").expect("version");
        let text = "Đã ban hành Kế hoạch số 15/KH-UBND ngày 10/01/2024";
        let r = post_form(
            &app,
            &commune,
            &format!("/assessments/{id}/status"),
            &[
                ("csrf".into(), ccsrf.clone()),
                ("version".into(), version),
                ("expl:par.a2.c1".into(), text.into()),
                ("action".into(), "explain".into()),
            ],
        )
        .await;
        assert_eq!(r.status(), 303, "{label}: explained");
        let a = app.store.assessment(&sys, id).await.expect("sheet");
        assert_eq!(a.status().as_str(), "explained", "{label}");
        let items = app.store.assessment_items(&sys, id).await.expect("items");
        let item = items.iter().find(|i| i.node == "par.a2.c1").expect("2.1");
        assert_eq!(item.explanation.as_deref(), Some(text), "{label}: the explanation is stored");
        let audit = app.store.audit_of(&sys, "assessment", &id.to_string()).await.expect("audit");
        let dbg = format!("{audit:?}");
        assert!(dbg.contains("\"explain\"") && dbg.contains(text), "{label}: the explanation is audited");
    })
    .await;
}

#[tokio::test]
async fn every_results_api_route_is_in_the_openapi_document() {
    on_each_app(|app| async move {
        let label = app.label;
        let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.expect("get").json().await.expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        // The handlers are registered through an OpenApiRouter (a route cannot exist undescribed); every
        // route of the module is there, with its 4xx answers in the JSON Error schema and 401 listed.
        let expected = [
            ("/api/v1/results/{framework}", "get"),
            ("/api/v1/results/{framework}/{year}", "get"),
            ("/api/v1/results/{framework}/{year}", "post"),
            ("/api/v1/results/{framework}/{year}/units/{code}", "get"),
            ("/api/v1/results/{framework}/{year}/units/{code}/weak-points", "get"),
            ("/api/v1/assessments", "get"),
            ("/api/v1/assessments", "post"),
            ("/api/v1/assessments/{id}", "get"),
            ("/api/v1/assessments/{id}/self-scores", "post"),
            ("/api/v1/assessments/{id}/appraisals", "post"),
            ("/api/v1/assessments/{id}/explanations", "post"),
            ("/api/v1/assessments/{id}/transitions", "post"),
        ];
        let mut n = 0;
        for (path, method) in expected {
            let op = &paths.get(path).unwrap_or_else(|| panic!("{path} is not documented"))[method];
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path}: no responses"));
            assert!(responses.contains_key("401") && responses.contains_key("400"), "{method} {path}");
            for (code, r) in responses.iter().filter(|(c, _)| c.starts_with('4')) {
                let schema = &r["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/Error", "{method} {path} {code}");
            }
            n += 1;
        }
        // And an unexpected path in the document would be a route nobody tests.
        let documented = paths
            .keys()
            .filter(|p| p.starts_with("/api/v1/results/") && !p.ends_with("/draft-plan") || p.starts_with("/api/v1/assessments"))
            .count();
        assert_eq!(documented, 10, "{label}");
        assert!(n >= 10, "found the routes");
    })
    .await;
}

#[tokio::test]
async fn the_unit_page_draws_its_charts_in_a_browser() {
    let Some(browser) = Browser::start().await else { return };
    let app = std::rc::Rc::new(spawn_app(TestDb::sqlite().await.expect("db")).await);
    load_papi(&app).await;
    browser.goto(&app.url("/results/papi/2024/units/01")).await;
    browser.type_into("#username", "xem.x02").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    assert!(browser.current_url().await.ends_with("/results/papi/2024/units/01"));
    // ECharts drew into each container (a canvas appears only when the library ran).
    for id in ["#chart-radar", "#chart-bar", "#chart-heat", "#trend-grid"] {
        browser.find(&format!("{id} canvas")).await;
    }
    let summary = browser.text("#unit-summary").await;
    assert!(summary.contains("29/61") && summary.contains("giảm 14 bậc"), "{summary}");
    browser.assert_no_csp_violation("/results/papi/2024/units/01").await;
    browser.screenshot("results-unit").await;
    // Tooltips are drawn on the canvas (ECharts' richText mode), not as HTML with inline styles, which the
    // CSP (`style-src 'self'`) would refuse: hovering the charts logs no violation.
    for id in ["#chart-radar canvas", "#chart-bar canvas", "#chart-heat canvas"] {
        for (dx, dy) in [(0, 0), (-40, 10), (30, -20)] {
            browser.hover(id, dx, dy).await;
        }
    }
    browser.screenshot("results-unit-tooltip").await;
    browser.assert_no_csp_violation("/results/papi/2024/units/01 with tooltips").await;
    browser.goto(&app.url("/results/papi/2024")).await;
    browser.find("#chart-bar canvas").await;
    browser.find("#chart-heat canvas").await;
    let table = browser.text("#ranking-table").await;
    assert!(table.contains("Quảng Ninh") && table.contains("47,82"), "ranking table");
    browser.assert_no_csp_violation("/results/papi/2024").await;
    browser.screenshot("results-ranking").await;
    browser.quit().await;
    match std::rc::Rc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("app still shared"),
    }
}

#[tokio::test]
async fn drafting_next_years_plan_from_the_weak_points() {
    on_each_app(|app| async move {
        load_papi(&app).await;
        let label = app.label;
        let c = app.login("admin").await;
        let csrf = csrf_of(&app, &c).await;
        let r = c.post(app.url("/results/papi/2024/units/01/draft-plan")).form(&[("csrf", csrf.as_str())]).send().await.expect("draft");
        assert_eq!(r.status(), 303, "{label}");
        let loc = r.headers()["location"].to_str().expect("location").to_string();
        let id = loc.trim_start_matches("/plans/");
        let (status, plan) = get_json(&app, &c, &format!("/api/v1/plans/{id}")).await;
        assert_eq!(status, 200, "{label}");
        assert_eq!((plan["plan"]["status"].as_str(), plan["plan"]["year"].as_i64()), (Some("draft"), Some(2025)), "{label}");
        let tasks = plan["tasks"].as_array().expect("tasks");
        assert!(tasks.len() >= 28, "{label}: at least one task per sub-dimension, got {}", tasks.len());
        assert!(
            tasks.iter().all(|t| t["task_group"].is_string() && t["lead_agency"].is_null()),
            "{label}: groups set, lead agencies left to fill"
        );
        // Weakest dimension first: the first section's dimension is the first of the outline.
        let (_, w) = get_json(&app, &c, "/api/v1/results/papi/2024/units/01/weak-points").await;
        let weakest = w["plan"]["sections"][0]["code"].as_str().expect("weakest").to_string();
        assert!(
            tasks[0]["nodes"][0].as_str().is_some_and(|n| n.starts_with(&format!("{weakest}."))),
            "{label}: {} vs {weakest}",
            tasks[0]["nodes"]
        );
        let cover =
            plan["compliance"].as_array().expect("checks").iter().find(|c| c["code"] == "covers_framework").expect("coverage").clone();
        assert_eq!(cover["ok"], true, "{label}: the draft covers all 8 dimensions: {cover}");
        // A viewer cannot draft.
        let v = app.login("xem.x02").await;
        let csrf = csrf_of(&app, &v).await;
        let r = v.post(app.url("/results/papi/2024/units/01/draft-plan")).form(&[("csrf", csrf.as_str())]).send().await.expect("draft");
        assert_eq!(r.status(), 403, "{label}");
    })
    .await;
}
