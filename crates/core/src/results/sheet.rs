//! The PAR-style score sheet: points and percentages, self-assessed vs appraised.

use super::*;

/// A leaf's scores on a sheet: the unit's own (tự chấm) and the appraised one (thẩm định).
/// Survey leaves carry their survey score in either field (it is not self-assessed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeafScore {
    pub code: String,
    pub self_score: Option<f64>,
    pub appraised_score: Option<f64>,
}

/// One row of a score sheet (every node of the year's tree, root first, depth first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SheetRow {
    pub code: String,
    pub name_vi: String,
    pub depth: usize,
    pub source: Source,
    pub max: f64,
    /// Sum of the self scores below (or the leaf's self score).
    pub self_score: Option<f64>,
    /// Sum of the appraised scores below; a leaf not (yet) adjusted counts its self score, as the
    /// higher level accepts it.
    pub appraised_score: Option<f64>,
    /// `appraised − self`.
    pub difference: Option<f64>,
    /// `self_score / max × 100`.
    pub self_percent: Option<f64>,
    pub appraised_percent: Option<f64>,
    /// Leaves below with a score / all leaves below.
    pub scored_leaves: usize,
    pub leaves: usize,
}

/// A unit's score sheet for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreSheet {
    pub framework: String,
    pub year: i32,
    pub rows: Vec<SheetRow>,
}

impl ScoreSheet {
    pub fn row(&self, code: &str) -> Option<&SheetRow> {
        self.rows.iter().find(|r| r.code == code)
    }

    /// The whole index (root row).
    pub fn overall(&self) -> Option<&SheetRow> {
        self.rows.first()
    }
}

/// Build the score sheet: points per node (sums of the leaves below, unscored leaves count 0 and
/// are counted in `scored_leaves`), % of maximum overall, per area and per criterion, self vs
/// appraised side by side. Refuses unknown leaves, duplicates and scores outside `[0, max]`.
pub fn score_sheet(fw: &Framework, year: i32, scores: &[LeafScore]) -> Result<ScoreSheet, ResultsError> {
    let mut problems = Problems::default();
    let tree = fw.tree_for_year(Some(year));
    let mut by_leaf: BTreeMap<&str, &LeafScore> = BTreeMap::new();
    for (i, s) in scores.iter().enumerate() {
        let line = i as u64 + 1;
        match tree.find(&s.code) {
            Some(n) if n.is_leaf() => {
                for (field, v) in [("self_score", s.self_score), ("appraised_score", s.appraised_score)] {
                    if let Some(v) = v
                        && (!v.is_finite() || v < -RANGE_EPSILON || n.max.is_some_and(|m| v > m + RANGE_EPSILON))
                    {
                        problems.add(
                            line,
                            None,
                            Some(field),
                            format!(
                                "`{}`: điểm {} ngoài khoảng 0–{}",
                                s.code,
                                crate::text::vn_decimal(v),
                                crate::text::vn_decimal(n.max.unwrap_or(0.0))
                            ),
                        );
                    }
                }
                if by_leaf.insert(&s.code, s).is_some() {
                    problems.add(line, None, Some("code"), format!("`{}` lặp lại", s.code));
                }
            }
            Some(_) => problems.add(line, None, Some("code"), format!("`{}` không phải chỉ tiêu lá; điểm tổng được tính", s.code)),
            None => problems.add(line, None, Some("code"), format!("`{}` không có trong khung `{}` năm {year}", s.code, fw.code)),
        }
    }
    let mut rows = Vec::new();
    sheet_rows(&tree, 0, &by_leaf, &mut rows);
    problems.finish(ScoreSheet { framework: fw.code.clone(), year, rows })
}

/// Returns (self, appraised, scored leaves, leaves) of `node`.
fn sheet_rows(
    node: &Node,
    depth: usize,
    scores: &BTreeMap<&str, &LeafScore>,
    rows: &mut Vec<SheetRow>,
) -> (Option<f64>, Option<f64>, usize, usize) {
    let at = rows.len();
    let max = node.max.unwrap_or(0.0);
    rows.push(SheetRow {
        code: node.code.clone(),
        name_vi: node.name_vi.clone(),
        depth,
        source: node.source,
        max,
        self_score: None,
        appraised_score: None,
        difference: None,
        self_percent: None,
        appraised_percent: None,
        scored_leaves: 0,
        leaves: 0,
    });
    let (s, a, scored, leaves) = if node.is_leaf() {
        let entry = scores.get(node.code.as_str());
        let s = entry.and_then(|e| e.self_score);
        let a = entry.and_then(|e| e.appraised_score.or(e.self_score));
        (s, a, usize::from(s.is_some() || a.is_some()), 1)
    } else {
        let mut acc = (None::<f64>, None::<f64>, 0, 0);
        for c in &node.children {
            let (s, a, sc, l) = sheet_rows(c, depth + 1, scores, rows);
            acc.0 = add_opt(acc.0, s);
            acc.1 = add_opt(acc.1, a);
            acc.2 += sc;
            acc.3 += l;
        }
        acc
    };
    let pct = |v: Option<f64>| v.filter(|_| max > 0.0).map(|v| v / max * 100.0);
    let row = &mut rows[at];
    row.self_score = s;
    row.appraised_score = a;
    row.difference = match (s, a) {
        (Some(s), Some(a)) => Some(a - s),
        _ => None,
    };
    row.self_percent = pct(s);
    row.appraised_percent = pct(a);
    row.scored_leaves = scored;
    row.leaves = leaves;
    (s, a, scored, leaves)
}

fn add_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}
