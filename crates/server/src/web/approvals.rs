//! The approver's queue: for a period, every value waiting for its sign-off and every data
//! note waiting for its approval, never the viewer's own (maker ≠ checker, as `decide`
//! enforces it), each with a button that checks it through the one write path.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use scoreledger_domain::chase::Lack;
use scoreledger_domain::{same_person, Command, CommandKind};
use scoreledger_projections as projections;
use scoreledger_service::{chase_list, submit, ChaseItem, Submission};
use scoreledger_store::derived_id;
use serde::Deserialize;

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{filled, measure_href, period_of, urlencode};
use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// The queue's form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueForm {
    #[serde(default)]
    period: Option<String>,
    /// The position a check just landed at.
    #[serde(default)]
    checked: Option<u64>,
}

/// One check, as its button sends it.
#[derive(Debug, Deserialize)]
pub(crate) struct CheckForm {
    measure: String,
    period: String,
    /// `value` (a sign-off) or `note` (an approval).
    what: String,
    /// The button's own key: pressed twice, it checks once.
    key: String,
}

fn may_check(viewer: &Session) -> Result<(), PageError> {
    if scoreledger_domain::decide::may_issue_kind(viewer.actor.role, CommandKind::SignOffValue) {
        Ok(())
    } else {
        Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "the approvals queue is for approvers and admins; you act as {}",
                viewer.actor.role
            ),
        )))
    }
}

/// `GET /approvals?period=…`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Query(form): Query<QueueForm>,
) -> Result<Html<String>, PageError> {
    may_check(&viewer)?;
    let Some(period_text) = filled(&form.period).map(str::to_owned) else {
        return Ok(frame(
            "Approvals",
            Some(&viewer),
            html! {
                h1 { "Waiting for sign-off" }
                (picker(""))
                p.notice role="status" { "Choose the period, e.g. Q4 2016/17." }
            },
        ));
    };
    let period = period_of(&period_text)?;
    let list = chase_list(&*state.store, &state.read, period, 14, None)
        .await
        .map_err(ApiError::from)?;
    let (own, waiting): (Vec<&ChaseItem>, Vec<&ChaseItem>) = list
        .items
        .iter()
        .filter(|item| matches!(item.lack, Lack::SignOff | Lack::Approval))
        .partition(|item| {
            item.entered_by
                .as_deref()
                .is_some_and(|maker| same_person(maker, &viewer.actor.id))
        });
    let title = format!("Waiting for sign-off — {}", list.period);
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { span.plan { (list.plan) } " waiting for sign-off — " (list.period) }
            (picker(&period_text))
            @if let Some(position) = form.checked {
                p.notice.verified role="status" { "Checked: in the log at position " (position) "." }
            }
            @if waiting.is_empty() {
                p.notice role="status" { "Nothing is waiting for you to check." }
            } @else {
                (queue(&waiting, &period_text))
            }
            @if !own.is_empty() {
                p.hint { (own.len()) " entered by you wait for another approver: nobody checks their own figures or notes." }
            }
        },
    ))
}

fn picker(period: &str) -> Markup {
    html! {
        form.query method="get" action="/approvals" {
            label { "Period" input name="period" value=(period) placeholder="Q4 2016/17" required; }
            button type="submit" { "Show" }
        }
    }
}

fn queue(items: &[&ChaseItem], period_text: &str) -> Markup {
    html! {
        table.data {
            thead { tr { th { "Measure" } th { "Period" } th { "Waiting" } th { "Entered by" } th { "Due" } th { "Check" } } }
            tbody {
                @for item in items {
                    @let what = if item.lack == Lack::SignOff { "value" } else { "note" };
                    tr {
                        td { a href=(measure_href(item.measure.as_str(), "")) { (item.measure) } " " span.hint { (item.title) } }
                        td { (item.period) }
                        td { (item.what()) }
                        td { (item.entered_by.as_deref().unwrap_or_default()) }
                        td.when { (item.due_on) @if item.overdue { " " strong.overdue { "overdue" } } }
                        td {
                            form method="post" action=(format!("/approvals?period={}", urlencode(period_text))) {
                                input type="hidden" name="measure" value=(item.measure);
                                input type="hidden" name="period" value=(item.period);
                                input type="hidden" name="what" value=(what);
                                input type="hidden" name="key" value=(scoreledger_store::new_id());
                                button type="submit" { @if what == "value" { "Sign off" } @else { "Approve" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /approvals`: sign off a value or approve a note.
pub(crate) async fn check(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Query(back): Query<QueueForm>,
    Form(form): Form<CheckForm>,
) -> Result<Response, PageError> {
    may_check(&viewer)?;
    let period = period_of(&form.period)?;
    let command = match form.what.as_str() {
        "value" => Command::SignOffValue { period },
        "note" => Command::ApproveCommentary { period },
        other => {
            return Err(PageError(ApiError::unprocessable(format!(
                "what: {other:?} is neither value nor note"
            ))))
        }
    };
    let (measure_id, plan_id) =
        projections::find_measure(&state.read, form.measure.trim(), Some(&period))
            .await?
            .ok_or_else(|| {
                PageError(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no measure {} is defined", form.measure),
                ))
            })?;
    let stream = measure_id.stream();
    let appended = submit(
        &*state.store,
        Submission {
            actor: &viewer.actor,
            stream: &stream,
            plan_id: Some(plan_id),
            commands: std::slice::from_ref(&command),
            reason: None,
            on_behalf_of: None,
            reported: None,
            commit_id: Some(derived_id(&[
                "approval",
                &viewer.token_id,
                form.key.trim(),
                stream.as_str(),
            ])),
            if_version: None,
        },
    )
    .await
    .map_err(|err| PageError(ApiError::from(err)))?;
    let back = filled(&back.period)
        .unwrap_or(form.period.as_str())
        .to_owned();
    Ok(Redirect::to(&format!(
        "/approvals?period={}&checked={}",
        urlencode(&back),
        appended.commit.position
    ))
    .into_response())
}
