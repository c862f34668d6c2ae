//! XLSX writing of the appendix task table with rust_xlsxwriter: bold header, wrapped text,
//! borders, column widths; A4 landscape, header row repeated, fitted to the page width.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::DocError;
use crate::document::{PlanDocument, appendix_groups, attached_to};

/// Column widths (characters) of STT / Nội dung nhiệm vụ / Cơ quan chủ trì / Cơ quan phối hợp /
/// Thời gian hoàn thành / Sản phẩm / Trạng thái.
const WIDTHS: [f64; 7] = [6.0, 60.0, 26.0, 30.0, 18.0, 28.0, 16.0];

fn err(e: XlsxError) -> DocError {
    DocError::write("XLSX", e)
}

/// Write the appendix task table of `doc` as an XLSX workbook ready to print, with the columns and
/// numbering of the DOCX appendix: STT / Nội dung nhiệm vụ / Cơ quan chủ trì / Cơ quan phối hợp /
/// Thời gian hoàn thành / Sản phẩm (and Trạng thái when a row has a status); group rows I, II, …
/// and tasks numbered 1, 2, 3 within each group; unknown fields left empty.
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
    let group_center = group_fmt.clone().set_align(FormatAlign::Center);

    let with_status = doc.appendix.iter().any(|r| r.status.is_some());
    let (headers, _) = crate::docx_write::appendix_columns(with_status);

    let ws = wb.add_worksheet();
    ws.set_name("Nhiệm vụ").map_err(err)?;
    let last_col = (headers.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last_col, "PHỤ LỤC", &title_fmt).map_err(err)?;
    let title = doc.appendix_title.clone().unwrap_or_else(|| format!("NHIỆM VỤ {}", doc.title.to_uppercase()));
    ws.merge_range(1, 0, 1, last_col, &title, &title_fmt).map_err(err)?;
    ws.set_row_height(1, 32).map_err(err)?;
    ws.merge_range(2, 0, 2, last_col, &attached_to(doc), &note_fmt).map_err(err)?;
    let header_row = 4u32;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(header_row, i as u16, *h, &head_fmt).map_err(err)?;
        ws.set_column_width(i as u16, WIDTHS[i]).map_err(err)?;
    }
    let mut row = header_row + 1;
    for group in appendix_groups(&doc.appendix) {
        if let Some(numeral) = &group.numeral {
            ws.write_string_with_format(row, 0, numeral, &group_center).map_err(err)?;
            ws.merge_range(row, 1, row, last_col, &group.title, &group_fmt).map_err(err)?;
            row += 1;
        }
        for (i, r) in group.rows.iter().enumerate() {
            let mut values = vec![
                (i + 1).to_string(),
                r.text.clone(),
                r.lead_agency.clone().unwrap_or_default(),
                r.coordinating_agencies.join(";\n"),
                r.time.clone().unwrap_or_default(),
                r.product.clone().unwrap_or_default(),
            ];
            if with_status {
                values.push(r.status.clone().unwrap_or_default());
            }
            for (c, v) in values.iter().enumerate() {
                let f = if c == 0 || c == 4 || c == 6 { &center_fmt } else { &cell_fmt };
                ws.write_string_with_format(row, c as u16, v, f).map_err(err)?;
            }
            row += 1;
        }
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_margins(0.6, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(header_row, header_row).map_err(err)?;
    ws.set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(header_row + 1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}
