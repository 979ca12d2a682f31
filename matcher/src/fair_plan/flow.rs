//! Maximum-weight b-matching between seekers and booths, as a min-cost flow.
//!
//! Network: source → seeker `i` (capacity `k_i`, cost 0) → booth `b` (capacity 1, cost
//! `−w(i, b)`) → sink (capacity `u_b`, cost 0). Successive shortest paths from the empty flow,
//! one unit at a time with Johnson potentials, give a minimum-cost flow of every value; the
//! cost is convex in the value, so stopping at the first path that does not lower it gives
//! the minimum over all values, which is the maximum total weight.
//!
//! Booths are few (tens) and seekers many (thousands), so each shortest path is searched on
//! the booths alone. A path is: source, a seeker with spare capacity, booth `b₁`; then any
//! number of moves "seeker `j` leaves `bₖ` for `bₖ₊₁`" (the reverse of `j → bₖ`, then
//! `j → bₖ₊₁`); then a booth with spare capacity, sink. With potentials the seekers' terms
//! cancel out of every such step, leaving costs that depend on booths only:
//! - entering `b`: `−max w(i, b)` over seekers with spare capacity not yet at `b` (a heap
//!   per booth, cleaned lazily);
//! - moving from `b` to `b′`: `min (w(j, b) − w(j, b′))` over seekers `j` at `b` and not at
//!   `b′` (a booth × booth table, whose rows are recomputed only for booths an augmentation
//!   touched);
//! - leaving `b` for the sink: 0, if `b` has spare capacity.
//!
//! So a path costs a dense Dijkstra on about 60 nodes instead of one over every pair.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Edge;

/// The capacities and pairs of one b-matching.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// Most visits per seeker.
    pub seeker_capacity: Vec<u32>,
    /// Most visitors per booth (over the whole fair).
    pub booth_capacity: Vec<u32>,
    /// Pairs worth a visit; weights are positive (others are ignored), duplicates keep the
    /// largest.
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Solution {
    /// The chosen pairs, sorted by seeker then booth.
    pub pairs: Vec<Edge>,
    pub total: i64,
}

const INF: i64 = i64::MAX / 4;
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
enum Parent {
    Entry(u32),
    Transfer { from: usize, seeker: u32 },
}

struct State {
    n: usize,
    m: usize,
    /// Weight of (seeker, booth), 0 for none; row-major by seeker.
    w: Vec<i64>,
    assigned: Vec<bool>,
    seeker_cap: Vec<u32>,
    booth_cap: Vec<u32>,
    count: Vec<u32>,
    load: Vec<u32>,
    at_booth: Vec<Vec<u32>>,
    of_seeker: Vec<Vec<u32>>,
    /// Booth potentials; the source's is 0.
    potential: Vec<i64>,
    sink_potential: i64,
    /// Per booth: (weight, seeker) of seekers that may enter it.
    entries: Vec<BinaryHeap<(i64, Reverse<u32>)>>,
    /// `transfer[b * m + b′]`: cheapest move from `b` to `b′` and the seeker making it.
    transfer: Vec<(i64, u32)>,
}

impl State {
    fn new(problem: &Problem) -> Self {
        let n = problem.seeker_capacity.len();
        let m = problem.booth_capacity.len();
        let mut w = vec![0i64; n * m];
        for e in &problem.edges {
            if e.seeker < n && e.booth < m && e.weight > 0 {
                let cell = &mut w[e.seeker * m + e.booth];
                *cell = (*cell).max(e.weight);
            }
        }
        let mut entries = vec![BinaryHeap::new(); m];
        let mut potential = vec![0i64; m];
        for i in 0..n {
            if problem.seeker_capacity[i] == 0 {
                continue;
            }
            for b in 0..m {
                let weight = w[i * m + b];
                if weight > 0 {
                    entries[b].push((weight, Reverse(i as u32)));
                    potential[b] = potential[b].min(-weight);
                }
            }
        }
        // Initial potentials are shortest distances in the empty network, which is acyclic:
        // seekers 0, booths −max w, the sink the least of the booths.
        let sink_potential = potential.iter().copied().min().unwrap_or(0);
        Self {
            n,
            m,
            w,
            assigned: vec![false; n * m],
            seeker_cap: problem.seeker_capacity.clone(),
            booth_cap: problem.booth_capacity.clone(),
            count: vec![0; n],
            load: vec![0; m],
            at_booth: vec![Vec::new(); m],
            of_seeker: vec![Vec::new(); n],
            potential,
            sink_potential,
            entries,
            transfer: vec![(INF, NONE); m * m],
        }
    }

    fn spare(&self, seeker: usize) -> bool {
        self.count[seeker] < self.seeker_cap[seeker]
    }

    /// The best seeker that may enter `b`, dropping stale heap entries.
    fn entry(&mut self, b: usize) -> Option<(i64, u32)> {
        while let Some(&(weight, Reverse(i))) = self.entries[b].peek() {
            let i_us = i as usize;
            if self.spare(i_us) && !self.assigned[i_us * self.m + b] {
                return Some((weight, i));
            }
            self.entries[b].pop();
        }
        None
    }

