//! Continuity of results across the 2025 reform (issue 11): the new Ninh Bình (Hà Nam + Nam Định + Ninh
//! Bình) has no PAPI results of its own; its results page shows its predecessors' 2018–2024 results side by
//! side and the derived series, labelled and explained, while the published rankings of 2018–2024 still
//! rank the 63 provinces of their year. The units are set up through the store's own API (the provinces
//! of the shipped unit lists, imported and reformed), then PAPI is imported after the reform.

use crate::browser::Browser;
use crate::helpers::*;
use chiso_app::results::{ImportRequest, Mapping};
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_core::results::{DERIVED_LABEL_VI, ResultsFormat};
use chiso_core::text::vn_number;
use chiso_store::testing::TestDb;

const UNITS_2024: &str = include_str!("../../../../datasets/units/units-2024.csv");
const UNITS_2025: &str = include_str!("../../../../datasets/units/units-2025.csv");
const MERGERS: &str = include_str!("../../../../datasets/units/mergers-2025.csv");
const PAPI: [(i32, &str); 7] = [
    (2018, include_str!("../../../../datasets/papi/2018.csv")),
    (2019, include_str!("../../../../datasets/papi/2019.csv")),
    (2020, include_str!("../../../../datasets/papi/2020.csv")),
    (2021, include_str!("../../../../datasets/papi/2021.csv")),
    (2022, include_str!("../../../../datasets/papi/2022.csv")),
    (2023, include_str!("../../../../datasets/papi/2023.csv")),
    (2024, include_str!("../../../../datasets/papi/2024.csv")),
];

/// The header and the province rows of a shipped file.
fn provinces(text: &str) -> String {
    text.lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.contains(",province,") || l.starts_with("province,"))
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

