use super::*;
use crate::plans::{draft, task};
use chiso_core::progress::{ReportState, TaskCounts, TaskStatus};
use chiso_store::StoreError;
use chiso_store::progress::{NewEvidence, NewReport, NewUpdate};
use time::macros::date;

fn update(status: TaskStatus, narrative: &str, files: Vec<NewEvidence>) -> NewUpdate {
    NewUpdate { status, percent: None, completed_on: None, reason: None, narrative: narrative.into(), files }
}

#[tokio::test]
async fn updates_with_evidence_conflicts_returns_and_reports() {
    on_each_backend(|store, label| async move {
        let dir = std::env::temp_dir().join(format!("chiso-ev-{}-{}", std::process::id(), chiso_store::now_ms()));
        let store = store.with_files_dir(dir.clone());
        load_tree(&store).await;
        let sys = Scope::system("t");
        let d = store.unit_by_code(&sys, "123").await.expect("unit");
        let vh = store.ensure_agency(&sys, d.id, "Phòng Văn hóa và Thông tin", "office").await.expect("agency");
        store.ensure_agency(&sys, d.id, "Phòng Nội vụ", "office").await.expect("agency");
        let mut t2 = task("2", "Tuyên truyền Cổng thông tin điện tử", &["papi.d8.s1"], Some("Phòng Văn hóa và Thông tin"));
        t2.due_date = Some(date!(2022 - 05 - 15));
        let plan = store
            .create_plan(
                &sys,
                "123",
                &draft("Kế hoạch PAPI 2022", vec![task("1", "Niêm yết hộ nghèo", &["papi.d2.s2"], Some("Phòng Nội vụ")), t2]),
                None,
                None,
            )
            .await
            .expect("plan");
        let tasks = store.tasks(&sys, plan.id).await.expect("tasks");
        let (t1, t2) = (&tasks[0], &tasks[1]);
        let now = chiso_store::now_ms();
        // Agency staff of Phòng VH-TT may update the task it leads, not the other one.
        let staff = Scope { agency_id: Some(vh.id), ..scope_of(&store, "123", Role::AgencyStaff).await };
        let pdf = NewEvidence { file_name: "bien-ban.pdf".into(), bytes: b"%PDF-1.4 test".to_vec() };
        let up = store
            .record_update_at(
                &staff,
                t2.row.id,
                NewUpdate { percent: Some(60), ..update(TaskStatus::InProgress, "Đã đăng 12 tin bài", vec![pdf]) },
                t2.row.version,
                now,
            )
            .await
            .expect("update");
        assert!(
            matches!(
                store.record_update_at(&staff, t1.row.id, update(TaskStatus::Done, "x", vec![]), t1.row.version, now).await,
                Err(StoreError::Forbidden(_))
            ),
            "{label}"
        );
        // A stale version conflicts, nothing is lost.
        let stale = store.record_update_at(&staff, t2.row.id, update(TaskStatus::Done, "xong", vec![]), t2.row.version, now).await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{label}: second writer gets a conflict");
        // Lying extension and unknown types are refused and store nothing.
        let t2now = store.task(&sys, t2.row.id).await.expect("task");
        let lie = NewEvidence { file_name: "anh.png".into(), bytes: b"%PDF-1.4".to_vec() };
        assert!(matches!(
            store.record_update_at(&staff, t2.row.id, update(TaskStatus::Done, "xong", vec![lie]), t2now.row.version, now).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(store.task_updates(&sys, t2.row.id).await.expect("updates").len(), 1, "{label}: nothing half-stored");
        // Evidence is downloadable in scope only.
        let ups = store.task_updates(&sys, t2.row.id).await.expect("updates");
        let ev = &ups[0].evidence[0];
        assert_eq!(ev.sha256.len(), 64);
        let (_, bytes) = store.evidence_file(&sys, ev.id).await.expect("file");
        assert_eq!(bytes, b"%PDF-1.4 test");
        let commune = scope_of(&store, "X01", Role::Specialist).await;
        assert!(store.evidence_file(&commune, ev.id).await.is_err(), "{label}: not outside the scope");
        // Return for correction: counts as not done.
        let specialist = Scope { actor: "nv.huyen".into(), ..scope_of(&store, "123", Role::Specialist).await };
        assert!(store.return_update(&specialist, up.id, "", now).await.is_err(), "reason required");
        store.return_update(&specialist, up.id, "Thiếu danh sách tin bài", now).await.expect("return");
        let after = store.task(&sys, t2.row.id).await.expect("task");
        assert_ne!(after.row.status, "done");
        assert!(
            store.audit_of(&sys, "task", &t2.row.id.to_string()).await.expect("audit").iter().any(|e| e.action == "return"),
            "{label}: audited"
        );
        // Progress as of a date, counts by dimension, then a report submitted once (whether it is on time and
        // whether the period still accepts it are chiso-app's decisions, tested there).
        let progress = store.task_progress(&sys, &d, 2022, None, date!(2022 - 05 - 31)).await.expect("progress");
        assert_eq!(progress.len(), 2);
        let counts: TaskCounts = chiso_store::Store::counts_of(&progress);
        assert_eq!(counts.by_status.total(), 2);
        assert!(counts.by_dimension.contains_key("papi.d8"), "{label}: {:?}", counts.by_dimension.keys().collect::<Vec<_>>());
        let at = |d: time::Date| chiso_store::progress::end_of_day_ms(d) - 3_600_000;
        let report = |unit, period, narrative, day| NewReport {
            unit,
            agency_id: None,
            period,
            window: (date!(2021 - 12 - 01), date!(2022 - 05 - 31)),
            due: date!(2022 - 06 - 10),
            narrative,
            summary: &counts,
            submitted_at_ms: at(day),
            on_time: false,
            days_late: u32::try_from((day - date!(2022 - 06 - 10)).whole_days()).unwrap_or(0),
        };
        let r = store.submit_report(&specialist, &report(&d, "2022-H1", "Đã thực hiện", date!(2022 - 06 - 12))).await.expect("submit");
        assert_eq!(r.status, ReportState::Submitted);
        assert_eq!(r.submitted_at, Some(at(date!(2022 - 06 - 12))));
        assert!(
            matches!(
                store.submit_report(&specialist, &report(&d, "2022-H1", "lại", date!(2022 - 06 - 12))).await,
                Err(StoreError::Conflict(_))
            ),
            "{label}: no double submission"
        );
        let staff_report = store.submit_report(&staff, &report(&d, "2022-Q3", "x", date!(2022 - 06 - 09))).await;
        assert!(matches!(staff_report, Err(StoreError::Forbidden(_))), "{label}: agency staff submit only their agency's report");
        // Returned for correction by a higher level: then it may be submitted again.
        let province = Scope { actor: "nv.tinh".into(), ..scope_of(&store, "14", Role::Specialist).await };
        assert!(matches!(store.return_report(&specialist, r.id, "x", now).await, Err(StoreError::Forbidden(_))), "{label}: not its own");
        store.return_report(&province, r.id, "Thiếu số liệu xã", now).await.expect("return");
        let returned = store.report_by_id(&sys, r.id).await.expect("report");
        assert_eq!(returned.status, ReportState::Returned);
        // Why, by whom and when are kept (issue 12); a returned report is not returned again.
        assert_eq!(
            (returned.returned_reason.as_deref(), returned.returned_by.as_deref(), returned.returned_at),
            (Some("Thiếu số liệu xã"), Some("nv.tinh"), Some(now)),
            "{label}"
        );
        assert!(matches!(store.return_report(&province, r.id, "lại", now).await, Err(StoreError::Conflict(_))), "{label}");
        assert_eq!(store.returned_reports(&specialist, &d, None).await.expect("returned").len(), 1, "{label}");
        let again = store.submit_report(&specialist, &report(&d, "2022-H1", "Đã bổ sung", date!(2022 - 06 - 20))).await.expect("again");
        assert_eq!((again.days_late, again.is_resubmission()), (Some(10), true), "{label}: lateness recorded, the return kept");
        assert!(store.returned_reports(&specialist, &d, None).await.expect("returned").is_empty(), "{label}");
        // The subtree read (a handful of queries over the unit path) says what the per-unit reads say.
        let sub = store.subtree_status(&sys, &d, 2022, "2022-H1", date!(2022 - 05 - 31)).await.expect("subtree");
        let lines: Vec<_> = sub.tasks_of(d.id).collect();
        assert_eq!(lines.len(), progress.len(), "{label}");
        for p in &progress {
            let l = lines.iter().find(|l| l.task_id == p.task.row.id).expect("task line");
            assert_eq!((l.status, &l.dimensions), (p.status, &p.dimensions), "{label}: task {}", p.task.row.code);
        }
        assert_eq!(chiso_store::progress::SubtreeStatus::counts(lines.iter().copied()), counts, "{label}");
        assert_eq!(sub.report_of(d.id, None).map(|r| r.status), Some(ReportState::Submitted), "{label}");
        assert!(sub.report_of(d.id, Some(vh.id)).is_none(), "{label}: no agency report");
        assert_eq!(sub.agencies_of(d.id).count(), store.agencies(&sys, d.id).await.expect("agencies").len(), "{label}");
        let children: Vec<String> =
            store.child_units_in_year(&sys, &d, 2022).await.expect("children").into_iter().map(|u| u.code).collect();
        assert!(!children.is_empty(), "{label}: the tree has communes");
        assert_eq!(sub.children_of(d.id).map(|u| u.code.clone()).collect::<Vec<_>>(), children, "{label}");
        // Later updates do not count for an earlier day: as of before the update, the task was not started.
        let before = store.subtree_status(&sys, &d, 2022, "2022-H1", date!(2022 - 01 - 01)).await.expect("subtree");
        let prog_before = store.task_progress(&sys, &d, 2022, None, date!(2022 - 01 - 01)).await.expect("progress");
        assert_eq!(
            chiso_store::progress::SubtreeStatus::counts(before.tasks_of(d.id)),
            chiso_store::Store::counts_of(&prog_before),
            "{label}"
        );
        // From the province, the district's tasks are in the subtree; another year has none.
        let prov = store.unit_by_code(&sys, "14").await.expect("province");
        let psub = store.subtree_status(&sys, &prov, 2022, "2022-H1", date!(2022 - 05 - 31)).await.expect("subtree");
        assert_eq!(psub.tasks_of(d.id).count(), 2, "{label}");
        assert!(psub.children_of(prov.id).any(|u| u.id == d.id), "{label}");
        let other = store.subtree_status(&sys, &prov, 2019, "2019-H1", date!(2019 - 05 - 31)).await.expect("subtree");
        assert!(other.tasks.is_empty() && other.reports.is_empty(), "{label}");
        // Scope is the store's: a commune cannot read its district's subtree.
        assert!(store.subtree_status(&commune, &d, 2022, "2022-H1", date!(2022 - 05 - 31)).await.is_err(), "{label}: out of scope");
        // The deadlines read from a plan are kept once; unknown plans have none recorded.
        assert_eq!(store.plan_report_deadlines(plan.id).await.expect("read"), None);
        let dl = vec![chiso_core::period::PlanDeadline { day: 5, month: 6, year: None, text: "trước ngày 05/6".into() }];
        store.set_plan_report_deadlines(plan.id, &dl, now).await.expect("record");
        store.set_plan_report_deadlines(plan.id, &[], now).await.expect("a second writer changes nothing");
        assert_eq!(store.plan_report_deadlines(plan.id).await.expect("read"), Some(dl), "{label}");
        let _ = std::fs::remove_dir_all(dir);
    })
    .await;
}
