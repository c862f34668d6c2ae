use super::*;

fn set() -> FrameworkSet {
    match FrameworkSet::builtin() {
        Ok(s) => s,
        Err(e) => panic!("builtin frameworks invalid:\n{e}"),
    }
}

fn load(name: &str, text: &str) -> Result<FrameworkSet, FrameworkError> {
    FrameworkSet::from_sources(&[(name.to_string(), text.to_string())])
}

fn errors(name: &str, text: &str) -> FrameworkError {
    match load(name, text) {
        Ok(_) => panic!("{name} should be rejected"),
        Err(e) => e,
    }
}

const HEADER: &str = r#"[framework]
code = "demo"
family = "PAR_INDEX"
name_vi = "Thử"
name_en = "Demo"
version = "1"
reference = "QĐ thử"
years = { from = 2023 }
aggregation = "percent_of_max"
min = 0
max = 10
"#;

#[test]
fn builtin_set_validates() {
    let s = set();
    let codes: Vec<&str> = s.frameworks().iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["papi", "par_index", "sipas"]);
    assert_eq!(s.get("papi").map(|f| f.family), Some(Family::Papi));
    assert!(s.get("pci").is_none());
}

#[test]
fn papi_counts_per_year() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let count = |y: i32| {
        let t = papi.tree_for_year(Some(y));
        assert_eq!(t.code, "papi");
        assert_eq!(t.children.len(), 8, "{y}: 8 dimensions");
        t.children.iter().map(|d| d.children.len()).sum::<usize>()
    };
    assert_eq!(count(2018), 28);
    assert_eq!(count(2019), 29);
    assert_eq!(count(2020), 29);
    assert_eq!(count(2021), 28);
    assert_eq!(count(2023), 28);
    assert_eq!(count(2024), 28);

    let has = |y: i32, c: &str| papi.leaves_for_year(y).iter().any(|n| n.code == c);
    assert!(!has(2018, "papi.d8.s3"));
    assert!(has(2018, "papi.d5.s2"));
    assert!(has(2019, "papi.d8.s3") && has(2019, "papi.d5.s2"));
    assert!(!has(2023, "papi.d5.s2"));
    assert!(has(2023, "papi.d8.s3"));
    assert_eq!(papi.leaves_for_year(2023).len(), 28);

    // All years: every node.
    let all = papi.tree_for_year(None);
    assert_eq!(all.leaves().len(), 29);
    // Before the 2018 methodology there is no tree.
    assert!(papi.tree_for_year(Some(2015)).children.is_empty());
    assert!(papi.leaves_for_year(2015).is_empty());
}

#[test]
fn papi_ranges_resolve_per_year() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let max = |y: i32, c: &str| papi.node_for_year(c, y).and_then(|n| n.max);
    // D5: 4 sub-dimensions to 2020, 3 from 2021.
    assert_eq!(max(2019, "papi.d5.s1"), Some(2.5));
    let m = max(2023, "papi.d5.s1").expect("d5.s1");
    assert!((m - 10.0 / 3.0).abs() < 1e-12);
    // D8: 2 sub-dimensions in 2018.
    assert_eq!(max(2018, "papi.d8.s1"), Some(5.0));
    assert_eq!(papi.node_for_year("papi.d8.s1", 2018).and_then(|n| n.min), Some(0.5));
    assert!(papi.node_for_year("papi.d5.s2", 2023).is_none());
    // Dimensions 1–10, total 8–80.
    let root = papi.tree_for_year(Some(2023));
    assert_eq!((root.min, root.max), (Some(8.0), Some(80.0)));
    for d in &root.children {
        assert_eq!((d.min, d.max), (Some(1.0), Some(10.0)), "{}", d.code);
        let sum: f64 = d.children.iter().filter_map(|c| c.max).sum();
        assert!((sum - 10.0).abs() < 1e-9, "{}", d.code);
        for c in &d.children {
            assert_eq!(c.source, Source::Survey);
            assert!(c.data_column.is_some() && !c.keywords.is_empty(), "{}", c.code);
        }
    }
    // All-years view: widest range.
    assert_eq!(papi.node("papi.d8.s1").and_then(|n| n.max), Some(5.0));
    assert_eq!(papi.node("papi.d1.s1").map(|n| n.name_vi.as_str()), Some("Tri thức công dân"));
    assert_eq!(papi.node("papi.d1.s1").and_then(|n| n.data_column.as_deref()), Some("SC11"));
}

