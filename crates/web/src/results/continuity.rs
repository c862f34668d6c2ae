//! A unit's results across a reform (`/results/{framework}/units/{code}`): for a unit formed from others
//! (a province of the 2025 reform), its predecessors' published results side by side, year by year, for
//! the total and each dimension, and the derived series — labelled as derived, with its method stated, and
//! never mixed with published figures. For a unit with results of its own, links to its years.

use super::*;
use chiso_core::results::{DERIVED_LABEL_VI, DERIVED_METHOD_VI};

#[derive(Template)]
#[template(path = "results_continuity.html")]
pub(super) struct ContinuityPage {
    pub(super) b: Base,
    pub(super) fw_code: String,
    pub(super) fw_name: String,
    pub(super) unit_code: String,
    pub(super) unit_name: String,
    pub(super) formed: String,
    pub(super) closed: String,
    /// A closed unit's successor: (code, name).
    pub(super) successor: Option<(String, String)>,
    pub(super) own_years: Vec<i32>,
    /// (code, name, validity) of each predecessor, with the years it was published.
    pub(super) predecessors: Vec<PredView>,
    pub(super) tables: Vec<SeriesTable>,
    pub(super) derived_label: &'static str,
    pub(super) derived_method: &'static str,
    pub(super) chart: String,
}

pub(super) struct PredView {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) share: &'static str,
    /// "đến 30/06/2025": when the predecessor closed.
    pub(super) until: String,
    pub(super) years: String,
}

pub(super) struct SeriesTable {
    pub(super) id: String,
    pub(super) title: String,
    /// Per year: (year, a cell per predecessor (text, link year-page or empty), derived text, note).
    pub(super) rows: Vec<SeriesRow>,
}

pub(super) struct SeriesRow {
    pub(super) year: i32,
    pub(super) cells: Vec<(String, String)>,
    pub(super) derived: String,
    pub(super) note: String,
}

fn vn_iso(iso: &str) -> String {
    chiso_core::unit::parse_date(iso).map(chiso_core::text::vn_date_short).unwrap_or_else(|| iso.to_string())
}

pub(super) async fn continuity_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, unit)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, &code)?;
    let view = state.app.results().continuity(&me.scope, fw, &unit).await?;
    let c = &view.continuity;
    let u = &view.lineage.unit;
    let preds = &view.lineage.predecessors;
    let name_of = |node: &str| -> String {
        if node == fw.code {
            "Điểm tổng".to_string()
        } else {
            let n = fw.root().children.iter().find(|d| d.code == node).map(|d| d.name_vi.clone()).unwrap_or_default();
            format!("{} {n}", dim_label(fw, node))
        }
    };
    let tables: Vec<SeriesTable> = c
        .nodes
        .iter()
        .map(|node| SeriesTable {
            id: format!("series-{}", node.replace('.', "-")),
            title: name_of(node),
            rows: c
                .years
                .iter()
                .zip(&c.derived)
                .map(|(year, d)| SeriesRow {
                    year: *year,
                    cells: c
                        .predecessors
                        .iter()
                        .map(|p| match p.scores.get(year).and_then(|s| s.get(node)) {
                            Some(v) => (num(Some(*v)), format!("/results/{}/{year}/units/{}", fw.code, p.code)),
                            None => ("không công bố".to_string(), String::new()),
                        })
                        .collect(),
                    derived: num(d.scores.get(node).copied()),
                    note: if d.scores.contains_key(node) || (node != &fw.code && !d.missing.is_empty()) {
                        String::new()
                    } else {
                        let names: Vec<&str> = d
                            .missing
                            .iter()
                            .filter_map(|m| c.predecessors.iter().find(|p| &p.code == m).map(|p| p.name.as_str()))
                            .collect();
                        if names.is_empty() { String::new() } else { format!("không tính: thiếu điểm của {}", names.join(", ")) }
                    },
                })
                .collect(),
        })
        .collect();
    let predecessors = preds
        .iter()
        .map(|p| {
            let years: Vec<String> =
                c.predecessors.iter().find(|s| s.code == p.code).map(|s| s.scores.keys().map(i32::to_string).collect()).unwrap_or_default();
            PredView {
                code: p.code.clone(),
                name: p.name.clone(),
                share: if p.share == "whole" { "toàn bộ" } else { "một phần" },
                until: p.valid_to.as_deref().map(|t| format!("đến {}", vn_iso(t))).unwrap_or_default(),
                years: if years.is_empty() { "không có".into() } else { years.join(", ") },
            }
        })
        .collect();
    let chart = if preds.is_empty() {
        json!({})
    } else {
        json!({
        "years": c.years,
        "series": c.predecessors.iter().map(|p| json!({
            "name": short_name(&p.name),
            "data": c.years.iter().map(|y| p.scores.get(y).and_then(|s| s.get(&fw.code))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "derived": {"name": DERIVED_LABEL_VI, "data": c.derived.iter().map(|d| d.scores.get(&fw.code)).collect::<Vec<_>>()},
        })
    };
    let page = ContinuityPage {
        b: me.base(&format!("{} – {} qua các năm", short_name(&u.name), fw.code.to_uppercase()), "results"),
        fw_code: fw.code.clone(),
        fw_name: fw.name_vi.clone(),
        unit_code: u.code.clone(),
        unit_name: u.name.clone(),
        formed: if u.valid_from == chiso_core::unit::SINCE_EVER { String::new() } else { vn_iso(&u.valid_from) },
        closed: u.valid_to.as_deref().map(vn_iso).unwrap_or_default(),
        successor: view.lineage.successor.clone(),
        own_years: view.own_years.clone(),
        predecessors,
        tables: if preds.is_empty() { Vec::new() } else { tables },
        derived_label: DERIVED_LABEL_VI,
        derived_method: DERIVED_METHOD_VI,
        chart: script_json(&chart),
    };
    Ok(Html(page.render()?))
}
