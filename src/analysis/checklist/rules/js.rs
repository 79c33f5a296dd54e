//! What the JavaScript rules (J1 to J5) share. Their evidence is the heap growth of a snapshot
//! series: classes whose count or size grew at every step, each with the retainer path that
//! holds most of its new objects. Each growing class is evidence of at most one cause
//! (`js_cause`), chosen from the class and from what its path shows after the variable that
//! holds it (`HeldBy`): the path before that variable is how the program reaches its module
//! scope (a timer, a signal handler, a microtask) and says nothing about the leak.

use super::*;
use crate::analysis::growth::TrendKind;
use crate::analysis::heap::ClassGrowthRow;
use crate::analysis::sort;

/// A class's growth matters for a finding when its count rose by at least this many objects
/// per step (a handful of objects is what any process adds between two snapshots)…
const JS_MIN_NEW_PER_STEP: f64 = 5.0;

/// … or its shallow size by at least this share of the heap per step (a growing `Map` adds
/// no objects, only table).
const JS_MIN_SIZE_SHARE_PER_STEP: f64 = 0.001;

/// The retainer path of a growing class, split at the variable that holds it.
pub(super) struct HeldBy<'a> {
    /// Every edge of the path, root first (`global.setInterval`, `Map internal table`, …).
    pub edges: Vec<&'a str>,
    /// Where the edges after the holding variable start: the last edge that names a variable
    /// (a closure's or module's `context var`, a property of the global object), plus one.
    /// 0 when no edge names one.
    held_from: usize,
}

impl<'a> HeldBy<'a> {
    pub fn of(r: &'a ClassGrowthRow) -> Self {
        let edges: Vec<&str> = r
            .retainer
            .as_deref()
            .map(|p| p.split(" → ").collect())
            .unwrap_or_default();
        let held_from = edges
            .iter()
            .rposition(|e| {
                e.contains(" context var ")
                    || e.starts_with("global.")
                    || e.contains("[JSGlobalObject]")
            })
            .map_or(0, |i| i + 1);
        HeldBy { edges, held_from }
    }

