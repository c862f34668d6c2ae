//! Survey engine: estimates computed by hand, intervals, reproducibility, bad input.

use std::collections::HashSet;
use std::fmt::Write as _;

use chiso_stats::{
    Questionnaire, ResponseErrorKind, Responses, ScoreOptions, Structure, SurveyError, nanpercentiles, percentile_sorted, score,
};

/// Five indicators over two dimensions:
/// d1.s1 = q1 (1–4) and q2 (0–1, reversed); d1.s2 = q3 (1–5); d2.s1 = q4 (0–10); d2.s2 = q5 (1–4).
const Q: &str = r#"
framework = "papi"
title = "Khảo sát thử"

[[indicator]]
code = "q1"
node = "papi.d1.s1"
min = 1
max = 4
direction = 1
text = "Ông/bà có biết về …?"
options = [{ label = "Không biết", value = 1 }, { label = "Biết ít", value = 2 }, { label = "Biết", value = 3 }, { label = "Biết rõ", value = 4 }]

[[indicator]]
code = "q2"
node = "papi.d1.s1"
min = 0
max = 1
direction = -1
groups = ["nguoi_dan"]

[[indicator]]
code = "q3"
node = "papi.d1.s2"
min = 1
max = 5
direction = 1

[[indicator]]
code = "q4"
node = "papi.d2.s1"
min = 0
max = 10
direction = 1

[[indicator]]
code = "q5"
node = "papi.d2.s2"
min = 1
max = 4
direction = 1
"#;

/// U01: three respondents; U02: two, nobody answered q5, one q1 out of the scale (5 > 4).
const R: &str = "respondent_id,unit,group,weight,q1,q2,q3,q4,q5
R1,U01,a,1,4,0,3,10,1
R2,U01,b,2,1,1,,5,4
R3,U01,a,1,,1,5,0,2
R4,U02,a,0.5,5,0,1,2,
R5,U02,b,1.5,2,,2,8,
";

fn q() -> Questionnaire {
    Questionnaire::from_toml_str(Q).expect("questionnaire")
}

fn read(q: &Questionnaire, csv: &str) -> Result<Responses, SurveyError> {
    Responses::from_csv_reader(q, csv.as_bytes(), None, None)
}

fn no_bootstrap() -> ScoreOptions {
    ScoreOptions { bootstrap: 0, ..ScoreOptions::default() }
}

