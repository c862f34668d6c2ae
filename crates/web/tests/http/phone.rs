//! The pages at phone size (390 × 844, headless Chromium), as a commune clerk and a district official on
//! the demo data: no page scrolls sideways (tables scroll inside their card), the navigation is folded
//! behind the menu button until it is pressed and then shows its links, the bell is a drawn icon; the
//! navigation is unchanged on a desktop window. Screenshots: target/journeys/<backend>/phone/NAME.png.
//! And the agency pick list searched without diacritics ("so noi vu" finds "Sở Nội vụ") and saved, on the
//! phone-sized window.

use crate::browser::Browser;
use crate::helpers::*;
use chiso_app::demo::DEMO_PASSWORD;
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_store::plans::PlanFilter;
use chiso_store::testing::TestDb;
use serde_json::Value;
use std::sync::Arc;

/// The demo's units, agencies, accounts, plans and living year, the PAPI results and the demo survey.
async fn load_demo(app: &TestApp) {
    let uc = chiso_app::App::new(app.store.clone(), Arc::new(FrameworkSet::builtin().expect("frameworks")));
    chiso_app::demo::load(&uc).await.expect("demo");
    chiso_app::demo::load_results(&uc).await.expect("results");
    chiso_app::surveys::load_demo(&uc).await.expect("survey");
}

/// A plan of a unit (by code) and its first task.
async fn plan_and_task(app: &TestApp, unit: &str) -> (i64, i64) {
    let sys = Scope::system("test");
    let filter = PlanFilter { unit_code: Some(unit.into()), ..Default::default() };
    let plan = app.store.plans(&sys, &filter).await.expect("plans").into_iter().next().unwrap_or_else(|| panic!("a plan of {unit}"));
    let task = app.store.tasks(&sys, plan.plan.id).await.expect("tasks").into_iter().next().expect("a task");
    (plan.plan.id, task.row.id)
}

async fn login(browser: &Browser, app: &TestApp, username: &str) {
    browser.goto(&app.url("/login")).await;
    browser.type_into("#username", username).await;
    browser.type_into("#password", DEMO_PASSWORD).await;
    browser.click("#login-submit").await;
    browser.find("#menu-button").await;
}

/// What a phone shows of the page now: its width against the window's, the navigation's display, the
/// menu button's and the bell's size.
async fn measure(browser: &Browser) -> Value {
    browser
        .execute(
            "var nav = document.getElementById('mainnav'), btn = document.getElementById('menu-button'), \
             bell = document.querySelector('.bell svg'), links = nav ? nav.querySelectorAll('a') : []; \
             var shown = Array.prototype.filter.call(links, function (a) { var r = a.getBoundingClientRect(); \
               return r.width > 0 && r.height >= 40 && r.right <= window.innerWidth + 1; }).length; \
             var visible = Array.prototype.filter.call(links, function (a) { return a.getBoundingClientRect().height > 0; }).length; \
             var wide = Array.prototype.filter.call(document.querySelectorAll('body *'), function (e) { \
               return e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table'); }) \
               .slice(0, 3).map(function (e) { return e.tagName + '.' + e.className + '#' + e.id; }); \
             return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, \
               nav: nav ? getComputedStyle(nav).display : 'missing', links: links.length, shown: shown, visible: visible, \
               button: btn ? getComputedStyle(btn).display : 'missing', buttonHeight: btn ? btn.getBoundingClientRect().height : 0, \
               bell: bell ? bell.getBoundingClientRect().width : 0, wide: wide, title: document.title };",
        )
        .await
}

