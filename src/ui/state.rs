//! `AppState`: the page's signals (loaded profiles, selection, view settings, the worker's
//! latest answers) and the actions that change them. It talks to the worker through
//! `WorkerClient`; it computes nothing itself and draws nothing.

use std::sync::Arc;

use leptos::prelude::*;
use web_sys::Blob;

use crate::analysis::heap::HeapStatistics;
use crate::analysis::{CallTree, Granularity, RefineOptions, StackRow, TopTable};
use crate::layout::Orientation;

use super::worker_client::WorkerClient;
use crate::protocol::{
    DiffView, FilteredHeap, HeapFilter, HeapInfo, HeapObjectRow, ProfileSummary, Request,
    ViewRequest,
};

mod findings;
mod heap_actions;
mod heap_series;
mod object_pages;
mod retainer_tree;
mod sandwich;
mod series;
mod view_state;
mod worker_events;

pub use findings::{ChecklistAnswer, GoroutinesAnswer};
pub use heap_series::{ComparisonAnswer, ComparisonObjectsAnswer, HeapGrowthAnswer};
pub use object_pages::{ObjectPages, OBJECT_PAGE};
pub use retainer_tree::{RetainerTree, TreeLine, TreeRow};
pub use sandwich::{SandwichAnswer, SandwichKey};
pub use series::{GrowthAnswer, PageSeries};

/// Files larger than this are refused before reading: nothing bigger fits in a tab's 4 GiB of
/// WebAssembly memory. The worker applies the finer limits once it knows what a file is
/// (`session::MAX_WHOLE_FILE_BYTES` for profiles read whole, a memory estimate from a heap
/// snapshot's header).
pub const MAX_FILE_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

/// How many of the heaviest stacks the Stacks tab shows.
const STACK_LIMIT: usize = 50;

/// A file about to be added (`AppState::add_file`).
#[derive(Clone, Debug)]
pub struct NewFile {
    /// Its key in the URL and the browser's storage.
    pub key: String,
    /// The file name.
    pub name: String,
    /// A longer description (demo files), may be empty.
    pub title: String,
    /// The size in bytes.
    pub size: f64,
    /// True for the built-in demo files.
    pub demo: bool,
}

/// Where a loaded file is in its life.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadStatus {
    /// Sent to the worker, not decoded yet.
    Decoding,
    /// Decoded; the summary is what the list shows.
    Ready(Arc<ProfileSummary>),
    /// A V8 heap snapshot, decoded and analysed: DevTools' Summary and Statistics.
    Heap(Arc<HeapInfo>, Arc<ProfileSummary>),
    /// The user cancelled decoding it.
    Cancelled,
    /// Refused or not decodable; the message says why.
    Failed(String),
}

/// One entry of the loaded-profiles list.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedProfile {
    /// The page's id, also the worker's key.
    pub id: u32,
    /// A key that outlives the page: the file's name in the browser's storage and in the URL
    /// (`demo-<file>` for the demo files).
    pub key: String,
    /// The file name.
    pub name: String,
    /// A longer description (demo profiles carry one), may be empty.
    pub title: String,
    /// The file size in bytes.
    pub size: f64,
    /// Decoding, ready or failed.
    pub status: LoadStatus,
    /// The decoder's warnings.
    pub warnings: Vec<String>,
    /// True for the built-in demo files, which the user's own files replace.
    pub demo: bool,
}

impl LoadedProfile {
    /// The summary of a decoded profile.
    pub fn summary(&self) -> Option<&Arc<ProfileSummary>> {
        match &self.status {
            LoadStatus::Ready(s) | LoadStatus::Heap(_, s) => Some(s),
            _ => None,
        }
    }

    /// The Summary and Statistics of a decoded heap snapshot.
    pub fn heap(&self) -> Option<&Arc<HeapInfo>> {
        match &self.status {
            LoadStatus::Heap(s, _) => Some(s),
            _ => None,
        }
    }

    /// True when decoded (a profile or a heap snapshot), so it can be shown.
    pub fn is_ready(&self) -> bool {
        matches!(self.status, LoadStatus::Ready(_) | LoadStatus::Heap(..))
    }
}

