//! The public pages, for anyone without signing in: the reports published and the meetings
//! they went to, as the council's website would carry them. What was considered in exempt
//! session (Schedule 12A to the Local Government Act 1972) is left out by the domain's rule
//! (`scoreledger_domain::governance`): an exempt agenda item, and any report such an item
//! considered, whose address answers as if it did not exist.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use maud::{html, Markup, PreEscaped};
use scoreledger_projections::{self as projections, MeetingRecord, Publication};
use scoreledger_reports::governance::{public_meetings, public_publications};
use scoreledger_service as service;

use super::layout::{page_of, PageError};
use crate::error::ApiError;
use crate::ServerState;

/// What the public pages read: the publications and meetings a public rendering may show,
/// as far as the read models have come.
async fn public_record(
    state: &ServerState,
) -> Result<(Vec<Publication>, Vec<MeetingRecord>), PageError> {
    let at = projections::checkpoint(&state.read).await?;
    let meetings = projections::meetings_as_at(&state.read, at).await?;
    let publications = projections::all_publications(&state.read).await?;
    Ok((
        public_publications(&publications, &meetings),
        public_meetings(&meetings),
    ))
}

/// `GET /public`: the reports published and the meetings' public business.
pub(crate) async fn index(State(state): State<ServerState>) -> Result<Html<String>, PageError> {
    let (publications, meetings) = public_record(&state).await?;
    Ok(page_of(
        "Performance reports",
        None,
        state.council.as_deref(),
        html! {
            h1 { "Performance reports" }
            p { "The council's performance reports as published, and the meetings that considered them." }
            h2 { "Reports" }
            @if publications.is_empty() {
                p { "Nothing has been published yet." }
            } @else {
                table.data {
                    caption { "Every report published, oldest first" }
                    thead { tr { th scope="col" { "Period" } th scope="col" { "Meeting" } th scope="col" { "Published on" } } }
                    tbody {
                        @for p in &publications {
                            tr {
                                th scope="row" { a href=(format!("/public/reports/{}", p.report_id)) { (p.period) } }
                                td { (p.meeting) } td { (p.published_on) }
                            }
                        }
                    }
                }
            }
            h2 { "Meetings" }
            @if meetings.is_empty() {
                p { "No meeting has been recorded yet." }
            }
            @for meeting in &meetings {
                (meeting_section(meeting, &publications))
            }
        },
    ))
}

fn meeting_section(meeting: &MeetingRecord, publications: &[Publication]) -> Markup {
    html! {
        section.meeting {
            h3 { (meeting.body) ", " (meeting.held_on) }
            @if meeting.items.is_empty() {
                p { "No public business recorded." }
            } @else {
                ol.agenda {
                    @for item in &meeting.items {
                        li {
                            strong { (item.item) ". " (item.title) }
                            @if let Some(report) = item.report_id.as_deref()
                                .and_then(|id| publications.iter().find(|p| p.report_id == id)) {
                                " — " a href=(format!("/public/reports/{}", report.report_id)) { "the " (report.period) " report" }
                            }
                            @for outcome in &item.outcomes {
                                @if outcome.kind == "decision" {
                                    p.decision { "Decision: " (outcome.text) }
                                } @else {
                                    p.call-in { "Called in by " (outcome.text)
                                        @if let Some(reason) = &outcome.reason { ": " (reason) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The public publication `report`: one a public rendering may show, or not found, whether
/// it was considered in exempt session or does not exist.
async fn public_publication(state: &ServerState, report: &str) -> Result<Publication, PageError> {
    let (publications, _) = public_record(state).await?;
    publications
        .into_iter()
        .find(|p| p.report_id == report)
        .ok_or_else(|| {
            PageError(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no public report {report}; the list is at /public"),
            ))
        })
}

/// `GET /public/reports/{report}/pack.pdf`: a public report's pack, as the signed-in page
/// gives it.
pub(crate) async fn pdf(
    State(state): State<ServerState>,
    Path(report): Path<String>,
) -> Result<Response, PageError> {
    let publication = public_publication(&state, &report).await?;
    super::reports::pack_pdf(&state, &publication).await
}

/// `GET /public/reports/{report}`: a public report as published (its hash checked). A report
/// considered in exempt session, like one that does not exist, is not found.
pub(crate) async fn report(
    State(state): State<ServerState>,
    Path(report): Path<String>,
) -> Result<Html<String>, PageError> {
    let publication = public_publication(&state, &report).await?;
    let published = service::published_report(&state.read, &publication).await?;
    Ok(page_of(
        &format!("{} as published", publication.period),
        None,
        state.council.as_deref(),
        html! {
            h1 { (published.plan) " — " (publication.period) }
            p.as-at { "Published to " (publication.meeting) " on " (publication.published_on) "." }
            div.actions {
                a href=(format!("/public/reports/{}/pack.pdf", publication.report_id)) download {
                    "Download the pack as PDF"
                }
            }
            (PreEscaped(scoreledger_reports::html::sections(&published, None)))
            p { a href="/public" { "All published reports" } }
        },
    ))
}
