//! Journey (issue 12, "Done means"): a score sheet goes self score → appraisal → explanation → re-appraisal →
//! finalised in headless Chromium, driven as two people — the assessed unit (`xa.x01`, Thị trấn Mộc Châu) and
//! its appraiser (`nv.huyen`, Huyện Mộc Châu) — on SQLite and on PostgreSQL (when `CHISO_TEST_PG` is set).
//! Every step is taken with the button of the form that holds the typing ("Gửi thẩm định", "Hoàn thành thẩm
//! định", "Gửi giải trình", "Chốt kết quả"), so each step must save what was typed; two steps are first refused
//! (a score above its maximum) and must come back with everything typed and the error beside its field.
//! It asserts what a person sees — the typed texts after each step, the status in Vietnamese, the
//! notification — and saves a screenshot of each step under target/journeys/<backend>/score-sheet/.

use crate::browser::Browser;
use crate::helpers::*;
use chiso_core::framework::{FrameworkSet, Node, Source};
use chiso_store::testing::TestDb;

const JOURNEY: &str = "score-sheet";
const UNIT: &str = "xa.x01";
const APPRAISER: &str = "nv.huyen";

/// The evidence the unit types for a criterion (`par.a5.c2` has none: the reason it is missing instead).
fn evidence_of(code: &str) -> String {
    format!("Báo cáo số {}/BC-UBND", code.trim_start_matches("par.").replace('.', "-"))
}
const MISSING: (&str, &str) = ("par.a5.c2", "Quyết định phê duyệt kết quả tuyển dụng đang trình ký");
const ADJUST_REASON: &str = "Chưa ban hành văn bản theo kế hoạch";
const EXPLANATION: &str = "Đã ban hành Kế hoạch số 15/KH-UBND ngày 10/01/2024, gửi kèm bản chụp";
const REAPPRAISAL_REASON: &str = "Đã xem Kế hoạch số 15/KH-UBND: đạt";
const CONCLUSION: &str = "Thống nhất kết quả thẩm định năm 2024";

