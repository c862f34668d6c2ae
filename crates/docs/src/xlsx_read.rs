//! XLSX reading with calamine, after the container passed the zip-bomb checks.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::DocError;
use crate::zipsafe::SafeZip;

/// Most rows read from one sheet.
const MAX_ROWS: usize = 100_000;
/// Most columns read from one row.
const MAX_COLS: usize = 200;

/// A sheet's name and its rows of cell texts.
pub(crate) type Sheet = (String, Vec<Vec<String>>);

/// The sheets of a workbook as rows of cell texts.
pub(crate) fn read_xlsx(bytes: &[u8], file: &str) -> Result<Vec<Sheet>, DocError> {
    SafeZip::open(bytes, file)?.check_all()?;
    // calamine is a third-party parser: a panic on a malformed file becomes an error here.
    let result = std::panic::catch_unwind(|| read_sheets(bytes, file));
    match result {
        Ok(r) => r,
        Err(_) => Err(DocError::Spreadsheet { file: file.to_string(), detail: "tệp hỏng, không đọc được".to_string() }),
    }
}

fn read_sheets(bytes: &[u8], file: &str) -> Result<Vec<Sheet>, DocError> {
    let err = |e: calamine::XlsxError| DocError::Spreadsheet { file: file.to_string(), detail: e.to_string() };
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(err)?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(err)?;
        let rows: Vec<Vec<String>> = range.rows().take(MAX_ROWS).map(|r| r.iter().take(MAX_COLS).map(cell_text).collect()).collect();
        out.push((name, rows));
    }
    Ok(out)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => chiso_core::text::nfc(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// Excel serial day → "dd/mm/yyyy" (1900 date system).
fn excel_date(serial: f64) -> Option<String> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    let d = base.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(chiso_core::text::vn_date_short(d))
}
