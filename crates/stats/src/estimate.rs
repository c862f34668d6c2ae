//! The estimation spec, from weighted sums to scores:
//!
//! 1. y = (x − min)/(max − min) clipped to [0, 1]; y = 1 − y where direction = −1;
//! 2. indicator mean m = Σw·y / Σw over the respondents who answered (undefined without any);
//! 3. sub-dimension value n = mean of its defined indicator means;
//! 4. sub-dimension score = (1 + 9n)/k, k = number of defined sub-dimensions of its dimension;
//!    dimension = sum of its sub-dimension scores (undefined when none is defined);
//!    total = sum of the dimensions (undefined when any is).
//!
//! Undefined values are NaN inside the engine and `null` in reports.

use std::collections::HashMap;

use crate::error::SurveyError;
use crate::questionnaire::Questionnaire;
use crate::responses::{MISSING, Responses, UnitResponses};
use crate::structure::Structure;

/// The questionnaire, responses and structure, compiled for fast evaluation.
pub(crate) struct Plan {
    pub(crate) k: usize,
    pub(crate) indicator_codes: Vec<String>,
    pub(crate) subs: Vec<SubPlan>,
    pub(crate) dims: Vec<DimPlan>,
    /// Per indicator: normalised y of each answer code.
    pub(crate) ylev: Vec<Vec<f64>>,
    /// Per `f64` slot: its indicator.
    pub(crate) dense_ind: Vec<usize>,
    /// Per indicator: (min, max, direction), for `f64` columns.
    pub(crate) scale: Vec<(f64, f64, i8)>,
}

pub(crate) struct SubPlan {
    pub(crate) code: String,
    pub(crate) indicators: Vec<usize>,
}

pub(crate) struct DimPlan {
    pub(crate) code: String,
    pub(crate) subs: Vec<usize>,
}

/// The spec's normalisation.
pub(crate) fn normalise(x: f64, min: f64, max: f64, direction: i8) -> f64 {
    let y = ((x - min) / (max - min)).clamp(0.0, 1.0);
    if direction < 0 { 1.0 - y } else { y }
}

impl Plan {
    pub(crate) fn new(q: &Questionnaire, r: &Responses, s: &Structure) -> Result<Self, SurveyError> {
        let codes: Vec<&str> = q.indicators.iter().map(|i| i.code.as_str()).collect();
        if r.indicator_codes.len() != codes.len() || r.indicator_codes.iter().zip(&codes).any(|(a, b)| a != b) {
            return Err(SurveyError::Structure("các câu trả lời không được đọc theo bảng hỏi này".into()));
        }
        let mut sub_index: HashMap<&str, usize> = HashMap::new();
        let mut subs = Vec::new();
        let mut dims = Vec::new();
        let mut dim_codes = std::collections::HashSet::new();
        for (d, sub_codes) in &s.dimensions {
            if !dim_codes.insert(d.as_str()) {
                return Err(SurveyError::Structure(format!("chỉ số nội dung {d} được liệt kê hai lần")));
            }
            let mut members = Vec::new();
            for sc in sub_codes {
                if sub_index.insert(sc.as_str(), subs.len()).is_some() {
                    return Err(SurveyError::Structure(format!("nội dung thành phần {sc} được liệt kê hai lần")));
                }
                members.push(subs.len());
                subs.push(SubPlan { code: sc.clone(), indicators: Vec::new() });
            }
            dims.push(DimPlan { code: d.clone(), subs: members });
        }
        for (j, ind) in q.indicators.iter().enumerate() {
            match sub_index.get(ind.node.as_str()) {
                Some(&si) => subs[si].indicators.push(j),
                None => {
                    return Err(SurveyError::Structure(format!(
                        "chỉ tiêu {} đo nút {}, nút này không có trong cấu trúc chỉ số nội dung → nội dung thành phần",
                        ind.code, ind.node
                    )));
                }
            }
        }
        let ylev = q
            .indicators
            .iter()
            .zip(&r.levels)
            .map(|(ind, lv)| lv.iter().map(|&x| normalise(x, ind.min, ind.max, ind.direction)).collect())
            .collect();
        let mut dense_ind = Vec::new();
        for (j, slot) in r.dense_slot.iter().enumerate() {
            if let Some(s) = slot {
                if dense_ind.len() <= *s {
                    dense_ind.resize(*s + 1, usize::MAX);
                }
                dense_ind[*s] = j;
            }
        }
        Ok(Plan {
            k: codes.len(),
            indicator_codes: codes.iter().map(|c| c.to_string()).collect(),
            subs,
            dims,
            ylev,
            dense_ind,
            scale: q.indicators.iter().map(|i| (i.min, i.max, i.direction)).collect(),
        })
    }