fn approx(a: Option<f64>, b: f64) {
    let a = a.expect("defined value");
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn estimates_match_hand_computation() {
    let q = q();
    let r = read(&q, R).expect("responses");
    let s = Structure::from_node_codes(&q);
    let rep = score(&q, &r, &s, &no_bootstrap()).expect("score");

    let u1 = rep.units.get("U01").expect("U01");
    assert_eq!(u1.n, 3);
    approx(Some(u1.weight_sum), 4.0);
    let e = &u1.estimate;
    // q1: y = (x−1)/3 → R1 1, R2 0 (R3 missing): (1·1 + 2·0)/3.
    approx(*e.indicators.get("q1").expect("q1"), 1.0 / 3.0);
    // q2 reversed: y = 1 − x → R1 1, R2 0, R3 0: 1/4.
    approx(*e.indicators.get("q2").expect("q2"), 0.25);
    // q3: R1 0.5, R3 1 (R2 missing): (0.5 + 1)/2.
    approx(*e.indicators.get("q3").expect("q3"), 0.75);
    // q4: R1 1, R2 0.5, R3 0: (1 + 1 + 0)/4.
    approx(*e.indicators.get("q4").expect("q4"), 0.5);
    // q5: R1 0, R2 1, R3 1/3: (0 + 2 + 1/3)/4.
    approx(*e.indicators.get("q5").expect("q5"), 7.0 / 12.0);
    // d1.s1: n = (1/3 + 1/4)/2 = 7/24, k = 2 → (1 + 9·7/24)/2 = 1.8125; d1.s2: (1 + 6.75)/2.
    approx(*e.sub_dimensions.get("papi.d1.s1").expect("s"), 1.8125);
    approx(*e.sub_dimensions.get("papi.d1.s2").expect("s"), 3.875);
    approx(*e.dimensions.get("papi.d1").expect("d"), 5.6875);
    // d2.s1: (1 + 4.5)/2; d2.s2: (1 + 9·7/12)/2.
    approx(*e.sub_dimensions.get("papi.d2.s1").expect("s"), 2.75);
    approx(*e.sub_dimensions.get("papi.d2.s2").expect("s"), 3.125);
    approx(*e.dimensions.get("papi.d2").expect("d"), 5.875);
    approx(e.total, 11.5625);

    let u2 = rep.units.get("U02").expect("U02");
    assert_eq!(u2.n, 2);
    approx(Some(u2.weight_sum), 2.0);
    let e = &u2.estimate;
    // q1: R4 5 clipped to 1, R5 1/3: (0.5·1 + 1.5/3)/2.
    approx(*e.indicators.get("q1").expect("q1"), 0.5);
    approx(*e.indicators.get("q2").expect("q2"), 1.0);
    // q3: R4 0, R5 0.25: (0 + 1.5·0.25)/2.
    approx(*e.indicators.get("q3").expect("q3"), 0.1875);
    approx(*e.indicators.get("q4").expect("q4"), 0.65);
    // Nobody answered q5: undefined, and so is its sub-dimension.
    assert_eq!(*e.indicators.get("q5").expect("q5"), None);
    assert_eq!(*e.sub_dimensions.get("papi.d2.s2").expect("s"), None);
    approx(*e.sub_dimensions.get("papi.d1.s1").expect("s"), 3.875);
    approx(*e.sub_dimensions.get("papi.d1.s2").expect("s"), 1.34375);
    approx(*e.dimensions.get("papi.d1").expect("d"), 5.21875);
    // d2 has one defined sub-dimension: k = 1, its score is 1 + 9n.
    approx(*e.sub_dimensions.get("papi.d2.s1").expect("s"), 6.85);
    approx(*e.dimensions.get("papi.d2").expect("d"), 6.85);
    approx(e.total, 12.06875);

    // Small samples are flagged; the out-of-scale answer is reported.
    assert!(u1.warnings.iter().any(|w| w.contains("cỡ mẫu nhỏ")));
    assert!(rep.warnings.iter().any(|w| w.contains("q1") && w.contains('5')));
    assert!(u1.ci95.is_none());
}

#[test]
fn a_dimension_without_data_makes_the_total_undefined() {
    let q = q();
    let r = read(&q, R).expect("responses");
    let mut s = Structure::from_node_codes(&q);
    s.dimensions.push(("papi.d3".into(), vec!["papi.d3.s1".into()]));
    let rep = score(&q, &r, &s, &no_bootstrap()).expect("score");
    let e = &rep.units.get("U01").expect("U01").estimate;
    assert_eq!(*e.dimensions.get("papi.d3").expect("d3"), None);
    assert_eq!(e.total, None);
    approx(*e.dimensions.get("papi.d1").expect("d1"), 5.6875);

    // An indicator whose node is not in the structure is refused.
    let s = Structure { dimensions: vec![("papi.d1".into(), vec!["papi.d1.s1".into()])] };
    match score(&q, &r, &s, &no_bootstrap()) {
        Err(SurveyError::Structure(m)) => assert!(m.contains("q3") && m.contains("papi.d1.s2")),
        other => panic!("expected a structure error, got {other:?}"),
    }
}

#[test]
fn structure_from_nodes_is_in_natural_order() {
    let mut text = String::from("framework = \"papi\"\n");
    for (i, node) in ["papi.d10.s2", "papi.d2.s1", "papi.d10.s1", "papi.d2.s1"].iter().enumerate() {
        let _ = write!(text, "[[indicator]]\ncode = \"x{i}\"\nnode = \"{node}\"\nmin = 0\nmax = 1\ndirection = 1\n");
    }
    let q = Questionnaire::from_toml_str(&text).expect("questionnaire");
    let s = Structure::from_node_codes(&q);
    assert_eq!(
        s.dimensions,
        vec![
            ("papi.d2".to_string(), vec!["papi.d2.s1".to_string()]),
            ("papi.d10".to_string(), vec!["papi.d10.s1".to_string(), "papi.d10.s2".to_string()]),
        ]
    );
}

#[test]
fn structure_from_the_papi_framework() {
    let set = chiso_core::framework::FrameworkSet::builtin().expect("frameworks");
    let papi = set.get("papi").expect("papi");
    let s = Structure::from_framework_tree(&papi.tree_for_year(Some(2021)));
    assert_eq!(s.dimensions.len(), 8);
    assert_eq!(s.sub_dimension_count(), 28);
    let d5 = s.dimensions.iter().find(|(d, _)| d == "papi.d5").expect("d5");
    // 5.2 (construction permits) is no longer measured from 2021.
    assert!(!d5.1.iter().any(|c| c == "papi.d5.s2"));
    // The questionnaire measures two dimensions of eight: the total is undefined.
    let q = q();
    let r = read(&q, R).expect("responses");
    let rep = score(&q, &r, &s, &no_bootstrap()).expect("score");
    let e = &rep.units.get("U01").expect("U01").estimate;
    assert_eq!(e.total, None);
    assert_eq!(e.dimensions.len(), 8);
    approx(*e.dimensions.get("papi.d1").expect("d1"), 5.6875);
}

#[test]
fn groups_are_estimated_within_each_unit() {
    let q = q();
    let r = read(&q, R).expect("responses");
    let s = Structure::from_node_codes(&q);
    let opts = ScoreOptions { by_group: true, bootstrap: 50, ..ScoreOptions::default() };
    let rep = score(&q, &r, &s, &opts).expect("score");
    let groups = rep.units.get("U01").and_then(|u| u.groups.as_ref()).expect("groups");
    assert_eq!(groups.keys().collect::<Vec<_>>(), ["a", "b"]);
    // U01/a = R1 and R3 (weight 1 each): q1 only R1 → 1; q2: (1 + 0)/2; q3: (0.5 + 1)/2.
    let a = groups.get("a").expect("a");
    assert_eq!(a.n, 2);
    approx(*a.estimate.indicators.get("q1").expect("q1"), 1.0);
    approx(*a.estimate.indicators.get("q2").expect("q2"), 0.5);
    approx(*a.estimate.indicators.get("q3").expect("q3"), 0.75);
    // d1.s1: n = 0.75 → (1 + 6.75)/2; d1.s2: n = 0.75 → same; d1 = 7.75.
    approx(*a.estimate.dimensions.get("papi.d1").expect("d1"), 7.75);
    // The same as scoring a file with only those rows.
    let only_a = "respondent_id,unit,group,weight,q1,q2,q3,q4,q5
R1,U01,a,1,4,0,3,10,1
R3,U01,a,1,,1,5,0,2
";
    let ra = read(&q, only_a).expect("responses");
    let ea = score(&q, &ra, &s, &no_bootstrap()).expect("score");
    assert_eq!(ea.units.get("U01").expect("U01").estimate, a.estimate, "group estimate = unit estimate of the group's rows");
    // JSON shape: "groups" inside the unit, same shape as a unit.
    let json = serde_json::to_value(&rep).expect("json");
    let g = &json["units"]["U01"]["groups"]["b"];
    assert_eq!(g["n"], 1);
    assert!(g["ci95"]["dimensions"]["papi.d1"].is_array());
}

#[test]
fn report_has_the_promised_json_shape() {
    let q = q();
    let r = read(&q, R).expect("responses");
    let s = Structure::from_node_codes(&q);
    let opts = ScoreOptions { bootstrap: 40, seed: 3, ..ScoreOptions::default() };
    let rep = score(&q, &r, &s, &opts).expect("score");
    let v = serde_json::to_value(&rep).expect("json");
    let u = &v["units"]["U02"];
    let mut keys: Vec<&str> = u.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["ci95", "estimate", "n", "warnings", "weight_sum"]);
    let mut est: Vec<&str> = u["estimate"].as_object().expect("object").keys().map(String::as_str).collect();
    est.sort();
    assert_eq!(est, ["dimensions", "indicators", "shares", "sub_dimensions", "total"]);
    assert!(u["estimate"]["indicators"]["q5"].is_null());
    assert!(u["estimate"]["sub_dimensions"]["papi.d2.s2"].is_null());
    assert!(u["ci95"]["sub_dimensions"]["papi.d2.s2"].is_null());
    let total = u["ci95"]["total"].as_array().expect("[lo, hi]");
    assert_eq!(total.len(), 2);
    // Keys keep the structure order.
    let dims: Vec<&String> = v["units"]["U01"]["estimate"]["dimensions"].as_object().expect("object").keys().collect();
    assert_eq!(dims, ["papi.d1", "papi.d2"]);
    // The report reads back.
    let back: chiso_stats::Report = serde_json::from_value(v).expect("read back");
    assert_eq!(back, rep);
}

