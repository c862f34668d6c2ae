//! Helpers to build test documents.

#![allow(dead_code)]

use std::io::Write;

/// A minimal DOCX whose body is `body_xml` (inside `<w:body>`), with optional numbering.
pub fn docx_with_body(body_xml: &str, numbering_xml: Option<&str>) -> Vec<u8> {
    let mut files: Vec<(&str, String)> = vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body_xml}</w:body></w:document>"#
            ),
        ),
    ];
    if let Some(n) = numbering_xml {
        files.push((
            "word/numbering.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{n}</w:numbering>"#),
        ));
    }
    zip_of(&files.iter().map(|(n, b)| (*n, b.as_bytes().to_vec())).collect::<Vec<_>>())
}

pub fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in files {
        z.start_file(*name, opts).expect("zip entry");
        z.write_all(body).expect("zip write");
    }
    z.finish().expect("zip finish").into_inner()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `<w:p>` with one run.
pub fn p(text: &str) -> String {
    format!(r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, esc(text))
}

/// A table of plain cells.
pub fn table(rows: &[&[&str]]) -> String {
    let mut out = String::from("<w:tbl>");
    for r in rows {
        out.push_str("<w:tr>");
        for c in *r {
            out.push_str(&format!("<w:tc>{}</w:tc>", p(c)));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

pub fn seed(stem: &str) -> (String, Vec<u8>) {
    let dir = crate::expected::plans_dir();
    let entry = std::fs::read_dir(&dir)
        .expect("plans dir")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with(stem))
        .expect("seed file");
    let name = entry.file_name().to_string_lossy().to_string();
    (name, std::fs::read(entry.path()).expect("seed bytes"))
}
