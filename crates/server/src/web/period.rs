//! A period's close, without JavaScript: what it still lacks, whether it is locked, the report
//! as it stands, and the performance team's three steps, lock, reopen (with a reason) and
//! publish, each through the one write path.
//!
//! Every form carries a key of its own, so sending it twice lands once. The lock and reopen
//! forms carry the version of the plan they were drawn from, and the publish form the SHA-256
//! of the report the page showed: publishing something other than what was read is a
//! conflict, as an `If-Match` is in the API.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use scoreledger_domain::{Command, CommandKind, Period, PlanId, StreamVersion};
use scoreledger_projections::{self as projections, Publication};
use scoreledger_reports::QuarterReport;
use scoreledger_service::{self as service, submit, Submission, SubmitError};
use scoreledger_store::{derived_id, load};
use serde::Deserialize;

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{filled, period_of, urlencode};
use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    period: Option<String>,
    /// The position a lock or a reopening just landed at.
    #[serde(default)]
    done: Option<u64>,
}

/// A lock or a reopening, as its form sends it.
#[derive(Debug, Deserialize)]
pub(crate) struct LockForm {
    period: String,
    #[serde(default)]
    reason: String,
    /// The plan's stream version when the form was drawn.
    version: u64,
    /// The form's own key.
    key: String,
}

/// A publication, as its form sends it.
#[derive(Debug, Deserialize)]
pub(crate) struct PublishForm {
    period: String,
    meeting: String,
    published_on: String,
    /// The SHA-256 of the report the page showed.
    sha256: String,
    /// The form's own key.
    key: String,
}

fn unprocessable(message: String) -> PageError {
    PageError(ApiError::unprocessable(message))
}

fn may(viewer: &Session, kind: CommandKind) -> bool {
    scoreledger_domain::decide::may_issue_kind(viewer.actor.role, kind)
}

fn forbidden(viewer: &Session, what: &str) -> PageError {
    PageError(ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "only the performance team or an admin may {what}; you act as {}",
            viewer.actor.role
        ),
    ))
}

/// The plan covering a period, as the log stands.
struct PlanNow {
    plan_id: PlanId,
    name: String,
    /// The plan's stream: its locks.
    current: scoreledger_domain::StreamState,
    /// Its version, which a lock or a reopening is judged against.
    version: StreamVersion,
    /// The read models' position, caught up.
    head: scoreledger_domain::Position,
}

/// The plan covering `period`, with the read models caught up.
async fn plan_of(state: &ServerState, period: &Period) -> Result<PlanNow, PageError> {
    let head = state.catch_up().await?;
    let plan = projections::scorecard::find_plan(&state.read, period, head)
        .await?
        .ok_or_else(|| {
            PageError(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no plan covers {period}; import one first"),
            ))
        })?;
    let (current, version) = load(&*state.store, &plan.plan_id.stream())
        .await
        .map_err(|err| PageError(ApiError::log_unavailable(err)))?;
    Ok(PlanNow {
        plan_id: plan.plan_id,
        name: plan.name,
        current,
        version,
        head,
    })
}