/// Responses of `units` units with `per_unit` respondents, deterministic, some missing.
fn synthetic_csv(units: usize, per_unit: usize, quoted: bool) -> String {
    let mut s = String::from("respondent_id,unit,group,weight,q1,q2,q3,q4,q5\n");
    let mut x: u64 = 0x9e37_79b9;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..units * per_unit {
        let u = i % units;
        let g = if next() % 3 == 0 { "a" } else { "b" };
        let w = 0.5 + (next() % 1000) as f64 / 1000.0;
        let mut cells = Vec::new();
        for (lo, hi) in [(1, 4), (0, 1), (1, 5), (0, 10), (1, 4)] {
            if next() % 20 == 0 {
                cells.push(String::new());
            } else {
                let span = hi - lo + 1;
                let bias = (u as u64) % 2;
                let v = lo + ((next() % span as u64 + bias).min(span as u64 - 1)) as i32;
                cells.push(v.to_string());
            }
        }
        let unit = format!("U{:02}", u + 1);
        if quoted {
            let _ = writeln!(s, "\"R{i}\",\"{unit}\",\"{g}\",{w},{}", cells.join(","));
        } else {
            let _ = writeln!(s, "R{i},{unit},{g},{w},{}", cells.join(","));
        }
    }
    s
}

#[test]
fn intervals_are_reproducible_across_thread_counts() {
    let q = q();
    let r = read(&q, &synthetic_csv(3, 400, false)).expect("responses");
    let s = Structure::from_node_codes(&q);
    let opts = ScoreOptions { bootstrap: 203, seed: 7, by_group: true, ..ScoreOptions::default() };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        pool.install(|| score(&q, &r, &s, &opts).expect("score"))
    };
    let one = run(1);
    let two = run(2);
    let three = run(3);
    assert_eq!(one, two);
    assert_eq!(one, three);
    assert_eq!(serde_json::to_string(&one).expect("json"), serde_json::to_string(&two).expect("json"));
    // Another seed gives other intervals.
    let other = score(&q, &r, &s, &ScoreOptions { seed: 8, ..opts.clone() }).expect("score");
    let ci = |rep: &chiso_stats::Report| rep.units.get("U01").and_then(|u| u.ci95.as_ref()).and_then(|c| c.total);
    assert_ne!(ci(&one), ci(&other));
    // A unit's intervals do not depend on the other units in the file.
    let full = synthetic_csv(3, 400, false);
    let only_u02: String =
        full.lines().enumerate().filter(|(i, l)| *i == 0 || l.contains(",U02,")).map(|(_, l)| format!("{l}\n")).collect();
    let r2 = read(&q, &only_u02).expect("responses");
    let alone = score(&q, &r2, &s, &opts).expect("score");
    // Same draws; only the order of floating-point additions may differ (the answer codes
    // seen in the file decide how indicators are packed), so compare to rounding.
    let close = |a: &chiso_stats::UnitReport, b: &chiso_stats::UnitReport| {
        let (a, b) = (a.ci95.as_ref().expect("ci"), b.ci95.as_ref().expect("ci"));
        let mut pairs: Vec<([f64; 2], [f64; 2])> = vec![(a.total.expect("total"), b.total.expect("total"))];
        for ((_, x), (_, y)) in a.sub_dimensions.0.iter().zip(&b.sub_dimensions.0) {
            pairs.push((x.expect("ci"), y.expect("ci")));
        }
        for (x, y) in pairs {
            for i in 0..2 {
                assert!((x[i] - y[i]).abs() < 1e-12, "{x:?} vs {y:?}");
            }
        }
    };
    close(alone.units.get("U02").expect("U02"), one.units.get("U02").expect("U02"));
}

