//! Survey response files (CSV and XLSX) against the shipped questionnaire.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::OnceLock;

static Q: OnceLock<chiso_stats::Questionnaire> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let q = Q.get_or_init(|| chiso_stats::Questionnaire::from_toml_str(chiso_app::surveys::SAMPLE_QUESTIONNAIRE).expect("questionnaire"));
    let units: HashSet<String> = ["04012", "03985"].iter().map(|s| s.to_string()).collect();
    let groups = chiso_app::surveys::questionnaire_groups(q);
    // Every problem a refused file is listed for names a line after the header (issue 12).
    if let Err(chiso_app::surveys::ReadError::Rows(p)) = chiso_app::surveys::read_responses(q, data, "r.csv", &units, &groups) {
        let lone_cr = data.iter().enumerate().filter(|&(i, &b)| b == b'\r' && data.get(i + 1) != Some(&b'\n')).count();
        let lines = 1 + (data.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64;
        assert!(p.problems.iter().all(|x| (2..=lines).contains(&x.line)), "{p}");
        assert_eq!(p.count(), p.problems.len() + p.more);
    }
    let _ = chiso_app::surveys::read_responses(q, data, "r.xlsx", &units, &groups);
});
