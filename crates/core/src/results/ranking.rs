//! Scores up the tree, competition ranks and rankings among peers with history.

use super::*;

// ---------------------------------------------------------------------------------------------
// Scores up the tree

/// Every node's score for one unit, from its leaf scores (see the module rules).
pub fn compute_scores(fw: &Framework, year: i32, leaves: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    if fw.applies_to(year) {
        let tree = fw.tree_for_year(Some(year));
        score_node(&tree, fw.aggregation, leaves, &mut out);
    }
    out
}

fn score_node(node: &Node, agg: Aggregation, leaves: &BTreeMap<String, f64>, out: &mut BTreeMap<String, f64>) -> Option<f64> {
    let value = if node.is_leaf() {
        leaves.get(&node.code).copied()
    } else {
        // Visit every child so partial subtrees still get their own scores.
        let values: Vec<Option<f64>> = node.children.iter().map(|c| score_node(c, agg, leaves, out)).collect();
        let values: Option<Vec<f64>> = values.into_iter().collect();
        values.map(|v| match agg {
            Aggregation::Sum | Aggregation::PercentOfMax => v.iter().sum(),
            Aggregation::Mean => v.iter().sum::<f64>() / v.len() as f64,
        })
    };
    if let Some(v) = value {
        out.insert(node.code.clone(), v);
    }
    value
}

/// `x` rounded to `decimals` places (half away from zero).
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// A change of rank in words: "tăng 6 bậc", "giảm 2 bậc", "giữ nguyên" (`change` > 0 moved up).
pub fn rank_change_vi(change: i32) -> String {
    match change {
        0 => "giữ nguyên".to_string(),
        c if c > 0 => format!("tăng {c} bậc"),
        c => format!("giảm {} bậc", c.unsigned_abs()),
    }
}

/// Standard competition ranks (1, 2, 2, 4), higher value first, on values rounded to 4 decimals.
pub fn competition_ranks(values: &BTreeMap<String, f64>) -> BTreeMap<String, u32> {
    // Integer keys make ties exact after rounding.
    let keys: BTreeMap<&String, i64> = values.iter().map(|(u, v)| (u, (v * 10_000.0).round() as i64)).collect();
    let mut sorted: Vec<i64> = keys.values().copied().collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    keys.into_iter()
        .map(|(u, k)| {
            let better = sorted.partition_point(|&s| s > k);
            (u.clone(), better as u32 + 1)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rankings

/// A unit code with the name the caller supplies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One unit's result on one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeResult {
    pub score: f64,
    /// Score as % of the node's maximum (`percent_of_max` frameworks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    pub rank: u32,
    /// Number of units ranked on this node.
    pub of: u32,
    pub previous_score: Option<f64>,
    pub previous_rank: Option<u32>,
    /// Year of `previous_score` / `previous_rank`: the latest earlier year in which the unit had a
    /// score for this node (normally the year before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<i32>,
    /// `previous_rank − rank`: > 0 moved up.
    pub rank_change: Option<i32>,
    pub score_change: Option<f64>,
}

/// One unit in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RankedUnit {
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Root score (PAPI total out of 80; PAR points out of 100); `None` when a part is unpublished.
    pub total: Option<f64>,
    pub rank: Option<u32>,
    pub previous_total: Option<f64>,
    pub previous_rank: Option<u32>,
    /// Year the previous total and rank are from (see [`NodeResult::previous_year`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<i32>,
    pub rank_change: Option<i32>,
    pub total_change: Option<f64>,
    /// Scores of the root's children (PAPI dimensions, PAR areas).
    pub dimensions: BTreeMap<String, f64>,
    /// Every node with a score: score, rank and change.
    pub nodes: BTreeMap<String, NodeResult>,
}

/// Peer statistics of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeStats {
    /// Units with a score.
    pub count: u32,
    /// Unweighted mean over those units ("national mean" for provinces).
    pub mean: f64,
    pub best: f64,
    /// Units holding the best score (after rounding to 4 decimals).
    pub best_units: Vec<String>,
    pub worst: f64,
    /// Maximum of the node that year.
    pub max: Option<f64>,
}

/// Ranking of all units for one framework and year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub framework: String,
    pub year: i32,
    pub previous_year: Option<i32>,
    /// Units with a total, best first (ties in unit-code order).
    pub ranked: Vec<RankedUnit>,
    /// Units with some scores but no total (a whole group unpublished).
    pub partially_published: Vec<RankedUnit>,
    pub not_published: Vec<UnitRef>,
    /// Per node code.
    pub stats: BTreeMap<String, NodeStats>,
}

impl Ranking {
    /// Fill unit names from the caller's directory.
    pub fn set_names(&mut self, name_of: impl Fn(&str) -> Option<String>) {
        for u in self.ranked.iter_mut().chain(self.partially_published.iter_mut()) {
            u.name = name_of(&u.unit);
        }
        for u in &mut self.not_published {
            u.name = name_of(&u.unit);
        }
    }

    /// A unit's entry (ranked or partially published).
    pub fn unit(&self, unit: &str) -> Option<&RankedUnit> {
        self.ranked.iter().chain(self.partially_published.iter()).find(|u| u.unit == unit)
    }
}

/// Node scores and ranks of every unit of one year.
struct YearTable {
    scores: BTreeMap<String, BTreeMap<String, f64>>, // unit → node → score
    ranks: BTreeMap<String, BTreeMap<String, u32>>,  // node → unit → rank
}

