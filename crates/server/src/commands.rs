//! The write side of the API: measures and their definitions, values, revisions, data notes,
//! targets, assessments, sign-offs and approvals, locks and publications. The actor comes
//! from the token; `If-Match` (the stream version last read) turns a concurrent change into a
//! 409 with the current version; `Idempotency-Key` makes a retried request return the original
//! answer and append nothing; every answer carries the commit's log position, to pass as
//! `min_position` to the next query.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    Command, CommandKind, DataQuality, Direction, Frequency, MeasureDefinition, MeasureRef, Period,
    Polarity, RecordedValue, Rejection, RevisionClass, Role, Status, StreamVersion, ValueKind,
};
use scoreledger_service::{submit, Submission, SubmitError};
use scoreledger_store::{load, load_current, AppendError, ExecuteError};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Session;
use crate::error::{ApiError, ErrorBody};
use crate::responses::WriteErrors;
use crate::ServerState;

/// A JSON body whose problems are answered as `{"error": …}`: 400 for JSON that does not
/// parse, 422 naming the field for JSON of the wrong shape.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                let status = match &rejection {
                    JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    _ => rejection.status(),
                };
                Err(ApiError::new(status, rejection.body_text()))
            }
        }
    }
}

/// The body of a request in which `session` asks for `kinds` of command. Whether the role may
/// ask for them at all is checked first (the domain's rule, 403): a role that may not act
/// learns that before anything about its body, and nobody learns from a refusal how a body
/// they may not send would have been judged.
pub(crate) async fn permitted<T: DeserializeOwned>(
    session: &Session,
    kinds: &[CommandKind],
    raw: Request,
) -> Result<T, ApiError> {
    for kind in kinds {
        scoreledger_domain::permit(Some(session.actor.role), *kind)
            .map_err(|refusal| ApiError::new(StatusCode::FORBIDDEN, refusal.to_string()))?;
    }
    let Body(body) = Body::<T>::from_request(raw, &()).await?;
    Ok(body)
}

/// What a write answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    /// The commit's position in the log (pass it as `min_position` to read your write).
    pub position: u64,
    /// The stream written to.
    pub stream: String,
    /// The stream's version after the write (send it as `If-Match` with the next change).
    pub stream_version: u64,
    /// The commit.
    pub commit_id: String,
}

/// `POST /api/measures/{ref}/values`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordValueBody {
    /// The period, as the packs write it (`Q3 2016/17`, `Oct-16`, `2015/16`).
    pub period: String,
    /// The value as printed (`28.3%`, `62 (Oct-Nov only)`, `Not yet available`).
    pub value: String,
    /// `provisional`, `final` (the default) or `estimated`.
    pub quality: Option<String>,
    /// The source system (`Liquid Logic`).
    pub source: Option<String>,
    /// Why (needed for a published or locked period).
    pub reason: Option<String>,
    /// For whom it is entered.
    pub on_behalf_of: Option<String>,
}

/// `POST /api/measures/{ref}/revisions`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviseValueBody {
    /// The period.
    pub period: String,
    /// The new value as printed.
    pub value: String,
    /// `late_data`, `scheduled_revision`, `correction` or `definition_change`.
    pub classification: String,
    /// Why.
    pub reason: String,
    /// `provisional`, `final` (the default) or `estimated`.
    pub quality: Option<String>,
    /// The source system.
    pub source: Option<String>,
}

/// `POST /api/measures/{ref}/confirmations`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmValueBody {
    /// The period.
    pub period: String,
    /// What validated the figure.
    pub reason: String,
    /// Its quality now: `final` (the default), `provisional` or `estimated`.
    pub quality: Option<String>,
    /// The source system or release of the confirmed figure.
    pub source: Option<String>,
}

/// `POST /api/measures/{ref}/clinics`: a performance clinic called.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicCallBody {
    /// The day it is called for (`YYYY-MM-DD`).
    pub on: String,
    /// Who chairs it.
    pub chair: String,
    /// Why it is called.
    pub reason: String,
}

/// An action a clinic mandated.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateBody {
    /// What is to be done.
    pub action: String,
    /// Who is to do it.
    pub owner: String,
    /// By when (`YYYY-MM-DD`, not before the clinic).
    pub due_on: String,
}

/// `POST /api/measures/{ref}/clinics/held`: the clinic called for `on` held.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicHeldBody {
    /// The day it was called for.
    pub on: String,
    /// What it mandated.
    #[serde(default)]
    pub mandates: Vec<MandateBody>,
}

/// `POST /api/measures/{ref}/clinics/cancelled`: the clinic called for `on` cancelled.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicCancelledBody {
    /// The day it was called for.
    pub on: String,
    /// Why.
    pub reason: String,
}

/// `POST /api/measures/{ref}/targets`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// The financial year, e.g. `2016/17`.
    pub period: String,
    /// The target as printed (`87.5%`, `<5%`, `Baseline year`, a phased target).
    pub target: String,
    /// Why (needed to change a target).
    pub reason: Option<String>,
}

