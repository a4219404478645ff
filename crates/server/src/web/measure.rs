//! A measure's page: what it is, who answers for it, its values against target over time as a
//! chart and a table, and every change to it — before → after, who, in which role and why.
//! Opening it is a read of the history, recorded as the API records one.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::{html, Markup, PreEscaped};
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{Period, Target};
use scoreledger_projections::{self as projections, HistoryEntry, HistoryFilter, MeasureView};
use scoreledger_reports::chart::{values_against_target, ChartPoint};
use scoreledger_service as service;

use serde::Deserialize;

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{assess, entry};
use super::{measure_href, urlencode, with_query, AsAtForm};
use crate::queries::{position, record_access};
use crate::ServerState;

/// What the page says after a form on it was sent: the position the entry landed at.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Entered {
    #[serde(default)]
    entered: Option<u64>,
    /// The period to assess, for the performance team's form.
    #[serde(default)]
    assess: Option<String>,
}

/// `GET /measures/{ref}?as_at=…`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    uri: axum::http::Uri,
    Path(reference): Path<String>,
    Query(form): Query<AsAtForm>,
    Query(entered): Query<Entered>,
) -> Result<Html<String>, PageError> {
    // After an entry, read at least as far as it landed: the page shows it.
    let mut when = form.when()?;
    when.min_position = entered.entered;
    let at = position(&state, &when).await?;
    let view = service::measure_at(&state.read, &reference, at).await?;
    let targets = projections::target_specs(&state.read, view.measure_id, at).await?;
    let measure_ref = view.definition.measure_ref.to_string();
    record_access(&state, &viewer, &uri, Some(measure_ref.clone())).await?;
    // The entry form, for whoever may enter, on the measure as it stands now (never on a
    // past view), drawn at the version it will be judged against.
    let may_enter = entry::may_enter(&viewer, &view.definition);
    let may_assess = assess::may_assess(&viewer);
    let (mut entry, mut assessment) = (None, None);
    if form.carried().is_empty() && (may_enter || may_assess) {
        let (current, version) = scoreledger_store::load(&*state.store, &view.measure_id.stream())
            .await
            .map_err(|err| PageError(crate::error::ApiError::log_unavailable(err)))?;
        if may_enter {
            entry = Some(entry::form(&measure_ref, version));
        }
        if let Some(measure) = current.measure().filter(|_| may_assess) {
            let period = super::filled(&entered.assess)
                .map(|p| {
                    Period::parse(p).map_err(|err| {
                        crate::error::ApiError::unprocessable(format!("assess: {err}"))
                    })
                })
                .transpose()?;
            let rules = assess::rules_of(&state, measure).await?;
            assessment = Some(assess::form(&measure_ref, measure, version, &rules, period));
        }
    }
    let history = changes_to(&state, &measure_ref, at).await?;
    let definition = &view.definition;
    let title = format!("{} {}", definition.ref_as_printed, definition.title);
    let carried = form.carried();
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { (definition.ref_as_printed) " — " (definition.title) }
            @if let Some(position) = entered.entered {
                p.notice.verified role="status" { "Entered: your change is in the log at position " (position) ", below in the history." }
            }
            form.query method="get" action=(measure_href(&measure_ref, "")) aria-label="As at" {
                (form.fields())
                button type="submit" { "Show" }
            }
            p.as-at { "Known " (form.describe(at)) "." }
            div.actions {
                a href=(with_query(&format!("{}/evidence.zip", measure_href(&measure_ref, "")), &carried)) download {
                    "Download the evidence pack (events, history, hashes)"
                }
                a href=(with_query("/audit", &format!("measure={}{}", urlencode(&measure_ref), if carried.is_empty() { String::new() } else { format!("&{carried}") }))) { "Search its changes" }
            }
            (facts(&view))
            h2 #trend-heading { "Values against target" }
            @match values_against_target(&format!("{measure_ref}: values against target"), &chart_points(&view, &targets)) {
                Some(svg) => (PreEscaped(svg)),
                None => p { "No value recorded has a number to chart." },
            }
            (periods_table(&view))
            @if let Some(entry) = entry { (entry) }
            @if let Some(assessment) = assessment { (assessment) }
            h2 #history-heading { "History" }
            (history_table(&history))
        },
    ))
}

