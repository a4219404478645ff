//! The scorecard of a period as the council prints it, as the log stood at any date: the
//! page a scrutiny member opens first. Each measure's reference leads to its page.

use axum::extract::{Query, State};
use axum::response::Html;
use maud::{html, Markup, PreEscaped};
use scoreledger_domain::Period;
use scoreledger_projections as projections;
use scoreledger_service as service;
use serde::Deserialize;

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{filled, measure_href, period_of, urlencode, with_query, AsAtForm};
use crate::queries::position;
use crate::ServerState;

/// The scorecard form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ScorecardForm {
    #[serde(default)]
    period: Option<String>,
    #[serde(flatten)]
    when: AsAtForm,
}

/// `GET /scorecard?period=…&as_at=…`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Query(form): Query<ScorecardForm>,
) -> Result<Html<String>, PageError> {
    let at = position(&state, &form.when.when()?).await?;
    // Only what had been published by then: a past scorecard must not know the future.
    let publications: Vec<_> = projections::all_publications(&state.read)
        .await?
        .into_iter()
        .filter(|p| p.position as u64 <= at.0)
        .collect();
    let suggestions = suggested_periods(&publications);
    let chosen = filled(&form.period)
        .map(str::to_owned)
        .or_else(|| publications.last().map(|p| p.period.clone()));
    let Some(period_text) = chosen else {
        // A new installation has published nothing: ask, rather than fail.
        return Ok(frame(
            "Scorecard",
            Some(&viewer),
            html! {
                h1 { "Scorecard" }
                (picker("", &suggestions, &form.when))
                p.notice role="status" { "Nothing had been published " (form.when.describe(at))
                    ". Choose a period to see its scorecard, e.g. Q3 2016/17." }
            },
        ));
    };
    let period = period_of(&period_text)?;
    let report = service::report_at(&state.read, period, at).await?;
    let carried = form.when.carried();
    let link = |measure_ref: &str| measure_href(measure_ref, &carried);
    let of_this_period: Vec<_> = publications
        .iter()
        .filter(|p| Period::parse(&p.period).ok() == Some(period))
        .collect();
    let title = format!("{} — {}", report.plan, report.period);
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { span.plan { (report.plan) } " Quarterly Performance Scorecard — " (report.period) }
            (picker(&period_text, &suggestions, &form.when))
            p.as-at { "Figures " (form.when.describe(at)) ", rules v" (report.rule_set_version) "." }
            @if !of_this_period.is_empty() {
                p.notice {
                    "Published: "
                    @for (i, p) in of_this_period.iter().enumerate() {
                        @if i > 0 { "; " }
                        a href=(format!("/reports/{}", p.report_id)) { (p.meeting) " on " (p.published_on) }
                        " (cut-off " (p.cut_off) ")"
                    }
                    ". A report page shows the figures as published beside today's, with every restatement."
                }
            }
            div.actions {
                a href=(with_query("/audit", &format!("period={}", urlencode(&report.period)))) { "Every change about this period" }
            }
            (PreEscaped(scoreledger_reports::html::sections(&report, Some(&link))))
            footer { p { "SHA-256 of this scorecard's canonical report: " code.sha256 { (report.sha256()) } } }
        },
    ))
}

/// The form that picks a period and a moment.
fn picker(period: &str, suggestions: &[String], when: &AsAtForm) -> Markup {
    html! {
        form.query method="get" action="/scorecard" aria-label="Which scorecard" {
            label for="period" { "Period"
                input #period name="period" value=(period) list="periods" required size="18";
            }
            datalist #periods { @for p in suggestions { option value=(p) {} } }
            (when.fields())
            button type="submit" { "Show" }
        }
    }
}

/// The quarters of every year something was published for, as suggestions for the picker.
fn suggested_periods(publications: &[projections::Publication]) -> Vec<String> {
    let mut years: Vec<i32> = publications
        .iter()
        .filter_map(|p| Period::parse(&p.period).ok())
        .map(|p| p.financial_year_of())
        .collect();
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .flat_map(|fy| (1..=4).map(move |q| Period::quarter(fy, q).to_string()))
        .collect()
}
