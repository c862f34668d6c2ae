//! Bad input gives a clear error naming the file; nothing panics.

use chiso_docs::{DocError, MAX_INPUT_BYTES, parse_plan};

use crate::support::{docx_with_body, p, zip_of};

fn err(bytes: &[u8], name: &str) -> DocError {
    match parse_plan(bytes, name) {
        Ok(plan) => panic!("{name} should fail, parsed {:?}", plan.title),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains(name), "message names the file: {msg}");
            e
        }
    }
}

#[test]
fn empty_and_blank_files() {
    assert!(matches!(err(b"", "rong.txt"), DocError::Empty { .. }));
    assert!(matches!(err(b"  \n\n \t\n", "trang.txt"), DocError::Empty { .. }));
    assert!(err(b"", "rong.txt").to_string().contains("tệp rỗng"));
}

#[test]
fn binary_and_non_utf8() {
    assert_eq!(err(&[0x89, b'P', b'N', b'G', 0, 0, 0, 13], "anh.png").code(), "not_text");
    let e = err(b"K\xe1 ho\xe1ch\n", "latin1.txt");
    assert_eq!(e.code(), "not_text");
    assert!(e.to_string().contains("dòng 1, cột 2"), "{e}");
    assert_eq!(err(b"%PDF-1.7 ...", "ke-hoach.pdf").code(), "unsupported_format");
    assert_eq!(err(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "cu.doc").code(), "unsupported_format");
}

#[test]
fn huge_input_is_refused_before_reading() {
    let big = vec![b'a'; MAX_INPUT_BYTES as usize + 1];
    assert!(matches!(err(&big, "lon.txt"), DocError::TooLarge { .. }));
}

#[test]
fn docx_that_is_not_a_zip() {
    let e = err("KẾ HOẠCH\nNâng cao".as_bytes(), "ke-hoach.docx");
    assert_eq!(e.code(), "corrupt_zip");
    assert!(e.to_string().contains("không phải ZIP"), "{e}");
    // A zip header followed by garbage.
    assert_eq!(err(b"PK\x03\x04garbage-garbage-garbage", "hong.docx").code(), "corrupt_zip");
}

#[test]
fn zip_without_a_document() {
    let z = zip_of(&[("hello.txt", b"xin chao".to_vec())]);
    assert_eq!(err(&z, "la.zip").code(), "unsupported_format");
    let z = zip_of(&[("_rels/.rels", b"<Relationships/>".to_vec())]);
    assert_eq!(err(&z, "thieu.docx").code(), "missing_part");
}

#[test]
fn zip_bomb_is_stopped_at_the_limit() {
    // 60 MB of spaces inside a valid paragraph compresses to well under 1 MB.
    let mut xml =
        String::from(r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#);
    xml.push_str(&" ".repeat(60 * 1024 * 1024));
    xml.push_str("</w:t></w:r></w:p></w:body></w:document>");
    let z = zip_of(&[("word/document.xml", xml.into_bytes())]);
    assert!(z.len() < 2 * 1024 * 1024, "bomb is small: {}", z.len());
    let e = err(&z, "bom.docx");
    assert!(matches!(e, DocError::ZipBomb { .. }), "{e}");
    assert!(e.to_string().contains("bom ZIP"));
}

#[test]
fn malformed_and_deep_xml() {
    let bad = zip_of(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>".to_vec())]);
    let e = err(&bad, "xml-hong.docx");
    assert_eq!(e.code(), "malformed_xml");
    assert!(e.to_string().contains("word/document.xml"));
    let deep = format!("<w:document>{}{}</w:document>", "<w:x>".repeat(5000), "</w:x>".repeat(5000));
    let e = err(&zip_of(&[("word/document.xml", deep.into_bytes())]), "sau.docx");
    assert_eq!(e.code(), "xml_too_deep");
}

#[test]
fn xlsx_without_task_table() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Không có gì").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let e = err(&bytes, "trong.xlsx");
    assert_eq!(e.code(), "no_task_table");
}

#[test]
fn docx_with_no_text_is_empty() {
    let d = docx_with_body("<w:p/>", None);
    assert_eq!(err(&d, "rong.docx").code(), "empty");
    // …and one with a single line is not an error.
    let d = docx_with_body(&p("Kế hoạch cải thiện Chỉ số PAPI"), None);
    assert!(parse_plan(&d, "mot-dong.docx").is_ok());
}
