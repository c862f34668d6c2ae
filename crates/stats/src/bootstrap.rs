//! Bootstrap replicates, fast and reproducible.
//!
//! A replicate draws n respondents with replacement from a cell's n respondents. Its weighted
//! sums are Σ_i c_i·w_i·y_ij and Σ_i c_i·w_i·a_ij (c_i = times respondent i was drawn), i.e.
//! a product of the draw counts with the respondents' weighted answers. Three things make that
//! product cheap, all exact up to the order of summation:
//!
//! - **Packing.** Answers are a few codes per indicator, so indicators are packed in groups
//!   whose joint code (mixed radix, "missing" being one more digit) indexes a small table. A
//!   replicate only needs, per pack, the sum of v_i = c_i·w_i over the respondents of each
//!   joint code; the per-indicator sums are read back from those tables (marginal sums). That
//!   is one operation per (respondent, pack) instead of per (respondent, indicator).
//! - **Batches of replicates.** `LANES` replicates are computed together: v_i is a short
//!   vector, one lane per replicate.
//! - **Pull, not push.** Respondents are split in blocks that fit in cache; within a block the
//!   respondents of each joint code are listed in advance, so a table cell is the sum of a
//!   list of v vectors read from cache (loads into registers) rather than scattered
//!   read-modify-write additions into the table.
//!
//! Reproducibility: every (cell, replicate) has its own ChaCha8 stream derived from the seed,
//! the cell's unit (and group) code and the replicate number, and each batch is computed by
//! one task in a fixed order, so the result does not depend on the number of threads, on how
//! work is split, or on the other units.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

use crate::estimate::{Plan, normalise};
use crate::responses::{MISSING, UnitResponses};

/// Replicates computed together (lanes of one vector).
pub(crate) const LANES: usize = 8;
type Lanes = [f64; LANES];

/// Respondents per block: a block's v vectors (BLOCK × 64 bytes) stay in the L2 cache.
const BLOCK: usize = 2048;

/// Candidate table sizes per pack.
const PACK_LIMITS: [usize; 7] = [8, 32, 128, 512, 2048, 8192, 32768];

/// One group of indicators coded jointly.
struct Pack {
    offset: usize,
    size: usize,
    /// (indicator, stride, radix); digit `radix − 1` is "missing".
    members: Vec<(usize, usize, usize)>,
    /// `digits[e * members.len() + m]`: digit of member m in table cell e.
    digits: Vec<u8>,
}

/// A partition of the coded indicators into packs.
pub(crate) struct Packing {
    packs: Vec<Pack>,
    /// Σ size over packs.
    total: usize,
}

impl Packing {
    fn new(plan: &Plan, limit: usize) -> Self {
        let mut packs: Vec<Pack> = Vec::new();
        let mut cur: Vec<(usize, usize, usize)> = Vec::new();
        let mut cur_size = 1usize;
        let flush = |cur: &mut Vec<(usize, usize, usize)>, size: usize, packs: &mut Vec<Pack>| {
            if cur.is_empty() {
                return;
            }
            let offset = packs.last().map_or(0, |p| p.offset + p.size);
            let members = std::mem::take(cur);
            let mut digits = Vec::with_capacity(size * members.len());
            for e in 0..size {
                for &(_, stride, radix) in &members {
                    digits.push(u8::try_from((e / stride) % radix).unwrap_or(u8::MAX));
                }
            }
            packs.push(Pack {
                offset,
                size,
                members,
                digits,
            });
        };
        for j in 0..plan.k {
            let levels = plan.ylev[j].len();
            if levels == 0 || plan.dense_ind.contains(&j) {
                continue;
            }
            let radix = levels + 1;
            if !cur.is_empty() && cur_size * radix > limit {
                flush(&mut cur, cur_size, &mut packs);
                cur_size = 1;
            }
            cur.push((j, cur_size, radix));
            cur_size *= radix;
        }
        flush(&mut cur, cur_size, &mut packs);
        let total = packs.last().map_or(0, |p| p.offset + p.size);
        Packing { packs, total }
    }

    /// Rough cost of one batch for a cell of n respondents (in vector loads).
    fn cost(&self, n: usize) -> f64 {
        let blocks = n.div_ceil(BLOCK) as f64;
        // Each respondent's v vector once per pack.
        let pass = n as f64 * self.packs.len() as f64;
        // Each table cell once per block (its list bounds, its store).
        let cells = blocks * self.total as f64 * 1.5;
        // Reading the sums back: every table cell once per member indicator.
        let readback: usize = self.packs.iter().map(|p| p.size * p.members.len()).sum();
        pass + cells + readback as f64 * 2.0
    }
}

