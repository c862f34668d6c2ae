//! Unit tree and merger files on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let levels: Vec<String> = ["province", "district", "commune", "village"].iter().map(|s| s.to_string()).collect();
    let text = String::from_utf8_lossy(data);
    let _ = chiso_core::unit::parse_units_file(&text, &levels);
    let _ = chiso_core::unit::parse_mergers_csv(&text);
});