    /// Values reported with intervals: sub-dimension scores, dimension scores, total, then the same
    /// three as shares n in [0, 1] (see [`Plan::evaluate`]).
    pub(crate) fn n_vals(&self) -> usize {
        2 * (self.subs.len() + self.dims.len() + 1)
    }

    /// From weighted sums `s` (Σw·y) and `w` (Σw over answers) per indicator to indicator means
    /// and the values [sub-dimension scores.., dimension scores.., total, sub-dimension shares..,
    /// dimension shares.., total share]. A share is the value before the PAPI scaling: a
    /// sub-dimension's n, a dimension's mean n over its defined sub-dimensions (= (score − 1)/9), the
    /// total's mean over the dimensions; each in [0, 1], so that it can be put on any official range
    /// (`chiso_core::framework::Node::value_of_share`).
    pub(crate) fn evaluate(&self, s: &[f64], w: &[f64], means: &mut [f64], vals: &mut [f64]) {
        let half = vals.len() / 2;
        let (vals, shares) = vals.split_at_mut(half);
        for ((m, &sj), &wj) in means.iter_mut().zip(s).zip(w) {
            *m = if wj > 0.0 { sj / wj } else { f64::NAN };
        }
        let (sub_vals, rest) = vals.split_at_mut(self.subs.len());
        let (dim_vals, total) = rest.split_at_mut(self.dims.len());
        for (v, sub) in sub_vals.iter_mut().zip(&self.subs) {
            let (mut sum, mut cnt) = (0.0, 0usize);
            for &j in &sub.indicators {
                let m = means[j];
                if !m.is_nan() {
                    sum += m;
                    cnt += 1;
                }
            }
            *v = if cnt > 0 { sum / cnt as f64 } else { f64::NAN };
        }
        let (sub_shares, rest_shares) = shares.split_at_mut(self.subs.len());
        let (dim_shares, total_share) = rest_shares.split_at_mut(self.dims.len());
        sub_shares.copy_from_slice(sub_vals);
        let mut share_sum = 0.0;
        let mut tot = 0.0;
        let mut all_defined = !self.dims.is_empty();
        for ((dv, ds), dim) in dim_vals.iter_mut().zip(dim_shares.iter_mut()).zip(&self.dims) {
            let k = dim.subs.iter().filter(|&&si| !sub_vals[si].is_nan()).count();
            if k == 0 {
                *dv = f64::NAN;
                *ds = f64::NAN;
                all_defined = false;
                continue;
            }
            let (mut sum, mut n_sum) = (0.0, 0.0);
            for &si in &dim.subs {
                let n = sub_vals[si];
                if !n.is_nan() {
                    let score = (1.0 + 9.0 * n) / k as f64;
                    sub_vals[si] = score;
                    sum += score;
                    n_sum += n;
                }
            }
            *dv = sum;
            // The dimension's share: the mean n of its defined sub-dimensions (its score is 1 + 9 × it).
            *ds = n_sum / k as f64;
            tot += sum;
            share_sum += *ds;
        }
        total[0] = if all_defined { tot } else { f64::NAN };
        total_share[0] = if all_defined { share_sum / self.dims.len() as f64 } else { f64::NAN };
    }

    /// Weighted sums of one set of respondents of a unit (`members`: their indices), with
    /// their number and weight sum.
    pub(crate) fn sums(&self, unit: &UnitResponses, members: &[u32], s: &mut [f64], w: &mut [f64]) -> f64 {
        let k = self.k;
        s.fill(0.0);
        w.fill(0.0);
        let mut weight_sum = 0.0;
        // y by (indicator, code) in one flat table; the missing code reads 0 and is skipped.
        let mut flat = vec![0.0; k * 256];
        for (j, lev) in self.ylev.iter().enumerate() {
            flat[j * 256..j * 256 + lev.len()].copy_from_slice(lev);
        }
        for &i in members {
            let i = i as usize;
            let wi = unit.weights[i];
            weight_sum += wi;
            let row = &unit.codes[i * k..(i + 1) * k];
            for ((j, &c), (sj, wj)) in row.iter().enumerate().zip(s.iter_mut().zip(w.iter_mut())) {
                if c != MISSING {
                    *sj += wi * flat[j * 256 + usize::from(c)];
                    *wj += wi;
                }
            }
            for (slot, &j) in self.dense_ind.iter().enumerate() {
                let x = unit.dense[slot][i];
                if !x.is_nan() {
                    let (lo, hi, dir) = self.scale[j];
                    s[j] += wi * normalise(x, lo, hi, dir);
                    w[j] += wi;
                }
            }
        }
        weight_sum
    }
}
