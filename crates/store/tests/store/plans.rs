use super::*;
use chiso_core::plan::{Basis, PlanDraft, PlanStatus, TaskDraft};
use chiso_store::StoreError;
use chiso_store::plans::{PlanFilter, TaskPatch};
use time::macros::date;

pub fn draft(title: &str, tasks: Vec<TaskDraft>) -> PlanDraft {
    PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: 2022,
        year_to: None,
        families: vec!["PAPI".into()],
        number: Some("426/KH-UBND".into()),
        place: Some("Mộc Châu".into()),
        issued_on: Some(date!(2022 - 02 - 18)),
        title: title.into(),
        status: PlanStatus::Issued,
        based_on: vec![Basis {
            number: Some("48/KH-UBND".into()),
            date: Some(date!(2022 - 02 - 10)),
            issuer: Some("UBND tỉnh Sơn La".into()),
            text: "Căn cứ…".into(),
        }],
        recipients: vec!["Sở Nội vụ tỉnh Sơn La".into()],
        signer: None,
        child_deadline: Some(date!(2022 - 02 - 20)),
        document: serde_json::json!({}),
        tasks,
    }
}

pub fn task(code: &str, text: &str, nodes: &[&str], lead: Option<&str>) -> TaskDraft {
    TaskDraft {
        code: code.into(),
        text: text.into(),
        nodes: nodes.iter().map(|s| s.to_string()).collect(),
        lead_agency: lead.map(String::from),
        ..Default::default()
    }
}

#[tokio::test]
async fn plans_store_whole_search_and_respect_scope() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let d = store.unit_by_code(&sys, "123").await.expect("unit");
        store.ensure_agency(&sys, d.id, "Phòng Nội vụ", "office").await.expect("agency");
        let plan = store
            .create_plan(
                &sys,
                "123",
                &draft(
                    "Nâng cao chỉ số PAPI năm 2022",
                    vec![
                        task("II.1.1", "Tuyên truyền Pháp lệnh thực hiện dân chủ", &["papi.d1", "papi.d1.s1"], Some("Phòng Nội vụ")),
                        task("II.2.3", "Niêm yết công khai danh sách hộ nghèo", &["papi.d2.s2"], None),
                    ],
                ),
                None,
                Some("seed.txt"),
            )
            .await
            .expect("plan");
        let tasks = store.tasks(&sys, plan.id).await.expect("tasks");
        assert_eq!(tasks.len(), 2, "{label}");
        assert!(tasks[0].row.lead_agency_id.is_some(), "{label}: lead agency resolved to the unit's agency");
        assert_eq!(tasks[0].nodes, vec!["papi.d1".to_string(), "papi.d1.s1".to_string()]);
        assert_eq!(store.plan_basis(&sys, plan.id).await.expect("basis")[0].number.as_deref(), Some("48/KH-UBND"));
        // Library: diacritic-insensitive text, by node (a dimension matches its sub-dimensions).
        assert_eq!(store.search_tasks(&sys, "noi vu", None, 50).await.expect("search").len(), 1, "{label}: lead agency is searchable");
        assert_eq!(store.search_tasks(&sys, "ho ngheo", None, 50).await.expect("search").len(), 1);
        assert_eq!(store.search_tasks(&sys, "", Some("papi.d2"), 50).await.expect("search").len(), 1);
        assert_eq!(store.search_tasks(&sys, "", Some("papi.d8"), 50).await.expect("search").len(), 0);
        // Lists and filters.
        assert_eq!(store.plans(&sys, &PlanFilter { year: Some(2022), ..Default::default() }).await.expect("plans").len(), 1);
        assert_eq!(store.plans(&sys, &PlanFilter { text: Some("papi".into()), ..Default::default() }).await.expect("plans").len(), 1);
        assert!(store.plans(&sys, &PlanFilter { year: Some(2023), ..Default::default() }).await.expect("plans").is_empty());
        assert_eq!(store.plans_by_number(&sys, "426/KH-UBND").await.expect("by number").len(), 1);
        // A commune sees neither the district's plan nor its tasks.
        let commune = scope_of(&store, "X01", Role::Specialist).await;
        assert!(matches!(store.plan(&commune, plan.id).await, Err(StoreError::OutOfScope(_))), "{label}");
        assert!(store.tasks(&commune, plan.id).await.is_err());
        assert!(store.search_tasks(&commune, "ho ngheo", None, 50).await.expect("search").is_empty());
        assert!(store.create_plan(&commune, "X02", &draft("Kế hoạch xã khác", vec![]), None, None).await.is_err(), "{label}: sibling");
        let viewer = scope_of(&store, "123", Role::Viewer).await;
        assert!(matches!(store.create_plan(&viewer, "123", &draft("X", vec![]), None, None).await, Err(StoreError::Forbidden(_))));
    })
    .await;
}

