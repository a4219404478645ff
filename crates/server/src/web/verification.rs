//! `GET /verification`: the log verified for an auditor, in words: every commit's hash, link,
//! position and signature, the signed checkpoints it matches, the key it signs with, and the
//! first thing wrong when something is. The same check as `GET /api/verification` (its result
//! becomes `/readyz`'s too).

use axum::extract::State;
use axum::response::Html;
use maud::html;

use scoreledger_service::checkpoints;

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use crate::log_check::check_and_record;
use crate::ServerState;

/// `GET /verification`.
pub(crate) async fn page(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
) -> Result<Html<String>, PageError> {
    let check = check_and_record(&state).await?;
    // On a deployment of several councils, a witness names the council in the path.
    let witnessed = match &state.council {
        Some(council) => format!("/councils/{}/checkpoint", council.id),
        None => "/checkpoint".to_owned(),
    };
    let (ring, _) = checkpoints::key_ring(&*state.store)
        .await
        .map_err(crate::error::ApiError::log_unavailable)?;
    let latest = checkpoints::latest_checkpoint(&*state.store)
        .await
        .ok()
        .flatten();
    Ok(frame(
        "Verification of the log",
        Some(&viewer),
        html! {
            h1 { "Verification of the log" }
            @match &check.finding {
                None => p.notice { strong { "The log verifies. " } (check.message) },
                Some(finding) => div.notice role="alert" {
                    p { strong { "The log does not verify: " } (finding.kind) " at position " (finding.position) "." }
                    p { (finding.message) }
                },
            }
            table.data {
                caption { "What was checked" }
                tbody {
                    tr { th scope="row" { "Commits checked" } td.num { (check.commits) } }
                    tr { th scope="row" { "Streams" } td.num { (check.streams) } }
                    tr { th scope="row" { "Head (last position)" } td.num { (check.head) } }
                    tr { th scope="row" { "Merkle tree head (RFC 6962)" } td { code { (check.root) } } }
                    tr { th scope="row" { "Signed from position" } td {
                        @match check.signed_from { Some(p) => (p), None => "the log has no signing key yet" }
                    } }
                    tr { th scope="row" { "Signed checkpoints matched" } td.num { (check.checkpoints) } }
                    tr { th scope="row" { "Exported checkpoints matched" } td.num { (check.witnesses) } }
                    tr { th scope="row" { "Read models at position" } td.num { (check.read_models_at) } }
                    tr { th scope="row" { "Set aside (cannot be read; passed over by an admin's decision)" } td {
                        @if check.set_aside.is_empty() { "none" } @else {
                            @for (i, position) in check.set_aside.iter().enumerate() {
                                @if i > 0 { ", " }
                                a href="/audit?kind=set-aside" { "position " (position) }
                            }
                        }
                    } }
                }
            }
            h2 { "Keys" }
            @if ring.is_empty() {
                p { "The log has no signing key: an admin adds one with " code { "scoreledger keys generate" } "." }
            } @else {
                p { "Compare these with the public key you were given; a checkpoint or a commit signed by any other key is refused." }
                ul { @for key in ring.all() {
                    li { code { (key.text()) } @if !ring.active().any(|a| a == key) { " (retired)" } }
                } }
            }
            h2 { "Latest signed checkpoint" }
            @match &latest {
                Some((_, checkpoint, _)) => {
                    p { "Over the first " (checkpoint.size) " commits. Witnesses fetch it at " a href=(witnessed) { (witnessed) } "; any C2SP tlog-checkpoint verifier checks it with the public key." }
                    pre { (checkpoint.note) }
                },
                None => p { "None yet." },
            }
        },
    ))
}
