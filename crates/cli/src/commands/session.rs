//! `scoreledger session`: the pages' web sessions, for admins: list those that still work and
//! end one (its cookie stops working at once). Who may is who may revoke a token.

use std::io::Write;

use scoreledger_domain::decide::may_issue;
use scoreledger_domain::{Command, TokenId};
use scoreledger_projections as projections;
use scoreledger_store::{Clock, SystemClock};

use crate::app::App;
use crate::args::SessionCommand;
use crate::failure::{CliResult, Failed};

/// Runs `session`.
pub async fn run(app: &App, command: &SessionCommand, out: &mut dyn Write) -> CliResult {
    let revoke = Command::RevokeToken {
        token_id: TokenId(uuid::Uuid::nil()),
    };
    if !may_issue(app.actor.role, &revoke) {
        return Err(Failed::rejected(format!(
            "a {} may not list or end web sessions; run as --role admin",
            app.actor.role
        )));
    }
    let now = SystemClock.now();
    match command {
        SessionCommand::List { json } => {
            app.catch_up_for_reading().await?;
            for row in projections::open_sessions(app.read()).await? {
                if !row.live_at(now) {
                    continue;
                }
                let Some(token) = projections::token_by_id(app.read(), &row.token_id).await? else {
                    continue;
                };
                if !token.valid_on(now.date_naive()) {
                    continue;
                }
                if *json {
                    let line = serde_json::json!({
                        "session_id": row.session_id, "token_id": row.token_id,
                        "user_id": token.user_id, "name": token.name, "role": token.role,
                        "started_at": row.started_at, "last_seen_at": row.last_seen_at,
                        "idle_expires_at": row.idle_expires_at, "expires_at": row.expires_at,
                    });
                    writeln!(out, "{line}")?;
                } else {
                    writeln!(
                        out,
                        "{}  {} ({}, {})  started {}  last used {}  ends by {}",
                        row.session_id,
                        token.name,
                        token.user_id,
                        token.role,
                        row.started_at,
                        row.last_seen_at,
                        row.expires_at
                    )?;
                }
            }
        }
        SessionCommand::End { id } => {
            let by = format!("{} ({})", app.actor.name, app.actor.id);
            let at = projections::session_time(now);
            if projections::end_session(app.read(), id.trim(), &at, &by).await? {
                writeln!(out, "ended web session {}", id.trim())?;
            } else {
                return Err(Failed::rejected(format!(
                    "no open web session has the id {id:?}; see `scoreledger session list`"
                )));
            }
        }
    }
    Ok(())
}
