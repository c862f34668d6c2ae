use super::*;
use chiso_app::results::{ImportError, ImportRequest, Mapping, RankTable, WeakError};
use chiso_core::framework::{Framework, FrameworkSet};
use chiso_core::results::ResultsFormat;
use chiso_core::results::{parse_unit_mapping, round_to};
use chiso_core::weakness::TaskGroup;
use chiso_store::StoreError;
use chiso_store::results::ResultsImportSummary;
use std::collections::BTreeMap;

pub const UNITS: &str = include_str!("../../../../datasets/demo/units.csv");
const MAPPING: &str = include_str!("../../../../datasets/papi/province-units.csv");
const Y2022: &str = include_str!("../../../../datasets/papi/2022.csv");
const Y2023: &str = include_str!("../../../../datasets/papi/2023.csv");
const Y2024: &str = include_str!("../../../../datasets/papi/2024.csv");

pub fn frameworks() -> FrameworkSet {
    FrameworkSet::builtin().expect("frameworks")
}

pub async fn load_units(store: &Store) {
    store.import_units_csv(&Scope::system("test"), UNITS).await.expect("demo units");
}

fn mapping() -> BTreeMap<String, String> {
    parse_unit_mapping(MAPPING).expect("mapping")
}

async fn import(
    store: &Store,
    scope: &Scope,
    fw: &Framework,
    year: i32,
    text: &str,
    map: Option<&BTreeMap<String, String>>,
) -> Result<ResultsImportSummary, ImportError> {
    // The mapping as the file a person would upload.
    let map_text = map.map(|m| m.iter().fold("papi_code,unit_code\n".to_string(), |acc, (k, v)| format!("{acc}{k},{v}\n")));
    let req = ImportRequest {
        framework: fw,
        year,
        text,
        format: ResultsFormat::Wide,
        mapping: match &map_text {
            Some(t) => Mapping::File { name: "map.csv", text: t },
            None => Mapping::None,
        },
        source: &format!("{year}.csv"),
        confirm_removal: false,
    };
    app_of(store).results().import(scope, req).await
}

/// Import PAPI 2022–2024 with the shipped mapping.
pub async fn load_papi(store: &Store) {
    let set = frameworks();
    let papi = set.get("papi").expect("papi");
    let map = mapping();
    for (y, text) in [(2022, Y2022), (2023, Y2023), (2024, Y2024)] {
        import(store, &Scope::system("test"), papi, y, text, Some(&map)).await.unwrap_or_else(|e| panic!("{y}: {e}"));
    }
}

fn names(list: &[chiso_store::results::UnitName]) -> Vec<(&str, &str)> {
    list.iter().map(|u| (u.unit.as_str(), u.name.as_str())).collect()
}

