//! `scoreledger token`: the HTTP API's bearer tokens. The secret is 32 random bytes shown once;
//! the log and the read models keep only its SHA-256, so neither can be used to sign in.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;
use scoreledger_domain::{Command, Role, TokenId};
use scoreledger_projections as projections;
use scoreledger_server::councils::{self, CouncilId};
use sha2::{Digest, Sha256};

use crate::app::{date, App};
use crate::args::TokenCommand;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};
use crate::ids;

/// Prefix of every secret, so one found in a log file or a paste is recognisable.
const SECRET_PREFIX: &str = "slt_";

/// A new secret from the operating system's random source; on a deployment of several
/// councils it names the council whose log records it (`slt_<council>_…`), which is how the
/// service knows where to look it up.
fn new_secret(council: Option<&CouncilId>) -> CliResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| Failed {
        kind: Failure::Unavailable,
        error: anyhow::anyhow!("the operating system gave no random bytes for a token: {err}"),
    })?;
    Ok(councils::secret(
        SECRET_PREFIX,
        council,
        &hex::encode(bytes),
    ))
}

/// SHA-256 of a secret, lowercase hex: what is stored and looked up.
pub fn secret_sha256(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// Runs `token`.
pub async fn run(app: &App, command: &TokenCommand, out: &mut dyn Write) -> CliResult {
    match command {
        TokenCommand::Create {
            for_user: user,
            holder: name,
            as_role,
            directorate,
            expires,
        } => {
            let role: Role = as_role.parse().map_err(Failed::rejected)?;
            let expires_on = expires.as_deref().map(date).transpose()?;
            let secret = new_secret(app.council.as_ref().map(|council| &council.id))?;
            let token_id = TokenId(ids::fresh());
            let issue = Command::IssueToken {
                token_id,
                user_id: user.clone(),
                name: name.clone(),
                role,
                directorate: directorate.clone(),
                secret_sha256: secret_sha256(&secret),
                expires_on,
            };
            let appended = app
                .execute(&token_id.stream(), None, &issue, None, None)
                .await?;
            writeln!(
                out,
                "issued token {token_id} for {name} ({user}) as {role} at position {}",
                appended.commit.position
            )?;
            writeln!(out, "{secret}")?;
            writeln!(
                out,
                "Give the secret above to {name}; it is shown only now. Send it as: Authorization: Bearer <secret>"
            )?;
        }
        TokenCommand::List { json } => {
            app.catch_up().await?;
            let tokens = projections::tokens(app.read()).await?;
            if *json {
                for token in &tokens {
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string(token).expect("tokens serialise")
                    )?;
                }
                return Ok(());
            }
            if tokens.is_empty() {
                writeln!(
                    out,
                    "no token has been issued; an admin issues one with `scoreledger --role admin token create`"
                )?;
                return Ok(());
            }
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
                "Id",
                "For",
                "Role",
                "Directorate",
                "Issued",
                "Expires",
                "Revoked at #",
            ]);
            for t in &tokens {
                table.add_row(vec![
                    t.token_id.clone(),
                    format!("{} ({})", t.name, t.user_id),
                    t.role.clone(),
                    t.directorate.clone().unwrap_or_default(),
                    format!(
                        "{} by {}",
                        t.issued_at.get(..10).unwrap_or(&t.issued_at),
                        t.issued_by
                    ),
                    t.expires_on.clone().unwrap_or_else(|| "never".into()),
                    t.revoked_position
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                ]);
            }
            writeln!(out, "{table}")?;
        }
        TokenCommand::Revoke { id, reason } => {
            let token_id = TokenId(id.trim().parse().map_err(|_| {
                Failed::rejected(format!(
                    "{id:?} is not a token id; see `scoreledger token list`"
                ))
            })?);
            let appended = app
                .execute(
                    &token_id.stream(),
                    None,
                    &Command::RevokeToken { token_id },
                    Some(reason.clone()),
                    None,
                )
                .await?;
            writeln!(
                out,
                "revoked token {token_id} at position {}",
                appended.commit.position
            )?;
        }
    }
    Ok(())
}