/// All packings worth considering for this plan.
pub(crate) fn packings(plan: &Plan) -> Vec<Packing> {
    PACK_LIMITS.iter().map(|&l| Packing::new(plan, l)).collect()
}

/// A cell (a unit, or a group within a unit) prepared for the bootstrap.
pub(crate) struct Cell {
    key: u64,
    weights: Vec<f64>,
    packing: usize,
    /// Per (block, pack): the block's respondents (local index) grouped by table cell.
    /// Block b, pack p starts at `b·BLOCK·P + p·len(b)`.
    members: Vec<u16>,
    /// Per (block, pack): `size + 1` bounds into that member list, by table cell.
    /// Block b, pack p starts at `b·Σ(size+1) + bound_base[p]`.
    bounds: Vec<u16>,
    /// Normalised y of the `f64` indicators, one column per slot, NaN = missing.
    dense_y: Vec<Vec<f64>>,
}

impl Cell {
    /// `members`: the cell's respondents (indices in `unit`); `key`: a stable hash of the
    /// cell's identity, see [`cell_key`].
    pub(crate) fn new(
        plan: &Plan,
        packings: &[Packing],
        unit: &UnitResponses,
        members: &[u32],
        key: u64,
    ) -> Self {
        let n = members.len();
        let (best, _) = packings.iter().enumerate().fold(
            (0usize, f64::INFINITY),
            |(bi, bc), (i, p)| {
                let c = p.cost(n);
                if c < bc { (i, c) } else { (bi, bc) }
            },
        );
        let best = match std::env::var("CHISO_PACK").ok().and_then(|v| v.parse::<usize>().ok()) {
            Some(i) => i,
            None => best,
        };
        let packing = &packings[best];
        let k = plan.k;
        let p = packing.packs.len();
        let bounds_len: usize = packing.packs.iter().map(|pk| pk.size + 1).sum();
        let blocks = n.div_ceil(BLOCK);
        let mut list = vec![0u16; n * p];
        let mut bounds = vec![0u16; blocks * bounds_len];
        let mut cell_of = vec![0usize; BLOCK];
        for b in 0..blocks {
            let lo = b * BLOCK;
            let hi = (lo + BLOCK).min(n);
            let len = hi - lo;
            let mut bbase = b * bounds_len;
            for (pi, pack) in packing.packs.iter().enumerate() {
                // Counting sort of the block's respondents by their cell in this pack.
                let bnd = &mut bounds[bbase..bbase + pack.size + 1];
                for (li, &i) in members[lo..hi].iter().enumerate() {
                    let row = &unit.codes[i as usize * k..(i as usize + 1) * k];
                    let mut e = 0usize;
                    for &(j, stride, radix) in &pack.members {
                        let c = row[j];
                        let digit = if c == MISSING {
                            radix - 1
                        } else {
                            usize::from(c)
                        };
                        e += digit * stride;
                    }
                    cell_of[li] = e;
                    bnd[e + 1] += 1;
                }
                for e in 0..pack.size {
                    bnd[e + 1] += bnd[e];
                }
                let out = &mut list[lo * p + pi * len..lo * p + (pi + 1) * len];
                let mut next: Vec<u16> = bnd[..pack.size].to_vec();
                for (li, &e) in cell_of[..len].iter().enumerate() {
                    let pos = &mut next[e];
                    out[usize::from(*pos)] = u16::try_from(li).unwrap_or(u16::MAX);
                    *pos += 1;
                }
                bbase += pack.size + 1;
            }
        }
        let dense_y = plan
            .dense_ind
            .iter()
            .enumerate()
            .map(|(slot, &j)| {
                let (lo, hi, dir) = plan.scale[j];
                members
                    .iter()
                    .map(|&i| {
                        let x = unit.dense[slot][i as usize];
                        if x.is_nan() {
                            f64::NAN
                        } else {
                            normalise(x, lo, hi, dir)
                        }
                    })
                    .collect()
            })
            .collect();
        Cell {
            key,
            weights: members.iter().map(|&i| unit.weights[i as usize]).collect(),
            packing: best,
            members: list,
            bounds,
            dense_y,
        }
    }

    fn len(&self) -> usize {
        self.weights.len()
    }
}

