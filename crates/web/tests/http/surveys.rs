//! Surveys over HTTP: create a survey for a commune, invitations and the public form (one answer per token,
//! answers out of range refused, CSRF), import 1,000 responses from a CSV and a bad file that stores nothing,
//! estimates with intervals beside the official PAPI results, the API, scope; and the whole flow in a real
//! browser with the public form on a phone-sized window.

use crate::browser::Browser;
use crate::helpers::*;
use chiso_app::results::{ImportRequest, Mapping};
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_core::results::ResultsFormat;
use chiso_stats::Questionnaire;
use chiso_store::surveys::NewSurvey;
use chiso_store::testing::TestDb;
use serde_json::Value;

const MINI: &str = include_str!("../../../../datasets/surveys/papi-mini.toml");
const UNITS: &str = include_str!("../../../../datasets/demo/units.csv");
const Y2024: &str = include_str!("../../../../datasets/papi/2024.csv");

/// The provinces and PAPI 2024, so that estimates can stand beside Sơn La's official scores.
async fn load_papi_2024(app: &TestApp) {
    let sys = Scope::system("test");
    app.store.import_units_csv(&sys, UNITS).await.expect("provinces");
    let set = FrameworkSet::builtin().expect("frameworks");
    let papi = set.get("papi").expect("papi");
    let uc = chiso_app::App::new(app.store.clone(), std::sync::Arc::new(set.clone()));
    let req = ImportRequest {
        framework: papi,
        year: 2024,
        text: Y2024,
        format: ResultsFormat::Wide,
        mapping: Mapping::Default,
        source: "test",
        confirm_removal: false,
    };
    uc.results().import(&sys, req).await.expect("import results");
}

async fn create_survey(app: &TestApp, c: &reqwest::Client, unit: &str) -> (reqwest::StatusCode, String) {
    let csrf = csrf_of(app, c).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("unit", unit.to_string())
        .text("year", "2024")
        .text("title", "Khảo sát người dân xã 2024")
        .text("groups", "doanh_nghiep")
        .part("file", reqwest::multipart::Part::bytes(MINI.as_bytes().to_vec()).file_name("papi-mini.toml"));
    let r = c.post(app.url("/surveys")).multipart(form).send().await.expect("create");
    let status = r.status();
    let loc = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    (status, if loc.is_empty() { r.text().await.unwrap_or_default() } else { loc })
}

async fn upload(app: &TestApp, c: &reqwest::Client, id: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let csrf = csrf_of(app, c).await;
    let form =
        reqwest::multipart::Form::new().text("csrf", csrf).part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    c.post(app.url(&format!("/surveys/{id}/responses"))).multipart(form).send().await.expect("upload")
}

/// Every question of the mini questionnaire answered with its first option.
fn full_answers(csrf: &str) -> Vec<(String, String)> {
    let q = Questionnaire::from_toml_str(MINI).expect("q");
    let mut v = vec![("csrf".to_string(), csrf.to_string())];
    v.extend(q.indicators.iter().map(|i| (i.code.clone(), i.options[0].value.to_string())));
    v
}

/// The error message of a page, for assertion messages.
fn excerpt(body: &str) -> String {
    body[body.find("alert-error").unwrap_or(0)..].chars().take(300).collect()
}

async fn total_responses(app: &TestApp, c: &reqwest::Client, id: i64) -> i64 {
    let v: Value = c.get(app.url(&format!("/api/v1/surveys/{id}"))).send().await.expect("api").json().await.expect("json");
    v["responses"].as_array().expect("counts").iter().map(|r| r["n"].as_i64().unwrap_or(0)).sum()
}