#[test]
fn intervals_bracket_the_estimates() {
    let q = q();
    let r = read(&q, &synthetic_csv(2, 1500, false)).expect("responses");
    let s = Structure::from_node_codes(&q);
    let opts = ScoreOptions { bootstrap: 300, seed: 11, ..ScoreOptions::default() };
    let rep = score(&q, &r, &s, &opts).expect("score");
    for (_, u) in &rep.units.0 {
        let ci = u.ci95.as_ref().expect("ci");
        let [lo, hi] = ci.total.expect("total ci");
        let t = u.estimate.total.expect("total");
        assert!(lo < t && t < hi, "{lo} < {t} < {hi}");
        // With 1500 respondents the interval is narrow but not degenerate.
        assert!(hi - lo > 0.05 && hi - lo < 3.0, "width {}", hi - lo);
        for (code, iv) in &ci.sub_dimensions.0 {
            let [lo, hi] = iv.expect("sub ci");
            let e = u.estimate.sub_dimensions.get(code).copied().flatten().expect("e");
            assert!(lo <= e && e <= hi, "{code}: {lo} ≤ {e} ≤ {hi}");
        }
    }
}

#[test]
fn percentiles_match_numpy() {
    // Reference values from numpy 2.4 `np.nanpercentile(a, q)` (method "linear").
    let a = [3.1, -2.0, 7.25, 0.5, 10.0, 4.4, 4.4, -1.5, 8.8, 2.2, 6.0];
    let got = nanpercentiles(&a, [2.5, 97.5, 50.0, 33.3, 0.0, 100.0]).expect("values");
    assert_eq!(got, [-1.875, 9.7, 4.4, 2.497, -2.0, 10.0]);
    let b = [1.0, f64::NAN, 2.0, 3.0, f64::NAN, 10.0];
    let got = nanpercentiles(&b, [2.5, 97.5, 25.0, 75.0]).expect("values");
    assert_eq!(got, [1.075, 9.474999999999998, 1.75, 4.75]);
    let c = [
        -5.4, -21.0, -5.8, 0.0, 11.9, -10.1, 6.7, 8.0, -7.0, -1.9, 17.7, 17.2, 8.6, 3.3, 11.4, -1.4, -1.0, -8.6, 0.1, -0.8, 27.7, -1.9,
        12.7, 13.2, -1.9, 11.7, -21.8, 0.9, 8.6, -24.0, -11.6, 10.6, -2.6, -11.0, -3.7, -5.4, 7.2,
    ];
    let got = nanpercentiles(&c, [2.5, 97.5]).expect("values");
    assert_eq!(got, [-22.02, 18.700000000000014]);
    assert_eq!(nanpercentiles(&[f64::NAN, f64::NAN], [50.0]), None);
    assert_eq!(percentile_sorted(&[2.0], 97.5), Some(2.0));
}

