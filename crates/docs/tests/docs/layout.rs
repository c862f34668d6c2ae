//! The official layout of the documents that go out (Nghị định 30/2020, Phụ lục I), read from the
//! produced files: the header table, the signature block, dates with a blank day, the appendix table
//! (DOCX and XLSX).

use chiso_docs::{AppendixRow, PlanDocument, parse_plan, write_docx, write_xlsx};

use crate::ooxml::{self, APPENDIX_HEADERS, Block, appendix_rows, assert_appendix_numbering, assert_header, assert_signature_block};
use crate::roundtrip::sample_document;
use crate::support::seed;

fn seed_document(stem: &str) -> PlanDocument {
    let (name, bytes) = seed(stem);
    PlanDocument::from(&parse_plan(&bytes, &name).expect("seed parses"))
}

fn grouped_rows() -> Vec<AppendixRow> {
    let row = |text: &str, group: Option<&str>, lead: Option<&str>, time: Option<&str>| AppendixRow {
        code: format!("X.{text}"),
        text: text.to_string(),
        lead_agency: lead.map(String::from),
        time: time.map(String::from),
        group_title: group.map(String::from),
        ..AppendixRow::default()
    };
    vec![
        AppendixRow {
            coordinating_agencies: vec!["Phòng Nội vụ".into(), "UBND các xã".into()],
            product: Some("Báo cáo".into()),
            ..row("Việc một", Some("Nội dung “Công khai, minh bạch”"), Some("Văn phòng HĐND và UBND"), Some("Quý II/2022"))
        },
        row("Việc hai", Some("Tổ chức thực hiện"), Some("Phòng Nội vụ"), Some("Thường xuyên")),
        row("Việc ba", Some("Nội dung “Công khai, minh bạch”"), None, None),
        row("Việc bốn", Some("Tổ chức thực hiện"), None, Some("10/06/2022")),
    ]
}

#[test]
fn header_never_runs_together() {
    let doc = sample_document();
    let d = ooxml::read(&write_docx(&doc).expect("docx"));
    let Some(Block::Table(t)) = d.blocks.first() else { panic!("the document opens with the header table") };
    assert_header(t, "ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU", "sample");
    assert_eq!(t.rows[1].cells[1].text(), "Mộc Châu, ngày 18 tháng 02 năm 2022");
    assert_eq!(t.rows[1].cells[0].text(), "Số: 426/KH-UBND");
    // A long name wraps between its phrases, never inside one ("THỊ / TRẤN").
    let town = PlanDocument { issuer: "ỦY BAN NHÂN DÂN THỊ TRẤN ÂN THI".into(), ..sample_document() };
    let d = ooxml::read(&write_docx(&town).expect("docx"));
    let Some(Block::Table(t)) = d.blocks.first() else { panic!("header") };
    assert!(t.rows[0].cells[0].text().contains("ỦY\u{a0}BAN\u{a0}NHÂN\u{a0}DÂN THỊ\u{a0}TRẤN ÂN THI"), "{}", t.rows[0].cells[0].text());
    for stem in ["000", "001", "004"] {
        let doc = seed_document(stem);
        let d = ooxml::read(&write_docx(&doc).expect("docx"));
        let Some(Block::Table(t)) = d.blocks.first() else { panic!("{stem}: header table first") };
        assert_header(t, &doc.issuer.to_uppercase(), stem);
    }
}

#[test]
fn signature_block_and_recipients_stay_together_with_their_notes() {
    let d = ooxml::read(&write_docx(&sample_document()).expect("docx"));
    assert_signature_block(&d, "sample");
    let doc = seed_document("000");
    let d = ooxml::read(&write_docx(&doc).expect("docx"));
    assert_signature_block(&d, "000");
    let (_, t) = d.table_with("Nơi nhận:").expect("signature");
    let left: Vec<String> = t.rows[0].cells[0].paras.iter().map(|p| p.text.clone()).collect();
    assert_eq!(
        left,
        vec![
            "Nơi nhận:",
            "- Sở Nội vụ (để báo cáo);",
            "- Thường trực HU, HĐND huyện;",
            "- Lãnh đạo UBND huyện (để chỉ đạo);",
            "- Ban Chỉ đạo CCHC huyện;",
            "- Ủy ban Mặt trận Tổ quốc huyện (để phối hợp);",
            "- Các cơ quan, đơn vị, UBND các xã, thị trấn (để T/h);",
            "- Lưu: VT, NV.",
        ],
        "recipient notes kept as written"
    );
    let right = t.rows[0].cells[1].text();
    assert!(right.starts_with("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH") && right.ends_with("Hoàng Mạnh Dũng"), "{right}");
}

