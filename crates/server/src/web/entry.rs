//! Data entry on a measure's page, without JavaScript: an officer of the measure's directorate
//! (or the performance team, or an admin) enters or revises a period's value and writes its
//! data note. The form carries the version of the measure it was drawn from, so a change made
//! meanwhile is a conflict rather than overwritten, and a key of its own, so a form sent twice
//! lands once; it goes through the one write path, and the same-origin guard covers it as it
//! covers every form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use scoreledger_domain::{
    Command, CommandKind, DataQuality, MeasureDefinition, RecordedValue, RevisionClass, Role,
    StreamVersion,
};
use scoreledger_service::{submit, Submission};
use serde::Deserialize;

use super::layout::PageError;
use super::measure_form::{find, Found};
use super::signin::Viewer;
use super::{measure_href, period_of};
use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// What the form sends.
#[derive(Debug, Deserialize)]
pub(crate) struct EntryForm {
    period: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    /// The measure's stream version when the form was drawn.
    version: u64,
    /// The form's own key: sending it again lands nothing new.
    key: String,
}

/// Whether `viewer` may enter figures for a measure of this definition: officers for their own
/// directorate, the performance team and admins for any.
pub(super) fn may_enter(viewer: &Session, definition: &MeasureDefinition) -> bool {
    match viewer.actor.role {
        Role::Officer => viewer
            .directorate
            .as_deref()
            .is_some_and(|mine| definition.in_directorate(mine)),
        role => scoreledger_domain::decide::may_issue_kind(role, CommandKind::RecordValue),
    }
}

/// The form, drawn at the measure's `version`.
pub(super) fn form(measure_ref: &str, version: StreamVersion) -> Markup {
    let key = scoreledger_store::new_id();
    let classes = RevisionClass::ALL;
    html! {
        h2 #entry-heading { "Enter a value or a data note" }
        form.query.entry method="post" action=(format!("{}/entries", measure_href(measure_ref, ""))) aria-labelledby="entry-heading" {
            input type="hidden" name="version" value=(version.0);
            input type="hidden" name="key" value=(key);
            label { "Period" input #entry-period name="period" placeholder="Jan-17 or Q4 2016/17" required; }
            label { "Value, as the pack prints it" input #entry-value name="value" placeholder="27.5%"; }
            label { "If it revises a value: why, in kind"
                select #entry-classification name="classification" {
                    option value="" { "(a first value)" }
                    @for class in classes { option value=(class.as_str()) { (class.as_str().replace('_', " ")) } }
                }
            }
            label { "Data note" textarea #entry-note name="note" rows="2" cols="50" {} }
            label { "Reason (a revision, or a published or locked period)" input #entry-reason name="reason"; }
            button type="submit" { "Enter" }
        }
        p.hint { "Figures go in as entered and are never overwritten: a revision is recorded beside the value it replaces, with its reason." }
    }
}

/// `POST /measures/{ref}/entries`.
pub(crate) async fn submit_entry(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path(reference): Path<String>,
    Form(form): Form<EntryForm>,
) -> Result<Response, PageError> {
    let unprocessable = |message: String| PageError(ApiError::unprocessable(message));
    let period = period_of(&form.period)?;
    // A form sent again (a double click, the back button) finds what it entered the first
    // time, before anything is judged against what that entry changed.
    let target = match find(
        &state,
        &viewer,
        reference.trim(),
        &period,
        "page",
        &form.key,
    )
    .await?
    {
        Found::Landed(position) => return Ok(entered(reference.trim(), position)),
        Found::Measure(target) => target,
    };
    let Some(measure) = target.current.measure() else {
        return Err(PageError(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no measure {reference} is in the log"),
        )));
    };
    if !may_enter(&viewer, &measure.definition) {
        return Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "you may not enter figures for {}: officers enter their own directorate's ({})",
                measure.definition.measure_ref, measure.definition.directorate
            ),
        )));
    }
    // What was entered meanwhile decides whether this is a first value or a revision.
    target.drawn_at(form.version)?;
    let mut commands = Vec::new();
    let value = form.value.trim();
    if !value.is_empty() {
        let value = RecordedValue::parse(value).map_err(|err| unprocessable(err.to_string()))?;
        let quality = DataQuality::default();
        commands.push(match measure.values.get(&period) {
            None => Command::RecordValue {
                period,
                value,
                quality,
            },
            Some(_) => Command::ReviseValue {
                period,
                value,
                classification: form.classification.trim().parse().map_err(|err| {
                    unprocessable(format!(
                        "{period} has a value already, so this revises it: choose why ({err})"
                    ))
                })?,
                quality,
            },
        });
    }
    let note = form.note.trim();
    if !note.is_empty() {
        commands.push(Command::EditCommentary {
            period,
            text: note.to_owned(),
        });
    }
    if commands.is_empty() {
        return Err(unprocessable(
            "nothing to enter: give a value, a data note or both".into(),
        ));
    }
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let appended = submit(
        &*state.store,
        Submission {
            actor: &viewer.actor,
            stream: &target.stream,
            plan_id: Some(target.plan_id),
            commands: &commands,
            reason,
            on_behalf_of: None,
            reported: None,
            commit_id: Some(target.commit_id),
            if_version: Some(target.version),
        },
    )
    .await
    .map_err(|err| PageError(ApiError::from(err)))?;
    Ok(entered(
        measure.definition.measure_ref.as_str(),
        appended.commit.position.0,
    ))
}

/// Back to the measure's page, which says where the entry landed.
pub(super) fn entered(measure_ref: &str, position: u64) -> Response {
    Redirect::to(&format!(
        "{}?entered={position}",
        measure_href(measure_ref, "")
    ))
    .into_response()
}
