use super::*;
use chiso_core::progress::{TaskCounts, TaskStatus};
use chiso_store::StoreError;
use chiso_store::bulk::{BulkAgency, BulkEvidence, BulkPlan, BulkReport, BulkTask, BulkUpdate, BulkUser};
use time::macros::date;

fn update(status: TaskStatus, percent: u8, day: time::Date, evidence: Option<BulkEvidence>) -> BulkUpdate {
    BulkUpdate {
        agency_id: None,
        status,
        percent: Some(percent),
        completed_on: (status == TaskStatus::Done).then_some(day),
        narrative: "Thử tải".into(),
        created_by: "bulk".into(),
        created_at: chiso_store::progress::end_of_day_ms(day) - 12 * 3_600_000,
        evidence,
    }
}

/// Bulk-loaded plans read back through the ordinary scoped API exactly as if they had been entered one by
/// one: tasks with their statuses, the cascade link, updates with evidence, reports, accounts that can log in;
/// ids continue after the batch (PostgreSQL sequences moved) and only the system scope may bulk-load.
#[tokio::test]
async fn bulk_batch_reads_back_through_the_scoped_api() {
    on_each_backend(|store, label| async move {
        let dir = std::env::temp_dir().join(format!("chiso-bulk-{}-{}", std::process::id(), chiso_store::now_ms()));
        let store = store.with_files_dir(dir.clone());
        load_tree(&store).await;
        let sys = Scope::system("t");
        let d = store.unit_by_code(&sys, "123").await.expect("unit");
        let c = store.unit_by_code(&sys, "X01").await.expect("unit");
        let agencies = store
            .bulk_agencies(&sys, &[BulkAgency { unit_id: d.id, name: "Phòng Nội vụ".into(), kind: "office".into() }])
            .await
            .expect("agencies");
        assert_eq!(agencies.len(), 1, "{label}");
        let nv = agencies[0].id;
        let again = store
            .bulk_agencies(&sys, &[BulkAgency { unit_id: d.id, name: "Phòng Nội vụ".into(), kind: "office".into() }])
            .await
            .expect("agencies again");
        assert_eq!(again.len(), 1, "{label}: an existing agency is kept, not doubled");
        let users =
            [BulkUser { username: "nv.123".into(), full_name: "NV".into(), role: Role::Specialist, unit_id: d.id, agency_id: Some(nv) }];
        assert_eq!(store.bulk_users(&sys, &users, "chiso-demo").await.expect("users"), 1, "{label}");
        assert_eq!(store.bulk_users(&sys, &users, "chiso-demo").await.expect("users again"), 0, "{label}");
        let sha = store.bulk_store_file(&sys, b"%PDF-1.4 test").expect("file");
        let ev = BulkEvidence { file_name: "a.pdf".into(), mime: "application/pdf".into(), size: 13, sha256: sha };
        let t1 = BulkTask {
            code: "1".into(),
            text: "Công khai hộ nghèo".into(),
            lead: Some((nv, "Phòng Nội vụ".into())),
            due_date: Some(date!(2026 - 06 - 30)),
            nodes: vec!["papi.d2".into()],
            source: None,
            updates: vec![
                update(TaskStatus::InProgress, 50, date!(2026 - 03 - 01), None),
                update(TaskStatus::Done, 100, date!(2026 - 05 - 01), Some(ev.clone())),
            ],
        };
        let t2 = BulkTask {
            code: "2".into(),
            text: "Một cửa".into(),
            lead: None,
            due_date: Some(date!(2026 - 03 - 31)),
            nodes: vec!["papi.d5".into()],
            source: None,
            updates: vec![],
        };
        let mut child = t1.clone();
        child.source = Some((0, 0));
        child.lead = None;
        child.updates = vec![update(TaskStatus::InProgress, 30, date!(2026 - 04 - 01), None)];
        let plans = vec![
            BulkPlan {
                unit_id: d.id,
                year: 2026,
                number: "1/KH".into(),
                issued_on: date!(2026 - 01 - 20),
                title: "KH huyện (dữ liệu thử tải)".into(),
                parent: None,
                child_deadline: None,
                tasks: vec![t1, t2],
            },
            BulkPlan {
                unit_id: c.id,
                year: 2026,
                number: "2/KH".into(),
                issued_on: date!(2026 - 02 - 01),
                title: "KH xã (dữ liệu thử tải)".into(),
                parent: Some(0),
                child_deadline: None,
                tasks: vec![child],
            },
        ];
        let reports = vec![BulkReport {
            unit_id: c.id,
            agency_id: None,
            period: "2026-Q1".into(),
            window: (date!(2025 - 12 - 15), date!(2026 - 03 - 14)),
            due: date!(2026 - 03 - 20),
            narrative: "Báo cáo".into(),
            summary: TaskCounts::default(),
            submitted_at: chiso_store::progress::end_of_day_ms(date!(2026 - 03 - 18)) - 3_600_000,
            submitted_by: "vp".into(),
        }];
        let counts = store.bulk_plans(&sys, &plans, &reports, date!(2026 - 07 - 01)).await.expect("bulk plans");
        assert_eq!((counts.plans, counts.tasks, counts.updates, counts.evidence, counts.reports), (2, 3, 3, 1, 1), "{label}");
        store.bulk_finish(&sys).await.expect("finish");

        let p = store.plans(&sys, &chiso_store::plans::PlanFilter::default()).await.expect("plans");
        let district_plan = p.iter().find(|x| x.plan.unit_id == d.id).expect("district plan");
        assert_eq!(district_plan.task_count, 2, "{label}");
        let tasks = store.tasks(&sys, district_plan.plan.id).await.expect("tasks");
        assert_eq!(tasks[0].row.status, "done", "{label}: the stored status is the one the last update leaves");
        assert_eq!(tasks[0].row.version, 3, "{label}: one version per update");
        assert_eq!(tasks[1].row.status, "overdue", "{label}");
        let ups = store.task_updates(&sys, tasks[0].row.id).await.expect("updates");
        assert_eq!(ups.len(), 2, "{label}");
        let ev_id = ups.iter().flat_map(|u| u.evidence.iter()).next().expect("evidence row").id;
        assert_eq!(store.evidence_file(&sys, ev_id).await.expect("file").1, b"%PDF-1.4 test", "{label}");
        let commune_plan = p.iter().find(|x| x.plan.unit_id == c.id).expect("commune plan");
        assert_eq!(commune_plan.plan.parent_plan_id, Some(district_plan.plan.id), "{label}");
        let ct = store.tasks(&sys, commune_plan.plan.id).await.expect("tasks");
        assert_eq!(ct[0].row.source_task_id, Some(tasks[0].row.id), "{label}");
        let r = store.report_of(&sys, &c, None, "2026-Q1").await.expect("report").expect("submitted");
        assert_eq!(r.due_date, "2026-03-20", "{label}");
        assert!(store.user_by_username("nv.123").await.expect("user").is_some(), "{label}");
        // Ids continue after the batch: an ordinary plan gets a fresh id.
        let next = store
            .create_plan(&sys, "124", &crate::plans::draft("KH khác", vec![crate::plans::task("1", "Việc khác", &[], None)]), None, None)
            .await
            .expect("plan after bulk");
        assert!(next.id > commune_plan.plan.id, "{label}");
        // Only the system scope bulk-loads.
        let someone = scope_of(&store, "123", Role::Admin).await;
        assert!(matches!(store.bulk_plans(&someone, &plans, &[], date!(2026 - 07 - 01)).await, Err(StoreError::Forbidden(_))), "{label}");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
