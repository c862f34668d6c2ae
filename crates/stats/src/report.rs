//! Scoring entry points and the report they return.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::bootstrap::{self, Cell, cell_key};
use crate::error::SurveyError;
use crate::estimate::Plan;
use crate::percentile::nanpercentiles;
use crate::questionnaire::Questionnaire;
use crate::responses::{NO_GROUP, Responses};
use crate::structure::Structure;

/// Options of a scoring run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreOptions {
    /// Bootstrap replicates B; 0 = no confidence intervals (`ci95` is `null`).
    pub bootstrap: usize,
    /// Seed of the bootstrap: the same seed gives the same intervals on any machine and with
    /// any number of threads.
    pub seed: u64,
    /// Also estimate within each respondent group of each unit.
    pub by_group: bool,
    /// Units (and groups) with fewer respondents get a small-sample warning.
    pub small_sample: usize,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions { bootstrap: 1000, seed: 1, by_group: false, small_sample: 30 }
    }
}

/// `{"units": {"U01": {…}}, "warnings": [..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub units: OrderedMap<UnitReport>,
    /// Problems of the whole import (missing columns, clipped answers…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Estimates of one unit, or of one group within a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    /// Respondents.
    pub n: usize,
    pub weight_sum: f64,
    pub estimate: Estimate,
    /// 95% bootstrap intervals; `null` without bootstrap.
    pub ci95: Option<Intervals>,
    /// Per respondent group (with `by_group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<OrderedMap<UnitReport>>,
    /// E.g. the small-sample warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Point estimates; `None` (`null`) = undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Indicator means on the normalised 0–1 scale.
    pub indicators: OrderedMap<Option<f64>>,
    /// Sub-dimension scores (1 + 9n)/k.
    pub sub_dimensions: OrderedMap<Option<f64>>,
    /// Dimension scores (1–10).
    pub dimensions: OrderedMap<Option<f64>>,
    pub total: Option<f64>,
    /// Each value above before the PAPI scaling, as a share in [0, 1] (sub-dimension: n; dimension:
    /// mean n of its defined sub-dimensions; total: mean over the dimensions), keyed by node code (the
    /// total: `""`). What a comparison with official results puts on the official range of the node
    /// (`chiso_core::framework::Node::value_of_share`). Empty in reports stored before it existed.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub shares: OrderedMap<Option<f64>>,
}

/// `[low, high]` per value; `None` when the value is undefined in every replicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervals {
    pub sub_dimensions: OrderedMap<Option<[f64; 2]>>,
    pub dimensions: OrderedMap<Option<[f64; 2]>>,
    pub total: Option<[f64; 2]>,
    /// Intervals of [`Estimate::shares`], same keys.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub shares: OrderedMap<Option<[f64; 2]>>,
}

impl Report {
    /// Every warning, the report's and each unit's and group's, prefixed with where it applies.
    pub fn all_warnings(&self) -> Vec<String> {
        let mut out = self.warnings.clone();
        for (u, ur) in &self.units.0 {
            out.extend(ur.warnings.iter().map(|w| format!("{u}: {w}")));
            if let Some(groups) = &ur.groups {
                for (g, gr) in &groups.0 {
                    out.extend(gr.warnings.iter().map(|w| format!("{u} / {g}: {w}")));
                }
            }
        }
        out
    }
}

