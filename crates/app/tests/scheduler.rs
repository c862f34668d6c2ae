//! The reminder scheduler across processes: two schedulers on one database (two pools on one PostgreSQL
//! database, as two `chiso serve` processes have; the same file on SQLite) run one cycle once — one of them
//! claims it in `scheduler_run` and creates the notifications, the other skips it — and the next cycle is
//! claimed afresh.

use chiso_app::reminders::{CycleRun, cycle_key, remind_cycle};
use chiso_app::{App, Clock};
use chiso_core::access::{Role, Scope};
use chiso_core::framework::FrameworkSet;
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_store::Store;
use chiso_store::accounts::NewUser;
use chiso_store::testing::TestDb;
use std::sync::Arc;
use std::time::Duration;
use time::macros::date;

async fn seed(store: &Store) {
    let sys = Scope::system("t");
    let tree = "code,name,level,parent_code,valid_from,valid_to\n14,Tỉnh Sơn La,province,,2000-01-01,\n\
                123,Huyện Mộc Châu,district,14,2000-01-01,\n";
    store.import_units_csv(&sys, tree).await.expect("tree");
    let user = |name: &str| NewUser {
        username: name.into(),
        full_name: format!("Chuyên viên {name}"),
        password: "mat-khau-test".into(),
        role: Role::Specialist,
        unit_code: Some("123".into()),
        agency_id: None,
    };
    store.create_user(&sys, user("nv.a")).await.expect("user a");
    store.create_user(&sys, user("nv.b")).await.expect("user b");
    let task = |code: &str, due: time::Date| TaskDraft {
        code: code.into(),
        text: format!("Nhiệm vụ {code}"),
        nodes: vec!["papi.d1.s1".into()],
        due_date: Some(due),
        ..Default::default()
    };
    let draft = PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: 2022,
        year_to: None,
        families: vec!["PAPI".into()],
        number: Some("1/KH-UBND".into()),
        place: None,
        issued_on: Some(date!(2022 - 01 - 10)),
        title: "Kế hoạch thử".into(),
        status: PlanStatus::Issued,
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks: vec![task("1", date!(2022 - 06 - 05)), task("2", date!(2022 - 05 - 20))],
    };
    store.create_plan(&sys, "123", &draft, None, None).await.expect("plan");
}

async fn notifications(store: &Store) -> i64 {
    let sys = Scope::system("t");
    let mut n = 0;
    for name in ["nv.a", "nv.b"] {
        let u = store.user_by_username(name).await.expect("user").expect("exists");
        let scope = Scope { user_id: Some(u.id), ..sys.clone() };
        n += store.my_notifications(&scope, 1000).await.expect("list").len() as i64;
    }
    n
}

#[tokio::test]
async fn two_schedulers_on_one_database_run_a_cycle_once() {
    let fw = Arc::new(FrameworkSet::builtin().expect("frameworks"));
    let every = Duration::from_secs(15 * 60);
    let file = std::env::temp_dir().join(format!("chiso-sched-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let mut dbs: Vec<(&str, Store, Store, Option<TestDb>)> = Vec::new();
    // SQLite: two stores on one database file, as two processes would open it.
    let url = format!("sqlite://{}", file.display());
    let a = Store::connect(&url).await.expect("sqlite a");
    let b = Store::connect(&url).await.expect("sqlite b");
    dbs.push(("sqlite", a, b, None));
    if let Some(pg) = TestDb::postgres().await.expect("pg") {
        let second = Store::connect(&pg.url().expect("url")).await.expect("second pool");
        dbs.push(("postgres", pg.store.clone(), second, Some(pg)));
    }
    for (label, a, b, db) in dbs {
        seed(&a).await;
        let on = |store: &Store, day| App::new(store.clone(), fw.clone()).with_clock(Clock::fixed_on(day));
        let (pa, pb) = (on(&a, date!(2022 - 06 - 01)), on(&b, date!(2022 - 06 - 01)));
        assert_eq!(cycle_key(pa.now_ms(), every), cycle_key(pb.now_ms(), every), "same clock, same cycle");
        let (ra, rb) = tokio::join!(remind_cycle(&pa, "host-a:1", every), remind_cycle(&pb, "host-b:2", every));
        let runs = [ra.expect("a"), rb.expect("b")];
        let ran: Vec<usize> = runs.iter().filter_map(|r| if let CycleRun::Ran(n) = r { Some(*n) } else { None }).collect();
        assert_eq!(ran.len(), 1, "{label}: exactly one scheduler ran the cycle: {runs:?}");
        assert!(runs.contains(&CycleRun::Skipped), "{label}: the other skipped it: {runs:?}");
        // Two tasks (one due soon, one overdue) × two specialists: one set of four notifications.
        assert_eq!(ran[0], 4, "{label}: one set of notifications");
        assert_eq!(notifications(&a).await, 4, "{label}: stored once");
        // The same cycle again (a later tick inside it) is skipped by both.
        assert_eq!(remind_cycle(&pa, "host-a:1", every).await.expect("again"), CycleRun::Skipped, "{label}");
        // The next day is another cycle: claimed again by one process; the keyed notifications add nothing new
        // for the overdue task already notified, but the cycle runs.
        let next = on(&b, date!(2022 - 06 - 02));
        assert!(matches!(remind_cycle(&next, "host-b:2", every).await.expect("next"), CycleRun::Ran(_)), "{label}: next cycle runs");
        a.close().await;
        b.close().await;
        if let Some(db) = db {
            db.cleanup().await;
        }
    }
    let _ = std::fs::remove_file(&file);
}
