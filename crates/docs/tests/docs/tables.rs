//! Appendix task tables in DOCX and XLSX, with headers in other orders and wordings, and
//! DOCX automatic numbering.

use chiso_docs::parse_plan;

use crate::support::{docx_with_body, p, table};

#[test]
fn docx_table_with_other_header_order_and_two_header_rows() {
    let body = [
        p("KẾ HOẠCH"),
        p("Nâng cao Chỉ số PAPI năm 2023"),
        p("I. NHIỆM VỤ"),
        p("1. Tăng cường công khai thu chi ngân sách xã."),
        table(&[
            &["Nội dung công việc", "TT", "Đơn vị thực hiện", "", "Thời hạn hoàn thành", "Kết quả"],
            &["", "", "Chủ trì", "Phối hợp", "", ""],
            &["Nội dung 5: Thủ tục hành chính công", "II", "", "", "", ""],
            &[
                "Rút ngắn thời gian cấp giấy chứng nhận quyền sử dụng đất",
                "1",
                "Phòng Tài nguyên và Môi trường",
                "Văn phòng đăng ký đất đai; UBND các xã, thị trấn",
                "Trước 30/9",
                "Quy trình nội bộ",
            ],
            &["Niêm yết thủ tục chứng thực tại bộ phận một cửa", "2", "UBND các xã", "", "Thường xuyên", "Bảng niêm yết"],
        ]),
    ]
    .concat();
    let plan = parse_plan(&docx_with_body(&body, None), "phu-luc.docx").expect("parse");
    let app: Vec<_> = plan.tasks.iter().filter(|t| t.source == "appendix").collect();
    assert_eq!(app.len(), 2);
    assert_eq!(app[0].code, "PL.II.1");
    assert_eq!(app[0].section_code.as_deref(), Some("II"));
    assert_eq!(app[0].lead_agency().as_deref(), Some("Phòng Tài nguyên và Môi trường"));
    assert_eq!(app[0].coordinating_agencies, vec!["Văn phòng đăng ký đất đai", "UBND các xã, thị trấn"]);
    assert_eq!(app[0].due_text.as_deref(), Some("Trước 30/9"));
    assert_eq!(app[0].due_date, time::Date::from_calendar_date(2023, time::Month::September, 30).ok());
    assert_eq!(app[0].product.as_deref(), Some("Quy trình nội bộ"));
    assert_eq!(app[0].nodes.first().map(String::as_str), Some("papi.d5"));
    assert_eq!(app[1].recurrence.as_deref(), Some("thuong_xuyen"));
    // The body task is still there.
    assert!(plan.tasks.iter().any(|t| t.code == "I.1" && t.source == "tasks"));
}

#[test]
fn docx_automatic_numbering_is_resolved() {
    let numbering = r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl><w:lvl w:ilvl="3"><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#;
    let np = |lvl: u32, text: &str| {
        format!(r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#)
    };
    let body = [
        p("KẾ HOẠCH"),
        p("Cải thiện Chỉ số PAPI năm 2023"),
        np(0, "MỤC ĐÍCH, YÊU CẦU"),
        p("Nâng cao chất lượng."),
        np(0, "NHIỆM VỤ, GIẢI PHÁP"),
        np(1, "Công khai, minh bạch"),
        np(2, "Niêm yết danh sách hộ nghèo"),
        np(2, "Công khai ngân sách xã"),
        np(1, "Quản trị điện tử"),
        np(3, "Hướng dẫn người dân dùng dịch vụ công trực tuyến"),
    ]
    .concat();
    let plan = parse_plan(&docx_with_body(&body, Some(numbering)), "tu-dong.docx").expect("parse");
    let codes: Vec<&str> = plan.tasks.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, vec!["II.1.a", "II.1.b", "II.2.-1"]);
    assert_eq!(plan.tasks[0].nodes.first().map(String::as_str), Some("papi.d2"));
    assert_eq!(plan.tasks[2].nodes.first().map(String::as_str), Some("papi.d8"));
}

#[test]
fn xlsx_task_table_in_other_wording() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [&[&str]; 4] = [
        &["PHỤ LỤC NHIỆM VỤ NÂNG CAO CHỈ SỐ PAPI NĂM 2024"],
        &["Số TT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Tiến độ", "Sản phẩm"],
        &[
            "1",
            "Tổ chức đối thoại với người dân về giải quyết khiếu nại",
            "Thanh tra huyện",
            "Phòng Nội vụ, UBND các xã, thị trấn",
            "Quý III/2024",
            "Báo cáo",
        ],
        &["2", "Kiểm tra, xử lý ô nhiễm nguồn nước tại các sông, hồ", "Phòng Tài nguyên và Môi trường", "", "Hằng quý", "Biên bản"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    ws.write_number(3, 0, 2.0).unwrap();
    let plan = parse_plan(&wb.save_to_buffer().unwrap(), "nhiem-vu.xlsx").expect("parse");
    assert_eq!(plan.year, Some(2024));
    assert_eq!(plan.tasks.len(), 2);
    assert_eq!(plan.tasks[0].code, "PL.1");
    assert_eq!(plan.tasks[1].code, "PL.2", "numeric STT cells read as integers");
    assert_eq!(plan.tasks[0].coordinating_agencies, vec!["Phòng Nội vụ", "UBND các xã, thị trấn"]);
    assert_eq!(plan.tasks[0].nodes.first().map(String::as_str), Some("papi.d3"));
    assert_eq!(plan.tasks[1].nodes.first().map(String::as_str), Some("papi.d7"));
    assert_eq!(plan.tasks[1].recurrence.as_deref(), Some("quarterly"));
}

#[test]
fn appendix_rows_repeating_body_tasks_complete_them() {
    let body = [
        p("KẾ HOẠCH"),
        p("Nâng cao Chỉ số PAPI năm 2023"),
        p("I. NHIỆM VỤ"),
        p("1. Niêm yết công khai danh sách hộ nghèo tại nhà văn hóa thôn."),
        p("2. Tổ chức đối thoại với người dân."),
        table(&[
            &["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian", "Sản phẩm"],
            &["1", "Niêm yết công khai danh sách hộ nghèo tại nhà văn hóa thôn.", "UBND các xã", "Quý I/2023", "Danh sách"],
            &["2", "Khảo sát ý kiến người dân", "Phòng Nội vụ", "Tháng 10/2023", "Báo cáo"],
        ]),
    ]
    .concat();
    let plan = parse_plan(&docx_with_body(&body, None), "lap.docx").expect("parse");
    let codes: Vec<&str> = plan.tasks.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, vec!["I.1", "I.2", "PL.2"], "the repeated row merges, the new one is added");
    assert_eq!(plan.tasks[0].lead_agency().as_deref(), Some("UBND các xã"));
    assert_eq!(plan.tasks[0].due_text.as_deref(), Some("Quý I/2023"));
    assert_eq!(plan.tasks[0].product.as_deref(), Some("Danh sách"));
}
