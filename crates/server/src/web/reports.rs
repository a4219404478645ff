//! Published reports: the list, and one report as published beside today's figures — every
//! restated cell highlighted with who changed it and why, and the published SHA-256 checked
//! by rebuilding the report from the read models at its cut-off.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use scoreledger_domain::Period;
use scoreledger_projections::{self as projections, Publication};
use scoreledger_reports::{QuarterReport, Restatement};
use scoreledger_service::{self as service, QueryError};

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{measure_href, with_query, AsAtForm};
use crate::error::ApiError;
use crate::queries::{position, record_access};
use crate::ServerState;

/// `GET /reports`: every publication, oldest first.
pub(crate) async fn list(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
) -> Result<Html<String>, PageError> {
    let publications = projections::all_publications(&state.read).await?;
    Ok(frame(
        "Published reports",
        Some(&viewer),
        html! {
            h1 { "Published reports" }
            @if publications.is_empty() {
                p { "Nothing has been published yet." }
            } @else {
                table.data {
                    caption { "Every report published, oldest first, with the log position it was built at" }
                    thead { tr {
                        th scope="col" { "Period" } th scope="col" { "Meeting" } th scope="col" { "Published on" }
                        th scope="col" { "Cut-off" } th scope="col" { "Published by" } th scope="col" { "SHA-256" }
                    } }
                    tbody {
                        @for p in &publications {
                            tr {
                                th scope="row" { a href=(format!("/reports/{}", p.report_id)) { (p.period) } }
                                td { (p.meeting) } td { (p.published_on) } td.num { (p.cut_off) }
                                td { (p.actor_name) } td { code { (p.sha256.get(..16).unwrap_or(&p.sha256)) "…" } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `GET /reports/{report}?as_at=…`: the report as published beside the figures as they stand
/// now (or at `as_at`). Reading the restatements is a read of the history, recorded.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    uri: axum::http::Uri,
    Path(report): Path<String>,
    Query(form): Query<AsAtForm>,
) -> Result<Html<String>, PageError> {
    let at = position(&state, &form.when()?).await?;
    let publication = service::find_publication(&state.read, &report).await?;
    let verification = service::published_report(&state.read, &publication).await;
    record_access(&state, &viewer, &uri, None).await?;
    let restated = service::restated(&state.read, publication.clone(), at).await?;
    let period = Period::parse(&publication.period)
        .map_err(|err| ApiError::unprocessable(format!("period: {err}")))?;
    let published = match &verification {
        Ok(report) => report.clone(),
        // Still show what the read models give at the cut-off, under the failure notice.
        Err(_) => service::report_at(&state.read, period, cut_off(&publication)).await?,
    };
    let title = format!(
        "{} as published to {}",
        publication.period, publication.meeting
    );
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { (published.plan) " — " (publication.period) }
            p.as-at { "Published to " (publication.meeting) " on " (publication.published_on)
                " by " (publication.actor_name) ", built at log position " (publication.cut_off) "." }
            (verification_notice(&publication, &verification))
            form.query method="get" action=(format!("/reports/{}", publication.report_id)) aria-label="Compare with" {
                (form.fields())
                button type="submit" { "Compare" }
            }
            div.actions {
                a href=(format!("/reports/{}/pack.pdf", publication.report_id)) download {
                    "Download the pack as PDF, to print or circulate"
                }
                a href=(with_query(&format!("/reports/{}/evidence.zip", publication.report_id), &form.carried())) download {
                    "Download the evidence pack (report, events, hashes)"
                }
                a href=(with_query("/scorecard", &format!("period={}", super::urlencode(&publication.period)))) { "Today's scorecard for this period" }
                a href=(format!("/reports/{}/compare", publication.report_id)) { "Compare with another report, measure by measure" }
            }
            h2 { "Restatements since publication" }
            p { (restated.restatements.len()) " cell(s) read differently " (form.describe(at)) "." }
            (restatements_table(&restated.restatements))
            h2 { "As published, beside today's figures" }
            p.hint { "Each cell shows the figure as published; a highlighted cell reads differently now, "
                "and shows the published figure struck through beside the figure now." }
            (side_by_side(&published, &restated.restatements, &form.carried()))
        },
    ))
}

/// `GET /reports/{report}/pack.pdf`: the report as published, as the PDF councils circulate.
/// Only a report that still rebuilds to its published hash is printed, and the same report
/// always gives the same bytes.
pub(crate) async fn pdf(
    State(state): State<ServerState>,
    Viewer(_viewer): Viewer,
    Path(report): Path<String>,
) -> Result<Response, PageError> {
    let publication = service::find_publication(&state.read, &report).await?;
    pack_pdf(&state, &publication).await
}

/// The pack of `publication` as a PDF download, once it rebuilds to its published hash.
pub(crate) async fn pack_pdf(
    state: &ServerState,
    publication: &Publication,
) -> Result<Response, PageError> {
    let published = service::published_report(&state.read, publication).await?;
    // Typesetting takes a fraction of a second of CPU: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || scoreledger_pdf::pack(&published))
        .await
        .map_err(|err| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?
        .map_err(|err| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    let filename = format!(
        "scorecard-{}.pdf",
        publication
            .period
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    );
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn cut_off(publication: &Publication) -> scoreledger_domain::Position {
    scoreledger_domain::Position(publication.cut_off as u64)
}

fn verification_notice(
    publication: &Publication,
    verification: &Result<QuarterReport, QueryError>,
) -> Markup {
    match verification {
        Ok(_) => html! {
            p.notice.verified role="status" {
                strong { "Hash verified. " }
                "Rebuilt from the log at position " (publication.cut_off) ", this report has the SHA-256 published: "
                code.sha256 { (publication.sha256) }
            }
        },
        Err(err) => html! {
            p.notice.failed role="alert" {
                strong { "Hash NOT verified. " } (err.to_string())
            }
        },
    }
}

fn restatements_table(restatements: &[Restatement]) -> Markup {
    html! {
        @if restatements.is_empty() {
            p { "None: every figure reads as published." }
        } @else {
            table.data {
                caption { "Restated cells: as published → now, with the changes behind each" }
                thead { tr {
                    th scope="col" { "Measure" } th scope="col" { "Cell" } th scope="col" { "As published → now" }
                    th scope="col" { "Changed by" } th scope="col" { "Why" }
                } }
                tbody {
                    @for r in restatements {
                        tr.restated {
                            th scope="row" { a href=(measure_href(&r.measure_ref, "")) { (r.measure_ref) } }
                            td { (r.field) }
                            td.change { del { (r.as_published.clone().unwrap_or_default()) } " → " ins { (r.now.clone().unwrap_or_default()) } }
                            td { @for (i, c) in r.because.iter().enumerate() {
                                @if i > 0 { br; }
                                (c.actor_name) " (" (c.actor_role) "), " (c.recorded_at.get(..10).unwrap_or(&c.recorded_at))
                            } }
                            td { @for (i, c) in r.because.iter().enumerate() {
                                @if i > 0 { br; }
                                (c.reason.clone().unwrap_or_default())
                                @if let Some(class) = &c.classification { " [" (class.replace('_', " ")) "]" }
                            } }
                        }
                    }
                }
            }
        }
    }
}

/// Every measure of the published report, cell by cell, restated cells showing both figures.
fn side_by_side(published: &QuarterReport, restatements: &[Restatement], carried: &str) -> Markup {
    let now: BTreeMap<(&str, &str), &Restatement> = restatements
        .iter()
        .map(|r| ((r.measure_ref.as_str(), r.field.as_str()), r))
        .collect();
    let cell = |measure_ref: &str, field: &str, shown: Option<String>| -> Markup {
        match now.get(&(measure_ref, field)) {
            Some(r) => html! {
                td.restated {
                    mark.restated { del { (shown.unwrap_or_default()) } }
                    br; span { "now " ins { (r.now.clone().unwrap_or_else(|| "—".to_owned())) } }
                }
            },
            None => html! { td { (shown.unwrap_or_default()) } },
        }
    };
    html! {
        table.data.side-by-side {
            caption { "The " (published.period) " report as published; highlighted cells have been restated" }
            thead { tr {
                th scope="col" { "Ref" } th scope="col" { "Measure" } th scope="col" { "Target" }
                th scope="col" { "Status" } th scope="col" { "DOT" }
                @for column in &published.columns { th scope="col" { (column) } }
            } }
            tbody {
                @for row in &published.rows {
                    tr {
                        th scope="row" { a href=(measure_href(&row.measure_ref, carried)) { (row.ref_as_printed) } }
                        td { (row.measure) }
                        (cell(&row.measure_ref, "target", row.target.clone()))
                        (cell(&row.measure_ref, "status", Some(row.status.to_string().replace('_', " "))))
                        (cell(&row.measure_ref, "direction", Some(row.direction.to_string().replace('_', " "))))
                        @for (i, column) in published.columns.iter().enumerate() {
                            (cell(&row.measure_ref, column, row.values.get(i).cloned().flatten()))
                        }
                    }
                }
            }
        }
    }
}
