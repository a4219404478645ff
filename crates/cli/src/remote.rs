//! The command line as a client of a running service (`--server URL`): reads and writes go
//! over HTTP with the holder's bearer token, so the token's user and role act, not the
//! self-declared `--user` and `--role` of direct database access.
//!
//! The server's answers become the same output and the same exit codes as the local commands:
//! 401 → unauthorised (6), 403 and 422 and other refusals → rejected (3), 409 → conflict (4),
//! anything else → unavailable (1).

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use reqwest::StatusCode;
use serde::Serialize;

use scoreledger_projections::{HistoryEntry, MeasureView, Publication};
use scoreledger_reports::QuarterReport;
use scoreledger_server::actions::{
    ActionBody, ActionCompletionBody, ActionMoveBody, ActionRatingBody,
};
use scoreledger_server::commands::{
    AmendmentBody, AssessmentBody, BasisChangeBody, CheckBody, ConfirmValueBody, LockBody,
    NarrativeBody, NoteBody, PublishBody, RecordValueBody, RefreshBody, ReviseValueBody,
    SetAsideBody, TargetBody,
};

use crate::app::{date, period};
use crate::args::{
    ActionCommand, AsAtArgs, Cli, Command, HistoryArgs, RecordCommand, ReportAction, ReportArgs,
    Subject,
};
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// What `GET /api/measures/{ref}` answers (the rest of it is worked out here, as locally).
#[derive(serde::Deserialize)]
struct MeasureAnswer {
    measure: MeasureView,
}

/// A connection to a running service, as the holder of one token.
pub struct Remote {
    http: reqwest::Client,
    base: reqwest::Url,
    token: String,
}

impl Remote {
    /// Reads the token (`--token-file`, else `SCORELEDGER_TOKEN`) and checks the address.
    pub fn connect(server: &str, token_file: Option<&Path>) -> CliResult<Self> {
        let base = reqwest::Url::parse(server.trim())
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                Failed::rejected(format!(
                    "--server {server:?} is not an http:// or https:// address; give the service's address, e.g. https://scoreledger.example.org"
                ))
            })?;
        let token = match token_file {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("failed to read the token file {}", path.display()))
                .map_err(|error| Failed {
                    kind: Failure::Rejected,
                    error,
                })?,
            None => std::env::var("SCORELEDGER_TOKEN").map_err(|_| {
                Failed::rejected(
                    "--server needs your bearer token: set SCORELEDGER_TOKEN or give --token-file PATH (an admin issues one with `scoreledger token create`)",
                )
            })?,
        };
        let token = token.trim().to_owned();
        if token.is_empty() {
            return Err(Failed::rejected(
                "the bearer token is empty; set SCORELEDGER_TOKEN or give --token-file PATH",
            ));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("scoreledger/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("failed to set up the HTTP client")
            .map_err(|error| Failed {
                kind: Failure::Unavailable,
                error,
            })?;
        Ok(Self { http, base, token })
    }

    fn url(&self, path: &str) -> CliResult<reqwest::Url> {
        self.base
            .join(path)
            .with_context(|| format!("failed to build the address of {path}"))
            .map_err(|error| Failed {
                kind: Failure::Rejected,
                error,
            })
    }

    /// `GET path?query`, answering the body of a 2xx.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> CliResult<String> {
        let request = self
            .http
            .get(self.url(path)?)
            .bearer_auth(&self.token)
            .query(query);
        self.send(request, &format!("GET /{path}")).await
    }

    /// `POST path` with a JSON body, answering the body of a 2xx.
    pub async fn post(&self, path: &str, body: &impl Serialize) -> CliResult<serde_json::Value> {
        let request = self
            .http
            .post(self.url(path)?)
            .bearer_auth(&self.token)
            .json(body);
        let text = self.send(request, &format!("POST /{path}")).await?;
        serde_json::from_str(&text)
            .with_context(|| format!("the service's answer to POST /{path} is not JSON"))
            .map_err(|error| Failed {
                kind: Failure::Unavailable,
                error,
            })
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> CliResult<String> {
        let response = request
            .send()
            .await
            .with_context(|| format!("failed to reach {} for {what}", self.base))
            .map_err(|error| Failed {
                kind: Failure::Unavailable,
                error,
            })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .with_context(|| format!("failed to read the answer to {what}"))
            .map_err(|error| Failed {
                kind: Failure::Unavailable,
                error,
            })?;
        if status.is_success() {
            return Ok(text);
        }
        Err(refusal(status, &text, what))
    }
}

