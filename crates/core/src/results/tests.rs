use super::*;
use crate::framework::FrameworkSet;

const Y2022: &str = include_str!("../../../../datasets/papi/2022.csv");
const Y2023: &str = include_str!("../../../../datasets/papi/2023.csv");
const Y2024: &str = include_str!("../../../../datasets/papi/2024.csv");
const Y2018: &str = include_str!("../../../../datasets/papi/2018.csv");
const Y2019: &str = include_str!("../../../../datasets/papi/2019.csv");
const Y2021: &str = include_str!("../../../../datasets/papi/2021.csv");

fn set() -> FrameworkSet {
    FrameworkSet::builtin().expect("builtin frameworks")
}

fn parse(fw: &Framework, year: i32, text: &str) -> YearScores {
    match parse_wide_csv(fw, year, text) {
        Ok(s) => s,
        Err(e) => panic!("{year}: {e}"),
    }
}

fn refuse(fw: &Framework, year: i32, text: &str) -> ResultsError {
    match parse_wide_csv(fw, year, text) {
        Ok(_) => panic!("should be refused"),
        Err(e) => e,
    }
}

#[test]
fn papi_2024_quang_ninh_first() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let y23 = parse(papi, 2023, Y2023);
    let y24 = parse(papi, 2024, Y2024);
    let r = rank(papi, &y24, Some(&y23));
    assert_eq!(r.year, 2024);
    assert_eq!(r.previous_year, Some(2023));
    assert_eq!(r.ranked.len(), 61);
    let first = &r.ranked[0];
    assert_eq!(first.unit, "P14");
    assert_eq!(first.rank, Some(1));
    let total = first.total.expect("total");
    assert_eq!(round_to(total, 2), 47.82);
    assert_eq!(round_to(total, 4), 47.8212);
    // Total = sum of the 8 dimensions, each the sum of its sub-dimensions.
    assert_eq!(first.dimensions.len(), 8);
    let dsum: f64 = first.dimensions.values().sum();
    assert!((dsum - total).abs() < 1e-9);
    assert_eq!(round_to(first.dimensions["papi.d1"], 2), 5.87);
    assert_eq!(round_to(first.dimensions["papi.d6"], 2), 8.42);
    // Quảng Ninh was not published in 2023: no previous rank.
    assert_eq!(first.previous_rank, None);
    assert_eq!(first.rank_change, None);
    let np: Vec<&str> = r.not_published.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(np, ["P17", "P52"]);
    // rank_change > 0 means moved up.
    let hue = r.unit("P31").expect("P31");
    assert_eq!(hue.previous_rank, Some(1));
    let rank = hue.rank.expect("rank");
    assert_eq!(hue.rank_change, Some(1 - rank as i32));
    for u in &r.ranked {
        if let (Some(p), Some(c)) = (u.previous_rank, u.rank) {
            assert_eq!(u.rank_change, Some(p as i32 - c as i32));
        }
    }
}

#[test]
fn papi_2023_hue_first_and_unpublished() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let y22 = parse(papi, 2022, Y2022);
    let y23 = parse(papi, 2023, Y2023);
    let r = rank(papi, &y23, Some(&y22));
    let first = &r.ranked[0];
    assert_eq!(first.unit, "P31");
    assert_eq!(round_to(first.total.expect("total"), 4), 46.0415);
    let np: Vec<&str> = r.not_published.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(np, ["P14", "P47"]);
    assert!(r.unit("P14").is_none());
    assert_eq!(r.ranked.len(), 61);
    // Hà Nội 15th with 43.9603 (official report).
    let hn = r.unit("P01").expect("P01");
    assert_eq!(hn.rank, Some(15));
    assert_eq!(round_to(hn.total.expect("total"), 4), 43.9603);
    // Sub-dimension 5.2 is not part of 2023: not a missing value, simply absent.
    assert!(!hn.nodes.contains_key("papi.d5.s2"));
    assert_eq!(hn.nodes["papi.d5.s1"].of, 61);
    // National mean and best per node.
    let st = &r.stats["papi"];
    assert_eq!(st.count, 61);
    assert_eq!(st.best_units, ["P31"]);
    assert_eq!(st.best, first.total.expect("total"));
    let dim_means: f64 = (1..=8).map(|d| r.stats[&format!("papi.d{d}")].mean).sum();
    assert!((dim_means - st.mean).abs() < 1e-9, "mean of totals = sum of dimension means");
    let direct: f64 = r.ranked.iter().filter_map(|u| u.total).sum::<f64>() / 61.0;
    assert!((direct - st.mean).abs() < 1e-9);
}