#[tokio::test]
async fn at_phone_size_no_page_scrolls_sideways_and_the_menu_button_opens_the_navigation() {
    for db in TestDb::all().await.expect("test databases") {
        let Some(browser) = Browser::start().await else { return };
        let app = spawn_app(db).await;
        let label = app.label;
        load_demo(&app).await;
        let dir = format!("journeys/{label}/phone");
        let (district_plan, district_task) = plan_and_task(&app, "123").await;
        let (commune_plan, commune_task) = plan_and_task(&app, chiso_app::demo::codes::CHIENG_SON).await;
        let sys = Scope::system("test");
        let survey = app.store.surveys(&sys, &Default::default()).await.expect("surveys").into_iter().next().expect("demo survey");
        let estimates = format!("/surveys/{}/estimates", survey.survey.id);

        let common = ["/", "/my-work", "/units", "/reports", "/dashboard", "/notifications", estimates.as_str(), "/audit"];
        for (who, plan, task) in [("vp.chiengson", commune_plan, commune_task), ("nv.mocchau", district_plan, district_task)] {
            let plan_path = format!("/plans/{plan}");
            let task_path = format!("/tasks/{task}");
            let edit_path = format!("/tasks/{task}/edit");
            let mut pages: Vec<&str> = common.to_vec();
            pages.extend([plan_path.as_str(), task_path.as_str(), edit_path.as_str()]);
            browser.resize(390, 844).await;
            login(&browser, &app, who).await;
            for path in pages {
                browser.goto(&app.url(path)).await;
                browser.find("#menu-button").await;
                let name = if path == "/" { format!("{who}-home") } else { format!("{who}{}", path.replace('/', "-")) };
                let m = measure(&browser).await;
                let at = format!("{label} {who} {path}");
                let title = m["title"].as_str().unwrap_or_default();
                assert!(!title.starts_with("Lỗi") && !title.is_empty(), "{at}: the page itself, not an error: {title}");
                assert!(m["inner"].as_i64().unwrap_or(0) <= 400, "{at}: a phone-sized window: {m}");
                assert!(m["scroll"].as_i64() <= m["inner"].as_i64(), "{at}: the page scrolls sideways: {m}");
                assert_eq!(m["nav"], "none", "{at}: the navigation is folded: {m}");
                assert!(m["button"] != "none" && m["buttonHeight"].as_f64().unwrap_or(0.0) >= 40.0, "{at}: the menu button: {m}");
                assert!(m["bell"].as_f64().unwrap_or(0.0) >= 16.0, "{at}: the bell is drawn: {m}");
                browser.screenshot_in(&dir, &name).await;
                browser.click("#menu-button").await;
                let open = measure(&browser).await;
                assert_eq!(open["nav"], "flex", "{at}: the menu button opens the navigation: {open}");
                assert!(open["shown"].as_i64().unwrap_or(0) >= 8, "{at}: the links shown, tall enough to tap: {open}");
                assert!(open["scroll"].as_i64() <= open["inner"].as_i64(), "{at}: the open menu fits: {open}");
                if path == "/" {
                    browser.screenshot_in(&dir, &format!("{name}-menu")).await;
                }
                browser.click("#menu-button").await;
                assert_eq!(measure(&browser).await["nav"], "none", "{at}: and closes it");
                browser.assert_no_csp_violation(&at).await;
            }
            // The desktop is unchanged: the navigation open, no menu button.
            browser.resize(1280, 900).await;
            browser.goto(&app.url("/")).await;
            let m = measure(&browser).await;
            browser.screenshot_in(&dir, &format!("{who}-home-desktop")).await;
            assert!(m["nav"] == "flex" && m["button"] == "none" && m["visible"].as_i64().unwrap_or(0) >= 8, "{label} {who} desktop: {m}");
            browser.execute("document.querySelector('form[action=\"/logout\"]').submit(); return 1;").await;
            browser.find("#login-submit").await;
        }
        browser.quit().await;
        app.stop().await;
    }
}

/// The coordinating agencies of a province task: the search box appears with the script, "so noi vu"
/// leaves "Sở Nội vụ" (and what is chosen), Enter chooses it, and the form saves it — on a phone window.
#[tokio::test]
async fn the_agency_pick_list_is_searched_without_diacritics_and_chosen_with_the_keyboard() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app(TestDb::sqlite().await.expect("db")).await;
    load_demo(&app).await;
    let (_, task) = plan_and_task(&app, chiso_app::demo::codes::SON_LA).await;
    browser.resize(390, 844).await;
    login(&browser, &app, "nv.sonla").await;
    browser.goto(&app.url(&format!("/tasks/{task}/edit"))).await;
    // The page's boxes are `hidden` (nothing to do without a script) and the stylesheet keeps them so; the
    // script shows them.
    let shown = browser
        .execute(
            "var probe = document.createElement('input'); probe.className = 'pick-filter'; probe.hidden = true; \
             document.body.appendChild(probe); var without = getComputedStyle(probe).display; probe.remove(); \
             return [without, getComputedStyle(document.querySelector('[data-filter-for=f-coordinating]')).display];",
        )
        .await;
    assert_eq!(shown, serde_json::json!(["none", "block"]), "hidden without the script, shown by it");
    browser.type_into("[data-filter-for=f-coordinating]", "so noi vu").await;
    let shown = browser
        .execute(
            "return Array.prototype.filter.call(document.getElementById('f-coordinating').options, \
             function (o) { return !o.hidden; }).map(function (o) { return o.textContent; });",
        )
        .await;
    let shown: Vec<&str> = shown.as_array().expect("options").iter().filter_map(Value::as_str).collect();
    assert!(shown.contains(&"Sở Nội vụ") && !shown.contains(&"Văn phòng UBND tỉnh"), "filtered: {shown:?}");
    browser.type_into("[data-filter-for=f-coordinating]", "\u{E007}").await; // Enter: choose, not submit
    assert!(browser.current_url().await.ends_with("/edit"), "Enter did not submit the form");
    let m = measure(&browser).await;
    assert!(m["scroll"].as_i64() <= m["inner"].as_i64(), "the form fits the phone: {m}");
    browser.screenshot_in("journeys/sqlite/phone", "pick-list-so-noi-vu").await;
    browser.click("form.card button[type=submit]").await;
    assert!(browser.url_containing("#task-").await.contains("#task-"), "saved");
    let sys = Scope::system("test");
    let saved = app.store.task(&sys, task).await.expect("task");
    assert!(saved.coordinating_agencies.iter().any(|a| a == "Sở Nội vụ"), "{:?}", saved.coordinating_agencies);
    browser.quit().await;
    app.stop().await;
}
