//! libFuzzer target over `parse_plan`: any bytes, under a DOCX-like and a text-like name,
//! must give Ok or Err and never panic.
//!
//! Run: `cd crates/docs/fuzz && cargo +nightly fuzz run parse_plan -- -max_total_time=300`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = chiso_docs::parse_plan(data, "fuzz.docx");
    let _ = chiso_docs::parse_plan(data, "fuzz.txt");
});