    fn recompute_row(&mut self, b: usize) {
        let m = self.m;
        let row = &mut self.transfer[b * m..(b + 1) * m];
        row.fill((INF, NONE));
        for &j in &self.at_booth[b] {
            let base = j as usize * m;
            let here = self.w[base + b];
            for (to, slot) in row.iter_mut().enumerate() {
                let there = self.w[base + to];
                if to == b || there == 0 || self.assigned[base + to] {
                    continue;
                }
                let cost = here - there;
                if cost < slot.0 || (cost == slot.0 && j < slot.1) {
                    *slot = (cost, j);
                }
            }
        }
    }

    fn assign(&mut self, seeker: u32, booth: usize) {
        let s = seeker as usize;
        debug_assert!(!self.assigned[s * self.m + booth]);
        self.assigned[s * self.m + booth] = true;
        self.at_booth[booth].push(seeker);
        self.of_seeker[s].push(booth as u32);
    }

    fn unassign(&mut self, seeker: u32, booth: usize) {
        let s = seeker as usize;
        debug_assert!(self.assigned[s * self.m + booth]);
        self.assigned[s * self.m + booth] = false;
        self.at_booth[booth].retain(|j| *j != seeker);
        self.of_seeker[s].retain(|b| *b as usize != booth);
        if self.spare(s) {
            let weight = self.w[s * self.m + booth];
            self.entries[booth].push((weight, Reverse(seeker)));
        }
    }

    /// One shortest path and its augmentation; `false` when no path lowers the cost.
    fn augment(&mut self) -> bool {
        let m = self.m;
        let mut dist = vec![INF; m];
        let mut done = vec![false; m];
        let mut parent = vec![Parent::Entry(NONE); m];
        for b in 0..m {
            if let Some((weight, i)) = self.entry(b) {
                let d = -weight - self.potential[b];
                debug_assert!(d >= 0, "negative reduced entry cost {d}");
                dist[b] = d;
                parent[b] = Parent::Entry(i);
            }
        }
        let mut to_sink = INF;
        let mut last = usize::MAX;
        loop {
            let mut u = usize::MAX;
            for b in 0..m {
                if !done[b] && (u == usize::MAX || dist[b] < dist[u]) {
                    u = b;
                }
            }
            if u == usize::MAX || dist[u] >= INF || dist[u] >= to_sink {
                break;
            }
            done[u] = true;
            if self.load[u] < self.booth_cap[u] {
                let d = dist[u] + self.potential[u] - self.sink_potential;
                debug_assert!(d >= dist[u], "negative reduced exit cost");
                if d < to_sink {
                    to_sink = d;
                    last = u;
                }
            }
            for v in 0..m {
                if done[v] {
                    continue;
                }
                let (cost, j) = self.transfer[u * m + v];
                if j == NONE {
                    continue;
                }
                let d = dist[u] + cost + self.potential[u] - self.potential[v];
                debug_assert!(d >= dist[u], "negative reduced transfer cost");
                if d < dist[v] {
                    dist[v] = d;
                    parent[v] = Parent::Transfer { from: u, seeker: j };
                }
            }
        }
        if last == usize::MAX {
            return false;
        }
        // The path's true cost: reduced cost plus the sink's potential (the source's is 0).
        if to_sink + self.sink_potential >= 0 {
            return false;
        }
        for b in 0..m {
            self.potential[b] += if done[b] { dist[b] } else { to_sink };
        }
        self.sink_potential += to_sink;

        let mut touched_booths = vec![last];
        let mut touched_seekers = Vec::new();
        self.load[last] += 1;
        let mut b = last;
        loop {
            match parent[b] {
                Parent::Entry(i) => {
                    self.assign(i, b);
                    self.count[i as usize] += 1;
                    touched_seekers.push(i);
                    break;
                }
                Parent::Transfer { from, seeker } => {
                    self.unassign(seeker, from);
                    self.assign(seeker, b);
                    touched_seekers.push(seeker);
                    touched_booths.push(from);
                    b = from;
                }
            }
        }
        // Rows change for booths whose seekers changed, and for booths of seekers whose
        // set of booths changed (the "not at b′" condition).
        let mut dirty = vec![false; m];
        for b in touched_booths {
            dirty[b] = true;
        }
        for j in touched_seekers {
            for &b in &self.of_seeker[j as usize] {
                dirty[b as usize] = true;
            }
        }
        for (b, d) in dirty.into_iter().enumerate() {
            if d {
                self.recompute_row(b);
            }
        }
        true
    }

    fn solution(&self) -> Solution {
        let mut pairs = Vec::new();
        let mut total = 0;
        for i in 0..self.n {
            let mut booths = self.of_seeker[i].clone();
            booths.sort_unstable();
            for b in booths {
                let weight = self.w[i * self.m + b as usize];
                total += weight;
                pairs.push(Edge {
                    seeker: i,
                    booth: b as usize,
                    weight,
                });
            }
        }
        Solution { pairs, total }
    }
}

/// The pairs of greatest total weight with no seeker above its capacity and no booth above
/// its own.
pub fn max_weight(problem: &Problem) -> Solution {
    let mut state = State::new(problem);
    while state.augment() {}
    state.solution()
}