/// `POST /api/measures/{ref}/assessments`: a status, a direction of travel, or both.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentBody {
    /// The period.
    pub period: String,
    /// `on_target`, `satisfactory`, `off_target`, `under_development`, `not_applicable` or
    /// `not_yet_available`.
    pub status: Option<String>,
    /// `improved`, `stable`, `worse` or `not_applicable`.
    pub direction: Option<String>,
    /// Why (needed for a published or locked period).
    pub reason: Option<String>,
}

/// `POST /api/measures/{ref}/notes`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// The period.
    pub period: String,
    /// The whole note (the history keeps every version).
    pub text: String,
    /// Why (needed for a published or locked period).
    pub reason: Option<String>,
}

/// `POST /api/measures/{ref}/narratives`: what the report narrative says of a measure for a
/// period.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NarrativeBody {
    /// The period.
    pub period: String,
    /// The whole narrative (the history keeps every version).
    pub text: String,
    /// Why (needed for a published or locked period).
    pub reason: Option<String>,
}

/// `POST /api/measures/{ref}/basis-changes`: the measure's definition or data source changed
/// from a period on (`audit comparability` flags the directions of travel across it).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BasisChangeBody {
    /// The first period reported on the new basis (`Q3 2016/17`).
    pub from: String,
    /// What changed: `definition` or `source`.
    pub kind: String,
    /// What changed, as the pack says it.
    pub note: String,
    /// Whether the figures before `from` were restated on the new basis.
    #[serde(default)]
    pub restated: bool,
    /// Why, if there is more to say than the note.
    pub reason: Option<String>,
}

/// `POST /api/measures/{ref}/refreshes`: the measure's values of some periods will be
/// refreshed from their source for a later report (`audit refresh` follows them).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The periods of the values to be refreshed (`["Q3 2016/17"]`); each must have a value.
    pub periods: Vec<String>,
    /// The period of the report the refreshed figures are due for (`Q4 2016/17`).
    pub due: String,
    /// Why, as the pack says it.
    pub note: String,
    /// Why, if there is more to say than the note.
    pub reason: Option<String>,
}

pub(crate) fn field<T>(
    name: &str,
    result: Result<T, impl std::fmt::Display>,
) -> Result<T, ApiError> {
    result.map_err(|err| ApiError::unprocessable(format!("{name}: {err}")))
}

fn quality(quality: Option<&str>, source: Option<String>) -> Result<DataQuality, ApiError> {
    Ok(DataQuality {
        quality: match quality {
            Some(q) => field("quality", q.parse())?,
            None => DataQuality::default().quality,
        },
        source_system: source,
    })
}

/// `If-Match` as a stream version (`"3"` or `3`).
fn if_match(headers: &HeaderMap) -> Result<Option<StreamVersion>, ApiError> {
    headers
        .get(header::IF_MATCH)
        .map(|value| {
            value
                .to_str()
                .ok()
                .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|v| v.parse().ok())
                .map(StreamVersion)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "If-Match must be the stream version you last read, e.g. \"3\"",
                    )
                })
        })
        .transpose()
}

/// `Idempotency-Key`, as the id of the commit it may create. The id covers the token (two
/// clients' keys never collide), the stream and the request's body: the same key with another
/// body or for another measure is another request, judged afresh, never answered with the
/// first one's result.
fn idempotency_key(
    headers: &HeaderMap,
    session: &Session,
    stream: &str,
    request: &str,
) -> Result<Option<uuid::Uuid>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|value| {
            let key = value
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "Idempotency-Key must be 1 to 200 visible characters, e.g. a UUID",
                    )
                })?;
            Ok(scoreledger_store::derived_id(&[
                "api",
                &session.token_id,
                key,
                stream,
                request,
            ]))
        })
        .transpose()
}

/// The request an idempotency key is bound to: its route and the canonical JSON of its body
/// (keys sorted: serde_json's `Map` is a `BTreeMap` without its `preserve_order` feature).
/// `Debug` output is no stable format, and a retry across an upgrade must derive the same id.
pub(crate) fn request<B: Serialize>(route: &str, body: &B) -> String {
    let json = serde_json::to_value(body).expect("request bodies serialise to JSON");
    format!("{route} {json}")
}

impl From<SubmitError> for ApiError {
    fn from(err: SubmitError) -> Self {
        match err {
            SubmitError::Stale { current, .. }
            | SubmitError::Execute(ExecuteError::Append(AppendError::Conflict {
                actual: current,
                ..
            })) => ApiError {
                current_version: Some(current.0),
                ..ApiError::new(StatusCode::CONFLICT, err.to_string())
            },
            SubmitError::Execute(ExecuteError::Rejected(
                rejection @ (Rejection::NotAllowed { .. }
                | Rejection::NoRole { .. }
                | Rejection::MakerIsChecker { .. }),
            )) => ApiError::new(StatusCode::FORBIDDEN, rejection.to_string()),
            SubmitError::Execute(ExecuteError::Rejected(rejection)) => {
                ApiError::unprocessable(rejection.to_string())
            }
            SubmitError::Execute(ExecuteError::Append(
                unreadable @ (AppendError::Unreadable(_) | AppendError::Empty),
            )) => ApiError::unprocessable(unreadable.to_string()),
            SubmitError::Execute(ExecuteError::Append(AppendError::Corrupt { .. })) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string())
            }
            other => {
                tracing::error!(error = %other, "write failed");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, other.to_string())
            }
        }
    }
}

