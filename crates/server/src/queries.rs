//! The read side of the API: the scorecard of a period, published reports and their
//! restatements, a measure, the history. Every query answers at `as_at` (end of a day) or
//! `position`, and with `min_position` first brings the read models up to that position, so a
//! client reads its own writes.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::Uri;
use axum::Json;
use chrono::NaiveDate;
use scoreledger_domain::{MeasureRef, Period, Position};
use scoreledger_projections::{
    self as projections, HistoryEntry, HistoryFilter, HistoryKind, Publication,
};
use scoreledger_service::{self as service, AsAt};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Session;
use crate::error::{ApiError, ErrorBody};
use crate::responses::QueryErrors;
use crate::ServerState;

/// Query-string parameters whose problems are answered like every other error, as JSON:
/// 400 naming the parameter (`revisions: provided string was not `true` or `false``), not
/// axum's plain-text rejection.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                rejection
                    .body_text()
                    .replace("Failed to deserialize query string: ", "query string: "),
            )),
        }
    }
}

/// When a query is answered.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct When {
    /// As the log stood at the end of this day (YYYY-MM-DD, UTC).
    pub as_at: Option<NaiveDate>,
    /// As the log stood at this position.
    pub position: Option<u64>,
    /// Project the log at least this far before answering (the position a write returned).
    pub min_position: Option<u64>,
}

/// The read-model position `when` asks for.
pub(crate) async fn position(state: &ServerState, when: &When) -> Result<Position, ApiError> {
    let mut now = projections::checkpoint(&state.read).await?;
    // Asking for a position is asking to see at least that far.
    let min_position = when.min_position.max(when.position);
    if let Some(min) = min_position.map(Position) {
        if min > now {
            let reach = state.catch_up_for_reading().await?;
            now = reach.at;
            if let Some(stop) = reach.stopped_by.filter(|stop| min >= stop.position) {
                return Err(ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the commit at position {} cannot be read ({}), so the read models answer only up to position {now}; ask for that, or wait until it is repaired or set aside",
                        stop.position, stop.problem
                    ),
                ));
            }
        }
        if min > now {
            return Err(ApiError::unprocessable(format!(
                "position {min} is beyond the end of the log ({now})"
            )));
        }
    }
    let as_at = match (when.as_at, when.position) {
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable("give as_at or position, not both"))
        }
        (Some(day), None) => AsAt::EndOf(day),
        (None, Some(p)) => AsAt::Position(Position(p)),
        (None, None) => AsAt::Now,
    };
    Ok(service::resolve(&state.read, now, as_at).await?)
}

/// Records that the session's holder read `uri`, before answering: a read of the history that
/// cannot be recorded is refused, so the trail of who looked at what has no gaps.
pub(crate) async fn record_access(
    state: &ServerState,
    session: &Session,
    uri: &Uri,
    measure_ref: Option<String>,
) -> Result<(), ApiError> {
    service::record_access(
        &*state.store,
        &session.actor,
        format!("GET {uri}"),
        measure_ref,
    )
    .await
    .map_err(|err| {
        let cause = err.0.to_string();
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("{err}: {cause}"),
        )
    })?;
    state.metrics.appended();
    Ok(())
}

fn period(text: &str) -> Result<Period, ApiError> {
    Period::parse(text).map_err(|err| ApiError::unprocessable(format!("period: {err}")))
}

/// `period` of the scorecard query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// The period, as the packs write it: `Q3 2016/17`, `Q3 Oct - Dec 2016`, `2016/17`.
    pub period: String,
}

