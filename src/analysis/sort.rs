//! Stable sorts through one instance of the standard library's sort. `slice::sort_by` is
//! compiled again for every comparator, and the worker's wasm carried some ninety copies of it
//! (200 KB of code before compression, for thirty sort calls); these functions sort a list of
//! indices with a `dyn` comparator instead, so every call shares one compiled sort, and then
//! move the items into place. Same order as `slice::sort_by` (stable), for any `T`.

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`, as `items.sort_by(cmp)` does.
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_indices(&mut order, &mut |a, b| cmp(&items[a], &items[b]));
    permute(items, &order);
}

/// Sorts `items` stably by `key`, as `items.sort_by_key(key)` does.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The one compiled sort: `order` by `cmp` of the indices it holds.
#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Reorders `items` so that the item at `order[i]` comes `i`-th (`order` is a permutation of
/// `0..items.len()`).
pub fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut placed = vec![false; items.len()];
    for i in 0..items.len() {
        if placed[i] {
            continue;
        }
        // Follow the cycle through i.
        let mut at = i;
        loop {
            placed[at] = true;
            let from = order[at];
            if from == i {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random pairs with many equal keys, so stability shows.
    fn pairs(n: usize) -> Vec<(u32, usize)> {
        let mut x = 0x2545_f491_u32;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x % 7, i)
            })
            .collect()
    }

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        for n in [0, 1, 2, 3, 20, 1000] {
            let mut ours = pairs(n);
            let mut std_sorted = ours.clone();
            sort_by_key(&mut ours, |p| p.0);
            std_sorted.sort_by_key(|p| p.0);
            assert_eq!(ours, std_sorted, "n = {n}");
            sort_by(&mut ours, |a, b| (b.0 % 3).cmp(&(a.0 % 3)));
            std_sorted.sort_by_key(|p| std::cmp::Reverse(p.0 % 3));
            assert_eq!(ours, std_sorted, "n = {n}, descending");
        }
    }

    #[test]
    fn permute_moves_each_item_to_its_place() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut items, &[3, 0, 4, 1, 2]);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c']);
    }
}
