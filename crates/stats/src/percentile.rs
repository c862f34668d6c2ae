//! Percentiles as NumPy computes them by default (`method="linear"`, Hyndman–Fan type 7),
//! NaN-skipping like `numpy.nanpercentile`.

/// The `p`-th percentile (0–100) of `sorted` (ascending, no NaN): h = (n − 1)·p/100, linear
/// interpolation between the order statistics around h. `None` for an empty slice.
///
/// The arithmetic follows NumPy's `_lerp` step by step (including its switch to
/// `b − (b − a)·(1 − t)` when t ≥ 0.5), so results agree with NumPy to the last bit.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let q = p / 100.0;
    let h = (n - 1) as f64 * q;
    if h >= (n - 1) as f64 {
        return sorted.last().copied();
    }
    if h <= 0.0 {
        return sorted.first().copied();
    }
    let lo = h.floor();
    let t = h - lo;
    let i = lo as usize;
    let (a, b) = (sorted[i], sorted[i + 1]);
    let diff = b - a;
    Some(if t >= 0.5 { b - diff * (1.0 - t) } else { a + diff * t })
}

/// The `p`-th percentiles of the non-NaN `values` (like `numpy.nanpercentile`); `None` when all
/// are NaN. Sorts a copy once for all `ps`.
pub fn nanpercentiles<const N: usize>(values: &[f64], ps: [f64; N]) -> Option<[f64; N]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    let mut out = [0.0; N];
    for (o, p) in out.iter_mut().zip(ps) {
        *o = percentile_sorted(&v, p)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_single_value() {
        assert_eq!(percentile_sorted(&[], 50.0), None);
        assert_eq!(percentile_sorted(&[3.0], 2.5), Some(3.0));
        assert_eq!(percentile_sorted(&[1.0, 2.0], 0.0), Some(1.0));
        assert_eq!(percentile_sorted(&[1.0, 2.0], 100.0), Some(2.0));
        assert_eq!(percentile_sorted(&[1.0, 2.0, 3.0], 50.0), Some(2.0));
        assert_eq!(percentile_sorted(&[1.0, 3.0], 25.0), Some(1.5));
    }

    #[test]
    fn nan_skipped() {
        assert_eq!(nanpercentiles(&[f64::NAN, 1.0, 3.0], [25.0, 75.0]), Some([1.5, 2.5]));
        assert_eq!(nanpercentiles(&[f64::NAN], [50.0]), None);
    }
}
