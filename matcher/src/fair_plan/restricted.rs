//! Plans with slot restrictions, uneven capacities or visits that must stay.
//!
//! 1. Keep the fixed visits; what they use is gone from the seekers' free slots and the
//!    booths' capacities.
//! 2. Choose visits by the flow of [`super::flow`] on what is left, relaxed: a seeker may
//!    take as many visits as they have free slots (up to their limit), a booth as many as
//!    its free places over all slots, and a pair is allowed when the booth has a free place
//!    in a slot the seeker can attend. Its optimum bounds every plan from above.
//! 3. Give the chosen visits slots, the most constrained seekers first: for one seeker the
//!    visits that can be placed form a transversal matroid (booths matched to distinct free
//!    slots with a free place), so taking the booths by weight and keeping each one an
//!    augmenting path can place is the best for that seeker. A visit that finds its booth
//!    full in every free slot asks another visitor of the booth to move to a slot where the
//!    booth has room.
//! 4. Repeat 2–3 on what is still free until a round places nothing.
//! 5. Improve: for each seeker in turn, replace their planned (not fixed) visits by the best
//!    route they could have given everyone else's;
//! 6. and for each full booth and slot, offer its weakest planned visitor's place to the few
//!    seekers who value it most, the visitor then finding their best other route, kept when
//!    the two gain together. Repeat 5–6 until a pass changes nothing.

use super::flow::{self, Problem};
use super::{Edge, Instance, Method, Plan, SlotSet, Visit};

/// Passes of steps 5 and 6 at most.
const IMPROVEMENT_PASSES: usize = 6;
/// Seekers offered each full place in step 6 (those who value it most).
const EJECTION_CANDIDATES: usize = 4;

struct State<'a> {
    instance: &'a Instance,
    m: usize,
    slots: usize,
    /// Weight of (seeker, booth), 0 for none.
    w: Vec<i64>,
    /// Free places per (booth, slot).
    free_places: Vec<u32>,
    /// Slots each seeker can still use.
    free_slots: Vec<SlotSet>,
    /// Visits each seeker has, fixed or planned; `true` marks fixed ones.
    visits: Vec<Vec<(Visit, bool)>>,
    /// Planned (movable) visitors per (booth, slot).
    occupants: Vec<Vec<usize>>,
}

impl<'a> State<'a> {
    fn new(instance: &'a Instance) -> Self {
        let m = instance.booths.len();
        let slots = instance.slots;
        let w = instance
            .weights()
            .into_iter()
            .map(|w| w.unwrap_or(0))
            .collect();
        let mut free_places = vec![0u32; m * slots];
        for (b, booth) in instance.booths.iter().enumerate() {
            for s in 0..slots {
                free_places[b * slots + s] = booth.capacity.get(s).copied().unwrap_or(0);
            }
        }
        let mut state = Self {
            instance,
            m,
            slots,
            w,
            free_places,
            free_slots: instance
                .seekers
                .iter()
                .map(|s| SlotSet(s.slots.0 & SlotSet::all(slots).0))
                .collect(),
            visits: vec![Vec::new(); instance.seekers.len()],
            occupants: vec![Vec::new(); m * slots],
        };
        for v in &instance.fixed {
            let cell = &mut state.free_places[v.booth * slots + v.slot];
            *cell = cell.saturating_sub(1);
            state.free_slots[v.seeker] = state.free_slots[v.seeker].without(v.slot);
            state.visits[v.seeker].push((*v, true));
        }
        state
    }

    fn weight(&self, seeker: usize, booth: usize) -> i64 {
        self.w[seeker * self.m + booth]
    }

    fn visits_left(&self, seeker: usize) -> u32 {
        self.instance.seekers[seeker]
            .max_visits
            .saturating_sub(self.visits[seeker].len() as u32)
    }

    fn has_booth(&self, seeker: usize, booth: usize) -> bool {
        self.visits[seeker].iter().any(|(v, _)| v.booth == booth)
    }

    fn place(&mut self, v: Visit) {
        self.free_places[v.booth * self.slots + v.slot] -= 1;
        self.free_slots[v.seeker] = self.free_slots[v.seeker].without(v.slot);
        self.visits[v.seeker].push((v, false));
        self.occupants[v.booth * self.slots + v.slot].push(v.seeker);
    }

    fn remove(&mut self, v: Visit) {
        self.free_places[v.booth * self.slots + v.slot] += 1;
        self.free_slots[v.seeker] = SlotSet(self.free_slots[v.seeker].0 | 1 << v.slot);
        self.visits[v.seeker].retain(|(x, fixed)| *fixed || *x != v);
        self.occupants[v.booth * self.slots + v.slot].retain(|s| *s != v.seeker);
    }

