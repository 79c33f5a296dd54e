//! Turns decoded profile.proto messages into a `model::Profile`: ids and string indices become
//! frames, stack paths and labels. Each location is expanded to frames once and reused; each
//! sample is interned into the `StackTree` root first. Broken references are errors, as in pprof.

use crate::model::{Frame, FrameId, IdMap, Label, LabelValue, Profile, SampleType, StrId};

use super::super::{Content, DecodeError, Decoded};
use super::id_index::IdIndex;
use super::kind::classify;
use super::messages;
use super::strings::ProtoStrings;

/// A function's names, interned once and shared by every line that calls it.
#[derive(Clone, Copy, Default)]
struct FunctionNames {
    name: StrId,
    system_name: StrId,
    file: StrId,
    start_line: i64,
}

/// Resolves `raw` into a profile. Samples are numbered from 1 in file order in messages.
/// `lap` is told as each phase begins (`resolve frames`, `intern stacks`).
pub fn resolve(
    raw: messages::Profile,
    samples: messages::Samples,
    lap: &mut dyn FnMut(&str),
) -> Result<Decoded, DecodeError> {
    lap("resolve frames");
    let messages::Profile {
        sample_type,
        mapping,
        location,
        function,
        string_table,
        drop_frames,
        keep_frames,
        time_nanos,
        duration_nanos,
        period_type,
        period,
        comment,
        default_sample_type,
        doc_url,
    } = raw;
    let mut strings = ProtoStrings::new(string_table)?;
    let mut warnings = Vec::new();

    let value_type = |v: &messages::ValueType,
                      what: &str,
                      s: &ProtoStrings|
     -> Result<SampleType, DecodeError> {
        let name = s
            .text(v.r#type)
            .map_err(|e| e.at(format!("{what}'s type")))?;
        let unit = s.text(v.unit).map_err(|e| e.at(format!("{what}'s unit")))?;
        Ok(SampleType { name, unit })
    };
    let types = sample_type
        .iter()
        .enumerate()
        .map(|(i, v)| value_type(v, &format!("sample type {}", i + 1), &strings))
        .collect::<Result<Vec<_>, _>>()?;
    let mut profile = Profile::new(types);

    // pprof's `SampleIndexByName("")`: the named default if it exists, else the last type.
    let default_name = strings
        .text(default_sample_type)
        .map_err(|e| e.at("default_sample_type"))?;
    if let Some(i) = profile
        .sample_types
        .iter()
        .position(|t| !default_name.is_empty() && t.name == default_name)
    {
        profile.default_sample_type = i;
    }

    let meta = &mut profile.meta;
    meta.format = "pprof".to_owned();
    meta.time_nanos = (time_nanos != 0).then_some(time_nanos);
    meta.duration_nanos = (duration_nanos != 0).then_some(duration_nanos);
    meta.period_type = period_type
        .as_ref()
        .map(|v| value_type(v, "period_type", &strings))
        .transpose()?;
    meta.period = period;
    for (i, &c) in comment.iter().enumerate() {
        meta.comments.push(
            strings
                .text(c)
                .map_err(|e| e.at(format!("comment {}", i + 1)))?,
        );
    }
    let optional = |index: i64, what: &str| -> Result<Option<String>, DecodeError> {
        let s = strings.text(index).map_err(|e| e.at(what))?;
        Ok((!s.is_empty()).then_some(s))
    };
    meta.drop_frames = optional(drop_frames, "drop_frames")?;
    meta.keep_frames = optional(keep_frames, "keep_frames")?;
    meta.doc_url = optional(doc_url, "doc_url")?;

    for (table, n, all_zero) in [
        (
            "functions",
            function.len(),
            function.iter().all(|f| f.id == 0),
        ),
        (
            "locations",
            location.len(),
            location.iter().all(|l| l.id == 0),
        ),
        ("mappings", mapping.len(), mapping.iter().all(|m| m.id == 0)),
    ] {
        if n > 1 && all_zero {
            warnings.push(format!(
                "the profile's {table} have no ids; they were numbered by position from 1"
            ));
        }
    }
    let functions = resolve_functions(&function, &mut strings, &mut profile)?;
    let function_rows = IdIndex::build(
        &function.iter().map(|f| f.id).collect::<Vec<_>>(),
        "function",
    )?;
    drop(function);
    let mapping_rows =
        IdIndex::build(&mapping.iter().map(|m| m.id).collect::<Vec<_>>(), "mapping")?;
    let mut mapping_files = Vec::with_capacity(mapping.len());
    for m in &mapping {
        let file = strings
            .id(m.filename, &mut profile.strings)
            .map_err(|e| e.at(format!("mapping {}'s filename", m.id)))?;
        strings
            .id(m.build_id, &mut profile.strings)
            .map_err(|e| e.at(format!("mapping {}'s build_id", m.id)))?;
        mapping_files.push(file);
    }
    drop(mapping);

    let location_rows = IdIndex::build(
        &location.iter().map(|l| l.id).collect::<Vec<_>>(),
        "location",
    )?;
    let frames = LocationFrames::build(
        &location,
        &functions,
        &function_rows,
        &mapping_rows,
        &mapping_files,
        &mut profile,
        &mut warnings,
    )?;
    drop(location);

    lap("intern stacks");
    resolve_samples(
        &samples,
        &location_rows,
        &frames,
        &mut strings,
        &mut profile,
    )?;
    profile.meta.kind = classify(&profile);
    if strings.lossy > 0 {
        warnings.push(format!(
            "{} strings in the profile are not valid UTF-8; unreadable bytes are shown as \u{fffd}",
            strings.lossy
        ));
    }
    Ok(Decoded {
        content: Content::Profile(profile),
        warnings,
    })
}

fn resolve_functions(
    function: &[messages::Function],
    strings: &mut ProtoStrings,
    profile: &mut Profile,
) -> Result<Vec<FunctionNames>, DecodeError> {
    let table = &mut profile.strings;
    function
        .iter()
        .map(|f| {
            let at = |field: &str| format!("function {}'s {field}", f.id);
            Ok(FunctionNames {
                name: strings.id(f.name, table).map_err(|e| e.at(at("name")))?,
                system_name: strings
                    .id(f.system_name, table)
                    .map_err(|e| e.at(at("system_name")))?,
                file: strings
                    .id(f.filename, table)
                    .map_err(|e| e.at(at("filename")))?,
                start_line: f.start_line,
            })
        })
        .collect()
}

/// Every location's frames, leaf first (`line[0]`, the innermost inlined function, first),
/// stored flat: location row `r` owns `frames[start[r]..start[r + 1]]`.
struct LocationFrames {
    frames: Vec<FrameId>,
    start: Vec<u32>,
}

impl LocationFrames {
    fn build(
        location: &[messages::Location],
        functions: &[FunctionNames],
        function_rows: &IdIndex,
        mapping_rows: &IdIndex,
        mapping_files: &[StrId],
        profile: &mut Profile,
        warnings: &mut Vec<String>,
    ) -> Result<Self, DecodeError> {
        let mut out = LocationFrames {
            frames: Vec::with_capacity(location.len()),
            start: Vec::with_capacity(location.len() + 1),
        };
        let mut missing_mappings = 0usize;
        profile.frames.reserve(location.len());
        // Ids numbered by position (see `IdIndex::build`) keep that number in `Frame::location`.
        let positional = location.len() > 1 && location.iter().all(|l| l.id == 0);
        for (row, loc) in location.iter().enumerate() {
            out.start.push(out.frames.len() as u32);
            let mapping = match (loc.mapping_id, mapping_rows.get(loc.mapping_id)) {
                (_, Some(row)) => mapping_files[row],
                (0, None) => StrId(0),
                (_, None) => {
                    missing_mappings += 1;
                    StrId(0)
                }
            };
            let base = Frame {
                address: loc.address,
                mapping,
                location: if positional { row as u64 + 1 } else { loc.id },
                ..Default::default()
            };
            if loc.line.is_empty() {
                // Address only (unsymbolized): one nameless frame; `frame_name` shows the address.
                out.frames.push(profile.add_frame(base));
                continue;
            }
            let last = loc.line.len() - 1;
            for (j, line) in loc.line.iter().enumerate() {
                // Function id 0 means "no function" unless the producer numbered from 0.
                let names = match (line.function_id, function_rows.get(line.function_id)) {
                    (_, Some(row)) => functions[row],
                    (0, None) => FunctionNames::default(),
                    (id, None) => {
                        return Err(DecodeError::new(format!(
                        "location {} refers to function {id}, which the profile does not define",
                        loc.id
                    )))
                    }
                };
                out.frames.push(profile.add_frame(Frame {
                    function: names.name,
                    system_name: names.system_name,
                    file: names.file,
                    line: line.line,
                    column: line.column,
                    start_line: names.start_line,
                    inlined: j < last,
                    ..base.clone()
                }));
            }
        }
        out.start.push(out.frames.len() as u32);
        if missing_mappings > 0 {
            warnings.push(format!(
                "{missing_mappings} locations refer to a mapping the profile does not define; their binary is shown as unknown"
            ));
        }
        Ok(out)
    }

    #[inline]
    fn of(&self, row: usize) -> &[FrameId] {
        &self.frames[self.start[row] as usize..self.start[row + 1] as usize]
    }
}

fn resolve_samples(
    sample: &messages::Samples,
    location_rows: &IdIndex,
    frames: &LocationFrames,
    strings: &mut ProtoStrings,
    profile: &mut Profile,
) -> Result<(), DecodeError> {
    let n_types = profile.sample_types.len();
    // Go's heap profiles give every sample a label (`bytes`, the object size): hash the sets
    // with the fast id hasher, their parts are string ids and numbers.
    let mut label_sets: IdMap<Vec<Label>, u32> = IdMap::default();
    // Every sample's frames root first, flat, to be interned all at once (`intern_paths`);
    // one frame per location unless some are inlined.
    let mut path_frames: Vec<FrameId> = Vec::with_capacity(sample.location_id_count());
    let mut path_start: Vec<u32> = Vec::with_capacity(sample.count() + 1);
    path_start.push(0);
    let samples = &mut profile.samples;
    samples.stack.reserve(sample.count());
    samples.labels.reserve(sample.count());
    samples.values.reserve(sample.count() * n_types);
    // One sample's labels, reused: only a set not seen before is copied into `label_sets`.
    let mut set: Vec<Label> = Vec::new();
    for (i, s) in sample.iter().enumerate() {
        let number = i + 1;
        if s.value.len() != n_types {
            return Err(DecodeError::new(format!(
                "sample {number} has {} values, but the profile has {n_types} sample types",
                s.value.len()
            )));
        }
        // `location_id[0]` is the leaf: walk backwards for root first.
        for &id in s.location_id.iter().rev() {
            let Some(row) = location_rows.get(id) else {
                return Err(DecodeError::new(format!(
                    "sample {number} refers to location {id}, which the profile does not define"
                )));
            };
            path_frames.extend(frames.of(row).iter().rev());
        }
        let Ok(end) = u32::try_from(path_frames.len()) else {
            return Err(DecodeError::new(
                "the profile's stacks hold more than 4 billion frames in all",
            ));
        };
        path_start.push(end);
        set.clear();
        for l in s.label {
            let bad = |what: &str| format!("sample {number}'s label {what}");
            let key = strings
                .id(l.key, &mut profile.strings)
                .map_err(|e| e.at(bad("key")))?;
            // pprof: a string value wins; a label with neither value is dropped (encode.go).
            let value = if l.str != 0 {
                LabelValue::Str(
                    strings
                        .id(l.str, &mut profile.strings)
                        .map_err(|e| e.at(bad("value")))?,
                )
            } else if l.num != 0 || l.num_unit != 0 {
                let unit = strings
                    .id(l.num_unit, &mut profile.strings)
                    .map_err(|e| e.at(bad("unit")))?;
                LabelValue::Num { value: l.num, unit }
            } else {
                continue;
            };
            set.push(Label { key, value });
        }
        let labels = if set.is_empty() {
            0
        } else if let Some(&id) = label_sets.get(set.as_slice()) {
            id
        } else {
            let id = samples.add_label_set(set.clone());
            label_sets.insert(set.clone(), id);
            id
        };
        samples.push(None, s.value, labels);
    }
    samples.stack = profile.stacks.intern_paths(&path_frames, &path_start);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use messages::{Function, Line, Location, Sample, ValueType};

    /// A profile's tables and samples, as `messages::decode` returns them.
    struct Raw {
        profile: messages::Profile,
        sample: Vec<Sample>,
    }

    fn resolve_raw(r: Raw) -> Result<Decoded, DecodeError> {
        let mut samples = messages::Samples::default();
        for s in &r.sample {
            samples.push(s);
        }
        resolve(r.profile, samples, &mut |_| {})
    }

    /// Two samples over an inlined location (`inner` inlined into `outer`) called from `main`.
    fn raw() -> Raw {
        let strings = ["", "samples", "count", "main", "outer", "inner", "m.go"];
        let function = |id: u64, name: i64| Function {
            id,
            name,
            filename: 6,
            ..Default::default()
        };
        let sample = vec![
            Sample {
                location_id: vec![20, 10],
                value: vec![3],
                label: vec![],
            },
            Sample {
                location_id: vec![10],
                value: vec![4],
                label: vec![],
            },
        ];
        let profile = messages::Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            location: vec![
                Location {
                    id: 10,
                    line: vec![Line {
                        function_id: 1,
                        line: 5,
                        column: 0,
                    }],
                    ..Default::default()
                },
                Location {
                    id: 20,
                    address: 0x40,
                    line: vec![
                        Line {
                            function_id: 3,
                            line: 9,
                            column: 2,
                        },
                        Line {
                            function_id: 2,
                            line: 7,
                            column: 0,
                        },
                    ],
                    ..Default::default()
                },
            ],
            function: vec![function(1, 3), function(2, 4), function(3, 5)],
            string_table: strings.iter().map(|s| s.as_bytes().to_vec()).collect(),
            ..Default::default()
        };
        Raw { profile, sample }
    }

    #[test]
    fn expands_inlined_lines_leaf_first() {
        let d = resolve_raw(raw()).unwrap();
        let p = d.profile().unwrap();
        assert_eq!(p.to_text(), "# samples/count\nmain;outer;inner 3\nmain 4\n");
        let leaf = p
            .stacks
            .frames_leaf_first(p.samples.stack[0])
            .next()
            .unwrap();
        let f = p.frame(leaf);
        assert!(f.inlined);
        assert_eq!((f.line, f.column, f.location, f.address), (9, 2, 20, 0x40));
        assert_eq!(p.strings.get(f.file), "m.go");
    }

    #[test]
    fn broken_references_are_errors() {
        let mut r = raw();
        r.sample[1].location_id = vec![99];
        assert_eq!(
            resolve_raw(r).unwrap_err().message,
            "sample 2 refers to location 99, which the profile does not define"
        );
        let mut r = raw();
        r.sample[0].value.push(1);
        assert!(resolve_raw(r)
            .unwrap_err()
            .message
            .contains("sample 1 has 2 values"));
        let mut r = raw();
        r.profile.function[0].name = 70;
        assert!(resolve_raw(r)
            .unwrap_err()
            .message
            .contains("function 1's name refers to string 70"));
        let mut r = raw();
        r.profile.location[0].line[0].function_id = 8;
        assert!(resolve_raw(r)
            .unwrap_err()
            .message
            .contains("refers to function 8"));
        let mut r = raw();
        r.profile.string_table[0] = b"x".to_vec();
        assert!(resolve_raw(r)
            .unwrap_err()
            .message
            .contains("string_table[0]"));
    }
}
