//! `<ProfileList/>`: the loaded profiles with kind, sample types, total, time, duration and
//! period; click selects, × removes, failures show their message. Files that form a series are
//! grouped in time order (t0, t1, …) with controls to move a point or leave it out. It only
//! formats what the worker's `ProfileSummary` says; it computes no totals itself.

use leptos::prelude::*;

use crate::model::format_value;

use crate::analysis::checklist::Verdict;
use crate::analysis::HeapSummary;

use super::kept_files;
use super::state::{AppState, LoadStatus, LoadedProfile, PageSeries};
use crate::protocol::ProfileSummary;

/// The list of loaded profiles (the sidebar): series first, each in its order, then the rest.
#[component]
pub fn ProfileList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let groups = move || {
        let series: Vec<PageSeries> = state
            .series()
            .into_iter()
            .filter(|s| s.ids.len() >= 2)
            .collect();
        let profiles = state.profiles.get();
        let find = |id: &u32| profiles.iter().find(|p| p.id == *id).cloned();
        let grouped = series
            .iter()
            .map(|s| {
                let n = s.included.len();
                let items = s
                    .ids
                    .iter()
                    .filter_map(&find)
                    .map(|p| {
                        let point = s.included.iter().position(|i| *i == p.id);
                        view! { <ProfileItem profile=p point=Some(point) /> }
                    })
                    .collect_view();
                view! {
                    <li class="series-group" data-testid="series-group" data-key=s.key.clone()>
                        <div class="series-group-title">
                            <span>{format!("{} series", s.kind)}</span>
                            <span>{format!("{n} of {} points", s.ids.len())}</span>
                        </div>
                        <ul>{items}</ul>
                    </li>
                }
            })
            .collect_view();
        let in_series = |id: u32| series.iter().any(|s| s.ids.contains(&id));
        let rest = profiles
            .iter()
            .filter(|p| !in_series(p.id))
            .cloned()
            .map(|p| view! { <ProfileItem profile=p point=None /> })
            .collect_view();
        view! { {grouped} {rest} }
    };
    view! {
        <FindingsEntry />
        <section class="profiles" aria-label="Loaded profiles">
            <div class="profiles-title">
                <h2>"Loaded profiles"</h2>
                <Show when=move || state.profiles.with(|p| p.iter().any(|e| !e.demo))>
                    <button class="link-button" data-testid="clear-all"
                        title="Remove every file of yours from the page and from this browser's storage"
                        on:click=move |_| kept_files::clear_all(state)>"Clear all"</button>
                </Show>
            </div>
            <Show when=move || state.profiles.with(|p| p.is_empty())>
                <p class="muted">"No profiles yet. Drop files anywhere on the page."</p>
            </Show>
            <ul data-testid="profile-list">{groups}</ul>
        </section>
    }
}

/// The way to the Findings (the leak checklist of every file), with how many leaks are likely.
#[component]
fn FindingsEntry() -> impl IntoView {
    let state = expect_context::<AppState>();
    let any_ready = move || {
        state
            .profiles
            .with(|p| p.iter().any(LoadedProfile::is_ready))
    };
    let count = move || {
        if state.checklist_busy.get() {
            return "checking…".to_owned();
        }
        state.checklist.with(|c| match c {
            Some(c) => {
                let likely =
                    c.1.findings
                        .iter()
                        .filter(|f| f.leak && f.verdict == Verdict::Likely)
                        .count();
                match likely {
                    0 => "no likely leak".to_owned(),
                    1 => "1 likely cause".to_owned(),
                    n => format!("{n} likely causes"),
                }
            }
            None => String::new(),
        })
    };
    view! {
        <Show when=any_ready>
            <button class="findings-entry" class:selected=move || state.findings_open.get()
                data-testid="findings-nav" on:click=move |_| state.show_findings(true)>
                <span class="findings-entry-title">"Findings"</span>
                <span class="muted" data-testid="findings-count">{count}</span>
            </button>
        </Show>
    }
}

