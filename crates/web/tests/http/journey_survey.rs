//! Journey (issue 12, "Done means"): a district specialist builds a questionnaire in the browser (groups,
//! questions mapped to framework nodes through a pick list searched without diacritics, answer options,
//! one optional question, a validation error shown beside its field with everything typed kept), opens the
//! survey, a citizen answers on a phone-sized window (390 × 844) through the public link `/s/{token}`, the
//! specialist imports responses from a CSV file — first one with mistakes (every mistake listed with the line
//! a spreadsheet shows, nothing imported), then a correct one — and reads the estimates on the official
//! scale beside the official results. On SQLite and, with `CHISO_TEST_PG`, PostgreSQL; screenshots under
//! `target/journeys/<backend>/survey/NN-step.png`.

use crate::browser::Browser;
use crate::helpers::*;
use chiso_app::results::{ImportRequest, Mapping};
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_core::results::ResultsFormat;
use chiso_stats::Questionnaire;
use chiso_store::testing::TestDb;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

const UNITS: &str = include_str!("../../../../datasets/demo/units.csv");
const Y2024: &str = include_str!("../../../../datasets/papi/2024.csv");

/// The provinces and PAPI 2024, so that the estimates stand beside Sơn La's official scores.
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

struct Journey<'a> {
    b: &'a Browser,
    dir: PathBuf,
    step: usize,
    label: &'static str,
}

impl Journey<'_> {
    async fn shot(&mut self, name: &str) {
        self.step += 1;
        if let Some(png) = self.b.png().await {
            let _ = std::fs::create_dir_all(&self.dir);
            let _ = std::fs::write(self.dir.join(format!("{:02}-{name}.png", self.step)), png);
        }
    }

    /// Set a field's value (replacing what it holds), as typing it would.
    async fn set(&self, css: &str, value: &str) {
        let script = format!(
            "var e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
            Value::from(css),
            Value::from(value)
        );
        assert_eq!(self.b.execute(&script).await, Value::Bool(true), "{}: field {css}", self.label);
    }

    async fn value(&self, css: &str) -> String {
        let script = format!("var e = document.querySelector({}); return e ? e.value : null;", Value::from(css));
        self.b.execute(&script).await.as_str().unwrap_or_default().to_string()
    }

    /// Click something that loads a new page and wait until the new page is there.
    async fn submit(&self, css: &str) {
        self.b.execute("window.chisoOldPage = true; return true;").await;
        self.b.click(css).await;
        for _ in 0..100 {
            let v = self.b.execute("return window.chisoOldPage === undefined && document.readyState === 'complete';").await;
            if v == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{}: no new page after clicking {css}", self.label);
    }

    async fn text(&self, css: &str) -> String {
        self.b.text(css).await
    }
}

/// The first number of "1,83 (1,62–2,05)" or "2,11".
fn first_number(text: &str) -> f64 {
    let t: String = text.trim().chars().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    t.replace(',', ".").parse().unwrap_or_else(|_| panic!("no number in {text:?}"))
}

#[tokio::test]
async fn a_questionnaire_built_in_the_browser_is_answered_on_a_phone_and_imported_from_csv() {
    for db in TestDb::all().await.expect("test databases") {
        let Some(browser) = Browser::start().await else { return };
        let app = spawn_app(db).await;
        load_papi_2024(&app).await;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/journeys/{}/survey", app.label));
        let _ = std::fs::remove_dir_all(&dir);
        let mut j = Journey { b: &browser, dir, step: 0, label: app.label };
        journey(&app, &mut j).await;
        browser.quit().await;
        app.stop().await;
    }
}

