//! Export to DOCX/XLSX and read back.

use chiso_docs::{AppendixRow, ParsedPlan, PlanDocument, Section, Signer, parse_plan, write_docx, write_xlsx};
use time::macros::date;

use crate::support::seed;

fn sec(code: &str, title: &str, paragraphs: &[&str], children: Vec<Section>) -> Section {
    Section {
        code: code.to_string(),
        title: title.to_string(),
        paragraphs: paragraphs.iter().map(|s| s.to_string()).collect(),
        children,
        after: Vec::new(),
    }
}

/// A plan as the lead would fill it from the database.
pub fn sample_document() -> PlanDocument {
    PlanDocument {
        parent_issuer: Some("UBND TỈNH SƠN LA".into()),
        issuer: "ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU".into(),
        number: Some("426/KH-UBND".into()),
        symbol: Some("KH-UBND".into()),
        place: "Mộc Châu".into(),
        date: Some(date!(2022 - 02 - 18)),
        year: Some(2022),
        month: None,
        doc_type: "KẾ HOẠCH".into(),
        title: "Nâng cao chỉ số hiệu quả quản trị và hành chính công năm 2022".into(),
        based_on: vec!["Thực hiện Kế hoạch số 48/KH-UBND ngày 10/02/2022 của UBND tỉnh Sơn La về nâng cao chỉ số PAPI năm 2022.".into()],
        preamble: vec!["Ủy ban nhân dân huyện ban hành Kế hoạch như sau:".into()],
        sections: vec![
            sec("I", "MỤC ĐÍCH, YÊU CẦU", &["Nâng cao chất lượng phục vụ người dân."], vec![]),
            sec(
                "II",
                "NHIỆM VỤ VÀ GIẢI PHÁP",
                &[],
                vec![
                    sec(
                        "II.1",
                        "Nội dung “Công khai, minh bạch trong việc ra quyết định”",
                        &[],
                        vec![
                            sec("II.1.1", "Niêm yết công khai danh sách hộ nghèo tại nhà văn hóa các bản.", &[], vec![]),
                            sec("II.1.2", "Công khai thu, chi ngân sách cấp xã hằng quý.", &[], vec![]),
                        ],
                    ),
                    sec(
                        "II.2",
                        "Cải thiện chất lượng dịch vụ công",
                        &[],
                        vec![
                            sec("II.2.a", "Y tế công lập", &["Nâng cấp trạm y tế xã, thị trấn."], vec![]),
                            sec(
                                "II.2.b",
                                "Giáo dục tiểu học",
                                &[],
                                vec![
                                    sec("II.2.b.-1", "Kiên cố hóa trường lớp học.", &[], vec![]),
                                    sec("II.2.b.-2", "Lấy ý kiến phụ huynh học sinh.", &[], vec![]),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            sec(
                "III",
                "TỔ CHỨC THỰC HIỆN",
                &[],
                vec![
                    sec(
                        "III.1",
                        "Phòng Nội vụ có trách nhiệm",
                        &[],
                        vec![sec("III.1.-1", "Theo dõi, đôn đốc, tổng hợp kết quả thực hiện.", &[], vec![])],
                    ),
                    sec(
                        "III.2",
                        "Phòng Văn hóa và Thông tin: đẩy mạnh tuyên truyền về Chỉ số PAPI trên Cổng thông tin điện tử của huyện.",
                        &[],
                        vec![],
                    ),
                ],
            ),
        ],
        closing: vec!["Trên đây là Kế hoạch nâng cao Chỉ số PAPI năm 2022 của huyện./.".into()],
        recipients: vec!["Sở Nội vụ tỉnh Sơn La".into(), "UBND các xã, thị trấn".into(), "Lưu: VT, NV".into()],
        signer: Some(Signer {
            authority: Some("TM. ỦY BAN NHÂN DÂN".into()),
            delegation: Some("KT. CHỦ TỊCH".into()),
            position: Some("PHÓ CHỦ TỊCH".into()),
            name: Some("Nguyễn Văn An".into()),
        }),
        appendix_title: Some("NHIỆM VỤ CỤ THỂ NÂNG CAO CHỈ SỐ PAPI NĂM 2022".into()),
        appendix: vec![
            AppendixRow {
                code: "PL.I.1".into(),
                text: "Tổ chức hội nghị đối thoại với người dân về thủ tục hành chính".into(),
                dimension: Some("Trách nhiệm giải trình với người dân".into()),
                lead_agency: Some("Văn phòng HĐND và UBND huyện".into()),
                coordinating_agencies: vec!["Phòng Nội vụ".into(), "UBND các xã, thị trấn".into()],
                time: Some("Quý II/2022".into()),
                product: Some("Biên bản đối thoại".into()),
                status: None,
                group: Some("I".into()),
                group_title: Some("NHÓM NHIỆM VỤ CẢI THIỆN ĐIỂM KHẢO SÁT".into()),
            },
            AppendixRow {
                code: "PL.I.2".into(),
                text: "Cập nhật danh sách hộ nghèo, hộ cận nghèo".into(),
                dimension: Some("Công khai, minh bạch".into()),
                lead_agency: Some("Phòng Lao động - Thương binh và Xã hội".into()),
                coordinating_agencies: vec![],
                time: Some("Trước ngày 30/6/2022".into()),
                product: Some("Danh sách niêm yết".into()),
                status: None,
                group: Some("I".into()),
                group_title: None,
            },
        ],
    }
}

fn codes_and_texts(p: &ParsedPlan) -> Vec<(String, String, Vec<String>)> {
    p.tasks.iter().map(|t| (t.code.clone(), t.text.clone(), t.details.clone())).collect()
}

/// What must survive a round trip: number, date, title, tasks, assignments, signer.
fn assert_same(a: &ParsedPlan, b: &ParsedPlan, what: &str) {
    assert_eq!(a.number, b.number, "{what}: number");
    assert_eq!(a.date, b.date, "{what}: date");
    assert_eq!(a.year, b.year, "{what}: year");
    assert_eq!(a.title, b.title, "{what}: title");
    assert_eq!(codes_and_texts(a), codes_and_texts(b), "{what}: tasks");
    assert_eq!(a.assignments, b.assignments, "{what}: assignments");
    assert_eq!(a.signer, b.signer, "{what}: signer");
    assert_eq!(a.recipients, b.recipients, "{what}: recipients");
    assert_eq!(a.based_on, b.based_on, "{what}: based_on");
    assert_eq!(a.deadlines, b.deadlines, "{what}: deadlines");
}

#[test]
fn document_to_docx_and_back() {
    let doc = sample_document();
    let bytes = write_docx(&doc).expect("docx");
    let p = parse_plan(&bytes, "ke-hoach.docx").expect("parse back");
    assert_eq!(p.format, "docx");
    assert_eq!(p.number.as_deref(), Some("426/KH-UBND"));
    assert_eq!(p.date, doc.date);
    assert_eq!(p.place.as_deref(), Some("Mộc Châu"));
    assert_eq!(p.title, doc.title);
    assert_eq!(p.issuer.as_deref(), Some("ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU"));
    assert_eq!(p.parent_issuer.as_deref(), Some("UBND TỈNH SƠN LA"));
    assert_eq!(p.signer, doc.signer);
    assert_eq!(p.recipients, doc.recipients);
    let body: Vec<(&str, &str)> = p.tasks.iter().filter(|t| t.source == "tasks").map(|t| (t.code.as_str(), t.text.as_str())).collect();
    assert_eq!(
        body,
        vec![
            ("II.1.1", "Niêm yết công khai danh sách hộ nghèo tại nhà văn hóa các bản."),
            ("II.1.2", "Công khai thu, chi ngân sách cấp xã hằng quý."),
            ("II.2.a", "Y tế công lập"),
            ("II.2.b.-1", "Kiên cố hóa trường lớp học."),
            ("II.2.b.-2", "Lấy ý kiến phụ huynh học sinh."),
        ]
    );
    assert_eq!(
        p.tasks.iter().find(|t| t.code == "II.2.a").map(|t| t.details.clone()),
        Some(vec!["Nâng cấp trạm y tế xã, thị trấn.".to_string()])
    );
    let agencies: Vec<(&str, &[String])> = p.assignments.iter().map(|a| (a.agency.as_str(), a.duties.as_slice())).collect();
    assert_eq!(agencies.len(), 2);
    assert_eq!(agencies[0].0, "Phòng Nội vụ");
    assert_eq!(agencies[0].1, ["Theo dõi, đôn đốc, tổng hợp kết quả thực hiện.".to_string()]);
    assert_eq!(agencies[1].0, "Phòng Văn hóa và Thông tin");
    assert_eq!(p.based_on.first().and_then(|b| b.number.clone()).as_deref(), Some("48/KH-UBND"));
    // The appendix rows come back as tasks with their columns.
    let app: Vec<_> = p.tasks.iter().filter(|t| t.source == "appendix").collect();
    assert_eq!(app.len(), 2);
    assert_eq!(app[0].code, "PL.I.1");
    assert_eq!(app[0].lead_agency().as_deref(), Some("Văn phòng HĐND và UBND huyện"));
    assert_eq!(app[0].coordinating_agencies, vec!["Phòng Nội vụ", "UBND các xã, thị trấn"]);
    assert_eq!(app[0].due_text.as_deref(), Some("Quý II/2022"));
    assert_eq!(app[0].product.as_deref(), Some("Biên bản đối thoại"));
    assert_eq!(app[1].due_date, Some(date!(2022 - 06 - 30)));
    assert_eq!(app[1].nodes.first().map(String::as_str), Some("papi.d2"));
    // Body tasks under the heading naming a dimension serve it.
    assert_eq!(p.tasks[0].nodes.first().map(String::as_str), Some("papi.d2"));
    // And a second export of the parse gives the same parse again.
    let again = parse_plan(&write_docx(&PlanDocument::from(&p)).expect("docx"), "again.docx").expect("parse");
    assert_same(&p, &again, "second round");
}

#[test]
fn every_seed_survives_docx_round_trip() {
    for stem in ["000", "001", "002", "003", "004"] {
        let (name, bytes) = seed(stem);
        let first = parse_plan(&bytes, &name).expect("seed parses");
        let doc = PlanDocument::from(&first);
        let docx = write_docx(&doc).expect("docx");
        let back = parse_plan(&docx, &format!("{name}.docx")).expect("docx parses");
        assert_same(&first, &back, &name);
        assert_eq!(first.sections, back.sections, "{name}: outline");
        assert_eq!(first.preamble, back.preamble, "{name}: preamble");
        let nodes_a: Vec<&Vec<String>> = first.tasks.iter().map(|t| &t.nodes).collect();
        let nodes_b: Vec<&Vec<String>> = back.tasks.iter().map(|t| &t.nodes).collect();
        assert_eq!(nodes_a, nodes_b, "{name}: classification");
    }
}

#[test]
fn docx_output_is_deterministic_and_well_formed() {
    let doc = sample_document();
    let a = write_docx(&doc).expect("docx");
    let b = write_docx(&doc).expect("docx");
    assert_eq!(a, b);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(a)).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").expect("document.xml"), &mut xml).expect("utf-8");
    // A4 portrait then an A4 landscape section for the appendix; margins 20/15/20/30 mm.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
    assert!(xml.contains(r#"w:orient="landscape""#));
    assert!(xml.contains(r#"w:top="1140" w:right="855" w:bottom="1140" w:left="1710""#));
    assert!(xml.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(xml.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(xml.contains("Mộc Châu, ngày 18 tháng 02 năm 2022"));
    assert!(xml.contains("<w:tblHeader/>"), "appendix header repeats");
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/styles.xml").expect("styles"), &mut styles).expect("utf-8");
    assert!(styles.contains(r#"w:ascii="Times New Roman""#) && styles.contains(r#"<w:sz w:val="28"/>"#));
}

#[test]
fn blank_number_and_date_are_printed_blank_and_read_back_blank() {
    let mut doc = sample_document();
    doc.number = None;
    doc.date = None;
    doc.year = Some(2024);
    let p = parse_plan(&write_docx(&doc).expect("docx"), "nhap.docx").expect("parse");
    assert_eq!(p.number, None);
    assert_eq!(p.symbol.as_deref(), Some("KH-UBND"));
    assert_eq!(p.date, None);
    assert_eq!(p.year, Some(2024));
}

#[test]
fn xlsx_appendix_round_trip() {
    let doc = sample_document();
    let bytes = write_xlsx(&doc).expect("xlsx");
    let p = parse_plan(&bytes, "phu-luc.xlsx").expect("xlsx parses");
    assert_eq!(p.format, "xlsx");
    assert!(p.title.contains("NHIỆM VỤ CỤ THỂ NÂNG CAO CHỈ SỐ PAPI NĂM 2022"), "{}", p.title);
    assert_eq!(p.year, Some(2022));
    assert_eq!(p.index_families, vec!["PAPI"]);
    type Row = (String, String, Option<String>, Vec<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = p
        .tasks
        .iter()
        .map(|t| (t.code.clone(), t.text.clone(), t.lead_agency(), t.coordinating_agencies.clone(), t.due_text.clone(), t.product.clone()))
        .collect();
    let want: Vec<_> = doc
        .appendix
        .iter()
        .map(|r| {
            (r.code.clone(), r.text.clone(), r.lead_agency.clone(), r.coordinating_agencies.clone(), r.time.clone(), r.product.clone())
        })
        .collect();
    assert_eq!(rows, want);
    // The group row comes back as the rows' group.
    assert_eq!(p.tasks[1].group.as_deref(), Some("NHÓM NHIỆM VỤ CẢI THIỆN ĐIỂM KHẢO SÁT"));
    // Ready to print: A4 landscape, fitted to the width, header row repeated.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/worksheets/sheet1.xml").expect("sheet"), &mut sheet).expect("utf-8");
    assert!(sheet.contains(r#"paperSize="9""#) && sheet.contains(r#"orientation="landscape""#) && sheet.contains(r#"fitToPage="1""#));
    let mut book = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/workbook.xml").expect("workbook"), &mut book).expect("utf-8");
    assert!(book.contains("_xlnm.Print_Titles"));
}
