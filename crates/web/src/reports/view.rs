//! Helpers shared by the report pages: query and form shapes, and formatting.

use serde::Deserialize;

/// `?unit=CODE&period=2022-H1&agency=ID` (each may be empty: the caller's unit, the most recent period with data).
#[derive(Deserialize, Default, Clone)]
pub struct ReportQuery {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub agency: String,
}

/// A return for correction: the reason, and where to go back to.
#[derive(Deserialize)]
pub struct ReasonForm {
    pub csrf: String,
    pub reason: String,
    #[serde(default)]
    pub back: String,
}

/// `back` when it is a local path, else `default` (never redirect off the site).
pub fn back_or<'a>(back: &'a str, default: &'a str) -> &'a str {
    if crate::auth::is_local_path(back) { back } else { default }
}

/// A share as "75%", or "—" when there is nothing to share.
pub fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{}%", chiso_core::text::vn_number(v * 100.0, 0))).unwrap_or_else(|| "—".into())
}

/// The period picker's options (code, Vietnamese label such as "Quý I năm 2022"), in the order the app chose.
pub fn period_options(choice: &chiso_app::reports::PeriodChoice) -> Vec<(String, String)> {
    choice.options.iter().map(|p| (p.code(), p.label_vi_title())).collect()
}

/// The most recent period with data, to point to from an empty one: (code, label), when it is not the one shown.
pub fn latest_with_data(choice: &chiso_app::reports::PeriodChoice) -> Option<(String, String)> {
    choice.latest_with_data.filter(|p| *p != choice.period).map(|p| (p.code(), p.label_vi_title()))
}