#[tokio::test]
async fn papi_ranks_and_totals_match_the_published_facts() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        let sys = Scope::system("test");
        let s = import(&store, &sys, papi, 2023, Y2023, Some(&mapping())).await.expect("2023");
        assert_eq!((s.published, s.not_published, s.scores, s.replaced), (61, 2, 61 * 28, false), "{label}");
        load_papi(&store).await;

        // 2024: Quảng Ninh first with 47.82, compared with 2022 (it was not published in 2023).
        let t = app.results().rank_table(&sys, papi, 2024).await.expect("2024");
        let qn = &t.ranked[0];
        assert_eq!((qn.unit.as_str(), qn.name.as_str(), qn.rank), ("22", "Quảng Ninh", Some(1)), "{label}");
        assert_eq!(round_to(qn.total.expect("total"), 2), 47.82);
        assert_eq!((qn.previous_rank, qn.rank_change), (Some(1), Some(0)), "{label}: first in 2022 too");
        assert_eq!(qn.dimensions.len(), 8);
        assert_eq!(round_to(qn.dimensions["papi.d1"], 2), 5.87);
        let dsum: f64 = qn.dimensions.values().sum();
        assert!((dsum - qn.total.expect("total")).abs() < 1e-9, "total = sum of the 8 dimensions");
        assert_eq!(t.ranked.len(), 61);
        assert_eq!(names(&t.not_published), [("26", "Vĩnh Phúc"), ("82", "Tiền Giang")], "{label}");
        // Hà Nội's name without "Thành phố"; its change of rank is previous − current.
        let hn = t.ranked.iter().find(|r| r.unit == "01").expect("Hà Nội");
        assert_eq!(hn.name, "Hà Nội");
        assert_eq!((hn.rank, hn.previous_rank, hn.rank_change), (Some(29), Some(15), Some(-14)), "{label}");

        // 2023: Thừa Thiên Huế first with 46.0415; Quảng Ninh and Bình Dương not published.
        let t = app.results().rank_table(&sys, papi, 2023).await.expect("2023");
        assert_eq!((t.ranked[0].unit.as_str(), t.ranked[0].name.as_str()), ("46", "Thừa Thiên Huế"), "{label}");
        assert_eq!(round_to(t.ranked[0].total.expect("total"), 4), 46.0415);
        assert_eq!(names(&t.not_published), [("22", "Quảng Ninh"), ("74", "Bình Dương")], "{label}");
        let hn = t.ranked.iter().find(|r| r.unit == "01").expect("Hà Nội");
        assert_eq!((hn.rank, round_to(hn.total.expect("total"), 4)), (Some(15), 43.9603));

        // The JSON shape of `chiso results rank --json` and the API.
        let v = serde_json::to_value(&t).expect("json");
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&v), ["framework", "not_published", "ranked", "year"]);
        assert_eq!(keys(&v["ranked"][0]), ["dimensions", "name", "previous_rank", "rank", "rank_change", "total", "unit"]);
        assert_eq!(keys(&v["not_published"][0]), ["name", "unit"]);
        assert_eq!(v["framework"], "papi");
        assert_eq!(v["year"], 2023);

        // Years, with their counts; stored scores keep "not published" apart from zero.
        let years = store.result_years(&sys, "papi").await.expect("years");
        let y: Vec<(i32, i64, i64)> = years.iter().map(|y| (y.year, y.published, y.not_published)).collect();
        assert_eq!(y, [(2024, 61, 2), (2023, 61, 2), (2022, 63, 0)], "{label}");
        let stored = store.year_scores(&sys, "papi", 2023).await.expect("read").expect("2023 stored");
        assert!(stored.scores.not_published.contains("22") && !stored.scores.units.contains_key("22"));
        assert!(stored.scores.units["01"].values().all(|v| *v > 0.0));
        assert!(!stored.scores.units["01"].contains_key("papi.d5.s2"), "5.2 is not part of 2023");
        assert!(store.year_scores(&sys, "papi", 2019).await.expect("read").is_none());
    })
    .await;
}

#[tokio::test]
async fn reimport_replaces_the_year_and_is_audited() {
    on_each_backend(|store, label| async move {
        load_units(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        let sys = Scope::system("test");
        let map = mapping();
        import(&store, &sys, papi, 2023, Y2023, Some(&map)).await.expect("2023");
        let first = store.audit_of(&sys, "results", "papi/2023").await.expect("audit");
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].action, "import");
        // The same file again: nothing written, nothing audited.
        let again = import(&store, &sys, papi, 2023, Y2023, Some(&map)).await.expect("again");
        assert!(again.unchanged && again.replaced, "{label}");
        assert_eq!(store.audit_of(&sys, "results", "papi/2023").await.expect("audit").len(), 1);

        // A corrected file: Hà Nội's SC11 changes and Quảng Ninh is now published.
        let hn_row = Y2023.lines().find(|l| l.starts_with("P01,")).expect("P01");
        let hn_fixed = {
            let mut cells: Vec<&str> = hn_row.split(',').collect();
            cells[1] = "1.5";
            cells.join(",")
        };
        let qn_row = Y2023.lines().find(|l| l.starts_with("P14,")).expect("P14");
        let qn_published = Y2023.lines().find(|l| l.starts_with("P15,")).expect("P15").replacen("P15", "P14", 1);
        let fixed = Y2023.replacen(hn_row, &hn_fixed, 1).replacen(qn_row, &qn_published, 1);
        let s = import(&store, &sys, papi, 2023, &fixed, Some(&map)).await.expect("re-import");
        assert!(s.replaced && !s.unchanged, "{label}");
        assert_eq!((s.published, s.not_published, s.changed_units), (62, 1, 2), "{label}");
        let stored = store.year_scores(&sys, "papi", 2023).await.expect("read").expect("stored");
        assert_eq!(stored.scores.units["01"]["papi.d1.s1"], 1.5);
        assert!(stored.scores.units.contains_key("22"));

        let log = store.audit_of(&sys, "results", "papi/2023").await.expect("audit");
        assert_eq!(log[0].action, "reimport", "{label}");
        assert!(log[0].old_value.as_deref().is_some_and(|v| v.contains("61")), "{:?}", log[0].old_value);
        let hn = store.audit_of(&sys, "result", "papi/2023/01").await.expect("audit");
        assert_eq!(hn[0].action, "update");
        assert_eq!(hn[0].old_value.as_deref(), Some("43.9603"));
        let new_total: f64 = hn[0].new_value.as_deref().and_then(|v| v.parse().ok()).expect("new total");
        assert!((new_total - (43.9603 - 1.3239 + 1.5)).abs() < 2e-4, "{label}: {new_total}");
        let qn = store.audit_of(&sys, "result", "papi/2023/22").await.expect("audit");
        assert_eq!(qn[0].old_value.as_deref(), Some("không công bố"));
        // The province's own audit shows its change too.
        let unit = store.unit_by_code(&sys, "01").await.expect("unit");
        let hanoi = scope_of(&store, "01", Role::Viewer).await;
        let recent = store.audit_recent(&hanoi, 50).await.expect("recent");
        assert!(recent.iter().any(|e| e.entity == "result" && e.unit_id == Some(unit.id)), "{label}");
    })
    .await;
}

