//! Job-fair route planning: which booths each registered seeker visits, in which time slot.
//!
//! The problem. `S` slots; seekers, each wanting at most `k` visits and free in some of the
//! slots; booths, each able to talk to `c(b, s)` visitors in slot `s`; a weight `w(i, b) > 0`
//! for each pair worth a visit (the matcher's two-sided score of the seeker and the booth's
//! best posting). Choose visits `(seeker, booth, slot)` with no seeker twice in a slot, no
//! booth twice for a seeker, at most `k` visits per seeker, slots the seeker can attend, and
//! at most `c(b, s)` visitors per booth and slot, maximising the total weight.
//!
//! Without slot restrictions (every seeker free in every slot, each booth's capacity the
//! same in every slot, `k ≤ S`, nothing fixed in advance) it is solved exactly:
//! 1. [`flow`] chooses the visits, ignoring slots, as a maximum-weight b-matching (a
//!    min-cost flow: seeker capacity `k`, booth capacity `c·S`, pair capacity 1, cost −w);
//! 2. [`colouring`] gives them slots. Split each booth into `c` copies of degree at most
//!    `S`; the visits then form a bipartite graph of maximum degree at most `S`, which has a
//!    proper `S`-edge-colouring (König's theorem); a colour is a slot. Every choice of step 1
//!    is realisable, so the optimum of step 1 is the optimum of the whole problem.
//!
//! With restrictions (seekers free only in some slots, capacities that differ by slot,
//! visits kept from routes already sent) the slot assignment is a list edge-colouring
//! problem, NP-hard in general, and [`restricted`] plans heuristically. The relaxation of
//! step 1 (seekers limited to their free slots, booths to their total capacity) is still an
//! upper bound on the optimum, so every plan reports how far below that bound it can be at
//! most ([`Plan::upper_bound`]). The tests measure the heuristic against the exact optimum
//! found by exhaustive search on small instances.
//!
//! Scores are integers here (the combined score times [`SCALE`]), so totals are exact and
//! the optimality tests compare equal numbers, not nearly equal ones.

pub mod colouring;
pub mod flow;
pub mod restricted;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

/// Weights are scores in 0..1 times this.
pub const SCALE: f64 = 1_000_000.0;

/// The most slots a fair may have (a slot set is a 64-bit mask).
pub const MAX_SLOTS: usize = 64;

/// The slots a seeker can attend, as a bit mask (bit `s` set: slot `s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotSet(pub u64);

impl SlotSet {
    /// Every slot of a fair with `slots` slots.
    pub fn all(slots: usize) -> Self {
        if slots >= 64 {
            Self(u64::MAX)
        } else {
            Self((1u64 << slots) - 1)
        }
    }

    pub fn of(slots: &[usize]) -> Self {
        Self(
            slots
                .iter()
                .filter(|s| **s < MAX_SLOTS)
                .fold(0, |m, s| m | 1 << s),
        )
    }

