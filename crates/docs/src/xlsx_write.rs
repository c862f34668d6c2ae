//! XLSX writing of the appendix task table with rust_xlsxwriter: bold header, wrapped text,
//! borders, column widths; A4 landscape, header row repeated, fitted to the page width.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::DocError;
use crate::document::{PlanDocument, appendix_stt};

const HEADERS: [(&str, f64); 8] = [
    ("STT", 6.0),
    ("Nhiệm vụ", 60.0),
    ("Chỉ số / nội dung", 24.0),
    ("Cơ quan chủ trì", 24.0),
    ("Cơ quan phối hợp", 30.0),
    ("Thời gian", 16.0),
    ("Sản phẩm", 26.0),
    ("Trạng thái", 14.0),
];

fn err(e: XlsxError) -> DocError {
    DocError::write("XLSX", e)
}

/// Write the appendix task table of `doc` as an XLSX workbook ready to print.
pub fn write_xlsx(doc: &PlanDocument) -> Result<Vec<u8>, DocError> {
    let mut wb = Workbook::new();
    let font = |f: Format| f.set_font_name("Times New Roman").set_font_size(12);
    let title_fmt = font(Format::new()).set_bold().set_align(FormatAlign::Center).set_text_wrap();
    let note_fmt = font(Format::new()).set_italic().set_align(FormatAlign::Center);
    let head_fmt = font(Format::new())
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9E1F2));
    let cell_fmt = font(Format::new()).set_text_wrap().set_border(FormatBorder::Thin).set_align(FormatAlign::Top);
    let center_fmt = cell_fmt.clone().set_align(FormatAlign::Center);
    let group_fmt = cell_fmt.clone().set_bold();

    let ws = wb.add_worksheet();
    ws.set_name("Nhiệm vụ").map_err(err)?;
    let last_col = (HEADERS.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last_col, "PHỤ LỤC", &title_fmt).map_err(err)?;
    let title = doc.appendix_title.clone().unwrap_or_else(|| format!("NHIỆM VỤ {}", doc.title.to_uppercase()));
    ws.merge_range(1, 0, 1, last_col, &title, &title_fmt).map_err(err)?;
    ws.set_row_height(1, 32).map_err(err)?;
    let mut note = format!("(Kèm theo {}", doc.doc_type.to_lowercase());
    if let Some(n) = &doc.number {
        note.push_str(&format!(" số {n}"));
    }
    if let Some(d) = doc.date {
        note.push_str(&format!(" ngày {}", chiso_core::text::vn_date_short(d)));
    }
    note.push(')');
    ws.merge_range(2, 0, 2, last_col, &note, &note_fmt).map_err(err)?;
    let header_row = 4u32;
    for (i, (h, w)) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(header_row, i as u16, *h, &head_fmt).map_err(err)?;
        ws.set_column_width(i as u16, *w).map_err(err)?;
    }
    let mut row = header_row + 1;
    let mut group: Option<&str> = None;
    for r in &doc.appendix {
        if r.group.as_deref() != group {
            group = r.group.as_deref();
            if let Some(g) = group {
                ws.write_string_with_format(row, 0, g, &group_fmt).map_err(err)?;
                let t = r.group_title.clone().or_else(|| r.dimension.clone()).unwrap_or_default();
                ws.merge_range(row, 1, row, last_col, &t, &group_fmt).map_err(err)?;
                row += 1;
            }
        }
        let values = [
            appendix_stt(&r.code),
            r.text.clone(),
            r.dimension.clone().unwrap_or_default(),
            r.lead_agency.clone().unwrap_or_default(),
            r.coordinating_agencies.join(";\n"),
            r.time.clone().unwrap_or_default(),
            r.product.clone().unwrap_or_default(),
            r.status.clone().unwrap_or_default(),
        ];
        for (c, v) in values.iter().enumerate() {
            let f = if c == 0 || c == 5 || c == 7 { &center_fmt } else { &cell_fmt };
            ws.write_string_with_format(row, c as u16, v, f).map_err(err)?;
        }
        row += 1;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_margins(0.6, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(header_row, header_row).map_err(err)?;
    ws.set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(header_row + 1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}