#[test]
fn papi_json_shape() {
    let s = set();
    let papi = s.get("papi").expect("papi");
    let v = serde_json::to_value(papi.tree_for_year(Some(2023))).expect("json");
    assert_eq!(v["code"], "papi");
    assert_eq!(v["kind"], "framework");
    assert_eq!(v["children"][0]["code"], "papi.d1");
    assert_eq!(v["children"][0]["name_vi"], "Tham gia của người dân ở cấp cơ sở");
    assert_eq!(v["children"][0]["children"][0]["code"], "papi.d1.s1");
    assert_eq!(v["children"][0]["children"][0]["source"], "survey");
    assert_eq!(v["children"][0]["children"][0]["max"], 2.5);
    for key in ["name_en", "min", "max", "source", "children"] {
        assert!(v.get(key).is_some(), "{key}");
    }
}

#[test]
fn par_index_adds_up() {
    let s = set();
    let par = s.get("par_index").expect("par");
    assert_eq!(par.aggregation, Aggregation::PercentOfMax);
    let t = par.tree_for_year(Some(2024));
    assert_eq!(t.children.len(), 8);
    assert_eq!(t.children[0].code, "par.a1");
    assert_eq!(t.max, Some(100.0));
    let leaves = par.leaves_for_year(2024);
    let by = |src: Source| -> f64 { leaves.iter().filter(|n| n.source == src).filter_map(|n| n.max).sum() };
    assert!((by(Source::SelfAssessment) - 70.0).abs() < 1e-9);
    assert!((by(Source::Survey) - 30.0).abs() < 1e-9);
    assert!(leaves.iter().all(|n| n.min == Some(0.0)));
    assert!(par.node("par.a1.c1").is_some());
}

#[test]
fn sipas_elements() {
    let s = set();
    let sipas = s.get("sipas").expect("sipas");
    let t = sipas.tree_for_year(Some(2024));
    let codes: Vec<&str> = t.children.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["sipas.e1", "sipas.e2", "sipas.e3", "sipas.e4", "sipas.e5"]);
    assert!(t.children.iter().all(|c| c.max == Some(100.0)));
}

#[test]
fn malformed_toml_names_file_and_line() {
    let text = format!("{HEADER}\n[[node]]\ncode = \"demo.a1\nmax = 3\n");
    let e = errors("frameworks/bad.toml", &text);
    let p = &e.problems[0];
    assert_eq!(p.file, "frameworks/bad.toml");
    assert_eq!(p.line, 14, "{e}");
    assert!(e.to_string().starts_with("frameworks/bad.toml:14:"), "{e}");
}

#[test]
fn wrong_field_type_names_line_and_column() {
    let text = format!(
        "{HEADER}\n[[node]]\ncode = \"demo.a1\"\nname_vi = \"A\"\nname_en = \"A\"\nkind = \"area\"\nmax = \"ten\"\nsource = \"survey\"\n"
    );
    let e = errors("x.toml", &text);
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!((p.line, p.column), (18, 7), "{e}");
}

fn node(code: &str, max: Option<f64>, extra: &str) -> String {
    let max = max.map(|m| format!("max = {m}\n")).unwrap_or_default();
    format!("\n[[node]]\ncode = \"{code}\"\nname_vi = \"Nút {code}\"\nname_en = \"Node {code}\"\nkind = \"criterion\"\n{max}{extra}")
}

