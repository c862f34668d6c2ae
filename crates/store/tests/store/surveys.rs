//! Surveys: questionnaire storage and export, scope, imports (all or nothing, errors naming line and column),
//! single-use invitation tokens, and stored estimates.

use crate::{load_tree, on_each_backend, scope_of};
use chiso_core::access::{Role, Scope};
use chiso_core::framework::FrameworkSet;
use chiso_stats::Questionnaire;
use chiso_store::StoreError;
use chiso_store::surveys::{FormLookup, NewEstimate, NewResponse, NewSurvey, ResponseImport, SurveyFilter, SurveyStatus};

const MINI: &str = include_str!("../../../../datasets/surveys/papi-mini.toml");

fn papi() -> chiso_core::framework::Framework {
    FrameworkSet::builtin().expect("frameworks").get("papi").expect("papi").clone()
}

fn row(line: u64, id: &str, unit: &str, group: Option<&str>, weight: f64, answers: &[(&str, f64)]) -> NewResponse {
    NewResponse {
        line,
        respondent_id: id.into(),
        unit_code: unit.into(),
        group: group.map(String::from),
        weight,
        answers: answers.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
    }
}

fn import(rows: Vec<NewResponse>) -> ResponseImport {
    ResponseImport {
        source_name: "r.csv".into(),
        id_column: Some(1),
        unit_column: Some(2),
        group_column: Some(3),
        weight_column: Some(4),
        rows,
    }
}

async fn new_survey(store: &chiso_store::Store, scope: &Scope, unit: &str) -> chiso_store::surveys::Survey {
    let q = Questionnaire::from_toml_str(MINI).expect("questionnaire");
    let fw = papi();
    store
        .create_survey(
            scope,
            &NewSurvey {
                unit_code: unit,
                year: 2024,
                title: "Khảo sát người dân 2024",
                questionnaire: &q,
                framework: &fw,
                extra_groups: &["doanh_nghiep".to_string()],
                draft: false,
            },
        )
        .await
        .expect("create survey")
}

#[tokio::test]
async fn questionnaire_is_stored_and_exported_back() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "X02").await;
        assert_eq!((s.unit_code.as_str(), s.framework.as_str(), s.year, s.status()), ("X02", "papi", 2024, SurveyStatus::Open), "{label}");
        let q = store.survey_questionnaire(&district, s.id).await.expect("questionnaire");
        let original = Questionnaire::from_toml_str(MINI).expect("parse");
        assert_eq!(q, original, "{label}: indicators, options, groups and title come back as imported");
        let toml = q.to_toml_string().expect("toml");
        assert_eq!(Questionnaire::from_toml_str(&toml).expect("reparse"), original, "{label}: the TOML export reads back");
        let groups = store.survey_groups(&district, s.id).await.expect("groups");
        assert_eq!(groups, ["nguoi_dan", "doanh_nghiep"], "{label}: the questionnaire's groups, then the extra ones");
        let list = store.surveys(&district, &SurveyFilter { text: Some("nguoi dan".into()), ..Default::default() }).await.expect("list");
        assert_eq!(list.len(), 1, "{label}: found without diacritics");
        assert_eq!(list[0].responses, 0);
        let audit = store.audit_of(&Scope::system("t"), "survey", &s.id.to_string()).await.expect("audit");
        assert!(audit.iter().any(|a| a.action == "create"), "{label}: creation audited");
    })
    .await;
}

#[tokio::test]
async fn nodes_must_be_sub_dimensions_of_the_year() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("t");
        let fw = papi();
        // papi.d5.s2 (construction permits) is not measured from 2021.
        let text = MINI.replacen("node = \"papi.d5.s4\"", "node = \"papi.d5.s2\"", 1);
        let q = Questionnaire::from_toml_str(&text).expect("parse");
        let e = store
            .create_survey(
                &sys,
                &NewSurvey { unit_code: "X01", year: 2023, title: "T", questionnaire: &q, framework: &fw, extra_groups: &[], draft: false },
            )
            .await
            .expect_err("node not in 2023");
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.contains("q07") && m.contains("papi.d5.s2") && m.contains("2023")),
            "{label}: {e}"
        );
        // The same questionnaire is fine for 2019, when the node was measured.
        store
            .create_survey(
                &sys,
                &NewSurvey { unit_code: "X01", year: 2019, title: "T", questionnaire: &q, framework: &fw, extra_groups: &[], draft: false },
            )
            .await
            .expect("2019");
        let none = store.surveys(&sys, &SurveyFilter { year: Some(2023), ..Default::default() }).await.expect("list");
        assert!(none.is_empty(), "{label}: nothing stored for the refused survey");
    })
    .await;
}

