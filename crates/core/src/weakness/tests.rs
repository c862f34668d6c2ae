use super::*;
use crate::framework::FrameworkSet;
use crate::results::{YearScores, parse_wide_csv, rank};
use std::collections::BTreeMap;

const Y2022: &str = include_str!("../../../../datasets/papi/2022.csv");
const Y2023: &str = include_str!("../../../../datasets/papi/2023.csv");

#[test]
fn papi_weak_points_against_peers() {
    let s = FrameworkSet::builtin().expect("builtin");
    let papi = s.get("papi").expect("papi");
    let y22 = parse_wide_csv(papi, 2022, Y2022).expect("2022");
    let y23 = parse_wide_csv(papi, 2023, Y2023).expect("2023");
    let r = rank(papi, &y23, Some(&y22));
    let w = weak_points(papi, &r, "P01").expect("P01");
    assert_eq!(w.reference, Reference::Peers);
    // 8 dimensions + 28 sub-dimensions.
    assert_eq!(w.items.len(), 36);
    assert!(w.items.windows(2).all(|p| p[0].points_lost >= p[1].points_lost));
    for i in &w.items {
        let st = &r.stats[&i.code];
        assert!((i.points_lost - (st.mean - i.score)).abs() < 1e-12);
        assert!(i.gap_to_best.expect("best") >= -1e-12);
        if i.is_leaf {
            let expect = if round_to(i.score, 4) >= round_to(st.mean, 4) { TaskGroup::Keep } else { TaskGroup::Improve };
            assert_eq!(i.group, Some(expect), "{}", i.code);
        } else {
            assert_eq!(i.group, None);
        }
    }
    assert!(w.group(TaskGroup::Survey).is_empty());
    assert_eq!(w.group(TaskGroup::Keep).len() + w.group(TaskGroup::Improve).len(), 28);
    // Rank order: worst relative rank first.
    let frac = |c: &str| {
        let i = w.item(c).expect("item");
        f64::from(i.rank) / f64::from(i.of)
    };
    assert!(w.by_rank.windows(2).all(|p| frac(&p[0]) >= frac(&p[1])));
    // Change order: most places lost first.
    let ch = |c: &str| w.item(c).and_then(|i| i.rank_change).unwrap_or(i32::MAX);
    assert!(w.by_change.windows(2).all(|p| ch(&p[0]) <= ch(&p[1])));
    assert!(w.item("papi.d1").is_some_and(|i| i.rank_change.is_some()));
    assert!(weak_points(papi, &r, "P14").is_none(), "not published in 2023");
}

#[test]
fn par_task_groups() {
    let s = FrameworkSet::builtin().expect("builtin");
    let par = s.get("par_index").expect("par");
    assert_eq!(reference_for(par), Reference::FullScore);
    let leaves = par.leaves_for_year(2024);
    let mut unit: BTreeMap<String, f64> = leaves.iter().map(|l| (l.code.clone(), l.max.unwrap_or(0.0))).collect();
    unit.insert("par.a2.c1".into(), 1.0); // lost 1 point
    unit.insert("par.a5.c2".into(), 1.0); // lost 1.5 points
    let mut other = unit.clone();
    other.insert("par.a2.c1".into(), 2.0);
    let data = YearScores {
        framework: "par_index".into(),
        year: 2024,
        units: BTreeMap::from([("H1".to_string(), unit), ("H2".to_string(), other)]),
        not_published: Default::default(),
        lines: Default::default(),
    };
    let r = rank(par, &data, None);
    assert_eq!(r.ranked[0].unit, "H2");
    let w = weak_points(par, &r, "H1").expect("H1");
    // Most points lost first: area a5 (1.5), its criterion, then a2 (1.0) and its criterion.
    let first: Vec<&str> = w.items.iter().take(4).map(|i| i.code.as_str()).collect();
    assert_eq!(first, ["par.a5", "par.a5.c2", "par.a2", "par.a2.c1"]);
    assert_eq!(w.item("par.a5").and_then(|i| i.below_max), Some(1.5));
    assert_eq!(w.item("par.a5.c2").and_then(|i| i.group), Some(TaskGroup::Improve));
    assert_eq!(w.item("par.a1.c1").and_then(|i| i.group), Some(TaskGroup::Keep));
    // Survey criteria go to the survey group even at full score.
    assert_eq!(w.item("par.a3.c6").and_then(|i| i.group), Some(TaskGroup::Survey));
    assert_eq!(w.group(TaskGroup::Survey).len(), 8);
    assert_eq!(w.group(TaskGroup::Improve), ["par.a5.c2", "par.a2.c1"]);
    let root = &r.ranked[1].nodes["par_index"];
    assert_eq!(root.percent, Some(97.5));
}