/// The measure `measure_ref` names, in the plan covering `period` (in any plan without one),
/// catching the read models up once if it is not there yet; `None` if no plan defines it.
pub(crate) async fn lookup(
    state: &ServerState,
    measure_ref: &MeasureRef,
    period: Option<&Period>,
) -> Result<Option<(scoreledger_domain::MeasureId, scoreledger_domain::PlanId)>, ApiError> {
    let found =
        scoreledger_projections::find_measure(&state.read, measure_ref.as_str(), period).await?;
    if found.is_some() {
        return Ok(found);
    }
    state.catch_up().await?;
    Ok(scoreledger_projections::find_measure(&state.read, measure_ref.as_str(), period).await?)
}

/// The measure `reference` names, as [`lookup`] finds it; 404 if no plan defines it.
async fn find(
    state: &ServerState,
    reference: &str,
    period: Option<&Period>,
) -> Result<(scoreledger_domain::MeasureId, scoreledger_domain::PlanId), ApiError> {
    let measure_ref = field("measure", MeasureRef::parse(reference))?;
    lookup(state, &measure_ref, period).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no measure {measure_ref} is defined"),
        )
    })
}

/// What one request asks to change about a measure.
struct Change {
    /// The request as received (its body), which an idempotency key is bound to.
    request: String,
    /// The period changed; `None` for a change to the measure itself.
    period: Option<Period>,
    commands: Vec<Command>,
    reason: Option<String>,
    on_behalf_of: Option<String>,
}

/// Runs `change` against the measure `reference` for `session`.
async fn write(
    state: &ServerState,
    session: &Session,
    headers: &HeaderMap,
    reference: &str,
    change: Change,
) -> Result<Response, ApiError> {
    let Change {
        request,
        period,
        commands,
        reason,
        on_behalf_of,
    } = change;
    let (measure_id, plan_id) = find(state, reference, period.as_ref()).await?;
    let stream = measure_id.stream();
    if session.actor.role == Role::Officer {
        let (measure, _) = load_current(&*state.store, &stream)
            .await
            .map_err(ApiError::log_unavailable)?;
        let mine = session.directorate.as_deref().unwrap_or_default();
        if let Some(theirs) = measure
            .measure()
            .map(|m| &m.definition)
            .filter(|d| !d.in_directorate(mine))
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "officers change only their own directorate's measures: yours is {mine}, {reference} is {}",
                    theirs.directorate
                ),
            ));
        }
    }
    let appended = submit(
        &*state.store,
        Submission {
            actor: &session.actor,
            stream: &stream,
            plan_id: Some(plan_id),
            commands: &commands,
            reason,
            on_behalf_of,
            reported: None,
            commit_id: idempotency_key(headers, session, stream.as_str(), &request)?,
            if_version: if_match(headers)?,
        },
    )
    .await?;
    Ok(answer(state, &stream, appended))
}