#[test]
fn partially_published_groups_are_kept_apart() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let y18 = parse(papi, 2018, Y2018);
    let r = rank(papi, &y18, None);
    // Quảng Ninh 2018: D2 and D4 not published → no total, other dimensions ranked.
    let qn = r.unit("P14").expect("P14");
    assert_eq!(qn.total, None);
    assert_eq!(qn.rank, None);
    assert!(qn.dimensions.contains_key("papi.d1"));
    assert!(!qn.dimensions.contains_key("papi.d2"));
    assert!(r.partially_published.iter().any(|u| u.unit == "P14"));
    assert_eq!(r.ranked.len(), 61);
    assert_eq!(r.stats["papi.d1"].count, 63);
    assert_eq!(r.stats["papi.d2"].count, 61);
    // 2018 has no 8.3; D8 shares 10 between 2 sub-dimensions.
    assert!(!qn.nodes.contains_key("papi.d8.s3"));

    let y21 = parse(papi, 2021, Y2021);
    let np: Vec<&str> = y21.not_published.iter().map(String::as_str).collect();
    assert_eq!(np, ["P14", "P15", "P18"]);
    let y19 = parse(papi, 2019, Y2019);
    assert_eq!(y19.units["P01"].len(), 29);
}

#[test]
fn competition_ranking_ties_on_four_decimals() {
    let v: BTreeMap<String, f64> =
        [("a", 1.00001), ("b", 1.00004), ("c", 0.5), ("d", 2.0), ("e", 1.00006)].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let r = competition_ranks(&v);
    assert_eq!(r["d"], 1);
    assert_eq!(r["e"], 2); // 1.0001
    assert_eq!(r["a"], 3);
    assert_eq!(r["b"], 3); // 1.0000 = 1.0000
    assert_eq!(r["c"], 5);
}

/// Header plus one row of the 2023 file, with cell `col` (0-based) replaced.
fn row_with(col: usize, value: &str) -> String {
    let mut lines = Y2023.lines();
    let header = lines.next().expect("header");
    let row = lines.next().expect("row");
    let mut cells: Vec<&str> = row.split(',').collect();
    cells[col] = value;
    format!("{header}\n{}\n", cells.join(","))
}

