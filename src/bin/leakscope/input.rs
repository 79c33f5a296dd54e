//! Reading files for the command-line tool: decoding pprof profiles, goroutine dumps and heap
//! snapshots through `formats::Decoder` as they are read, with warnings on stderr, pprof's sample-type choice, the view flags `top`, `diff` and `growth`
//! share, and the error type printed as `leakscope: message`. No analysis of its own.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clap::Args;
use flate2::read::MultiGzDecoder;
use leakscope::analysis::heap::{
    heap_analysis, heap_profile, HeapAnalysis, HeapProfileOptions, HeapSummaryOptions,
};
use leakscope::analysis::{Granularity, RefineOptions};
use leakscope::formats::{gzip_error, is_heap_snapshot, split_numbers, Content, Decoder, Split};
use leakscope::model::{HeapGraph, Profile};

/// An error for the user: printed as `leakscope: message`, exit code 1.
pub struct Failure(pub String);

/// What a report shows of a profile: the flags `top`, `diff` and `growth` share.
#[derive(Args)]
pub struct ViewArgs {
    /// Sample type to report, by name (`alloc_space`) or index; default: the profile's own.
    #[arg(long, value_name = "NAME")]
    pub sample_index: Option<String>,
    /// How frames are merged into rows.
    #[arg(long, default_value = "functions", value_parser = parse_granularity)]
    pub granularity: Granularity,
    /// Keep only samples with a frame matching this regex.
    #[arg(long, value_name = "RE", default_value = "")]
    pub focus: String,
    /// Drop samples with a frame matching this regex.
    #[arg(long, value_name = "RE", default_value = "")]
    pub ignore: String,
    /// Remove frames matching this regex from stacks.
    #[arg(long, value_name = "RE", default_value = "")]
    pub hide: String,
}

/// How a table of report nodes is printed: pprof's trimming flags and JSON.
#[derive(Args)]
pub struct TextArgs {
    /// Show at most N rows (0: all).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub nodecount: usize,
    /// Drop rows whose |cum| is below this fraction of the total (text only, as pprof).
    #[arg(long, value_name = "F", default_value_t = 0.005)]
    pub nodefraction: f64,
    /// Ignore caller edges below this fraction of the total for `(inline)` marks (as pprof).
    #[arg(long, value_name = "F", default_value_t = 0.001)]
    pub edgefraction: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

impl ViewArgs {
    /// The focus, ignore and hide expressions.
    pub fn refine(&self) -> RefineOptions {
        RefineOptions {
            focus: self.focus.clone(),
            ignore: self.ignore.clone(),
            hide: self.hide.clone(),
        }
    }
}

fn parse_granularity(s: &str) -> Result<Granularity, String> {
    s.parse()
}

/// How much of a file is read to tell its format (gzipped heap snapshots are inflated from it).
const HEAD_BYTES: usize = 64 << 10;

/// Bytes read from the file, or inflated, per chunk pushed into the decoder.
const CHUNK_BYTES: usize = 1 << 20;

/// A file opened for reading: its first bytes, which tell its format, and the rest to come.
/// Every file goes through `formats::Decoder` as it is read: heap snapshots stream through it,
/// so the CLI never holds a snapshot's text and its graph at once; other formats are gathered
/// whole, as they decode from one buffer.
pub struct Opened {
    path: PathBuf,
    head: Vec<u8>,
    file: File,
    size: u64,
}

impl Opened {
    /// Opens `path` and reads its first bytes.
    pub fn new(path: &Path) -> Result<Opened, Failure> {
        let failed = |e: std::io::Error| Failure(format!("{}: {e}", path.display()));
        let mut file = File::open(path).map_err(failed)?;
        let size = file.metadata().map_err(failed)?.len();
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut file)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(failed)?;
        Ok(Opened {
            path: path.to_owned(),
            head,
            file,
            size,
        })
    }

    /// True for a V8 heap snapshot (plain or gzipped).
    pub fn is_heap_snapshot(&self) -> bool {
        is_heap_snapshot(&self.head)
    }

    /// Decodes the file as it is read (on a thread of its own, `read_ahead`), printing its
    /// warnings. A gzipped heap snapshot is inflated on that thread too, beside the decoding.
    pub fn decode(self) -> Result<Content, Failure> {
        let name = self.path.display().to_string();
        let failed = |e: String| Failure(format!("{name}: {e}"));
        let heap = self.is_heap_snapshot();
        let gzip_heap = heap && self.head.starts_with(&[0x1f, 0x8b]);
        let size = self.size;
        let input = std::io::Cursor::new(self.head).chain(self.file);
        let mut decoder = match gzip_heap {
            true => Decoder::inflated(size),
            false => Decoder::with_size_hint(size),
        };
        for chunk in read_ahead(input, gzip_heap, heap) {
            let chunk = chunk.map_err(failed)?;
            let pushed = match &chunk.numbers {
                Some((at, numbers)) if decoder.takes_numbers() => {
                    decoder.push_split(&Split::of(&chunk.bytes, *at, numbers))
                }
                _ => decoder.push(&chunk.bytes),
            };
            pushed.map_err(|e| failed(e.to_string()))?;
        }
        let decoded = decoder.finish().map_err(|e| failed(e.to_string()))?;
        for w in &decoded.warnings {
            eprintln!("leakscope: {name}: warning: {w}");
        }
        Ok(decoded.content)
    }

