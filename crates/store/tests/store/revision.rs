//! Subtree revisions (migration 0017): every write to what progress figures read moves the revision of the
//! subtrees above it, in the same transaction; reads move nothing; a sibling's subtree is untouched.

use super::*;
use crate::plans::{draft, task};
use chiso_core::progress::TaskStatus;
use chiso_store::plans::TaskPatch;
use chiso_store::progress::NewUpdate;
use chiso_store::revision::Revision;
use time::macros::date;

/// The revisions of the five units and of the whole tree.
async fn revisions(
    store: &chiso_store::Store,
    u: &[chiso_store::units::Unit; 5],
) -> (Revision, Revision, Revision, Revision, Revision, Revision) {
    let sys = Scope::system("t");
    let r = |i: usize| store.subtree_revision(&sys, Some(&u[i]));
    (
        r(0).await.expect("r"),
        r(1).await.expect("r"),
        r(2).await.expect("r"),
        r(3).await.expect("r"),
        r(4).await.expect("r"),
        store.subtree_revision(&sys, None).await.expect("r"),
    )
}

#[tokio::test]
async fn every_write_below_a_unit_moves_its_revision_and_nothing_else_does() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let unit = |code: &'static str| {
            let store = store.clone();
            async move { store.unit_by_code(&Scope::system("t"), code).await.expect("unit") }
        };
        let (province, district, other_district, commune, sibling) =
            (unit("14").await, unit("123").await, unit("124").await, unit("X01").await, unit("X02").await);
        let units = [province.clone(), district.clone(), other_district.clone(), commune.clone(), sibling.clone()];
        let all = || revisions(&store, &units);
        let r0 = all().await;
        assert_eq!(r0.0.units, 6, "{label}: the province's subtree has its 6 units");
        assert_eq!(r0.1.units, 4, "{label}");
        assert_eq!(r0.3.units, 1, "{label}");
        // Reads move nothing.
        store.units(&sys).await.expect("units");
        store.subtree_status(&sys, &province, 2022, "2022-H1", date!(2022 - 05 - 31)).await.expect("subtree");
        assert_eq!(all().await, r0, "{label}: reads");

        // A commune's plan: the commune's, its district's, its province's and the whole tree's revisions move;
        // the sibling commune's and the other district's do not.
        let plan = store
            .create_plan(
                &sys,
                "X01",
                &draft("Kế hoạch PAPI 2022 của xã", vec![task("1", "Niêm yết công khai", &["papi.d2.s2"], None)]),
                None,
                None,
            )
            .await
            .expect("plan");
        let r1 = all().await;
        assert!(r1.0 != r0.0 && r1.1 != r0.1 && r1.3 != r0.3 && r1.5 != r0.5, "{label}: plan moved its chain: {r0:?} -> {r1:?}");
        assert_eq!((r1.2, r1.4), (r0.2, r0.4), "{label}: siblings untouched");
        // Nothing was written to the district or the province themselves: the sibling's chain is the same.
        assert_eq!(r1.4.chain, r0.4.chain, "{label}");

        // A task update (with the task's new status), then its return for correction.
        let t = store.tasks(&sys, plan.id).await.expect("tasks").remove(0);
        let spec = scope_of(&store, "X01", Role::Specialist).await;
        let up = store
            .record_update_at(
                &spec,
                t.row.id,
                NewUpdate {
                    status: TaskStatus::Done,
                    percent: None,
                    completed_on: Some(date!(2022 - 03 - 01)),
                    reason: None,
                    narrative: "Đã niêm yết".into(),
                    files: vec![],
                },
                t.row.version,
                chiso_store::now_ms(),
            )
            .await
            .expect("update");
        let r2 = all().await;
        assert!(r2.3 != r1.3 && r2.1 != r1.1 && r2.0 != r1.0, "{label}: update moved the commune and above");
        assert_eq!((r2.2, r2.4), (r1.2, r1.4), "{label}");
        let district_scope = scope_of(&store, "123", Role::Specialist).await;
        store.return_update(&district_scope, up.id, "Thiếu ảnh chụp", chiso_store::now_ms()).await.expect("return");
        let r3 = all().await;
        assert!(r3.3 != r2.3, "{label}: a return moves the commune");

        // A task edit, an agency, a new unit under the district: each moves what is above it.
        let t = store.task(&sys, t.row.id).await.expect("task");
        store
            .update_task(&sys, t.row.id, TaskPatch { due_date: Some(Some(date!(2022 - 06 - 30))), ..Default::default() }, t.row.version)
            .await
            .expect("edit");
        let r4 = all().await;
        assert!(r4.3 != r3.3, "{label}: a task edit moves the commune");
        store.ensure_agency(&sys, other_district.id, "Phòng Nội vụ", "office").await.expect("agency");
        let r5 = all().await;
        assert!(r5.2 != r4.2 && r5.0 != r4.0, "{label}: an agency moves its unit and the province");
        assert_eq!((r5.1, r5.3), (r4.1, r4.3), "{label}: not the other district");
        store
            .import_units_csv(&sys, "code,name,level,parent_code,valid_from,valid_to\nX04,Xã Mới,commune,123,2000-01-01,\n")
            .await
            .expect("unit");
        let r6 = all().await;
        assert!(r6.1 != r5.1 && r6.1.units == 5, "{label}: a new commune enters the district's subtree");
        assert_eq!(Revision { tree: 0, ..r6.2 }, Revision { tree: 0, ..r5.2 }, "{label}: not the other district's subtree");
        assert!(r6.2.tree > r5.2.tree, "{label}: but the unit tree's own revision (the unit selector) moved");
        let tree = r6.2.tree;
        // The chain: a write to the district (its own plan) moves the commune's chain, not its subtree.
        store
            .create_plan(&sys, "123", &draft("Kế hoạch PAPI 2022 của huyện", vec![task("1", "Chỉ đạo", &["papi.d1.s1"], None)]), None, None)
            .await
            .expect("plan");
        let (c_before, c_after) = (r6.3, all().await.3);
        assert_eq!(c_after.tree, tree, "{label}: a plan is not a change to the unit tree");
        assert_eq!((c_after.units, c_after.sum, c_after.ids), (c_before.units, c_before.sum, c_before.ids), "{label}: subtree same");
        assert_ne!(c_after.chain, c_before.chain, "{label}: the chain moved (the district's plan sets the commune's schedule)");
        // Out of scope: refused.
        let other = scope_of(&store, "124", Role::Specialist).await;
        assert!(store.subtree_revision(&other, Some(&commune)).await.is_err(), "{label}: out of scope");
    })
    .await;
}
