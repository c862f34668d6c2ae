//! The official layout of the documents that go out (Nghị định 30/2020, Phụ lục I), read from the
//! produced files: the header table, the signature block, dates with a blank day, the appendix table
//! (DOCX and XLSX).

use chiso_docs::{AppendixRow, PlanDocument, parse_plan, write_docx, write_xlsx};

use crate::ooxml::{self, Block, Table};
use crate::roundtrip::sample_document;
use crate::support::seed;

const MOTTO: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const TIEU_NGU: &str = "Độc lập - Tự do - Hạnh phúc";

fn seed_document(stem: &str) -> PlanDocument {
    let (name, bytes) = seed(stem);
    PlanDocument::from(&parse_plan(&bytes, &name).expect("seed parses"))
}

/// The header: a borderless table of two fixed columns that fill the text width (A4 less 30 + 15 mm),
/// with cell margins; issuer and number on the left, motto and italic place/date on the right, each
/// line its own paragraph.
pub fn assert_header(t: &Table, issuer: &str, what: &str) {
    assert!(t.borderless, "{what}: header table without borders");
    assert!(t.fixed_layout, "{what}: fixed layout");
    assert_eq!(t.grid, vec![3600, 5741], "{what}: column widths");
    assert_eq!(t.width, Some(9341), "{what}: the table fills the text width");
    assert_eq!((t.margin_left, t.margin_right), (Some(85), Some(85)), "{what}: cell margins keep the columns apart");
    assert_eq!(t.rows.len(), 2, "{what}: two rows");
    let [left, right] = &t.rows[0].cells[..] else { panic!("{what}: two cells") };
    assert_eq!((left.width, right.width), (Some(3600), Some(5741)), "{what}: cell widths");
    if issuer.is_empty() {
        assert_eq!(left.text(), "", "{what}: no issuer printed when none is known");
    } else {
        assert!(left.paras.iter().any(|p| p.bold && p.text == issuer), "{what}: issuer in bold on the left: {:?}", left.paras);
        assert!(!right.text().contains(issuer), "{what}: the issuer is not in the motto's column");
    }
    assert!(!left.text().contains("CỘNG HÒA"), "{what}: the motto is not in the issuer's column");
    let lines: Vec<(&str, bool)> = right.paras.iter().filter(|p| !p.text.is_empty()).map(|p| (p.text.as_str(), p.bold)).collect();
    assert_eq!(lines, vec![(MOTTO, true), (TIEU_NGU, true)], "{what}: Quốc hiệu and Tiêu ngữ, bold, each its own line");
    let [num, date] = &t.rows[1].cells[..] else { panic!("{what}: two cells in the second row") };
    assert!(num.text().starts_with("Số:"), "{what}: the number under the issuer: {}", num.text());
    assert!(date.paras.iter().any(|p| p.italic && p.text.contains("ngày")), "{what}: italic place and date under the motto");
}

/// The signature block: "Nơi nhận" beside the signer in one row that cannot split, every line kept
/// with the next (but the last) and its lines together, and the paragraph before it kept with it.
pub fn assert_signature_block(doc: &ooxml::Docx, what: &str) {
    let (i, t) = doc.table_with("Nơi nhận:").unwrap_or_else(|| panic!("{what}: no signature table"));
    assert!(t.borderless && t.fixed_layout, "{what}: borderless, fixed");
    assert_eq!(t.rows.len(), 1, "{what}: one row");
    assert!(t.rows[0].cant_split, "{what}: the row cannot split across pages");
    let paras: Vec<_> = t.rows[0].cells.iter().flat_map(|c| &c.paras).collect();
    assert!(paras.iter().all(|p| p.keep_lines), "{what}: lines kept together");
    for c in &t.rows[0].cells {
        let n = c.paras.len();
        assert!(c.paras[..n.saturating_sub(1)].iter().all(|p| p.keep_next), "{what}: kept with the next: {:?}", c.paras);
    }
    let Some(Block::Para(before)) = i.checked_sub(1).and_then(|j| doc.blocks.get(j)) else { panic!("{what}: a paragraph before") };
    assert!(before.keep_next, "{what}: the paragraph before the block stays with it");
    let nn = t.rows[0].cells[0].paras.iter().find(|p| p.text == "Nơi nhận:").expect("Nơi nhận");
    assert!(nn.bold && nn.italic, "{what}: 'Nơi nhận:' bold italic");
}

/// The appendix rows as (STT, content, lead, coordinators, time, product).
pub fn appendix_rows(t: &Table) -> Vec<Vec<String>> {
    t.rows.iter().skip(1).map(|r| r.texts()).collect()
}

pub const APPENDIX_HEADERS: [&str; 6] =
    ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"];

/// The appendix table: the header row repeats on every page and no row splits; group rows carry
/// I, II, … in order and span the other columns; the tasks under each are numbered 1, 2, 3.
/// Returns the number of task rows.
pub fn assert_appendix_numbering(t: &Table, what: &str) -> usize {
    assert_eq!(t.rows[0].texts(), APPENDIX_HEADERS, "{what}: columns");
    assert!(t.rows[0].header && t.rows[0].cant_split, "{what}: header row repeats on each page");
    assert!(t.rows.iter().all(|r| r.cant_split), "{what}: rows do not split");
    let mut group = 0u32;
    let mut next = 1u32;
    let mut tasks = 0;
    for r in &t.rows[1..] {
        let stt = r.cells[0].text();
        if r.cells.len() == 2 {
            group += 1;
            assert_eq!(stt, chiso_docs::roman(group), "{what}: group rows numbered I, II, …");
            assert_eq!(r.cells[1].span as usize, APPENDIX_HEADERS.len() - 1, "{what}: the group title spans the row");
            next = 1;
        } else {
            assert_eq!(r.cells.len(), APPENDIX_HEADERS.len(), "{what}: {:?}", r.texts());
            assert_eq!(stt, next.to_string(), "{what}: tasks numbered 1, 2, 3 within their group: {:?}", r.texts());
            next += 1;
            tasks += 1;
        }
    }
    tasks
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
