//! PDF export through LibreOffice: skipped (with a message) when LibreOffice is absent.

use chiso_docs::{DocError, find_libreoffice, write_pdf};

#[test]
fn pdf_via_libreoffice_or_clear_error() {
    let doc = crate::roundtrip::sample_document();
    if find_libreoffice().is_none() {
        println!("SKIP: LibreOffice (soffice) is not installed; checking the error instead");
        assert!(matches!(write_pdf(&doc), Err(DocError::LibreOfficeMissing)));
        return;
    }
    let pdf = write_pdf(&doc).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf.len() > 5_000);
}