#[test]
fn plan_outline_puts_the_weakest_dimension_first() {
    let s = FrameworkSet::builtin().expect("builtin");
    let papi = s.get("papi").expect("papi");
    let y22 = parse_wide_csv(papi, 2022, Y2022).expect("2022");
    let y23 = parse_wide_csv(papi, 2023, Y2023).expect("2023");
    let r = rank(papi, &y23, Some(&y22));
    let w = weak_points(papi, &r, "P01").expect("P01");
    let o = plan_outline(papi, &w);
    assert_eq!((o.results_year, o.plan_year), (2023, 2024));
    // Every dimension gets a section, weakest (most points below the national mean) first.
    assert_eq!(o.sections.len(), 8);
    let lost: Vec<f64> = o.sections.iter().map(|s| s.points_lost.expect("scored")).collect();
    assert!(lost.windows(2).all(|p| p[0] >= p[1]), "{lost:?}");
    let weakest_dim = w.items.iter().find(|i| i.depth == 1).expect("a dimension");
    assert_eq!(o.sections[0].code, weakest_dim.code);
    // Each leaf sits in its own dimension's section, with its group, most points lost first.
    let mut leaves = 0;
    for sec in &o.sections {
        assert!(sec.items.windows(2).all(|p| p[0].points_lost >= p[1].points_lost));
        for it in &sec.items {
            assert!(it.code.starts_with(&format!("{}.", sec.code)), "{} in {}", it.code, sec.code);
            assert_eq!(Some(it.group), w.item(&it.code).and_then(|i| i.group));
            leaves += 1;
        }
    }
    assert_eq!(leaves, 28, "2023 has 28 sub-dimensions");
    assert_eq!(o.group(TaskGroup::Improve).len(), w.group(TaskGroup::Improve).len());
}

#[test]
fn plan_outline_keeps_unpublished_dimensions_last() {
    let s = FrameworkSet::builtin().expect("builtin");
    let papi = s.get("papi").expect("papi");
    let y18 = parse_wide_csv(papi, 2018, include_str!("../../../../datasets/papi/2018.csv")).expect("2018");
    let r = rank(papi, &y18, None);
    // Quảng Ninh 2018: D2 and D4 not published.
    let w = weak_points(papi, &r, "P14").expect("P14");
    let o = plan_outline(papi, &w);
    assert_eq!(o.sections.len(), 8);
    let tail: Vec<&str> = o.sections[6..].iter().map(|s| s.code.as_str()).collect();
    assert_eq!(tail, ["papi.d2", "papi.d4"]);
    assert!(o.sections[6].items.is_empty() && o.sections[6].score.is_none());
}

#[test]
fn group_labels_depend_on_the_reference() {
    assert_eq!(TaskGroup::Improve.label_vi(Reference::FullScore), "Phấn đấu đạt điểm tối đa");
    assert!(TaskGroup::Improve.label_vi(Reference::Peers).contains("dưới trung bình"));
    assert_eq!(TaskGroup::Survey.label_vi(Reference::Peers), TaskGroup::Survey.label_vi(Reference::FullScore));
}