#[tokio::test]
async fn a_commune_survey_from_form_and_import_to_estimates() {
    on_each_app(|app| async move {
        let label = app.label;
        load_papi_2024(&app).await;
        let c = app.login("nv.huyen").await;
        let (status, loc) = create_survey(&app, &c, "X01").await;
        assert_eq!(status, 303, "{label}: {loc}");
        let id: i64 = loc.trim_start_matches("/surveys/").parse().expect("id");
        let page = c.get(app.url(&loc)).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("Khảo sát người dân xã 2024") && page.contains("Thị trấn Mộc Châu"), "{label}: survey page");
        assert!(page.contains("papi.d4.s2") && page.contains("đảo chiều"), "{label}: questionnaire shown, reversed indicator marked");

        // Invitations: the answer to making them is the sheet of their links and QR codes, shown this once.
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/surveys/{id}/invitations")))
            .form(&[("csrf", csrf.as_str()), ("unit", "X01"), ("group", "nguoi_dan"), ("count", "3")])
            .send()
            .await
            .expect("invite");
        assert_eq!(r.status(), 200, "{label}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{label}: working links are kept out of caches");
        let print = r.text().await.expect("body");
        let mut links: Vec<String> = print.split(&format!("{}/s/", app.base)).skip(1).map(|s| s[..32].to_string()).collect();
        links.dedup();
        links.sort();
        links.dedup();
        assert_eq!(links.len(), 3, "{label}: three links, each in the list to copy and on its card");
        // (Below the header, whose bell is an SVG too.)
        let body_part = print.split_once("</header>").map_or(print.as_str(), |(_, b)| b);
        assert_eq!(body_part.matches("<svg").count(), 3, "{label}: one QR code per invitation");
        assert!(print.contains("chỉ hiện một lần"), "{label}: says the links are shown once");
        // Afterwards the survey page lists the invitations' state, never a link.
        let page = c.get(app.url(&format!("/surveys/{id}"))).send().await.expect("page").text().await.expect("body");
        assert!(!page.contains("/s/"), "{label}: no link on the survey page");
        assert!(page.contains("(3 phiếu, 0 đã trả lời)") && page.matches("chưa dùng</span>").count() == 3, "{label}: states");

        // The public form: no login; the cookie of the form is the double-submit CSRF token.
        let citizen = app.client();
        let token = &links[0];
        let form = citizen.get(app.url(&format!("/s/{token}"))).send().await.expect("form");
        assert_eq!(form.status(), 200, "{label}");
        let html = form.text().await.expect("body");
        assert!(
            html.contains("Câu 1.") && html.contains("Không biết / không trả lời") && html.contains("bắt buộc"),
            "{label}: questions with options"
        );
        let csrf = hidden_value(&html, "csrf").expect("csrf");
        // Without the cookie's value: refused, nothing stored.
        let r = app.client().post(app.url(&format!("/s/{token}"))).form(&full_answers(&csrf)).send().await.expect("post");
        assert_eq!(r.status(), 403, "{label}: CSRF");
        // An answer out of range: a message to the respondent, nothing stored.
        let mut bad = full_answers(&csrf);
        bad[3].1 = "9".into();
        let r = citizen.post(app.url(&format!("/s/{token}"))).form(&bad).send().await.expect("post");
        assert_eq!(r.status(), 422, "{label}");
        assert!(r.text().await.expect("body").contains("phải nằm trong khoảng"), "{label}: says what is wrong");
        // A question left unanswered.
        let mut missing = full_answers(&csrf);
        missing.pop();
        let r = citizen.post(app.url(&format!("/s/{token}"))).form(&missing).send().await.expect("post");
        assert_eq!(r.status(), 422, "{label}");
        assert_eq!(total_responses(&app, &c, id).await, 0, "{label}: nothing half-stored");
        // A good answer (one question "don't know"): thank-you page.
        let mut good = full_answers(&csrf);
        good[2].1 = String::new();
        let r = citizen.post(app.url(&format!("/s/{token}"))).form(&good).send().await.expect("post");
        assert_eq!(r.status(), 303, "{label}");
        let done = citizen.get(app.url(&format!("/s/{token}/done"))).send().await.expect("done").text().await.expect("body");
        assert!(done.contains("Xin cảm ơn"), "{label}: thank-you page");
        // The token is used up.
        let again = citizen.get(app.url(&format!("/s/{token}"))).send().await.expect("form");
        assert_eq!(again.status(), 409, "{label}");
        assert!(again.text().await.expect("body").contains("đã được trả lời"), "{label}");
        let r = citizen.post(app.url(&format!("/s/{token}"))).form(&full_answers(&csrf)).send().await.expect("post");
        assert_eq!(r.status(), 409, "{label}: second answer refused");
        let unknown = citizen.get(app.url("/s/0123456789abcdef0123456789abcdef")).send().await.expect("form");
        assert_eq!(unknown.status(), 404, "{label}");
        assert_eq!(total_responses(&app, &c, id).await, 1, "{label}");
        // Withdrawing the unused invitations: their links stop working, the answered one stays.
        let csrf_s = csrf_of(&app, &c).await;
        let r =
            c.post(app.url(&format!("/surveys/{id}/invitations/revoke"))).form(&[("csrf", csrf_s.as_str())]).send().await.expect("revoke");
        assert_eq!(r.status(), 303, "{label}");
        let page = c.get(app.url(&format!("/surveys/{id}?revoked=2"))).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("Đã thu hồi 2 phiếu mời chưa dùng") && page.contains("(1 phiếu, 1 đã trả lời)"), "{label}: revoked");
        let gone =
            app.client().get(app.url(&format!("/s/{}", links.iter().find(|l| *l != token).expect("another")))).send().await.expect("form");
        assert_eq!(gone.status(), 404, "{label}: a withdrawn link leads nowhere");

        // Import 1,000 responses from a CSV (the survey's own sample file).
        let csv =
            c.get(app.url(&format!("/surveys/{id}/sample.csv?n=1000&seed=1"))).send().await.expect("sample").bytes().await.expect("bytes");
        assert_eq!(csv.iter().filter(|b| **b == b'\n').count(), 1001, "{label}: header and 1,000 rows");
        let r = upload(&app, &c, id, "kobo.csv", csv.to_vec()).await;
        assert_eq!(r.status(), 303, "{label}: {:?}", r.headers().get("location"));
        assert_eq!(total_responses(&app, &c, id).await, 1001, "{label}");
        // A bad file stores nothing and names line and column: a unit outside the survey on line 3.
        let bad_csv = "respondent_id,unit,group,weight,q01\nb1,X01,nguoi_dan,1,1\nb2,X02,nguoi_dan,1,1\n";
        let r = upload(&app, &c, id, "bad.csv", bad_csv.as_bytes().to_vec()).await;
        assert_eq!(r.status(), 422, "{label}");
        let body = r.text().await.expect("body");
        assert!(
            body.contains("bad.csv") && body.contains("dòng 3, cột 2") && body.contains("không thuộc phạm vi khảo sát"),
            "{label}: {}",
            excerpt(&body)
        );
        let r = upload(&app, &c, id, "bad2.csv", b"respondent_id,unit,weight,q01\nc1,ZZ9,1,1\n".to_vec()).await;
        assert!(r.text().await.expect("body").contains("không có trong cơ sở dữ liệu"), "{label}: unknown unit code");
        let r = upload(&app, &c, id, "bad3.csv", b"respondent_id,unit,weight,q01\nc1,X01,-1,1\n".to_vec()).await;
        assert!(r.text().await.expect("body").contains("dòng 2, cột 3"), "{label}: negative weight");
        assert_eq!(total_responses(&app, &c, id).await, 1001, "{label}: nothing stored from bad files");

        // Estimates with intervals, beside Sơn La's official PAPI 2024.
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/surveys/{id}/estimates")))
            .form(&[("csrf", csrf.as_str()), ("bootstrap", "200"), ("seed", "7"), ("by_group", "1")])
            .send()
            .await
            .expect("estimate");
        assert_eq!(r.status(), 303, "{label}");
        let est = c.get(app.url(&format!("/surveys/{id}/estimates"))).send().await.expect("page").text().await.expect("body");
        assert!(est.contains("Thị trấn Mộc Châu") && est.contains("1.001 người trả lời"), "{label}");
        assert!(est.contains("B = 200") && est.contains("seed = 7"), "{label}: settings shown");
        assert!(est.contains("PAPI chính thức 2024 – Tỉnh Sơn La"), "{label}: official results of the province");
        assert!(est.contains("id=\"radar-X01\"") && est.contains("/assets/echarts.min.js"), "{label}: radar chart");
        let total_cell = est.split("total-value\">").nth(1).and_then(|s| s.split('<').next()).expect("total");
        let ok_shape = total_cell.contains(',') && total_cell.contains(" (") && total_cell.contains('–') && total_cell.ends_with(')');
        assert!(ok_shape, "{label}: total like 45,12 (44,80–45,50): {total_cell}");
        assert!(!est.contains("small-sample"), "{label}: 1,001 respondents is not a small sample");
        // The API gives the engine's report; the same seed gives the same intervals.
        let a: Value = c.get(app.url(&format!("/api/v1/surveys/{id}/estimates"))).send().await.expect("api").json().await.expect("json");
        assert_eq!((a["bootstrap"].as_i64(), a["seed"].as_i64()), (Some(200), Some(7)), "{label}");
        let u = &a["report"]["units"]["X01"];
        assert_eq!(u["n"], 1001);
        let ci = u["ci95"]["total"].as_array().expect("ci");
        let t = u["estimate"]["total"].as_f64().expect("total");
        assert!(ci[0].as_f64().expect("lo") <= t && t <= ci[1].as_f64().expect("hi"), "{label}: {t} in {ci:?}");
        assert!(u["groups"]["nguoi_dan"]["n"].as_i64().expect("group n") > 0, "{label}: by group");
        let csrf = csrf_of(&app, &c).await;
        c.post(app.url(&format!("/surveys/{id}/estimates")))
            .form(&[("csrf", csrf.as_str()), ("bootstrap", "200"), ("seed", "7"), ("by_group", "1")])
            .send()
            .await
            .expect("again");
        let b: Value = c.get(app.url(&format!("/api/v1/surveys/{id}/estimates"))).send().await.expect("api").json().await.expect("json");
        assert_ne!(a["id"], b["id"], "{label}: a new run");
        assert_eq!(a["report"], b["report"], "{label}: reproducible for a fixed seed");

        // Scope: a viewer of another commune sees nothing of it; a viewer cannot compute.
        let x = app.login("xem.x02").await;
        assert_eq!(x.get(app.url(&format!("/surveys/{id}"))).send().await.expect("get").status(), 403, "{label}");
        assert_eq!(x.get(app.url(&format!("/api/v1/surveys/{id}/estimates"))).send().await.expect("get").status(), 403, "{label}");
        let list: Vec<Value> = x.get(app.url("/api/v1/surveys")).send().await.expect("list").json().await.expect("json");
        assert!(list.is_empty(), "{label}: not listed");
    })
    .await;
}

