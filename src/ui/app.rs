//! `<App/>`: the page frame. It creates `AppState`, starts the demo, posts a view request
//! whenever the selected profile or a view setting changes, and lays out the sidebar, the
//! controls, the tabs and the banners. The views themselves live in their own files.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::format_value;

use super::demo::load_demo;
use super::diff_view::DiffView;
use super::file_drop::FileDrop;
use super::file_picker::FilePicker;
use super::findings::FindingsView;
use super::flame_graph::FlameGraph;
use super::goroutines_view::GoroutinesView;
use super::growth_view::GrowthView;
use super::heap_details::{HeapStatisticsView, Retainers};
use super::heap_series::{HeapComparisonView, HeapGrowthView};
use super::heap_summary::HeapSummaryView;
use super::kept_files;
use super::profile_list::ProfileList;
use super::sandwich_view::SandwichView;
use super::state::{AppState, HeapTab, LoadStatus, Tab};
use super::top_stacks::TopStacks;
use super::top_table::TopTable;
use super::view_controls::ViewControls;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::start();
    provide_context(state);
    // A memo, so that list changes that leave the view's inputs alone post nothing.
    let key = Memo::new(move |_| state.view_key());
    Effect::new(move |_| state.request_view(key.get()));
    // The checklist reads every decoded file, once the files being decoded are in.
    let checklist_key = Memo::new(move |_| state.checklist_key());
    // Posted a task later than the view effects post theirs: the worker answers in order, and
    // the selected file's view posted behind the checklist would wait for all of it (a user who
    // clicks a file as soon as it is listed wants its table; the Findings say "checking…").
    Effect::new(move |_| {
        let files = checklist_key.get();
        set_timeout(
            move || state.request_checklist(files),
            std::time::Duration::ZERO,
        );
    });
    // The series views ask only while they are shown.
    let shown = move |tab: Tab| !state.findings_open.get() && state.tab.get() == tab;
    let growth_key = Memo::new(move |_| shown(Tab::Growth).then(|| state.growth_key()).flatten());
    Effect::new(move |_| {
        if let Some(key) = growth_key.get() {
            state.request_growth(Some(key));
        }
    });
    let diff_key = Memo::new(move |_| shown(Tab::Diff).then(|| state.diff_key()).flatten());
    Effect::new(move |_| {
        if let Some(key) = diff_key.get() {
            state.request_diff(Some(key));
        }
    });
    let goroutines_key = Memo::new(move |_| {
        shown(Tab::Goroutines)
            .then(|| state.goroutines_key())
            .flatten()
    });
    Effect::new(move |_| {
        if let Some(ids) = goroutines_key.get() {
            state.request_goroutines(ids);
        }
    });
    // A file of a series opens on what grew; a single file cannot show growth or a diff, and
    // only a dump with wait states has goroutine groups.
    Effect::new(move |_| {
        // Not before every file is decoded: until then a series may look like a single file.
        if state.is_decoding() {
            return;
        }
        let series = state.selected_series().is_some_and(|s| !s.heap);
        let dump = state.selected_is_dump();
        match state.tab.get_untracked() {
            Tab::Growth | Tab::Diff if !series => state.tab.set(Tab::Top),
            Tab::Goroutines if !dump => state.tab.set(Tab::Top),
            _ => {}
        }
    });
    kept_files::open_page(state);
    let crash =
        window_event_listener_untyped("leakscope:crash-worker", move |_| state.crash_worker());
    on_cleanup(move || crash.remove());
    view! {
        <FileDrop>
            <header class="topbar">
                <div class="brand">
                    <span class="logo">"leakscope"</span>
                    <span class="tagline">"Why does my service's memory keep growing? Go profiles and V8 heap snapshots, analysed in your browser."</span>
                </div>
                <div class="topbar-actions">
                    <span class="muted drop-hint">"or drop files anywhere"</span>
                    <Show when=move || !state.has_demo()>
                        <button class="button" data-testid="load-demo" title="Load the demo profiles of a leaky Gin service" on:click=move |_| load_demo(state)>"Demo"</button>
                    </Show>
                    <FilePicker />
                </div>
            </header>
            <ErrorBanner />
            <DecodeProgress />
            <div class="layout">
                <aside class="sidebar">
                    <ProfileList />
                </aside>
                <main class="main">
                    <Show when=move || state.findings_open.get()>
                        <FindingsView />
                    </Show>
                    <Show when=move || !state.findings_open.get()>
                        <FileMain />
                    </Show>
                </main>
            </div>
        </FileDrop>
    }
}