/// A write's answer: 201 with the position and version (the version also as `ETag`), marked
/// when it replays an earlier answer for the same idempotency key.
fn answer(
    state: &ServerState,
    stream: &scoreledger_domain::StreamId,
    appended: scoreledger_store::Appended,
) -> Response {
    if !appended.deduplicated {
        state.metrics.appended();
    }
    let commit = appended.commit;
    let written = Written {
        position: commit.position.0,
        stream: stream.to_string(),
        stream_version: commit.stream_version.0,
        commit_id: commit.commit_id.to_string(),
    };
    let mut response = (StatusCode::CREATED, Json(written)).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", commit.stream_version.0)) {
        headers.insert(header::ETAG, etag);
    }
    if appended.deduplicated {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Record a value for a period (officers: their directorate's measures only).
#[utoipa::path(post, path = "/api/measures/{measure}/values", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference, e.g. 2.B5"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely: the same key returns the original answer")),
    request_body = RecordValueBody,
    responses(
        (status = 201, description = "Recorded", body = Written),
        (status = 403, description = "Another directorate's measure, or a role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, a rule (recorded already, locked, needs a reason)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn record_value(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: RecordValueBody = permitted(&session, &[CommandKind::RecordValue], raw).await?;
    let request = request("POST /api/measures/{measure}/values", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::RecordValue {
        period,
        value: field("value", RecordedValue::parse(&body.value))?,
        quality: quality(body.quality.as_deref(), body.source)?,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: body.reason,
            on_behalf_of: body.on_behalf_of,
        },
    )
    .await
}

/// Revise a recorded value, with a classification and a reason.
#[utoipa::path(post, path = "/api/measures/{measure}/revisions", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ReviseValueBody,
    responses(
        (status = 201, description = "Revised", body = Written),
        (status = 403, description = "Another directorate's measure, or a role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (nothing to revise, locked)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn revise_value(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ReviseValueBody = permitted(&session, &[CommandKind::ReviseValue], raw).await?;
    let request = request("POST /api/measures/{measure}/revisions", &body);
    let period = field("period", Period::parse(&body.period))?;
    let classification: RevisionClass = field("classification", body.classification.parse())?;
    let command = Command::ReviseValue {
        period,
        value: field("value", RecordedValue::parse(&body.value))?,
        classification,
        quality: quality(body.quality.as_deref(), body.source)?,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: Some(body.reason),
            on_behalf_of: None,
        },
    )
    .await
}

/// Confirm a recorded value as it stands with new quality flags (a provisional figure
/// validated, an estimate confirmed), with a reason; a new figure is a revision.
#[utoipa::path(post, path = "/api/measures/{measure}/confirmations", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ConfirmValueBody,
    responses(
        (status = 201, description = "Confirmed", body = Written),
        (status = 403, description = "Another directorate's measure, or a role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (nothing to confirm, the same flags, locked)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn confirm_value(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ConfirmValueBody = permitted(&session, &[CommandKind::ConfirmValue], raw).await?;
    let request = request("POST /api/measures/{measure}/confirmations", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::ConfirmValue {
        period,
        quality: quality(body.quality.as_deref(), body.source)?,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: Some(body.reason),
            on_behalf_of: None,
        },
    )
    .await
}

pub(crate) fn day(name: &str, text: &str) -> Result<chrono::NaiveDate, ApiError> {
    field(
        name,
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("{text:?} is not a date; write it as YYYY-MM-DD")),
    )
}

impl Change {
    /// A change not about a period (a clinic), with the reason it carries.
    fn undated(request: String, command: Command, reason: Option<String>) -> Self {
        Self {
            request,
            period: None,
            commands: vec![command],
            reason,
            on_behalf_of: None,
        }
    }
}

/// Call a performance clinic for the measure, with its chair and why.
#[utoipa::path(post, path = "/api/measures/{measure}/clinics", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ClinicCallBody,
    responses(
        (status = 201, description = "Called", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (already called for that day)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn call_clinic(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ClinicCallBody = permitted(&session, &[CommandKind::CallClinic], raw).await?;
    let request = request("POST /api/measures/{measure}/clinics", &body);
    let command = Command::CallClinic {
        on: day("on", &body.on)?,
        chair: body.chair,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change::undated(request, command, Some(body.reason)),
    )
    .await
}

/// Record that a called clinic was held, with the actions it mandated.
#[utoipa::path(post, path = "/api/measures/{measure}/clinics/held", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ClinicHeldBody,
    responses(
        (status = 201, description = "Held", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (not called, already held or cancelled, a mandate due before the clinic)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn hold_clinic(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ClinicHeldBody = permitted(&session, &[CommandKind::HoldClinic], raw).await?;
    let request = request("POST /api/measures/{measure}/clinics/held", &body);
    let mandates = body
        .mandates
        .iter()
        .map(|m| {
            Ok(scoreledger_domain::clinic::Mandate {
                action: m.action.clone(),
                owner: m.owner.clone(),
                due_on: day("due_on", &m.due_on)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let command = Command::HoldClinic {
        on: day("on", &body.on)?,
        mandates,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change::undated(request, command, None),
    )
    .await
}

/// Cancel a called clinic, with why.
#[utoipa::path(post, path = "/api/measures/{measure}/clinics/cancelled", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ClinicCancelledBody,
    responses(
        (status = 201, description = "Cancelled", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (not called, already held or cancelled)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn cancel_clinic(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: ClinicCancelledBody = permitted(&session, &[CommandKind::CancelClinic], raw).await?;
    let request = request("POST /api/measures/{measure}/clinics/cancelled", &body);
    let command = Command::CancelClinic {
        on: day("on", &body.on)?,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change::undated(request, command, Some(body.reason)),
    )
    .await
}

/// Write the data note for a period.
#[utoipa::path(post, path = "/api/measures/{measure}/notes", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = NoteBody,
    responses(
        (status = 201, description = "Written", body = Written),
        (status = 403, description = "Another directorate's measure, or a role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (locked, needs a reason)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn write_note(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: NoteBody = permitted(&session, &[CommandKind::EditCommentary], raw).await?;
    let request = request("POST /api/measures/{measure}/notes", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::EditCommentary {
        period,
        text: body.text,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Write what the report narrative says of the measure for a period (the whole text), so
/// the numbers it quotes can be checked against the scorecard (`audit narrative`).
#[utoipa::path(post, path = "/api/measures/{measure}/narratives", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = NarrativeBody,
    responses(
        (status = 201, description = "Written", body = Written),
        (status = 403, description = "Another directorate's measure, or a role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (locked, needs a reason)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn write_narrative(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: NarrativeBody = permitted(&session, &[CommandKind::EditNarrative], raw).await?;
    let request = request("POST /api/measures/{measure}/narratives", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::EditNarrative {
        period,
        text: body.text,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Record that the measure's definition or data source changed from a period on, and whether
/// the earlier figures were restated on the new basis (the performance team).
#[utoipa::path(post, path = "/api/measures/{measure}/basis-changes", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = BasisChangeBody,
    responses(
        (status = 201, description = "Recorded", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field (the period, the kind, an empty note)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn record_basis_change(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: BasisChangeBody = permitted(&session, &[CommandKind::RecordBasisChange], raw).await?;
    let request = request("POST /api/measures/{measure}/basis-changes", &body);
    let from = field("from", Period::parse(&body.from))?;
    let kind = field("kind", body.kind.parse::<scoreledger_domain::BasisKind>())?;
    let command = Command::RecordBasisChange {
        kind,
        from,
        note: body.note,
        restated: body.restated,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(from),
            commands: vec![command],
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Announce that the measure's values of some periods will be refreshed from their source for
/// a later report, in one commit (the performance team).
#[utoipa::path(post, path = "/api/measures/{measure}/refreshes", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = RefreshBody,
    responses(
        (status = 201, description = "Announced", body = Written),
        (status = 403, description = "A role that may not do this", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field (a period with no value, a due report before it, an empty note)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn announce_refresh(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: RefreshBody = permitted(&session, &[CommandKind::AnnounceRefresh], raw).await?;
    let request = request("POST /api/measures/{measure}/refreshes", &body);
    let due = field("due", Period::parse(&body.due))?;
    let periods = body
        .periods
        .iter()
        .map(|p| field("periods", Period::parse(p)))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = periods.first().copied() else {
        return Err(ApiError::unprocessable(
            "periods: name at least one period whose value will be refreshed",
        ));
    };
    let commands = periods
        .iter()
        .map(|period| Command::AnnounceRefresh {
            period: *period,
            due,
            note: body.note.clone(),
        })
        .collect();
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(first),
            commands,
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Set or change the target for a financial year (the performance team).
#[utoipa::path(post, path = "/api/measures/{measure}/targets", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = TargetBody,
    responses(
        (status = 201, description = "Set", body = Written),
        (status = 403, description = "A role that may not set targets", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, or a rule (a change needs a reason)", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn set_target(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: TargetBody = permitted(&session, &[CommandKind::SetTarget], raw).await?;
    let request = request("POST /api/measures/{measure}/targets", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::SetTarget {
        period,
        target: field("target", TargetSpec::parse(&body.target))?,
    };
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Assess the status and/or direction of travel of a period (the performance team); the
/// rules' suggestion is recorded beside each assessment.
#[utoipa::path(post, path = "/api/measures/{measure}/assessments", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = AssessmentBody,
    responses(
        (status = 201, description = "Assessed", body = Written),
        (status = 403, description = "A role that may not assess", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, neither a status nor a direction, or a rule", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn assess(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: AssessmentBody = permitted(
        &session,
        &[CommandKind::AssessStatus, CommandKind::AssessDirection],
        raw,
    )
    .await?;
    let request = request("POST /api/measures/{measure}/assessments", &body);
    let period = field("period", Period::parse(&body.period))?;
    let status: Option<Status> = body
        .status
        .as_deref()
        .map(|s| field("status", s.parse()))
        .transpose()?;
    let direction: Option<Direction> = body
        .direction
        .as_deref()
        .map(|d| field("direction", d.parse()))
        .transpose()?;
    if status.is_none() && direction.is_none() {
        return Err(ApiError::unprocessable(
            "give a status, a direction, or both",
        ));
    }
    let mut commands = Vec::new();
    if let Some(status) = status {
        commands.push(Command::AssessStatus { period, status });
    }
    if let Some(direction) = direction {
        commands.push(Command::AssessDirection { period, direction });
    }
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: Some(period),
            commands,
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// `POST /api/locks` and `POST /api/reopenings`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    /// The period, e.g. `Q3 2016/17` (its months are covered too).
    pub period: String,
    /// Why (needed to reopen).
    pub reason: Option<String>,
}

/// `POST /api/set-asides`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAsideBody {
    /// The position of the commit that cannot be read (as `/readyz` names it).
    pub position: u64,
    /// Why it is set aside rather than repaired (every report built across it shows this).
    pub reason: Option<String>,
}

/// `POST /api/reports`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// The period reported, e.g. `Q3 2016/17`.
    pub period: String,
    /// The meeting it goes to.
    pub meeting: String,
    /// The date of publication.
    #[schema(value_type = String, format = Date)]
    pub published_on: chrono::NaiveDate,
}

/// Appends `command` to a stream for `session` and answers like every write; `plan_id` names
/// the plan a new measure joins, so it is judged against that plan.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_to(
    state: &ServerState,
    session: &Session,
    headers: &HeaderMap,
    stream: &scoreledger_domain::StreamId,
    plan_id: Option<scoreledger_domain::PlanId>,
    command: Command,
    reason: Option<String>,
    request: &str,
) -> Result<Response, ApiError> {
    let appended = submit(
        &*state.store,
        Submission {
            actor: &session.actor,
            stream,
            plan_id,
            commands: std::slice::from_ref(&command),
            reason,
            on_behalf_of: None,
            reported: None,
            commit_id: idempotency_key(headers, session, stream.as_str(), request)?,
            if_version: if_match(headers)?,
        },
    )
    .await?;
    Ok(answer(state, stream, appended))
}

/// The plan covering `period`, as the caught-up read models know it.
async fn plan_covering(
    state: &ServerState,
    period: &Period,
) -> Result<scoreledger_domain::PlanId, ApiError> {
    let head = state.catch_up().await?;
    scoreledger_projections::scorecard::find_plan(&state.read, period, head)
        .await?
        .map(|plan| plan.plan_id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no plan covers {period}")))
}

/// Lock a period: from now on a change to it needs the performance team and a reason.
#[utoipa::path(post, path = "/api/locks", tag = "periods",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = LockBody,
    responses(
        (status = 201, description = "Locked", body = Written),
        (status = 403, description = "A role that may not lock", body = ErrorBody),
        (status = 404, description = "No plan covers the period", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, already locked, or outside the plan's year", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn lock(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: LockBody = permitted(&session, &[CommandKind::LockPeriod], raw).await?;
    write_to_plan(
        &state,
        &session,
        &headers,
        ("POST /api/locks", body),
        |period| Command::LockPeriod { period },
    )
    .await
}

/// Reopen a locked period, with a reason.
#[utoipa::path(post, path = "/api/reopenings", tag = "periods",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = LockBody,
    responses(
        (status = 201, description = "Reopened", body = Written),
        (status = 403, description = "A role that may not reopen", body = ErrorBody),
        (status = 404, description = "No plan covers the period", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, not locked, or no reason", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn reopen(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: LockBody = permitted(&session, &[CommandKind::ReopenPeriod], raw).await?;
    write_to_plan(
        &state,
        &session,
        &headers,
        ("POST /api/reopenings", body),
        |period| Command::ReopenPeriod { period },
    )
    .await
}

/// A lock or a reopening: the command for the body's period, on the plan covering it.
async fn write_to_plan(
    state: &ServerState,
    session: &Session,
    headers: &HeaderMap,
    (route, body): (&str, LockBody),
    command: impl FnOnce(Period) -> Command,
) -> Result<Response, ApiError> {
    // A lock and a reopening of the same period with the same key are two requests.
    let request = request(route, &body);
    let period = field("period", Period::parse(&body.period))?;
    let plan = plan_covering(state, &period).await?;
    write_to(
        state,
        session,
        headers,
        &plan.stream(),
        None,
        command(period),
        body.reason,
        &request,
    )
    .await
}

/// Set aside the one commit the log cannot read (a bug, a damaged disk), so the read models
/// pass over it: admins only, with a reason, and only a commit that really cannot be read. The
/// setting aside is itself a commit, shown in the history and by every report built across it.
#[utoipa::path(post, path = "/api/set-asides", tag = "operations",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = SetAsideBody,
    responses(
        (status = 201, description = "Set aside; the read models pass over the commit from now on", body = Written),
        (status = 403, description = "Only an admin sets a commit aside", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, the commit can be read, is already set aside, or no reason was given", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn set_aside(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: SetAsideBody = permitted(&session, &[CommandKind::SetAsideCommit], raw).await?;
    let request = request("POST /api/set-asides", &body);
    let position = scoreledger_domain::Position(body.position);
    let set_aside_id = scoreledger_store::set_aside_id(position);
    write_to(
        &state,
        &session,
        &headers,
        &set_aside_id.stream(),
        None,
        Command::SetAsideCommit {
            set_aside_id,
            position,
        },
        body.reason,
        &request,
    )
    .await
}

/// Publish the report of a period as it stands now: its SHA-256 and cut-off are recorded so
/// it can be rebuilt byte for byte (`GET /api/reports/{id}`).
#[utoipa::path(post, path = "/api/reports", tag = "reports",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = PublishBody,
    responses(
        (status = 201, description = "Published; the stream names the report", body = Written),
        (status = 403, description = "A role that may not publish", body = ErrorBody),
        (status = 404, description = "No plan covers the period", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, a date outside the publication window, or a rule", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: PublishBody = permitted(&session, &[CommandKind::PublishReport], raw).await?;
    let period = field("period", Period::parse(&body.period))?;
    let cut_off = state.catch_up().await?;
    // A retried publication is the same report: with an idempotency key, its id comes from
    // the key and the request, not from the report built (the log may have moved on).
    let request = request("POST /api/reports", &body);
    let report_id = scoreledger_domain::ReportId(
        idempotency_key(&headers, &session, "report", &request)?
            .unwrap_or_else(scoreledger_store::new_id),
    );
    let (command, _) = scoreledger_service::publication(
        &state.read,
        period,
        cut_off,
        &body.meeting,
        body.published_on,
        report_id,
    )
    .await?;
    write_to(
        &state,
        &session,
        &headers,
        &report_id.stream(),
        None,
        command,
        None,
        &request,
    )
    .await
}

/// `POST /api/measures/{ref}/signoffs` and `POST /api/measures/{ref}/approvals`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// The period whose current value (or data note) is checked, e.g. `Q3 2016/17`.
    pub period: String,
}

/// `POST /api/measures/{ref}/amendments`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBody {
    /// Field → new value: `title`, `action`, `lead_officer`, `directorate`, `polarity`,
    /// `polarity_text`, `frequency`, `frequency_text`, `priority_measure` (`yes`/`no`).
    /// Fields already reading so are left out; another name is refused.
    pub changes: std::collections::BTreeMap<String, String>,
    /// Why the definition changes (required).
    pub reason: Option<String>,
}

/// `POST /api/measures/{ref}/withdrawals` and `POST /api/measures/{ref}/reinstatements`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicabilityBody {
    /// The first period the measure no longer applies to (a withdrawal) or applies to again
    /// (a reinstatement), e.g. `Q3 2016/17`.
    pub from: String,
    /// Why (required).
    pub reason: Option<String>,
}

/// `POST /api/measures`: a measure as the importer's JSON gives one, plus the plan's year.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureBody {
    /// The financial year of the plan the measure belongs to, e.g. `2016/17`.
    pub year: String,
    /// Reference, e.g. `2.B5` or `4.B5 (b)`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Reference as printed (default: `ref`).
    pub ref_as_printed: Option<String>,
    /// Priority number.
    pub priority: u8,
    /// Outcome letter within the priority.
    pub outcome: String,
    /// The Corporate Plan action it supports.
    #[serde(default)]
    pub action: String,
    /// The measure text.
    pub measure: String,
    /// Whether it is one of the plan's priority measures.
    #[serde(default)]
    pub priority_measure: bool,
    /// Lead officer.
    pub lead_officer: String,
    /// Directorate of the lead officer.
    pub directorate: String,
    /// Lead accountability (Strategic Director).
    #[serde(default)]
    pub lead_accountability: String,
    /// `high`, `low`, `mid_range` or `not_applicable`.
    pub polarity: String,
    /// Polarity as printed (default: the polarity).
    pub polarity_text: Option<String>,
    /// `monthly`, `quarterly`, `termly`, `six_monthly`, `annual` or `biennial`.
    pub frequency: String,
    /// Frequency as printed (default: the frequency).
    pub frequency_text: Option<String>,
    /// `point_in_time` (the default), `cumulative` or `rolling`.
    pub value_kind: Option<String>,
    /// The year's target as printed (`87.5%`, `Baseline year`); none when absent.
    pub target: Option<String>,
    /// The baseline as printed (`57.6% (2008/09 outturn) (2270/3940)`); none when absent.
    pub baseline: Option<String>,
}

/// Sign off the current value of a period: approvers and admins, never whoever recorded or
/// last revised it (maker ≠ checker). A later revision needs a new sign-off.
#[utoipa::path(post, path = "/api/measures/{measure}/signoffs", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = CheckBody,
    responses(
        (status = 201, description = "Signed off", body = Written),
        (status = 403, description = "A role that may not sign off, or the value's own maker", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, no value, or already signed off", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn sign_off(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: CheckBody = permitted(&session, &[CommandKind::SignOffValue], raw).await?;
    let request = request("POST /api/measures/{measure}/signoffs", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::SignOffValue { period };
    check(
        &state,
        &session,
        &headers,
        &reference,
        (request, period, command),
    )
    .await
}

/// Approve the current data note of a period: approvers and admins, never its author
/// (maker ≠ checker). A later edit needs a new approval.
#[utoipa::path(post, path = "/api/measures/{measure}/approvals", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = CheckBody,
    responses(
        (status = 201, description = "Approved", body = Written),
        (status = 403, description = "A role that may not approve, or the note's own author", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, no note, or already approved", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn approve_note(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: CheckBody = permitted(&session, &[CommandKind::ApproveCommentary], raw).await?;
    // The route is part of the request an idempotency key is bound to: the same key and
    // period for a sign-off is another request.
    let request = request("POST /api/measures/{measure}/approvals", &body);
    let period = field("period", Period::parse(&body.period))?;
    let command = Command::ApproveCommentary { period };
    check(
        &state,
        &session,
        &headers,
        &reference,
        (request, period, command),
    )
    .await
}

async fn check(
    state: &ServerState,
    session: &Session,
    headers: &HeaderMap,
    reference: &str,
    (request, period, command): (String, Period, Command),
) -> Result<Response, ApiError> {
    write(
        state,
        session,
        headers,
        reference,
        Change {
            request,
            period: Some(period),
            commands: vec![command],
            reason: None,
            on_behalf_of: None,
        },
    )
    .await
}

/// Amend the measure's definition, field by field, with a reason (the performance team).
#[utoipa::path(post, path = "/api/measures/{measure}/amendments", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = AmendmentBody,
    responses(
        (status = 201, description = "Amended", body = Written),
        (status = 403, description = "A role that may not amend", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: no reason, an unknown field, or nothing changes", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn amend(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: AmendmentBody = permitted(&session, &[CommandKind::AmendMeasure], raw).await?;
    let request = request("POST /api/measures/{measure}/amendments", &body);
    write(
        &state,
        &session,
        &headers,
        &reference,
        Change {
            request,
            period: None,
            commands: vec![Command::AmendMeasure {
                changes: body.changes,
            }],
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Withdraw the measure from a period on, with a reason (the performance team): reports of
/// that period and later leave it out; reports published before keep it.
#[utoipa::path(post, path = "/api/measures/{measure}/withdrawals", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ApplicabilityBody,
    responses(
        (status = 201, description = "Withdrawn", body = Written),
        (status = 403, description = "A role that may not withdraw measures", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: no reason, a period that does not read, a locked period, or already withdrawn then", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    applicability(
        &state,
        &session,
        &headers,
        &reference,
        raw,
        CommandKind::WithdrawMeasure,
    )
    .await
}

/// Reinstate a withdrawn measure from a period on, with a reason (the performance team).
#[utoipa::path(post, path = "/api/measures/{measure}/reinstatements", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference"),
        ("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = ApplicabilityBody,
    responses(
        (status = 201, description = "Reinstated", body = Written),
        (status = 403, description = "A role that may not reinstate measures", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: no reason, a period that does not read, a locked period, or not withdrawn then", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn reinstate(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    Path(reference): Path<String>,
    raw: Request,
) -> Result<Response, ApiError> {
    applicability(
        &state,
        &session,
        &headers,
        &reference,
        raw,
        CommandKind::ReinstateMeasure,
    )
    .await
}

async fn applicability(
    state: &ServerState,
    session: &Session,
    headers: &HeaderMap,
    reference: &str,
    raw: Request,
    kind: CommandKind,
) -> Result<Response, ApiError> {
    let body: ApplicabilityBody = permitted(session, &[kind], raw).await?;
    let (route, command): (&str, fn(Period) -> Command) = match kind {
        CommandKind::ReinstateMeasure => ("POST /api/measures/{measure}/reinstatements", |from| {
            Command::ReinstateMeasure { from }
        }),
        _ => ("POST /api/measures/{measure}/withdrawals", |from| {
            Command::WithdrawMeasure { from }
        }),
    };
    let request = request(route, &body);
    let from = field("from", Period::parse(&body.from))?;
    write(
        state,
        session,
        headers,
        reference,
        Change {
            request,
            period: Some(from),
            commands: vec![command(from)],
            reason: body.reason,
            on_behalf_of: None,
        },
    )
    .await
}

/// Define a measure in the plan of `year`, with its first target (the performance team).
/// Its id is derived from the plan and the reference, as an import derives it, so a measure
/// defined twice (here or by an import) is refused the second time.
#[utoipa::path(post, path = "/api/measures", tag = "measures",
    params(("If-Match" = Option<String>, Header, description = "The stream version last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely")),
    request_body = MeasureBody,
    responses(
        (status = 201, description = "Defined; the stream names the measure", body = Written),
        (status = 403, description = "A role that may not define measures", body = ErrorBody),
        (status = 404, description = "No plan covers the year", body = ErrorBody),
        (status = 409, description = "Changed since you read it (`If-Match`), or by another writer first: the answer carries `current_version`", body = ErrorBody),
        (status = 422, description = "Refused: a field, a priority or outcome the plan does not have, or the measure exists already", body = ErrorBody),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn define_measure(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    raw: Request,
) -> Result<Response, ApiError> {
    let body: MeasureBody = permitted(&session, &[CommandKind::DefineMeasure], raw).await?;
    let request = request("POST /api/measures", &body);
    let year = field("year", Period::parse(&body.year))?;
    let plan_id = plan_covering(&state, &year).await?;
    let (plan, _) = load(&*state.store, &plan_id.stream())
        .await
        .map_err(ApiError::log_unavailable)?;
    let plan = plan
        .plan()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no plan covers {year}")))?;
    let measure_ref = field("ref", MeasureRef::parse(&body.reference))?;
    let polarity: Polarity = field("polarity", body.polarity.parse())?;
    let frequency: Frequency = field("frequency", body.frequency.parse())?;
    let value_kind: ValueKind = match body.value_kind.as_deref() {
        Some(kind) => field("value_kind", kind.parse())?,
        None => ValueKind::PointInTime,
    };
    let target = body
        .target
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| field("target", TargetSpec::parse(t)))
        .transpose()?
        .map(|t| (plan.financial_year, t));
    let measure_id = scoreledger_store::measure_id_for(plan_id, &measure_ref);
    let definition = MeasureDefinition {
        plan_id,
        ref_as_printed: body
            .ref_as_printed
            .clone()
            .unwrap_or_else(|| body.reference.clone()),
        measure_ref,
        priority: body.priority,
        outcome: body.outcome,
        action: body.action,
        title: body.measure,
        priority_measure: body.priority_measure,
        lead_officer: body.lead_officer,
        directorate: body.directorate,
        lead_accountability: body.lead_accountability,
        polarity,
        polarity_text: body.polarity_text.unwrap_or_else(|| polarity.to_string()),
        frequency,
        frequency_text: body.frequency_text.unwrap_or_else(|| frequency.to_string()),
        value_kind,
        status_scheme: plan.status_scheme,
        baseline: body.baseline.clone().unwrap_or_default().trim().to_owned(),
    };
    write_to(
        &state,
        &session,
        &headers,
        &measure_id.stream(),
        Some(plan_id),
        Command::DefineMeasure {
            measure_id,
            definition,
            target,
        },
        None,
        &request,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idempotency_key_derives_one_commit_id_from_the_canonical_body() {
        let body = LockBody {
            period: "Q3 2016/17".into(),
            reason: Some("year end".into()),
        };
        let request = request("POST /api/locks", &body);
        assert_eq!(
            request,
            r#"POST /api/locks {"period":"Q3 2016/17","reason":"year end"}"#
        );
        // Pinned: a change to the derivation appends a retry twice across an upgrade.
        let id = scoreledger_store::derived_id(&["api", "token-1", "key-1", "plan-1", &request]);
        assert_eq!(id.to_string(), "9d19eeb3-864a-8426-85af-1d229fd1f1da");
    }

    #[test]
    fn a_lock_and_a_reopening_with_the_same_key_and_body_are_two_requests() {
        let body = || LockBody {
            period: "Q3 2016/17".into(),
            reason: Some("late data".into()),
        };
        assert_ne!(
            request("POST /api/locks", &body()),
            request("POST /api/reopenings", &body())
        );
    }
}