#[tokio::test]
async fn small_samples_are_flagged_and_bad_questionnaires_refused() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let (status, loc) = create_survey(&app, &c, "123").await;
        assert_eq!(status, 303, "{label}");
        let id: i64 = loc.trim_start_matches("/surveys/").parse().expect("id");
        let csv =
            "respondent_id,unit,group,weight,q01,q03,q06\nr1,X01,nguoi_dan,1,1,4,1\nr2,X01,nguoi_dan,2,0,2,3\nr3,X02,doanh_nghiep,1,1,3,\n";
        assert_eq!(upload(&app, &c, id, "small.csv", csv.as_bytes().to_vec()).await.status(), 303, "{label}");
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/surveys/{id}/estimates")))
            .form(&[("csrf", csrf.as_str()), ("bootstrap", "50"), ("seed", "1")])
            .send()
            .await
            .expect("estimate");
        assert_eq!(r.status(), 303, "{label}");
        let est = c.get(app.url(&format!("/surveys/{id}/estimates"))).send().await.expect("page").text().await.expect("body");
        assert!(est.contains("small-sample") && est.contains("Cỡ mẫu nhỏ: chỉ có 2 người trả lời"), "{label}: small-sample warning");
        // Only 3 of 8 dimensions measured: the total is undefined.
        let total_cell = est.split("total-value\">").nth(1).and_then(|s| s.split('<').next()).expect("total");
        assert_eq!(total_cell, "—", "{label}");
        // A questionnaire naming a node that the year does not measure is refused with where.
        let csrf = csrf_of(&app, &c).await;
        let bad = MINI.replacen("papi.d5.s4", "papi.d5.s2", 1);
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("unit", "X01")
            .text("year", "2024")
            .text("title", "")
            .part("file", reqwest::multipart::Part::bytes(bad.into_bytes()).file_name("q.toml"));
        let r = c.post(app.url("/surveys")).multipart(form).send().await.expect("create");
        assert_eq!(r.status(), 422, "{label}");
        let body = r.text().await.expect("body");
        assert!(body.contains("q07") && body.contains("papi.d5.s2"), "{label}");
        let csrf = csrf_of(&app, &c).await;
        let form = reqwest::multipart::Form::new().text("csrf", csrf).text("unit", "X01").text("year", "2024").part(
            "file",
            reqwest::multipart::Part::bytes(
                b"framework = \"papi\"\n[[indicator]]\ncode = \"a\"\nnode = \"papi.d1.s1\"\nmin = 3\nmax = 3\ndirection = 1\n".to_vec(),
            )
            .file_name("q.toml"),
        );
        let body = c.post(app.url("/surveys")).multipart(form).send().await.expect("create").text().await.expect("body");
        assert!(
            body.contains("dòng 6") && body.contains("cần min") && body.contains("`max`"),
            "{label}: min ≥ max named with its line: {}",
            excerpt(&body)
        );
        let list: Vec<Value> = c.get(app.url("/api/v1/surveys")).send().await.expect("list").json().await.expect("json");
        assert_eq!(list.len(), 1, "{label}: refused questionnaires stored nothing");
    })
    .await;
}