#[test]
fn bad_files_are_refused_with_line_and_column() {
    let s = set();
    let papi = s.get("papi").expect("papi");

    let e = refuse(papi, 2023, &Y2023.replacen("SC12", "SC19", 1));
    assert_eq!((e.problems[0].line, e.problems[0].column), (1, Some(3)), "{e}");
    assert!(e.to_string().contains("SC19"), "{e}");

    let e = refuse(papi, 2023, &row_with(2, "abc"));
    let p = &e.problems[0];
    assert_eq!((p.line, p.column, p.field.as_deref()), (2, Some(3), Some("SC12")), "{e}");

    // 2023: D1 has 4 sub-dimensions → max 2.5.
    let e = refuse(papi, 2023, &row_with(1, "2.6"));
    assert_eq!(e.problems[0].column, Some(2), "{e}");
    assert!(e.problems[0].message.contains("2,6") && e.problems[0].message.contains("tối đa 2,5"), "{e}: decimal commas");
    assert!(parse_wide_csv(papi, 2023, &row_with(1, "2.5")).is_ok());
    // D5 has 3 sub-dimensions in 2023 → 3.33 allowed for SC51, but not in 2019 (4 → 2.5).
    assert!(parse_wide_csv(papi, 2023, &row_with(16, "3.3")).is_ok());
    assert!(parse_wide_csv(papi, 2019, &row_with(16, "3.3")).is_err());

    let e = refuse(papi, 2023, &row_with(1, "-0.1"));
    assert_eq!(e.problems[0].column, Some(2), "{e}");

    // 5.2 was not measured in 2023.
    let e = refuse(papi, 2023, &row_with(17, "1.5"));
    assert_eq!(e.problems[0].field.as_deref(), Some("SC52"), "{e}");

    // Partially empty dimension.
    let e = refuse(papi, 2023, &row_with(3, ""));
    let p = &e.problems[0];
    assert_eq!((p.line, p.column), (2, Some(4)), "{e}");
    assert!(p.message.contains("papi.d1"), "{e}");

    // Missing column of the year.
    let text: String = Y2023.lines().map(|l| l.rsplit_once(',').map_or(l, |(a, _)| a).to_string() + "\n").collect();
    let e = refuse(papi, 2023, &text);
    assert!(e.to_string().contains("SC83"), "{e}");

    // Duplicate unit, wrong field count.
    let mut lines = Y2023.lines();
    let (h, r1) = (lines.next().expect("h"), lines.next().expect("r"));
    let e = refuse(papi, 2023, &format!("{h}\n{r1}\n{r1}\n"));
    assert_eq!(e.problems[0].line, 3, "{e}");
    let e = refuse(papi, 2023, &format!("{h}\n{r1},1\n"));
    assert_eq!(e.problems[0].line, 2, "{e}");

    // Every problem is reported, not only the first.
    let text = format!("{h}\n{}\n", row_with(2, "x").lines().nth(1).expect("row").replace("P01", "P02"));
    let text = format!("{}{}", row_with(1, "9"), text.lines().nth(1).expect("row"));
    let e = refuse(papi, 2023, &text);
    assert_eq!(e.problems.len(), 2, "{e}");
}

#[test]
fn parsers_never_panic() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    for text in ["", "\u{feff}", "Province", "Province\nP01", "\"", "a,b\n\"x", "Province,SC11\n,,,", "💥,💥\n1,2"] {
        let _ = parse_wide_csv(papi, 2023, text);
        let _ = parse_long_csv(papi, 2023, text);
    }
    assert!(parse_wide_csv(papi, 2010, Y2023).is_err());
}

#[test]
fn long_format_matches_wide() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let wide = parse(papi, 2023, Y2023);
    let mut long = String::from("unit,node,score\n");
    for (unit, leaves) in &wide.units {
        for (code, v) in leaves {
            // Mix node codes and data columns.
            let node =
                if code.ends_with('1') { papi.node(code).and_then(|n| n.data_column.clone()).expect("column") } else { code.clone() };
            long.push_str(&format!("{unit},{node},{v}\n"));
        }
    }
    long.push_str("P14,SC11,\n");
    let parsed = parse_long_csv(papi, 2023, &long).expect("long");
    assert_eq!(parsed.units, wide.units);
    assert!(parsed.not_published.contains("P14"));

    let e = parse_long_csv(papi, 2023, "unit,node,score\nP01,SC11,1\nP01,papi.d9,1\nP01,SC12,x\n").expect_err("bad");
    let lines: Vec<u64> = e.problems.iter().map(|p| p.line).collect();
    assert!(lines.contains(&3) && lines.contains(&4), "{e}");
    // P01 has 1 of 4 values of D1: partial group.
    assert!(e.to_string().contains("papi.d1"), "{e}");
}