    pub fn contains(self, slot: usize) -> bool {
        slot < MAX_SLOTS && self.0 & (1 << slot) != 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn without(self, slot: usize) -> Self {
        Self(self.0 & !(1 << slot))
    }

    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..MAX_SLOTS).filter(move |s| self.contains(*s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeker {
    /// At most this many visits (fixed ones included).
    pub max_visits: u32,
    /// The slots they can attend.
    pub slots: SlotSet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booth {
    /// Visitors the booth can talk to in each slot (one entry per slot).
    pub capacity: Vec<u32>,
}

/// A pair worth a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub seeker: usize,
    pub booth: usize,
    /// Positive: the score times [`SCALE`].
    pub weight: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Visit {
    pub seeker: usize,
    pub booth: usize,
    pub slot: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instance {
    pub slots: usize,
    pub seekers: Vec<Seeker>,
    pub booths: Vec<Booth>,
    pub edges: Vec<Edge>,
    /// Visits that must stay (routes already sent); they must be feasible together.
    pub fixed: Vec<Visit>,
}

/// How a plan was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Flow and edge colouring: the optimum.
    Exact,
    /// Slot restrictions or fixed visits: the heuristic of [`restricted`].
    Heuristic,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Heuristic => "heuristic",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Sorted by seeker, then slot.
    pub visits: Vec<Visit>,
    /// Sum of the visits' weights.
    pub total: i64,
    /// No plan can exceed this (equal to `total` for exact plans).
    pub upper_bound: i64,
    pub method: Method,
}

impl Plan {
    /// The most this plan can be below the optimum, as a share of the bound (0 for exact
    /// plans).
    pub fn gap_bound(&self) -> f64 {
        if self.upper_bound <= 0 {
            0.0
        } else {
            (self.upper_bound - self.total) as f64 / self.upper_bound as f64
        }
    }
}

/// Why a set of visits is not a valid plan for an instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Infeasible {
    #[error("visit {0:?} names a seeker, booth or slot that does not exist")]
    OutOfRange(Visit),
    #[error("visit {0:?} pairs a seeker and a booth that are not worth a visit")]
    NoEdge(Visit),
    #[error("seeker {seeker} cannot attend slot {slot}")]
    SlotNotAllowed { seeker: usize, slot: usize },
    #[error("seeker {seeker} is planned twice in slot {slot}")]
    SeekerTwiceInSlot { seeker: usize, slot: usize },
    #[error("seeker {seeker} visits booth {booth} twice")]
    BoothTwice { seeker: usize, booth: usize },
    #[error("seeker {seeker} has more than {max} visits")]
    TooManyVisits { seeker: usize, max: u32 },
    #[error("booth {booth} has more than {capacity} visitors in slot {slot}")]
    OverCapacity {
        booth: usize,
        slot: usize,
        capacity: u32,
    },
    #[error("fixed visit {0:?} was dropped")]
    FixedDropped(Visit),
}

impl Instance {
    /// The weight of each pair, densely (`None` where the pair is not worth a visit).
    pub fn weights(&self) -> Vec<Option<i64>> {
        let m = self.booths.len();
        let mut w = vec![None; self.seekers.len() * m];
        for e in &self.edges {
            if e.seeker < self.seekers.len() && e.booth < m && e.weight > 0 {
                let cell = &mut w[e.seeker * m + e.booth];
                *cell = Some(cell.map_or(e.weight, |old: i64| old.max(e.weight)));
            }
        }
        w
    }

    /// Whether the exact method applies: no restrictions, nothing fixed.
    pub fn is_unrestricted(&self) -> bool {
        let all = SlotSet::all(self.slots);
        self.fixed.is_empty()
            && self.seekers.iter().all(|s| s.slots == all)
            && self.booths.iter().all(|b| {
                b.capacity.len() == self.slots && b.capacity.iter().all(|c| *c == b.capacity[0])
            })
    }

    /// Checks every rule a plan must keep and returns its total weight.
    pub fn check(&self, visits: &[Visit]) -> Result<i64, Infeasible> {
        let m = self.booths.len();
        let weights = self.weights();
        let mut in_slot = HashSet::new();
        let mut pairs = HashSet::new();
        let mut per_seeker = vec![0u32; self.seekers.len()];
        let mut load = vec![0u32; m * self.slots];
        let mut total = 0;
        for v in visits {
            if v.seeker >= self.seekers.len() || v.booth >= m || v.slot >= self.slots {
                return Err(Infeasible::OutOfRange(*v));
            }
            let w = weights[v.seeker * m + v.booth].ok_or(Infeasible::NoEdge(*v))?;
            let seeker = &self.seekers[v.seeker];
            if !seeker.slots.contains(v.slot) {
                return Err(Infeasible::SlotNotAllowed {
                    seeker: v.seeker,
                    slot: v.slot,
                });
            }
            if !in_slot.insert((v.seeker, v.slot)) {
                return Err(Infeasible::SeekerTwiceInSlot {
                    seeker: v.seeker,
                    slot: v.slot,
                });
            }
            if !pairs.insert((v.seeker, v.booth)) {
                return Err(Infeasible::BoothTwice {
                    seeker: v.seeker,
                    booth: v.booth,
                });
            }
            per_seeker[v.seeker] += 1;
            if per_seeker[v.seeker] > seeker.max_visits {
                return Err(Infeasible::TooManyVisits {
                    seeker: v.seeker,
                    max: seeker.max_visits,
                });
            }
            let capacity = self.booths[v.booth]
                .capacity
                .get(v.slot)
                .copied()
                .unwrap_or(0);
            load[v.booth * self.slots + v.slot] += 1;
            if load[v.booth * self.slots + v.slot] > capacity {
                return Err(Infeasible::OverCapacity {
                    booth: v.booth,
                    slot: v.slot,
                    capacity,
                });
            }
            total += w;
        }
        let chosen: HashSet<&Visit> = visits.iter().collect();
        if let Some(dropped) = self.fixed.iter().find(|f| !chosen.contains(f)) {
            return Err(Infeasible::FixedDropped(*dropped));
        }
        Ok(total)
    }
}

/// Plans the instance: exactly when it is unrestricted, heuristically otherwise.
pub fn plan(instance: &Instance) -> Plan {
    let mut plan = if instance.is_unrestricted() {
        exact(instance)
    } else {
        restricted::plan(instance)
    };
    plan.visits.sort();
    plan
}

/// Flow, then edge colouring (see the module comment for why this is optimal).
fn exact(instance: &Instance) -> Plan {
    let slots = instance.slots;
    let per_slot: Vec<u32> = instance
        .booths
        .iter()
        .map(|b| b.capacity.first().copied().unwrap_or(0))
        .collect();
    let problem = flow::Problem {
        seeker_capacity: instance
            .seekers
            .iter()
            .map(|s| s.max_visits.min(slots as u32))
            .collect(),
        booth_capacity: per_slot.iter().map(|c| c * slots as u32).collect(),
        edges: instance.edges.clone(),
    };
    let chosen = flow::max_weight(&problem);
    let pairs: Vec<(usize, usize)> = chosen.pairs.iter().map(|e| (e.seeker, e.booth)).collect();
    let slot_of = colouring::colour(slots, &pairs, &per_slot);
    let visits = pairs
        .iter()
        .zip(slot_of)
        .map(|(&(seeker, booth), slot)| Visit {
            seeker,
            booth,
            slot,
        })
        .collect();
    Plan {
        visits,
        total: chosen.total,
        upper_bound: chosen.total,
        method: Method::Exact,
    }
}
