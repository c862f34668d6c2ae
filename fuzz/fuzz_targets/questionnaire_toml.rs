//! Questionnaire files on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = chiso_stats::Questionnaire::from_toml_str(&String::from_utf8_lossy(data));
});