#[test]
fn par_score_sheet() {
    let s = set();
    let par = s.get("par_index").expect("par");
    let leaves = par.leaves_for_year(2024);
    // Everything at full score except: a1.c1 self 2 appraised 1.5; a3.c6 (survey 6) gets 4.5.
    let mut scores: Vec<LeafScore> =
        leaves.iter().map(|l| LeafScore { code: l.code.clone(), self_score: l.max, appraised_score: None }).collect();
    for sc in &mut scores {
        if sc.code == "par.a1.c1" {
            sc.appraised_score = Some(1.5);
        }
        if sc.code == "par.a3.c6" {
            sc.self_score = None;
            sc.appraised_score = Some(4.5);
        }
    }
    let sheet = score_sheet(par, 2024, &scores).expect("sheet");
    let all = sheet.overall().expect("root");
    assert_eq!(all.code, "par_index");
    assert_eq!(all.max, 100.0);
    assert!((all.appraised_score.expect("a") - 98.0).abs() < 1e-9);
    assert!((all.appraised_percent.expect("p") - 98.0).abs() < 1e-9);
    assert!((all.self_score.expect("s") - 94.0).abs() < 1e-9);
    let a1 = sheet.row("par.a1").expect("a1");
    assert!((a1.difference.expect("d") + 0.5).abs() < 1e-9);
    assert!((a1.appraised_percent.expect("p") - 13.5 / 14.0 * 100.0).abs() < 1e-9);
    let c1 = sheet.row("par.a1.c1").expect("c1");
    assert_eq!((c1.self_score, c1.appraised_score), (Some(2.0), Some(1.5)));
    assert_eq!(c1.appraised_percent, Some(75.0));
    assert_eq!(all.scored_leaves, all.leaves);

    let bad = [
        LeafScore { code: "par.a1.c1".into(), self_score: Some(2.5), appraised_score: None },
        LeafScore { code: "par.a1".into(), self_score: Some(1.0), appraised_score: None },
        LeafScore { code: "par.zz".into(), self_score: Some(1.0), appraised_score: None },
    ];
    let e = score_sheet(par, 2024, &bad).expect_err("bad");
    assert_eq!(e.problems.len(), 3, "{e}");
}

#[test]
fn ranking_json_shape() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let mut r = rank(papi, &parse(papi, 2024, Y2024), Some(&parse(papi, 2023, Y2023)));
    r.set_names(|u| (u == "P14").then(|| "Quảng Ninh".to_string()));
    let v = serde_json::to_value(&r).expect("json");
    assert_eq!(v["framework"], "papi");
    assert_eq!(v["year"], 2024);
    assert_eq!(v["ranked"][0]["unit"], "P14");
    assert_eq!(v["ranked"][0]["name"], "Quảng Ninh");
    assert_eq!(v["ranked"][0]["rank"], 1);
    assert!(v["ranked"][0]["dimensions"]["papi.d1"].is_f64());
    assert_eq!(v["not_published"][0]["unit"], "P17");
}

#[test]
fn mutated_files_never_panic() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let bytes: Vec<char> = Y2023.chars().collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..150 {
        let mut text = bytes.clone();
        for _ in 0..3 {
            let at = (next() % text.len() as u64) as usize;
            let c = [',', '"', '\n', 'x', '-', '9', ' ', 'é'][(next() % 8) as usize];
            text[at] = c;
        }
        let text: String = text.into_iter().collect();
        let _ = parse_wide_csv(papi, 2023, &text);
        let _ = parse_long_csv(papi, 2023, &text);
    }
}

const MAPPING: &str = include_str!("../../../../datasets/papi/province-units.csv");

#[test]
fn mapping_re_keys_units_and_refuses_unknown_codes_with_their_line() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let map = parse_unit_mapping(MAPPING).expect("shipped mapping");
    assert_eq!(map.len(), 63);
    let y23 = parse(papi, 2023, Y2023);
    assert_eq!(y23.lines["P01"], 2);
    assert_eq!(y23.lines["P14"], 15, "not-published units keep their line too");
    let mapped = map_unit_codes(y23.clone(), &map).expect("mapped");
    assert_eq!(mapped.units.len(), 61);
    assert_eq!(mapped.units[&map["P01"]], y23.units["P01"]);
    assert!(mapped.not_published.contains(&map["P14"]));
    assert_eq!(mapped.lines[&map["P14"]], 15);

    // A province code the mapping does not know: refused, line and column named.
    let text = Y2023.replacen("\nP05,", "\nP99,", 1);
    let data = parse(papi, 2023, &text);
    let e = map_unit_codes(data, &map).expect_err("unknown code");
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!((e.problems[0].line, e.problems[0].column), (6, Some(1)), "{e}");
    assert!(e.to_string().contains("P99"), "{e}");

    // Bad mapping files.
    let e = parse_unit_mapping("papi_code,unit_code\nP01,01\nP02,01\nP01,03\n").expect_err("dup");
    let lines: Vec<u64> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4], "{e}");
    assert!(parse_unit_mapping("").is_err());
    assert!(parse_unit_mapping("a,b,c\n1,2,3\n").is_err());
    let e = parse_unit_mapping("a,b\nP01,\n").expect_err("empty cell");
    assert_eq!(e.problems[0].column, Some(2), "{e}");
    for text in ["\"", "a,b\n\"x", "💥", "a,b\n,,,\n"] {
        let _ = parse_unit_mapping(text);
    }
}