/// `GET /period?period=…`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Query(query): Query<PeriodQuery>,
) -> Result<Html<String>, PageError> {
    let Some(period_text) = filled(&query.period).map(str::to_owned) else {
        return Ok(frame(
            "Close a period",
            Some(&viewer),
            html! {
                h1 { "Close a period" }
                (picker(""))
                p.notice role="status" { "Choose the period, e.g. Q4 2016/17." }
            },
        ));
    };
    let period = period_of(&period_text)?;
    let PlanNow {
        name: plan,
        current,
        version,
        head,
        ..
    } = plan_of(&state, &period).await?;
    let report = service::report_at(&state.read, period, head).await?;
    let lacking = service::chase_list(&*state.store, &state.read, period, 14, None)
        .await
        .map_err(ApiError::from)?;
    let lock = current.plan().and_then(|plan| {
        plan.locked
            .iter()
            .find(|lock| lock.covers(&period))
            .copied()
    });
    let printed = period.to_string();
    let publications: Vec<Publication> = projections::all_publications(&state.read)
        .await?
        .into_iter()
        .filter(|p| p.period == printed)
        .collect();
    let title = format!("Close {period}");
    Ok(frame(
        &title,
        Some(&viewer),
        html! {
            h1 { span.plan { (plan) } " — close " (period) }
            (picker(&period_text))
            @if let Some(position) = query.done {
                p.notice.verified role="status" { "Done: in the log at position " (position) "." }
            }
            h2 { "1. What is still missing" }
            @if lacking.items.is_empty() {
                p { "Nothing: every measure that applies has its values, sign-offs, notes and assessments." }
            } @else {
                p { (lacking.measures_lacking()) " of " (lacking.measures) " measures still lack something ("
                    (lacking.items.len()) " items, " (lacking.overdue()) " overdue). "
                    a href=(format!("/chase?period={}", urlencode(&period_text))) { "See the chase list" } "." }
            }
            p { a href=(format!("/import?period={}", urlencode(&period_text))) { "Bring a period's values in from a spreadsheet" }
                " (the scorecard export, filled in), or enter them on each measure's page." }
            h2 { "2. Lock" }
            @match lock {
                Some(lock) => p #lock-state { "Locked (by the lock on " (lock) "): a change now needs the performance team and a reason." },
                None => p #lock-state { "Open: officers may still enter and revise." },
            }
            @if lock.is_some_and(|lock| lock == period) && may(&viewer, CommandKind::ReopenPeriod) {
                (reopen_form(&period_text, version))
            } @else if lock.is_none() && may(&viewer, CommandKind::LockPeriod) {
                (lock_form(&period_text, version))
            }
            h2 { "3. Publish" }
            (report_summary(&report))
            @if may(&viewer, CommandKind::PublishReport) {
                (publish_form(&period_text, &report))
            }
            @if !publications.is_empty() {
                h2 { "Published" }
                ul {
                    @for p in &publications {
                        li {
                            a href=(format!("/reports/{}", p.report_id)) { (p.period) " to " (p.meeting) " on " (p.published_on) }
                            " · " a href=(format!("/reports/{}/pack.pdf", p.report_id)) download { "PDF" }
                        }
                    }
                }
            }
        },
    ))
}

fn picker(period: &str) -> Markup {
    html! {
        form.query method="get" action="/period" {
            label { "Period" input name="period" value=(period) placeholder="Q4 2016/17" required; }
            button type="submit" { "Show" }
        }
    }
}

/// What a lock or a reopening form carries: the period, the plan's version it was drawn
/// from, and a key of its own.
fn drawn_from(period: &str, version: StreamVersion) -> Markup {
    html! {
        input type="hidden" name="period" value=(period);
        input type="hidden" name="version" value=(version.0);
        input type="hidden" name="key" value=(scoreledger_store::new_id());
    }
}

fn lock_form(period: &str, version: StreamVersion) -> Markup {
    html! {
        form.query method="post" action="/period/lock" aria-label="Lock the period" {
            (drawn_from(period, version))
            button #lock type="submit" { "Lock " (period) }
        }
    }
}