#[test]
fn duplicate_code_rejected() {
    let text = format!(
        "{HEADER}{}{}{}",
        node("demo.a1", Some(5.0), "source = \"survey\"\n"),
        node("demo.a2", Some(5.0), "source = \"survey\"\n"),
        node("demo.a1", Some(5.0), "source = \"survey\"\n"),
    );
    let e = errors("dup.toml", &text);
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.code.as_deref(), Some("demo.a1"));
    assert!(p.message.contains("`demo.a1`") && p.message.contains("trùng"), "{e}");
    assert!(p.message.contains("dup.toml:14:"), "names the first definition: {e}");
    assert_eq!(p.line, 30);
}

#[test]
fn leaf_without_max_rejected() {
    let text = format!(
        "{HEADER}{}{}",
        node("demo.a1", Some(10.0), "source = \"computed\"\n"),
        node("demo.a1.c1", None, "source = \"self_assessment\"\n"),
    );
    let e = errors("leaf.toml", &text);
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].code.as_deref(), Some("demo.a1.c1"));
    assert!(e.problems[0].message.contains("max"), "{e}");
}

#[test]
fn children_must_add_up() {
    let text = format!(
        "{HEADER}{}{}{}",
        node("demo.a1", Some(10.0), ""),
        node("demo.a1.c1", Some(4.0), "source = \"self_assessment\"\n"),
        node("demo.a1.c2", Some(5.0), "source = \"survey\"\n"),
    );
    let e = errors("sum.toml", &text);
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.code.as_deref(), Some("demo.a1"));
    assert!(p.message.contains("`demo.a1`") && p.message.contains('9'), "{e}");
    // Pointing at the parent's max.
    assert_eq!(p.field.as_deref(), Some("max"));
    assert_eq!(p.line, 18);

    // The same tree with the check switched off loads.
    let text = text.replacen("max = 10\n", "max = 10\ncheck_sum = false\n", 2);
    let text = text.replacen("max = 10\ncheck_sum = false\n", "max = 10\n", 1);
    assert!(load("sum.toml", &text).is_ok());
}

#[test]
fn every_problem_is_reported() {
    let text = format!(
        "{HEADER}{}{}{}{}{}",
        node("demo.a1", Some(10.0), ""),
        node("demo.a1.c1", None, "source = \"survey\"\n"),
        node("demo.a1", Some(1.0), "source = \"survey\"\n"),
        node("other.x", Some(1.0), "source = \"survey\"\n"),
        node("demo.a9.c1", Some(1.0), "source = \"survey\"\ncolour = \"red\"\n"),
    );
    let e = errors("many.toml", &text);
    let all = e.to_string();
    assert!(e.problems.len() >= 4, "{all}");
    assert!(all.contains("trùng"), "{all}");
    assert!(all.contains("other.x"), "{all}");
    assert!(all.contains("colour"), "{all}");
    assert!(all.contains("demo.a1.c1"), "{all}");
    assert!(all.lines().all(|l| l.starts_with("many.toml:")), "{all}");
}

#[test]
fn years_nest_and_filter() {
    let text = format!(
        "{HEADER}{}{}{}",
        node("demo.a1", Some(10.0), "source = \"survey\"\nyears = { to = 2024 }\n"),
        node("demo.a2", Some(10.0), "source = \"survey\"\nyears = { from = 2025 }\n"),
        "",
    );
    let s = load("y.toml", &text).expect("valid");
    let f = s.get("demo").expect("demo");
    assert_eq!(f.leaves_for_year(2024)[0].code, "demo.a1");
    assert_eq!(f.leaves_for_year(2026)[0].code, "demo.a2");
    assert_eq!(f.breakpoints(), [2023, 2025]);

    let bad = format!(
        "{HEADER}{}{}",
        node("demo.a1", Some(10.0), "years = { to = 2024 }\n"),
        node("demo.a1.c1", Some(10.0), "source = \"survey\"\nyears = { from = 2020 }\n"),
    );
    let e = errors("y.toml", &bad);
    assert!(e.to_string().contains("demo.a1.c1"), "{e}");
}

#[test]
fn missing_header_and_parent() {
    let e = errors("empty.toml", "");
    assert!(e.to_string().contains("[framework]"), "{e}");
    let text = format!("{HEADER}{}", node("demo.x.y", Some(10.0), "source = \"survey\"\n"));
    let e = errors("p.toml", &text);
    assert!(e.to_string().contains("demo.x"), "{e}");
}

