//! Two published reports measure by measure: each measure's value for its report's own
//! period, target, status, direction and RAG, before → after, the changed ones marked, and
//! optionally only those.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::{html, Markup};
use scoreledger_domain::{Period, Position};
use scoreledger_projections::{self as projections, Publication};
use scoreledger_reports::{compare_measures, figures_shown, Figure, MeasureChange, QuarterReport};
use scoreledger_service as service;
use serde::Deserialize;

use super::layout::{page as frame, PageError};
use super::measure_href;
use super::signin::Viewer;
use crate::error::ApiError;
use crate::ServerState;

/// The page's form: the other report, and whether to show only what changed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompareForm {
    /// The other publication's id (or a period).
    #[serde(default)]
    with: Option<String>,
    /// `on` when only the measures that changed are shown.
    #[serde(default)]
    changed: Option<String>,
}

/// `GET /reports/{report}/compare?with=…&changed=on`: the report and another publication,
/// the earlier first, measure by measure.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path(report): Path<String>,
    Query(form): Query<CompareForm>,
) -> Result<Html<String>, PageError> {
    let this = service::find_publication(&state.read, &report).await?;
    let publications = projections::all_publications(&state.read).await?;
    let only_changed = form.changed.as_deref() == Some("on");
    let compared = match form.with.as_deref().filter(|w| !w.trim().is_empty()) {
        Some(with) => {
            let other = service::find_publication(&state.read, with).await?;
            let (earlier, later) = if other.cut_off < this.cut_off {
                (other, this.clone())
            } else {
                (this.clone(), other)
            };
            let before = as_published(&state, &earlier).await?;
            let after = as_published(&state, &later).await?;
            let mut measures = compare_measures(&before, &after);
            if only_changed {
                measures.retain(MeasureChange::is_changed);
            }
            Some((earlier, later, measures))
        }
        None => None,
    };
    let title = format!("{} measure by measure", this.period);
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { (this.period) " as published to " (this.meeting) ", measure by measure" }
            (choose(&this, &publications, form.with.as_deref(), only_changed))
            @if let Some((earlier, later, measures)) = &compared {
                (table(earlier, later, measures, only_changed))
            }
        },
    ))
}

/// The report a publication printed, rebuilt at its cut-off.
async fn as_published(
    state: &ServerState,
    publication: &Publication,
) -> Result<QuarterReport, PageError> {
    let period = Period::parse(&publication.period)
        .map_err(|err| ApiError::unprocessable(format!("period: {err}")))?;
    let cut_off = Position(publication.cut_off as u64);
    Ok(service::report_at(&state.read, period, cut_off).await?)
}

fn describe(publication: &Publication) -> String {
    format!(
        "{} (published to {} on {})",
        publication.period, publication.meeting, publication.published_on
    )
}

fn choose(
    this: &Publication,
    publications: &[Publication],
    with: Option<&str>,
    only_changed: bool,
) -> Markup {
    html! {
        form.query method="get" action=(format!("/reports/{}/compare", this.report_id)) aria-label="Compare with another report" {
            label for="with" { "Compare with" }
            select #with name="with" {
                @for p in publications.iter().filter(|p| p.report_id != this.report_id) {
                    option value=(p.report_id) selected[with == Some(p.report_id.as_str())] { (describe(p)) }
                }
            }
            label { input type="checkbox" name="changed" value="on" checked[only_changed]; " only the measures that changed" }
            button type="submit" { "Compare" }
        }
    }
}

/// A cell: the figure where it is the same in both reports, before → after where it changed.
fn cell(change: &MeasureChange, figure: Figure) -> Markup {
    if change.changed.contains(&figure) {
        html! {
            td.restated {
                del { (change.side(false, figure)) } " → " ins { (change.side(true, figure)) }
            }
        }
    } else {
        html! { td { (change.after.as_ref().map(|f| f.text(figure)).unwrap_or_default()) } }
    }
}

fn table(
    earlier: &Publication,
    later: &Publication,
    measures: &[MeasureChange],
    only_changed: bool,
) -> Markup {
    let shown = figures_shown(measures);
    let changed = measures.iter().filter(|m| m.is_changed()).count();
    html! {
        p { (describe(earlier)) " → " (describe(later)) ": " (changed) " measure(s) changed"
            @if only_changed { ", shown below" } @else { " of " (measures.len()) } "." }
        table.data {
            caption { "Each measure's figures; a highlighted cell reads earlier → later" }
            thead { tr {
                th scope="col" { "Ref" } th scope="col" { "Measure" }
                @for figure in &shown { th scope="col" { (figure.heading()) } }
            } }
            tbody {
                @for m in measures {
                    tr {
                        th scope="row" { a href=(measure_href(&m.measure_ref, "")) { (m.ref_as_printed) } }
                        td { (m.measure) }
                        @for figure in &shown { (cell(m, *figure)) }
                    }
                }
            }
        }
    }
}