/// The worker's dominator chain of one object: (snapshot, ordinal, chain).
pub type ChainAnswer = (u32, u32, Vec<HeapObjectRow>);

/// The worker's answer to a Summary filter: (snapshot, filter, view).
pub type FilterAnswer = (u32, HeapFilter, FilteredHeap);

/// How far the worker has got with a file (its latest `Progress` message).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadProgress {
    /// The file.
    pub id: u32,
    /// Bytes read.
    pub done: u64,
    /// The file's size.
    pub total: u64,
    /// What the worker is doing.
    pub phase: String,
}

/// The tabs of the main area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// What grew across the selected file's series.
    Growth,
    /// The goroutines of a text dump (or a series of them) by wait state and user frame.
    Goroutines,
    /// The diff of two points of the series.
    Diff,
    /// The `pprof -top` table.
    Top,
    /// The heaviest stacks.
    Stacks,
    /// The flame graph.
    Flame,
    /// One function's callers and callees.
    Sandwich,
}

/// The tabs of a heap snapshot: what grew and DevTools' Comparison (for a series), DevTools'
/// Summary and Statistics, then the heap as a profile by dominator path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeapTab {
    /// What grew across the series, by constructor.
    Growth,
    /// DevTools' Comparison against another snapshot of the series.
    Comparison,
    /// DevTools' Summary by constructor.
    Summary,
    /// DevTools' Statistics.
    Statistics,
    /// Top by dominator path.
    Top,
    /// Flame graph by dominator path.
    Flame,
}

/// What decides the views, without the sequence number: a change posts a new request.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewKey {
    id: u32,
    sample_index: usize,
    granularity: Granularity,
    refine: RefineOptions,
}

/// The files of one drop, one picker choice or the demo: the first of them to decode is
/// selected, once, and when all are decoded a series among them opens on its growth, behind
/// the Findings. Unless the user opened a view meanwhile: then the page stays where they went.
#[derive(Clone, Debug, Default)]
struct Batch {
    ids: Vec<u32>,
    done: bool,
    growth_shown: bool,
    user_moved: bool,
}