#[test]
fn parallel_blocks_quoted_files_and_rows_agree() {
    // Big enough for several 4 MB blocks in the parallel reader.
    let q = q();
    let plain = synthetic_csv(5, 140_000, false);
    assert!(plain.len() > 20 << 20);
    let a = read(&q, &plain).expect("plain");
    // Quotes switch to the sequential csv parser.
    let b = read(&q, &synthetic_csv(5, 140_000, true)).expect("quoted");
    // Row by row through the builder.
    let mut lines = plain.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let mut builder = Responses::builder(&q, &header, None).expect("builder");
    for l in lines {
        let fields: Vec<&str> = l.split(',').collect();
        builder.push_row(&fields).expect("row");
    }
    let c = builder.finish().expect("finish");
    assert_eq!(a.len(), 700_000);
    let s = Structure::from_node_codes(&q);
    let opts = ScoreOptions { bootstrap: 16, by_group: true, ..ScoreOptions::default() };
    let ra = score(&q, &a, &s, &opts).expect("score");
    assert_eq!(ra, score(&q, &b, &s, &opts).expect("score"));
    assert_eq!(ra, score(&q, &c, &s, &opts).expect("score"));
    assert!(a.records().eq(c.records()));
}

#[test]
fn csv_variants_are_read_alike() {
    let q = q();
    let base = read(&q, R).expect("responses");
    // Semicolons, a BOM, CRLF line ends, spaces, decimal commas, option labels, upper-case
    // headers, ignored `_` columns, an empty line.
    let variant = "\u{feff}Respondent_ID;UNIT;Group;Weight;Q1;q2;q3;q4;q5;_uuid\r
R1;U01;a;1;Biết rõ;0;3;10;1;x\r
R2;U01;b;2,0;1; 1 ;;5;4;y\r
\r
R3;U01;a;1;;1;5;0;2;z\r
R4;U02;a;0,5;5;0;1;2;;w\r
R5;U02;b;1.5;biết ít;;2;8;;v\r
";
    let other = read(&q, variant).expect("variant");
    let s = Structure::from_node_codes(&q);
    assert_eq!(score(&q, &base, &s, &no_bootstrap()).expect("a"), score(&q, &other, &s, &no_bootstrap()).expect("b"));
    let rec: Vec<_> = other.records().collect();
    assert_eq!(rec.len(), 5);
    assert_eq!(rec[0].respondent_id, "R1");
    assert_eq!(rec[0].answers[0], Some(4.0));
    assert_eq!(rec[1].answers[2], None);
    assert_eq!(rec[1].group, Some("b"));
}