/// The main area for the selected file: a heap snapshot's views, a profile's, or the
/// invitation to drop files.
#[component]
fn FileMain() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
                    <Show when=move || state.selected_heap().is_some()>
                        <HeapMain />
                    </Show>
                    <Show when=move || state.selected_summary().is_some() && state.selected_heap().is_none() fallback=move || view! { <Show when=move || state.selected_heap().is_none()><EmptyMain /></Show> }>
                        <ViewHeader />
                        <ViewControls />
                        <Tabs />
                        <Show when=move || state.view_error.with(Option::is_some)>
                            <div class="banner error" role="alert" data-testid="view-error">{move || state.view_error.get()}</div>
                        </Show>
                        <div class="tab-body" role="tabpanel">
                            {move || match state.tab.get() {
                                Tab::Growth => view! { <GrowthView /> }.into_any(),
                                Tab::Goroutines => view! { <GoroutinesView /> }.into_any(),
                                Tab::Diff => view! { <DiffView /> }.into_any(),
                                Tab::Top => view! { <TopTable view=state.top /> }.into_any(),
                                Tab::Stacks => view! { <TopStacks top=state.top stacks=state.stacks /> }.into_any(),
                                Tab::Flame => view! { <FlameGraph tree=state.tree in_url=true /> }.into_any(),
                                Tab::Sandwich => view! { <SandwichView /> }.into_any(),
                            }}
                        </div>
                    </Show>
    }
}

/// The main area for a heap snapshot: its title and DevTools' Summary.
#[component]
fn HeapMain() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Only a new snapshot (id) or a new Summary draws the view again, not list changes.
    let heap = Memo::new(move |_| state.selected.get().zip(state.selected_heap()));
    let (current, set_current) = (state.heap_tab, state.heap_tab);
    let in_series = move || state.selected_series().is_some_and(|s| s.heap);
    // The series views ask only while they are shown.
    let growth_key = Memo::new(move |_| state.heap_growth_key());
    Effect::new(move |_| {
        if let Some(key) = growth_key.get() {
            state.request_heap_growth(key);
        }
    });
    let comparison_key = Memo::new(move |_| state.comparison_key());
    Effect::new(move |_| {
        if let Some(key) = comparison_key.get() {
            state.request_comparison(key);
        }
    });
    // A snapshot outside any series has no Growth or Comparison.
    Effect::new(move |_| {
        let series = in_series();
        if !series
            && matches!(
                current.get_untracked(),
                HeapTab::Growth | HeapTab::Comparison
            )
        {
            set_current.set(HeapTab::Summary);
        }
    });
    let tab = move |label: &'static str, testid: &'static str, value: HeapTab| {
        view! {
            <button
                role="tab"
                class="tab"
                class:active=move || current.get() == value
                aria-selected=move || (current.get() == value).to_string()
                tabindex=move || if current.get() == value { "0" } else { "-1" }
                data-testid=testid
                on:click=move |_| set_current.set(value)
            >
                {label}
            </button>
        }
    };
    let body = move || {
        let (id, info) = heap.get()?;
        Some(match current.get() {
            HeapTab::Growth => view! { <HeapGrowthView /> }.into_any(),
            HeapTab::Comparison => view! { <HeapComparisonView /> }.into_any(),
            HeapTab::Summary => {
                let summary = Arc::new(info.summary.clone());
                view! { <HeapSummaryView id summary /> <Retainers id /> }.into_any()
            }
            HeapTab::Statistics => {
                let statistics = move || {
                    state
                        .heap_statistics
                        .with(|s| s.iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone()))
                };
                view! {
                    {move || match statistics() {
                        Some(s) => view! { <HeapStatisticsView statistics=(*s).clone() /> }.into_any(),
                        None => view! { <p class="muted" data-testid="statistics-pending">"Computing statistics…"</p> }.into_any(),
                    }}
                }
                .into_any()
            }
            HeapTab::Top => view! { <ViewControls /> <TopTable view=state.top /> }.into_any(),
            HeapTab::Flame => {
                view! { <ViewControls /> <FlameGraph tree=state.tree in_url=true /> }.into_any()
            }
        })
    };
    // How long the worker took, phase by phase (the title lists them; benchmarks read the
    // data attribute).
    let load_time = move || {
        let (_, info) = heap.get()?;
        let total: f64 = info.timings.iter().map(|t| t.ms).sum();
        let phases: Vec<String> = info
            .timings
            .iter()
            .map(|t| format!("{}: {:.0} ms", t.phase, t.ms))
            .collect();
        let json = serde_json::to_string(&info.timings).unwrap_or_default();
        Some(view! {
            <span class="muted load-time" data-testid="heap-load-time" data-timings=json title=phases.join("\n")>
                {format!("loaded in {:.1} s", total / 1000.0)}
            </span>
        })
    };
    view! {
        <ViewHeader />
        <nav class="tabs" role="tablist" aria-label="Heap snapshot views" on:keydown=tablist_keys>
            {move || in_series().then(|| view! {
                {tab("Growth", "tab-heap-growth", HeapTab::Growth)}
                {tab("Comparison", "tab-heap-comparison", HeapTab::Comparison)}
            })}
            {tab("Summary", "tab-summary", HeapTab::Summary)}
            {tab("Statistics", "tab-statistics", HeapTab::Statistics)}
            {tab("Top (dominator paths)", "tab-heap-top", HeapTab::Top)}
            {tab("Flame graph", "tab-heap-flame", HeapTab::Flame)}
            {load_time}
        </nav>
        <div class="tab-body" role="tabpanel">{body}</div>
    }
}