/// The page's state, shared through context. All fields are signal handles, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Every file the user (or the demo) loaded, in order.
    pub profiles: RwSignal<Vec<LoadedProfile>>,
    /// The profile the views show.
    pub selected: RwSignal<Option<u32>>,
    /// The chosen sample type; `None` means the profile's default.
    pub sample_index: RwSignal<Option<usize>>,
    /// Functions, files or lines.
    pub granularity: RwSignal<Granularity>,
    /// The applied focus/ignore/hide expressions.
    pub refine: RwSignal<RefineOptions>,
    /// The visible tab.
    pub tab: RwSignal<Tab>,
    /// The latest top table.
    pub top: RwSignal<Option<Arc<TopTable>>>,
    /// The latest table's heaviest stacks (`None` until they arrive, after the table).
    pub stacks: RwSignal<Option<Arc<Vec<StackRow>>>>,
    /// The latest call tree (the flame graph's input).
    pub tree: RwSignal<Option<Arc<CallTree>>>,
    /// True while a view request is being computed.
    pub analysing: RwSignal<bool>,
    /// The refine expressions' error, shown beside the inputs.
    pub refine_error: RwSignal<Option<String>>,
    /// Any other error of the current view.
    pub view_error: RwSignal<Option<String>>,
    /// Messages of the error banner (`bad.bin: not a profile: …`).
    pub errors: RwSignal<Vec<String>>,
    /// The worker's latest progress report on the file it is decoding.
    pub progress: RwSignal<Option<LoadProgress>>,
    /// The pages of objects held for the expanded heap class's virtualized list.
    pub heap_objects: RwSignal<Option<ObjectPages>>,
    /// The heap object whose retainers are shown: (snapshot, ordinal).
    pub heap_selected: RwSignal<Option<(u32, u32)>>,
    /// The selected object's dominator chain.
    pub dominator_chain: RwSignal<Option<Arc<ChainAnswer>>>,
    /// The latest Summary filter answer.
    pub heap_filtered: RwSignal<Option<Arc<FilterAnswer>>>,
    /// The Retainers tree of the selected heap object.
    pub retainer_tree: RwSignal<RetainerTree>,
    /// DevTools' Statistics of each heap snapshot, which arrive just after its Summary.
    pub heap_statistics: RwSignal<Vec<(u32, Arc<HeapStatistics>)>>,
    /// The user's reordering of series and the points they left out.
    pub series_edits: RwSignal<series::SeriesEdits>,
    /// The latest growth of the selected series.
    pub growth: RwSignal<Option<Arc<GrowthAnswer>>>,
    /// The diff's (base, new) when the user picked them; else the series' first and last.
    pub diff_pick: RwSignal<Option<(u32, u32)>>,
    /// Compare shares: scale the newer profile to the base's total (pprof's `-normalize`).
    pub normalize: RwSignal<bool>,
    /// The latest diff table and stacks.
    pub diff: RwSignal<Option<Arc<DiffView>>>,
    /// The latest diff flame graph.
    pub diff_tree: RwSignal<Option<Arc<CallTree>>>,
    /// The visible tab of a heap snapshot.
    pub heap_tab: RwSignal<HeapTab>,
    /// The latest growth of the selected heap series.
    pub heap_growth: RwSignal<Option<Arc<HeapGrowthAnswer>>>,
    /// The Comparison's base when the user picked it.
    pub comparison_pick: RwSignal<Option<u32>>,
    /// The latest Comparison.
    pub heap_comparison: RwSignal<Option<Arc<ComparisonAnswer>>>,
    /// The new objects of the open Comparison row.
    pub comparison_objects: RwSignal<Option<Arc<ComparisonObjectsAnswer>>>,
    /// The growth or diff view's error.
    pub series_error: RwSignal<Option<String>>,
    /// True while a growth or diff request is computing.
    pub series_busy: RwSignal<bool>,
    /// True while the main area shows the leak checklist rather than the selected file.
    pub findings_open: RwSignal<bool>,
    /// The latest leak checklist of the decoded files.
    pub checklist: RwSignal<Option<Arc<ChecklistAnswer>>>,
    /// True while the checklist is computing.
    pub checklist_busy: RwSignal<bool>,
    /// Why the checklist could not be computed.
    pub checklist_error: RwSignal<Option<String>>,
    /// The latest goroutine wait groups of the selected dump or its series.
    pub goroutines: RwSignal<Option<Arc<GoroutinesAnswer>>>,
    /// The user frame a finding pointed the goroutine view at.
    pub highlight: RwSignal<Option<String>>,
    /// The flame graph's orientation (kept across views and in the URL).
    pub flame_orientation: RwSignal<Orientation>,
    /// The flame graph's visible x-range when zoomed (fractions of the root), for the URL.
    pub flame_zoom: RwSignal<Option<(f64, f64)>>,
    /// The flame graph's search text, for the URL.
    pub flame_search: RwSignal<String>,
    /// The key of the file a URL named before it was added: selected when it comes.
    pending_file: StoredValue<Option<String>>,
    /// The function the Sandwich view shows.
    pub sandwich_name: RwSignal<Option<String>>,
    /// The latest sandwich.
    pub sandwich: RwSignal<Option<Arc<SandwichAnswer>>>,
    sandwich_seq: StoredValue<u64>,
    next_id: StoredValue<u32>,
    /// Bumped whenever the user's files replace the demo, so a demo still being fetched stops.
    demo_epoch: StoredValue<u32>,
    /// The last sequence number given to a request.
    seq: StoredValue<u64>,
    /// The sequence numbers of the latest view, growth and diff requests.
    view_seq: StoredValue<u64>,
    growth_seq: StoredValue<u64>,
    diff_seq: StoredValue<u64>,
    heap_growth_seq: StoredValue<u64>,
    comparison_seq: StoredValue<u64>,
    checklist_seq: StoredValue<u64>,
    /// The files of the last checklist request, and those the worker crashed on (not asked
    /// again by themselves).
    pending_checklist: StoredValue<Option<Vec<(u32, String)>>>,
    crashed_checklist: StoredValue<Option<Vec<(u32, String)>>>,
    goroutines_seq: StoredValue<u64>,
    pending_view: StoredValue<Option<ViewKey>>,
    crashed_view: StoredValue<Option<ViewKey>>,
    /// The last series request (growth, diff, Comparison) as text, and the one the worker
    /// crashed on, which is not sent again by itself.
    pending_series: StoredValue<Option<String>>,
    crashed_series: StoredValue<Option<String>>,
    batch: StoredValue<Batch>,
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
}