#[tokio::test]
async fn scope_and_permission_are_enforced() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        let commune = scope_of(&store, "X01", Role::Specialist).await;
        assert!(
            matches!(store.survey(&commune, s.id).await, Err(StoreError::OutOfScope(_))),
            "{label}: a commune cannot read the district survey"
        );
        assert!(store.surveys(&commune, &SurveyFilter::default()).await.expect("list").is_empty(), "{label}: nor list it");
        let other = scope_of(&store, "124", Role::Specialist).await;
        assert!(matches!(
            store.import_responses(&other, s.id, &import(vec![row(2, "a", "X01", None, 1.0, &[])])).await,
            Err(StoreError::OutOfScope(_))
        ));
        let viewer = scope_of(&store, "123", Role::Viewer).await;
        assert!(store.survey(&viewer, s.id).await.is_ok(), "{label}: a viewer reads");
        assert!(
            matches!(store.create_invitations(&viewer, s.id, "X01", None, 2).await, Err(StoreError::Forbidden(_))),
            "{label}: but does not invite"
        );
        assert!(matches!(store.set_survey_status(&viewer, s.id, SurveyStatus::Closed).await, Err(StoreError::Forbidden(_))));
        let q = Questionnaire::from_toml_str(MINI).expect("q");
        let fw = papi();
        let outside =
            NewSurvey { unit_code: "124", year: 2024, title: "T", questionnaire: &q, framework: &fw, extra_groups: &[], draft: false };
        assert!(
            matches!(store.create_survey(&district, &outside).await, Err(StoreError::OutOfScope(_))),
            "{label}: no survey for a unit outside"
        );
        // Invitations only for units the survey covers.
        let commune_survey = new_survey(&store, &district, "X01").await;
        let e = store.create_invitations(&district, commune_survey.id, "X02", None, 1).await.expect_err("sibling");
        assert!(matches!(&e, StoreError::Invalid(m) if m.contains("X02")), "{label}: {e}");
    })
    .await;
}

#[tokio::test]
async fn imports_store_all_rows_or_none() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        let good = vec![
            row(2, "R1", "X01", Some("nguoi_dan"), 1.0, &[("q01", 1.0), ("q03", 4.0)]),
            row(3, "R2", "X01", None, 2.5, &[("q01", 0.0)]),
            row(4, "R3", "X02", Some("doanh_nghiep"), 1.0, &[]),
            row(5, "R4", "123", Some("nguoi_dan"), 1.0, &[("q06", 3.0)]),
        ];
        let sum = store.import_responses(&district, s.id, &import(good)).await.expect("import");
        assert_eq!(sum.rows, 4);
        assert_eq!(sum.by_unit.get("X01"), Some(&2), "{label}");
        let counts = store.response_counts(&district, s.id).await.expect("counts");
        let x01: i64 = counts.iter().filter(|c| c.unit_code == "X01").map(|c| c.n).sum();
        assert_eq!(x01, 2);
        assert!(counts.iter().any(|c| c.unit_code == "X01" && c.group_code.is_none() && c.n == 1), "{label}: no-group row counted apart");
        let stored = store.survey_responses(&district, s.id).await.expect("responses");
        let r2 = stored.iter().find(|r| r.respondent_id == "R2").expect("R2");
        assert_eq!(
            (r2.weight, r2.answers.get("q01").copied(), r2.answers.len()),
            (2.5, Some(0.0), 1),
            "{label}: missing answers stay missing"
        );

        // Each bad file: an error naming line and column, and nothing more stored.
        let cases: Vec<(Vec<NewResponse>, &str)> = vec![
            (vec![row(2, "N1", "X01", None, 1.0, &[]), row(3, "N2", "124", None, 1.0, &[])], "dòng 3, cột 2 (unit)"),
            (vec![row(2, "N1", "X01", None, 1.0, &[]), row(3, "N2", "ZZZ", None, 1.0, &[])], "dòng 3, cột 2 (unit)"),
            (vec![row(2, "N1", "X01", Some("hoc_sinh"), 1.0, &[])], "dòng 2, cột 3 (group)"),
            (vec![row(2, "N1", "X01", None, 1.0, &[]), row(7, "R2", "X01", None, 1.0, &[])], "dòng 7, cột 1 (respondent_id)"),
            (vec![row(2, "N1", "X01", None, 1.0, &[]), row(3, "N1", "X01", None, 1.0, &[])], "trùng với dòng 2"),
            (vec![row(2, "N1", "X01", None, 0.0, &[])], "dòng 2, cột 4 (weight)"),
            (vec![row(2, "N1", "X01", None, 1.0, &[("q99", 1.0)])], "q99"),
            (vec![], "không có câu trả lời"),
        ];
        for (rows, expected) in cases {
            let e = store.import_responses(&district, s.id, &import(rows)).await.expect_err(expected);
            assert!(matches!(&e, StoreError::Invalid(m) if m.contains(expected)), "{label}: expected «{expected}», got: {e}");
        }
        assert_eq!(store.survey_responses(&district, s.id).await.expect("responses").len(), 4, "{label}: nothing half-stored");
        assert_eq!(store.survey_imports(&district, s.id).await.expect("imports").len(), 1, "{label}");
    })
    .await;
}

