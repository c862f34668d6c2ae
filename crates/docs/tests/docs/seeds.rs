//! The five seed plans against `datasets/plans/expected/*.json`.

use crate::expected::{ClassScore, class_score, field_checks, load_all, pct};

#[test]
fn header_and_structure_fields_match_expected_exactly() {
    let all = load_all();
    assert_eq!(all.len(), 5, "five expected files");
    let mut failures = Vec::new();
    for (exp, plan) in &all {
        for (name, ok, got) in field_checks(exp, plan) {
            if !ok {
                failures.push(format!("{} {name}: got {got}", exp.file));
            }
        }
    }
    assert!(failures.is_empty(), "fields differ:\n{}", failures.join("\n"));
}

#[test]
fn classifier_accuracy_on_seed_tasks() {
    let mut s = ClassScore::default();
    for (exp, plan) in &load_all() {
        class_score(exp, plan, &mut s);
    }
    println!(
        "dimension {}/{} ({:.1}%), sub-dimension {}/{} ({:.1}%), no-dimension kept empty {}/{} ({:.1}%)",
        s.dim_right,
        s.dim_total,
        pct(s.dim_right, s.dim_total),
        s.sub_right,
        s.sub_total,
        pct(s.sub_right, s.sub_total),
        s.none_right,
        s.none_total,
        pct(s.none_right, s.none_total)
    );
    for m in &s.misses {
        println!("  {m}");
    }
    // A floor that catches regressions of the rules; the figures are reported above.
    assert!(pct(s.dim_right, s.dim_total) >= 85.0, "dimension accuracy fell");
    assert!(pct(s.sub_right, s.sub_total) >= 80.0, "sub-dimension accuracy fell");
}

#[test]
fn every_seed_covers_what_the_issue_lists() {
    let all = load_all();
    let by_file = |stem: &str| all.iter().find(|(e, _)| e.file.starts_with(stem)).map(|(_, p)| p.clone()).unwrap_or_default();
    // Markdown with bold markers: no '*' or '#' survives.
    let p = by_file("001");
    assert_eq!(p.format, "markdown");
    let json = serde_json::to_string(&p).unwrap_or_default();
    assert!(!json.contains("**") && !json.contains("##"), "markdown markers left");
    // Web page: banners gone, publication date and source kept apart from the document's own fields.
    let p = by_file("004");
    let all_text = format!("{:?} {:?} {:?}", p.preamble, p.sections, p.closing);
    assert!(!all_text.contains("Cỡ chữ") && !all_text.contains("156") && !all_text.contains("Nguồn"));
    assert_eq!(p.published, time::Date::from_calendar_date(2023, time::Month::September, 21).ok());
    assert_eq!(p.source.as_deref(), Some("Quyết định số 1732/QĐ-UBND"));
    // Broken lines are joined: the continuation "và tạo điều kiện…" is part of item 1.1.
    let p = by_file("003");
    let t = p.tasks.iter().find(|t| t.code == "II.1.1").map(|t| t.text.clone()).unwrap_or_default();
    assert!(t.contains("ở xã, thị trấn và tạo điều kiện"), "{t}");
    // A one-line assignment "3. Phòng Văn hóa và Thông tin: đẩy mạnh …" keeps its duty.
    let a = p.assignments.iter().find(|a| a.agency == "Phòng Văn hóa và Thông tin").cloned().unwrap_or_default();
    assert!(a.duties.first().is_some_and(|d| d.starts_with("đẩy mạnh công tác thông tin")));
    // "trước ngày 05/6" has no year: the document's year is used and the plan says so.
    assert!(p.deadlines.iter().any(|d| d.year_inferred));
    assert!(p.warnings.iter().any(|w| w.contains("năm của văn bản")));
    // A blank number is no number but keeps its symbol.
    let p = by_file("000");
    assert_eq!((p.number.as_deref(), p.symbol.as_deref()), (None, Some("KH-UBND")));
    // Tasks under a heading naming a PAPI dimension serve it.
    let p = by_file("003");
    for t in p.tasks.iter().filter(|t| t.code.starts_with("II.1.")) {
        assert_eq!(t.nodes.first().map(String::as_str), Some("papi.d1"), "{}", t.code);
    }
}

#[test]
fn parse_is_deterministic() {
    let a = load_all();
    let b = load_all();
    for ((_, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
}
