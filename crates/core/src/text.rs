//! Vietnamese text helpers: normalisation, diacritic-insensitive folding, and the
//! Vietnamese formats for dates and numbers used in pages and documents.

use time::Date;
use unicode_normalization::UnicodeNormalization;

/// NFC-normalise text (Word and macOS may deliver NFD) and trim it.
pub fn nfc(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Diacritic-insensitive search key: "Phòng Nội vụ" → "phong noi vu".
/// `đ`/`Đ` have no Unicode decomposition, so they are folded explicitly.
/// Runs of whitespace collapse to one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if ('\u{300}'..='\u{36F}').contains(&c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// One CSV field, safe to open in a spreadsheet: a text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return — `=HYPERLINK(…)` as a unit name) gets a
/// leading `'`, which spreadsheets show as text; numbers such as `-1,5` stay numbers. Quoted when it holds
/// a comma, a quote or a line break. Every CSV writer of chiso goes through this function.
pub fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.trim().parse::<f64>().is_err();
    let s = if formula { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// One CSV line of fields, each through [`csv_field`] (no line break at the end).
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    fields.iter().map(|f| csv_field(f.as_ref())).collect::<Vec<_>>().join(",")
}

/// Undo [`csv_field`]'s formula guard on a field read back from a file chiso wrote: `'=X` → `=X`.
pub fn csv_unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) && rest.trim().parse::<f64>().is_err() => rest,
        _ => s,
    }
}

/// "ngày 05 tháng 01 năm 2024": day < 10 and months 1–2 padded with 0 (Nghị định 30/2020, Phụ lục I).
pub fn vn_date_long(d: Date) -> String {
    let m = u8::from(d.month());
    let month = if m <= 2 { format!("{m:02}") } else { m.to_string() };
    format!("ngày {:02} tháng {} năm {}", d.day(), month, d.year())
}

/// "05/01/2024", the short form used in tables.
pub fn vn_date_short(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Vietnamese number format: "." groups thousands, "," is the decimal mark: 1234.5 → "1.234,5".
pub fn vn_number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let neg = x < 0.0 && s_nonzero(&grouped, frac.as_deref());
    let mut out = if neg { format!("-{grouped}") } else { grouped };
    if let Some(f) = frac {
        out.push(',');
        out.push_str(&f);
    }
    out
}

/// A score or any decimal as a person reads it: decimal comma, at most four decimals, no trailing zeros
/// (2.5 → "2,5", 3.0 → "3", 1.23456 → "1,2346").
pub fn vn_decimal(x: f64) -> String {
    let s = vn_number(x, 4);
    match s.split_once(',') {
        Some((int, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() { int.to_string() } else { format!("{int},{frac}") }
        }
        None => s,
    }
}

fn s_nonzero(int: &str, frac: Option<&str>) -> bool {
    int.chars().chain(frac.unwrap_or("").chars()).any(|c| c.is_ascii_digit() && c != '0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn fold_removes_marks_and_d_stroke() {
        assert_eq!(fold("Phòng Nội vụ"), "phong noi vu");
        assert_eq!(fold("ĐẢNG ủy  Đông"), "dang uy dong");
        // NFD input folds the same as NFC input.
        let nfd: String = "Nội vụ".nfd().collect();
        assert_eq!(fold(&nfd), fold("Nội vụ"));
    }

    #[test]
    fn vietnamese_dates() {
        assert_eq!(vn_date_long(date!(2024 - 01 - 05)), "ngày 05 tháng 01 năm 2024");
        assert_eq!(vn_date_long(date!(2022 - 02 - 18)), "ngày 18 tháng 02 năm 2022");
        assert_eq!(vn_date_long(date!(2022 - 11 - 30)), "ngày 30 tháng 11 năm 2022");
        assert_eq!(vn_date_short(date!(2022 - 2 - 10)), "10/02/2022");
    }

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(vn_number(8.5234, 2), "8,52");
        assert_eq!(vn_number(1234.5, 1), "1.234,5");
        assert_eq!(vn_number(1_234_567.0, 0), "1.234.567");
        assert_eq!(vn_number(-0.001, 2), "0,00");
        assert_eq!(vn_number(-12.5, 1), "-12,5");
    }

    #[test]
    fn csv_fields_never_run_as_formulas() {
        assert_eq!(csv_field("=HYPERLINK(\"http://x\",\"bấm\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"bấm\"\")\"");
        assert_eq!(csv_field("+1+2"), "'+1+2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("\t=1"), "'\t=1");
        assert_eq!(csv_field("-1.5"), "-1.5", "a number stays a number");
        assert_eq!(csv_field("Xã Chiềng Sơn, Mộc Châu"), "\"Xã Chiềng Sơn, Mộc Châu\"");
        assert_eq!(csv_line(&["a", "=b"]), "a,'=b");
        assert_eq!(csv_unguard("'=HYPERLINK(1)"), "=HYPERLINK(1)");
        assert_eq!(csv_unguard("'bình thường"), "'bình thường");
    }
}
