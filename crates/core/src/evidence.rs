//! Evidence files (tài liệu kiểm chứng): which files are accepted, judged by their content, not their name.

pub use crate::limits::MAX_EVIDENCE_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    Pdf,
    Docx,
    Xlsx,
    Png,
    Jpeg,
}

impl EvidenceKind {
    pub fn mime(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            EvidenceKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Jpeg => "image/jpeg",
        }
    }
    fn extensions(self) -> &'static [&'static str] {
        match self {
            EvidenceKind::Pdf => &["pdf"],
            EvidenceKind::Docx => &["docx"],
            EvidenceKind::Xlsx => &["xlsx"],
            EvidenceKind::Png => &["png"],
            EvidenceKind::Jpeg => &["jpg", "jpeg"],
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Markup that makes a browser (or a careless viewer) treat a file as a web page.
const HTML_MARKERS: [&[u8]; 8] = [b"<html", b"<!doctype", b"<script", b"<body", b"<head", b"<iframe", b"<svg", b"<meta"];

/// Does the start of the file look like HTML (case-insensitive)? A polyglot `%PDF-` + HTML is refused.
fn looks_like_html(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes.iter().take(4096).map(u8::to_ascii_lowercase).collect();
    HTML_MARKERS.iter().any(|m| contains(&head, m))
}

/// Identify a file by its first bytes (and, for Office files, the part names in the zip). A PDF needs a
/// version after `%PDF-` and no HTML in its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<EvidenceKind> {
    if bytes.starts_with(b"%PDF-") {
        let version = bytes.get(5..8).is_some_and(|v| v[0].is_ascii_digit() && v[1] == b'.' && v[2].is_ascii_digit());
        (version && !looks_like_html(bytes)).then_some(EvidenceKind::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(EvidenceKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(EvidenceKind::Jpeg)
    } else if bytes.starts_with(b"PK\x03\x04") {
        if contains(bytes, b"word/document.xml") {
            Some(EvidenceKind::Docx)
        } else if contains(bytes, b"xl/workbook.xml") {
            Some(EvidenceKind::Xlsx)
        } else {
            None
        }
    } else {
        None
    }
}

/// Accept a file only if its content is an allowed kind, within the size limit, and its extension agrees
/// with its content (a "lying extension" is refused). The message is for the person who uploaded it.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<EvidenceKind, String> {
    if bytes.is_empty() {
        return Err(format!("tệp '{file_name}' rỗng"));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(format!(
            "tệp '{file_name}' quá lớn ({:.1} MB; tối đa {} MB)",
            bytes.len() as f64 / 1048576.0,
            MAX_EVIDENCE_BYTES / 1048576
        ));
    }
    let kind = sniff(bytes).ok_or_else(|| format!("tệp '{file_name}' không thuộc loại được phép (PDF, DOCX, XLSX, PNG, JPEG)"))?;
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(format!(
            "tệp '{file_name}' có đuôi .{ext} nhưng nội dung là {} — đuôi tệp không khớp nội dung",
            kind.extensions()[0].to_uppercase()
        ));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_and_lying_extensions_are_refused() {
        assert_eq!(check("bao-cao.pdf", b"%PDF-1.7 ...").ok(), Some(EvidenceKind::Pdf));
        assert_eq!(check("anh.JPG", &[0xFF, 0xD8, 0xFF, 0xE0, 1]).ok(), Some(EvidenceKind::Jpeg));
        assert!(check("bao-cao.pdf", b"MZ\x90\x00 an exe").is_err(), "not an allowed kind");
        assert!(check("bao-cao.docx", b"%PDF-1.7").expect_err("lying").contains("không khớp"));
        assert!(check("trong.pdf", b"").is_err());
        let mut zip = b"PK\x03\x04....word/document.xml....".to_vec();
        assert_eq!(check("kh.docx", &zip).ok(), Some(EvidenceKind::Docx));
        zip.extend(vec![0u8; MAX_EVIDENCE_BYTES]);
        assert!(check("kh.docx", &zip).expect_err("big").contains("quá lớn"));
        assert!(check("x.zip", b"PK\x03\x04 plain zip").is_err());
        // A polyglot: a PDF header followed by a web page.
        assert!(check("a.pdf", b"%PDF-1.4\n<HTML><body><script>alert(1)</script>").is_err());
        assert!(check("a.pdf", b"%PDF-1.4\n%\xe2\xe3\n<!DOCTYPE html>").is_err());
        assert!(check("a.pdf", b"%PDF-<html>").is_err(), "no version");
    }
}
