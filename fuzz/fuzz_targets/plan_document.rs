//! The plan reader on any bytes, as text, Markdown, DOCX and XLSX: Ok or Err, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["k.txt", "k.md", "k.docx", "k.xlsx"] {
        let _ = chiso_docs::parse_plan(data, name);
    }
});