/// The "done means" of issue 6 in a real browser: a survey for a commune, the public form on a phone-sized
/// window, 1,000 more responses imported from a CSV, the estimates with intervals and the radar chart.
#[tokio::test]
async fn a_newcomer_runs_a_survey_in_the_browser() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app(TestDb::sqlite().await.expect("db")).await;
    let sys = Scope::system("test");
    let q = Questionnaire::from_toml_str(MINI).expect("q");
    let set = FrameworkSet::builtin().expect("frameworks");
    let fw = set.get("papi").expect("papi");
    let s = app
        .store
        .create_survey(
            &sys,
            &NewSurvey {
                unit_code: "X01",
                year: 2024,
                title: "Khảo sát người dân 2024",
                questionnaire: &q,
                framework: fw,
                extra_groups: &[],
                draft: false,
            },
        )
        .await
        .expect("survey");
    let inv = app.store.create_invitations(&sys, s.id, "X01", Some("nguoi_dan"), 1).await.expect("invite");

    // A citizen on a phone.
    browser.resize(360, 740).await;
    browser.goto(&app.url(&format!("/s/{}", inv[0].token))).await;
    assert!(browser.text("#form-title").await.contains("Khảo sát người dân 2024"));
    browser.assert_no_csp_violation("the public form").await;
    // Send with one question unanswered: a message, the answers kept.
    for ind in q.indicators.iter().skip(1) {
        browser.click(&format!("#q-{} input[value=\"{}\"]", ind.code, ind.options[ind.options.len() - 1].value)).await;
    }
    browser.click("#form-submit").await;
    assert!(browser.text("#form-error").await.contains("chưa trả lời"), "missing answer flagged");
    browser.screenshot("survey-form-phone-error").await;
    browser.click("#q-q01 input[value=\"1\"]").await;
    browser.screenshot("survey-form-phone").await;
    browser.click("#form-submit").await;
    assert!(browser.url_containing("/done").await.ends_with("/done"), "thank-you page");
    assert!(browser.text("#message-heading").await.contains("Xin cảm ơn"));
    browser.screenshot("survey-thanks-phone").await;
    browser.assert_no_csp_violation("the thank-you page").await;

    // The specialist imports 1,000 responses and computes the estimates.
    browser.resize(1280, 900).await;
    browser.goto(&app.url(&format!("/surveys/{}", s.id))).await;
    browser.type_into("#username", "nv.huyen").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    assert_eq!(browser.text("#total-responses").await, "1", "the form's answer is counted");
    // New invitations: the sheet of their links and QR codes, shown this once; then back to the survey.
    browser.type_into("#invite-count", "\u{E003}\u{E003}2").await;
    browser.click("#invite-submit").await;
    assert_eq!(browser.text("#issued-links").await.lines().count(), 2, "two links to copy");
    browser.find("#invitation-cards svg").await;
    browser.assert_no_csp_violation("the invitation sheet").await;
    browser.screenshot("survey-invitation-sheet").await;
    browser.goto(&app.url(&format!("/surveys/{}", s.id))).await;
    assert!(browser.text("#invitations-table").await.contains("chưa dùng"), "their state, without links");
    let csv = chiso_app::surveys::synthetic_responses_csv(&q, &["X01".to_string()], &["nguoi_dan".to_string()], 1000, 5, "B-");
    let path = std::env::temp_dir().join(format!("chiso-survey-{}.csv", std::process::id()));
    std::fs::write(&path, csv).expect("write csv");
    browser.type_into("#import-file", &path.display().to_string()).await;
    browser.click("#import-submit").await;
    assert!(browser.text("#survey-message").await.contains("Đã nhập 1.000 câu trả lời"));
    assert_eq!(browser.text("#total-responses").await, "1.001");
    browser.click("#estimate-submit").await;
    assert!(browser.url_containing("/estimates").await.ends_with("/estimates"));
    let total = browser.text("#unit-X01 .total-value").await;
    assert!(total.contains(" (") && total.contains('–'), "total with its interval: {total}");
    browser.find("#radar-X01 canvas").await;
    browser.assert_no_csp_violation("survey estimates").await;
    browser.screenshot("survey-estimates").await;
    let _ = std::fs::remove_file(&path);
    browser.quit().await;
    app.stop().await;
}

