//! View helpers shared by the survey pages: Vietnamese dates and numbers, intervals, node names, QR codes,
//! the address invitation links point to, file responses.

use crate::error::AppError;
use crate::startup::AppState;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HOST};
use axum::response::{IntoResponse, Response};
use chiso_app::{ErrorKind, Failure};
use chiso_core::framework::Framework;
use chiso_core::text::{vn_date_short, vn_number};

/// "05/01/2024 14:03" (Vietnam time).
pub(super) fn vn_datetime(ms: i64) -> String {
    chiso_app::clock::datetime_vn(ms)
        .map(|t| format!("{} {:02}:{:02}", vn_date_short(t.date()), t.hour(), t.minute()))
        .unwrap_or_else(|| "—".into())
}

/// "5,87 (5,61–6,10)", "5,87", or "—" when undefined.
pub(super) fn with_interval(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (v, ci) {
        (Some(v), Some([lo, hi])) => format!("{} ({}–{})", vn_number(v, 2), vn_number(lo, 2), vn_number(hi, 2)),
        (Some(v), None) => vn_number(v, 2),
        _ => "—".into(),
    }
}

/// "3" for whole numbers, else "2,50".
pub(super) fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { vn_number(v, 2) }
}

pub(super) fn node_name(fw: Option<&Framework>, code: &str) -> String {
    fw.and_then(|f| f.node(code)).map(|n| n.name_vi.clone()).unwrap_or_default()
}

/// "Nội dung 3" for papi.d3, else the code.
pub(super) fn dimension_short(code: &str) -> String {
    match code.strip_prefix("papi.d") {
        Some(n) => format!("Nội dung {n}"),
        None => code.to_string(),
    }
}

pub(super) fn group_label(g: Option<&str>) -> String {
    g.map(String::from).unwrap_or_else(|| "(không ghi nhóm)".into())
}

/// "PAPI", "PAR INDEX", "SIPAS" for the shipped frameworks, else the code in capitals.
pub(super) fn family_label(fw: &Framework) -> String {
    match fw.code.as_str() {
        "papi" => "PAPI".into(),
        "par_index" => "PAR INDEX".into(),
        "sipas" => "SIPAS".into(),
        c => c.to_uppercase(),
    }
}

/// Where invitation links point: the configured base URL, else the scheme and host the visitor used.
pub(super) fn links_base(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).filter(|h| !h.is_empty()).unwrap_or("localhost");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    chiso_app::surveys::links_base(&state.app, &format!("{scheme}://{host}"))
}

/// A QR code of `text` as an SVG image (black modules on white, 4-module quiet zone).
pub(super) fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut path = String::new();
    for y in 0..n {
        for x in 0..n {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let side = n + 8;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"160\" height=\"160\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"Mã QR\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

pub(super) fn csv_response(body: String, filename: &str) -> Response {
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\""))], body)
        .into_response()
}

/// Is `e` a failure of one of `kinds`? Pages show such failures (a person's mistake they can correct) in
/// the form they came from, with status 422, instead of an error page.
pub(super) fn is_one_of(e: &AppError, kinds: &[ErrorKind]) -> bool {
    let kind = match e {
        AppError::BadRequest(_) => ErrorKind::Invalid,
        AppError::Store(s) => s.kind(),
        AppError::Service { kind, .. } => *kind,
        _ => return false,
    };
    kinds.contains(&kind)
}

/// Mistakes in what a person sent (bad input, or input a rule refuses).
pub(super) const INPUT_MISTAKES: &[ErrorKind] = &[ErrorKind::Invalid, ErrorKind::Unprocessable];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_text_is_vietnamese() {
        assert_eq!(with_interval(Some(5.8712), Some([5.61, 6.1])), "5,87 (5,61–6,10)");
        assert_eq!(with_interval(None, Some([1.0, 2.0])), "—");
        assert_eq!(with_interval(Some(2.0), None), "2,00");
    }

    #[test]
    fn qr_codes_render() {
        let svg = qr_svg("http://localhost:8080/s/0123456789abcdef0123456789abcdef").expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
    }

    #[test]
    fn times_are_vietnam_time() {
        // 2024-01-05 07:03 UTC is 14:03 in Vietnam.
        assert_eq!(vn_datetime(1_704_438_180_000), "05/01/2024 14:03");
    }
}