#[test]
fn free_numeric_answers_get_exact_means() {
    // 300 distinct values: more than a byte of codes.
    let text = "framework = \"papi\"
[[indicator]]
code = \"minutes\"
node = \"papi.d5.s1\"
min = 0
max = 600
direction = -1
[[indicator]]
code = \"ok\"
node = \"papi.d5.s1\"
min = 0
max = 1
direction = 1
";
    let q = Questionnaire::from_toml_str(text).expect("questionnaire");
    let mut csv = String::from("respondent_id,unit,weight,minutes,ok\n");
    let mut sum_wy = 0.0;
    let mut sum_w = 0.0;
    for i in 0..300 {
        let minutes = i as f64 * 2.5 + 0.25;
        let w = 1.0 + (i % 3) as f64;
        let _ = writeln!(csv, "R{i},U1,{w},{minutes},{}", i % 2);
        sum_wy += w * (1.0 - (minutes / 600.0).clamp(0.0, 1.0));
        sum_w += w;
    }
    let r = read(&q, &csv).expect("responses");
    let rep = score(&q, &r, &Structure::from_node_codes(&q), &ScoreOptions { bootstrap: 20, ..ScoreOptions::default() }).expect("score");
    let u = rep.units.get("U1").expect("U1");
    let m = u.estimate.indicators.get("minutes").copied().flatten().expect("mean");
    assert!((m - sum_wy / sum_w).abs() < 1e-12);
    assert!(u.ci95.as_ref().and_then(|c| c.total).is_some());
    let rec = r.records().nth(7).expect("record");
    assert_eq!(rec.answers[0], Some(7.0 * 2.5 + 0.25));
}

// ----------------------------------------------------------------------------------- bad input

fn response_error(q: &Questionnaire, csv: &str) -> chiso_stats::ResponseError {
    match read(q, csv) {
        Err(SurveyError::Responses(e)) => *e,
        other => panic!("expected a response error, got {other:?}"),
    }
}

#[test]
fn bad_responses_name_line_and_column() {
    let q = q();
    let head = "respondent_id,unit,group,weight,q1,q2,q3,q4,q5\n";

    let e = response_error(&q, "respondent_id,unit,weight,q1,q9\nR1,U1,1,2,3\n");
    assert_eq!((e.line, e.column), (1, Some(5)));
    assert_eq!(e.kind, ResponseErrorKind::UnknownColumn("q9".into()));
    assert!(e.to_string().contains("dòng 1, cột 5 (q9)"), "{e}");

    let e = response_error(&q, &format!("{head}R1,U01,a,1,4,0,3,10,1\nR2,U01,a,1,2,x,3,4,1\n"));
    assert_eq!((e.line, e.column), (3, Some(6)));
    assert_eq!(e.column_name.as_deref(), Some("q2"));
    assert_eq!(e.kind, ResponseErrorKind::NotNumeric("x".into()));

    let e = response_error(&q, &format!("{head}R1,U01,a,0,4,0,3,10,1\n"));
    assert_eq!((e.line, e.column), (2, Some(4)));
    assert_eq!(e.kind, ResponseErrorKind::BadWeight("0".into()));
    let e = response_error(&q, &format!("{head}R1,U01,a,-2,4,0,3,10,1\n"));
    assert_eq!(e.kind, ResponseErrorKind::BadWeight("-2".into()));
    let e = response_error(&q, &format!("{head}R1,U01,a,,4,0,3,10,1\n"));
    assert_eq!(e.kind, ResponseErrorKind::MissingWeight);

    let e = response_error(&q, &format!("{head}R1,U01,a,1,4,0,3,10,1\nR1,U02,a,1,4,0,3,10,1\n"));
    assert_eq!((e.line, e.column), (3, Some(1)));
    assert_eq!(e.kind, ResponseErrorKind::DuplicateRespondent { id: "R1".into(), first_line: 2 });

    let e = response_error(&q, &format!("{head}R1,U01,a,1,4,0,3\n"));
    assert_eq!(e.line, 2);
    assert_eq!(e.kind, ResponseErrorKind::FieldCount { expected: 9, found: 7 });

    let e = response_error(&q, "respondent_id,group,q1\nR1,a,1\n");
    assert_eq!(e.kind, ResponseErrorKind::MissingColumn("unit"));

    let e = response_error(&q, "respondent_id,unit,q1,Q1\n");
    assert_eq!(e.kind, ResponseErrorKind::DuplicateColumn("Q1".into()));

    // Unit codes checked against the units in the database.
    let valid: HashSet<String> = ["U01".to_string()].into_iter().collect();
    match Responses::from_csv_reader(
        &q,
        format!("{head}R1,U01,a,1,4,0,3,10,1\nR2,X99,a,1,4,0,3,10,1\n").as_bytes(),
        Some(&valid),
        Some(std::path::Path::new("R.csv")),
    ) {
        Err(SurveyError::Responses(e)) => {
            assert_eq!((e.line, e.column), (3, Some(2)));
            assert_eq!(e.kind, ResponseErrorKind::UnknownUnit("X99".into()));
            assert!(e.to_string().starts_with("tệp câu trả lời R.csv, dòng 3, cột 2 (unit)"));
        }
        other => panic!("expected an unknown unit, got {other:?}"),
    }
}

