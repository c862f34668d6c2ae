//! Continuity of published results across a reform of the unit tree (the 2025 one: 63 → 34 provinces).
//! Results were published for the units that existed in a year; a unit formed later has none of its own
//! for those years. Its results page shows its predecessors' published scores side by side, and a
//! **derived series** — never presented as published — computed here by one rule:
//!
//! - **Rule.** For a year and a node (the total or a dimension), the derived score is the *unweighted
//!   arithmetic mean of the predecessors' published scores* of that node that year (no weighting by
//!   population or area: PAPI publishes neither with the scores).
//! - It exists only when **every** predecessor has a published score for the node that year; otherwise it
//!   is left empty and the predecessors lacking it are named (a mean over some of them would silently be
//!   another unit's score).
//! - A predecessor's node scores are computed from its published leaves by the framework's own rule
//!   ([`compute_scores`]), exactly as its ranking does.

use super::*;

/// How the derived series is labelled wherever it is shown.
pub const DERIVED_LABEL_VI: &str = "Chuỗi suy ra (không phải số liệu công bố)";

/// How the derived series is computed, in the words shown beside it.
pub const DERIVED_METHOD_VI: &str = "Chuỗi suy ra = trung bình cộng không trọng số điểm đã công bố của các đơn vị tiền thân trong \
     cùng năm, tính riêng cho điểm tổng và từng chỉ số nội dung; chỉ tính khi mọi đơn vị tiền thân đều có điểm năm đó. \
     Đây không phải số liệu được công bố và không dùng để xếp hạng.";

/// The published results of one predecessor, as the store read them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredecessorResults {
    /// The predecessor's code (as it was) and full name.
    pub code: String,
    pub name: String,
    /// year → leaf scores (`None`: listed that year but not published).
    pub years: BTreeMap<i32, Option<BTreeMap<String, f64>>>,
}

/// One predecessor's series: node → year → score (nodes: the framework root and its dimensions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredecessorSeries {
    pub code: String,
    pub name: String,
    /// year → node → score; a year absent or a node absent: nothing published.
    pub scores: BTreeMap<i32, BTreeMap<String, f64>>,
}

/// The derived value of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedYear {
    pub year: i32,
    /// node → derived score (only nodes every predecessor has).
    pub scores: BTreeMap<String, f64>,
    /// Predecessors (codes) without a published total that year: why the total is empty.
    pub missing: Vec<String>,
}

/// Predecessors side by side and the derived series, over `years` (ascending).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Continuity {
    pub framework: String,
    pub years: Vec<i32>,
    /// The nodes the series cover: the total (framework root) then its dimensions.
    pub nodes: Vec<String>,
    pub predecessors: Vec<PredecessorSeries>,
    pub derived: Vec<DerivedYear>,
}

/// Compute the predecessors' series and the derived series (see the module rules) for `years`.
pub fn derive_continuity(fw: &Framework, years: &[i32], predecessors: &[PredecessorResults]) -> Continuity {
    let mut nodes = vec![fw.code.clone()];
    nodes.extend(fw.root().children.iter().map(|c| c.code.clone()));
    let series: Vec<PredecessorSeries> = predecessors
        .iter()
        .map(|p| PredecessorSeries {
            code: p.code.clone(),
            name: p.name.clone(),
            scores: years
                .iter()
                .filter_map(|y| {
                    let leaves = p.years.get(y)?.as_ref()?;
                    let all = compute_scores(fw, *y, leaves);
                    let kept: BTreeMap<String, f64> = all.into_iter().filter(|(k, _)| nodes.contains(k)).collect();
                    Some((*y, kept))
                })
                .collect(),
        })
        .collect();
    let derived = years
        .iter()
        .map(|&year| {
            let mut scores = BTreeMap::new();
            if !series.is_empty() {
                for node in &nodes {
                    let values: Option<Vec<f64>> = series.iter().map(|s| s.scores.get(&year).and_then(|n| n.get(node)).copied()).collect();
                    if let Some(v) = values {
                        scores.insert(node.clone(), v.iter().sum::<f64>() / v.len() as f64);
                    }
                }
            }
            let missing =
                series.iter().filter(|s| s.scores.get(&year).and_then(|n| n.get(&fw.code)).is_none()).map(|s| s.code.clone()).collect();
            DerivedYear { year, scores, missing }
        })
        .collect();
    Continuity { framework: fw.code.clone(), years: years.to_vec(), nodes, predecessors: series, derived }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::FrameworkSet;

    /// PAPI 2024-shaped leaves where every sub-dimension of dimension `d` scores `per_dim / n`.
    fn leaves(fw: &Framework, year: i32, per_dim: f64) -> BTreeMap<String, f64> {
        let tree = fw.tree_for_year(Some(year));
        let mut out = BTreeMap::new();
        for d in &tree.children {
            for s in &d.children {
                out.insert(s.code.clone(), per_dim / d.children.len() as f64);
            }
        }
        out
    }

    #[test]
    fn derived_is_the_unweighted_mean_and_only_when_every_predecessor_published() {
        let set = FrameworkSet::builtin().expect("frameworks");
        let fw = set.get("papi").expect("papi");
        let p = |code: &str, a: f64, b: Option<f64>| PredecessorResults {
            code: code.into(),
            name: format!("Tỉnh {code}"),
            years: [(2023, b.map(|v| leaves(fw, 2023, v))), (2024, Some(leaves(fw, 2024, a)))].into_iter().collect(),
        };
        let c = derive_continuity(fw, &[2022, 2023, 2024], &[p("35", 5.0, Some(4.0)), p("36", 6.0, None), p("37", 7.0, Some(5.0))]);
        assert_eq!(c.nodes[0], "papi");
        assert_eq!(c.nodes.len(), 9, "total + 8 dimensions");
        let y2024 = &c.derived[2];
        // Dimensions 5, 6, 7 → mean 6; totals 40, 48, 56 → mean 48.
        assert!((y2024.scores["papi.d1"] - 6.0).abs() < 1e-9, "{y2024:?}");
        assert!((y2024.scores["papi"] - 48.0).abs() < 1e-9, "{y2024:?}");
        assert!(y2024.missing.is_empty());
        // 2023: 36 not published → no derived value, and 36 named.
        assert!(c.derived[1].scores.is_empty(), "{:?}", c.derived[1]);
        assert_eq!(c.derived[1].missing, ["36"]);
        // 2022: nothing at all.
        assert!(c.derived[0].scores.is_empty());
        assert_eq!(c.derived[0].missing.len(), 3);
        assert!((c.predecessors[0].scores[&2024]["papi"] - 40.0).abs() < 1e-9);
    }
}
