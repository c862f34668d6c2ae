use super::*;
use crate::results::{frameworks, load_units};
use chiso_core::framework::{Framework, Source};
use chiso_core::results::{SheetAction, SheetStatus};
use chiso_core::weakness::TaskGroup;
use chiso_store::StoreError;
use chiso_store::assessments::{AppraisalInput, SelfScoreInput, SheetEdits};

/// Self scores: every self-assessed criterion at its maximum with an evidence note, except `except`.
fn self_scores(fw: &Framework, year: i32, except: &[(&str, f64)]) -> Vec<SelfScoreInput> {
    fw.leaves_for_year(year)
        .into_iter()
        .filter(|l| l.source != Source::Survey)
        .map(|l| {
            let score = except.iter().find(|(c, _)| *c == l.code).map(|(_, v)| *v).or(l.max);
            SelfScoreInput {
                node: l.code.clone(), score, evidence: Some(format!("Báo cáo kết quả {}", l.code)), missing_reason: None
            }
        })
        .collect()
}

fn accept_all(fw: &Framework, year: i32) -> Vec<AppraisalInput> {
    fw.leaves_for_year(year)
        .into_iter()
        .filter(|l| l.source != Source::Survey)
        .map(|l| AppraisalInput { node: l.code.clone(), score: None, reason: None })
        .collect()
}

fn appraise(node: &str, score: f64, reason: Option<&str>) -> AppraisalInput {
    AppraisalInput { node: node.into(), score: Some(score), reason: reason.map(String::from) }
}