/// The quarterly scorecard report of a period (canonical JSON, as hashed on publication).
#[utoipa::path(get, path = "/api/scorecard", tag = "reports",
    params(ScorecardQuery, When),
    responses(
        (status = 200, description = "The report: summary and one row per measure", body = scoreledger_reports::QuarterReport),
        (status = 404, description = "No plan covers the period", body = ErrorBody),
        (status = 422, description = "An unreadable period, a position past the end of the log, or both as_at and position", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn scorecard(
    State(state): State<ServerState>,
    _session: Session,
    Params(query): Params<ScorecardQuery>,
    Params(when): Params<When>,
) -> Result<Json<scoreledger_reports::QuarterReport>, ApiError> {
    let at = position(&state, &when).await?;
    Ok(Json(
        service::report_at(&state.read, period(&query.period)?, at).await?,
    ))
}

/// Every publication recorded by then.
#[utoipa::path(get, path = "/api/reports", tag = "reports",
    params(When),
    responses(
        (status = 200, description = "Publications, oldest first", body = [Publication]),
        (status = 422, description = "A position past the end of the log, or both as_at and position", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn reports(
    State(state): State<ServerState>,
    _session: Session,
    Params(when): Params<When>,
) -> Result<Json<Vec<Publication>>, ApiError> {
    // Caught up first, as for one report: a client that published a moment ago (another
    // process, with no position to pass as `min_position`) lists what it published.
    state.catch_up_for_reading().await?;
    let at = position(&state, &when).await?;
    let publications = projections::all_publications(&state.read)
        .await?
        .into_iter()
        .filter(|p| p.position as u64 <= at.0)
        .collect();
    Ok(Json(publications))
}

/// A published report exactly as published, its SHA-256 checked (500 naming the first
/// differing part if the read models no longer reproduce it).
#[utoipa::path(get, path = "/api/reports/{report}", tag = "reports",
    params(("report" = String, Path, description = "A report id, its first characters, a period published once, or a period and its meeting or date (`Q3 2016/17 @ Cabinet`, `Q3 2016/17 @ 2017-01-13`)")),
    responses(
        (status = 200, description = "The report as published", body = scoreledger_reports::QuarterReport),
        (status = 300, description = "The period has been published more than once: the error lists each publication (id, meeting, date, hash) and says how to name one", body = ErrorBody),
        (status = 404, description = "No such publication", body = ErrorBody),
        (status = 422, description = "An id prefix that more than one report starts with (give more of the id), or an unreadable period", body = ErrorBody),
        (status = 500, description = "The read models do not reproduce the published hash", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<ServerState>,
    _session: Session,
    Path(report): Path<String>,
) -> Result<Json<scoreledger_reports::QuarterReport>, ApiError> {
    // Caught up first: a period's publications are all known before one is chosen, or a
    // publication landed a moment ago would go unseen and the older one answer for it.
    state.catch_up_for_reading().await?;
    let publication = service::find_publication(&state.read, &report).await?;
    Ok(Json(
        service::published_report(&state.read, &publication).await?,
    ))
}

/// Proves a published report from the log: replays the commits up to its cut-off into scratch
/// read models, rebuilds the report there and compares it with the published SHA-256 and part
/// digests, and with the live read models at the cut-off (what `scoreledger report rebuild`
/// does). A report that does not reproduce is still answered 200: the verification is the
/// resource, and `verified: false` with the first differing part is its finding (logged at
/// ERROR, since it means the log or the read models are corrupt).
#[utoipa::path(get, path = "/api/reports/{report}/verification", tag = "reports",
    params(("report" = String, Path, description = "A report id, its first characters, a period published once, or a period and its meeting or date (`Q3 2016/17 @ Cabinet`, `Q3 2016/17 @ 2017-01-13`)")),
    responses(
        (status = 200, description = "The rebuild ran: `verified` says whether it reproduced the published SHA-256, `first_differing_part` where it did not", body = service::Verification),
        (status = 300, description = "The period has been published more than once: the error lists each publication (id, meeting, date, hash) and says how to name one", body = ErrorBody),
        (status = 404, description = "No such publication", body = ErrorBody),
        (status = 422, description = "An id prefix that more than one report starts with (give more of the id), or an unreadable period", body = ErrorBody),
        (status = 500, description = "The log has a gap or an unreadable commit before the cut-off", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn verification(
    State(state): State<ServerState>,
    _session: Session,
    Path(report): Path<String>,
) -> Result<Json<service::Verification>, ApiError> {
    state.catch_up_for_reading().await?;
    let publication = service::find_publication(&state.read, &report).await?;
    let verification =
        service::verify_publication(&*state.store, &state.read, &publication).await?;
    if let Some(part) = &verification.first_differing_part {
        tracing::error!(report = %verification.report_id, first_differing_part = %part,
            "a published report does not rebuild from the log to its published SHA-256");
    } else if let Some(part) = &verification.read_models_first_differing_part {
        tracing::error!(report = %verification.report_id, first_differing_part = %part,
            "the read models disagree with the log; run `scoreledger rebuild`");
    }
    Ok(Json(verification))
}

/// Every cell of a published report that reads differently now (or at `as_at`/`position`),
/// with who changed it, when, in which role and why. The read is recorded in the history.
#[utoipa::path(get, path = "/api/reports/{report}/restatements", tag = "reports",
    params(("report" = String, Path, description = "A report id, its first characters, a period published once, or a period and its meeting or date (`Q3 2016/17 @ Cabinet`, `Q3 2016/17 @ 2017-01-13`)"), When),
    responses(
        (status = 200, description = "The publication and its restated cells", body = service::Restated),
        (status = 300, description = "The period has been published more than once: the error lists each publication (id, meeting, date, hash) and says how to name one", body = ErrorBody),
        (status = 404, description = "No such publication", body = ErrorBody),
        (status = 422, description = "An id prefix that more than one report starts with (give more of the id), an unreadable period, a position past the end of the log, or both as_at and position", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn restatements(
    State(state): State<ServerState>,
    session: Session,
    uri: Uri,
    Path(report): Path<String>,
    Params(when): Params<When>,
) -> Result<Json<service::Restated>, ApiError> {
    let at = position(&state, &when).await?;
    let publication = service::find_publication(&state.read, &report).await?;
    record_access(&state, &session, &uri, None).await?;
    Ok(Json(service::restated(&state.read, publication, at).await?))
}

/// Filters of the history query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only this measure (e.g. `2.B1`).
    pub measure: Option<String>,
    /// Only changes by this person (user id or name).
    pub actor: Option<String>,
    /// Only changes about this period.
    pub period: Option<String>,
    /// Only these kinds of change, comma-separated: `value`, `target`, `status`, `direction`,
    /// `rag`, `note`, `accountability`, `measure`, `signoff`, `approval`, `definition`,
    /// `withdrawal`, `lock`, `publication`, `token`, `read`, `set-aside`, `plan`, `key`, or a
    /// kind as the history stores it (`data note`); another word is 422 listing these.
    pub what: Option<String>,
    /// Only changes that replaced an earlier fact.
    #[serde(default)]
    pub revisions: bool,
    /// Only the plan of this financial year and its measures (`2017/18`): a reference carried
    /// into the next year's plan is another measure there.
    pub plan_year: Option<String>,
    /// Only changes reported on or before this day (`2010-07-13`): the day a change was
    /// reported, when its commit says so (history loaded from past packs), else the day it was
    /// recorded. `as_at` is the other axis: the history as the log stood.
    pub reported_by: Option<String>,
}

/// Who changed what, when, in which role, before → after, and why. The read itself is recorded
/// in the history ("history read").
#[utoipa::path(get, path = "/api/history", tag = "history",
    params(HistoryQuery, When),
    responses(
        (status = 200, description = "Changes in log order", body = [HistoryEntry]),
        (status = 422, description = "An unreadable measure or period, an unknown kind of change (the answer lists the kinds), a position past the end of the log, or both as_at and position", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<ServerState>,
    session: Session,
    uri: Uri,
    Params(query): Params<HistoryQuery>,
    Params(when): Params<When>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let at = position(&state, &when).await?;
    let measure_ref = query
        .measure
        .as_deref()
        .map(|m| {
            MeasureRef::parse(m)
                .map(|r| r.to_string())
                .map_err(|err| ApiError::unprocessable(format!("measure: {err}")))
        })
        .transpose()?;
    let filter = HistoryFilter {
        measure_ref,
        actor: query.actor,
        period: query
            .period
            .as_deref()
            .map(|p| period(p).map(|p| p.to_string()))
            .transpose()?,
        what: HistoryKind::select_all(query.what.as_deref().unwrap_or_default().split(','))
            .map_err(|err| ApiError::unprocessable(format!("what: {err}")))?,
        revisions_only: query.revisions,
        through: Some(at),
        plan_year: query
            .plan_year
            .as_deref()
            .map(|y| period(y).map(|p| Period::financial_year(p.financial_year_of()).to_string()))
            .transpose()?,
        reported_by: query
            .reported_by
            .as_deref()
            .map(|d| {
                d.trim()
                    .parse::<chrono::NaiveDate>()
                    .map(|d| d.to_string())
                    .map_err(|_| {
                        ApiError::unprocessable(format!(
                            "reported_by: {d:?} is not a day; write it as YYYY-MM-DD"
                        ))
                    })
            })
            .transpose()?,
        ..HistoryFilter::default()
    };
    record_access(&state, &session, &uri, filter.measure_ref.clone()).await?;
    Ok(Json(projections::history(&state.read, &filter).await?))
}

/// `on` of the measure query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    /// Also say who was accountable on this day (valid time).
    pub on: Option<NaiveDate>,
}

/// A measure as known at the position, with who was accountable on `on`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureAnswer {
    /// The measure: definition, accountability spells, targets, values, assessments, notes.
    pub measure: projections::MeasureView,
    /// Who was accountable on `on`, when asked.
    pub accountable_on: Option<String>,
}

/// One measure as the log stood. The read is recorded in the history ("history read").
#[utoipa::path(get, path = "/api/measures/{measure}", tag = "measures",
    params(("measure" = String, Path, description = "A measure reference, e.g. 2.B5"), MeasureQuery, When),
    responses(
        (status = 200, description = "The measure", body = MeasureAnswer),
        (status = 404, description = "No such measure at that position", body = ErrorBody),
        (status = 422, description = "An unreadable measure reference, a position past the end of the log, or both as_at and position", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn measure(
    State(state): State<ServerState>,
    session: Session,
    uri: Uri,
    Path(reference): Path<String>,
    Params(query): Params<MeasureQuery>,
    Params(when): Params<When>,
) -> Result<Json<MeasureAnswer>, ApiError> {
    let at = position(&state, &when).await?;
    let view = service::measure_at(&state.read, &reference, at).await?;
    let measure_ref = view.definition.measure_ref.to_string();
    record_access(&state, &session, &uri, Some(measure_ref)).await?;
    Ok(Json(MeasureAnswer {
        accountable_on: query
            .on
            .and_then(|day| view.accountable_on(day).map(str::to_owned)),
        measure: view,
    }))
}
