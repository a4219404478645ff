//! The chase list as a dashboard: what each measure still lacks for a period — a value, its
//! sign-off, a data note, its approval, a status, a direction of travel — by directorate and
//! lead officer, with the day each is due and the overdue ones marked. An officer sees their
//! own directorate's.

use axum::extract::{Query, State};
use axum::response::Html;
use maud::{html, Markup};
use scoreledger_domain::Role;
use scoreledger_service::{chase_list, ChaseItem, ChaseList};
use serde::Deserialize;

use super::filled;
use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{measure_href, period_of};
use crate::error::ApiError;
use crate::ServerState;

/// Days after a period ends that its figures are due, unless the form says otherwise.
const DAYS_AFTER: u32 = 14;

/// The dashboard's form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ChaseForm {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    directorate: Option<String>,
    #[serde(default)]
    days_after: Option<String>,
}

/// `GET /chase?period=…&directorate=…&days_after=…`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Query(form): Query<ChaseForm>,
) -> Result<Html<String>, PageError> {
    let own = (viewer.actor.role == Role::Officer)
        .then(|| viewer.directorate.clone())
        .flatten();
    let directorate = own
        .clone()
        .or_else(|| filled(&form.directorate).map(str::to_owned));
    let days_after = match filled(&form.days_after) {
        Some(days) => days.parse::<u32>().map_err(|_| {
            ApiError::unprocessable(format!("days_after: {days:?} is not a number of days"))
        })?,
        None => DAYS_AFTER,
    };
    let Some(period_text) = filled(&form.period).map(str::to_owned) else {
        return Ok(frame(
            "Chase list",
            Some(&viewer),
            html! {
                h1 { "Chase list" }
                (picker("", directorate.as_deref(), own.is_some(), days_after))
                p.notice role="status" { "Choose the period being reported, e.g. Q4 2016/17." }
            },
        ));
    };
    let period = period_of(&period_text)?;
    let list = chase_list(
        &*state.store,
        &state.read,
        period,
        days_after,
        directorate.as_deref(),
    )
    .await
    .map_err(ApiError::from)?;
    let title = format!("Chase list — {}", list.period);
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { span.plan { (list.plan) } " chase list — " (list.period) }
            (picker(&period_text, directorate.as_deref(), own.is_some(), days_after))
            (summary(&list))
            @for (directorate, items) in by_directorate(&list.items) {
                section {
                    h2 { (directorate) }
                    (table(items))
                }
            }
        },
    ))
}

fn picker(period: &str, directorate: Option<&str>, own: bool, days_after: u32) -> Markup {
    html! {
        form.query method="get" action="/chase" {
            label { "Period reported" input name="period" value=(period) placeholder="Q4 2016/17" required; }
            @if own {
                p.hint { "Your directorate: " strong { (directorate.unwrap_or_default()) } }
            } @else {
                label { "Directorate (all when empty)" input name="directorate" value=(directorate.unwrap_or_default()); }
            }
            label { "Due, days after the period ends" input name="days_after" type="number" min="0" value=(days_after); }
            button type="submit" { "Show" }
        }
    }
}

fn summary(list: &ChaseList) -> Markup {
    html! {
        @if list.items.is_empty() {
            p.notice.verified role="status" { "Nothing to chase: each of the " (list.measures) " measures has what the report needs." }
        } @else {
            p.notice role="status" {
                (list.items.len()) " thing(s) lacking for " (list.measures_lacking()) " of " (list.measures)
                " measures; " strong { (list.overdue()) " overdue" } " (today " (list.today) ")."
            }
        }
    }
}

/// The items of each directorate, in the list's order.
fn by_directorate(items: &[ChaseItem]) -> Vec<(&str, Vec<&ChaseItem>)> {
    let mut groups: Vec<(&str, Vec<&ChaseItem>)> = Vec::new();
    for item in items {
        let name = Some(item.directorate.as_str())
            .filter(|d| !d.is_empty())
            .unwrap_or("No directorate given");
        match groups.last_mut() {
            Some((last, group)) if *last == name => group.push(item),
            _ => groups.push((name, vec![item])),
        }
    }
    groups
}

fn table(items: Vec<&ChaseItem>) -> Markup {
    html! {
        table.data {
            thead { tr { th { "Lead officer" } th { "Measure" } th { "Lacks" } th { "Period" } th { "Due" } } }
            tbody {
                @for item in items {
                    tr {
                        td { (item.lead_officer) }
                        td { a href=(measure_href(item.measure.as_str(), "")) { (item.measure) } " " span.hint { (item.title) } }
                        td { (item.what()) }
                        td { (item.period) }
                        td.when {
                            (item.due_on)
                            @if item.overdue { " " strong.overdue { "overdue" } }
                        }
                    }
                }
            }
        }
    }
}