/// Estimate every unit (and group) of `r`, with bootstrap intervals when
/// `opts.bootstrap > 0`. Fails only when `s` does not cover the questionnaire's nodes or `r`
/// was not read with `q`.
pub fn score(q: &Questionnaire, r: &Responses, s: &Structure, opts: &ScoreOptions) -> Result<Report, SurveyError> {
    let plan = Plan::new(q, r, s)?;
    let k = plan.k;

    // Cells: each unit, then (with by_group) each of its groups.
    struct CellSpec {
        unit: usize,
        group: Option<u32>,
        members: Vec<u32>,
    }
    let mut specs: Vec<CellSpec> = Vec::new();
    let mut ungrouped: Vec<usize> = vec![0; r.units.len()];
    for (ui, u) in r.units.iter().enumerate() {
        let n = u32::try_from(u.len()).unwrap_or(u32::MAX);
        specs.push(CellSpec { unit: ui, group: None, members: (0..n).collect() });
        if opts.by_group {
            let mut by_group: Vec<Vec<u32>> = vec![Vec::new(); r.groups.len()];
            for (i, &g) in u.groups.iter().enumerate() {
                if g == NO_GROUP {
                    ungrouped[ui] += 1;
                } else if let Some(list) = by_group.get_mut(g as usize) {
                    list.push(u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
            for (g, members) in by_group.into_iter().enumerate() {
                if !members.is_empty() {
                    specs.push(CellSpec { unit: ui, group: Some(u32::try_from(g).unwrap_or(NO_GROUP)), members });
                }
            }
        }
    }

    // Point estimates.
    struct Point {
        weight_sum: f64,
        means: Vec<f64>,
        vals: Vec<f64>,
    }
    let points: Vec<Point> = specs
        .par_iter()
        .map(|c| {
            let (mut sj, mut wj) = (vec![0.0; k], vec![0.0; k]);
            let weight_sum = plan.sums(&r.units[c.unit], &c.members, &mut sj, &mut wj);
            let mut means = vec![0.0; k];
            let mut vals = vec![0.0; plan.n_vals()];
            plan.evaluate(&sj, &wj, &mut means, &mut vals);
            Point { weight_sum, means, vals }
        })
        .collect();

    // Bootstrap.
    let b = opts.bootstrap;
    let n_vals = plan.n_vals();
    let intervals: Option<Vec<Vec<Option<[f64; 2]>>>> = if b > 0 {
        let packings = bootstrap::packings(&plan);
        let cells: Vec<Cell> = specs
            .par_iter()
            .map(|c| {
                let u = &r.units[c.unit];
                let group = c.group.and_then(|g| r.groups.get(g as usize));
                Cell::new(&plan, &packings, u, &c.members, cell_key(&u.code, group.map(String::as_str)))
            })
            .collect();
        let reps = bootstrap::run(&plan, &packings, &cells, b, opts.seed);
        drop(cells);
        Some(
            (0..specs.len())
                .into_par_iter()
                .map(|c| {
                    let bp = bootstrap::padded(b);
                    let mut column = vec![0.0; b];
                    (0..n_vals)
                        .map(|v| {
                            for (r, x) in column.iter_mut().enumerate() {
                                *x = reps[(c * bp + r) * n_vals + v];
                            }
                            nanpercentiles(&column, [2.5, 97.5])
                        })
                        .collect()
                })
                .collect(),
        )
    } else {
        None
    };

    // Assemble.
    let opt = |x: f64| if x.is_nan() { None } else { Some(x) };
    let n_subs = plan.subs.len();
    let n_dims = plan.dims.len();
    let half = n_subs + n_dims + 1;
    let share_keys: Vec<String> =
        plan.subs.iter().map(|s| s.code.clone()).chain(plan.dims.iter().map(|d| d.code.clone())).chain([String::new()]).collect();
    // Shares are keyed in code order (the total, "", first), as a JSON object read back sorts them.
    let mut share_order: Vec<usize> = (0..share_keys.len()).collect();
    share_order.sort_by(|&a, &b| share_keys[a].cmp(&share_keys[b]));
    let make = |ci: usize| -> UnitReport {
        let c = &specs[ci];
        let p = &points[ci];
        let n = c.members.len();
        let estimate = Estimate {
            indicators: OrderedMap(plan.indicator_codes.iter().zip(&p.means).map(|(code, &m)| (code.clone(), opt(m))).collect()),
            sub_dimensions: OrderedMap(plan.subs.iter().zip(&p.vals[..n_subs]).map(|(s, &v)| (s.code.clone(), opt(v))).collect()),
            dimensions: OrderedMap(
                plan.dims.iter().zip(&p.vals[n_subs..n_subs + n_dims]).map(|(d, &v)| (d.code.clone(), opt(v))).collect(),
            ),
            total: opt(p.vals[n_subs + n_dims]),
            shares: OrderedMap(share_order.iter().map(|&i| (share_keys[i].clone(), opt(p.vals[half + i]))).collect()),
        };
        let ci95 = intervals.as_ref().map(|all| {
            let iv = &all[ci];
            Intervals {
                sub_dimensions: OrderedMap(plan.subs.iter().zip(&iv[..n_subs]).map(|(s, &x)| (s.code.clone(), x)).collect()),
                dimensions: OrderedMap(plan.dims.iter().zip(&iv[n_subs..n_subs + n_dims]).map(|(d, &x)| (d.code.clone(), x)).collect()),
                total: iv[n_subs + n_dims],
                shares: OrderedMap(share_order.iter().map(|&i| (share_keys[i].clone(), iv[half + i])).collect()),
            }
        });
        let mut warnings = Vec::new();
        if n < opts.small_sample {
            warnings.push(format!("cỡ mẫu nhỏ: chỉ có {n} người trả lời (dưới {}), kết quả chỉ mang tính tham khảo", opts.small_sample));
        }
        UnitReport { n, weight_sum: p.weight_sum, estimate, ci95, groups: None, warnings }
    };
    let mut units: Vec<(String, UnitReport)> = Vec::with_capacity(r.units.len());
    let mut ci = 0;
    while ci < specs.len() {
        let ui = specs[ci].unit;
        let mut report = make(ci);
        ci += 1;
        if opts.by_group {
            let mut groups = Vec::new();
            while ci < specs.len() && specs[ci].unit == ui {
                let g = specs[ci].group.and_then(|g| r.groups.get(g as usize));
                groups.push((g.cloned().unwrap_or_default(), make(ci)));
                ci += 1;
            }
            report.groups = Some(OrderedMap(groups));
            if ungrouped[ui] > 0 {
                report.warnings.push(format!("{} người trả lời không ghi nhóm: không tính vào ước lượng theo nhóm", ungrouped[ui]));
            }
        }
        units.push((r.units[ui].code.clone(), report));
    }
    let mut warnings = r.warnings.clone();
    if r.units.is_empty() {
        warnings.push("không có câu trả lời nào".into());
    }
    Ok(Report { units: OrderedMap(units), warnings })
}

/// Read a questionnaire (TOML) and responses (CSV) and score them, with the structure implied
/// by the questionnaire's node codes and any unit code accepted. This is what
/// `chiso survey score` runs.
pub fn score_files(questionnaire: &Path, responses: &Path, opts: &ScoreOptions) -> Result<Report, SurveyError> {
    score_files_with(questionnaire, responses, None, None, opts)
}

/// As [`score_files`], with the framework's structure (so that dimensions the questionnaire
/// does not measure make the total undefined) and the set of valid unit codes.
pub fn score_files_with(
    questionnaire: &Path,
    responses: &Path,
    structure: Option<&Structure>,
    valid_units: Option<&HashSet<String>>,
    opts: &ScoreOptions,
) -> Result<Report, SurveyError> {
    let q = Questionnaire::from_path(questionnaire)?;
    let r = Responses::from_csv_path(&q, responses, valid_units)?;
    match structure {
        Some(s) => score(&q, &r, s, opts),
        None => score(&q, &r, &Structure::from_node_codes(&q), opts),
    }
}

/// A JSON object that keeps its keys in the order given (structure order: `d2` before `d10`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> OrderedMap<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V2<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(access.size_hint().unwrap_or(0));
                while let Some((k, v)) = access.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        deserializer.deserialize_map(V2(std::marker::PhantomData))
    }
}