/// Stable identity of a cell for its random streams.
pub(crate) fn cell_key(unit: &str, group: Option<&str>) -> u64 {
    let u = splitmix64(crate::responses::fnv1a(unit.as_bytes()));
    match group {
        None => u,
        Some(g) => splitmix64(
            u ^ splitmix64(crate::responses::fnv1a(g.as_bytes()) ^ 0x6772_6f75_70),
        ),
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform integer in 0..n (n ≥ 1), unbiased (Lemire's method). Written out rather than taken
/// from `rand` so that no feature flag of a dependency can change the stream.
fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        let t = n.wrapping_neg() % n;
        while (m as u32) < t {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

/// Per-thread buffers, reused over batches.
struct Work {
    /// `counts8[i * LANES + r]`: times respondent i is drawn in replicate r of the batch.
    counts8: Vec<u8>,
    /// v vectors of one block.
    v: Vec<Lanes>,
    table: Vec<Lanes>,
    s: Vec<Lanes>,
    w: Vec<Lanes>,
    s1: Vec<f64>,
    w1: Vec<f64>,
    means: Vec<f64>,
}

/// Replicates per cell rounded up to whole batches.
pub(crate) fn padded(b: usize) -> usize {
    b.div_ceil(LANES) * LANES
}

/// Values [sub-dimension scores.., dimension scores.., total] of `b` replicates of every
/// cell: `out[(cell * padded(b) + r) * plan.n_vals() + v]` for r < b.
pub(crate) fn run(
    plan: &Plan,
    packings: &[Packing],
    cells: &[Cell],
    b: usize,
    seed: u64,
) -> Vec<f64> {
    let n_vals = plan.n_vals();
    let bp = padded(b);
    let mut out = vec![f64::NAN; cells.len() * bp * n_vals];
    if b == 0 || n_vals == 0 || cells.is_empty() {
        return out;
    }
    let batches = bp / LANES;
    let max_n = cells.iter().map(Cell::len).max().unwrap_or(0);
    let max_t = packings.iter().map(|p| p.total).max().unwrap_or(0);
    let k = plan.k;
    out.par_chunks_mut(LANES * n_vals)
        .enumerate()
        .for_each_init(
            || Work {
                counts8: vec![0; LANES * max_n],
                v: vec![[0.0; LANES]; BLOCK],
                table: vec![[0.0; LANES]; max_t],
                s: vec![[0.0; LANES]; k],
                w: vec![[0.0; LANES]; k],
                s1: vec![0.0; k],
                w1: vec![0.0; k],
                means: vec![0.0; k],
            },
            |work, (t, vals)| {
                let cell = &cells[t / batches];
                let first = (t % batches) * LANES;
                let count = LANES.min(b - first);
                batch(plan, &packings[cell.packing], cell, seed, first, count, work, vals);
            },
        );
    out
}

/// Replicates `first .. first + count` (count ≤ LANES) of one cell.
#[allow(clippy::too_many_arguments)]
fn batch(
    plan: &Plan,
    packing: &Packing,
    cell: &Cell,
    seed: u64,
    first: usize,
    count: usize,
    work: &mut Work,
    vals: &mut [f64],
) {
    let n = cell.len();
    let n_vals = plan.n_vals();
    if n == 0 {
        vals.fill(f64::NAN);
        return;
    }
    let table = &mut work.table[..packing.total];
    table.fill([0.0; LANES]);
    let (s, w) = (&mut work.s, &mut work.w);
    s.fill([0.0; LANES]);
    w.fill([0.0; LANES]);
    // Counts in a byte each; a count of 256 or more (possible, never seen in practice) makes
    // the batch start again with 32-bit counts.
    let narrow = &mut work.counts8[..LANES * n];
    if draw(cell, seed, first, count, narrow) {
        accumulate(narrow, cell, packing, plan, &mut work.v, table, s, w);
    } else {
        let mut wide = vec![0u32; LANES * n];
        draw(cell, seed, first, count, &mut wide);
        accumulate(&wide, cell, packing, plan, &mut work.v, table, s, w);
    }
    // Per-indicator sums from the pack tables.
    for pack in &packing.packs {
        let mc = pack.members.len();
        let cells = &table[pack.offset..pack.offset + pack.size];
        for (e, t) in cells.iter().enumerate() {
            let digits = &pack.digits[e * mc..(e + 1) * mc];
            for (&(j, _, radix), &d) in pack.members.iter().zip(digits) {
                let d = usize::from(d);
                if d + 1 != radix {
                    let y = plan.ylev[j][d];
                    let (sj, wj) = (&mut s[j], &mut w[j]);
                    for l in 0..LANES {
                        sj[l] += y * t[l];
                        wj[l] += t[l];
                    }
                }
            }
        }
    }
    for (r, out) in vals.chunks_exact_mut(n_vals).enumerate() {
        if r >= count {
            out.fill(f64::NAN);
            continue;
        }
        for j in 0..plan.k {
            work.s1[j] = s[j][r];
            work.w1[j] = w[j][r];
        }
        plan.evaluate(&work.s1, &work.w1, &mut work.means, out);
    }
}

/// A count type of the draw matrix.
trait Count: Copy + Into<f64> {
    const ZERO: Self;
    /// Add one; `false` on overflow.
    fn bump(&mut self) -> bool;
}

impl Count for u8 {
    const ZERO: Self = 0;
    fn bump(&mut self) -> bool {
        *self = self.wrapping_add(1);
        *self != 0
    }
}

impl Count for u32 {
    const ZERO: Self = 0;
    fn bump(&mut self) -> bool {
        *self += 1;
        true
    }
}

/// Draw replicates `first .. first + count` of a cell: `counts[i * LANES + r]`. `false` when
/// a count overflowed its type.
fn draw<C: Count>(cell: &Cell, seed: u64, first: usize, count: usize, counts: &mut [C]) -> bool {
    let n = cell.len();
    let n32 = u32::try_from(n).unwrap_or(u32::MAX);
    counts.fill(C::ZERO);
    let mut ok = true;
    for r in 0..count {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(splitmix64(cell.key ^ splitmix64((first + r) as u64)));
        for _ in 0..n {
            let i = below(&mut rng, n32) as usize;
            ok &= counts[i * LANES + r].bump();
        }
    }
    ok
}

/// The hot loop. Block by block: v = c·w per respondent (one lane per replicate), then each
/// table cell gets the sum of the v of its listed respondents.
#[allow(clippy::too_many_arguments)]
fn accumulate<C: Count>(
    counts: &[C],
    cell: &Cell,
    packing: &Packing,
    plan: &Plan,
    v: &mut [Lanes],
    table: &mut [Lanes],
    s: &mut [Lanes],
    w: &mut [Lanes],
) {
    let n = cell.len();
    let p = packing.packs.len();
    let bounds_len: usize = packing.packs.iter().map(|pk| pk.size + 1).sum();
    for (b, lo) in (0..n).step_by(BLOCK).enumerate() {
        let hi = (lo + BLOCK).min(n);
        let len = hi - lo;
        let vb = &mut v[..len];
        for ((x, &wi), c) in vb
            .iter_mut()
            .zip(&cell.weights[lo..hi])
            .zip(counts[lo * LANES..hi * LANES].chunks_exact(LANES))
        {
            for l in 0..LANES {
                x[l] = c[l].into() * wi;
            }
        }
        for (slot, &j) in plan.dense_ind.iter().enumerate() {
            for (x, &y) in vb.iter().zip(&cell.dense_y[slot][lo..hi]) {
                if !y.is_nan() {
                    let (sj, wj) = (&mut s[j], &mut w[j]);
                    for l in 0..LANES {
                        sj[l] += x[l] * y;
                        wj[l] += x[l];
                    }
                }
            }
        }
        let vb = &v[..len];
        let mut bbase = b * bounds_len;
        for (pi, pack) in packing.packs.iter().enumerate() {
            let list = &cell.members[lo * p + pi * len..lo * p + (pi + 1) * len];
            let bnd = &cell.bounds[bbase..bbase + pack.size + 1];
            let tab = &mut table[pack.offset..pack.offset + pack.size];
            for (t, se) in tab.iter_mut().zip(bnd.windows(2)) {
                let (start, end) = (usize::from(se[0]), usize::from(se[1]));
                if start == end {
                    continue;
                }
                // Two accumulators so consecutive additions do not wait on each other.
                let mut a0 = [0.0; LANES];
                let mut a1 = [0.0; LANES];
                let mut pairs = list[start..end].chunks_exact(2);
                for pair in &mut pairs {
                    let (x0, x1) = (&vb[usize::from(pair[0])], &vb[usize::from(pair[1])]);
                    for l in 0..LANES {
                        a0[l] += x0[l];
                        a1[l] += x1[l];
                    }
                }
                if let [last] = pairs.remainder() {
                    let x = &vb[usize::from(*last)];
                    for l in 0..LANES {
                        a0[l] += x[l];
                    }
                }
                for l in 0..LANES {
                    t[l] += a0[l] + a1[l];
                }
            }
            bbase += pack.size + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_covers() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            let x = below(&mut rng, 5);
            assert!(x < 5);
            seen[x as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 1_800 && c < 2_200), "{seen:?}");
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn keys_differ() {
        assert_ne!(cell_key("U01", None), cell_key("U02", None));
        assert_ne!(cell_key("U01", None), cell_key("U01", Some("a")));
        assert_ne!(cell_key("U01", Some("a")), cell_key("U01", Some("b")));
    }
}