/// The exit code and message of a refused request: the server's `error` text when it gave one.
fn refusal(status: StatusCode, body: &str, what: &str) -> Failed {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|body| body["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.trim().to_owned());
    let kind = match status {
        StatusCode::UNAUTHORIZED => Failure::Unauthorised,
        StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => Failure::Conflict,
        status if status.is_client_error() || status == StatusCode::MULTIPLE_CHOICES => {
            Failure::Rejected
        }
        _ => Failure::Unavailable,
    };
    Failed {
        kind,
        error: anyhow::anyhow!("{message}")
            .context(format!("the service refused {what} ({status})")),
    }
}

fn when(args: &AsAtArgs) -> CliResult<Vec<(&'static str, String)>> {
    let mut query = Vec::new();
    if let Some(day) = &args.as_at {
        query.push(("as_at", date(day)?.to_string()));
    }
    if let Some(position) = args.position {
        query.push(("position", position.to_string()));
    }
    Ok(query)
}

fn position_of(written: &serde_json::Value) -> String {
    written["position"]
        .as_u64()
        .map_or_else(|| "?".to_owned(), |p| p.to_string())
}

fn segment(text: &str) -> String {
    // A measure reference may hold spaces and brackets (`2.B4 (a)`, `NI 68`).
    text.trim()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Runs a command against the service at `server`.
pub async fn dispatch(cli: Cli, server: &str, out: &mut dyn Write) -> CliResult {
    if cli.role_on_command_line {
        return Err(Failed::rejected(
            "--role cannot be used with --server: the role is your token's, as the service's admin issued it",
        ));
    }
    if cli.reported_on.is_some() {
        return Err(Failed::rejected(
            "--reported-on is taken only by a command that opens the log itself: the service's API \
             has no field for it yet, and a change must not land without what you said of it. \
             Run the command without --server, against the log (--db or --store)",
        ));
    }
    let remote = Remote::connect(server, cli.token_file.as_deref())?;
    match cli.command {
        Command::Report(args) => report(&remote, &args, out).await,
        Command::History(args) => history(&remote, &args, out).await,
        Command::Measure(args) => {
            let mut query = when(&args.when)?;
            if let Some(on) = &args.on {
                query.push(("on", date(on)?.to_string()));
            }
            let body = remote
                .get(&format!("api/measures/{}", segment(&args.measure)), &query)
                .await?;
            let answer: MeasureAnswer = serde_json::from_str(&body)
                .context("the service's measure does not read as a measure")
                .map_err(|error| Failed {
                    kind: Failure::Unavailable,
                    error,
                })?;
            let on = args.on.as_deref().map(date).transpose()?;
            crate::commands::measure::print(&answer.measure, on, args.json, out)
        }
        Command::Record(command) => record(&remote, command, out).await,
        Command::Lock(args) | Command::Reopen(args) if args.period.is_empty() => Err(
            Failed::rejected("say which period: --period \"Q3 2016/17\""),
        ),
        Command::Action(command) if !matches!(command, ActionCommand::List { .. }) => {
            action(&remote, command, out).await
        }
        Command::Lock(args) => lock(&remote, "api/locks", "locked", args, out).await,
        Command::Reopen(args) => lock(&remote, "api/reopenings", "reopened", args, out).await,
        Command::Publish(args) => {
            let at = period(&args.period)?;
            let on = date(&args.on)?;
            let written = remote
                .post(
                    "api/reports",
                    &PublishBody {
                        period: at.to_string(),
                        meeting: args.meeting.clone(),
                        published_on: on,
                    },
                )
                .await?;
            let id = written["stream"]
                .as_str()
                .and_then(|s| s.strip_prefix("report-"))
                .unwrap_or_default()
                .to_owned();
            let publications: Vec<serde_json::Value> =
                serde_json::from_str(&remote.get("api/reports", &[]).await?).unwrap_or_default();
            let sha256 = publications
                .iter()
                .find(|p| p["report_id"] == id.as_str())
                .and_then(|p| p["sha256"].as_str())
                .unwrap_or("(not listed yet)")
                .to_owned();
            writeln!(
                out,
                "published the {at} report to {} on {on} (position {}); sha256 {sha256}",
                args.meeting,
                position_of(&written)
            )?;
            Ok(())
        }
        Command::Signoff(args) => {
            check(&remote, "signoffs", "signed off the value", args, out).await
        }
        Command::ApproveNote(args) => {
            check(&remote, "approvals", "approved the data note", args, out).await
        }
        Command::Amend(args) => {
            let (measure, changes, reason) = crate::commands::approval::amendment(args);
            let written = remote
                .post(
                    &format!("api/measures/{}/amendments", segment(&measure)),
                    &AmendmentBody { changes, reason },
                )
                .await?;
            writeln!(
                out,
                "amended {} at position {}",
                measure.trim(),
                position_of(&written)
            )?;
            Ok(())
        }
        Command::SetAside(args) => {
            let written = remote
                .post(
                    "api/set-asides",
                    &SetAsideBody {
                        position: args.position,
                        reason: args.reason.clone(),
                    },
                )
                .await?;
            writeln!(
                out,
                "the commit at position {} is set aside (position {})",
                args.position,
                position_of(&written)
            )?;
            Ok(())
        }
        other => Err(Failed::rejected(format!(
            "{} is not available with --server; run it where the database is, or use the web pages",
            command_name(&other)
        ))),
    }
}

fn command_name(command: &Command) -> String {
    format!("{command:?}")
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or("this command")
        .to_ascii_lowercase()
}

async fn report(remote: &Remote, args: &ReportArgs, out: &mut dyn Write) -> CliResult {
    match &args.action {
        Some(ReportAction::List { when: at, json }) => {
            let body = remote.get("api/reports", &when(at)?).await?;
            let publications: Vec<Publication> = serde_json::from_str(&body)
                .context("the service's publications do not read as publications")
                .map_err(|error| Failed {
                    kind: Failure::Unavailable,
                    error,
                })?;
            return crate::commands::report::print_publications(&publications, *json, out);
        }
        Some(ReportAction::Show {
            report,
            format,
            output,
        }) => {
            // The service answers a published report only when it reproduces its SHA-256.
            let body = remote
                .get(&format!("api/reports/{}", segment(report)), &[])
                .await?;
            let published: QuarterReport = serde_json::from_str(&body)
                .context("the service's report does not read as a report")
                .map_err(|error| Failed {
                    kind: Failure::Unavailable,
                    error,
                })?;
            eprintln!(
                "{} as published (cut-off position {}); sha256 {} verified by the service",
                published.period,
                published.position,
                published.sha256()
            );
            return crate::commands::report::write_report(
                &published,
                *format,
                output.as_deref(),
                out,
            );
        }
        Some(_) => {
            return Err(Failed::rejected(
                "report rebuild, diff and compare are not available with --server yet; use `report list`, `report show` or the web pages",
            ))
        }
        None => {}
    }
    let Some(at) = &args.period else {
        return Err(Failed::rejected(
            "say which report: --period \"Q3 2016/17\"",
        ));
    };
    let mut query = vec![("period", period(at)?.to_string())];
    query.extend(when(&args.when)?);
    let body = remote.get("api/scorecard", &query).await?;
    let report: QuarterReport = serde_json::from_str(&body)
        .context("the service's report does not read as a report")
        .map_err(|error| Failed {
            kind: Failure::Unavailable,
            error,
        })?;
    crate::commands::report::write_report(&report, args.format, args.output.as_deref(), out)
}

async fn history(remote: &Remote, args: &HistoryArgs, out: &mut dyn Write) -> CliResult {
    let filter = crate::commands::history::filter(args, scoreledger_domain::Position(0))?;
    let mut query = when(&args.when)?;
    query.extend(filter.measure_ref.map(|m| ("measure", m)));
    query.extend(filter.actor.map(|a| ("actor", a)));
    query.extend(filter.period.map(|p| ("period", p)));
    if !filter.what.is_empty() {
        query.push(("what", filter.what.join(",")));
    }
    if filter.revisions_only {
        query.push(("revisions", "true".to_owned()));
    }
    query.extend(filter.reported_by.map(|d| ("reported_by", d)));
    let body = remote.get("api/history", &query).await?;
    let mut entries: Vec<HistoryEntry> = serde_json::from_str(&body)
        .context("the service's history does not read as history")
        .map_err(|error| Failed {
            kind: Failure::Unavailable,
            error,
        })?;
    // The service filters by day on its side only through as_at; --since and --until
    // compare the days of the changes here.
    let day = |e: &HistoryEntry| e.recorded_at.get(..10).unwrap_or_default().to_owned();
    entries.retain(|e| {
        filter
            .since
            .as_deref()
            .is_none_or(|since| day(e).as_str() >= since)
            && filter
                .until
                .as_deref()
                .is_none_or(|until| day(e).as_str() <= until)
    });
    crate::commands::history::write(&entries, args, out)
}

async fn record(remote: &Remote, command: RecordCommand, out: &mut dyn Write) -> CliResult {
    let (subject, route, described, written) = match command {
        RecordCommand::Value {
            target,
            value,
            classification,
            quality,
            source,
        } => {
            let at = period(&target.period)?.to_string();
            let described = format!("value {}", value.trim());
            let (route, written) = match classification {
                Some(classification) => {
                    let reason = target.reason.clone().ok_or_else(|| {
                        Failed::rejected("a revision needs a reason; add --reason \"…\"")
                    })?;
                    let body = ReviseValueBody {
                        period: at,
                        value,
                        classification,
                        reason,
                        quality: Some(quality),
                        source,
                    };
                    ("revisions", serde_json::to_value(body))
                }
                None => {
                    let body = RecordValueBody {
                        period: at,
                        value,
                        quality: Some(quality),
                        source,
                        reason: target.reason.clone(),
                        on_behalf_of: target.on_behalf_of.clone(),
                    };
                    ("values", serde_json::to_value(body))
                }
            };
            (target, route, described, written)
        }
        RecordCommand::Target { target, value } => {
            let body = TargetBody {
                period: period(&target.period)?.to_string(),
                target: value.clone(),
                reason: target.reason.clone(),
            };
            let described = format!("target {}", value.trim());
            (target, "targets", described, serde_json::to_value(body))
        }
        RecordCommand::Status { target, status } => {
            let body = AssessmentBody {
                period: period(&target.period)?.to_string(),
                status: Some(status.clone()),
                direction: None,
                reason: target.reason.clone(),
            };
            let described = format!("status {}", status.trim());
            (target, "assessments", described, serde_json::to_value(body))
        }
        RecordCommand::Direction { target, direction } => {
            let body = AssessmentBody {
                period: period(&target.period)?.to_string(),
                status: None,
                direction: Some(direction.clone()),
                reason: target.reason.clone(),
            };
            let described = format!("direction of travel {}", direction.trim());
            (target, "assessments", described, serde_json::to_value(body))
        }
        RecordCommand::Note { target, text } => {
            let body = NoteBody {
                period: period(&target.period)?.to_string(),
                text,
                reason: target.reason.clone(),
            };
            (
                target,
                "notes",
                "data note".to_owned(),
                serde_json::to_value(body),
            )
        }
        RecordCommand::Narrative { target, text } => {
            let body = NarrativeBody {
                period: period(&target.period)?.to_string(),
                text,
                reason: target.reason.clone(),
            };
            (
                target,
                "narratives",
                "narrative".to_owned(),
                serde_json::to_value(body),
            )
        }
        RecordCommand::Rag { .. } => {
            return Err(Failed::rejected(
                "record rag is not available with --server; run it where the database is",
            ))
        }
        RecordCommand::Refresh(args) => return refresh(remote, args, out).await,
        RecordCommand::Basis {
            target,
            kind,
            note,
            restated,
        } => {
            let body = BasisChangeBody {
                from: period(&target.period)?.to_string(),
                kind: kind.clone(),
                note,
                restated,
                reason: target.reason.clone(),
            };
            (
                target,
                "basis-changes",
                format!("a {} change", kind.trim()),
                serde_json::to_value(body),
            )
        }
        RecordCommand::Confirm {
            target,
            quality,
            source,
        } => {
            let reason = target.reason.clone().ok_or_else(|| {
                Failed::rejected("a confirmation needs a reason; add --reason \"…\"")
            })?;
            let body = ConfirmValueBody {
                period: period(&target.period)?.to_string(),
                reason,
                quality: Some(quality),
                source,
            };
            let described = "value confirmed".to_owned();
            (
                target,
                "confirmations",
                described,
                serde_json::to_value(body),
            )
        }
    };
    let body = written
        .context("failed to write the request")
        .map_err(|error| Failed {
            kind: Failure::Unavailable,
            error,
        })?;
    let Subject {
        measure,
        period: at,
        on_behalf_of,
        ..
    } = subject;
    if on_behalf_of.is_some() && route != "values" {
        return Err(Failed::rejected(
            "--on-behalf-of is only for entering a value with --server",
        ));
    }
    let answer = remote
        .post(
            &format!("api/measures/{}/{route}", segment(&measure)),
            &body,
        )
        .await?;
    writeln!(
        out,
        "recorded {described} for {} {} at position {}",
        measure.trim(),
        period(&at)?,
        position_of(&answer)
    )?;
    Ok(())
}

/// `record refresh` through `/api/measures/{ref}/refreshes`: one measure, one request, one
/// commit, so that a refusal appends nothing, as where the database is.
async fn refresh(
    remote: &Remote,
    args: crate::args::RefreshArgs,
    out: &mut dyn Write,
) -> CliResult {
    let [measure] = &args.measures[..] else {
        return Err(Failed::rejected(
            "with --server, announce a refresh for one measure at a time (-m once), so that a \
             refusal appends nothing; or run it where the database is",
        ));
    };
    if args.on_behalf_of.is_some() {
        return Err(Failed::rejected(
            "--on-behalf-of is only for entering a value with --server",
        ));
    }
    let periods = args
        .periods
        .iter()
        .map(|p| period(p).map(|p| p.to_string()))
        .collect::<CliResult<Vec<_>>>()?;
    let due = period(&args.due)?;
    let answer = remote
        .post(
            &format!("api/measures/{}/refreshes", segment(measure)),
            &RefreshBody {
                periods: periods.clone(),
                due: due.to_string(),
                note: args.note,
                reason: args.reason,
            },
        )
        .await?;
    writeln!(
        out,
        "announced a refresh of {} value(s) of {}, due for {due}, at position {}",
        periods.len(),
        measure.trim(),
        position_of(&answer)
    )?;
    Ok(())
}

/// A sign-off or a note approval (maker–checker: the service refuses whoever made it, 403).
async fn check(
    remote: &Remote,
    route: &str,
    done: &str,
    args: crate::args::CheckArgs,
    out: &mut dyn Write,
) -> CliResult {
    let at = period(&args.period)?;
    let answer = remote
        .post(
            &format!("api/measures/{}/{route}", segment(&args.measure)),
            &CheckBody {
                period: at.to_string(),
            },
        )
        .await?;
    writeln!(
        out,
        "{done} of {} for {at} at position {}",
        args.measure.trim(),
        position_of(&answer)
    )?;
    Ok(())
}

/// An improvement action's change through `/api/actions…`.
async fn action(remote: &Remote, command: ActionCommand, out: &mut dyn Write) -> CliResult {
    let (route, body, done) = match command {
        ActionCommand::Register {
            action,
            objective,
            lead,
            target_date,
            measures,
        } => {
            let body = ActionBody {
                plan: action.plan,
                key_action: action.key_action,
                objective,
                lead,
                target_date: target_date.clone(),
                measures,
            };
            let done = format!("registered, due {}", target_date.trim());
            ("api/actions", serde_json::to_value(body), done)
        }
        ActionCommand::Move { action, to, reason } => {
            let done = format!("now due {}", to.trim());
            let body = ActionMoveBody {
                plan: action.plan,
                key_action: action.key_action,
                to,
                reason,
            };
            ("api/actions/moves", serde_json::to_value(body), done)
        }
        ActionCommand::Rate {
            action,
            rag,
            arrow,
            reason,
        } => {
            let done = format!("rated {}", rag.trim());
            let body = ActionRatingBody {
                plan: action.plan,
                key_action: action.key_action,
                rag,
                arrow,
                reason,
            };
            ("api/actions/ratings", serde_json::to_value(body), done)
        }
        ActionCommand::Complete { action, on, reason } => {
            let done = format!("completed on {}", date(&on)?);
            let body = ActionCompletionBody {
                plan: action.plan,
                key_action: action.key_action,
                on,
                reason,
            };
            ("api/actions/completions", serde_json::to_value(body), done)
        }
        ActionCommand::List { .. } => {
            return Err(Failed::rejected(
                "action list is not available with --server; run it where the database is",
            ))
        }
    };
    let body = body.expect("request bodies serialise");
    let answer = remote.post(route, &body).await?;
    writeln!(
        out,
        "the action is {done} (position {})",
        position_of(&answer)
    )?;
    Ok(())
}

async fn lock(
    remote: &Remote,
    route: &str,
    verb: &str,
    args: crate::args::LockArgs,
    out: &mut dyn Write,
) -> CliResult {
    let at = period(&args.period)?;
    let answer = remote
        .post(
            route,
            &LockBody {
                period: at.to_string(),
                reason: args.reason,
            },
        )
        .await?;
    writeln!(out, "{at} {verb} at position {}", position_of(&answer))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(status: u16, body: &str, kind: Failure, message: &str) {
        let failed = refusal(
            StatusCode::from_u16(status).unwrap(),
            body,
            "POST /api/locks",
        );
        assert_eq!(failed.kind, kind, "{status}");
        assert!(failed.render().contains(message), "{}", failed.render());
    }

    #[test]
    fn the_services_refusals_become_the_command_lines_exit_codes() {
        check(
            401,
            r#"{"error":"unknown token"}"#,
            Failure::Unauthorised,
            "unknown token",
        );
        check(
            403,
            r#"{"error":"officers may not lock"}"#,
            Failure::Rejected,
            "may not lock",
        );
        check(
            409,
            r#"{"error":"moved on","current_version":3}"#,
            Failure::Conflict,
            "moved on",
        );
        check(
            422,
            r#"{"error":"needs a reason"}"#,
            Failure::Rejected,
            "needs a reason",
        );
        check(400, "not json", Failure::Rejected, "not json");
        check(
            503,
            r#"{"error":"log down"}"#,
            Failure::Unavailable,
            "log down",
        );
        check(500, "", Failure::Unavailable, "(500 Internal Server Error)");
    }

    #[test]
    fn a_reference_is_one_path_segment() {
        assert_eq!(segment("2.B4 (a)"), "2.B4%20%28a%29");
        assert_eq!(segment(" NI 68 "), "NI%2068");
        assert_eq!(segment("1.A3/../x"), "1.A3%2F..%2Fx");
    }
}
