//! Sample types and their units, and value formatting that matches `go tool pprof`
//! (`internal/measurement`): bytes scale by 1024 (B, kB, MB, …), times to ns/us/ms/s/hrs, and
//! counts print bare. Choosing one unit for a whole report is `analysis`' job, not this file's.

use serde::{Deserialize, Serialize};

/// What one column of sample values measures: pprof's `ValueType` (`inuse_space` / `bytes`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SampleType {
    /// The producer's name for the quantity, e.g. `alloc_space`, `cpu`, `goroutine`.
    pub name: String,
    /// The producer's unit string, e.g. `bytes`, `nanoseconds`, `count`; may be empty.
    pub unit: String,
}

impl SampleType {
    /// A sample type from its name and unit.
    pub fn new(name: impl Into<String>, unit: impl Into<String>) -> Self {
        SampleType {
            name: name.into(),
            unit: unit.into(),
        }
    }

    /// The unit family the unit string belongs to.
    pub fn unit_kind(&self) -> Unit {
        Unit::sniff(&self.unit)
    }
}

/// The family of a unit string, found the way pprof sniffs it (case-insensitive aliases, a
/// trailing plural `s` dropped from names longer than two letters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Memory: B, kB, MB, GB, TB, PB with factor 1024.
    Bytes,
    /// Time: ns, us, ms, s, hrs.
    Time,
    /// Google Compute Units (pprof knows them; rare elsewhere).
    Gcu,
    /// Anything else: `count`, `samples`, or a producer's own unit, printed as is.
    Other,
}

/// One scaled unit: its printed name, the aliases that sniff to it, and its size in base units.
struct ScaledUnit {
    name: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

/// A family of units and the unit to fall back to when nothing fits.
struct UnitFamily {
    kind: Unit,
    units: &'static [ScaledUnit],
    default: usize,
}

const FAMILIES: &[UnitFamily] = &[
    UnitFamily {
        kind: Unit::Bytes,
        units: &[
            ScaledUnit {
                name: "B",
                aliases: &["b", "byte"],
                factor: 1.0,
            },
            ScaledUnit {
                name: "kB",
                aliases: &["kb", "kbyte", "kilobyte"],
                factor: 1024.0,
            },
            ScaledUnit {
                name: "MB",
                aliases: &["mb", "mbyte", "megabyte"],
                factor: 1048576.0,
            },
            ScaledUnit {
                name: "GB",
                aliases: &["gb", "gbyte", "gigabyte"],
                factor: 1073741824.0,
            },
            ScaledUnit {
                name: "TB",
                aliases: &["tb", "tbyte", "terabyte"],
                factor: 1099511627776.0,
            },
            ScaledUnit {
                name: "PB",
                aliases: &["pb", "pbyte", "petabyte"],
                factor: 1125899906842624.0,
            },
        ],
        default: 0,
    },
    UnitFamily {
        kind: Unit::Time,
        units: &[
            ScaledUnit {
                name: "ns",
                aliases: &["ns", "nanosecond"],
                factor: 1.0,
            },
            ScaledUnit {
                name: "us",
                aliases: &["μs", "us", "microsecond"],
                factor: 1e3,
            },
            ScaledUnit {
                name: "ms",
                aliases: &["ms", "millisecond"],
                factor: 1e6,
            },
            ScaledUnit {
                name: "s",
                aliases: &["s", "sec", "second"],
                factor: 1e9,
            },
            ScaledUnit {
                name: "hrs",
                aliases: &["hour", "hr"],
                factor: 3.6e12,
            },
        ],
        default: 3,
    },
    UnitFamily {
        kind: Unit::Gcu,
        units: &[
            ScaledUnit {
                name: "n*GCU",
                aliases: &["nanogcu"],
                factor: 1e-9,
            },
            ScaledUnit {
                name: "u*GCU",
                aliases: &["microgcu"],
                factor: 1e-6,
            },
            ScaledUnit {
                name: "m*GCU",
                aliases: &["milligcu"],
                factor: 1e-3,
            },
            ScaledUnit {
                name: "GCU",
                aliases: &["gcu"],
                factor: 1.0,
            },
            ScaledUnit {
                name: "k*GCU",
                aliases: &["kilogcu"],
                factor: 1e3,
            },
            ScaledUnit {
                name: "M*GCU",
                aliases: &["megagcu"],
                factor: 1e6,
            },
            ScaledUnit {
                name: "G*GCU",
                aliases: &["gigagcu"],
                factor: 1e9,
            },
            ScaledUnit {
                name: "T*GCU",
                aliases: &["teragcu"],
                factor: 1e12,
            },
            ScaledUnit {
                name: "P*GCU",
                aliases: &["petagcu"],
                factor: 1e15,
            },
        ],
        default: 3,
    },
];

impl UnitFamily {
    fn sniff(&self, unit: &str) -> Option<&ScaledUnit> {
        let mut u = unit.to_lowercase();
        // pprof compares the length in bytes (`len(unit) > 2`), so `μs` (3 bytes) loses its
        // `s` and is not a time unit there: `go tool pprof` prints such values bare + `μs`.
        if u.len() > 2 {
            if let Some(stripped) = u.strip_suffix('s') {
                u = stripped.to_owned();
            }
        }
        self.units.iter().find(|s| s.aliases.contains(&u.as_str()))
    }