    /// Decodes a heap snapshot as it is read, then runs DevTools' analysis on it; anything
    /// else is an error.
    pub fn analyse_heap(self) -> Result<(HeapGraph, HeapAnalysis), Failure> {
        let name = self.path.display().to_string();
        let g = self
            .decode()?
            .into_heap()
            .map_err(|e| Failure(format!("{name}: {e}")))?;
        Ok(analysed(g))
    }

    /// A pprof profile or goroutine dump, or a heap snapshot as a profile by dominator path.
    pub fn profile(self) -> Result<Profile, Failure> {
        Ok(match self.decode()? {
            Content::Profile(p) => p,
            Content::Heap(g) => {
                let (g, a) = analysed(g);
                heap_profile(&g, &a, &HeapProfileOptions::default())
            }
        })
    }
}

/// A heap snapshot's graph with DevTools' analysis of it.
pub fn analysed(g: HeapGraph) -> (HeapGraph, HeapAnalysis) {
    let a = heap_analysis(&g, &HeapSummaryOptions::default());
    (g, a)
}

/// A chunk of a file read ahead: its bytes, and the numbers `split_numbers` found in them
/// (with where it split them) when the reading thread parsed them.
struct Chunk {
    bytes: Vec<u8>,
    numbers: Option<((usize, usize), Vec<u32>)>,
}

/// The chunks of `input` (inflated when `gzip`), read on a thread of its own a few chunks
/// ahead. With `numbers` (a heap snapshot), while the decoder has a chunk waiting, that thread
/// also parses the next one's numbers (`split_numbers`), so the two cores share the parsing of
/// the number arrays.
fn read_ahead(
    input: impl Read + Send + 'static,
    gzip: bool,
    numbers: bool,
) -> impl Iterator<Item = Result<Chunk, String>> {
    let (send, receive) = std::sync::mpsc::sync_channel(4);
    // Chunks sent and not yet taken. It only steers when to parse ahead (the decoder's result
    // is the same either way), so relaxed ordering is enough.
    let queued = Arc::new(AtomicUsize::new(0));
    let taken = Arc::clone(&queued);
    std::thread::spawn(move || {
        let mut input: Box<dyn Read> = match gzip {
            true => Box::new(MultiGzDecoder::new(input)),
            false => Box::new(input),
        };
        while let Some(chunk) = next_chunk(&mut input) {
            let chunk = chunk.map_err(|e| match gzip {
                true => gzip_error(&e).to_string(),
                false => e.to_string(),
            });
            let chunk = chunk.map(|bytes| {
                let mut parsed = Vec::new();
                let split = match numbers && queued.load(Ordering::Relaxed) > 0 {
                    true => split_numbers(&bytes, &mut parsed),
                    false => None,
                };
                Chunk {
                    numbers: split.map(|at| (at, parsed)),
                    bytes,
                }
            });
            let failed = chunk.is_err();
            queued.fetch_add(1, Ordering::Relaxed);
            if send.send(chunk).is_err() || failed {
                return; // The decoder stopped, or this is the end.
            }
        }
    });
    receive.into_iter().inspect(move |_| {
        taken.fetch_sub(1, Ordering::Relaxed);
    })
}

/// Up to `CHUNK_BYTES` of `input`; `None` at its end.
fn next_chunk(input: &mut impl Read) -> Option<std::io::Result<Vec<u8>>> {
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let mut n = 0;
    while n < chunk.len() {
        match input.read(&mut chunk[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Some(Err(e)),
        }
    }
    chunk.truncate(n);
    (n > 0).then_some(Ok(chunk))
}

/// A pprof profile, or a heap snapshot as a profile by dominator path.
pub fn load(path: &Path) -> Result<Profile, Failure> {
    Opened::new(path)?.profile()
}

/// `load` of every file, in order.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Profile>, Failure> {
    paths.iter().map(|p| load(p)).collect()
}

/// The files' names joined as pprof's `File:` line shows several sources.
pub fn label(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// pprof's `SampleIndexByName`: empty = default type, a number, a name, or a name with a
/// legacy `inuse_` prefix.
pub fn sample_index(profile: &Profile, wanted: Option<&str>) -> Result<usize, String> {
    if profile.sample_types.is_empty() {
        return Err("profile has no sample types".to_owned());
    }
    let Some(wanted) = wanted else {
        return Ok(profile.default_sample_type);
    };
    let names: Vec<&str> = profile
        .sample_types
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    if let Ok(i) = wanted.parse::<i64>() {
        return usize::try_from(i)
            .ok()
            .filter(|&i| i < names.len())
            .ok_or_else(|| {
                format!(
                    "sample index {wanted} is outside the range [0..{}]",
                    names.len() - 1
                )
            });
    }
    let no_inuse = wanted.strip_prefix("inuse_").unwrap_or(wanted);
    names
        .iter()
        .position(|&n| n == wanted || n == no_inuse)
        .ok_or_else(|| {
            format!(
                "sample index {wanted:?} must be one of: {}",
                names.join(", ")
            )
        })
}

/// pprof's header lines for a report of `profile`: `File:`, the producer's comments, `Type:`
/// and `Time:`.
pub fn pprof_header(label: &str, profile: &Profile, type_name: &str) -> Vec<String> {
    let mut header = vec![format!("File: {label}")];
    header.extend(
        profile
            .meta
            .comments
            .iter()
            .filter(|c| !c.starts_with('#'))
            .cloned(),
    );
    if !type_name.is_empty() {
        header.push(format!("Type: {type_name}"));
    }
    if let Some(t) = profile.meta.time_nanos.filter(|&t| t != 0) {
        header.push(format!("Time: {}", leakscope::analysis::pprof_time(t)));
    }
    header
}
