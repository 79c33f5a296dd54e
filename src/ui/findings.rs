//! `<FindingsView/>`: the leak checklist of every loaded file, the page's first answer. One
//! card per cause (likely first): the verdict, the evidence (each piece a link that opens the
//! view showing it), the fix with an example; then what to capture next, and the report as a
//! Markdown or JSON download. It formats the worker's `Checklist`; it decides nothing.

use leptos::prelude::*;

use crate::analysis::checklist::{markdown, Advice, Evidence, Finding, Verdict, View};

use super::state::{AppState, LoadStatus};

/// The checklist view.
#[component]
pub fn FindingsView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let status = move || {
        if let Some(error) = state.checklist_error.get() {
            return Some(view! { <div class="banner error" role="alert" data-testid="findings-error">{error}</div> }.into_any());
        }
        let decoding = state.profiles.with(|p| {
            p.iter()
                .filter(|e| e.status == LoadStatus::Decoding)
                .count()
        });
        let text = match decoding {
            0 if state.checklist_busy.get() => "Checking for known leak causes…".to_string(),
            0 => return None,
            1 => "Reading 1 file; the checklist follows once it is in…".to_string(),
            n => format!("Reading {n} files; the checklist follows once they are in…"),
        };
        Some(view! { <span class="analysing" data-testid="findings-busy"><span class="spinner"></span>{text}</span> }.into_any())
    };
    let body = move || {
        let answer = state.checklist.get()?;
        let checklist = &answer.1;
        let likely: Vec<&Finding> = checklist
            .findings
            .iter()
            .filter(|f| f.verdict == Verdict::Likely && f.leak)
            .collect();
        let headline = match likely.as_slice() {
            [] => format!("No leak is likely in these {} files.", answer.0.len()),
            [one] => format!(
                "One likely cause: {} {}.",
                one.cause,
                one.title_in_sentence()
            ),
            many => format!("{} likely causes, most telling first.", many.len()),
        };
        let cards = checklist
            .findings
            .iter()
            .map(|f| finding_card(f.clone()))
            .collect_view();
        let advice = (!checklist.capture_next.is_empty())
            .then(|| capture_next(checklist.capture_next.clone()));
        Some(view! {
            <p class="findings-headline" data-testid="findings-headline" class:leak=!likely.is_empty()>{headline}</p>
            <div class="findings" data-testid="findings-list">{cards}</div>
            {advice}
        })
    };
    view! {
        <div class="view-header">
            <h1 data-testid="view-title">"Findings"</h1>
            <span class="muted">"Known causes of memory growth, checked against every loaded file"</span>
            {status}
            <div class="findings-export">
                <button class="button" data-testid="export-markdown" disabled=move || state.checklist.with(Option::is_none)
                    on:click=move |_| export(state, false)>"Export Markdown"</button>
                <button class="button" data-testid="export-json" disabled=move || state.checklist.with(Option::is_none)
                    on:click=move |_| export(state, true)>"Export JSON"</button>
            </div>
        </div>
        <div class="tab-body">{body}</div>
    }
}

/// One cause: verdict, title, evidence and fix. Causes the files do not show stay folded.
fn finding_card(f: Finding) -> impl IntoView {
    let verdict = f.verdict.label();
    let verdict_attr = verdict.clone();
    let class = match &f.verdict {
        Verdict::Likely if f.leak => "likely",
        Verdict::Likely => "churn",
        Verdict::Possible => "possible",
        Verdict::NotSeen => "not-seen",
        Verdict::Needs(_) => "needs",
    };
    let open = matches!(f.verdict, Verdict::Likely | Verdict::Possible);
    let evidence = f.evidence.iter().cloned().map(evidence_item).collect_view();
    let example = (!f.fix.example.is_empty())
        .then(|| view! { <pre class="fix-example">{f.fix.example.clone()}</pre> });
    let note = match &f.verdict {
        Verdict::NotSeen => Some("Nothing in these files shows it.".to_owned()),
        Verdict::Needs(kind) => Some(format!("These files cannot show it: it needs a {kind}.")),
        _ => None,
    };
    let churn_note = (!f.leak && f.verdict == Verdict::Likely)
        .then(|| view! { <p class="muted">"Churn wastes CPU and GC time but leaks nothing."</p> });
    view! {
        <details class=format!("finding {class}") open=open data-testid="finding" data-cause=f.cause.clone() data-verdict=verdict_attr>
            <summary>
                <span class=format!("verdict-badge {class}")>{verdict}</span>
                <span class="finding-id">{f.cause.clone()}</span>
                <span class="finding-title">{f.title.clone()}</span>
            </summary>
            {churn_note}
            {note.map(|n| view! { <p class="muted">{n}</p> })}
            <ul class="evidence">{evidence}</ul>
            <div class="fix">
                <strong>"Fix: "</strong>{f.fix.text.clone()}
                {example}
            </div>
        </details>
    }
}

/// One piece of evidence; its link opens the view that shows it.
fn evidence_item(e: Evidence) -> impl IntoView {
    let state = expect_context::<AppState>();
    let frames = (!e.runtime_frames.is_empty()).then(|| {
        let text = e.runtime_frames.join(", ");
        view! { <div class="runtime-frames muted" title="The runtime frames that prove the pattern"><span class="fn-name">{text}</span></div> }
    });
    let frame = e.frame.clone();
    let link = e.link.clone().map(|link| {
        let label = match link.view {
            View::Growth if link.files.len() >= 2 => "show growth",
            View::Growth | View::Flame => "show flame graph",
            View::Top => "show table",
            View::Goroutines => "show goroutines",
            View::Retainers => "show retainers",
        };
        view! {
            <button class="link-button" data-testid="evidence-link" data-view=format!("{:?}", link.view).to_lowercase()
                on:click=move |_| state.follow(&link, frame.as_deref())>{label}" →"</button>
        }
    });
    view! {
        <li data-testid="evidence">
            <span class="evidence-text">{e.text.clone()}</span>
            " "{link}
            {frames}
        </li>
    }
}

/// What to capture next, each with the exact command or steps.
fn capture_next(advice: Vec<Advice>) -> impl IntoView {
    let items = advice
        .into_iter()
        .map(|a| view! { <li><p>{a.why}</p><pre class="capture-how">{a.how}</pre></li> })
        .collect_view();
    view! {
        <section class="capture-next" data-testid="capture-next">
            <h2 class="section-title">"What to capture next"</h2>
            <ul>{items}</ul>
        </section>
    }
}

/// Downloads the checklist as Markdown or JSON (made here; nothing leaves the machine).
fn export(state: AppState, json: bool) {
    let Some(answer) = state.checklist.get_untracked() else {
        return;
    };
    let checklist = &answer.1;
    let (text, name, mime) = if json {
        let text = serde_json::to_string_pretty(checklist).unwrap_or_default();
        (text, "leakscope-findings.json", "application/json")
    } else {
        let names = state.profiles.get_untracked();
        let name_of = |id: u32| {
            names
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        };
        (
            markdown(checklist, name_of),
            "leakscope-findings.md",
            "text/markdown",
        )
    };
    if let Err(e) = super::download::save_text(&text, name, mime) {
        state
            .errors
            .update(|errors| errors.push(format!("could not export the findings: {e:?}")));
    }
}