/// A PAR INDEX survey fills the survey criteria of a commune's score sheet, as the district's appraisal.
#[tokio::test]
async fn survey_points_fill_a_par_score_sheet() {
    use chiso_core::framework::Source;
    use chiso_core::results::SheetAction;
    use chiso_store::assessments::SelfScoreInput;
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let set = FrameworkSet::builtin().expect("frameworks");
        let par = set.get("par_index").expect("par_index");
        // Two questions on the satisfaction criterion par.a3.c6 (6 points).
        let q = Questionnaire::from_toml_str(
            "framework = \"par_index\"\n[[indicator]]\ncode = \"h1\"\nnode = \"par.a3.c6\"\nmin = 1\nmax = 5\ndirection = 1\n\
             [[indicator]]\ncode = \"h2\"\nnode = \"par.a3.c6\"\nmin = 0\nmax = 1\ndirection = 1\n",
        )
        .expect("q");
        let s = app
            .store
            .create_survey(
                &sys,
                &NewSurvey {
                    unit_code: "X01",
                    year: 2024,
                    title: "Hài lòng CCHC",
                    questionnaire: &q,
                    framework: par,
                    extra_groups: &[],
                    draft: false,
                },
            )
            .await
            .expect("survey");
        let c = app.login("nv.huyen").await;
        // h1 = 4 → 0.75 and h2 = 1 → 1 for one respondent, h1 = 2 → 0.25 for the other: means 0.5 and 1 → n = 0.75.
        let csv = "respondent_id,unit,weight,h1,h2\na,X01,1,4,1\nb,X01,1,2,\n";
        assert_eq!(upload(&app, &c, s.id, "par.csv", csv.as_bytes().to_vec()).await.status(), 303, "{label}");
        let csrf = csrf_of(&app, &c).await;
        c.post(app.url(&format!("/surveys/{}/estimates", s.id)))
            .form(&[("csrf", csrf.as_str()), ("bootstrap", "20")])
            .send()
            .await
            .expect("estimate");
        let page = c.get(app.url(&format!("/surveys/{}/estimates", s.id))).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("4,50 / 6"), "{label}: 0 + 0.75 × 6 points offered");
        // Without a sheet: a clear message.
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/surveys/{}/sheet", s.id)))
            .form(&[("csrf", csrf.as_str()), ("unit", "X01")])
            .send()
            .await
            .expect("fill");
        assert_eq!(r.status(), 422, "{label}");
        assert!(r.text().await.expect("body").contains("chưa có phiếu chấm điểm"), "{label}");
        // A submitted sheet: the district fills the survey criterion.
        // Self-assessment is the commune's own step (never the system's or its superior's).
        let x01 = app.store.unit_by_code(&sys, "X01").await.expect("X01");
        let own_scope = chiso_core::access::Scope {
            user_id: None,
            actor: "xa.x01".into(),
            role: chiso_core::access::Role::Specialist,
            reach: chiso_core::access::Reach::Subtree { unit_id: x01.id, path: x01.path.clone() },
            agency_id: None,
        };
        let a = app.store.create_assessment(&own_scope, par, "X01", 2024).await.expect("sheet");
        let own: Vec<SelfScoreInput> = par
            .leaves_for_year(2024)
            .into_iter()
            .filter(|l| l.source != Source::Survey)
            .map(|l| SelfScoreInput {
                node: l.code.clone(), score: l.max, evidence: Some("Văn bản số 1".into()), missing_reason: None
            })
            .collect();
        app.store.save_self_scores(&own_scope, par, a.id, &own, None).await.expect("self scores");
        app.store.transition(&own_scope, par, a.id, SheetAction::Submit, None, None).await.expect("submit");
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/surveys/{}/sheet", s.id)))
            .form(&[("csrf", csrf.as_str()), ("unit", "X01")])
            .send()
            .await
            .expect("fill");
        assert_eq!(r.status(), 303, "{label}");
        let uc = chiso_app::App::new(app.store.clone(), std::sync::Arc::new(set.clone()));
        let sheet = uc.assessments().sheet(&sys, par, a.id).await.expect("sheet");
        let item = sheet.items.iter().find(|i| i.node == "par.a3.c6").expect("item");
        assert_eq!((item.appraised_score, item.decision.as_deref()), (Some(4.5), Some("survey")), "{label}");
        assert!(
            item.appraisal_reason.as_deref().is_some_and(|r| r.contains(&format!("khảo sát #{}", s.id))),
            "{label}: the reason names the survey"
        );
    })
    .await;
}

#[tokio::test]
async fn every_survey_api_route_is_in_the_openapi_document() {
    on_each_app(|app| async move {
        let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.expect("get").json().await.expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        // The survey API handlers declare their paths in `#[utoipa::path(…, path = "/api/v1/…")]`.
        let src = include_str!("../../src/surveys/api.rs");
        let routes: Vec<&str> =
            src.match_indices("path = \"/api/").filter_map(|(i, _)| src[i + "path = \"".len()..].split('"').next()).collect();
        assert_eq!(routes.len(), 3);
        for r in routes {
            assert!(paths.contains_key(r), "{r} is not documented in openapi.json");
        }
    })
    .await;
}
