//! `<ViewControls/>`: sample type, granularity and the focus/ignore/hide inputs, plus the
//! "this sample type is empty" notice. Typing is debounced before it reaches `AppState`; the
//! regexes are checked by the worker, whose error this shows inline.

use std::time::Duration;

use leptos::prelude::*;

use crate::analysis::{Granularity, RefineOptions};

use super::state::AppState;

/// The controls above the views.
#[component]
pub fn ViewControls() -> impl IntoView {
    view! {
        <div class="controls">
            <SampleTypeSelect />
            <GranularitySwitch />
            <RefineInputs />
        </div>
        <EmptyTypeNotice />
    }
}

#[component]
fn SampleTypeSelect() -> impl IntoView {
    let state = expect_context::<AppState>();
    let options = move || {
        let summary = state.selected_summary()?;
        let current = state.effective_sample_index();
        let options: Vec<_> = summary
            .sample_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let label = if t.unit.is_empty() {
                    t.name.clone()
                } else {
                    format!("{} ({})", t.name, t.unit)
                };
                view! { <option value=i.to_string() selected=current == Some(i)>{label}</option> }
            })
            .collect();
        Some(options)
    };
    view! {
        <label class="control">
            <span>"Sample type"</span>
            <select
                data-testid="sample-type"
                on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                        state.sample_index.set(Some(i));
                    }
                }
            >
                {options}
            </select>
        </label>
    }
}

#[component]
fn GranularitySwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    let choices = [
        Granularity::Functions,
        Granularity::Files,
        Granularity::Lines,
    ];
    view! {
        <div class="control">
            <span>"Granularity"</span>
            <div class="segmented" role="group" data-testid="granularity">
                {choices
                    .into_iter()
                    .map(|g| {
                        view! {
                            <button
                                class:active=move || state.granularity.get() == g
                                aria-pressed=move || (state.granularity.get() == g).to_string()
                                data-value=g.as_str()
                                on:click=move |_| state.granularity.set(g)
                            >
                                {g.as_str()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

#[component]
fn RefineInputs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let draft = RwSignal::new(state.refine.get_untracked());
    // Expressions set elsewhere (a growth row opening its stacks) show in the inputs.
    Effect::new(move |_| {
        let applied = state.refine.get();
        if draft.get_untracked() != applied {
            draft.set(applied);
        }
    });
    let apply = move || state.refine.set(draft.get_untracked());
    // Debounce typing: each keystroke bumps the generation; only the last timer applies.
    let generation = StoredValue::new(0u64);
    let debounced = move || {
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    apply();
                }
            },
            Duration::from_millis(300),
        );
    };
    let field = move |label: &'static str,
                      placeholder: &'static str,
                      pick: fn(&mut RefineOptions) -> &mut String| {
        view! {
            <label class="control refine">
                <span>{label}</span>
                <input
                    type="text"
                    spellcheck="false"
                    placeholder=placeholder
                    data-testid=format!("refine-{}", label.to_lowercase())
                    prop:value=move || draft.with(|d| pick(&mut d.clone()).clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        draft.update(|d| *pick(d) = value);
                        debounced();
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            generation.update_value(|g| *g += 1);
                            apply();
                        }
                    }
                />
            </label>
        }
    };
    view! {
        {field("Focus", "regex: keep stacks through…", |r| &mut r.focus)}
        {field("Ignore", "regex: drop stacks through…", |r| &mut r.ignore)}
        {field("Hide", "regex: remove frames…", |r| &mut r.hide)}
        <Show when=move || state.refine_error.with(Option::is_some)>
            <div class="refine-error" role="alert" data-testid="refine-error">
                {move || state.refine_error.get()}
                " — showing the last good result."
            </div>
        </Show>
    }
}

/// When the chosen sample type sums to zero (a heap profile with nothing in use), says so and
/// offers the type with data, preferring `alloc_space`.
#[component]
fn EmptyTypeNotice() -> impl IntoView {
    let state = expect_context::<AppState>();
    let notice = move || {
        let summary = state.selected_summary()?;
        let index = state.effective_sample_index()?;
        if summary.totals.get(index).copied().unwrap_or(0) != 0 {
            return None;
        }
        let name = summary.sample_types[index].name.clone();
        let has_data = |i: &usize| summary.totals.get(*i).is_some_and(|v| *v != 0);
        let better = summary
            .sample_types
            .iter()
            .position(|t| t.name == "alloc_space")
            .filter(has_data)
            .or_else(|| (0..summary.sample_types.len()).find(has_data));
        let button = better.map(|i| {
            let other = summary.sample_types[i].name.clone();
            view! {
                <button class="button" data-testid="switch-sample-type" on:click=move |_| state.sample_index.set(Some(i))>
                    {format!("Show {other}")}
                </button>
            }
        });
        Some(view! {
            <div class="notice" data-testid="empty-type-notice">
                {format!("This profile has no {name}: its total is 0.")}
                {button}
            </div>
        })
    };
    view! { {notice} }
}