/// Keyboard use of a tab list (the WAI-ARIA tabs pattern): the arrow keys, Home and End move
/// to another tab and show it. Only the shown tab is in the Tab order (`tabindex`).
fn tablist_keys(ev: web_sys::KeyboardEvent) {
    let Some(list) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Ok(tabs) = list.query_selector_all("[role=tab]") else {
        return;
    };
    let tabs: Vec<web_sys::HtmlElement> = (0..tabs.length())
        .filter_map(|i| tabs.item(i)?.dyn_into().ok())
        .collect();
    let target = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let Some(at) = tabs.iter().position(|t| {
        target
            .as_ref()
            .is_some_and(|e| e == t.as_ref() as &web_sys::Element)
    }) else {
        return;
    };
    let last = tabs.len() - 1;
    let next = match ev.key().as_str() {
        "ArrowRight" => {
            if at == last {
                0
            } else {
                at + 1
            }
        }
        "ArrowLeft" => {
            if at == 0 {
                last
            } else {
                at - 1
            }
        }
        "Home" => 0,
        "End" => last,
        _ => return,
    };
    ev.prevent_default();
    let _ = tabs[next].focus();
    tabs[next].click();
}

#[component]
fn EmptyMain() -> impl IntoView {
    view! {
        <div class="empty">
            <h2>"Drop Go profiles or V8 heap snapshots here"</h2>
            <p>"heap, allocs, goroutine, CPU, mutex and block profiles: .pb.gz, .pprof, raw protobuf, or goroutine text dumps (debug=1 and debug=2)."</p>
            <p>"V8 heap snapshots from Chrome DevTools or Node (.heapsnapshot, also gzipped): Summary by constructor, retainers, statistics."</p>
            <p class="muted">"Nothing leaves your machine: files are decoded and analysed in this tab."</p>
            <FilePicker />
        </div>
    }
}

#[component]
fn ViewHeader() -> impl IntoView {
    let state = expect_context::<AppState>();
    let name = move || {
        let id = state.selected.get()?;
        state
            .profiles
            .with(|p| p.iter().find(|e| e.id == id).map(|e| e.name.clone()))
    };
    let kind = move || match state.selected_heap() {
        Some(_) => Some("V8 heap snapshot · Summary by constructor".to_owned()),
        None => state
            .selected_summary()
            .map(|s| format!("{} profile · {}", s.kind, s.format)),
    };
    view! {
        <div class="view-header">
            <h1 data-testid="view-title">{name}</h1>
            <span class="muted">{kind}</span>
            <Show when=move || state.analysing.get()>
                <span class="analysing" data-testid="analysing"><span class="spinner"></span>"Analysing…"</span>
            </Show>
        </div>
    }
}