#[test]
fn sheet_workflow_transitions() {
    use SheetAction as A;
    use SheetStatus as S;
    // The full path with the explanation round, and the short one without it.
    let mut st = S::Draft;
    for (a, expect) in [
        (A::Submit, S::Submitted),
        (A::CompleteAppraisal, S::Appraised),
        (A::Explain, S::Explained),
        (A::CompleteAppraisal, S::ReAppraised),
        (A::Finalise, S::Finalised),
    ] {
        st = next_status(st, a, false).expect("allowed");
        assert_eq!(st, expect);
    }
    assert_eq!(next_status(S::Appraised, A::Finalise, false), Ok(S::Finalised));
    // Reopen goes back to where the sheet can be changed; a finalised sheet to its last round.
    assert_eq!(next_status(S::Finalised, A::Reopen, false), Ok(S::Submitted));
    assert_eq!(next_status(S::Finalised, A::Reopen, true), Ok(S::Explained));
    assert_eq!(next_status(S::Submitted, A::Reopen, false), Ok(S::Draft));
    // Not allowed: finalising a draft, submitting twice, anything on a finalised sheet but reopen.
    assert!(next_status(S::Draft, A::Finalise, false).is_err());
    assert!(next_status(S::Submitted, A::Submit, false).is_err());
    for a in [A::Submit, A::CompleteAppraisal, A::Explain, A::Finalise] {
        assert!(next_status(S::Finalised, a, false).is_err(), "{a:?}");
    }
    assert!(next_status(S::Draft, A::Reopen, false).is_err());
    // Who edits what, when.
    assert!(S::Draft.self_scoring_open() && !S::Submitted.self_scoring_open());
    assert!(S::Submitted.appraisal_open() && S::Explained.appraisal_open() && !S::Finalised.appraisal_open());
    assert!(S::Appraised.explanation_open() && !S::Finalised.explanation_open());
    for s in S::ALL {
        assert_eq!(S::parse(s.as_str()), Some(s));
    }
    for a in A::ALL {
        assert_eq!(A::parse(a.as_str()), Some(a));
    }
    assert_eq!(A::Submit.actor(), Actor::Unit);
    assert_eq!(A::Finalise.actor(), Actor::Appraiser);
}

#[test]
fn change_is_taken_against_the_last_year_a_unit_was_published() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let (y22, y23, y24) = (parse(papi, 2022, Y2022), parse(papi, 2023, Y2023), parse(papi, 2024, Y2024));
    let r = rank_with_history(papi, &y24, &[&y22, &y23]);
    assert_eq!(r.previous_year, Some(2023));
    // Quảng Ninh: first in 2022, not published in 2023, first again in 2024.
    let qn = &r.ranked[0];
    assert_eq!(qn.unit, "P14");
    assert_eq!((qn.previous_rank, qn.previous_year, qn.rank_change), (Some(1), Some(2022), Some(0)));
    let prev_total = qn.previous_total.expect("2022 total");
    assert_eq!(round_to(prev_total, 4), 47.8763);
    assert!((qn.total_change.expect("change") - (qn.total.expect("total") - prev_total)).abs() < 1e-12);
    // Units published in 2023 are compared with 2023, exactly as with `rank`.
    let plain = rank(papi, &y24, Some(&y23));
    for u in &r.ranked {
        let p = plain.unit(&u.unit).expect("same units");
        if p.previous_rank.is_some() {
            assert_eq!((u.previous_rank, u.previous_year), (p.previous_rank, Some(2023)), "{}", u.unit);
        }
    }
    // Years after the current one are ignored.
    let r23 = rank_with_history(papi, &y23, &[&y24, &y22]);
    assert_eq!(r23.previous_year, Some(2022));
    assert!(r23.ranked.iter().all(|u| u.previous_year.is_none_or(|y| y == 2022)));
}

