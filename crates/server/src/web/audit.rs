//! The audit search: every change by person, measure, period, date range and kind, on a page
//! and as CSV for the auditor's working papers. A search is a read of the history, recorded.

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use maud::html;
use scoreledger_domain::{MeasureRef, Period};
use scoreledger_projections::{self as projections, HistoryEntry, HistoryFilter};
use serde::{Deserialize, Serialize};

use super::layout::{page as frame, PageError};
use super::measure::history_table;
use super::signin::Viewer;
use super::{filled, with_query, AsAtForm};
use crate::auth::Session;
use crate::error::ApiError;
use crate::queries::{position, record_access};
use crate::ServerState;

/// The kinds of change a search can be narrowed to, as the history names them.
const KINDS: [&str; 21] = [
    "value",
    "target",
    "status",
    "direction of travel",
    "RAG rating",
    "data note",
    "sign-off",
    "note approval",
    "measure defined",
    "plan defined",
    "priority defined",
    "outcome defined",
    "rule set",
    "lead accountability",
    "period locked",
    "period reopened",
    "report published",
    "history read",
    "commit set aside",
    "token issued",
    "token revoked",
];

/// A page shows at most this many changes; the CSV export has them all.
const SHOWN: usize = 1000;

/// The search form.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct AuditForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    measure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revisions: Option<String>,
    #[serde(flatten, skip_serializing)]
    when: AsAtForm,
}

impl AuditForm {
    fn filter(&self, through: scoreledger_domain::Position) -> Result<HistoryFilter, PageError> {
        let day = |field: &Option<String>, name: &str| {
            filled(field)
                .map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map(|d| d.to_string())
                        .map_err(|_| {
                            ApiError::unprocessable(format!(
                                "{name}: {d:?} is not a date; write it as YYYY-MM-DD"
                            ))
                        })
                })
                .transpose()
        };
        Ok(HistoryFilter {
            measure_ref: filled(&self.measure)
                .map(|m| {
                    MeasureRef::parse(m)
                        .map(|r| r.to_string())
                        .map_err(|err| ApiError::unprocessable(format!("measure: {err}")))
                })
                .transpose()?,
            actor: filled(&self.person).map(str::to_owned),
            period: filled(&self.period)
                .map(|p| {
                    Period::parse(p)
                        .map(|p| p.to_string())
                        .map_err(|err| ApiError::unprocessable(format!("period: {err}")))
                })
                .transpose()?,
            what: filled(&self.kind)
                .map(|k| vec![k.to_owned()])
                .unwrap_or_default(),
            revisions_only: filled(&self.revisions).is_some(),
            through: Some(through),
            since: day(&self.since, "from")?,
            until: day(&self.until, "to")?,
            ..HistoryFilter::default()
        })
    }

    /// The search as a query string, for the CSV link.
    fn query(&self) -> String {
        let mut query = serde_urlencoded::to_string(self).unwrap_or_default();
        let carried = self.when.carried();
        if !carried.is_empty() {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&carried);
        }
        query
    }
}

async fn search(
    state: &ServerState,
    viewer: &Session,
    uri: &axum::http::Uri,
    form: &AuditForm,
) -> Result<(Vec<HistoryEntry>, scoreledger_domain::Position), PageError> {
    let at = position(state, &form.when.when()?).await?;
    let filter = form.filter(at)?;
    record_access(state, viewer, uri, filter.measure_ref.clone()).await?;
    Ok((projections::history(&state.read, &filter).await?, at))
}

/// `GET /audit?person=…&measure=…&period=…&kind=…&since=…&until=…`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    uri: axum::http::Uri,
    Query(form): Query<AuditForm>,
) -> Result<Html<String>, PageError> {
    let (entries, at) = search(&state, &viewer, &uri, &form).await?;
    let kind = filled(&form.kind);
    Ok(frame(
        "Audit search",
        Some(&viewer),
        html! {
            h1 { "Audit search" }
            p { "Every change recorded in the log: who, when, in which role, before → after and why. "
                "Searches are themselves recorded." }
            form.query method="get" action="/audit" aria-label="Search the history" {
                label for="person" { "Person" input #person name="person" value=[filled(&form.person)] placeholder="name or user id"; }
                label for="measure" { "Measure" input #measure name="measure" value=[filled(&form.measure)] placeholder="e.g. 2.B1" size="8"; }
                label for="period" { "Period" input #period name="period" value=[filled(&form.period)] placeholder="e.g. Q2 2016/17" size="14"; }
                label for="kind" { "Kind of change"
                    select #kind name="kind" {
                        option value="" selected[kind.is_none()] { "any" }
                        @for k in KINDS { option value=(k) selected[kind == Some(k)] { (k) } }
                    }
                }
                label for="since" { "Recorded from" input #since type="date" name="since" value=[filled(&form.since)]; }
                label for="until" { "until (before)" input #until type="date" name="until" value=[filled(&form.until)]; }
                label.check for="revisions" { input #revisions type="checkbox" name="revisions" value="on" checked[filled(&form.revisions).is_some()]; "Only revisions" }
                (form.when.fields())
                button type="submit" { "Search" }
            }
            p.as-at { "History " (form.when.describe(at)) "." }
            div.actions {
                a href=(with_query("/audit.csv", &form.query())) download { "Download these " (entries.len()) " change(s) as CSV" }
            }
            @if entries.len() > SHOWN {
                p.notice role="status" { "Showing the first " (SHOWN) " of " (entries.len())
                    " changes: narrow the search, or download them all as CSV." }
            }
            (history_table(&entries[..entries.len().min(SHOWN)]))
        },
    ))
}

/// `GET /audit.csv?…`: the same search as CSV.
pub(crate) async fn csv(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    uri: axum::http::Uri,
    Query(form): Query<AuditForm>,
) -> Result<Response, PageError> {
    let (entries, at) = search(&state, &viewer, &uri, &form).await?;
    let filename = format!("scoreledger-history-at-{at}.csv");
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        scoreledger_reports::render::history_csv(&entries),
    )
        .into_response())
}