    /// The variable that holds the growth (`responseCache`, `window.ordersView`) and the
    /// edges from it to the growth, if an edge names one.
    pub fn variable(&self) -> Option<(String, &[&'a str])> {
        let edge = self.edges.get(self.held_from.checked_sub(1)?)?;
        let name = if let Some((_, var)) = edge.split_once(" context var ") {
            var.to_owned()
        } else if let Some(prop) = edge.strip_prefix("global.") {
            prop.to_owned()
        } else {
            // `Window [JSGlobalObject] / http://host:port.ordersView`: the property after the
            // origin.
            let prop = edge.rsplit_once('.').map_or(*edge, |(_, p)| p);
            format!("window.{prop}")
        };
        Some((name, self.after_variable()))
    }

    /// The edges after the holding variable: the structure that keeps the growth (a `Map`'s
    /// table, an emitter's listener array, a list of timers).
    pub fn after_variable(&self) -> &[&'a str] {
        &self.edges[self.held_from..]
    }

    /// True when the growth is kept in a collection the variable holds: a `Map`'s or `Set`'s
    /// table, an array's or a dictionary object's elements.
    pub fn in_collection(&self) -> bool {
        self.after_variable().iter().any(|e| {
            e.ends_with(" internal table")
                || *e == "(array) internal []"
                || e.starts_with("Array[")
                || e.starts_with("Object[")
        })
    }

    /// True when the growth is kept by event listeners or timers the variable holds: an
    /// emitter's listener array (`EventEmitter._events → Object.tick → Array[]`: Node keeps
    /// one listener as the function itself, several in an array), a list of timers
    /// (`Timeout._idleNext`), a live DOM target's listeners.
    pub fn in_listeners_or_timers(&self) -> bool {
        let after = self.after_variable();
        let listener_array = after.windows(3).any(|w| {
            w[0].ends_with("._events") && w[1].starts_with("Object.") && w[2].starts_with("Array[")
        });
        listener_array
            || after.iter().any(|e| {
                e.starts_with("Timeout.")
                    || (e.contains("EventListener[]") && !e.starts_with("Detached "))
            })
    }

    /// True when the path walks a chain of string concatenations (V8 keeps `a + b` as a rope
    /// whose `first` part is the previous rope: the edge repeats).
    pub fn in_rope(&self) -> bool {
        self.edges
            .iter()
            .any(|e| e.starts_with("(concatenated string)") && e.ends_with("(repeated)"))
    }
}

/// True for what the engine grows by itself while it runs: compiled code, object shapes,
/// feedback and other internals (`(system)`, `system / …` but closure contexts and
/// `ArrayBuffer` backing stores, which hold the program's data).
fn engine_internal(name: &str) -> bool {
    matches!(
        name,
        "(compiled code)" | "(code)" | "(system)" | "(object shape)" | "(feedback vector)"
    ) || (name.starts_with("system / ")
        && !name.starts_with("system / Context")
        && name != "system / JSArrayBufferData")
}

/// True for the engine's own classes, which name no user code.
fn engine_class(name: &str) -> bool {
    name.starts_with('(')
        || name.starts_with("system / ")
        || matches!(name, "Array" | "Object" | "Function" | "Map" | "Set")
}

/// True for string classes (`(string)`, `(concatenated string)`, `(sliced string)`).
pub(super) fn is_string(r: &ClassGrowthRow) -> bool {
    r.name.ends_with("string)")
}

/// A JavaScript rule's test of one growing class.
type Matches = fn(&ClassGrowthRow, &HeldBy) -> bool;

/// The causes in the order a class is tried: the most specific evidence first (a detached DOM
/// node is J3 whatever holds it; a rope of strings is J5 unless a cache holds the strings;
/// what listeners or timers hold is J4; closure contexts J1; the rest of a collection J2).
const PRIORITY: &[(&str, Matches)] = &[
    ("J3", super::j3_detached_dom::matches),
    ("J5", super::j5_strings::matches),
    ("J4", super::j4_listeners::matches),
    ("J1", super::j1_closures::matches),
    ("J2", super::j2_global_cache::matches),
];

/// The cause a class's growth is evidence of, if any.
pub(super) fn js_cause(r: &ClassGrowthRow) -> Option<&'static str> {
    if engine_internal(&r.name) {
        return None;
    }
    let held = HeldBy::of(r);
    PRIORITY
        .iter()
        .find(|(_, matches)| matches(r, &held))
        .map(|(cause, _)| *cause)
}

/// True when row `r`'s growth is more than what any process adds between snapshots.
fn significant(r: &ClassGrowthRow, total: u64) -> bool {
    let count = r.count_trend.monotonic && r.count_trend.slope >= JS_MIN_NEW_PER_STEP;
    let size =
        r.size_trend.monotonic && r.size_trend.slope >= JS_MIN_SIZE_SHARE_PER_STEP * total as f64;
    count || size
}

/// A heap snapshot rule: the classes that are evidence of `cause` (`js_cause`) and grow (count
/// or size at every step, above what any process adds) make it likely; rising ones possible.
/// One snapshot cannot show growth: a matching class with objects makes it possible.
pub(super) fn js_finding(f: &Facts, cause: &str, title: &str, fix: Fix) -> Finding {
    let Some(s) = &f.snapshots else {
        return needs(cause, title, "heap snapshot", fix);
    };
    let single = s.ids.len() < 2;
    let total = s.growth.total_sizes.last().copied().unwrap_or(0);
    let mut rows: Vec<&ClassGrowthRow> = s
        .growth
        .rows
        .iter()
        .filter(|r| js_cause(r) == Some(cause) && (single || significant(r, total)))
        .collect();
    // The user's own constructors say more than the engine's (`Array`, `(string)`).
    sort::sort_by_key(&mut rows, |r| engine_class(&r.name));
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for r in rows {
        let last_count = r.counts.last().copied().unwrap_or(0);
        let grows = !single && s.growth.same_process && r.kind == TrendKind::Growing;
        let rises = grows || (!single && r.kind == TrendKind::Rising) || (single && last_count > 0);
        if !rises {
            continue;
        }
        likely |= grows;
        possible = true;
        evidence.push(class_evidence(r, &s.ids));
    }
    finding(cause, title, verdict_of(likely, possible), evidence, fix)
}