#[test]
fn errors_deep_in_a_large_file_have_the_right_line() {
    let q = q();
    let mut csv = synthetic_csv(4, 30_000, false);
    // Break row 100 000 (line 100 001) in its q3 cell.
    let start = csv.match_indices('\n').nth(100_000 - 1).map(|(p, _)| p + 1).expect("line");
    let end = start + csv[start..].find('\n').expect("end");
    let mut cells: Vec<String> = csv[start..end].split(',').map(String::from).collect();
    cells[6] = "abc".into();
    csv.replace_range(start..end, &cells.join(","));
    let e = response_error(&q, &csv);
    assert_eq!((e.line, e.column), (100_001, Some(7)));
    // A duplicate id found while merging blocks also points at its line.
    let mut csv = synthetic_csv(4, 30_000, false);
    let start = csv.match_indices('\n').nth(110_000 - 1).map(|(p, _)| p + 1).expect("line");
    let comma = start + csv[start..].find(',').expect("comma");
    csv.replace_range(start..comma, "R5");
    let e = response_error(&q, &csv);
    assert_eq!((e.line, e.column), (110_001, Some(1)));
    assert_eq!(e.kind, ResponseErrorKind::DuplicateRespondent { id: "R5".into(), first_line: 7 });
}

#[test]
fn a_failed_row_leaves_the_builder_unchanged() {
    let q = q();
    let header = ["respondent_id", "unit", "group", "weight", "q1", "q2", "q3", "q4", "q5"];
    let mut b = Responses::builder(&q, &header, None).expect("builder");
    b.push_row(&["R1", "U01", "a", "1", "4", "0", "3", "10", "1"]).expect("row");
    assert!(b.push_row(&["R2", "U09", "z", "1", "4", "oops", "3", "10", "1"]).is_err());
    assert!(b.push_row(&["R1", "U08", "y", "1", "4", "0", "3", "10", "1"]).is_err());
    assert_eq!(b.len(), 1);
    let r = b.finish().expect("finish");
    assert_eq!(r.unit_codes(), ["U01"]);
    assert_eq!(r.group_names(), ["a"]);
}

fn questionnaire_error(text: &str) -> chiso_stats::QuestionnaireError {
    match Questionnaire::from_toml_str(text) {
        Err(SurveyError::Questionnaire(e)) => *e,
        other => panic!("expected a questionnaire error, got {other:?}"),
    }
}

#[test]
fn bad_questionnaires_name_indicator_field_and_place() {
    let one = |body: &str| format!("framework = \"papi\"\n[[indicator]]\n{body}");
    let e = questionnaire_error(&one("code = \"q1\"\nnode = \"papi.d1.s1\"\nmin = 4\nmax = 4\ndirection = 1\n"));
    assert_eq!(e.indicator.as_deref(), Some("q1"));
    assert_eq!(e.field.as_deref(), Some("max"));
    assert_eq!((e.line, e.column), (Some(6), Some(7)));
    assert!(e.to_string().contains("min < max"), "{e}");

    let e = questionnaire_error(&one("code = \"q1\"\nnode = \"papi.d1.s1\"\nmin = 1\nmax = 4\ndirection = 2\n"));
    assert_eq!(e.field.as_deref(), Some("direction"));
    assert_eq!(e.line, Some(7));

    let e = questionnaire_error(&one("code = \"q1\"\nnode = \"papi.1.1\"\nmin = 1\nmax = 4\ndirection = 1\n"));
    assert!(e.field.as_deref() == Some("node"));
    let e = questionnaire_error(&one("code = \"q1\"\nnode = \"sipas.d1.s1\"\nmin = 1\nmax = 4\ndirection = 1\n"));
    assert!(e.message.contains("không thuộc khung"), "{e}");

    let e = questionnaire_error(&format!(
        "{}\n[[indicator]]\ncode = \"Q1\"\nnode = \"papi.d1.s2\"\nmin = 0\nmax = 1\ndirection = 1\n",
        one("code = \"q1\"\nnode = \"papi.d1.s1\"\nmin = 1\nmax = 4\ndirection = 1\n")
    ));
    assert_eq!(e.indicator.as_deref(), Some("Q1"));
    assert_eq!(e.field.as_deref(), Some("code"));
    assert_eq!(e.line, Some(10));

    let e = questionnaire_error(&one(
        "code = \"q1\"\nnode = \"papi.d1.s1\"\nmin = 1\nmax = 4\ndirection = 1\noptions = [{ label = \"Có\", value = 9 }]\n",
    ));
    assert_eq!(e.field.as_deref(), Some("options[1].value"));
    assert_eq!(e.line, Some(8));

    // A misspelt field is not silently ignored.
    let e = questionnaire_error(&one("code = \"q1\"\nnode = \"papi.d1.s1\"\nmin = 1\nmax = 4\ndirecton = 1\n"));
    assert!(e.line.is_some());
    assert!(e.message.contains("direct"), "{e}");
    // Nor a misspelt table.
    let e = questionnaire_error("framework = \"papi\"\n[[indicators]]\ncode = \"q1\"\n");
    assert_eq!(e.line, Some(2));

    let e = questionnaire_error("framework = \"papi\"\n");
    assert_eq!(e.field.as_deref(), Some("indicator"));

    let e = questionnaire_error(&one("code = \"unit\"\nnode = \"papi.d1.s1\"\nmin = 1\nmax = 4\ndirection = 1\n"));
    assert_eq!(e.field.as_deref(), Some("code"));
}

