//! Assessing a period on a measure's page: the performance team (or an admin) gives the status
//! (a RAG rating in a 2010 plan) and the direction of travel, with what the plan's rules
//! suggest from the figures shown beside the form and chosen by default, never instead of the
//! person's judgement (`decide` records the suggestion beside whatever is chosen). Like the
//! entry form it carries the measure's version and a key of its own, and goes through the one
//! write path.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use scoreledger_domain::{
    Command, CommandKind, Direction, MeasureState, Period, Rag, RuleSet, Status, StatusScheme,
    StreamVersion,
};
use scoreledger_service::{submit, Submission};
use scoreledger_store::load;
use serde::Deserialize;

use super::entry::entered;
use super::layout::PageError;
use super::measure_form::{find, Found};
use super::signin::Viewer;
use super::{measure_href, period_of};
use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// What the form sends.
#[derive(Debug, Deserialize)]
pub(crate) struct AssessForm {
    period: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    reason: String,
    /// The measure's stream version when the form was drawn.
    version: u64,
    /// The form's own key: sending it again lands nothing new.
    key: String,
}

/// Whether `viewer` may assess: the performance team and admins.
pub(super) fn may_assess(viewer: &Session) -> bool {
    scoreledger_domain::decide::may_issue_kind(viewer.actor.role, CommandKind::AssessStatus)
}

/// The plan's rules, as `decide` will judge with them.
pub(super) async fn rules_of(
    state: &ServerState,
    measure: &MeasureState,
) -> Result<RuleSet, PageError> {
    let (plan, _) = load(&*state.store, &measure.definition.plan_id.stream())
        .await
        .map_err(|err| PageError(ApiError::log_unavailable(err)))?;
    Ok(plan.plan().map(|p| p.rule_set.clone()).unwrap_or_default())
}

/// Asks which period to assess; once one is chosen, the form with the rules' suggestion.
pub(super) fn form(
    measure_ref: &str,
    measure: &MeasureState,
    version: StreamVersion,
    rules: &RuleSet,
    period: Option<Period>,
) -> Markup {
    let href = measure_href(measure_ref, "");
    let Some(period) = period else {
        return html! {
            h2 #assess-heading { "Assess a period" }
            form.query method="get" action=(href) aria-labelledby="assess-heading" {
                label { "Period" input #assess-period name="assess" placeholder="Q4 2016/17" required; }
                button type="submit" { "Show what the rules suggest" }
            }
        };
    };
    let (status, direction) = measure.suggestions(rules, &period);
    let rag_plan = measure.definition.status_scheme == StatusScheme::Rag2010;
    let value = measure.values.get(&period).map(|v| v.raw.as_str());
    html! {
        h2 #assess-heading { "Assess " (period) }
        p.notice #suggestion {
            "The figure for " (period) " is " strong { (value.unwrap_or("not entered")) } ". "
            "The plan's rules (v" (rules.version) ") suggest "
            @if !rag_plan {
                "the status " strong { (status.map_or("none (they cannot tell)", Status::label)) } " and "
            }
            "the direction " strong { (direction.label()) } "; they are chosen below. "
            "Your judgement is recorded with the suggestion beside it."
        }
        form.query.assess method="post" action=(format!("{href}/assessments")) aria-labelledby="assess-heading" {
            input type="hidden" name="period" value=(period);
            input type="hidden" name="version" value=(version.0);
            input type="hidden" name="key" value=(scoreledger_store::new_id());
            @if rag_plan {
                label { "RAG rating"
                    select #assess-status name="status" {
                        option value="" { "(unchanged)" }
                        @for rag in Rag::ALL { option value=(rag.as_str()) { (rag.as_str()) } }
                    }
                }
            } @else {
                label { "Status"
                    select #assess-status name="status" {
                        option value="" { "(unchanged)" }
                        @for choice in Status::ALL {
                            option value=(choice.as_str()) selected[status == Some(*choice)] { (choice.symbol()) " " (choice.as_str().replace('_', " ")) }
                        }
                    }
                }
            }
            label { "Direction of travel"
                select #assess-direction name="direction" {
                    option value="" { "(unchanged)" }
                    @for choice in Direction::ALL {
                        option value=(choice.as_str()) selected[direction == *choice] { (choice.symbol()) " " (choice.as_str().replace('_', " ")) }
                    }
                }
            }
            label { "Reason (a published or locked period, or a reassessment)" input #assess-reason name="reason"; }
            button type="submit" { "Assess" }
        }
    }
}

/// `POST /measures/{ref}/assessments`.
pub(crate) async fn submit_assessment(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path(reference): Path<String>,
    Form(form): Form<AssessForm>,
) -> Result<Response, PageError> {
    let unprocessable = |message: String| PageError(ApiError::unprocessable(message));
    if !may_assess(&viewer) {
        return Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "assessing is for the performance team and admins; you act as {}",
                viewer.actor.role
            ),
        )));
    }
    let period = period_of(&form.period)?;
    let target = match find(
        &state,
        &viewer,
        reference.trim(),
        &period,
        "assess",
        &form.key,
    )
    .await?
    {
        Found::Landed(position) => return Ok(entered(reference.trim(), position)),
        Found::Measure(target) => target,
    };
    target.drawn_at(form.version)?;
    let rag_plan = target
        .current
        .measure()
        .is_some_and(|m| m.definition.status_scheme == StatusScheme::Rag2010);
    let mut commands = Vec::new();
    let status = form.status.trim();
    if !status.is_empty() {
        commands.push(if rag_plan {
            Command::AssessRag {
                period,
                rag: status.parse().map_err(unprocessable)?,
            }
        } else {
            Command::AssessStatus {
                period,
                status: status.parse().map_err(unprocessable)?,
            }
        });
    }
    let direction = form.direction.trim();
    if !direction.is_empty() {
        commands.push(Command::AssessDirection {
            period,
            direction: direction.parse().map_err(unprocessable)?,
        });
    }
    if commands.is_empty() {
        return Err(unprocessable(
            "nothing to assess: choose a status, a direction or both".into(),
        ));
    }
    let appended = submit(
        &*state.store,
        Submission {
            actor: &viewer.actor,
            stream: &target.stream,
            plan_id: Some(target.plan_id),
            commands: &commands,
            reason: Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty()),
            on_behalf_of: None,
            reported: None,
            commit_id: Some(target.commit_id),
            if_version: Some(target.version),
        },
    )
    .await
    .map_err(|err| PageError(ApiError::from(err)))?;
    Ok(entered(reference.trim(), appended.commit.position.0))
}