/// Survey results of Mê Linh (out of 3, 3, 6, 3, 4, 2, 3, 6).
const SURVEY: [(&str, f64); 8] = [
    ("par.a1.c7", 2.4),
    ("par.a2.c5", 2.5),
    ("par.a3.c6", 4.8),
    ("par.a4.c4", 2.4),
    ("par.a5.c6", 3.2),
    ("par.a6.c5", 1.6),
    ("par.a7.c7", 2.4),
    ("par.a8.c4", 4.5),
];

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[tokio::test]
async fn me_linh_sheet_goes_from_self_score_to_finalised_with_its_audit() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let par = set.get("par_index").expect("par_index");
        let melinh = scope_of(&store, "250", Role::Specialist).await;
        let hanoi = scope_of(&store, "01", Role::Specialist).await;

        let a = store.create_assessment(&melinh, par, "250", 2024).await.expect("create");
        assert_eq!((a.status(), a.unit_name.as_str()), (SheetStatus::Draft, "Huyện Mê Linh"), "{label}");
        assert!(matches!(store.create_assessment(&melinh, par, "250", 2024).await, Err(StoreError::Conflict(_))), "one sheet per year");
        let id = a.id;

        // Nothing scored: submitting names what is missing.
        match store.transition(&melinh, par, id, SheetAction::Submit, None, None).await {
            Err(StoreError::Invalid(m)) => assert!(m.contains("par.a1.c1") && m.contains("36 tiêu chí"), "{label}: {m}"),
            other => panic!("{label}: {other:?}"),
        }
        // Self scores: full except 1.1 (1.5 of 2), 3.4 (2.5 of 3), 5.2 (2 of 2.5, evidence missing, explained).
        let mut scores = self_scores(par, 2024, &[("par.a1.c1", 1.5), ("par.a3.c4", 2.5), ("par.a5.c2", 2.0)]);
        for s in &mut scores {
            if s.node == "par.a5.c2" {
                s.evidence = None;
                s.missing_reason = Some("Kết quả tuyển dụng chưa có quyết định phê duyệt".into());
            }
        }
        let bad = [SelfScoreInput { node: "par.a1.c7".into(), score: Some(2.0), ..Default::default() }];
        assert!(
            matches!(store.save_self_scores(&melinh, par, id, &bad, None).await, Err(StoreError::Invalid(_))),
            "survey is not self-scored"
        );
        let bad = [SelfScoreInput { node: "par.a1.c1".into(), score: Some(2.5), evidence: Some("x".into()), ..Default::default() }];
        match store.save_self_scores(&melinh, par, id, &bad, None).await {
            Err(StoreError::Invalid(m)) => assert!(m.contains("par.a1.c1"), "{m}"),
            other => panic!("{label}: above the maximum: {other:?}"),
        }
        let a = store.save_self_scores(&melinh, par, id, &scores, Some(a.version)).await.expect("self scores");
        // A stale form is refused rather than overwriting.
        assert!(matches!(store.save_self_scores(&melinh, par, id, &scores[..1], Some(a.version - 1)).await, Err(StoreError::Conflict(_))));
        // The unit cannot appraise itself.
        let a = store.transition(&melinh, par, id, SheetAction::Submit, None, Some(a.version)).await.expect("submit");
        assert_eq!(a.status(), SheetStatus::Submitted);
        assert!(matches!(store.appraise(&melinh, par, id, &accept_all(par, 2024), None).await, Err(StoreError::Forbidden(_))), "{label}");
        assert!(
            matches!(store.save_self_scores(&melinh, par, id, &scores, None).await, Err(StoreError::Conflict(_))),
            "self scores locked once submitted"
        );

        // Hà Nội appraises: an adjustment needs a reason.
        let no_reason = [appraise("par.a1.c1", 1.0, None)];
        match store.appraise(&hanoi, par, id, &no_reason, None).await {
            Err(StoreError::Invalid(m)) => assert!(m.contains("par.a1.c1") && m.contains("lý do"), "{m}"),
            other => panic!("{label}: {other:?}"),
        }
        let mut round1 = accept_all(par, 2024);
        round1.retain(|x| x.node != "par.a1.c1");
        round1.push(appraise("par.a1.c1", 1.0, Some("Kế hoạch CCHC ban hành chậm so với hướng dẫn")));
        round1.extend(SURVEY.iter().map(|(c, v)| appraise(c, *v, None)));
        store.appraise(&hanoi, par, id, &round1, None).await.expect("appraisal");
        let a = store.transition(&hanoi, par, id, SheetAction::CompleteAppraisal, None, None).await.expect("round 1 done");
        assert_eq!(a.status(), SheetStatus::Appraised);
        assert!(matches!(store.appraise(&hanoi, par, id, &round1, None).await, Err(StoreError::Conflict(_))), "round closed");

        // Mê Linh explains; Hà Nội appraises again (a second adjustment), then finalises.
        let expl = [("par.a1.c1".to_string(), "Kế hoạch ban hành ngày 05/01/2024, trong thời hạn".to_string())];
        store.explain(&melinh, par, id, &expl, None).await.expect("explanation");
        let a = store.transition(&melinh, par, id, SheetAction::Explain, None, None).await.expect("explain");
        assert_eq!((a.status(), a.round), (SheetStatus::Explained, 2));
        store
            .appraise(&hanoi, par, id, &[appraise("par.a7.c3", 2.5, Some("Tỷ lệ hồ sơ trực tuyến toàn trình chưa đạt"))], None)
            .await
            .expect("round 2");
        let a = store.transition(&hanoi, par, id, SheetAction::CompleteAppraisal, None, None).await.expect("round 2 done");
        assert_eq!(a.status(), SheetStatus::ReAppraised);
        assert!(matches!(store.transition(&melinh, par, id, SheetAction::Finalise, None, None).await, Err(StoreError::Forbidden(_))));
        let a = store.transition(&hanoi, par, id, SheetAction::Finalise, None, None).await.expect("finalise");
        assert_eq!(a.status(), SheetStatus::Finalised);

        // Locked: nothing changes without reopening.
        assert!(matches!(store.save_self_scores(&melinh, par, id, &scores, None).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.appraise(&hanoi, par, id, &round1, None).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.explain(&melinh, par, id, &expl, None).await, Err(StoreError::Conflict(_))));

        // The index computed by hand (appraised points / maximum):
        //   a1: self 2+2+2+2+1.5+1.5 = 11, 1.1 → 1.0 (−1), survey 2.4 → 12.4 / 14
        //   a2: 7 + 2.5 = 9.5 / 10           a3: 12 − 0.5 + 4.8 = 16.3 / 18
        //   a4: 7 + 2.4 = 9.4 / 10           a5: 10 − 0.5 + 3.2 = 12.7 / 14
        //   a6: 7 + 1.6 = 8.6 / 9            a7: 12 − 0.5 (3.3 adjusted) + 2.4 = 13.9 / 15
        //   a8: 4 + 4.5 = 8.5 / 10           total 91.3 / 100
        let view = app.assessments().sheet(&melinh, par, id).await.expect("sheet");
        let expect = [
            ("par.a1", 12.4, 14.0),
            ("par.a2", 9.5, 10.0),
            ("par.a3", 16.3, 18.0),
            ("par.a4", 9.4, 10.0),
            ("par.a5", 12.7, 14.0),
            ("par.a6", 8.6, 9.0),
            ("par.a7", 13.9, 15.0),
            ("par.a8", 8.5, 10.0),
        ];
        for (code, points, max) in expect {
            let row = view.sheet.row(code).expect("area");
            assert!(close(row.appraised_score, points), "{label} {code}: {:?}", row.appraised_score);
            assert!(close(row.appraised_percent, points / max * 100.0), "{label} {code}: {:?}", row.appraised_percent);
        }
        assert!(close(view.sheet.row("par.a1").and_then(|r| r.appraised_percent), 88.571_428_571_428_57));
        let all = view.sheet.overall().expect("root");
        assert!(close(all.appraised_percent, 91.3), "{:?}", all.appraised_percent);
        // Self vs appraised side by side: the unit gave itself 68.5 self-assessed points.
        assert!(close(all.self_score, 68.5) && close(all.self_percent, 68.5));
        let c = view.sheet.row("par.a1.c1").expect("1.1");
        assert!(close(c.self_score, 1.5) && close(c.appraised_score, 1.0) && close(c.difference, -0.5) && close(c.appraised_percent, 50.0));
        assert!(view.actions.is_empty(), "the unit has nothing to do on a finalised sheet: {:?}", view.actions);
        assert_eq!(app.assessments().sheet(&hanoi, par, id).await.expect("sheet").actions, [SheetAction::Reopen]);
        assert!(!view.can_self_score && !view.can_appraise);
        let item = view.items.iter().find(|i| i.node == "par.a5.c2").expect("5.2");
        assert_eq!(item.missing_reason.as_deref(), Some("Kết quả tuyển dụng chưa có quyết định phê duyệt"));
        assert_eq!(item.decision.as_deref(), Some("accept"));

        // The audit trail: who, old, new, reason — for scores and for every state change.
        let log = store.audit_of(&melinh, "assessment", &id.to_string()).await.expect("audit");
        let states: Vec<&str> = log.iter().rev().filter(|e| e.field.as_deref() == Some("status")).map(|e| e.action.as_str()).collect();
        assert_eq!(states, ["create", "submit", "complete_appraisal", "explain", "complete_appraisal", "finalise"], "{label}");
        let adj = log.iter().find(|e| e.action == "appraise" && e.field.as_deref() == Some("par.a1.c1")).expect("adjustment");
        assert_eq!((adj.actor.as_str(), adj.old_value.as_deref(), adj.new_value.as_deref()), ("01-user", None, Some("1 (adjust)")));
        assert_eq!(adj.reason.as_deref(), Some("Kế hoạch CCHC ban hành chậm so với hướng dẫn"));
        let own = log.iter().find(|e| e.action == "self_score" && e.field.as_deref() == Some("par.a1.c1")).expect("self score");
        assert_eq!((own.actor.as_str(), own.new_value.as_deref()), ("250-user", Some("1.5")));
        assert!(log.iter().any(|e| e.action == "explain" && e.field.as_deref() == Some("par.a1.c1")));

        // Reopening needs a reason, is audited, and returns to the last appraisal round.
        assert!(matches!(store.transition(&hanoi, par, id, SheetAction::Reopen, Some("  "), None).await, Err(StoreError::Invalid(_))));
        let a =
            store.transition(&hanoi, par, id, SheetAction::Reopen, Some("Sở Nội vụ phúc tra tiêu chí 7.3"), None).await.expect("reopen");
        assert_eq!(a.status(), SheetStatus::Explained, "{label}");
        let last = &store.audit_of(&melinh, "assessment", &id.to_string()).await.expect("audit")[0];
        assert_eq!(
            (last.action.as_str(), last.old_value.as_deref(), last.new_value.as_deref()),
            ("reopen", Some("finalised"), Some("explained"))
        );
        assert_eq!(last.reason.as_deref(), Some("Sở Nội vụ phúc tra tiêu chí 7.3"));
        store.appraise(&hanoi, par, id, &[appraise("par.a7.c3", 3.0, Some("Phúc tra: đạt"))], None).await.expect("corrected");
        store.transition(&hanoi, par, id, SheetAction::CompleteAppraisal, None, None).await.expect("done");
        store.transition(&hanoi, par, id, SheetAction::Finalise, None, None).await.expect("finalised again");
        let view = app.assessments().sheet(&melinh, par, id).await.expect("sheet");
        assert!(close(view.sheet.overall().and_then(|r| r.appraised_percent), 91.8), "{label}");

        // Weak points from the sheet: points lost = max − score; survey criteria in their own group.
        let w = app.results().next_plan_outline(&melinh, par, "250", 2024).await.expect("outline");
        assert_eq!(w.basis, "score_sheet");
        // Lost per area: a1 1.6, a2 0.5, a3 1.7, a4 0.6, a5 1.3, a6 0.4, a7 0.6, a8 1.5.
        assert_eq!(w.items[0].code, "par.a3", "{label}");
        assert!((w.items[0].points_lost - 1.7).abs() < 1e-9);
        assert_eq!(w.groups.survey.len(), 8);
        let mut improve = w.groups.improve.clone();
        improve.sort();
        assert_eq!(improve, ["par.a1.c1", "par.a3.c4", "par.a5.c2"], "{label}");
        assert!(w.groups.keep.contains(&"par.a7.c3".to_string()));
        let order: Vec<&str> = w.plan.sections.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(order, ["par.a3", "par.a1", "par.a8", "par.a5", "par.a4", "par.a7", "par.a2", "par.a6"], "{label}");
        assert_eq!(w.plan.group(TaskGroup::Survey).len(), 8);
    })
    .await;
}