/// The 63 provinces imported and reformed into 34 through the store's API, then PAPI 2018–2024 imported.
async fn setup(app: &TestApp) -> chiso_app::App {
    let sys = Scope::system("test");
    let store = &app.store;
    store.import_units_csv(&sys, &provinces(UNITS_2024)).await.expect("63 provinces");
    let s = store.apply_reform(&sys, &provinces(UNITS_2025), &provinces(MERGERS), "2025-07-01", None).await.expect("reform");
    assert_eq!(s.created, 34, "{}", app.label);
    let set = std::sync::Arc::new(FrameworkSet::builtin().expect("frameworks"));
    let uc = chiso_app::App::new(store.clone(), set.clone());
    let papi = set.get("papi").expect("papi");
    for (year, text) in PAPI {
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
    uc
}

#[tokio::test]
async fn a_new_province_shows_its_predecessors_results_and_a_labelled_derived_series() {
    on_each_app(|app| async move {
        let sys = Scope::system("test");
        let store = &app.store;
        let uc = setup(&app).await;
        let set = FrameworkSet::builtin().expect("frameworks");
        let papi = set.get("papi").expect("papi");
        let c = app.login("xem.x02").await;

        // Rankings of a published year rank the units of that year: the 63 old provinces, names as then.
        let r: serde_json::Value = c.get(app.url("/api/v1/results/papi/2024")).send().await.expect("get").json().await.expect("json");
        let listed = r["ranked"].as_array().map_or(0, Vec::len) + r["not_published"].as_array().map_or(0, Vec::len);
        assert_eq!(listed, 63, "{}: 2024 ranks the 63 provinces of 2024", app.label);
        let names: Vec<&str> = r["ranked"].as_array().expect("ranked").iter().filter_map(|u| u["name"].as_str()).collect();
        assert!(names.contains(&"Hà Nam") && names.contains(&"Nam Định") && names.contains(&"Bình Dương"), "{}: {names:?}", app.label);
        let ranking = uc.results().ranking(&sys, papi, 2024, None).await.expect("ranking");
        let total = |code: &str| ranking.unit(code).and_then(|u| u.total).unwrap_or_else(|| panic!("{code} 2024 total"));
        // The results were stored against the units in force in 2024 (codes are reused: 37 is both).
        let old37 = store.unit_by_code_on(&sys, "37", "2024-12-31").await.expect("old 37");
        let held = store.results_of_units(&sys, "papi", &[old37.id]).await.expect("results");
        assert_eq!(held.get(&old37.id).map(|y| y.len()), Some(7), "{}: old Ninh Bình holds 2018–2024", app.label);

        let page = c.get(app.url("/results/papi/units/37")).send().await.expect("get");
        assert_eq!(page.status(), 200, "{}", app.label);
        let page = page.text().await.expect("body");
        assert!(
            page.contains("Tỉnh Ninh Bình – ") && page.contains("id=\"no-own-results\""),
            "{}: the new province, no results of its own",
            app.label
        );
        let list = &page[page.find("id=\"predecessor-list\"").expect("list")..];
        let list = &list[..list.find("</table>").expect("end")];
        for name in ["Tỉnh Hà Nam", "Tỉnh Nam Định", "Tỉnh Ninh Bình"] {
            assert!(list.contains(name), "{}: predecessor {name}", app.label);
        }
        // The totals table: one row per year 2018–2024, each predecessor's published total, the derived one.
        let table = &page[page.find("id=\"series-papi\"").expect("totals table")..];
        let table = &table[..table.find("</table>").expect("end")];
        for year in 2018..=2024 {
            assert!(table.contains(&format!("<td>{year}</td>")), "{}: year {year} in the totals table", app.label);
        }
        for code in ["35", "36", "37"] {
            let v = vn_number(total(code), 2);
            assert!(table.contains(&format!("/results/papi/2024/units/{code}\">{v}</a>")), "{}: 2024 total of {code} = {v}", app.label);
        }
        let mean = (total("35") + total("36") + total("37")) / 3.0;
        let derived = format!("<em>{}</em>", vn_number(mean, 2));
        let row_2024 = &table[table.find("<td>2024</td>").expect("2024 row")..];
        assert!(row_2024[..row_2024.find("</tr>").expect("row end")].contains(&derived), "{}: derived 2024 = mean {derived}", app.label);
        // Labelled as derived, never as published, with the method stated.
        assert!(table.contains(DERIVED_LABEL_VI), "{}: derived column labelled", app.label);
        assert!(page.contains("id=\"derived-method\"") && page.contains("trung bình cộng không trọng số"), "{}: method", app.label);
        for node in ["series-papi-d1", "series-papi-d8"] {
            assert!(page.contains(&format!("id=\"{node}\"")), "{}: dimension table {node}", app.label);
        }
        assert!(page.contains("/assets/results-continuity.js") && page.contains("\"derived\""), "{}: chart and its data", app.label);
        // The published ranking page shows no derived figure and no new unit.
        let rank_page = c.get(app.url("/results/papi/2024")).send().await.expect("get").text().await.expect("body");
        assert!(!rank_page.contains(DERIVED_LABEL_VI), "{}", app.label);
        // An old province's year page links to the continuity page of its code.
        let old_page = c.get(app.url("/results/papi/2024/units/35")).send().await.expect("get").text().await.expect("body");
        assert!(old_page.contains("Tỉnh Hà Nam") && old_page.contains("/results/papi/units/35"), "{}", app.label);
        // The closed province's own page: its years, and where it went.
        let ha_nam = c.get(app.url("/results/papi/units/35")).send().await.expect("get").text().await.expect("body");
        assert!(ha_nam.contains("id=\"own-years\"") && ha_nam.contains("/results/papi/2018/units/35"), "{}: Hà Nam's own years", app.label);
        assert!(ha_nam.contains("id=\"successor-link\">Tỉnh Ninh Bình</a>"), "{}: where Hà Nam went", app.label);
        assert!(!ha_nam.contains(DERIVED_LABEL_VI), "{}: no derived series for a unit without predecessors", app.label);
    })
    .await;
}

#[tokio::test]
async fn the_continuity_chart_draws_in_a_browser() {
    let Some(browser) = Browser::start().await else { return };
    let app = std::rc::Rc::new(spawn_app(TestDb::sqlite().await.expect("db")).await);
    setup(&app).await;
    browser.goto(&app.url("/results/papi/units/37")).await;
    browser.type_into("#username", "xem.x02").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    assert!(browser.current_url().await.ends_with("/results/papi/units/37"));
    browser.find("#chart-continuity canvas").await;
    let table = browser.text("#series-papi").await;
    assert!(table.contains("Tỉnh Hà Nam") && table.contains(DERIVED_LABEL_VI), "{table}");
    browser.assert_no_csp_violation("/results/papi/units/37").await;
    browser.screenshot("results-continuity").await;
    browser.quit().await;
    match std::rc::Rc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("app still shared"),
    }
}