fn year_table(fw: &Framework, data: &YearScores) -> YearTable {
    let scores: BTreeMap<String, BTreeMap<String, f64>> =
        data.units.iter().map(|(u, leaves)| (u.clone(), compute_scores(fw, data.year, leaves))).collect();
    let mut by_node: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (u, nodes) in &scores {
        for (n, v) in nodes {
            by_node.entry(n.clone()).or_default().insert(u.clone(), *v);
        }
    }
    let ranks = by_node.iter().map(|(n, vals)| (n.clone(), competition_ranks(vals))).collect();
    YearTable { scores, ranks }
}

/// Rank the units of `current` on every node, with change against `previous` (any earlier year
/// of the same framework, normally the year before).
pub fn rank(fw: &Framework, current: &YearScores, previous: Option<&YearScores>) -> Ranking {
    let earlier: Vec<&YearScores> = previous.into_iter().collect();
    rank_with_history(fw, current, &earlier)
}

/// Rank the units of `current` on every node. The change of each unit and node is taken against
/// the latest year of `earlier` (years before `current`'s) in which that unit had a score for
/// that node, and that year is stated (`previous_year`): a province not published last year
/// (Quảng Ninh 2023) is compared with the year before (2022) rather than with nothing.
pub fn rank_with_history(fw: &Framework, current: &YearScores, earlier: &[&YearScores]) -> Ranking {
    let year = current.year;
    let cur = year_table(fw, current);
    let mut past: Vec<(i32, YearTable)> = earlier.iter().filter(|p| p.year < year).map(|p| (p.year, year_table(fw, p))).collect();
    // Latest first: the first table with a score is the one compared with.
    past.sort_by_key(|p| std::cmp::Reverse(p.0));
    let previous_year = past.first().map(|(y, _)| *y);
    let root = fw.code.as_str();
    let percent = fw.aggregation == Aggregation::PercentOfMax;
    let tree = fw.tree_for_year(Some(year));
    let max_of = |code: &str| tree.find(code).and_then(|n| n.max);
    let dims: Vec<String> = tree.children.iter().map(|c| c.code.clone()).collect();

    let mut ranked = Vec::new();
    let mut partial = Vec::new();
    for (unit, nodes) in &cur.scores {
        let mut results = BTreeMap::new();
        for (code, &score) in nodes {
            let rank = cur.ranks.get(code).and_then(|r| r.get(unit)).copied().unwrap_or(0);
            let of = cur.ranks.get(code).map_or(0, |r| r.len() as u32);
            let found = past.iter().find_map(|(y, t)| {
                let s = t.scores.get(unit).and_then(|s| s.get(code)).copied()?;
                let r = t.ranks.get(code).and_then(|r| r.get(unit)).copied();
                Some((*y, s, r))
            });
            let previous_score = found.map(|(_, s, _)| s);
            let previous_rank = found.and_then(|(_, _, r)| r);
            results.insert(
                code.clone(),
                NodeResult {
                    score,
                    percent: percent.then(|| max_of(code)).flatten().filter(|m| *m > 0.0).map(|m| score / m * 100.0),
                    rank,
                    of,
                    previous_score,
                    previous_rank,
                    previous_year: found.map(|(y, _, _)| y),
                    rank_change: previous_rank.map(|p| p as i32 - rank as i32),
                    score_change: previous_score.map(|p| score - p),
                },
            );
        }
        let total = results.get(root);
        let entry = RankedUnit {
            unit: unit.clone(),
            name: None,
            total: total.map(|r| r.score),
            rank: total.map(|r| r.rank),
            previous_total: total.and_then(|r| r.previous_score),
            previous_rank: total.and_then(|r| r.previous_rank),
            previous_year: total.and_then(|r| r.previous_year),
            rank_change: total.and_then(|r| r.rank_change),
            total_change: total.and_then(|r| r.score_change),
            dimensions: dims.iter().filter_map(|d| nodes.get(d).map(|v| (d.clone(), *v))).collect(),
            nodes: results,
        };
        if entry.total.is_some() {
            ranked.push(entry);
        } else {
            partial.push(entry);
        }
    }
    ranked.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.unit.cmp(&b.unit)));

    let mut stats = BTreeMap::new();
    for n in tree.walk() {
        let vals: Vec<(&String, f64)> = cur.scores.iter().filter_map(|(u, s)| s.get(&n.code).map(|v| (u, *v))).collect();
        if vals.is_empty() {
            continue;
        }
        let count = vals.len();
        let mean = vals.iter().map(|(_, v)| v).sum::<f64>() / count as f64;
        let best = vals.iter().map(|(_, v)| *v).fold(f64::NEG_INFINITY, f64::max);
        let worst = vals.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
        let best_key = (best * 10_000.0).round() as i64;
        let best_units = vals.iter().filter(|(_, v)| (v * 10_000.0).round() as i64 == best_key).map(|(u, _)| (*u).clone()).collect();
        stats.insert(n.code.clone(), NodeStats { count: count as u32, mean, best, best_units, worst, max: n.max });
    }

    Ranking {
        framework: fw.code.clone(),
        year,
        previous_year,
        ranked,
        partially_published: partial,
        not_published: current.not_published.iter().map(|u| UnitRef { unit: u.clone(), name: None }).collect(),
        stats,
    }
}