fn reopen_form(period: &str, version: StreamVersion) -> Markup {
    html! {
        form.query method="post" action="/period/reopen" aria-label="Reopen the period" {
            (drawn_from(period, version))
            label { "Why reopen" input #reopen-reason name="reason" required; }
            button #reopen type="submit" { "Reopen " (period) }
        }
    }
}

fn report_summary(report: &QuarterReport) -> Markup {
    let (heading, tallies) = report.summary.summary_box();
    html! {
        table.data {
            caption { "The report as it stands now: " (report.summary.total) " measures" }
            thead { tr { th scope="col" { (heading) } th scope="col" { "Count" } } }
            tbody {
                @for tally in tallies {
                    tr { th scope="row" { (tally.label) } td.num { (tally.share.count) } }
                }
            }
        }
        p { "SHA-256 of the report as it stands: " code #report-sha256 { (report.sha256()) } }
    }
}

fn publish_form(period: &str, report: &QuarterReport) -> Markup {
    html! {
        form.query method="post" action="/period/publish" aria-label="Publish the report" {
            input type="hidden" name="period" value=(period);
            input type="hidden" name="sha256" value=(report.sha256());
            input type="hidden" name="key" value=(scoreledger_store::new_id());
            label { "Meeting" input #publish-meeting name="meeting" placeholder="Cabinet" required; }
            label { "Published on" input #publish-on type="date" name="published_on" required; }
            button #publish type="submit" { "Publish this report" }
        }
        p.hint { "Publishing records the report's SHA-256 and the log position it is built at: it can be rebuilt byte for byte, and printed as the same PDF, ever after." }
    }
}

/// Whether the form with `commit_id` landed before, on `stream`.
async fn landed(
    state: &ServerState,
    stream: &scoreledger_domain::StreamId,
    commit_id: uuid::Uuid,
) -> Result<Option<u64>, PageError> {
    Ok(state
        .store
        .find_commit(stream, commit_id)
        .await
        .map_err(|err| PageError(ApiError::log_unavailable(err)))?
        .map(|commit| commit.position.0))
}

fn done(period: &str, position: u64) -> Response {
    Redirect::to(&format!(
        "/period?period={}&done={position}",
        urlencode(period)
    ))
    .into_response()
}

/// `POST /period/lock`.
pub(crate) async fn lock(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Form(form): Form<LockForm>,
) -> Result<Response, PageError> {
    write_to_plan(&state, &viewer, &form, CommandKind::LockPeriod, |period| {
        Command::LockPeriod { period }
    })
    .await
}

/// `POST /period/reopen`.
pub(crate) async fn reopen(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Form(form): Form<LockForm>,
) -> Result<Response, PageError> {
    write_to_plan(
        &state,
        &viewer,
        &form,
        CommandKind::ReopenPeriod,
        |period| Command::ReopenPeriod { period },
    )
    .await
}

/// A lock or a reopening, judged against the plan as the form was drawn from it.
async fn write_to_plan(
    state: &ServerState,
    viewer: &Session,
    form: &LockForm,
    kind: CommandKind,
    command: impl FnOnce(Period) -> Command,
) -> Result<Response, PageError> {
    let what = match kind {
        CommandKind::LockPeriod => "lock",
        _ => "reopen",
    };
    if !may(viewer, kind) {
        return Err(forbidden(viewer, &format!("{what} a period")));
    }
    let period = period_of(&form.period)?;
    let command = command(period);
    let PlanNow {
        plan_id, version, ..
    } = plan_of(state, &period).await?;
    let stream = plan_id.stream();
    let commit_id = derived_id(&[what, &viewer.token_id, form.key.trim(), stream.as_str()]);
    if let Some(position) = landed(state, &stream, commit_id).await? {
        return Ok(done(&form.period, position));
    }
    if version.0 != form.version {
        return Err(PageError(ApiError::from(SubmitError::Stale {
            expected: StreamVersion(form.version),
            current: version,
        })));
    }
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let appended = submit(
        &*state.store,
        Submission {
            actor: &viewer.actor,
            stream: &stream,
            plan_id: None,
            commands: std::slice::from_ref(&command),
            reason,
            on_behalf_of: None,
            reported: None,
            commit_id: Some(commit_id),
            if_version: Some(version),
        },
    )
    .await
    .map_err(|err| PageError(ApiError::from(err)))?;
    Ok(done(&form.period, appended.commit.position.0))
}

/// `POST /period/publish`: publishes the report the page showed, or nothing.
pub(crate) async fn publish(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    if !may(&viewer, CommandKind::PublishReport) {
        return Err(forbidden(&viewer, "publish a report"));
    }
    let period = period_of(&form.period)?;
    let published_on = chrono::NaiveDate::parse_from_str(form.published_on.trim(), "%Y-%m-%d")
        .map_err(|err| unprocessable(format!("published on: {err}; give a date as 2017-01-13")))?;
    let meeting = form.meeting.trim();
    if meeting.is_empty() {
        return Err(unprocessable(
            "meeting: say which meeting the report goes to".into(),
        ));
    }
    // The report's id comes from the form, so the form sent twice publishes once.
    let report_id =
        scoreledger_domain::ReportId(derived_id(&["publish", &viewer.token_id, form.key.trim()]));
    let stream = report_id.stream();
    let commit_id = derived_id(&[
        "publish",
        &viewer.token_id,
        form.key.trim(),
        stream.as_str(),
    ]);
    if landed(&state, &stream, commit_id).await?.is_some() {
        return Ok(published(report_id));
    }
    let cut_off = state.catch_up().await?;
    let (command, report) = service::publication(
        &state.read,
        period,
        cut_off,
        meeting,
        published_on,
        report_id,
    )
    .await?;
    if report.sha256() != form.sha256.trim() {
        return Err(PageError(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "the {period} report changed since the page showed it (SHA-256 {} then, {} now): \
                 read it again before publishing",
                form.sha256.trim(),
                report.sha256()
            ),
        )));
    }
    submit(
        &*state.store,
        Submission {
            actor: &viewer.actor,
            stream: &stream,
            plan_id: None,
            commands: std::slice::from_ref(&command),
            reason: None,
            on_behalf_of: None,
            reported: None,
            commit_id: Some(commit_id),
            if_version: None,
        },
    )
    .await
    .map_err(|err| PageError(ApiError::from(err)))?;
    // The report's page, where this leads, reads the publication from the read models.
    state.catch_up().await?;
    Ok(published(report_id))
}

/// To the report as published, which offers its PDF.
fn published(report_id: scoreledger_domain::ReportId) -> Response {
    Redirect::to(&format!("/reports/{}", report_id.0)).into_response()
}