    fn open_slots(&self, seeker: usize, booth: usize) -> impl Iterator<Item = usize> + '_ {
        self.free_slots[seeker]
            .iter()
            .filter(move |s| *s < self.slots && self.free_places[booth * self.slots + s] > 0)
    }

    /// Step 2: the relaxed flow on what is free now.
    fn relaxation(&self) -> flow::Solution {
        let n = self.instance.seekers.len();
        let mut edges = Vec::new();
        for i in 0..n {
            if self.visits_left(i) == 0 || self.free_slots[i].is_empty() {
                continue;
            }
            for b in 0..self.m {
                let weight = self.weight(i, b);
                if weight > 0 && !self.has_booth(i, b) && self.open_slots(i, b).next().is_some() {
                    edges.push(Edge {
                        seeker: i,
                        booth: b,
                        weight,
                    });
                }
            }
        }
        flow::max_weight(&Problem {
            seeker_capacity: (0..n)
                .map(|i| self.visits_left(i).min(self.free_slots[i].len() as u32))
                .collect(),
            booth_capacity: (0..self.m)
                .map(|b| {
                    self.free_places[b * self.slots..(b + 1) * self.slots]
                        .iter()
                        .sum()
                })
                .collect(),
            edges,
        })
    }

    /// The best set of `booths` (by weight) one seeker can be given distinct free slots
    /// for, at most `limit` of them, as (booth, slot).
    fn best_route(&self, seeker: usize, booths: &[usize], limit: u32) -> Vec<(usize, usize)> {
        let mut order: Vec<usize> = booths.to_vec();
        order.sort_by_key(|b| (std::cmp::Reverse(self.weight(seeker, *b)), *b));
        // slot → booth index in `order` currently holding it.
        let mut holder = vec![usize::MAX; self.slots];
        let mut taken = 0;
        for k in 0..order.len() {
            if taken == limit {
                break;
            }
            let mut seen = vec![false; self.slots];
            if self.augment(seeker, &order, k, &mut holder, &mut seen) {
                taken += 1;
            }
        }
        holder
            .iter()
            .enumerate()
            .filter(|(_, k)| **k != usize::MAX)
            .map(|(slot, k)| (order[*k], slot))
            .collect()
    }

    /// Kuhn's augmenting path: finds booth `order[k]` a slot, moving others if needed.
    fn augment(
        &self,
        seeker: usize,
        order: &[usize],
        k: usize,
        holder: &mut [usize],
        seen: &mut [bool],
    ) -> bool {
        let slots: Vec<usize> = self.open_slots(seeker, order[k]).collect();
        for s in slots {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            if holder[s] == usize::MAX || self.augment(seeker, order, holder[s], holder, seen) {
                holder[s] = k;
                return true;
            }
        }
        false
    }

    /// Step 3's rescue: another planned visitor of `booth` moves out of a slot `seeker` can
    /// use, into a slot where the booth has room and they are free.
    fn make_room(&mut self, seeker: usize, booth: usize) -> Option<Visit> {
        let mut found = None;
        'search: for s in self.free_slots[seeker].iter() {
            if s >= self.slots || self.free_places[booth * self.slots + s] > 0 {
                continue;
            }
            for &other in &self.occupants[booth * self.slots + s] {
                if let Some(to) = self.open_slots(other, booth).next() {
                    found = Some((s, other, to));
                    break 'search;
                }
            }
        }
        let (slot, other, to) = found?;
        self.remove(Visit {
            seeker: other,
            booth,
            slot,
        });
        self.place(Visit {
            seeker: other,
            booth,
            slot: to,
        });
        Some(Visit {
            seeker,
            booth,
            slot,
        })
    }

    /// Steps 3: slots for the chosen pairs. Returns how many visits were placed.
    fn assign(&mut self, chosen: &[Edge]) -> usize {
        let n = self.instance.seekers.len();
        let mut per_seeker: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in chosen {
            per_seeker[e.seeker].push(e.booth);
        }
        let mut order: Vec<usize> = (0..n).filter(|i| !per_seeker[*i].is_empty()).collect();
        order.sort_by_key(|i| {
            let weight: i64 = per_seeker[*i].iter().map(|b| self.weight(*i, *b)).sum();
            (self.free_slots[*i].len(), std::cmp::Reverse(weight), *i)
        });
        let mut placed = 0;
        for i in order {
            let limit = self.visits_left(i);
            let route = self.best_route(i, &per_seeker[i], limit);
            let mut unplaced: Vec<usize> = per_seeker[i]
                .iter()
                .copied()
                .filter(|b| !route.iter().any(|(rb, _)| rb == b))
                .collect();
            for (booth, slot) in route {
                self.place(Visit {
                    seeker: i,
                    booth,
                    slot,
                });
                placed += 1;
            }
            unplaced.sort_by_key(|b| std::cmp::Reverse(self.weight(i, *b)));
            for b in unplaced {
                if self.visits_left(i) == 0 {
                    break;
                }
                if let Some(v) = self.make_room(i, b) {
                    self.place(v);
                    placed += 1;
                }
            }
        }
        placed
    }

    fn movable(&self, seeker: usize) -> Vec<Visit> {
        self.visits[seeker]
            .iter()
            .filter(|(_, fixed)| !fixed)
            .map(|(v, _)| *v)
            .collect()
    }

    fn value(&self, seeker: usize) -> i64 {
        self.visits[seeker]
            .iter()
            .map(|(v, _)| self.weight(seeker, v.booth))
            .sum()
    }

    /// Replaces a seeker's planned visits by the best route they can have given everyone
    /// else's, if it is better; returns whether it was.
    fn respond(&mut self, i: usize) -> bool {
        let current = self.movable(i);
        let before: i64 = current.iter().map(|v| self.weight(i, v.booth)).sum();
        for v in &current {
            self.remove(*v);
        }
        let booths: Vec<usize> = (0..self.m)
            .filter(|b| self.weight(i, *b) > 0 && !self.has_booth(i, *b))
            .collect();
        let route = self.best_route(i, &booths, self.visits_left(i));
        let after: i64 = route.iter().map(|(b, _)| self.weight(i, *b)).sum();
        let better = after > before;
        let keep: Vec<Visit> = if better {
            route
                .into_iter()
                .map(|(booth, slot)| Visit {
                    seeker: i,
                    booth,
                    slot,
                })
                .collect()
        } else {
            current
        };
        for v in keep {
            self.place(v);
        }
        better
    }

    /// Step 5: one best response per seeker; returns whether anything improved.
    fn improve_pass(&mut self) -> bool {
        let mut improved = false;
        for i in 0..self.instance.seekers.len() {
            improved |= self.respond(i);
        }
        improved
    }

    /// Step 6: a full booth and slot gives a planned visitor's place to one of the seekers
    /// who value the booth most, and the visitor finds another route; kept only if the two
    /// together gain. Best responses alone never do this: nobody gives up a place by
    /// themself, even for a place as good elsewhere.
    fn eject_pass(&mut self, by_booth: &[Vec<usize>]) -> bool {
        let mut improved = false;
        for (b, valuing) in by_booth.iter().enumerate() {
            for s in 0..self.slots {
                if self.free_places[b * self.slots + s] > 0 {
                    continue;
                }
                let mut occupants = self.occupants[b * self.slots + s].clone();
                occupants.sort_by_key(|j| (self.weight(*j, b), *j));
                'occupant: for j in occupants {
                    let candidates: Vec<usize> = valuing
                        .iter()
                        .copied()
                        .filter(|i| {
                            *i != j
                                && self.instance.seekers[*i].slots.contains(s)
                                && !self.has_booth(*i, b)
                        })
                        .take(EJECTION_CANDIDATES)
                        .collect();
                    for i in candidates {
                        let (old_i, old_j) = (self.movable(i), self.movable(j));
                        let before = self.value(i) + self.value(j);
                        self.remove(Visit {
                            seeker: j,
                            booth: b,
                            slot: s,
                        });
                        self.respond(i);
                        self.respond(j);
                        if self.value(i) + self.value(j) > before {
                            improved = true;
                            break 'occupant;
                        }
                        for v in self.movable(i).into_iter().chain(self.movable(j)) {
                            self.remove(v);
                        }
                        for v in old_i.into_iter().chain(old_j) {
                            self.place(v);
                        }
                    }
                }
            }
        }
        improved
    }

    fn plan(&self, upper_bound: i64) -> Plan {
        let visits: Vec<Visit> = self
            .visits
            .iter()
            .flat_map(|vs| vs.iter().map(|(v, _)| *v))
            .collect();
        let total = visits.iter().map(|v| self.weight(v.seeker, v.booth)).sum();
        Plan {
            visits,
            total,
            upper_bound: upper_bound.max(total),
            method: Method::Heuristic,
        }
    }
}

pub fn plan(instance: &Instance) -> Plan {
    let mut state = State::new(instance);
    let fixed_total: i64 = instance
        .fixed
        .iter()
        .map(|v| state.weight(v.seeker, v.booth))
        .sum();
    let mut upper_bound = None;
    loop {
        let relaxed = state.relaxation();
        upper_bound.get_or_insert(fixed_total + relaxed.total);
        if relaxed.pairs.is_empty() || state.assign(&relaxed.pairs) == 0 {
            break;
        }
    }
    // Per booth, the seekers who value it, most first.
    let by_booth: Vec<Vec<usize>> = (0..state.m)
        .map(|b| {
            let mut list: Vec<usize> = (0..instance.seekers.len())
                .filter(|i| state.weight(*i, b) > 0)
                .collect();
            list.sort_by_key(|i| (std::cmp::Reverse(state.weight(*i, b)), *i));
            list
        })
        .collect();
    for _ in 0..IMPROVEMENT_PASSES {
        let responded = state.improve_pass();
        let ejected = state.eject_pass(&by_booth);
        if !responded && !ejected {
            break;
        }
    }
    state.plan(upper_bound.unwrap_or(fixed_total))
}
