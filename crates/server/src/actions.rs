//! Improvement actions over HTTP (the performance team and admins): register a key action,
//! move its target date, rate it, record it completed. An action is named by its plan and key
//! action, as registered, as on the command line; each write goes through the one write path.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use scoreledger_domain::{Command, CommandKind, Direction, MeasureRef, Rag};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Session;
use crate::commands::{day, field, lookup, permitted, request, write_to, Written};
use crate::error::{ApiError, ErrorBody};
use crate::responses::WriteErrors;
use crate::ServerState;

/// `POST /api/actions`: a key action of an improvement plan.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// The plan it belongs to.
    pub plan: String,
    /// The key action, as the plan writes it (with the plan, it names the action).
    pub key_action: String,
    /// The objective it serves.
    pub objective: String,
    /// Who leads it.
    pub lead: String,
    /// When it is due, as printed ("June 2010").
    pub target_date: String,
    /// The measures it is meant to improve (references).
    #[serde(default)]
    pub measures: Vec<String>,
}

/// `POST /api/actions/moves`: a new target date for an action.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionMoveBody {
    /// The plan.
    pub plan: String,
    /// The key action.
    pub key_action: String,
    /// The new target date, as printed.
    pub to: String,
    /// Why it moved (a move without one is listed as having none).
    pub reason: Option<String>,
}

/// `POST /api/actions/ratings`: an action's RAG rating at an update.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRatingBody {
    /// The plan.
    pub plan: String,
    /// The key action.
    pub key_action: String,
    /// `red`, `amber`, `green` or `complete`.
    pub rag: String,
    /// The arrow beside it: `improved`, `stable` or `worse`.
    pub arrow: Option<String>,
    /// Why, if the rating is not what the figures suggest.
    pub reason: Option<String>,
}

/// `POST /api/actions/completions`: an action completed.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionCompletionBody {
    /// The plan.
    pub plan: String,
    /// The key action.
    pub key_action: String,
    /// The day it was completed (`YYYY-MM-DD`).
    pub on: String,
    /// What evidences it.
    pub reason: Option<String>,
}

/// Appends `command` to the action named by `plan` and `key_action`.
async fn write_action(
    state: &ServerState,
    session: &Session,
    headers: &HeaderMap,
    (plan, key_action): (&str, &str),
    command: Command,
    reason: Option<String>,
    request: &str,
) -> Result<Response, ApiError> {
    let stream = scoreledger_store::action_id_for(plan, key_action).stream();
    write_to(
        state, session, headers, &stream, None, command, reason, request,
    )
    .await
}

/// Register a key action of an improvement plan.
#[utoipa::path(post, path = "/api/actions", tag = "actions",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ActionBody,
    responses(
        (status = 201, description = "Registered", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or the action is already registered", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn register(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ActionBody = permitted(&session, &[CommandKind::RegisterAction], raw).await?;
    let request = request("POST /api/actions", &body);
    let measures = body
        .measures
        .iter()
        .map(|m| field("measures", MeasureRef::parse(m)))
        .collect::<Result<Vec<_>, _>>()?;
    // A reference no plan defines would leave the action improving nothing anyone can find.
    for measure in &measures {
        if lookup(&state, measure, None).await?.is_none() {
            return Err(ApiError::unprocessable(format!(
                "measures: no measure {measure} is defined; name measures of a plan"
            )));
        }
    }
    let command = Command::RegisterAction {
        action_id: scoreledger_store::action_id_for(&body.plan, &body.key_action),
        plan: body.plan.clone(),
        objective: body.objective,
        key_action: body.key_action.clone(),
        lead: body.lead,
        target_date: body.target_date,
        measures,
    };
    let named = (body.plan.as_str(), body.key_action.as_str());
    write_action(&state, &session, &headers, named, command, None, &request).await
}

/// Move an action's target date.
#[utoipa::path(post, path = "/api/actions/moves", tag = "actions",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ActionMoveBody,
    responses(
        (status = 201, description = "Moved", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, no such action, the same date, or the action is completed", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn move_date(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ActionMoveBody =
        permitted(&session, &[CommandKind::MoveActionTargetDate], raw).await?;
    let request = request("POST /api/actions/moves", &body);
    let command = Command::MoveActionTargetDate { to: body.to };
    let named = (body.plan.as_str(), body.key_action.as_str());
    write_action(
        &state,
        &session,
        &headers,
        named,
        command,
        body.reason,
        &request,
    )
    .await
}

/// Give an action its RAG rating, with its arrow.
#[utoipa::path(post, path = "/api/actions/ratings", tag = "actions",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ActionRatingBody,
    responses(
        (status = 201, description = "Rated", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, no such action, already rated so, or completed", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn rate(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ActionRatingBody = permitted(&session, &[CommandKind::RateAction], raw).await?;
    let request = request("POST /api/actions/ratings", &body);
    let rag: Rag = field("rag", body.rag.parse())?;
    let arrow: Option<Direction> = body
        .arrow
        .as_deref()
        .map(|a| field("arrow", a.parse()))
        .transpose()?;
    let command = Command::RateAction { rag, arrow };
    let named = (body.plan.as_str(), body.key_action.as_str());
    write_action(
        &state,
        &session,
        &headers,
        named,
        command,
        body.reason,
        &request,
    )
    .await
}

/// Record an action completed.
#[utoipa::path(post, path = "/api/actions/completions", tag = "actions",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ActionCompletionBody,
    responses(
        (status = 201, description = "Completed", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, no such action, or already completed", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn complete(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ActionCompletionBody =
        permitted(&session, &[CommandKind::CompleteAction], raw).await?;
    let request = request("POST /api/actions/completions", &body);
    let command = Command::CompleteAction {
        on: day("on", &body.on)?,
    };
    let named = (body.plan.as_str(), body.key_action.as_str());
    write_action(
        &state,
        &session,
        &headers,
        named,
        command,
        body.reason,
        &request,
    )
    .await
}