/// The evidence of one class: its count at each point, what it retains, the path that holds it
/// and a link to its objects and retainers.
fn class_evidence(r: &ClassGrowthRow, ids: &[u32]) -> Evidence {
    let held = HeldBy::of(r);
    let variable = held
        .variable()
        .map(|(name, rest)| match rest {
            [] => format!(", in `{name}`"),
            _ => format!(", in `{name}` ({})", rest.join(" → ")),
        })
        .unwrap_or_default();
    let last_count = r.counts.last().copied().unwrap_or(0);
    let counts: Vec<i64> = r.counts.iter().map(|&c| c as i64).collect();
    let retained: Vec<i64> = r.retained_sizes.iter().map(|&v| v as i64).collect();
    Evidence {
        text: format!(
            "{} {} objects ({} retained){}: {}{variable}{}",
            last_count,
            r.name,
            format_value(retained.last().copied().unwrap_or(0), "bytes"),
            over_series(counts.len()),
            values_text(&counts, "count"),
            r.retainer
                .as_ref()
                .map(|p| format!("; held by {p}"))
                .unwrap_or_default()
        ),
        frame: r.retainer.clone(),
        runtime_frames: Vec::new(),
        values: retained,
        unit: "bytes".to_owned(),
        link: Some(Link {
            view: View::Retainers,
            files: ids.to_vec(),
            sample_type: None,
            focus: None,
            class_key: Some(r.key.clone()),
            object: r.example.map(|o| o.0),
        }),
    }
}

#[cfg(test)]
mod tests {
    //! Each J rule on classes built from text: a retainer path as DevTools prints it and the
    //! counts and sizes at three snapshots of one process.
    use super::*;
    use crate::analysis::checklist::facts::SnapshotFacts;
    use crate::analysis::growth::trend;
    use crate::analysis::heap::HeapGrowth;

    /// A class with `counts` objects of `each` bytes at each point, held by `path`.
    fn class(name: &str, counts: &[u64], each: u64, path: &str) -> ClassGrowthRow {
        let sizes: Vec<u64> = counts.iter().map(|c| c * each).collect();
        let as_i64 = |v: &[u64]| v.iter().map(|&x| x as i64).collect::<Vec<_>>();
        let count_trend = trend(&as_i64(counts), 0);
        let size_trend = trend(&as_i64(&sizes), 0);
        let kind = if count_trend.kind == TrendKind::Growing {
            TrendKind::Growing
        } else {
            size_trend.kind
        };
        ClassGrowthRow {
            name: name.to_owned(),
            key: name.to_owned(),
            counts: counts.to_vec(),
            shallow_sizes: sizes.clone(),
            retained_sizes: sizes,
            kind,
            retained_trend: size_trend.clone(),
            size_trend,
            count_trend,
            new_objects: counts.last().unwrap() - counts[0],
            retainer: (!path.is_empty()).then(|| path.to_owned()),
            retainer_basis: None,
            retainer_objects: 0,
            retainer_sampled: 0,
            retainer_share: 0.0,
            example: None,
        }
    }

    /// Three snapshots of one process (a 10 MB heap) with these classes.
    fn facts(rows: Vec<ClassGrowthRow>) -> Facts {
        Facts {
            snapshots: Some(SnapshotFacts {
                ids: vec![0, 1, 2],
                growth: HeapGrowth {
                    snapshots: 3,
                    same_process: true,
                    total_sizes: vec![10_000_000; 3],
                    size_noise: 0,
                    rows,
                },
                clusters: None,
            }),
            ..Facts::default()
        }
    }

    /// Each J rule's verdict on `rows`, in J1..J5 order.
    fn verdicts(rows: Vec<ClassGrowthRow>) -> Vec<(String, Verdict)> {
        let f = facts(rows);
        super::super::ALL[8..]
            .iter()
            .map(|rule| {
                let x = rule(&f);
                (x.cause, x.verdict)
            })
            .collect()
    }

    fn likely(rows: Vec<ClassGrowthRow>) -> Vec<String> {
        verdicts(rows)
            .into_iter()
            .filter(|(_, v)| *v == Verdict::Likely)
            .map(|(c, _)| c)
            .collect()
    }