    fn auto_scale(&self, value: f64) -> Option<(f64, &'static str)> {
        let mut best: Option<&ScaledUnit> = None;
        for u in self.units {
            if u.factor >= best.map_or(0.0, |b| b.factor) && value / u.factor >= 1.0 {
                best = Some(u);
            }
        }
        best.map(|u| (value / u.factor, u.name))
    }
}

impl Unit {
    /// The family of a unit string (`"bytes"` → `Bytes`, `"nanoseconds"` → `Time`).
    pub fn sniff(unit: &str) -> Unit {
        FAMILIES
            .iter()
            .find(|f| f.sniff(unit).is_some())
            .map_or(Unit::Other, |f| f.kind)
    }
}

/// Converts `value` in `from` units to `to` units, as pprof's `measurement.Scale`: `to` may be a
/// unit name, or `"minimum"`/`"auto"` for the largest unit in which the value is at least 1.
/// Returns the number and the printed unit name (empty for counts).
pub fn scale(value: i64, from: &str, to: &str) -> (f64, String) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from, to);
        return (-v, u);
    }
    for family in FAMILIES {
        let Some(from_unit) = family.sniff(from) else {
            continue;
        };
        let v = value as f64 * from_unit.factor;
        if to == "minimum" || to == "auto" {
            if let Some((v, name)) = family.auto_scale(v) {
                return (v, name.to_owned());
            }
            let d = &family.units[family.default];
            return (v / d.factor, d.name.to_owned());
        }
        let target = family.sniff(to).unwrap_or(&family.units[family.default]);
        return (v / target.factor, target.name.to_owned());
    }
    match to {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, String::new()),
        other => (value as f64, other.to_owned()),
    }
}

/// `value` in `from` units printed in `to` units the way pprof prints it: two decimals with a
/// trailing `.00` dropped, then the unit (`1.50MB`, `10ms`, `0`).
pub fn scaled_label(value: i64, from: &str, to: &str) -> String {
    let (v, unit) = scale(value, from, to);
    let text = format!("{v:.2}");
    let text = text.strip_suffix(".00").unwrap_or(&text);
    if text == "0" || text == "-0" {
        return "0".to_owned();
    }
    format!("{text}{unit}")
}

/// `value` printed in the largest unit that keeps it at least 1 (`format_value(1536, "bytes")`
/// is `1.50kB`).
pub fn format_value(value: i64, unit: &str) -> String {
    scaled_label(value, unit, "minimum")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_pprof() {
        assert_eq!(format_value(1536, "bytes"), "1.50kB");
        assert_eq!(format_value(512 * 1024 * 1024, "bytes"), "512MB");
        assert_eq!(format_value(10_000_000, "nanoseconds"), "10ms");
        assert_eq!(format_value(1_230_000_000, "nanoseconds"), "1.23s");
        assert_eq!(format_value(0, "bytes"), "0");
        assert_eq!(format_value(42, "count"), "42");
        assert_eq!(format_value(-2048, "bytes"), "-2kB");
        assert_eq!(format_value(7, "widgets"), "7");
        assert_eq!(scaled_label(7, "widgets", "widgets"), "7widgets");
        assert_eq!(scaled_label(1_500_000, "nanoseconds", "ms"), "1.50ms");
        assert_eq!(scaled_label(3, "microseconds", "minimum"), "3us");
    }

    #[test]
    fn sniffs_unit_families() {
        assert_eq!(Unit::sniff("bytes"), Unit::Bytes);
        assert_eq!(Unit::sniff("nanoseconds"), Unit::Time);
        // Not a time unit for pprof (see `sniff`); checked against go tool pprof 1.19 on
        // the corpus file austin_python.wall.uncompressed.pb (unit `μs`).
        assert_eq!(Unit::sniff("μs"), Unit::Other);
        assert_eq!(Unit::sniff("us"), Unit::Time);
        assert_eq!(Unit::sniff("count"), Unit::Other);
    }
}