#[tokio::test]
async fn communes_cannot_read_or_appraise_each_other_and_the_district_ranks_them() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let par = set.get("par_index").expect("par_index");
        let district = scope_of(&store, "250", Role::Specialist).await;
        let c1 = scope_of(&store, "08973", Role::Specialist).await;
        let c2 = scope_of(&store, "08989", Role::Specialist).await;
        let viewer = scope_of(&store, "08974", Role::Viewer).await;

        let s1 = store.create_assessment(&c1, par, "08973", 2024).await.expect("c1 sheet").id;
        assert!(matches!(store.create_assessment(&c1, par, "08989", 2024).await, Err(StoreError::OutOfScope(_))));
        assert!(matches!(store.create_assessment(&viewer, par, "08974", 2024).await, Err(StoreError::Forbidden(_))));
        let s2 = store.create_assessment(&c2, par, "08989", 2024).await.expect("c2 sheet").id;
        let s3 = store.create_assessment(&district, par, "08974", 2024).await.expect("opened by the district").id;

        // Another commune's sheet: not readable, not writable, not appraisable.
        assert!(matches!(app.assessments().sheet(&c2, par, s1).await, Err(StoreError::OutOfScope(_))), "{label}");
        assert!(matches!(store.assessment(&c2, s1).await, Err(StoreError::OutOfScope(_))));
        assert!(matches!(store.save_self_scores(&c2, par, s1, &self_scores(par, 2024, &[]), None).await, Err(StoreError::OutOfScope(_))));
        assert!(store.assessments(&c2, None, None).await.expect("list").iter().all(|x| x.assessment.id == s2));
        assert_eq!(store.assessments(&district, Some("par_index"), Some(2024)).await.expect("list").len(), 3);
        assert!(matches!(app.assessments().ranking(&c1, par, "250", 2024).await, Err(StoreError::OutOfScope(_))));

        for (scope, id, except) in [(&c1, s1, vec![("par.a2.c1", 1.0)]), (&c2, s2, vec![])] {
            store.save_self_scores(scope, par, id, &self_scores(par, 2024, &except), None).await.expect("self");
            store.transition(scope, par, id, SheetAction::Submit, None, None).await.expect("submit");
            // A commune appraising itself (even the other one) is refused.
            assert!(matches!(store.appraise(scope, par, id, &accept_all(par, 2024), None).await, Err(StoreError::Forbidden(_))));
            assert!(store.appraise(&c1, par, s2, &accept_all(par, 2024), None).await.is_err());
            let mut all = accept_all(par, 2024);
            all.extend(SURVEY.iter().map(|(c, v)| appraise(c, *v, None)));
            store.appraise(&district, par, id, &all, None).await.expect("district appraises");
            store.transition(&district, par, id, SheetAction::CompleteAppraisal, None, None).await.expect("round");
            // Finalising needs every criterion, survey included, appraised: it is.
            store.transition(&district, par, id, SheetAction::Finalise, None, None).await.expect("finalise");
        }
        let r = app.assessments().ranking(&district, par, "250", 2024).await.expect("ranking");
        let order: Vec<(&str, Option<u32>)> = r.ranking.ranked.iter().map(|u| (u.unit.as_str(), u.rank)).collect();
        assert_eq!(order, [("08989", Some(1)), ("08973", Some(2))], "{label}");
        let top = &r.ranking.ranked[0].nodes["par_index"];
        // 70 self-assessed points + the survey 2.4+2.5+4.8+2.4+3.2+1.6+2.4+4.5 = 23.8.
        assert!(close(top.percent, 93.8), "{label}: {:?}", top.percent);
        assert!(close(r.ranking.ranked[1].nodes["par_index"].percent, 92.8));
        assert_eq!(r.pending.len(), 1);
        assert_eq!((r.pending[0].unit.as_str(), r.pending[0].status.as_str()), ("08974", "draft"));
        let _ = s3;
    })
    .await;
}

