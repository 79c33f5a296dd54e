//! Go goroutine text dumps (`/debug/pprof/goroutine?debug=1` and `?debug=2`, crash dumps) into
//! a goroutine-count `Profile`, following FORMATS-AND-LIMITS §1.5. `debug1` and `debug2` parse;
//! this file holds the shared builder and line helpers. It never needs the binary.

mod debug1;
mod debug2;

use std::collections::HashMap;

use crate::model::{FrameId, Label, LabelValue, Profile, ProfileKind, SampleType, StrId};

use super::{Content, DecodeError, Decoded};

pub use debug1::decode as decode_debug1;
pub use debug2::decode as decode_debug2;

/// Frames are deduplicated on everything the text says about them.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FrameKey {
    function: StrId,
    file: StrId,
    line: i64,
    address: u64,
    inlined: bool,
}

/// Accumulates goroutine stacks into a `goroutine/count` profile.
struct GoroutineBuilder {
    profile: Profile,
    frames: HashMap<FrameKey, FrameId>,
    label_sets: HashMap<Vec<Label>, u32>,
    warnings: Vec<String>,
}

impl GoroutineBuilder {
    /// An empty profile in `format` (`goroutine debug=1`), with pprof's goroutine header
    /// (`period_type goroutine/count`, `period 1`).
    fn new(format: &str) -> Self {
        let mut profile = Profile::new(vec![SampleType::new("goroutine", "count")]);
        profile.meta.kind = ProfileKind::Goroutine;
        profile.meta.format = format.to_owned();
        profile.meta.period_type = Some(SampleType::new("goroutine", "count"));
        profile.meta.period = 1;
        GoroutineBuilder {
            profile,
            frames: HashMap::new(),
            label_sets: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    fn intern(&mut self, s: &str) -> StrId {
        self.profile.strings.intern(s)
    }

    /// The frame for one stack line, created on first sight.
    fn frame(
        &mut self,
        function: &str,
        file: &str,
        line: i64,
        address: u64,
        inlined: bool,
    ) -> FrameId {
        let key = FrameKey {
            function: self.intern(function),
            file: self.intern(file),
            line,
            address,
            inlined,
        };
        if let Some(&id) = self.frames.get(&key) {
            return id;
        }
        let id = self.profile.add_frame(crate::model::Frame {
            function: key.function,
            file: key.file,
            line,
            address,
            inlined,
            ..Default::default()
        });
        self.frames.insert(key, id);
        id
    }

    /// A string label.
    fn str_label(&mut self, key: &str, value: &str) -> Label {
        Label {
            key: self.intern(key),
            value: LabelValue::Str(self.intern(value)),
        }
    }

    /// A numeric label with `unit` ("" for none).
    fn num_label(&mut self, key: &str, value: i64, unit: &str) -> Label {
        Label {
            key: self.intern(key),
            value: LabelValue::Num {
                value,
                unit: self.intern(unit),
            },
        }
    }

    /// Adds a sample of `value` goroutines with stack `leaf_first` and `labels`.
    fn push(&mut self, leaf_first: &[FrameId], value: i64, labels: Vec<Label>) {
        let stack = self
            .profile
            .stacks
            .intern_path(leaf_first.iter().rev().copied());
        let set = if labels.is_empty() {
            0
        } else if let Some(&id) = self.label_sets.get(&labels) {
            id
        } else {
            let id = self.profile.samples.add_label_set(labels.clone());
            self.label_sets.insert(labels, id);
            id
        };
        self.profile.samples.push(stack, &[value], set);
    }

    /// Adds `message` unless it is already there.
    fn warn_once(&mut self, message: &str) {
        if !self.warnings.iter().any(|w| w == message) {
            self.warnings.push(message.to_owned());
        }
    }

    fn finish(self) -> Result<Decoded, DecodeError> {
        Ok(Decoded {
            content: Content::Profile(self.profile),
            warnings: self.warnings,
        })
    }
}

/// Splits `path/file.go:123 +0x1d` (or `file:line`) into the file and the line; the file may
/// itself hold colons (`C:\src\x.go`), so the last colon separates them.
fn split_file_line(s: &str) -> (&str, i64) {
    let s = s.trim();
    let s = s.split_once(" +0x").map_or(s, |(head, _)| head).trim_end();
    match s.rsplit_once(':') {
        Some((file, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
            (file, line.parse().unwrap_or(0))
        }
        _ => (s, 0),
    }
}

/// Parses a hex number with or without `0x`.
fn parse_hex(s: &str) -> Option<u64> {
    let s = s.trim();
    u64::from_str_radix(
        s.strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s),
        16,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_file_and_line() {
        assert_eq!(
            split_file_line("\t/src/main.go:42 +0x1d"),
            ("/src/main.go", 42)
        );
        assert_eq!(split_file_line("C:\\go\\x.go:7"), ("C:\\go\\x.go", 7));
        assert_eq!(split_file_line("nowhere"), ("nowhere", 0));
        assert_eq!(parse_hex("0x4a3b"), Some(0x4a3b));
        assert_eq!(parse_hex("zz"), None);
    }
}