#[tokio::test]
async fn a_bad_file_stores_nothing_and_names_line_and_column() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        let sys = Scope::system("test");
        let map = mapping();
        import(&store, &sys, papi, 2023, Y2023, Some(&map)).await.expect("good 2023");
        let before: RankTable = app.results().rank_table(&sys, papi, 2023).await.expect("ranking");
        let audit_before = store.audit_recent(&sys, 1000).await.expect("audit").len();

        let row = |n: usize| Y2023.lines().nth(n).expect("row").to_string();
        let set_cell = |text: &str, line: usize, col: usize, value: &str| -> String {
            let old = text.lines().nth(line - 1).expect("line").to_string();
            let mut cells: Vec<&str> = old.split(',').collect();
            cells[col - 1] = value;
            text.replacen(&old, &cells.join(","), 1)
        };
        // (file, expected line, expected column, words the message must contain)
        let cases: Vec<(String, u64, Option<usize>, &str)> = vec![
            (Y2023.replacen(&row(5), &row(5).replacen("P05", "P99", 1), 1), 6, Some(1), "P99"),
            (Y2023.replacen("SC12", "SC19", 1), 1, Some(3), "SC19"),
            (set_cell(Y2023, 2, 3, "abc"), 2, Some(3), "abc"),
            (set_cell(Y2023, 4, 2, "2.6"), 4, Some(2), "2,5"),
            (set_cell(Y2023, 3, 5, "-1"), 3, Some(5), "-1"),
        ];
        for (text, line, column, words) in cases {
            match import(&store, &sys, papi, 2023, &text, Some(&map)).await {
                Err(ImportError::File(e)) => {
                    let p = &e.problems[0];
                    assert_eq!((p.line, p.column), (line, column), "{label}: {e}");
                    assert!(e.to_string().contains(words), "{label}: {e}");
                }
                other => panic!("{label}: expected a refused file, got {other:?}"),
            }
        }
        // A mapping onto a unit the system does not have.
        let mut bad_map = map.clone();
        bad_map.insert("P03".into(), "XX".into());
        match import(&store, &sys, papi, 2023, Y2023, Some(&bad_map)).await {
            Err(ImportError::File(e)) => {
                assert_eq!((e.problems[0].line, e.problems[0].column), (4, Some(1)), "{label}: {e}");
                assert!(e.to_string().contains("XX"));
            }
            other => panic!("{label}: {other:?}"),
        }
        // Without a mapping, the file's codes must be unit codes: every row is named.
        match import(&store, &sys, papi, 2023, Y2023, None).await {
            Err(ImportError::File(e)) => assert_eq!(e.problems.len() + e.more, 63, "{label}"),
            other => panic!("{label}: {other:?}"),
        }
        // Nothing changed: same ranking, no audit entry.
        assert_eq!(app.results().rank_table(&sys, papi, 2023).await.expect("ranking"), before, "{label}");
        assert_eq!(store.audit_recent(&sys, 1000).await.expect("audit").len(), audit_before, "{label}");
        // A bad first import of a year leaves no year behind.
        let bad = Y2022.replacen("SC11", "SC10", 1);
        assert!(import(&store, &sys, papi, 2022, &bad, Some(&map)).await.is_err());
        assert!(store.year_scores(&sys, "papi", 2022).await.expect("read").is_none(), "{label}");
    })
    .await;
}