fn facts(view: &MeasureView) -> Markup {
    let d = &view.definition;
    html! {
        dl.facts {
            dt { "Corporate Plan action" } dd { (d.action) }
            dt { "Priority / outcome" } dd { (d.priority) "." (d.outcome) @if d.priority_measure { " — a priority measure" } }
            dt { "Lead officer" } dd { (d.lead_officer) " (" (d.directorate) ")" }
            dt { "Lead accountability" } dd {
                @for (i, spell) in view.accountability.iter().enumerate() {
                    @if i > 0 { "; " }
                    (spell.person)
                    @if let Some(from) = spell.effective_from { " from " (from) }
                }
            }
            dt { "Good performance" } dd { (d.polarity_text) }
            dt { "Frequency" } dd { (d.frequency_text) }
            @if !d.baseline.is_empty() {
                dt { "Baseline" }
                dd {
                    (d.baseline)
                    ul {
                        @for figure in scoreledger_domain::baseline::figures(&d.baseline) {
                            li { (figure.describe()) }
                        }
                    }
                }
            }
        }
    }
}

/// Every change to the measure recorded by `at`: its history without the record of who read
/// it (the audit search shows those).
pub(super) async fn changes_to(
    state: &ServerState,
    measure_ref: &str,
    at: scoreledger_domain::Position,
) -> Result<Vec<HistoryEntry>, PageError> {
    let mut entries = projections::history(
        &state.read,
        &HistoryFilter {
            measure_ref: Some(measure_ref.to_owned()),
            through: Some(at),
            ..HistoryFilter::default()
        },
    )
    .await?;
    entries.retain(|entry| entry.what != "history read");
    Ok(entries)
}

/// One point per period with a value, the numeric target in force for it beside.
fn chart_points(view: &MeasureView, targets: &[(Period, TargetSpec)]) -> Vec<ChartPoint> {
    view.values
        .iter()
        .map(|value| ChartPoint {
            label: value.period.to_string(),
            value: value.value.amount,
            target: numeric_target(targets, &value.period),
        })
        .collect()
}

/// The figure of the target set for `period`'s financial year (as stored, not parsed again
/// from its text), in force in that period: phased targets differ between the halves of the
/// year, milestones from date to date; a band is drawn at its middle.
fn numeric_target(
    targets: &[(Period, TargetSpec)],
    period: &Period,
) -> Option<rust_decimal::Decimal> {
    let year = Period::financial_year(period.financial_year_of());
    let (_, spec) = targets.iter().rev().find(|(p, _)| *p == year)?;
    match spec.for_period(period) {
        Target::Numeric { value, .. } => Some(*value),
        Target::Range { low, high, .. } => Some((low + high) / rust_decimal::Decimal::TWO),
        Target::Text { .. } => None,
    }
}