#[test]
fn rank_change_in_words() {
    assert_eq!(rank_change_vi(6), "tăng 6 bậc");
    assert_eq!(rank_change_vi(-2), "giảm 2 bậc");
    assert_eq!(rank_change_vi(0), "giữ nguyên");
    assert_eq!(rank_change_vi(i32::MIN), "giảm 2147483648 bậc");
}

fn scope_at(role: crate::access::Role, unit_id: i64, path: &str) -> crate::access::Scope {
    crate::access::Scope {
        user_id: Some(1),
        actor: "t".into(),
        role,
        reach: crate::access::Reach::Subtree { unit_id, path: path.into() },
        agency_id: None,
    }
}

#[test]
fn self_assessment_and_appraisal_are_done_by_different_units() {
    use crate::access::Role;
    // A commune (id 5) under a district (id 3) under the province (id 1).
    let commune = SheetUnit { id: 5, name: "Xã A", path: "/1/3/5/" };
    let district = scope_at(Role::Specialist, 3, "/1/3/");
    let own = scope_at(Role::Specialist, 5, "/1/3/5/");
    let province = scope_at(Role::Specialist, 1, "/1/");
    // The district has both permissions and reaches the commune, yet only appraises.
    assert!(!is_unit_side(&district, commune), "the superior does not self-score for the commune");
    assert!(is_appraiser(&district, commune));
    assert!(check_side(&district, commune, Actor::Unit).is_err());
    // The commune self-scores and never appraises itself.
    assert!(is_unit_side(&own, commune));
    assert!(!is_appraiser(&own, commune));
    assert!(check_side(&own, commune, Actor::Appraiser).is_err());
    // Higher up appraises too; the system (no home unit) never self-scores.
    assert!(is_appraiser(&province, commune) && !is_unit_side(&province, commune));
    let sys = crate::access::Scope::system("t");
    assert!(is_appraiser(&sys, commune) && !is_unit_side(&sys, commune));
    // Agency staff of the commune self-score but cannot appraise (no permission).
    let staff = scope_at(Role::AgencyStaff, 5, "/1/3/5/");
    assert!(is_unit_side(&staff, commune) && !is_appraiser(&staff, commune));
    // No scope holds both sides of one sheet.
    for s in [&district, &own, &province, &sys, &staff] {
        assert!(!(is_unit_side(s, commune) && is_appraiser(s, commune)));
    }
    assert_eq!(allowed_actions(&district, commune, SheetStatus::Draft, false), vec![]);
    assert_eq!(allowed_actions(&own, commune, SheetStatus::Draft, false), vec![SheetAction::Submit]);
    assert_eq!(parent_path("/1/3/5/"), "/1/3/");
    assert_eq!(parent_path("/1/"), "/");
}

#[test]
fn a_file_with_only_a_header_is_refused() {
    let set = set();
    let papi = set.get("papi").expect("papi");
    let header = Y2024.lines().next().expect("header");
    let e = refuse(papi, 2024, &format!("{header}\n"));
    assert!(e.to_string().contains("chỉ có dòng tiêu đề"), "{e}");
    match parse_long_csv(papi, 2024, "unit,node,score\n") {
        Ok(_) => panic!("a long file with only its header must be refused"),
        Err(e) => assert!(e.to_string().contains("chỉ có dòng tiêu đề"), "{e}"),
    }
    assert_eq!(default_mapping(papi), Some(PAPI_PROVINCE_MAPPING));
    assert_eq!(default_mapping(set.get("par_index").expect("par")), None);
}

#[test]
fn only_a_system_wide_administrator_imports_official_results() {
    use crate::access::Role;
    assert!(check_may_import(&crate::access::Scope::system("t")).is_ok());
    let district_admin = scope_at(Role::Admin, 3, "/1/3/");
    assert!(check_may_import(&district_admin).is_err(), "a subtree cannot claim national data");
    let mut specialist = scope_at(Role::Specialist, 3, "/1/3/");
    specialist.reach = crate::access::Reach::All;
    let e = check_may_import(&specialist).expect_err("a specialist may not import");
    assert!(e.contains("quản trị hệ thống"), "{e}");
}