#[tokio::test]
async fn a_bad_plan_stores_nothing() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let dup = draft("Trùng mã", vec![task("1", "a", &[], None), task("1", "b", &[], None)]);
        assert!(matches!(store.create_plan(&sys, "123", &dup, None, None).await, Err(StoreError::Invalid(_))), "{label}");
        assert!(store.plans(&sys, &PlanFilter::default()).await.expect("plans").is_empty(), "{label}: nothing half-stored");
    })
    .await;
}

#[tokio::test]
async fn issuing_is_audited_and_concurrent_task_edits_conflict() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let mut d = draft("Dự thảo", vec![task("1", "Rà soát thủ tục hành chính", &["papi.d5"], None)]);
        d.status = PlanStatus::Draft;
        d.number = None;
        d.issued_on = None;
        let plan = store.create_plan(&sys, "123", &d, None, None).await.expect("plan");
        assert!(store.issue_plan(&sys, plan.id, "12/KH-UBND", "2022-03-01", plan.version + 7).await.is_err(), "{label}: stale version");
        let issued = store.issue_plan(&sys, plan.id, "12/KH-UBND", "2022-03-01", plan.version).await.expect("issue");
        assert_eq!((issued.status.as_str(), issued.number.as_deref()), ("issued", Some("12/KH-UBND")));
        let log = store.audit_of(&sys, "plan", &plan.id.to_string()).await.expect("audit");
        assert!(log.iter().any(|e| e.action == "issue" && e.old_value.as_deref() == Some("draft")), "{label}: issue audited");
        let t = &store.tasks(&sys, plan.id).await.expect("tasks")[0];
        let v = t.row.version;
        let first = store
            .update_task(&sys, t.row.id, TaskPatch { lead_agency: Some(Some("Văn phòng HĐND - UBND".into())), ..Default::default() }, v)
            .await
            .expect("first edit");
        assert_eq!(first.row.version, v + 1);
        let second =
            store.update_task(&sys, t.row.id, TaskPatch { expected_result: Some(Some("Báo cáo".into())), ..Default::default() }, v).await;
        assert!(matches!(second, Err(StoreError::Conflict(_))), "{label}: the second writer gets a conflict");
        assert_eq!(
            store.task(&sys, t.row.id).await.expect("task").row.lead_agency.as_deref(),
            Some("Văn phòng HĐND - UBND"),
            "nothing lost"
        );
    })
    .await;
}