#[test]
fn questionnaire_toml_round_trips() {
    let q = q();
    let text = q.to_toml_string().expect("toml");
    let back = Questionnaire::from_toml_str(&text).expect("parse back");
    assert_eq!(back, q);
    assert_eq!(q.indicators[0].options.len(), 4);
    assert_eq!(q.indicators[1].groups, ["nguoi_dan"]);
    assert_eq!(q.indicators[1].normalise(1.0), 0.0);
    assert_eq!(q.indicators[0].normalise(9.0), 1.0);
    assert!(q.validate().is_ok());
}

#[test]
fn score_files_reads_both_files() {
    let dir = std::env::temp_dir().join(format!("chiso-stats-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let qp = dir.join("q.toml");
    let rp = dir.join("r.csv");
    std::fs::write(&qp, Q).expect("write");
    std::fs::write(&rp, R).expect("write");
    let rep = chiso_stats::score_files(&qp, &rp, &no_bootstrap()).expect("score");
    approx(rep.units.get("U01").expect("U01").estimate.total, 11.5625);
    match chiso_stats::score_files(&qp, &dir.join("missing.csv"), &no_bootstrap()) {
        Err(SurveyError::Io { path, .. }) => assert!(path.ends_with("missing.csv")),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shares_are_the_values_before_the_papi_scaling() {
    let q = q();
    let r = read(&q, R).expect("responses");
    let s = Structure::from_node_codes(&q);
    let rep = score(&q, &r, &s, &ScoreOptions { bootstrap: 60, seed: 5, ..ScoreOptions::default() }).expect("score");
    for (unit, ur) in &rep.units.0 {
        let e = &ur.estimate;
        for (d, subs) in &s.dimensions {
            let defined: Vec<f64> = subs.iter().filter_map(|c| *e.shares.get(c).expect("share")).collect();
            let k = defined.len() as f64;
            for c in subs {
                match (e.sub_dimensions.get(c).copied().flatten(), e.shares.get(c).copied().flatten()) {
                    (Some(score), Some(n)) => approx(Some(score), (1.0 + 9.0 * n) / k),
                    (None, None) => {}
                    other => panic!("{unit} {c}: {other:?}"),
                }
            }
            if let Some(dim) = e.dimensions.get(d).copied().flatten() {
                let n = e.shares.get(d).copied().flatten().expect("dimension share");
                approx(Some(n), defined.iter().sum::<f64>() / k);
                approx(Some(dim), 1.0 + 9.0 * n);
            }
        }
        if let Some(total) = e.total {
            let n = e.shares.get("").copied().flatten().expect("total share");
            approx(Some(total), s.dimensions.len() as f64 * (1.0 + 9.0 * n));
        }
        let ci = ur.ci95.as_ref().expect("intervals");
        for (c, iv) in &ci.shares.0 {
            if let Some([lo, hi]) = iv {
                assert!((0.0..=1.0).contains(lo) && lo <= hi && *hi <= 1.0, "{unit} {c}: {lo} {hi}");
            }
        }
    }
}
