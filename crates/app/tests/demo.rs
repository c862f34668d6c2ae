//! The demo invents nothing (issue 10) and its units carry their official codes (issue 11), on SQLite and on
//! PostgreSQL when `CHISO_TEST_PG` is set.

use chiso_app::demo::{self, PlanOwners};
use chiso_app::{App, Clock};
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_store::plans::PlanFilter;
use chiso_store::testing::TestDb;
use std::collections::HashMap;
use std::sync::Arc;

const OFFICIAL: &str = include_str!("../../../datasets/units/units-2024.csv");
const DEMO_UNITS: &str = include_str!("../../../datasets/demo/units.csv");

#[test]
fn every_demo_unit_is_in_the_official_list_under_the_same_parent() {
    // code → (name, parent) of the tree before the 2025 reform.
    let official: HashMap<&str, (&str, &str)> = OFFICIAL
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.len() >= 4 && !f[0].is_empty()).then(|| (f[0], (f[1], f[3])))
        })
        .collect();
    // The list is a mid-2025 snapshot; the demo (2021–2024) keeps the names these two had before early 2025.
    let renamed_in_2025 = [("46", "Tỉnh Thừa Thiên Huế", "Thành phố Huế"), ("123", "Huyện Mộc Châu", "Thị xã Mộc Châu")];
    let mut n = 0;
    for line in DEMO_UNITS.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (code, name, parent) = (f[0], f[1], f[3]);
        let Some((official_name, official_parent)) = official.get(code) else { panic!("{code} {name} is not in units-2024.csv") };
        assert_eq!(parent, *official_parent, "{code} {name}: parent");
        match renamed_in_2025.iter().find(|(c, _, _)| *c == code) {
            Some((_, before, after)) => assert_eq!((name, *official_name), (*before, *after), "{code}"),
            None => assert_eq!(name, *official_name, "{code}: the list's name"),
        }
        n += 1;
    }
    assert_eq!(n, 63 + 4 + 26, "63 provinces, 4 districts, 26 communes");
}

#[tokio::test]
async fn the_demo_uses_only_owners_the_documents_name_and_updates_only_owned_tasks() {
    for db in TestDb::all().await.expect("test database") {
        let label = db.label;
        let files = std::env::temp_dir().join(format!("chiso-demo-test-{label}-{}", std::process::id()));
        let app = App::new(db.store.clone().with_files_dir(files.clone()), Arc::new(FrameworkSet::builtin().expect("frameworks")))
            .with_clock(Clock::fixed_on(time::macros::date!(2024 - 10 - 15)));
        let first = demo::load(&app).await.expect("demo");
        let moc_chau = first.owners.iter().find(|o| o.plan == "426/KH-UBND").expect("the Mộc Châu plan").clone();
        // 10 duties of its implementation section name their agency; 9 resolve to an agency or a group and are
        // confirmed by nv.mocchau, "Tòa án nhân huyện" (no such agency) waits; the 35 solution tasks have none.
        let want = PlanOwners {
            unit: "Huyện Mộc Châu".into(),
            plan: "426/KH-UBND".into(),
            tasks: 45,
            from_document: 10,
            confirmed_in_review: 9,
            awaiting_review: 1,
            unassigned: 35,
        };
        assert_eq!(moc_chau, want, "{label}");
        assert_eq!(first.owners_confirmed, 9, "{label}");
        assert!(first.to_string().contains("426/KH-UBND (Huyện Mộc Châu): 45 nhiệm vụ; 10 có cơ quan chủ trì do văn bản nêu"), "{label}");
        assert_eq!(first.owners.len(), 5 + 3, "{label}: five seed plans and three commune plans");

        let store = &app.store;
        let sys = Scope::system("t");
        let mut updated = 0;
        for p in store.plans(&sys, &PlanFilter::default()).await.expect("plans") {
            for t in store.tasks(&sys, p.plan.id).await.expect("tasks") {
                let code = &t.row.code;
                if t.row.lead_agency.as_deref().is_some_and(|l| !l.trim().is_empty()) {
                    assert!(t.row.lead_evidence.is_some(), "{label}: {code} has a lead its document does not give");
                }
                if !store.task_updates(&sys, t.row.id).await.expect("updates").is_empty() {
                    assert!(t.has_confirmed_lead(), "{label}: {code} is updated without an owner");
                    updated += 1;
                }
            }
        }
        assert_eq!(updated, 8, "{label}: the owned tasks of 426/KH-UBND, but one in five");
        // Times and results of 426/KH-UBND are exactly what the importer reads from its document.
        let plan = store.plans_by_number(&sys, "426/KH-UBND").await.expect("plan").remove(0);
        let as_read = imported_alone(demo::SEED_PLANS[3]).await;
        let now: Vec<_> = store.tasks(&sys, plan.id).await.expect("tasks").into_iter().map(facts).collect();
        assert_eq!(now, as_read, "{label}: no due date, recurrence or result added");
        let district = store.unit_by_code(&sys, "123").await.expect("Mộc Châu");
        assert!(store.report_of(&sys, &district, None, "2022-H1").await.expect("report").is_some_and(|r| r.submitted_at.is_some()));

        let again = demo::load(&app).await.expect("demo again");
        assert_eq!(
            (again.units_created, again.accounts_created, again.plans_created, again.owners_confirmed, again.progress),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(again.owners, first.owners, "{label}: the same owners on a rerun");
        db.cleanup().await;
        let _ = std::fs::remove_dir_all(&files);
    }
}

type Facts = (String, Option<String>, Option<String>, Option<String>, Option<String>);

fn facts(t: chiso_store::plans::Task) -> Facts {
    (t.row.code, t.row.due_date, t.row.due_text, t.row.recurrence, t.row.expected_result)
}

/// The tasks of one seed plan imported on its own, with nothing else done to them.
async fn imported_alone((unit, name, bytes): (&str, &str, &[u8])) -> Vec<Facts> {
    let store = chiso_store::Store::connect("sqlite::memory:").await.expect("store");
    let sys = Scope::system("t");
    store.import_units_csv(&sys, DEMO_UNITS).await.expect("units");
    let app = App::new(store.clone(), Arc::new(FrameworkSet::builtin().expect("frameworks")));
    let plan = chiso_app::plans::import_document(&app, &sys, unit, bytes, name, Some(2023)).await.expect("import");
    store.tasks(&sys, plan.id).await.expect("tasks").into_iter().map(facts).collect()
}