#[test]
fn a_blank_day_keeps_month_and_year() {
    let doc = seed_document("000");
    assert_eq!((doc.date, doc.month, doc.year), (None, Some(6), Some(2021)), "seed 000: 'ngày tháng 6 năm 2021'");
    let bytes = write_docx(&doc).expect("docx");
    let d = ooxml::read(&bytes);
    let Some(Block::Table(t)) = d.blocks.first() else { panic!("header") };
    assert_eq!(t.rows[1].cells[1].text(), "Thanh Liêm, ngày … tháng 6 năm 2021");
    assert_eq!(t.rows[1].cells[0].text(), "Số:        /KH-UBND");
    // Read back: the same incomplete date.
    let back = parse_plan(&bytes, "000.docx").expect("parse");
    assert_eq!((back.date, back.month, back.year), (None, Some(6), Some(2021)));
    // Nothing known but the year.
    let doc = PlanDocument { month: None, ..doc };
    let d = ooxml::read(&write_docx(&doc).expect("docx"));
    let Some(Block::Table(t)) = d.blocks.first() else { panic!("header") };
    assert_eq!(t.rows[1].cells[1].text(), "Thanh Liêm, ngày … tháng … năm 2021");
}

#[test]
fn appendix_groups_rows_and_numbers_within_each() {
    let doc = PlanDocument { appendix: grouped_rows(), ..sample_document() };
    let d = ooxml::read(&write_docx(&doc).expect("docx"));
    let (_, t) = d.table_with("Nội dung nhiệm vụ").expect("appendix table");
    assert_eq!(t.grid.iter().sum::<u32>(), 14558, "landscape text width");
    assert_eq!(assert_appendix_numbering(t, "grouped"), 4);
    assert_eq!(
        appendix_rows(t),
        vec![
            vec!["I", "Nội dung “Công khai, minh bạch”"],
            vec!["1", "Việc một", "Văn phòng HĐND và UBND", "Phòng Nội vụ;\nUBND các xã", "Quý II/2022", "Báo cáo"],
            vec!["2", "Việc ba", "", "", "", ""],
            vec!["II", "Tổ chức thực hiện"],
            vec!["1", "Việc hai", "Phòng Nội vụ", "", "Thường xuyên", ""],
            vec!["2", "Việc bốn", "", "", "10/06/2022", ""],
        ],
        "grouped in order of appearance, numbered within, unknown fields empty"
    );
    // Seeds with an appendix built from their tasks read as the parser gives them.
    let mut doc = seed_document("001");
    doc.appendix = grouped_rows();
    let d = ooxml::read(&write_docx(&doc).expect("docx"));
    let (_, t) = d.table_with("Nội dung nhiệm vụ").expect("appendix table");
    assert_eq!(assert_appendix_numbering(t, "001"), 4);
    // The appendix is attached to the plan by its number (blank here) and issuer.
    assert!(d.all_text().contains("(Kèm theo Kế hoạch số      /KH-UBND"), "{}", d.all_text());
}

#[test]
fn xlsx_appendix_has_the_same_columns_and_numbering() {
    use calamine::{Reader, Xlsx};
    let doc = PlanDocument { appendix: grouped_rows(), ..sample_document() };
    let bytes = write_xlsx(&doc).expect("xlsx");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("workbook");
    let range = book.worksheet_range("Nhiệm vụ").expect("sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .map(|r| {
            let mut r = r;
            while r.last().is_some_and(String::is_empty) {
                r.pop();
            }
            r
        })
        .filter(|r| !r.is_empty())
        .collect();
    let header = rows.iter().position(|r| r.first().map(String::as_str) == Some("STT")).expect("header row");
    assert_eq!(rows[header], APPENDIX_HEADERS);
    assert_eq!(
        rows[header + 1..].to_vec(),
        vec![
            vec!["I", "Nội dung “Công khai, minh bạch”"],
            vec!["1", "Việc một", "Văn phòng HĐND và UBND", "Phòng Nội vụ;\nUBND các xã", "Quý II/2022", "Báo cáo"],
            vec!["2", "Việc ba"],
            vec!["II", "Tổ chức thực hiện"],
            vec!["1", "Việc hai", "Phòng Nội vụ", "", "Thường xuyên"],
            vec!["2", "Việc bốn", "", "", "10/06/2022"],
        ]
    );
}
