//! J2: a global or module-level cache (object, `Map`, `Array`) keyed by time or request id,
//! growing without eviction. Evidence: a class whose objects grow at every step kept in a
//! collection (a `Map`'s table, an array's elements) that a global or module variable holds,
//! or a collection itself growing in size with a flat count.

use super::js::{js_finding, HeldBy};
use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "A global cache growing without eviction";
    let fix = fix(
        "Bound it: an LRU or a TTL with eviction; for metadata keyed by objects use a WeakMap (or WeakRef) so entries go with their keys.",
        "const cache = new LRUCache({ max: 10_000, ttl: 10 * 60_000 }); // npm lru-cache\ncache.set(requestId, result);",
    );
    js_finding(f, "J2", title, fix)
}

/// A class is J2's evidence when a collection the holding variable names keeps it, or when it is
/// a collection class whose size grows while its count does not (the same few maps and arrays,
/// ever bigger; new objects of a collection class are what holds them that says).
pub(super) fn matches(r: &ClassGrowthRow, held: &HeldBy) -> bool {
    let collection_class = matches!(
        r.name.as_str(),
        "Map" | "Set" | "Array" | "Object" | "(array)"
    );
    held.in_collection() || (collection_class && r.size_trend.monotonic && !r.count_trend.monotonic)
}
