//! Official results files (wide and long CSV, the unit mapping) on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static FRAMEWORKS: OnceLock<chiso_core::framework::FrameworkSet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let fws = FRAMEWORKS.get_or_init(|| chiso_core::framework::FrameworkSet::builtin().expect("frameworks"));
    let text = String::from_utf8_lossy(data);
    if let Some(papi) = fws.get("papi") {
        let _ = chiso_core::results::parse_wide_csv(papi, 2023, &text);
        let _ = chiso_core::results::parse_long_csv(papi, 2018, &text);
    }
    let _ = chiso_core::results::parse_unit_mapping(&text);
});