    /// How a Node service's module scope is reached: through a timer, which must not make
    /// everything J4.
    const VIA_TIMER: &str = "(root) → global.setInterval → setInterval() internal context → … → TimersList._idleNext → Timeout._onTimeout → (anonymous)() internal context";

    #[test]
    fn j1_closure_contexts_chained_through_a_captured_variable() {
        let path = format!("{VIA_TIMER} → system / Context context var previous → handleReport() internal context → system / Context context var previous");
        let rows = vec![
            class("system / Context", &[886, 926, 966], 64, &path),
            class("Function", &[5385, 5425, 5465], 32, &path),
        ];
        assert_eq!(likely(rows), ["J1"]);
    }

    #[test]
    fn evidence_names_the_variable_that_holds_the_growth() {
        let path = format!("{VIA_TIMER} → system / Context context var responseCache → Map internal table → (array) internal []");
        let f = facts(vec![class(
            "CachedResponse",
            &[1000, 1250, 1500],
            48,
            &path,
        )]);
        let j2 = super::super::j2_global_cache::check(&f);
        assert!(
            j2.evidence[0]
                .text
                .contains("in `responseCache` (Map internal table → (array) internal [])"),
            "{}",
            j2.evidence[0].text
        );
        let window = "(root) → Window [JSGlobalObject] / http://127.0.0.1:8080.ordersView → OrdersView.history → Array[]";
        let row = class("Detached <ul>", &[4, 8, 12], 104, window);
        let held = HeldBy::of(&row);
        let (name, rest) = held.variable().unwrap();
        assert_eq!(name, "window.ordersView");
        assert_eq!(rest, ["OrdersView.history", "Array[]"]);
    }

    #[test]
    fn j1_not_from_a_few_closures_the_engine_adds() {
        // JIT warm-up and lazy module code add a handful of functions between snapshots.
        let rows = vec![class("Function", &[5220, 5221, 5223], 32, VIA_TIMER)];
        assert!(likely(rows).is_empty());
    }

    #[test]
    fn j2_entries_of_a_module_level_map() {
        let path = format!("{VIA_TIMER} → system / Context context var responseCache → Map internal table → (array) internal []");
        let rows = vec![
            class("CachedResponse", &[1000, 1250, 1500], 48, &path),
            class(
                "Buffer",
                &[1002, 1252, 1502],
                1200,
                &format!("{path} → CachedResponse.body"),
            ),
        ];
        assert_eq!(likely(rows), ["J2"]);
    }

    #[test]
    fn j2_a_collection_before_the_variable_is_not_a_cache() {
        // The timer list (`timerListMap → Object[]`) comes before the variable that holds the
        // growth (`job`): what the variable holds is a plain object, not a collection.
        let path = "(root) → global.setTimeout → setTimeout() internal context → system / Context context var timerListMap → Object[] → TimersList._idleNext → Timeout._onTimeout → pollJob() internal context → system / Context context var job";
        let rows = vec![class("JobState", &[100, 200, 300], 40, path)];
        assert!(likely(rows).is_empty());
    }

    #[test]
    fn j3_detached_nodes_whatever_holds_them() {
        let path = "(root) → Window [JSGlobalObject] / http://127.0.0.1:8080.ordersView → OrdersView.history → Array[]";
        let rows = vec![
            class("Detached <ul>", &[4, 8, 12], 104, path),
            class(
                "Detached <li>",
                &[160, 320, 480],
                104,
                &format!("{path} → Detached <ul>[]"),
            ),
        ];
        assert_eq!(likely(rows), ["J3"]);
    }

    #[test]
    fn j3_not_from_attached_nodes() {
        let rows = vec![class(
            "<li>",
            &[60, 120, 180],
            104,
            "(root) → HTMLDocument[] → <ul>[]",
        )];
        assert!(!likely(rows).contains(&"J3".to_owned()));
    }