async fn journey(app: &TestApp, j: &mut Journey<'_>) {
    let label = app.label;
    let b = j.b;
    b.resize(1280, 900).await;
    // Log in as the district's specialist.
    b.goto(&app.url("/login?next=/surveys")).await;
    b.type_into("#username", "nv.huyen").await;
    b.type_into("#password", PASSWORD).await;
    j.submit("#login-submit").await;
    assert!(b.url_containing("/surveys").await.ends_with("/surveys"), "{label}");
    j.shot("khao-sat").await;

    // 1. A draft survey whose questionnaire is written on the page.
    b.click("#survey-unit option[value='X01']").await;
    j.set("#survey-year", "2024").await;
    j.set("#survey-title", "Khảo sát người dân thị trấn 2024").await;
    b.click("#survey-framework option[value='papi']").await;
    j.submit("#survey-build").await;
    let url = b.url_containing("/questionnaire").await;
    assert!(url.ends_with("/questionnaire"), "{label}: the builder opens: {url}");
    let id: i64 = url.rsplit('/').nth(1).and_then(|s| s.parse().ok()).expect("survey id");
    j.shot("bang-hoi-trong").await;

    // 2. The first question: typed, its node found by a search without diacritics, two answer options.
    j.set("input[name='g0.title']", "Hiểu biết và tham gia").await;
    j.set("input[name='g0.q0.code']", "q1").await;
    j.set("textarea[name='g0.q0.text']", "Ông/bà có biết về quyền được tham gia ý kiến vào việc của thôn, tổ dân phố không?").await;
    b.type_into("#g0-q0 .node-filter", "tri thuc cong dan").await;
    assert_eq!(j.value("select[name='g0.q0.node']").await, "papi.d1.s1", "{label}: \"tri thuc cong dan\" finds Tri thức công dân");
    j.set("input[name='g0.q0.min']", "1").await;
    j.set("input[name='g0.q0.max']", "4").await;
    j.submit("button[value='add_option.0.0']").await;
    // The page came back from the server: everything typed is still there.
    assert_eq!(j.value("input[name='g0.q0.code']").await, "q1", "{label}: typed input kept");
    assert_eq!(j.value("select[name='g0.q0.node']").await, "papi.d1.s1", "{label}");
    assert_eq!(j.value("input[name='g0.title']").await, "Hiểu biết và tham gia", "{label}");
    j.submit("button[value='add_option.0.0']").await;
    j.set("input[name='g0.q0.o0.label']", "Không biết").await;
    j.set("input[name='g0.q0.o0.value']", "1").await;
    j.set("input[name='g0.q0.o1.label']", "Biết rõ").await;
    j.set("input[name='g0.q0.o1.value']", "4").await;

    // 3. A second question (it takes the scale and options of the first), optional, on a node of a dimension with
    // three sub-dimensions (official range 0,33–3,33), with a mistake: the highest value below the lowest.
    j.submit("button[value='add_question.0']").await;
    assert_eq!(j.value("input[name='g0.q1.o1.label']").await, "Biết rõ", "{label}: the options of the question before");
    j.set("input[name='g0.q1.code']", "q2").await;
    j.set("textarea[name='g0.q1.text']", "Khi cần, ông/bà có biết tìm đến đâu để được trợ giúp pháp lý không?").await;
    b.type_into("#g0-q1 .node-filter", "dich vu tu phap").await;
    assert_eq!(j.value("select[name='g0.q1.node']").await, "papi.d3.s3", "{label}: \"dich vu tu phap\" finds Tiếp cận dịch vụ tư pháp");
    b.click("input[name='g0.q1.required']").await;
    j.set("input[name='g0.q1.max']", "0").await;
    j.submit("#builder-save").await;
    let error = j.text("#builder-error").await;
    assert!(error.contains("Chưa lưu") && error.contains("chỗ cần sửa"), "{label}: {error}");
    let beside = j.text("#g0-q1").await;
    assert!(beside.contains("cần min < max (min = 1, max = 0)"), "{label}: the error beside the field: {beside}");
    assert!(beside.contains("ngoài thang"), "{label}: the options outside the new scale too: {beside}");
    assert_eq!(
        j.value("textarea[name='g0.q1.text']").await,
        "Khi cần, ông/bà có biết tìm đến đâu để được trợ giúp pháp lý không?",
        "{label}"
    );
    assert_eq!(j.value("input[name='g0.q1.max']").await, "0", "{label}: the wrong value is kept to correct");
    assert_eq!(j.value("input[name='g0.q0.o1.label']").await, "Biết rõ", "{label}");
    b.execute("document.getElementById('g0-q1').scrollIntoView(); return true;").await;
    j.shot("loi-ben-o-nhap").await;
    j.set("input[name='g0.q1.max']", "4").await;
    // Moving: q2 up above q1, and back.
    j.submit("button[value='up_question.0.1']").await;
    assert_eq!(j.value("input[name='g0.q0.code']").await, "q2", "{label}: moved up");
    j.submit("button[value='down_question.0.0']").await;
    assert_eq!(j.value("input[name='g0.q1.code']").await, "q2", "{label}: moved back");
    j.submit("#builder-save").await;
    let saved = j.text("#builder-message").await;
    assert!(saved.contains("Đã lưu bảng hỏi: 2 câu hỏi"), "{label}: {saved}");
    j.shot("bang-hoi-da-luu").await;

    // The TOML export reads back to what was built.
    let c = app.login("nv.huyen").await;
    let toml = c.get(app.url(&format!("/surveys/{id}/questionnaire.toml"))).send().await.expect("toml").text().await.expect("body");
    let q = Questionnaire::from_toml_str(&toml).unwrap_or_else(|e| panic!("{label}: {e}\n{toml}"));
    assert_eq!(q.indicators.len(), 2, "{label}");
    assert_eq!((q.indicators[0].node.as_str(), q.indicators[1].node.as_str()), ("papi.d1.s1", "papi.d3.s3"), "{label}");
    assert_eq!(q.indicators[0].section.as_deref(), Some("Hiểu biết và tham gia"), "{label}");
    assert!(q.indicators[0].required && !q.indicators[1].required, "{label}");
    assert_eq!(q.indicators[0].options.len(), 2, "{label}");

    // 4. Open the survey: the questionnaire is locked from now on.
    b.goto(&app.url(&format!("/surveys/{id}"))).await;
    assert!(j.text("#draft-note").await.contains("bản nháp"), "{label}");
    j.submit("#survey-open").await;
    assert!(j.text(".kv").await.contains("Đang nhận phiếu"), "{label}");
    b.goto(&app.url(&format!("/surveys/{id}/questionnaire"))).await;
    assert!(j.text("#builder-locked").await.contains("chỉ sửa được khi khảo sát còn là bản nháp"), "{label}");
    b.goto(&app.url(&format!("/surveys/{id}"))).await;
    j.shot("khao-sat-da-mo").await;

    // 5. One invitation; its link is answered on a phone.
    b.click("#invite-unit option[value='X01']").await;
    j.set("#invite-count", "1").await;
    j.submit("#invite-submit").await;
    let link = j.value("#issued-links").await.trim().to_string();
    assert!(link.contains("/s/"), "{label}: {link}");
    b.resize(390, 844).await;
    b.goto(&link).await;
    let form = j.text("#survey-form").await;
    assert!(form.contains("Hiểu biết và tham gia"), "{label}: the group's heading: {form}");
    assert!(form.contains("Câu 2.") && form.contains("(không bắt buộc)"), "{label}: the optional question says so");
    let widths = b.execute("return [document.documentElement.scrollWidth, window.innerWidth];").await;
    let (scroll, window) = (widths[0].as_i64().unwrap_or(i64::MAX), widths[1].as_i64().unwrap_or(0));
    assert!(scroll <= window, "{label}: the public form overflows sideways at 390 px: {scroll} > {window}");
    j.shot("phieu-tren-dien-thoai").await;
    // Sent without the required answer: said beside the question, nothing stored.
    j.submit("#form-submit").await;
    let q1 = j.text("#q-q1").await;
    assert!(q1.contains("Vui lòng chọn một phương án"), "{label}: {q1}");
    j.shot("phieu-thieu-cau-bat-buoc").await;
    b.click("input[name='q1'][value='4']").await;
    j.submit("#form-submit").await;
    assert!(b.url_containing("/done").await.contains("/done"), "{label}: thanked (the optional question left blank)");
    j.shot("phieu-da-gui").await;
    b.resize(1280, 900).await;
    b.goto(&app.url(&format!("/surveys/{id}"))).await;

    // 6. Import: a file with mistakes (CRLF line ends as Excel writes them, a note over two lines in quotes):
    // every mistake listed with its line (four, on four lines), nothing imported.
    let tmp = std::env::temp_dir().join(format!("chiso-journey-survey-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("tmp");
    let bad = tmp.join("cau-tra-loi-co-loi.csv");
    std::fs::write(
        &bad,
        "respondent_id,unit,group,weight,q1,q2,_ghi_chu\r\n\
         r1,X01,,1,4,1,\r\n\
         r2,X01,,1,9,1,\r\n\
         r3,X01,,1,1,4,\"ghi chú\r\nhai dòng\"\r\n\
         r4,X99,,1,1,1,\r\n\
         r1,X01,,1,1,1,\r\n\
         r5,X02,,1,4,,\r\n",
    )
    .expect("write");
    b.type_into("#import-file", &bad.display().to_string()).await;
    j.submit("#import-submit").await;
    let error = j.text("#survey-error").await;
    let listed = j.text("#import-problems").await;
    assert!(error.contains("4 lỗi") && error.contains("không dòng nào được lưu"), "{label}: {error}\n{listed}");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 4, "{label}: {listed}");
    assert!(lines[0].starts_with("dòng 3, cột 5 (q1), giá trị \"9\"") && lines[0].contains("ngoài thang"), "{label}: {listed}");
    assert!(
        lines[1].starts_with("dòng 6, cột 2 (unit), giá trị \"X99\"") && lines[1].contains("không có trong cơ sở dữ liệu"),
        "{label}: after the two-line note: {listed}"
    );
    assert!(lines[2].starts_with("dòng 7, cột 1 (respondent_id), giá trị \"r1\"") && lines[2].contains("dòng 2"), "{label}: {listed}");
    // A commune's survey: the neighbouring commune is outside it.
    assert!(
        lines[3].starts_with("dòng 8, cột 2 (unit), giá trị \"X02\"") && lines[3].contains("không thuộc phạm vi khảo sát"),
        "{label}: {listed}"
    );
    assert_eq!(j.text("#total-responses").await, "1", "{label}: only the phone's answer");
    b.execute("document.getElementById('import-problems').scrollIntoView(); return true;").await;
    j.shot("nhap-tep-co-loi").await;

    // Then the corrected file.
    let mut good = String::from("respondent_id,unit,group,weight,q1,q2\r\n");
    for i in 1..=40 {
        let q1 = if i % 3 == 0 { 1 } else { 4 };
        let q2 = if i % 5 < 2 {
            "1"
        } else if i % 7 == 0 {
            ""
        } else {
            "4"
        };
        good.push_str(&format!("r{i},X01,,1,{q1},{q2}\r\n"));
    }
    let good_path = tmp.join("cau-tra-loi.csv");
    std::fs::write(&good_path, good).expect("write");
    b.type_into("#import-file", &good_path.display().to_string()).await;
    j.submit("#import-submit").await;
    assert!(j.text("#survey-message").await.contains("Đã nhập 40 câu trả lời"), "{label}");
    assert_eq!(j.text("#total-responses").await, "41", "{label}");
    j.shot("nhap-tep-dung").await;
    // The same file again: every respondent already imported is named with its line, nothing added.
    b.type_into("#import-file", &good_path.display().to_string()).await;
    j.submit("#import-submit").await;
    assert!(j.text("#survey-error").await.contains("40 lỗi"), "{label}");
    let listed = j.text("#import-problems").await;
    assert_eq!(listed.lines().count(), 40, "{label}: {listed}");
    assert!(
        listed.starts_with("dòng 2, cột 1 (respondent_id), giá trị \"r1\"") && listed.contains("đã có trong khảo sát"),
        "{label}: {listed}"
    );
    assert!(listed.lines().last().is_some_and(|l| l.starts_with("dòng 41, cột 1")), "{label}: {listed}");
    assert_eq!(j.text("#total-responses").await, "41", "{label}");
    let _ = std::fs::remove_dir_all(&tmp);

    // 7. Estimates, on the official scale beside the official results.
    j.set("#estimate-b", "200").await;
    j.submit("#estimate-submit").await;
    let method = j.text("#scale-method").await;
    assert!(method.contains("thang điểm chính thức") && method.contains("điểm thấp nhất + n ×"), "{label}: {method}");
    let unit = "#unit-X01";
    let row = j.text(&format!("{unit} tr[data-node='papi.d3.s3']")).await;
    assert!(row.contains("thang 0,33–3,33"), "{label}: {row}");
    let cells = b
        .execute(&format!(
            "return Array.from(document.querySelectorAll({})).map(function (td) {{ return td.innerText; }});",
            Value::from(format!("{unit} tr[data-node='papi.d3.s3'] td.num"))
        ))
        .await;
    let cells: Vec<String> = cells.as_array().expect("cells").iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(cells.len(), 2, "{label}: estimate and official: {cells:?}");
    let (estimate, official) = (first_number(&cells[0]), first_number(&cells[1]));
    assert!((1.0 / 3.0 - 0.01..=10.0 / 3.0 + 0.01).contains(&estimate), "{label}: the estimate on the official range: {cells:?}");
    assert!((0.0..=10.0 / 3.0 + 0.01).contains(&official), "{label}: {cells:?}");
    assert!(!cells[0].contains('.'), "{label}: decimal commas: {cells:?}");
    b.execute("document.querySelector('#unit-X01 tr[data-node=\"papi.d3.s3\"]').scrollIntoView({block: 'center'}); return true;").await;
    j.shot("uoc-luong-thang-chinh-thuc").await;
    b.assert_no_csp_violation("survey journey").await;
}

/// The builder over plain HTTP (no script): a node the framework does not have is refused beside its field with
/// everything typed sent back; once the survey is open, saving is refused and says why, keeping the input.
#[tokio::test]
async fn the_builder_refuses_unknown_nodes_and_edits_after_opening_keeping_what_was_typed() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let csrf = csrf_of(&app, &c).await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", "X01")
            .text("year", "2024")
            .text("title", "Bản nháp")
            .text("framework", "papi")
            .text("builder", "1");
        let r = c.post(app.url("/surveys")).multipart(form).send().await.expect("create");
        assert_eq!(r.status(), 303, "{label}");
        let loc = r.headers()["location"].to_str().expect("location").to_string();
        assert!(loc.ends_with("/questionnaire"), "{label}: {loc}");
        let fields = |node: &str, action: &str| -> Vec<(String, String)> {
            [
                ("csrf", csrf.as_str()),
                ("action", action),
                ("g0.title", "Nhóm một"),
                ("g0.q0.code", "q1"),
                ("g0.q0.text", "Câu hỏi đã gõ"),
                ("g0.q0.node", node),
                ("g0.q0.min", "0"),
                ("g0.q0.max", "2,5"),
                ("g0.q0.required", "1"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        let r = c.post(app.url(&loc)).form(&fields("papi.d99", "save")).send().await.expect("save");
        assert_eq!(r.status(), 422, "{label}");
        let html = r.text().await.expect("body");
        let beside = html.split("field-error").nth(1).unwrap_or_default();
        assert!(
            beside.contains("papi.d99") && beside.contains("không phải là nội dung thành phần của bộ chỉ số"),
            "{label}: refused by name"
        );
        assert!(html.contains("Câu hỏi đã gõ") && html.contains("value=\"2,5\""), "{label}: typed input kept");
        let r = c.post(app.url(&loc)).form(&fields("papi.d1.s2", "save")).send().await.expect("save");
        assert_eq!(r.status(), 303, "{label}");
        let id = loc.trim_start_matches("/surveys/").trim_end_matches("/questionnaire");
        let r = c.post(app.url(&format!("/surveys/{id}/status"))).form(&[("csrf", csrf.as_str()), ("status", "open")]).send().await;
        assert_eq!(r.expect("open").status(), 303, "{label}");
        let r = c.post(app.url(&loc)).form(&fields("papi.d1.s3", "save")).send().await.expect("save");
        assert_eq!(r.status(), 422, "{label}");
        let html = r.text().await.expect("body");
        assert!(html.contains("bảng hỏi chỉ sửa được khi khảo sát còn là bản nháp"), "{label}: says why");
        let toml = c.get(app.url(&format!("/surveys/{id}/questionnaire.toml"))).send().await.expect("toml").text().await.expect("body");
        let q = Questionnaire::from_toml_str(&toml).expect("toml");
        assert_eq!((q.indicators.len(), q.indicators[0].node.as_str(), q.indicators[0].max), (1, "papi.d1.s2", 2.5), "{label}: unchanged");
    })
    .await;
}