impl AppState {
    /// Fresh state, with the worker started.
    pub fn start() -> Self {
        let state = AppState {
            profiles: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            sample_index: RwSignal::new(None),
            granularity: RwSignal::new(Granularity::Functions),
            refine: RwSignal::new(RefineOptions::default()),
            tab: RwSignal::new(Tab::Top),
            top: RwSignal::new(None),
            stacks: RwSignal::new(None),
            tree: RwSignal::new(None),
            analysing: RwSignal::new(false),
            refine_error: RwSignal::new(None),
            view_error: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            progress: RwSignal::new(None),
            heap_objects: RwSignal::new(None),
            heap_selected: RwSignal::new(None),
            dominator_chain: RwSignal::new(None),
            heap_filtered: RwSignal::new(None),
            retainer_tree: RwSignal::new(RetainerTree::default()),
            heap_statistics: RwSignal::new(Vec::new()),
            series_edits: RwSignal::new(Default::default()),
            growth: RwSignal::new(None),
            diff_pick: RwSignal::new(None),
            normalize: RwSignal::new(false),
            diff: RwSignal::new(None),
            diff_tree: RwSignal::new(None),
            heap_tab: RwSignal::new(HeapTab::Summary),
            heap_growth: RwSignal::new(None),
            comparison_pick: RwSignal::new(None),
            heap_comparison: RwSignal::new(None),
            comparison_objects: RwSignal::new(None),
            series_error: RwSignal::new(None),
            series_busy: RwSignal::new(false),
            findings_open: RwSignal::new(false),
            checklist: RwSignal::new(None),
            checklist_busy: RwSignal::new(false),
            checklist_error: RwSignal::new(None),
            goroutines: RwSignal::new(None),
            highlight: RwSignal::new(None),
            flame_orientation: RwSignal::new(Orientation::default()),
            flame_zoom: RwSignal::new(None),
            flame_search: RwSignal::new(String::new()),
            pending_file: StoredValue::new(None),
            sandwich_name: RwSignal::new(None),
            sandwich: RwSignal::new(None),
            sandwich_seq: StoredValue::new(0),
            next_id: StoredValue::new(1),
            demo_epoch: StoredValue::new(0),
            seq: StoredValue::new(0),
            view_seq: StoredValue::new(0),
            growth_seq: StoredValue::new(0),
            diff_seq: StoredValue::new(0),
            heap_growth_seq: StoredValue::new(0),
            comparison_seq: StoredValue::new(0),
            checklist_seq: StoredValue::new(0),
            pending_checklist: StoredValue::new(None),
            crashed_checklist: StoredValue::new(None),
            goroutines_seq: StoredValue::new(0),
            pending_view: StoredValue::new(None),
            crashed_view: StoredValue::new(None),
            pending_series: StoredValue::new(None),
            crashed_series: StoredValue::new(None),
            batch: StoredValue::new(Batch::default()),
            client: StoredValue::new_local(None),
        };
        let client = WorkerClient::start(move |event| state.on_worker_event(event));
        state.client.set_value(Some(client));
        state
    }

    fn client(&self) -> Option<WorkerClient> {
        self.client.get_value()
    }