/// One file; `point` is `Some(Some(i))` for point `i` of a series, `Some(None)` for a file
/// left out of its series, `None` outside any series.
#[component]
fn ProfileItem(profile: LoadedProfile, point: Option<Option<usize>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = profile.id;
    // The file the views show (behind the Findings while they are open).
    let current = move || state.selected.get() == Some(id);
    let selected = move || current() && !state.findings_open.get();
    let status = status_name(&profile.status);
    let size = format_value(profile.size as i64, "bytes");
    let body = match profile.status.clone() {
        LoadStatus::Decoding => view! {
            <div class="profile-progress"><span class="spinner"></span>{format!("Decoding ({size})…")}</div>
        }
        .into_any(),
        LoadStatus::Failed(message) => view! { <div class="profile-error">{message}</div> }.into_any(),
        LoadStatus::Ready(summary) => summary_view(&summary).into_any(),
        LoadStatus::Heap(info, _) => heap_view(&info.summary).into_any(),
        LoadStatus::Cancelled => view! { <div class="profile-error">"cancelled"</div> }.into_any(),
    };
    let warnings = (!profile.warnings.is_empty()).then(|| {
        let text = profile.warnings.join("\n");
        let n = profile.warnings.len();
        view! { <div class="profile-warnings" title=text>{format!("⚠ {n} warning(s)")}</div> }
    });
    let title = if profile.title.is_empty() {
        profile.name.clone()
    } else {
        profile.title.clone()
    };
    let label = point.map(|p| match p {
        Some(i) => {
            view! { <span class="point-label" data-testid="point-label">{format!("t{i}")}</span> }
                .into_any()
        }
        None => view! { <span class="point-label muted">"left out"</span> }.into_any(),
    });
    let controls = point.map(|p| {
        let name = profile.name.clone();
        view! {
            <div class="series-point">
                <button title="Earlier in the series" aria-label=format!("Move {name} earlier") data-testid="point-up" on:click=move |_| state.move_point(id, true)>"▲"</button>
                <button
                    title=if p.is_some() { "Leave this point out of the series" } else { "Take this point back into the series" }
                    data-testid="point-toggle"
                    on:click=move |_| state.toggle_point(id)
                >
                    {if p.is_some() { "✓" } else { "○" }}
                </button>
                <button title="Later in the series" aria-label=format!("Move {name} later") data-testid="point-down" on:click=move |_| state.move_point(id, false)>"▼"</button>
            </div>
        }
    });
    view! {
        <li
            class="profile-item"
            class:selected=selected
            class:failed=status == "failed"
            class:dropped=point == Some(None)
            data-testid="profile-item"
            data-name=profile.name.clone()
            data-status=status
            data-current=move || current().to_string()
        >
            {controls}
            <button
                class="profile-select"
                title=title
                disabled=status != "ready"
                on:click=move |_| state.open(id)
            >
                <span class="profile-name">{label}{profile.name.clone()}</span>
                {body}
                {warnings}
            </button>
            <button
                class="profile-remove"
                title="Remove"
                aria-label=format!("Remove {}", profile.name)
                data-testid="remove-profile"
                on:click=move |_| state.remove(id)
            >
                "×"
            </button>
        </li>
    }
}

/// The `data-status` of an entry; with the id, what decides whether it is drawn again.
fn status_name(status: &LoadStatus) -> &'static str {
    match status {
        LoadStatus::Decoding => "decoding",
        LoadStatus::Ready(_) | LoadStatus::Heap(..) => "ready",
        LoadStatus::Cancelled => "cancelled",
        LoadStatus::Failed(_) => "failed",
    }
}

fn summary_view(s: &ProfileSummary) -> impl IntoView + use<> {
    let types: Vec<String> = s.sample_types.iter().map(|t| t.name.clone()).collect();
    let total = s
        .sample_types
        .get(s.default_sample_type)
        .zip(s.totals.get(s.default_sample_type))
        .map(|(t, v)| format!("{} {}", format_value(*v, &t.unit), t.name));
    let mut facts = vec![s.kind.clone()];
    facts.extend(total);
    if let Some(t) = s.time_nanos {
        facts.push(local_time(t));
    }
    if let Some(d) = s.duration_nanos.filter(|d| *d > 0) {
        facts.push(format!("over {}", format_value(d, "nanoseconds")));
    }
    if let Some(p) = s.period_type.as_ref().filter(|_| s.period > 0) {
        facts.push(format!(
            "period {} {}",
            format_value(s.period, &p.unit),
            p.name
        ));
    }
    view! {
        <div class="profile-facts">{facts.join(" · ")}</div>
        <div class="profile-types muted">{types.join(", ")}</div>
    }
}

fn heap_view(s: &HeapSummary) -> impl IntoView + use<> {
    let facts = format!(
        "heap snapshot · {} total",
        format_value(s.total_size as i64, "bytes")
    );
    let counts = format!(
        "{} objects, {} edges, {} classes",
        s.node_count,
        s.edge_count,
        s.classes.len()
    );
    view! {
        <div class="profile-facts">{facts}</div>
        <div class="profile-types muted">{counts}</div>
    }
}

/// `time_nanos` as the browser's local date and time.
fn local_time(nanos: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(nanos as f64 / 1e6));
    String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}
