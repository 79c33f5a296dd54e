//! The messages of `google/pprof proto/profile.proto` as hand-written prost structs (no protoc,
//! no build.rs). String indices stay raw `i64`s; `resolve` turns them into the model.
//! `string_table` is bytes, not `String`: producers write invalid UTF-8 and pprof accepts it.
//! Samples are not decoded into a `Vec<Sample>` (three vectors per sample: hundreds of
//! thousands of allocations, which cost more than the rest of the decoding in the worker's
//! wasm) but, one at a time through one reused `Sample`, into the flat `Samples`.

use prost::Message;

use super::super::DecodeError;

/// Decodes uncompressed profile.proto bytes: the profile's tables, and its samples in order.
/// Field 2 (`sample`) is taken out of the top-level fields as they are walked; every other
/// field is merged into `Profile` by prost, one field at a time (protobuf's merge: repeated
/// fields append, the last scalar wins), as decoding the whole message would.
pub fn decode(bytes: &[u8]) -> Result<(Profile, Samples), DecodeError> {
    let mut profile = Profile::default();
    let mut samples = Samples::default();
    let mut sample = Sample::default();
    let mut at = 0usize;
    while at < bytes.len() {
        let field = top_level_field(&bytes[at..]).ok_or_else(cut_off)?;
        let whole = &bytes[at..at + field.end];
        if field.key >> 3 == SAMPLE_FIELD {
            if field.key & 7 != LENGTH_DELIMITED {
                return Err(not_valid(format!(
                    "a sample has wire type {}, not a length-delimited message",
                    field.key & 7
                )));
            }
            sample.clear();
            sample
                .merge(&whole[field.value_start..])
                .map_err(|e| not_valid(e.to_string()))?;
            samples.push(&sample);
        } else {
            profile.merge(whole).map_err(|e| not_valid(e.to_string()))?;
        }
        at += field.end;
    }
    Ok((profile, samples))
}

/// `Profile.sample`'s field number.
const SAMPLE_FIELD: u64 = 2;
/// The wire type of strings, bytes, messages and packed repeated numbers.
const LENGTH_DELIMITED: u64 = 2;

fn cut_off() -> DecodeError {
    DecodeError::new("profile.proto data ends early: the file was cut off (truncated)")
}

fn not_valid(why: String) -> DecodeError {
    DecodeError::new(format!(
        "not a valid profile.proto (the file is damaged, or not a profile at all): {why}"
    ))
}

/// One top-level field: its key, and where its value (past a length prefix) starts and the
/// field ends, counted from the field's first byte.
struct TopLevelField {
    key: u64,
    value_start: usize,
    end: usize,
}

/// The field at the start of `b` (key, then a varint, fixed or length-prefixed value); `None`
/// if it runs past the end of `b`. Groups (wire types 3 and 4, never written by pprof
/// producers) extend to the end of `b`, where prost reads or refuses them.
fn top_level_field(b: &[u8]) -> Option<TopLevelField> {
    let (key, mut at) = varint(b)?;
    let len = match key & 7 {
        0 => varint(&b[at..])?.1,
        1 => 8,
        5 => 4,
        2 => {
            let (len, n) = varint(&b[at..])?;
            at += n;
            usize::try_from(len).ok()?
        }
        _ => b.len() - at,
    };
    let end = at.checked_add(len).filter(|&end| end <= b.len())?;
    Some(TopLevelField {
        key,
        value_start: at,
        end,
    })
}

/// A base-128 varint at the start of `b` (prost's reader) and its length; `None` if it does not
/// end in `b` or runs past ten bytes.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut rest = b;
    let v = prost::encoding::decode_varint(&mut rest).ok()?;
    Some((v, b.len() - rest.len()))
}

/// Every sample's location ids, values and labels, each kind in one vector, in file order.
#[derive(Debug, Default)]
pub struct Samples {
    location_ids: Vec<u64>,
    values: Vec<i64>,
    labels: Vec<Label>,
    /// Per sample, where its location ids, values and labels end in the vectors above.
    ends: Vec<[usize; 3]>,
}

/// One sample of `Samples`.
pub struct SampleRef<'a> {
    /// Location ids, `location_id[0]` is the leaf.
    pub location_id: &'a [u64],
    /// One value per sample type (if the producer wrote it right).
    pub value: &'a [i64],
    /// Labels.
    pub label: &'a [Label],
}

impl Samples {
    /// Appends one sample.
    pub fn push(&mut self, s: &Sample) {
        self.location_ids.extend_from_slice(&s.location_id);
        self.values.extend_from_slice(&s.value);
        self.labels.extend_from_slice(&s.label);
        self.ends.push([
            self.location_ids.len(),
            self.values.len(),
            self.labels.len(),
        ]);
    }

    /// How many samples there are.
    pub fn count(&self) -> usize {
        self.ends.len()
    }

    /// All samples' location ids together.
    pub fn location_id_count(&self) -> usize {
        self.location_ids.len()
    }

    /// The samples in file order.
    pub fn iter(&self) -> impl Iterator<Item = SampleRef<'_>> {
        let starts = std::iter::once([0; 3]).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(start, end)| SampleRef {
            location_id: &self.location_ids[start[0]..end[0]],
            value: &self.values[start[1]..end[1]],
            label: &self.labels[start[2]..end[2]],
        })
    }
}

/// `perftools.profiles.Profile`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    /// One per value column.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    // Field 2, the samples, is read into `Samples` by `decode`.
    /// Binaries and libraries.
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Program locations referenced by samples.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions referenced by locations.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// All strings; entry 0 must be empty.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    /// String index of a regexp of frames to drop.
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// String index of a regexp of frames to keep.
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Collection start, ns since the epoch.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Collection duration in ns.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// The kind of events between sampled occurrences.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// Events between sampled occurrences.
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// String indices of free-form comments.
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// String index of the preferred sample type's name.
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    /// String index of a documentation link.
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// `ValueType`: a quantity's name and unit, as string indices.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ValueType {
    /// String index of the name (`inuse_space`).
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// String index of the unit (`bytes`).
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// `Sample`: a stack (leaf first) with values and labels.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    /// Location ids, `location_id[0]` is the leaf.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// One value per sample type.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Labels.
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// `Label`: a string or numeric key/value pair.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct Label {
    /// String index of the key.
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String index of a string value.
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// A numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// String index of the numeric value's unit.
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// `Mapping`: a binary or library mapped into the address space.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Mapping {
    /// Nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// Offset in the file.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// String index of the file name.
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// String index of the build id.
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Symbolization flags.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// `Location`: an address with its (possibly inlined) lines.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    /// Nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Mapping id, 0 when unknown.
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// Instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Lines, innermost inlined function first; the last is the caller they were inlined into.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// True when several frames were folded into this one.
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// `Line`: a function and a source position.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct Line {
    /// Function id, 0 when unknown.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Source line.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Source column.
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// `Function`: names and file, as string indices.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct Function {
    /// Nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// String index of the display name.
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// String index of the mangled name.
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// String index of the source file.
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// First line of the function.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}