#[test]
fn garbage_never_panics() {
    for text in ["\u{0}", "[[node]]", "[framework]\ncode=1", "node = 3", "[[node]]\ncode=\"é\"", "🙂 = ["] {
        assert!(load("g.toml", text).is_err());
    }
}

#[test]
fn mutated_framework_files_never_panic() {
    let sources = builtin_sources();
    let chars: Vec<char> = sources[0].1.chars().collect();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..100 {
        let mut text = chars.clone();
        for _ in 0..2 {
            let at = (next() % text.len() as u64) as usize;
            text[at] = ['"', '=', '\n', '[', '1', 'x', '.'][(next() % 7) as usize];
        }
        let text: String = text.into_iter().collect();
        if let Err(e) = load("m.toml", &text) {
            assert!(!e.problems.is_empty());
            assert!(e.to_string().starts_with("m.toml:"));
        }
    }
}

#[test]
fn range_and_sum_problems_reported_together() {
    let text = format!(
        "{HEADER}{}{}{}{}",
        node("demo.a1", Some(6.0), ""),
        node("demo.a1.c1", None, "source = \"self_assessment\"\n"),
        node("demo.a2", Some(5.0), ""),
        node("demo.a2.c1", Some(4.0), "source = \"survey\"\n"),
    );
    let e = errors("both.toml", &text);
    let codes: Vec<&str> = e.problems.iter().filter_map(|p| p.code.as_deref()).collect();
    assert!(codes.contains(&"demo.a1.c1"), "{e}");
    assert!(codes.contains(&"demo.a2"), "{e}");
    // Root 10 ≠ 6 + 5.
    assert!(codes.contains(&"demo"), "{e}");
}

#[test]
fn a_share_goes_onto_the_official_range_of_its_node() {
    let set = set();
    let papi = set.get("papi").expect("papi");
    // Issue 12: an estimate of 4,96 was shown beside an official 2,11 for a sub-dimension whose maximum is
    // 3,33. 4,96 is (1 + 9n)/k with only k = 1 of the dimension's 3 sub-dimensions measured: n = 0,44. On the
    // sub-dimension's own range (0,33–3,33) that is (1 + 9 × 0,44)/3 = 1,65.
    let s = papi.node_for_year("papi.d3.s1", 2024).expect("d3.s1");
    assert!((s.max.expect("max") - 10.0 / 3.0).abs() < 1e-12);
    let n = (4.96 - 1.0) / 9.0;
    let v = s.value_of_share(n).expect("value");
    assert!((v - (1.0 + 9.0 * n) / 3.0).abs() < 1e-12, "{v}");
    assert!((v - 1.6533).abs() < 1e-3, "{v}");
    // A dimension (1–10) and the total (8–80).
    let d = papi.node_for_year("papi.d1", 2024).expect("d1");
    assert_eq!(d.value_of_share(0.5), Some(5.5));
    let root = papi.tree_for_year(Some(2024));
    assert_eq!(root.value_of_share(1.0), Some(80.0));
    assert_eq!(root.value_of_share(0.0), Some(8.0));
    // Clipped, and nothing for a share that is not a number.
    assert_eq!(d.value_of_share(1.5), Some(10.0));
    assert_eq!(d.value_of_share(f64::NAN), None);
    assert!(s.is_survey_measured() && d.is_survey_measured() && root.is_survey_measured());
    // A PAR INDEX area mixes document and survey criteria: not comparable as a whole; its survey criterion is.
    let par = set.get("par_index").expect("par");
    let area = par.node_for_year("par.a3", 2024).expect("a3");
    assert!(!area.is_survey_measured());
    let c6 = par.node_for_year("par.a3.c6", 2024).expect("a3.c6");
    assert!(c6.is_survey_measured());
    assert_eq!(c6.value_of_share(0.75), Some(c6.min.unwrap_or(0.0) + 0.75 * (c6.max.unwrap_or(0.0) - c6.min.unwrap_or(0.0))));
}