    /// Starts a batch of files (one drop, one picker choice, the demo): the page shows the
    /// Findings (the checklist of every file, once they are in) from now on, so that nothing
    /// moves under the user when the last file decodes; the first file that decodes becomes
    /// the selected profile, one click away.
    pub fn begin_batch(&self) {
        self.batch.set_value(Batch::default());
        self.findings_open.set(true);
    }

    /// Notes that a series request for `key` is about to be sent; false when the worker
    /// crashed on that very request (it is then not sent again until something changes).
    fn begin_series_request(&self, key: &impl std::fmt::Debug) -> bool {
        let text = format!("{key:?}");
        if self.crashed_series.get_value().as_ref() == Some(&text) {
            return false;
        }
        self.crashed_series.set_value(None);
        self.pending_series.set_value(Some(text));
        true
    }

    /// Sends a series request (growth, diff, Comparison): a new sequence number, kept in
    /// `latest` so that only its answer is taken, the busy flag up and the last error gone.
    fn post_series(&self, latest: StoredValue<u64>, request: impl FnOnce(u64) -> Request) {
        let seq = self.next_seq();
        latest.set_value(seq);
        self.series_busy.set(true);
        self.series_error.set(None);
        if let Some(client) = self.client() {
            client.post(&request(seq), None);
        }
    }

    /// A new request sequence number.
    fn next_seq(&self) -> u64 {
        let seq = self.seq.get_value() + 1;
        self.seq.set_value(seq);
        seq
    }

    /// The current demo epoch: a demo load started in an older one has been replaced.
    pub fn demo_epoch(&self) -> u32 {
        self.demo_epoch.get_value()
    }

    /// Removes the demo files: the user's own files replace them (and any still being fetched).
    pub fn drop_demo(&self) {
        self.demo_epoch.update_value(|e| *e += 1);
        let demo: Vec<u32> = self
            .profiles
            .with_untracked(|p| p.iter().filter(|e| e.demo).map(|e| e.id).collect());
        for id in demo {
            self.remove(id);
        }
    }

    /// True when the demo files are loaded (tracks).
    pub fn has_demo(&self) -> bool {
        self.profiles.with(|p| p.iter().any(|e| e.demo))
    }

    /// Adds a file to the list and sends it to the worker, or refuses it if it is too big.
    /// `key` names it in the URL and the browser's storage; `demo` marks the built-in demo
    /// files. False when it was refused.
    pub fn add_file(&self, file: NewFile, blob: Blob) -> bool {
        let NewFile {
            key,
            name,
            title,
            size,
            demo,
        } = file;
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let status = if size > MAX_FILE_BYTES {
            let message = format!(
                "too big for a browser tab ({}; the limit is {})",
                crate::model::format_value(size as i64, "bytes"),
                crate::model::format_value(MAX_FILE_BYTES as i64, "bytes")
            );
            self.errors.update(|e| e.push(format!("{name}: {message}")));
            LoadStatus::Failed(message)
        } else {
            self.batch.update_value(|b| b.ids.push(id));
            if let Some(client) = self.client() {
                client.load(id, &name, blob);
            }
            LoadStatus::Decoding
        };
        let accepted = status == LoadStatus::Decoding;
        let entry = LoadedProfile {
            id,
            key,
            name,
            title,
            size,
            status,
            warnings: Vec::new(),
            demo,
        };
        self.profiles.update(|p| p.push(entry));
        self.select_pending(id);
        accepted
    }

    /// Removes a profile from the list, the worker and the browser's storage.
    pub fn remove(&self, id: u32) {
        let kept = self.profiles.with_untracked(|p| {
            p.iter()
                .find(|e| e.id == id && !e.demo)
                .map(|e| e.key.clone())
        });
        if let Some(key) = kept {
            super::kept_files::forget(key);
        }
        self.profiles.update(|p| p.retain(|e| e.id != id));
        self.heap_statistics.update(|s| s.retain(|(i, _)| *i != id));
        if let Some(client) = self.client() {
            client.remove(id);
        }
        if self.selected.get_untracked() == Some(id) {
            let next = self
                .profiles
                .with_untracked(|p| p.iter().find(|e| e.is_ready()).map(|e| e.id));
            self.select(next);
        }
    }

