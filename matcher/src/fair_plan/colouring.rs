//! Slots for chosen visits: a proper edge colouring of a bipartite graph.
//!
//! A booth that talks to `c` visitors per slot is split into `c` copies, and its visits are
//! dealt to the copies in turn, so no copy has more than `S` of them when the booth has at
//! most `c·S`. Seekers have at most `S` visits. A bipartite (multi)graph whose degrees are at
//! most `S` has a proper edge colouring with `S` colours (König); colours are slots, so no
//! seeker is anywhere twice in a slot and no copy of a booth sees two visitors in one, which
//! is `c` visitors per booth and slot at most.
//!
//! The colouring is built one edge at a time. For edge (u, v), take a colour α free at u and
//! β free at v. If α is free at v too, use it. Otherwise swap α and β along the path that
//! starts at v and alternates α, β, α…: it reaches left-side vertices through α edges, and α
//! is free at u, so it never reaches u; after the swap α is free at both ends.

const NONE: usize = usize::MAX;

/// A slot for each pair (seeker, booth). Needs every seeker in at most `slots` pairs and
/// booth `b` in at most `per_slot[b] × slots`; then no seeker has two pairs in one slot and
/// booth `b` has at most `per_slot[b]` in each.
pub fn colour(slots: usize, pairs: &[(usize, usize)], per_slot: &[u32]) -> Vec<usize> {
    if slots == 0 || pairs.is_empty() {
        return vec![0; pairs.len()];
    }
    let left_count = pairs.iter().map(|p| p.0 + 1).max().unwrap_or(0);
    // Copies of each booth: the first copy's index, and how many visits were dealt so far.
    let mut first_copy = Vec::with_capacity(per_slot.len());
    let mut copies = 0usize;
    for c in per_slot {
        first_copy.push(copies);
        copies += (*c as usize).max(1);
    }
    let mut dealt = vec![0usize; per_slot.len()];
    let ends: Vec<(usize, usize)> = pairs
        .iter()
        .map(|&(seeker, booth)| {
            let c = (per_slot[booth] as usize).max(1);
            let copy = first_copy[booth] + dealt[booth] % c;
            dealt[booth] += 1;
            (seeker, copy)
        })
        .collect();

    let mut left = vec![NONE; left_count * slots];
    let mut right = vec![NONE; copies * slots];
    let mut colour_of = vec![NONE; pairs.len()];
    let free = |table: &[usize], node: usize| (0..slots).find(|c| table[node * slots + c] == NONE);

    for (e, &(u, v)) in ends.iter().enumerate() {
        let alpha = free(&left, u).expect("a seeker has at most `slots` visits");
        let beta = free(&right, v).expect("a booth copy has at most `slots` visits");
        if right[v * slots + alpha] != NONE {
            // The alternating α/β path from v, as edges in order.
            let mut path = Vec::new();
            let mut at_right = true;
            let mut node = v;
            let mut colour = alpha;
            loop {
                let table = if at_right { &right } else { &left };
                let next = table[node * slots + colour];
                if next == NONE {
                    break;
                }
                path.push(next);
                let (l, r) = ends[next];
                node = if at_right { l } else { r };
                at_right = !at_right;
                colour = if colour == alpha { beta } else { alpha };
            }
            for &p in &path {
                let (l, r) = ends[p];
                left[l * slots + colour_of[p]] = NONE;
                right[r * slots + colour_of[p]] = NONE;
            }
            for &p in &path {
                let swapped = if colour_of[p] == alpha { beta } else { alpha };
                colour_of[p] = swapped;
                let (l, r) = ends[p];
                left[l * slots + swapped] = p;
                right[r * slots + swapped] = p;
            }
        }
        debug_assert_eq!(left[u * slots + alpha], NONE);
        debug_assert_eq!(right[v * slots + alpha], NONE);
        colour_of[e] = alpha;
        left[u * slots + alpha] = e;
        right[v * slots + alpha] = e;
    }
    colour_of
}