#[tokio::test]
async fn long_format_gives_the_same_results() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        let sys = Scope::system("test");
        load_papi(&store).await;
        let wide = store.year_scores(&sys, "papi", 2023).await.expect("read").expect("stored");
        let mut long = String::from("unit,node,score\n");
        for (unit, leaves) in &wide.scores.units {
            for (node, v) in leaves {
                long.push_str(&format!("{unit},{node},{v}\n"));
            }
        }
        for unit in &wide.scores.not_published {
            long.push_str(&format!("{unit},papi.d1.s1,\n"));
        }
        let before = app.results().rank_table(&sys, papi, 2023).await.expect("ranking");
        let req = ImportRequest {
            framework: papi,
            year: 2023,
            text: &long,
            format: ResultsFormat::Long,
            mapping: Mapping::None,
            source: "long.csv",
            confirm_removal: false,
        };
        let s = app.results().import(&sys, req).await.expect("long import");
        assert!(s.unchanged, "{label}: the same data in the long format changes nothing");
        assert_eq!(app.results().rank_table(&sys, papi, 2023).await.expect("ranking"), before);
        let bad = format!("{long}01,papi.d9.s1,1\n");
        let req = ImportRequest {
            framework: papi,
            year: 2023,
            text: &bad,
            format: ResultsFormat::Long,
            mapping: Mapping::None,
            source: "bad.csv",
            confirm_removal: false,
        };
        match app.results().import(&sys, req).await {
            Err(ImportError::File(e)) => assert_eq!(e.problems[0].column, Some(2), "{label}: {e}"),
            other => panic!("{label}: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn published_results_are_public_but_importing_is_scoped() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        load_papi(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        // A commune's viewer reads the national ranking (public information).
        let commune = scope_of(&store, "08973", Role::Viewer).await;
        let t = app.results().rank_table(&commune, papi, 2024).await.expect("public ranking");
        assert_eq!(t.ranked[0].unit, "22", "{label}");
        let w = app.results().weak_report(&commune, papi, "22", 2024).await.expect("another province's weak points are public too");
        assert_eq!(w.name, "Tỉnh Quảng Ninh");
        // …but cannot import.
        let r = import(&store, &commune, papi, 2024, Y2024, Some(&mapping())).await;
        assert!(matches!(r, Err(ImportError::Store(StoreError::Forbidden(_)))), "{label}: {r:?}");
        // Issue 13 item 1: official results are national data. A province specialist may not claim a
        // year nobody imported yet with only its own row, nor replace a stored year; neither may an
        // administrator whose reach is one province.
        let own_row = Y2024.lines().find(|l| l.starts_with("P09,")).expect("Sơn La is P09");
        let own = format!("{}\n{own_row}\n", Y2024.lines().next().expect("header"));
        for role in [Role::Specialist, Role::Admin] {
            let sonla = scope_of(&store, "14", role).await;
            for (year, text) in [(2025, own.as_str()), (2024, own.as_str()), (2024, Y2024)] {
                match import(&store, &sonla, papi, year, text, Some(&mapping())).await {
                    Err(ImportError::Store(StoreError::Forbidden(m))) => assert!(m.contains("toàn quốc"), "{label}: {m}"),
                    other => panic!("{label}: {role:?} {year}: {other:?}"),
                }
            }
        }
        assert!(store.result_years(&commune, "papi").await.expect("years").iter().all(|y| y.year != 2025), "{label}");
    })
    .await;
}