async fn log_in(browser: &Browser, app: &TestApp, username: &str) {
    browser.goto(&app.url("/login")).await;
    browser.type_into("#username", username).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    for _ in 0..50 {
        if !browser.current_url().await.contains("/login") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{}: {username} could not log in", app.label);
}

async fn log_out(browser: &Browser) {
    browser.click("form[action='/logout'] button").await;
    browser.url_containing("/login").await;
}

/// Click a button that submits a form and wait until the browser is on the page that answers (its URL
/// contains `part`).
async fn submit(browser: &Browser, app: &TestApp, button: &str, part: &str) {
    browser.click(button).await;
    let url = browser.url_containing(part).await;
    assert!(url.contains(part), "{}: after {button} the browser is on {url}, not on …{part}", app.label);
}

/// What the person reads in the sheet's row of criterion `code`.
async fn row(browser: &Browser, code: &str) -> String {
    browser.text(&format!("tr[data-code='{code}']")).await
}

/// The unit's notifications as the person reads them, after opening the bell.
async fn notifications(browser: &Browser) -> String {
    browser.click("a.bell").await;
    browser.url_containing("/notifications").await;
    browser.text("#notifications").await
}

async fn walk(browser: &Browser, app: &TestApp, leaves: &[Node]) {
    let label = app.label;
    let shot = |step: &'static str| browser.save_journey_png(label, JOURNEY, step);
    let own: Vec<&Node> = leaves.iter().filter(|l| l.source != Source::Survey).collect();
    let survey: Vec<&Node> = leaves.iter().filter(|l| l.source == Source::Survey).collect();

    // 1. The commune opens its sheet for 2024.
    log_in(browser, app, UNIT).await;
    browser.goto(&app.url("/assessments")).await;
    browser.click("#sheet-create select[name=framework] option[value='par_index']").await;
    browser.clear_and_type("#sheet-create input[name=year]", "2024").await;
    submit(browser, app, "#sheet-create button[type=submit]", "/assessments/").await;
    let url = browser.current_url().await;
    let id: i64 = url.rsplit('/').next().and_then(|s| s.split('?').next()).and_then(|s| s.parse().ok()).expect("the new sheet's page");
    let sheet_url = app.url(&format!("/assessments/{id}"));
    assert_eq!(browser.text("#sheet-status").await, "Đang tự chấm", "{label}");
    shot("01-sheet-opened").await;

    // 2. It types every score and its evidence — "1,5" with a comma, "1.5" with a point, one score above its
    //    maximum — and presses "Gửi thẩm định" without saving first: refused, nothing typed is lost.
    for l in &own {
        let score = match l.code.as_str() {
            "par.a1.c1" => "1,5".to_string(),
            "par.a1.c2" => "1.5".to_string(),
            "par.a1.c5" => "2,5".to_string(), // the maximum is 1,5
            _ => chiso_core::results::score_vi(l.max.unwrap_or(0.0)),
        };
        browser.type_into(&format!("input[name='score:{}']", l.code), &score).await;
        if l.code == MISSING.0 {
            browser.type_into(&format!("input[name='missing:{}']", l.code), MISSING.1).await;
        } else {
            browser.type_into(&format!("input[name='evidence:{}']", l.code), &evidence_of(&l.code)).await;
        }
    }
    submit(browser, app, "#act-submit", &format!("/assessments/{id}/status")).await;
    assert_eq!(browser.text("#sheet-status").await, "Đang tự chấm", "{label}: not sent");
    let beside = browser.text("[id='err-score-par.a1.c5']").await;
    assert!(
        beside.contains("Sáng kiến, mô hình mới trong cải cách hành chính") && beside.contains("vượt quá điểm tối đa (tối đa 1,5)"),
        "{label}: the error names the criterion and its maximum beside the field: {beside}"
    );
    assert!(browser.text("#sheet-errors").await.contains("tối đa 1,5"), "{label}: and above the form");
    assert_eq!(browser.field_value("input[name='score:par.a1.c5']").await, "2,5", "{label}: the wrong score is kept");
    assert_eq!(browser.field_value("input[name='score:par.a1.c1']").await, "1,5", "{label}");
    assert_eq!(browser.field_value("input[name='score:par.a1.c2']").await, "1.5", "{label}");
    for l in &own {
        let (field, text) = if l.code == MISSING.0 { ("missing", MISSING.1.to_string()) } else { ("evidence", evidence_of(&l.code)) };
        assert_eq!(browser.field_value(&format!("input[name='{field}:{}']", l.code)).await, text, "{label}: {} kept", l.code);
    }
    browser.scroll_to("[id='err-score-par.a1.c5']").await;
    shot("02-self-score-refused").await;

    // 3. Corrected and sent: the step saved every score and text typed with it.
    browser.clear_and_type("input[name='score:par.a1.c5']", "1,5").await;
    submit(browser, app, "#act-submit", "msg=").await;
    assert_eq!(browser.text("#sheet-status").await, "Đã gửi, chờ thẩm định", "{label}");
    assert!(browser.text("p.alert-ok").await.contains("Đã gửi thẩm định"), "{label}");
    let r = row(browser, "par.a1.c3").await;
    assert!(r.contains(&evidence_of("par.a1.c3")), "{label}: the evidence is shown: {r}");
    assert!(row(browser, "par.a1.c1").await.contains("1,50"), "{label}");
    assert!(row(browser, "par.a1.c2").await.contains("1,50"), "{label}: 1.5 typed with a point is 1,50");
    assert!(row(browser, MISSING.0).await.contains(MISSING.1), "{label}");
    shot("03-submitted").await;
    log_out(browser).await;

    // 4. The district is told, opens the sheet from the notification and appraises: survey scores typed, one
    //    above its maximum, criterion 2.1 adjusted with a reason; "Hoàn thành thẩm định" is refused first.
    log_in(browser, app, APPRAISER).await;
    assert!(!browser.text("#unread-count").await.is_empty(), "{label}: the bell shows unread notifications");
    let notes = notifications(browser).await;
    assert!(notes.contains("Thị trấn Mộc Châu đã gửi phiếu tự chấm điểm"), "{label}: the appraiser is told: {notes}");
    shot("04-appraiser-notified").await;
    browser.click(&format!("#notifications a[href='/assessments/{id}']")).await;
    browser.url_containing(&format!("/assessments/{id}")).await;
    assert_eq!(browser.text("#sheet-status").await, "Đã gửi, chờ thẩm định", "{label}");
    for l in &survey {
        let v = if l.code == "par.a1.c7" { "3,5".to_string() } else { chiso_core::results::score_vi(l.max.unwrap_or(0.0) - 0.5) };
        browser.type_into(&format!("input[name='appr:{}']", l.code), &v).await;
    }
    browser.clear_and_type("input[name='appr:par.a2.c1']", "1").await;
    browser.type_into("input[name='reason:par.a2.c1']", ADJUST_REASON).await;
    submit(browser, app, "#act-complete_appraisal", &format!("/assessments/{id}/status")).await;
    assert_eq!(browser.text("#sheet-status").await, "Đã gửi, chờ thẩm định", "{label}: not appraised");
    let beside = browser.text("[id='err-appr-par.a1.c7']").await;
    assert!(beside.contains("vượt quá điểm tối đa (tối đa 3)"), "{label}: {beside}");
    assert_eq!(browser.field_value("input[name='appr:par.a1.c7']").await, "3,5", "{label}");
    assert_eq!(browser.field_value("input[name='reason:par.a2.c1']").await, ADJUST_REASON, "{label}: the reason is kept");
    assert_eq!(browser.field_value("input[name='appr:par.a2.c1']").await, "1", "{label}");
    browser.scroll_to("[id='err-appr-par.a1.c7']").await;
    shot("05-appraisal-refused").await;
    browser.clear_and_type("input[name='appr:par.a1.c7']", "2,5").await;
    submit(browser, app, "#act-complete_appraisal", "msg=").await;
    assert_eq!(browser.text("#sheet-status").await, "Đã thẩm định", "{label}");
    let r = row(browser, "par.a2.c1").await;
    assert!(r.contains(ADJUST_REASON) && r.contains("điều chỉnh"), "{label}: the appraisal and its reason are saved: {r}");
    assert!(row(browser, "par.a1.c7").await.contains("2,50"), "{label}: the survey score is saved");
    browser.scroll_to("tr[data-code='par.a2.c1']").await;
    shot("06-appraised").await;
    log_out(browser).await;

    // 5. The commune is told, and sends its explanation with the button (no separate save).
    log_in(browser, app, UNIT).await;
    let notes = notifications(browser).await;
    assert!(notes.contains("năm 2024 của Thị trấn Mộc Châu đã có kết quả thẩm định"), "{label}: {notes}");
    shot("07-unit-notified").await;
    browser.goto(&sheet_url).await;
    browser.type_into("textarea[name='expl:par.a2.c1']", EXPLANATION).await;
    submit(browser, app, "#act-explain", "msg=").await;
    assert_eq!(browser.text("#sheet-status").await, "Đã giải trình, chờ thẩm định lại", "{label}");
    assert!(row(browser, "par.a2.c1").await.contains(EXPLANATION), "{label}: the explanation is saved");
    browser.scroll_to("tr[data-code='par.a2.c1']").await;
    shot("08-explained").await;
    log_out(browser).await;

    // 6. The district is told, re-appraises 2.1 in the same way, then finalises with a conclusion.
    log_in(browser, app, APPRAISER).await;
    let notes = notifications(browser).await;
    assert!(notes.contains("Thị trấn Mộc Châu đã gửi giải trình phiếu chấm điểm"), "{label}: {notes}");
    browser.goto(&sheet_url).await;
    assert!(row(browser, "par.a2.c1").await.contains(EXPLANATION), "{label}: the appraiser reads the explanation");
    browser.clear_and_type("input[name='appr:par.a2.c1']", "2").await;
    browser.clear_and_type("input[name='reason:par.a2.c1']", REAPPRAISAL_REASON).await;
    submit(browser, app, "#act-complete_appraisal", "msg=").await;
    assert_eq!(browser.text("#sheet-status").await, "Đã thẩm định lại", "{label}");
    assert!(row(browser, "par.a2.c1").await.contains(REAPPRAISAL_REASON), "{label}: the re-appraisal is saved");
    browser.scroll_to("tr[data-code='par.a2.c1']").await;
    shot("09-re-appraised").await;
    browser.goto(&sheet_url).await;
    browser.type_into("#finalise-note", CONCLUSION).await;
    submit(browser, app, "#act-finalise", "msg=").await;
    assert_eq!(browser.text("#sheet-status").await, "Đã chốt kết quả", "{label}");
    assert!(browser.text("#sheet-audit").await.contains(CONCLUSION), "{label}: the conclusion is kept in the history");
    browser.scroll_to("#sheet-audit h2").await;
    shot("10-finalised").await;
    log_out(browser).await;

    // 7. The commune is told and reads its final sheet with every step's text.
    log_in(browser, app, UNIT).await;
    let notes = notifications(browser).await;
    assert!(notes.contains("năm 2024 của Thị trấn Mộc Châu đã được chốt kết quả"), "{label}: {notes}");
    browser.goto(&sheet_url).await;
    assert_eq!(browser.text("#sheet-status").await, "Đã chốt kết quả", "{label}");
    let r = row(browser, "par.a2.c1").await;
    assert!(r.contains(&evidence_of("par.a2.c1")) && r.contains(REAPPRAISAL_REASON) && r.contains(EXPLANATION), "{label}: {r}");
    assert!(row(browser, MISSING.0).await.contains(MISSING.1), "{label}");
    let history = browser.text("#sheet-audit").await;
    assert!(history.contains(ADJUST_REASON) && history.contains(CONCLUSION), "{label}: the history keeps every step's text");
    browser.assert_no_csp_violation("/assessments/{id}").await;
    browser.scroll_to("tr[data-code='par.a2.c1']").await;
    shot("11-unit-reads-the-result").await;
    log_out(browser).await;
}

#[tokio::test]
async fn a_score_sheet_goes_from_self_score_to_finalised_in_a_browser_as_two_people() {
    let Some(browser) = Browser::start().await else { return };
    let set = FrameworkSet::builtin().expect("frameworks");
    let leaves: Vec<Node> = set.get("par_index").expect("par_index").leaves_for_year(2024).into_iter().cloned().collect();
    for db in TestDb::all().await.expect("test databases") {
        let app = spawn_app(db).await;
        walk(&browser, &app, &leaves).await;
        app.stop().await;
    }
    browser.quit().await;
}