#[tokio::test]
async fn a_token_answers_once() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        let inv = store.create_invitations(&district, s.id, "X01", Some("nguoi_dan"), 3).await.expect("invite");
        assert_eq!(inv.len(), 3);
        assert!(inv.iter().all(|i| i.token.len() == 32 && i.invitation.used_at.is_none() && i.invitation.unit_code == "X01"), "{label}");
        let tokens: std::collections::HashSet<&str> = inv.iter().map(|i| i.token.as_str()).collect();
        assert_eq!(tokens.len(), 3, "{label}: distinct tokens");
        let t = inv[0].token.clone();
        let FormLookup::Open(ctx) = store.survey_form(&t).await.expect("lookup") else { panic!("{label}: open form") };
        assert_eq!((ctx.unit_code.as_str(), ctx.group_code.as_deref()), ("X01", Some("nguoi_dan")));
        assert_eq!(ctx.asked().len(), 13, "{label}: a citizen is asked every question");
        // Out of range, not an option, or unknown: refused, and the token stays unused.
        for bad in [vec![("q03".to_string(), 5.0)], vec![("q03".to_string(), 2.5)], vec![("zz".to_string(), 1.0)]] {
            assert!(matches!(store.submit_survey_form(&t, &bad).await, Err(StoreError::Invalid(_))), "{label}: {bad:?}");
        }
        assert!(matches!(store.survey_form(&t).await.expect("lookup"), FormLookup::Open(_)), "{label}: still unused");
        store.submit_survey_form(&t, &[("q03".into(), 4.0), ("q06".into(), 1.0)]).await.expect("submit");
        assert!(matches!(store.survey_form(&t).await.expect("lookup"), FormLookup::Used(_)), "{label}");
        assert!(
            matches!(store.submit_survey_form(&t, &[("q03".into(), 1.0)]).await, Err(StoreError::Conflict(_))),
            "{label}: second answer refused"
        );
        let stored = store.survey_responses(&district, s.id).await.expect("responses");
        assert_eq!(stored.len(), 1, "{label}: one response per token");
        assert_eq!(stored[0].answers.get("q03"), Some(&4.0));
        assert_eq!((stored[0].unit_code.as_str(), stored[0].group_code.as_deref(), stored[0].weight), ("X01", Some("nguoi_dan"), 1.0));
        // Unknown and malformed tokens.
        assert!(matches!(store.survey_form("0123456789abcdef0123456789abcdef").await.expect("lookup"), FormLookup::Unknown));
        assert!(matches!(store.survey_form("'; DROP TABLE survey; --").await.expect("lookup"), FormLookup::Unknown));
        // A closed survey takes no answers.
        store.set_survey_status(&district, s.id, SurveyStatus::Closed).await.expect("close");
        assert!(matches!(store.survey_form(&inv[1].token).await.expect("lookup"), FormLookup::Closed(_)), "{label}");
        assert!(matches!(store.submit_survey_form(&inv[1].token, &[]).await, Err(StoreError::Conflict(_))), "{label}");
        assert_eq!(store.survey_responses(&district, s.id).await.expect("responses").len(), 1);
        let used = store.invitations(&district, s.id).await.expect("invitations").iter().filter(|i| i.used_at.is_some()).count();
        assert_eq!(used, 1, "{label}");
    })
    .await;
}