/// Issue 13 item 4: one district account could self-score a commune's sheet and appraise it too,
/// finalising it alone. Self-assessment is the assessed unit's own step; the superior only appraises.
#[tokio::test]
async fn the_superior_cannot_self_score_the_sheet_it_appraises() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let par = set.get("par_index").expect("par_index");
        let district = scope_of(&store, "250", Role::Specialist).await;
        let commune = scope_of(&store, "08973", Role::Specialist).await;
        let id = store.create_assessment(&district, par, "08973", 2024).await.expect("opened by the district").id;
        // The district may not self-score nor submit for the commune…
        match store.save_self_scores(&district, par, id, &self_scores(par, 2024, &[]), None).await {
            Err(StoreError::Forbidden(m)) => assert!(m.contains("chỉ chính đơn vị"), "{label}: {m}"),
            other => panic!("{label}: {other:?}"),
        }
        assert!(matches!(store.transition(&district, par, id, SheetAction::Submit, None, None).await, Err(StoreError::Forbidden(_))));
        let view = app.assessments().sheet(&district, par, id).await.expect("the district reads it");
        assert!(!view.can_self_score && view.actions.is_empty(), "{label}");
        // …nor can the system (no home unit): it stands above every unit.
        let sys = Scope::system("t");
        assert!(matches!(store.save_self_scores(&sys, par, id, &self_scores(par, 2024, &[]), None).await, Err(StoreError::Forbidden(_))));
        // The commune does its own step; then only the district appraises and finalises.
        store.save_self_scores(&commune, par, id, &self_scores(par, 2024, &[]), None).await.expect("self");
        store.transition(&commune, par, id, SheetAction::Submit, None, None).await.expect("submit");
        assert!(matches!(store.appraise(&commune, par, id, &accept_all(par, 2024), None).await, Err(StoreError::Forbidden(_))));
        let view = app.assessments().sheet(&commune, par, id).await.expect("sheet");
        assert!(!view.can_appraise && view.actions.is_empty(), "{label}");
        let view = app.assessments().sheet(&district, par, id).await.expect("sheet");
        assert!(view.can_appraise && !view.can_self_score, "{label}");
    })
    .await;
}