    /// Shows profile `id` with its default sample type (and its views, not the Findings).
    pub fn open(&self, id: u32) {
        self.batch.update_value(|b| b.user_moved = true);
        self.findings_open.set(false);
        self.select(Some(id));
    }

    /// Shows profile `id` with its default sample type.
    pub fn select(&self, id: Option<u32>) {
        if self.selected.get_untracked() != id {
            self.sample_index.set(None);
            self.flame_zoom.set(None);
            self.selected.set(id);
        }
    }

    /// The selected profile's summary (tracks `selected` and `profiles`).
    pub fn selected_summary(&self) -> Option<Arc<ProfileSummary>> {
        let id = self.selected.get()?;
        self.profiles.with(|p| {
            p.iter()
                .find(|e| e.id == id)
                .and_then(|e| e.summary().cloned())
        })
    }

    /// The sample type the views show (tracks its inputs).
    pub fn effective_sample_index(&self) -> Option<usize> {
        let summary = self.selected_summary()?;
        let n = summary.sample_types.len();
        let index = self
            .sample_index
            .get()
            .unwrap_or(summary.default_sample_type);
        (index < n).then_some(index)
    }

    /// What the views depend on; `None` when nothing decoded is selected (tracks its inputs).
    pub fn view_key(&self) -> Option<ViewKey> {
        let id = self.selected.get()?;
        Some(ViewKey {
            id,
            sample_index: self.effective_sample_index()?,
            granularity: self.granularity.get(),
            refine: self.refine.get(),
        })
    }

    /// Forgets the shown table, stacks and call tree.
    fn clear_views(&self) {
        self.top.set(None);
        self.stacks.set(None);
        self.tree.set(None);
    }

    /// Posts a view request for `key` (or clears the views when there is none).
    pub fn request_view(&self, key: Option<ViewKey>) {
        let seq = self.next_seq();
        self.view_seq.set_value(seq);
        let Some(key) = key else {
            self.clear_views();
            self.analysing.set(false);
            return;
        };
        // After a crash while computing this very view, wait for the user to change something.
        if self.crashed_view.get_value().as_ref() == Some(&key) {
            return;
        }
        self.crashed_view.set_value(None);
        let view = self.top.get_untracked();
        if view.is_some() && self.pending_view.get_value().as_ref().map(|k| k.id) != Some(key.id) {
            // Another profile: drop the old one's views instead of showing them under its name.
            self.clear_views();
        }
        self.pending_view.set_value(Some(key.clone()));
        self.analysing.set(true);
        self.view_error.set(None);
        let request = Request::View(ViewRequest {
            seq,
            id: key.id,
            sample_index: key.sample_index,
            granularity: key.granularity,
            refine: key.refine,
            stack_limit: STACK_LIMIT,
        });
        if let Some(client) = self.client() {
            client.post(&request, None);
        }
    }

    /// Makes the worker panic (see `Request::Panic`): the browser tests' way to check recovery.
    pub fn crash_worker(&self) {
        if let Some(client) = self.client() {
            client.post(
                &Request::Panic {
                    message: "crash requested by the page".to_owned(),
                },
                None,
            );
        }
    }

    fn name_of(&self, id: u32) -> String {
        self.profiles.with_untracked(|p| {
            p.iter()
                .find(|e| e.id == id)
                .map(|e| e.name.clone())
                .unwrap_or_default()
        })
    }

    fn set_status(&self, id: u32, status: LoadStatus, warnings: Vec<String>) {
        let ended = status != LoadStatus::Decoding;
        self.profiles.update(|p| {
            if let Some(e) = p.iter_mut().find(|e| e.id == id) {
                e.status = status;
                e.warnings = warnings;
            }
        });
        if ended {
            super::kept_files::write_waiting(*self);
        }
    }

    /// True while a file is being decoded (tracks `profiles`).
    pub fn is_decoding(&self) -> bool {
        self.profiles
            .with(|p| p.iter().any(|e| e.status == LoadStatus::Decoding))
    }
}