#[tokio::test]
async fn only_a_hash_of_each_token_is_stored_and_plain_tokens_of_older_versions_keep_working() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        let inv = store.create_invitations(&district, s.id, "X01", None, 3).await.expect("invite");
        let stored = chiso_store::testing::texts(&store, "SELECT token_hash FROM survey_invitation ORDER BY id").await.expect("stored");
        assert_eq!(stored.len(), 3, "{label}");
        for (i, h) in inv.iter().zip(&stored) {
            assert!(h.len() == 64 && !h.contains(&i.token), "{label}: the token itself is not stored");
        }
        // A database upgraded from before migration 0009 holds plain tokens: put one back as it was, then
        // run what every start runs. The link handed out then still opens its form, and only its hash stays.
        let old = "00112233445566778899aabbccddeeff";
        let id = inv[0].invitation.id;
        chiso_store::testing::exec(&store, &format!("UPDATE survey_invitation SET token_hash = '{old}' WHERE id = {id}"))
            .await
            .expect("legacy");
        assert_eq!(store.hash_plain_invitation_tokens().await.expect("convert"), 1, "{label}: one plain token hashed");
        assert_eq!(store.hash_plain_invitation_tokens().await.expect("again"), 0, "{label}: nothing left on the next start");
        let stored = chiso_store::testing::texts(&store, "SELECT token_hash FROM survey_invitation ORDER BY id").await.expect("stored");
        assert!(stored.iter().all(|h| h.len() == 64 && h != old), "{label}: {stored:?}");
        let FormLookup::Open(ctx) = store.survey_form(old).await.expect("lookup") else { panic!("{label}: the old link opens its form") };
        assert_eq!(ctx.invitation_id, id, "{label}");
        assert!(matches!(store.survey_form(&inv[1].token).await.expect("lookup"), FormLookup::Open(_)), "{label}: new tokens untouched");
        // The stored hash is no key: a link made of it leads nowhere.
        assert!(matches!(store.survey_form(&stored[1]).await.expect("lookup"), FormLookup::Unknown), "{label}");
        // Unused invitations can be withdrawn; answered ones stay.
        store.submit_survey_form(&inv[1].token, &[("q01".into(), 1.0)]).await.expect("answer");
        assert_eq!(store.revoke_unused_invitations(&district, s.id).await.expect("revoke"), 2, "{label}");
        assert!(matches!(store.survey_form(old).await.expect("lookup"), FormLookup::Unknown), "{label}: revoked");
        assert!(matches!(store.survey_form(&inv[1].token).await.expect("lookup"), FormLookup::Used(_)), "{label}");
        assert_eq!(store.invitations(&district, s.id).await.expect("list").len(), 1, "{label}");
        let viewer = scope_of(&store, "123", Role::Viewer).await;
        assert!(matches!(store.revoke_unused_invitations(&viewer, s.id).await, Err(StoreError::Forbidden(_))), "{label}");
    })
    .await;
}