    #[test]
    fn j4_listeners_and_timers() {
        let bus = format!("{VIA_TIMER} → system / Context context var bus → EventEmitter._events → Object.tick → Array[]");
        let rows = vec![
            class("Timeout", &[802, 1002, 1202], 120, "(root) → global.setTimeout → setTimeout() internal context → system / Context context var timerListMap → Object[] → TimersList._idleNext → Timeout._idleNext (repeated)"),
            class("Function", &[6825, 7225, 7625], 32, &bus),
            class("system / Context", &[2326, 2726, 3126], 64, &format!("{bus} → onTick() internal context")),
        ];
        assert_eq!(likely(rows), ["J4"]);
    }

    #[test]
    fn j4_not_from_one_listener_on_the_way_to_a_cache() {
        // `process.on('SIGTERM', …)` is one listener (Node keeps it as the function itself):
        // the module scope is reached through it, the growth is the cache's.
        let path = "(root) → global.queueMicrotask → queueMicrotask() internal context → system / Context context var process → process._events → Object.SIGTERM → (anonymous)() internal context → system / Context context var sessions → SessionCache.byId → Map internal table → (array) internal []";
        let rows = vec![class("Session", &[120, 240, 360], 96, path)];
        assert_eq!(likely(rows), ["J2"]);
    }

    #[test]
    fn j5_a_rope_appended_to_a_module_variable() {
        let path = format!("{VIA_TIMER} → system / Context context var accessLog → (concatenated string) internal first (repeated) → (concatenated string) internal second");
        let rows = vec![
            class("(concatenated string)", &[1739, 1979, 2219], 32, &path),
            class(
                "(sliced string)",
                &[484, 604, 724],
                32,
                &format!("{path} → (concatenated string) internal first"),
            ),
        ];
        assert_eq!(likely(rows), ["J5"]);
    }

    #[test]
    fn j5_not_from_small_strings_in_a_cache() {
        // Session tokens joined with `+` inside a Map's entries: the cache is the leak (J2).
        let path = "(root) → … → system / Context context var sessions → SessionCache.byId → Map internal table → (array) internal [] → Session.tokens → Array[] → (concatenated string) internal first (repeated)";
        let rows = vec![class(
            "(concatenated string)",
            &[5083, 9283, 13483],
            32,
            path,
        )];
        assert_eq!(likely(rows), ["J2"]);
    }

    #[test]
    fn engine_growth_is_no_cause() {
        // Compiled code and object shapes grow while the JIT warms up, in a healthy process too.
        let rows = vec![
            class("(compiled code)", &[12377, 12400, 12450], 400, "(root) → (GC roots)[] → (Global handles) internal [] → processImmediate() internal feedback_cell → (compiled code) internal value → (compiled code) hidden []"),
            class("(object shape)", &[4431, 4440, 4450], 40, "(root) → global.setInterval → setInterval() internal context → system / Context context var L → Object internal map"),
        ];
        assert!(verdicts(rows).iter().all(|(_, v)| *v == Verdict::NotSeen));
    }

    #[test]
    fn one_snapshot_makes_it_possible_at_most() {
        let path = "(root) → … → system / Context context var responseCache → Map internal table → (array) internal []";
        let mut f = facts(vec![class("CachedResponse", &[1500], 48, path)]);
        let s = f.snapshots.as_mut().unwrap();
        s.ids = vec![0];
        s.growth.snapshots = 1;
        let j2 = super::super::j2_global_cache::check(&f);
        assert_eq!(j2.verdict, Verdict::Possible);
    }

    #[test]
    fn without_snapshots_each_j_rule_needs_one() {
        for (cause, verdict) in super::super::ALL[8..].iter().map(|r| {
            let x = r(&Facts::default());
            (x.cause, x.verdict)
        }) {
            assert_eq!(
                verdict,
                Verdict::Needs("heap snapshot".to_owned()),
                "{cause}"
            );
        }
    }

    #[test]
    fn different_processes_are_never_likely() {
        // Ids do not line up: counts per class may still rise, but no object can be shown to
        // have stayed.
        let path = "(root) → … → system / Context context var responseCache → Map internal table → (array) internal []";
        let mut f = facts(vec![class("CachedResponse", &[1000, 1250, 1500], 48, path)]);
        f.snapshots.as_mut().unwrap().growth.same_process = false;
        let j2 = super::super::j2_global_cache::check(&f);
        assert_ne!(j2.verdict, Verdict::Likely);
    }
}