fn periods_table(view: &MeasureView) -> Markup {
    let mut periods: Vec<Period> = view
        .values
        .iter()
        .map(|v| v.period)
        .chain(view.statuses.iter().map(|f| f.period))
        .chain(view.notes.iter().map(|f| f.period))
        .chain(view.directions.iter().map(|f| f.period))
        .chain(view.ratings.iter().map(|f| f.period))
        .chain(view.targets.iter().map(|f| f.period))
        .collect();
    periods.sort();
    periods.dedup();
    let fact = |facts: &[projections::PeriodFact], period: Period| {
        facts
            .iter()
            .find(|f| f.period == period)
            .map(|f| f.text.clone())
    };
    // 2010-scheme measures carry a RAG rating; the 2016/17 scheme's do not.
    let rated = !view.ratings.is_empty();
    html! {
        table.data {
            caption { "By period: value, target, status, direction of travel and data note" }
            thead { tr {
                th scope="col" { "Period" } th scope="col" { "Value" } th scope="col" { "Target" }
                th scope="col" { "Status" } th scope="col" { "Direction of travel" }
                @if rated { th scope="col" { "RAG rating" } }
                th scope="col" { "Data note" }
            } }
            tbody {
                @for period in periods {
                    @let value = view.values.iter().find(|v| v.period == period);
                    tr {
                        th scope="row" { (period) }
                        td.num {
                            @if let Some(value) = value {
                                (value.value.raw)
                                @if value.revision > 0 {
                                    br; span.suggested { "revision " (value.revision)
                                        @if let Some(class) = &value.classification { " (" (class.replace('_', " ")) ")" } }
                                }
                                @if let Some(checker) = &value.signed_off_by {
                                    br; span.suggested { "signed off by " (checker) }
                                }
                            }
                        }
                        td { (fact(&view.targets, period).unwrap_or_default()) }
                        td { (fact(&view.statuses, period).map(|s| s.replace('_', " ")).unwrap_or_default()) }
                        td { (fact(&view.directions, period).map(|s| s.replace('_', " ")).unwrap_or_default()) }
                        @if rated { td { (fact(&view.ratings, period).unwrap_or_default()) } }
                        td.note { (fact(&view.notes, period).unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

/// Every change, oldest first, shared with the audit search.
pub(super) fn history_table(entries: &[HistoryEntry]) -> Markup {
    html! {
        @if entries.is_empty() {
            p { "No changes match." }
        } @else {
            table.data {
                caption { (entries.len()) " change(s), oldest first: before → after, who, in which role, and why" }
                thead { tr {
                    th scope="col" { "When" } th scope="col" { "Position" } th scope="col" { "Who" }
                    th scope="col" { "Measure" } th scope="col" { "Period" } th scope="col" { "What" }
                    th scope="col" { "Before → after" } th scope="col" { "Why" }
                } }
                tbody {
                    @for entry in entries {
                        tr {
                            td.when { (entry.recorded_at.get(..16).unwrap_or(&entry.recorded_at).replace('T', " ")) }
                            td.pos { (entry.position) }
                            td { (entry.actor_name) br; span.suggested { (entry.actor_role)
                                @if let Some(whom) = &entry.on_behalf_of { ", for " (whom) } } }
                            td { @if let Some(m) = &entry.measure_ref { a href=(measure_href(m, "")) { (m) } } }
                            td { (entry.period.clone().unwrap_or_default()) }
                            td { (entry.what) }
                            td.change { (change(entry)) }
                            td { (entry.reason.clone().unwrap_or_default())
                                @if let Some(class) = &entry.classification { br; span.suggested { (class.replace('_', " ")) } } }
                        }
                    }
                }
            }
        }
    }
}

/// What the history stores as text people write, whose edits change word by word: a data
/// note, a target ("10% reduction in … by March 2010" losing its "10%"), a narrative.
const WORDED: [&str; 3] = ["data note", "target", "narrative"];

/// Before → after; a text's edit is shown word by word, so the words that changed are marked.
fn change(entry: &HistoryEntry) -> Markup {
    match (entry.before.as_deref(), entry.after.as_deref()) {
        (Some(before), Some(after)) if WORDED.contains(&entry.what.as_str()) => {
            word_diff(before, after)
        }
        (Some(before), Some(after)) => html! {
            del { (before) } " → " ins { (after) }
        },
        (None, Some(after)) => html! { ins { (after) } },
        (Some(before), None) => html! { del { (before) } },
        (None, None) => html! {},
    }
}

fn word_diff(before: &str, after: &str) -> Markup {
    use scoreledger_reports::word_diff::{marks, Mark};
    html! {
        @for (mark, text) in marks(before, after) {
            @match mark {
                Mark::Same => (text),
                Mark::Removed => del { (text) },
                Mark::Added => ins { (text) },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_edit_marks_only_the_words_that_changed() {
        let html = word_diff("Q3 data is provisional", "Q3 data is final").into_string();
        assert_eq!(html, "Q3 data is <del>provisional</del><ins>final</ins>");
    }

    #[test]
    fn a_target_edit_marks_the_words_removed() {
        let html = word_diff(
            "10% reduction in overall contact and referrals which result in NFA by March 2010",
            "reduction in overall contact and referrals which result in NFA by March 2010",
        )
        .into_string();
        assert!(
            html.starts_with("<del>10%</del><del> </del>reduction in overall contact"),
            "{html}"
        );
        assert!(!html.contains("<ins>"), "{html}");
    }

    #[test]
    fn text_in_a_change_is_escaped() {
        let html = word_diff("<b>", "<i>").into_string();
        assert!(!html.contains("<b>") && html.contains("&lt;b&gt;"));
    }
}