/// Issue 10: the links between plans. A child plan's tasks point at tasks of its parent (and of no other
/// plan); a linked plan carries its parent's deadline; the candidates for a parent are the plans of units
/// above; linking by hand accepts only those, is versioned and audited, and drops the task links of the
/// old parent.
#[tokio::test]
async fn plan_links_carry_the_deadline_point_at_the_parents_tasks_and_are_audited() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let parent = store
            .create_plan(&sys, "123", &draft("Kế hoạch huyện", vec![task("II.1", "Niêm yết công khai", &["papi.d2"], None)]), None, None)
            .await
            .expect("parent");
        let other = store
            .create_plan(&sys, "124", &draft("Kế hoạch huyện khác", vec![task("1", "Việc khác", &[], None)]), None, None)
            .await
            .expect("other");
        let parent_task = store.tasks(&sys, parent.id).await.expect("tasks")[0].row.id;
        let other_task = store.tasks(&sys, other.id).await.expect("tasks")[0].row.id;
        let mut child_draft = draft(
            "Kế hoạch xã",
            vec![TaskDraft { parent_task_id: Some(parent_task), ..task("1", "Niêm yết công khai", &["papi.d2"], None) }],
        );
        child_draft.number = None;
        child_draft.status = PlanStatus::Draft;
        child_draft.issued_on = None;
        // A task may not point at a task of another plan than its parent.
        let mut wrong = child_draft.clone();
        wrong.tasks[0].parent_task_id = Some(other_task);
        let e = store.create_plan(&sys, "X02", &wrong, Some(parent.id), None).await.expect_err("refused");
        assert!(matches!(e, StoreError::Invalid(_)), "{label}: {e}");
        let child = store.create_plan_noted(&sys, "X02", &child_draft, Some(parent.id), None, None).await.expect("child");
        assert_eq!(child.parent_deadline.as_deref(), Some("2022-02-20"), "{label}: the parent's deadline for its children");
        assert_eq!(store.tasks(&sys, child.id).await.expect("tasks")[0].row.parent_task_id, Some(parent_task), "{label}");

        // Candidates: plans of units above X02 (the district's; not the other district's, nor the commune's own).
        let cands = store.parent_plan_candidates(&sys, child.unit_id).await.expect("candidates");
        assert_eq!(cands.iter().map(|c| c.item.plan.id).collect::<Vec<_>>(), vec![parent.id], "{label}");
        assert_eq!(cands[0].depth, 2, "{label}: province 1, district 2");

        // A plan noted on import, then linked by hand: the note is cleared.
        let noted = store
            .create_plan_noted(&sys, "X03", &child_draft_without_links(&child_draft), None, Some("Văn bản căn cứ số 426/KH-UBND …"), None)
            .await
            .expect("noted");
        assert_eq!(noted.parent_note.as_deref(), Some("Văn bản căn cứ số 426/KH-UBND …"), "{label}");
        let e = store.set_parent_plan(&sys, noted.id, Some(other.id), noted.version).await.expect_err("not above");
        assert!(matches!(e, StoreError::Invalid(_)), "{label}: {e}");
        let linked = store.set_parent_plan(&sys, noted.id, Some(parent.id), noted.version).await.expect("link");
        assert_eq!(
            (linked.parent_plan_id, linked.parent_note.as_deref(), linked.parent_deadline.as_deref()),
            (Some(parent.id), None, Some("2022-02-20"))
        );
        assert!(matches!(store.set_parent_plan(&sys, noted.id, None, noted.version).await, Err(StoreError::Conflict(_))), "{label}: stale");

        // Unlinking the cascaded plan drops its tasks' links; both changes are audited.
        let unlinked = store.set_parent_plan(&sys, child.id, None, child.version).await.expect("unlink");
        assert_eq!((unlinked.parent_plan_id, unlinked.parent_deadline.as_deref()), (None, None), "{label}");
        assert_eq!(store.tasks(&sys, child.id).await.expect("tasks")[0].row.parent_task_id, None, "{label}");
        let audit = store.audit_of(&sys, "plan", &child.id.to_string()).await.expect("audit");
        assert!(
            audit.iter().any(|e| e.action == "unlink_parent" && e.old_value.as_deref().is_some_and(|v| v.contains("Kế hoạch huyện"))),
            "{label}"
        );
        let audit = store.audit_of(&sys, "plan", &noted.id.to_string()).await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "link_parent"), "{label}");
    })
    .await;
}

fn child_draft_without_links(d: &PlanDraft) -> PlanDraft {
    let mut d = d.clone();
    for t in &mut d.tasks {
        t.parent_task_id = None;
    }
    d
}

#[tokio::test]
async fn document_numbers_stored_before_they_were_folded_are_found_after_the_next_start() {
    // Migration 0015 adds `plan.number_fold` empty; `Store::connect` fills it (`fold_plan_numbers`).
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let mut d = draft("Quyết định ban hành quy chế", vec![]);
        d.number = Some("15/QĐ-UBND".into());
        let plan = store.create_plan(&sys, "123", &d, None, None).await.expect("plan");
        let find = |text: &str| PlanFilter { text: Some(text.into()), ..Default::default() };
        assert_eq!(store.plans(&sys, &find("qd-ubnd")).await.expect("search").len(), 1, "{label}: folded when written");
        const FORGET: &str = "UPDATE plan SET number_fold = NULL";
        chiso_store::on_db!(&store.write, |p| sqlx::query(FORGET).execute(p).await.map(|_| ())).expect("as before 0015");
        assert!(store.plans(&sys, &find("qd-ubnd")).await.expect("search").is_empty(), "{label}: not found unfolded");
        assert_eq!(store.fold_plan_numbers().await.expect("fold"), 1, "{label}");
        assert_eq!(store.fold_plan_numbers().await.expect("again"), 0, "{label}: a no-op once done");
        let found = store.plans(&sys, &find("15/QĐ")).await.expect("search");
        assert_eq!(found.iter().map(|i| i.plan.id).collect::<Vec<_>>(), vec![plan.id], "{label}");
    })
    .await;
}
