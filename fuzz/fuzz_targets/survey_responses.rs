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
    let _ = chiso_app::surveys::read_responses(q, data, "r.csv", &units, &groups);
    let _ = chiso_app::surveys::read_responses(q, data, "r.xlsx", &units, &groups);
});