/// A real upgrade: a database as the version before migration 0009 left it (column `token`, plain tokens,
/// 0009 not applied) opened by this version keeps its links working and keeps only their hashes.
#[tokio::test]
async fn upgrading_a_database_with_plain_tokens_keeps_their_links() {
    let dir = std::env::temp_dir().join(format!("chiso-upgrade-0009-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut urls = vec![("sqlite", chiso_store::Store::sqlite_url_for_dir(&dir), None)];
    if let Some(pg) = chiso_store::testing::TestDb::postgres().await.expect("pg") {
        urls.push(("postgres", pg.url().expect("url"), Some(pg)));
    }
    for (label, url, keep) in urls {
        let store = chiso_store::Store::connect(&url).await.expect("open");
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        let inv = store.create_invitations(&district, s.id, "X01", None, 2).await.expect("invite");
        // Back to the state before 0009: the plain token in `token`, the migration not recorded.
        let old = "0123456789abcdef0123456789abcdef";
        let exec = |sql: String| {
            let store = store.clone();
            async move { chiso_store::testing::exec(&store, &sql).await.expect("sql") }
        };
        exec(format!("UPDATE survey_invitation SET token_hash = '{old}' WHERE id = {}", inv[0].invitation.id)).await;
        exec("ALTER TABLE survey_invitation RENAME COLUMN token_hash TO token".into()).await;
        exec("DELETE FROM _sqlx_migrations WHERE version = 9".into()).await;
        store.close().await;
        // This version opens it: 0009 runs, the start hashes the plain token.
        let store = chiso_store::Store::connect(&url).await.expect("upgrade");
        let stored = chiso_store::testing::texts(&store, "SELECT token_hash FROM survey_invitation ORDER BY id").await.expect("stored");
        assert!(stored.iter().all(|h| h.len() == 64) && !stored.iter().any(|h| h == old), "{label}: {stored:?}");
        let FormLookup::Open(ctx) = store.survey_form(old).await.expect("lookup") else { panic!("{label}: the old link opens its form") };
        assert_eq!(ctx.invitation_id, inv[0].invitation.id, "{label}");
        assert!(matches!(store.survey_form(&inv[1].token).await.expect("lookup"), FormLookup::Open(_)), "{label}");
        store.close().await;
        if let Some(pg) = keep {
            pg.cleanup().await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn concurrent_submissions_of_one_token_store_one_response() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        let t = store.create_invitations(&district, s.id, "X01", None, 1).await.expect("invite")[0].token.clone();
        let answers = vec![("q01".to_string(), 1.0)];
        let (a, b) = tokio::join!(store.submit_survey_form(&t, &answers), store.submit_survey_form(&t, &answers));
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|x| **x).count(), 1, "{label}: exactly one wins");
        assert_eq!(store.survey_responses(&district, s.id).await.expect("responses").len(), 1, "{label}");
    })
    .await;
}

#[tokio::test]
async fn estimates_are_stored_with_their_settings() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let s = new_survey(&store, &district, "123").await;
        assert!(store.latest_estimate(&district, s.id).await.expect("none").is_none());
        let report = r#"{"units":{"X01":{"n":1,"weight_sum":1.0,"estimate":{"indicators":{},"sub_dimensions":{},"dimensions":{},"total":null},"ci95":null}}}"#;
        let e = store.save_estimate(&district, s.id, &NewEstimate { bootstrap: 200, seed: 7, by_group: true, responses: 1, report }).await.expect("save");
        assert_eq!((e.bootstrap, e.seed, e.by_group, e.responses), (200, 7, true, 1), "{label}");
        let second = store.save_estimate(&district, s.id, &NewEstimate { bootstrap: 50, seed: 8, by_group: false, responses: 1, report }).await.expect("save");
        let latest = store.latest_estimate(&district, s.id).await.expect("latest").expect("some");
        assert_eq!(latest.id, second.id, "{label}");
        assert_eq!(latest.report, report);
        assert_eq!(store.estimate_runs(&district, s.id).await.expect("runs").len(), 2);
        let bad = NewEstimate { bootstrap: 1, seed: u64::MAX, by_group: false, responses: 1, report };
        assert!(matches!(store.save_estimate(&district, s.id, &bad).await, Err(StoreError::Invalid(_))), "{label}: seed beyond i64");
        let viewer = scope_of(&store, "123", Role::Viewer).await;
        let ok = NewEstimate { bootstrap: 1, seed: 1, by_group: false, responses: 1, report };
        assert!(matches!(store.save_estimate(&viewer, s.id, &ok).await, Err(StoreError::Forbidden(_))), "{label}");
        assert_eq!(store.latest_estimate(&viewer, s.id).await.expect("viewer reads").map(|e| e.id), Some(second.id));
    })
    .await;
}