#[component]
fn Tabs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let tab = move |label: &'static str, value: Tab| {
        view! {
            <button
                role="tab"
                class="tab"
                class:active=move || state.tab.get() == value
                aria-selected=move || (state.tab.get() == value).to_string()
                tabindex=move || if state.tab.get() == value { "0" } else { "-1" }
                data-testid=format!("tab-{}", label.split(' ').next().unwrap_or(label).to_lowercase())
                on:click=move |_| state.tab.set(value)
            >
                {label}
            </button>
        }
    };
    let series_tabs = move || {
        state.selected_series().filter(|s| !s.heap).map(|s| {
            let n = s.included.len();
            view! {
                {tab("Growth", Tab::Growth)}
                {tab("Diff", Tab::Diff)}
                <span class="muted tab-note" data-testid="series-size">{format!("series of {n}")}</span>
            }
        })
    };
    let dump_tab = move || {
        state
            .selected_is_dump()
            .then(|| tab("Goroutines", Tab::Goroutines))
    };
    view! {
        <nav class="tabs" role="tablist" aria-label="Profile views" on:keydown=tablist_keys>
            {series_tabs}
            {dump_tab}
            {tab("Top", Tab::Top)}
            {tab("Stacks", Tab::Stacks)}
            {tab("Flame graph", Tab::Flame)}
            {tab("Sandwich", Tab::Sandwich)}
        </nav>
    }
}

/// Errors of files and of the worker, each dismissable.
#[component]
fn ErrorBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let items = move || {
        state
            .errors
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, message)| {
                view! {
                    <li>
                        <span data-testid="error-message">{message}</span>
                        <button class="close" aria-label="Dismiss" on:click=move |_| state.errors.update(|e| { if i < e.len() { e.remove(i); } })>"×"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || state.errors.with(|e| !e.is_empty())>
            <div class="banner error" role="alert" data-testid="error-banner">
                <ul>{items}</ul>
            </div>
        </Show>
    }
}

/// "Decoding heap.pb.gz (12 MB)…" while the worker decodes; for a heap snapshot a progress bar
/// (bytes read, then each analysis phase by name). Cancel restarts the worker.
#[component]
fn DecodeProgress() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = move || {
        let progress = state.progress.get();
        state.profiles.with(|p| {
            let mut decoding = p.iter().filter(|e| e.status == LoadStatus::Decoding);
            let first = decoding.next()?;
            let rest = decoding.count();
            let more = if rest > 0 {
                format!(" (+{rest} more)")
            } else {
                String::new()
            };
            let current = progress
                .as_ref()
                .and_then(|g| p.iter().find(|e| e.id == g.id).map(|e| (g, e)));
            Some(match current {
                Some((g, e)) if g.phase == "reading" => format!(
                    "Decoding {}: read {} of {}…{more}",
                    e.name,
                    format_value(g.done as i64, "bytes"),
                    format_value(g.total as i64, "bytes")
                ),
                Some((g, e)) => format!("Analysing {}: {}…{more}", e.name, g.phase),
                None => format!(
                    "Decoding {} ({})…{more}",
                    first.name,
                    format_value(first.size as i64, "bytes")
                ),
            })
        })
    };
    let bar = move || {
        state.progress.get().map(|g| {
            let max = g.total.max(1) as f64;
            view! { <progress data-testid="decode-bar" max=max value=g.done as f64></progress> }
        })
    };
    view! {
        <Show when=move || text().is_some()>
            <div class="progress" data-testid="decode-progress">
                <span class="spinner"></span>
                <span data-testid="decode-text">{text}</span>
                {bar}
                <button class="button cancel" data-testid="cancel-decoding" on:click=move |_| state.cancel_decoding()>"Cancel"</button>
            </div>
        </Show>
    }
}
