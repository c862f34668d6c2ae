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
//! Reproducibility: every (cell, replicate) has its own random stream (xoshiro256++ seeded
//! from ChaCha8 keyed by the seed, a hash of the cell's unit and group codes and the replicate
//! number), and each batch is computed by one task in a fixed order, so the result does not
//! depend on the number of threads, on how work is split, or on the other units.

use chacha20::ChaCha8Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::estimate::{Plan, normalise};
use crate::responses::{MISSING, UnitResponses};

/// Replicates computed together (lanes of one vector).
pub(crate) const LANES: usize = 8;
/// One value per replicate of a batch, on its own cache line: a row that straddled two lines
/// would cost two cache misses instead of one.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Lanes([f64; LANES]);

impl Lanes {
    const ZERO: Lanes = Lanes([0.0; LANES]);
}

impl std::ops::Deref for Lanes {
    type Target = [f64; LANES];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Lanes {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// Respondents per block: a block's v vectors (BLOCK × 64 bytes = 256 KB) stay in the L2 cache.
const BLOCK: usize = 4096;

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
            packs.push(Pack { offset, size, members, digits });
        };
        // Consecutive indicators (usually of one sub-dimension) share a pack.
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
    pub(crate) fn new(plan: &Plan, packings: &[Packing], unit: &UnitResponses, members: &[u32], key: u64) -> Self {
        let n = members.len();
        let (best, _) = packings.iter().enumerate().fold((0usize, f64::INFINITY), |(bi, bc), (i, p)| {
            let c = p.cost(n);
            if c < bc { (i, c) } else { (bi, bc) }
        });
        let packing = &packings[best];
        let k = plan.k;
        let p = packing.packs.len();
        let bounds_len: usize = packing.packs.iter().map(|pk| pk.size + 1).sum();
        let block = BLOCK;
        let blocks = n.div_ceil(block);
        let mut list = vec![0u16; n * p];
        let mut bounds = vec![0u16; blocks * bounds_len];
        // Per block: every respondent's table cell in every pack (one pass over the rows), then
        // a counting sort per pack.
        let mut cell_of = vec![0u32; block * p];
        let mut next: Vec<u16> = Vec::new();
        for b in 0..blocks {
            let lo = b * block;
            let hi = (lo + block).min(n);
            let len = hi - lo;
            for (li, &i) in members[lo..hi].iter().enumerate() {
                let row = &unit.codes[i as usize * k..(i as usize + 1) * k];
                for (pi, pack) in packing.packs.iter().enumerate() {
                    let mut e = 0usize;
                    for &(j, stride, radix) in &pack.members {
                        let c = row[j];
                        let digit = if c == MISSING { radix - 1 } else { usize::from(c) };
                        e += digit * stride;
                    }
                    cell_of[pi * block + li] = u32::try_from(e).unwrap_or(u32::MAX);
                }
            }
            let mut bbase = b * bounds_len;
            for (pi, pack) in packing.packs.iter().enumerate() {
                let bnd = &mut bounds[bbase..bbase + pack.size + 1];
                let cells = &cell_of[pi * block..pi * block + len];
                for &e in cells {
                    bnd[e as usize + 1] += 1;
                }
                for e in 0..pack.size {
                    bnd[e + 1] += bnd[e];
                }
                let out = &mut list[lo * p + pi * len..lo * p + (pi + 1) * len];
                next.clear();
                next.extend_from_slice(&bnd[..pack.size]);
                for (li, &e) in cells.iter().enumerate() {
                    let pos = &mut next[e as usize];
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
                        if x.is_nan() { f64::NAN } else { normalise(x, lo, hi, dir) }
                    })
                    .collect()
            })
            .collect();
        Cell { key, weights: members.iter().map(|&i| unit.weights[i as usize]).collect(), packing: best, members: list, bounds, dense_y }
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
        Some(g) => splitmix64(u ^ splitmix64(crate::responses::fnv1a(g.as_bytes()) ^ 0x0067_726f_7570)),
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator of one (cell, replicate): xoshiro256++ (fast, 256-bit state, excellent
/// statistical quality), its state taken from that replicate's own ChaCha8 stream, so that
/// streams are independent and fixed by (seed, cell, replicate) alone. Written out here rather
/// than taken from a crate so that no dependency update or feature flag can change the draws.
struct Xoshiro([u64; 4]);

impl Xoshiro {
    fn for_replicate(seed: u64, cell_key: u64, replicate: u64) -> Self {
        // ChaCha8 keyed by (seed, cell, replicate): a separate stream for each.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&cell_key.to_le_bytes());
        key[16..24].copy_from_slice(&replicate.to_le_bytes());
        key[24..].copy_from_slice(b"chiso-bs");
        let mut chacha = ChaCha8Rng::from_seed(key);
        let mut s = [0u64; 4];
        for x in &mut s {
            *x = chacha.next_u64();
        }
        if s == [0; 4] {
            // The one state xoshiro cannot leave (probability 2^-256).
            s[0] = 1;
        }
        Xoshiro(s)
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform integer in 0..n (n ≥ 1), unbiased (Lemire's multiply-and-reject on 32-bit
    /// halves of the 64-bit output).
    fn below(&mut self, n: u32) -> u32 {
        loop {
            let x = self.next_u64();
            for half in [x as u32, (x >> 32) as u32] {
                let m = u64::from(half) * u64::from(n);
                // Reject the few values that would make some results more likely.
                if (m as u32) >= n.wrapping_neg() % n {
                    return (m >> 32) as u32;
                }
            }
        }
    }
}

/// Per-thread buffers, reused over batches.
struct Work {
    /// `counts8[r * n + i]`: times respondent i is drawn in replicate r of the batch (one
    /// replicate's counts are contiguous, so drawing touches a small array).
    counts8: Vec<u8>,
    /// v vectors of one block.
    v: Box<[Lanes; BLOCK]>,
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
pub(crate) fn run(plan: &Plan, packings: &[Packing], cells: &[Cell], b: usize, seed: u64) -> Vec<f64> {
    let n_vals = plan.n_vals();
    let bp = padded(b);
    let mut out = vec![f64::NAN; cells.len() * bp * n_vals];
    if b == 0 || n_vals == 0 || cells.is_empty() {
        return out;
    }
    let batches = bp / LANES;
    let max_n = cells.iter().map(Cell::len).max().unwrap_or(0);
    let max_t = cells.iter().map(|c| packings[c.packing].total).max().unwrap_or(0);
    let k = plan.k;
    out.par_chunks_mut(LANES * n_vals).enumerate().for_each_init(
        || Work {
            counts8: vec![0; LANES * max_n],
            v: Box::new([Lanes::ZERO; BLOCK]),
            table: vec![Lanes::ZERO; max_t],
            s: vec![Lanes::ZERO; k],
            w: vec![Lanes::ZERO; k],
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
fn batch(plan: &Plan, packing: &Packing, cell: &Cell, seed: u64, first: usize, count: usize, work: &mut Work, vals: &mut [f64]) {
    let n = cell.len();
    let n_vals = plan.n_vals();
    if n == 0 {
        vals.fill(f64::NAN);
        return;
    }
    let table = &mut work.table[..packing.total];
    table.fill(Lanes::ZERO);
    let (s, w) = (&mut work.s, &mut work.w);
    s.fill(Lanes::ZERO);
    w.fill(Lanes::ZERO);
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

/// Draw replicates `first .. first + count` of a cell: `counts[r * n + i]`. `false` when a
/// count overflowed its type.
fn draw<C: Count>(cell: &Cell, seed: u64, first: usize, count: usize, counts: &mut [C]) -> bool {
    let n = cell.len();
    let n32 = u32::try_from(n).unwrap_or(u32::MAX);
    let threshold = n32.wrapping_neg() % n32;
    counts.fill(C::ZERO);
    let mut ok = true;
    for (r, lane) in counts.chunks_exact_mut(n).take(count).enumerate() {
        let mut rng = Xoshiro::for_replicate(seed, cell.key, (first + r) as u64);
        // Two draws per 64-bit output.
        for _ in 0..n / 2 {
            let x = rng.next_u64();
            for half in [x as u32, (x >> 32) as u32] {
                let m = u64::from(half) * u64::from(n32);
                let i = if (m as u32) >= threshold { (m >> 32) as usize } else { rng.below(n32) as usize };
                ok &= lane[i].bump();
            }
        }
        if n % 2 == 1 {
            ok &= lane[rng.below(n32) as usize].bump();
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
    v: &mut [Lanes; BLOCK],
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
        for (x, &wi) in vb.iter_mut().zip(&cell.weights[lo..hi]) {
            x.fill(wi);
        }
        for (l, lane) in counts.chunks_exact(n).enumerate() {
            for (x, &c) in vb.iter_mut().zip(&lane[lo..hi]) {
                x[l] *= c.into();
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
        // Indices are masked to the block size so that the loads need no bounds check (list
        // entries are below `len` by construction).
        let vb: &[Lanes; BLOCK] = v;
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
                    let (x0, x1) = (&vb[usize::from(pair[0]) & (BLOCK - 1)], &vb[usize::from(pair[1]) & (BLOCK - 1)]);
                    for l in 0..LANES {
                        a0[l] += x0[l];
                        a1[l] += x1[l];
                    }
                }
                if let [last] = pairs.remainder() {
                    let x = &vb[usize::from(*last) & (BLOCK - 1)];
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
        let mut rng = Xoshiro::for_replicate(7, 1, 2);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            let x = rng.below(5);
            assert!(x < 5);
            seen[x as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 1_800 && c < 2_200), "{seen:?}");
        assert_eq!(rng.below(1), 0);
        // Large n: the rejection threshold is not trivial.
        let n = 3_000_000_001u32;
        assert!((0..1000).all(|_| rng.below(n) < n));
    }

    #[test]
    fn xoshiro_matches_the_reference() {
        // First outputs of xoshiro256++ from state [1, 2, 3, 4] (reference implementation).
        let mut x = Xoshiro([1, 2, 3, 4]);
        assert_eq!(x.next_u64(), 41_943_041);
        assert_eq!(x.next_u64(), 58_720_359);
        assert_eq!(x.next_u64(), 3_588_806_011_781_223);
    }

    #[test]
    fn wide_counts_draw_the_same() {
        let n = 3000;
        let cell = Cell { key: 77, weights: vec![1.0; n], packing: 0, members: Vec::new(), bounds: Vec::new(), dense_y: Vec::new() };
        let mut narrow = vec![0u8; LANES * n];
        let mut wide = vec![0u32; LANES * n];
        assert!(draw(&cell, 3, 16, LANES, &mut narrow));
        assert!(draw(&cell, 3, 16, LANES, &mut wide));
        assert!(narrow.iter().zip(&wide).all(|(&a, &b)| u32::from(a) == b));
    }

    #[test]
    fn draws_are_multinomial_counts() {
        // Counts of a replicate add up to n, whatever n.
        for n in [1usize, 2, 3, 17, 1000] {
            let cell = Cell { key: 5, weights: vec![1.0; n], packing: 0, members: Vec::new(), bounds: Vec::new(), dense_y: Vec::new() };
            let mut counts = vec![0u8; LANES * n];
            assert!(draw(&cell, 9, 0, LANES, &mut counts));
            for lane in counts.chunks_exact(n) {
                assert_eq!(lane.iter().map(|&c| usize::from(c)).sum::<usize>(), n);
            }
        }
    }

    #[test]
    fn keys_differ() {
        assert_ne!(cell_key("U01", None), cell_key("U02", None));
        assert_ne!(cell_key("U01", None), cell_key("U01", Some("a")));
        assert_ne!(cell_key("U01", Some("a")), cell_key("U01", Some("b")));
    }
}