/// Issue 12: a questionnaire built in the browser starts as an empty draft, is replaced whole (audited) while
/// the survey is a draft, and is locked once the survey is opened; a draft takes no import or invitation.
#[tokio::test]
async fn a_draft_questionnaire_is_replaced_until_the_survey_opens() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district = scope_of(&store, "123", Role::Specialist).await;
        let fw = papi();
        let empty = Questionnaire { framework: "papi".into(), title: None, indicators: Vec::new() };
        let new = NewSurvey {
            unit_code: "X02",
            year: 2024,
            title: "Bản nháp",
            questionnaire: &empty,
            framework: &fw,
            extra_groups: &[],
            draft: true,
        };
        let s = store.create_survey(&district, &new).await.expect("an empty draft");
        assert_eq!(s.status(), SurveyStatus::Draft, "{label}");
        // An empty questionnaire is only for drafts.
        let open = NewSurvey { draft: false, ..new };
        assert!(matches!(store.create_survey(&district, &open).await, Err(StoreError::Invalid(_))), "{label}");
        // Nothing to open yet; no invitation, no import.
        let e = store.set_survey_status(&district, s.id, SurveyStatus::Open).await.expect_err("empty questionnaire");
        assert!(e.to_string().contains("không có chỉ tiêu nào"), "{label}: {e}");
        let e = store.create_invitations(&district, s.id, "X02", None, 1).await.expect_err("draft");
        assert!(e.to_string().contains("bản nháp"), "{label}: {e}");
        let e = store.import_responses(&district, s.id, &import(vec![row(2, "r1", "X02", None, 1.0, &[])])).await.expect_err("draft");
        assert!(e.to_string().contains("bản nháp"), "{label}: {e}");
        // Replaced: sections and optional questions are kept.
        let mut q = Questionnaire::from_toml_str(MINI).expect("questionnaire");
        q.indicators[0].section = Some("Tham gia ở cơ sở".into());
        q.indicators[1].required = false;
        store.replace_questionnaire(&district, s.id, &q, &fw).await.expect("replace");
        assert_eq!(store.survey_questionnaire(&district, s.id).await.expect("read"), q, "{label}");
        assert_eq!(store.survey_groups(&district, s.id).await.expect("groups"), ["nguoi_dan"], "{label}");
        // A node the framework does not have that year is refused, and nothing changes.
        let mut bad = q.clone();
        bad.indicators[0].node = "papi.d5.s2".into();
        let e = store.replace_questionnaire(&district, s.id, &bad, &fw).await.expect_err("5.2 is not measured since 2021");
        assert!(e.to_string().contains("papi.d5.s2"), "{label}: {e}");
        assert_eq!(store.survey_questionnaire(&district, s.id).await.expect("read"), q, "{label}: unchanged");
        // A viewer cannot; the audit names the change.
        let viewer = scope_of(&store, "123", Role::Viewer).await;
        assert!(store.replace_questionnaire(&viewer, s.id, &q, &fw).await.is_err(), "{label}");
        let audit = store.audit_of(&Scope::system("t"), "survey", &s.id.to_string()).await.expect("audit");
        let change = audit.iter().find(|a| a.action == "questionnaire").expect("audited");
        assert!(change.old_value.as_deref() == Some("0 câu hỏi: —"), "{label}: {:?}", change.old_value);
        assert!(
            change.new_value.as_deref().is_some_and(|v| v.starts_with(&format!("{} câu hỏi: q01", q.indicators.len()))),
            "{label}: {change:?}"
        );
        // Opened: locked, and never back to a draft.
        store.set_survey_status(&district, s.id, SurveyStatus::Open).await.expect("open");
        let e = store.replace_questionnaire(&district, s.id, &q, &fw).await.expect_err("locked");
        assert!(
            matches!(e, StoreError::Conflict(_)) && e.to_string().contains("chỉ sửa được khi khảo sát còn là bản nháp"),
            "{label}: {e}"
        );
        assert!(store.set_survey_status(&district, s.id, SurveyStatus::Draft).await.is_err(), "{label}");
    })
    .await;
}