#[test]
fn removing_published_units_is_detected() {
    let set = set();
    let papi = set.get("papi").expect("papi");
    let old = parse(papi, 2024, Y2024);
    let mut new = old.clone();
    let gone: Vec<String> = new.units.keys().take(2).cloned().collect();
    for g in &gone {
        new.units.remove(g);
    }
    new.not_published.insert(gone[1].clone());
    assert_eq!(removed_units(&old, &new), gone);
    assert!(removed_units(&old, &old).is_empty());
}

#[test]
fn a_sheet_is_ready_for_a_step_only_when_every_criterion_is() {
    let set = set();
    let par = set.get("par_index").expect("par");
    let leaves: Vec<Node> = par.leaves_for_year(2024).into_iter().cloned().collect();
    let nothing = |_: &str| None;
    let p = not_ready(SheetAction::Submit, &leaves, &nothing);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].starts_with("chưa tự chấm"));
    let done = |_: &str| Some(ItemState { self_scored: true, evidenced: true, decided: true, appraised: true });
    for a in SheetAction::ALL {
        assert!(not_ready(a, &leaves, &done).is_empty(), "{a:?}");
    }
    // Survey criteria are not self-assessed, but finalising needs their (survey) score.
    let own_only = |code: &str| {
        let survey = leaves.iter().any(|l| l.code == code && l.source == Source::Survey);
        Some(ItemState { self_scored: !survey, evidenced: !survey, decided: !survey, appraised: !survey })
    };
    assert!(not_ready(SheetAction::Submit, &leaves, &own_only).is_empty());
    assert!(not_ready(SheetAction::CompleteAppraisal, &leaves, &own_only).is_empty());
    assert!(not_ready(SheetAction::Finalise, &leaves, &own_only)[0].contains("điều tra xã hội học"));
}

#[test]
fn a_score_out_of_range_names_the_criterion_and_its_maximum_with_a_decimal_comma() {
    let set = set();
    let par = set.get("par_index").expect("par");
    let leaves = par.leaves_for_year(2024);
    let c5 = leaves.iter().find(|l| l.max == Some(1.5)).expect("a criterion of 1,5 points");
    assert!(check_score(c5, 1.5).is_ok() && check_score(c5, 0.0).is_ok());
    let e = check_score(c5, 2.25).expect_err("above the maximum");
    assert!(e.starts_with(&format!("`{}`: tiêu chí “{}”", c5.code, c5.name_vi)), "{e}");
    assert!(e.contains("điểm 2,25 vượt quá điểm tối đa (tối đa 1,5)"), "{e}");
    assert!(!e.contains("1.5") && !e.contains("out of range"), "{e}");
    assert!(check_score(c5, -1.0).expect_err("negative").contains("không được âm"));
    assert!(check_score(c5, f64::NAN).is_err());
    assert_eq!(score_vi(2.5), "2,5");
    assert_eq!(score_vi(2.0), "2");
    assert_eq!(score_vi(0.125), "0,125");
    assert_eq!(score_vi(1.0 / 3.0), "0,3333");
}

#[test]
fn a_step_that_is_not_ready_names_each_criterion_for_its_field() {
    let set = set();
    let par = set.get("par_index").expect("par");
    let leaves: Vec<Node> = par.leaves_for_year(2024).into_iter().cloned().collect();
    let first = leaves.iter().find(|l| l.source != Source::Survey).expect("a self-assessed criterion").clone();
    let all_but_first = |code: &str| {
        let done = code != first.code;
        Some(ItemState { self_scored: done, evidenced: true, decided: done, appraised: true })
    };
    let parts = not_ready_criteria(SheetAction::Submit, &leaves, &all_but_first);
    assert_eq!(parts, vec![format!("`{}`: tiêu chí “{}”: chưa tự chấm điểm", first.code, first.name_vi)]);
    assert_eq!(not_ready(SheetAction::Submit, &leaves, &all_but_first), vec![format!("chưa tự chấm 1 tiêu chí: {}", first.code)]);
    assert_eq!(not_ready_criteria(SheetAction::CompleteAppraisal, &leaves, &all_but_first).len(), 1);
    assert!(not_ready_criteria(SheetAction::Finalise, &leaves, &all_but_first).is_empty());
    assert!(not_ready_criteria(SheetAction::Explain, &leaves, &|_| None).is_empty());
}