fn edits(s: &[SelfScoreInput]) -> SheetEdits<'_> {
    SheetEdits { self_scores: s, ..SheetEdits::default() }
}

fn appr(r: &[AppraisalInput]) -> SheetEdits<'_> {
    SheetEdits { appraisals: r, ..SheetEdits::default() }
}

/// Issue 12: every step saves what its form held with the status change, in one transaction, each change
/// audited per criterion; a refused step saves nothing; a score above the maximum is refused naming the
/// criterion and its maximum with a decimal comma; edits come only from their side while they are open.
#[tokio::test]
async fn every_step_saves_what_its_form_held_with_the_status_change() {
    on_each_backend(|store, label| async move {
        let app = app_of(&store);
        load_units(&store).await;
        let set = frameworks();
        let par = set.get("par_index").expect("par_index");
        let melinh = scope_of(&store, "250", Role::Specialist).await;
        let hanoi = scope_of(&store, "01", Role::Specialist).await;
        let sheets = app.assessments();
        let a = sheets.create(&melinh, par, "250", 2024).await.expect("create");
        let id = a.id;
        let log = || async { store.audit_of(&melinh, "assessment", &id.to_string()).await.expect("audit") };

        // Submitting with one criterion left empty: refused as a whole, each gap named for its field.
        let mut scores = self_scores(par, 2024, &[("par.a1.c5", 1.25)]);
        scores.iter_mut().filter(|s| s.node == "par.a2.c1").for_each(|s| s.score = None);
        match sheets.transition_with(&melinh, par, id, SheetAction::Submit, None, edits(&scores), Some(a.version)).await {
            Err(StoreError::Invalid(m)) => {
                assert!(m.contains("chưa tự chấm 1 tiêu chí: par.a2.c1"), "{label}: {m}");
                assert!(m.contains("`par.a2.c1`: tiêu chí “"), "{label}: the criterion for its field: {m}");
            }
            other => panic!("{label}: {other:?}"),
        }
        // Above the maximum (1.1 counts 2 points, 1.5 counts 1,5).
        let mut over = self_scores(par, 2024, &[("par.a1.c5", 2.25)]);
        over.truncate(6);
        match sheets.transition_with(&melinh, par, id, SheetAction::Submit, None, edits(&over), None).await {
            Err(StoreError::Invalid(m)) => {
                assert!(m.starts_with("`par.a1.c5`: tiêu chí “Sáng kiến, mô hình mới trong cải cách hành chính”"), "{label}: {m}");
                assert!(m.contains("điểm 2,25 vượt quá điểm tối đa (tối đa 1,5)"), "{label}: {m}");
            }
            other => panic!("{label}: {other:?}"),
        }
        let items = store.assessment_items(&melinh, id).await.expect("items");
        assert!(items.iter().all(|i| i.self_score.is_none() && i.evidence.is_none()), "{label}: a refused step saves nothing");
        assert_eq!(store.assessment(&melinh, id).await.expect("sheet").version, a.version, "{label}");
        assert_eq!(log().await.len(), 1, "{label}: only the creation is audited");
        // The district cannot send the unit's scores with a step of its own.
        let a = {
            let scores = self_scores(par, 2024, &[("par.a1.c5", 1.25)]);
            assert!(matches!(
                sheets.transition_with(&hanoi, par, id, SheetAction::Submit, None, edits(&scores), None).await,
                Err(StoreError::Forbidden(_))
            ));
            sheets.transition_with(&melinh, par, id, SheetAction::Submit, None, edits(&scores), Some(a.version)).await.expect("submit")
        };
        assert_eq!(a.status(), SheetStatus::Submitted, "{label}");
        let items = store.assessment_items(&melinh, id).await.expect("items");
        let c5 = items.iter().find(|i| i.node == "par.a1.c5").expect("1.5");
        assert!(close(c5.self_score, 1.25) && c5.evidence.as_deref() == Some("Báo cáo kết quả par.a1.c5"), "{label}: saved with the step");
        let own = scores.iter().filter(|s| s.score.is_some()).count();
        assert_eq!(log().await.iter().filter(|e| e.action == "self_score").count(), own + 1, "{label}: every score audited");

        // Hà Nội completes the round with its appraisal in the same form; the unit may not slip one in.
        let mut round1 = accept_all(par, 2024);
        round1.retain(|x| x.node != "par.a1.c1");
        round1.push(appraise("par.a1.c1", 1.0, Some("Kế hoạch ban hành chậm")));
        round1.extend(SURVEY.iter().map(|(c, v)| appraise(c, *v, None)));
        assert!(matches!(
            sheets.transition_with(&melinh, par, id, SheetAction::Submit, None, appr(&round1), None).await,
            Err(StoreError::Conflict(_) | StoreError::Forbidden(_))
        ));
        let a =
            sheets.transition_with(&hanoi, par, id, SheetAction::CompleteAppraisal, None, appr(&round1), None).await.expect("appraised");
        assert_eq!(a.status(), SheetStatus::Appraised, "{label}");
        let items = store.assessment_items(&melinh, id).await.expect("items");
        let c1 = items.iter().find(|i| i.node == "par.a1.c1").expect("1.1");
        assert_eq!((c1.decision.as_deref(), c1.appraisal_reason.as_deref()), (Some("adjust"), Some("Kế hoạch ban hành chậm")), "{label}");

        // Mê Linh sends its explanation with the button; Hà Nội re-appraises in the same way and finalises
        // with a conclusion, kept in the audit.
        let expl = [("par.a1.c1".to_string(), "Kế hoạch số 15/KH-UBND ban hành ngày 05/01/2024".to_string())];
        let e = SheetEdits { explanations: &expl, ..SheetEdits::default() };
        let a = sheets.transition_with(&melinh, par, id, SheetAction::Explain, None, e, None).await.expect("explained");
        assert_eq!(a.status(), SheetStatus::Explained, "{label}");
        let round2 = [appraise("par.a1.c1", 2.0, Some("Đã xem Kế hoạch 15/KH-UBND: đạt"))];
        let a =
            sheets.transition_with(&hanoi, par, id, SheetAction::CompleteAppraisal, None, appr(&round2), None).await.expect("re-appraised");
        assert_eq!(a.status(), SheetStatus::ReAppraised, "{label}");
        let a = sheets
            .transition_with(&hanoi, par, id, SheetAction::Finalise, Some("Thống nhất kết quả"), SheetEdits::default(), None)
            .await
            .expect("finalised");
        assert_eq!(a.status(), SheetStatus::Finalised, "{label}");
        let items = store.assessment_items(&melinh, id).await.expect("items");
        let c1 = items.iter().find(|i| i.node == "par.a1.c1").expect("1.1");
        assert!(close(c1.appraised_score, 2.0), "{label}");
        assert_eq!(c1.explanation.as_deref(), Some(expl[0].1.as_str()), "{label}");
        let log = log().await;
        let fin = log.iter().find(|e| e.action == "finalise").expect("finalise audited");
        assert_eq!(fin.reason.as_deref(), Some("Thống nhất kết quả"), "{label}");
        let c1_log: Vec<&str> = log.iter().rev().filter(|e| e.field.as_deref() == Some("par.a1.c1")).map(|e| e.action.as_str()).collect();
        assert_eq!(c1_log, ["self_score", "evidence", "appraise", "explain", "appraise"], "{label}");
    })
    .await;
}