#[tokio::test]
async fn weak_points_of_ha_noi_and_the_plan_outline() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        load_papi(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        let sys = Scope::system("test");
        let w = app.results().next_plan_outline(&sys, papi, "01", 2024).await.expect("Hà Nội 2024");
        assert_eq!((w.basis, w.name.as_str(), w.year), ("official", "Thành phố Hà Nội", 2024), "{label}");
        assert_eq!(w.items.len(), 8 + 28);
        assert!(w.items.windows(2).all(|p| p[0].points_lost >= p[1].points_lost), "most points lost first");
        // Points lost against the national mean of the stored data.
        let ranking = app.results().ranking(&sys, papi, 2024, None).await.expect("ranking");
        for i in &w.items {
            let st = &ranking.stats[&i.code];
            assert!((i.points_lost - (st.mean - i.score)).abs() < 1e-9, "{}", i.code);
        }
        assert_eq!(w.groups.keep.len() + w.groups.improve.len(), 28);
        assert!(w.groups.survey.is_empty(), "PAPI: keep (at or above the mean) or improve");
        let d = w.items.iter().find(|i| i.code == "papi.d1").expect("d1");
        let hn = ranking.unit("01").expect("Hà Nội");
        assert_eq!(d.rank_change, hn.nodes["papi.d1"].rank_change);
        // The outline: 8 sections, weakest dimension first, leaves with their group.
        assert_eq!(w.plan.plan_year, 2025);
        assert_eq!(w.plan.sections.len(), 8);
        let first_dim = w.items.iter().find(|i| i.depth == 1).expect("dimension");
        assert_eq!(w.plan.sections[0].code, first_dim.code, "{label}");
        let improve: Vec<&str> = w.plan.group(TaskGroup::Improve);
        assert_eq!(improve.len(), w.groups.improve.len());
        // Quảng Ninh 2023 was not published: no weak points, said so.
        match app.results().weak_report(&sys, papi, "22", 2023).await {
            Err(WeakError::NoScores(m)) => assert!(m.contains("Quảng Ninh"), "{m}"),
            other => panic!("{label}: {other:?}"),
        }
    })
    .await;
}

/// Issue 13 item 2: a file with only its header deleted a stored year (exit 0, "63 đơn vị thay đổi").
/// Now it is refused, and an import that would remove published units says how many and needs an
/// explicit confirmation.
#[tokio::test]
async fn removing_published_results_needs_a_confirmation_and_an_empty_file_is_refused() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let papi = set.get("papi").expect("papi");
        let sys = Scope::system("test");
        let map = mapping();
        import(&store, &sys, papi, 2024, Y2024, Some(&map)).await.expect("2024");
        let header = format!("{}\n", Y2024.lines().next().expect("header"));
        match import(&store, &sys, papi, 2024, &header, Some(&map)).await {
            Err(ImportError::File(e)) => assert!(e.to_string().contains("chỉ có dòng tiêu đề"), "{label}: {e}"),
            other => panic!("{label}: {other:?}"),
        }
        // Without two provinces' rows: refused, naming how many.
        let fewer: String = Y2024.lines().filter(|l| !l.starts_with("P01,") && !l.starts_with("P14,")).map(|l| format!("{l}\n")).collect();
        match import(&store, &sys, papi, 2024, &fewer, Some(&map)).await {
            Err(e @ ImportError::RemovalNotConfirmed(_)) => {
                let ImportError::RemovalNotConfirmed(units) = &e else { unreachable!() };
                assert_eq!(units.len(), 2, "{label}");
                assert!(e.to_string().contains("2 đơn vị") && e.to_string().contains("Hà Nội"), "{label}: {e}");
            }
            other => panic!("{label}: {other:?}"),
        }
        let stored = store.year_scores(&sys, "papi", 2024).await.expect("read").expect("stored");
        assert_eq!(stored.scores.units.len() + stored.scores.not_published.len(), 63, "{label}: nothing removed");
        // Confirmed: the two units go, and the audit says so.
        let req = ImportRequest {
            framework: papi,
            year: 2024,
            text: &fewer,
            format: ResultsFormat::Wide,
            mapping: Mapping::Default,
            source: "fewer.csv",
            confirm_removal: true,
        };
        let s = app.results().import(&sys, req).await.expect("confirmed");
        assert_eq!(s.changed_units, 2, "{label}");
        let hn = store.audit_of(&sys, "result", "papi/2024/01").await.expect("audit");
        assert_eq!(hn[0].action, "delete", "{label}");
    })
    .await;
}
