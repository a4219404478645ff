//! Evidence packs: a zip an auditor can keep and check without Scoreledger — the report or
//! measure, the commits of the log behind it (each carrying its SHA-256 and its stream's
//! previous hash), the history, a `SHA256SUMS` file for `sha256sum -c`, and a README saying
//! how to verify each part. Downloading one is a read of the history, recorded.
//!
//! Every pack says where the log began signing and with which keys (`manifest.json`), so a
//! signature taken off a commit is not mistaken for a commit made before the log's key.
//! Once the log signs, a pack also carries the signed checkpoint covering its last commit,
//! the log's public keys and an inclusion proof for every commit, so `scoreledger-evidence
//! verify` (or any RFC 6962 / C2SP implementation) can check it holding only the log's
//! public key. A pack whose commits do not chain, or whose log does not match the
//! checkpoint, is refused rather than shipped as if whole.

use std::io::{Cursor, Write};

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use scoreledger_domain::{MeasureRef, Position};
use scoreledger_service as service;
use scoreledger_service::proofs::{self, ProofError};
use scoreledger_store::{verify_chain, Commit};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::layout::PageError;
use super::manifest::Manifest;
use super::measure::changes_to;
use super::signin::Viewer;
use super::AsAtForm;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::queries::{position, record_access};
use crate::ServerState;

/// `GET /reports/{report}/evidence.zip`: the published report and every commit up to its
/// cut-off, which is all it takes to rebuild it.
pub(crate) async fn report(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    uri: axum::http::Uri,
    Path(report): Path<String>,
    Query(form): Query<AsAtForm>,
) -> Result<Response, PageError> {
    let at = position(&state, &form.when()?).await?;
    let publication = service::find_publication(&state.read, &report).await?;
    // Only a report that still rebuilds to its published hash goes into a pack.
    let published = service::published_report(&state.read, &publication).await?;
    record_access(&state, &viewer, &uri, None).await?;
    let restated = service::restated(&state.read, publication.clone(), at).await?;
    // Up to the publishing commit itself, so the pack holds the hash the log recorded.
    let commits = commits_through(&state, Position(publication.position as u64)).await?;
    check_log_order(&commits, Position(publication.position as u64))?;
    let (commits, seal) = seal(&state, commits, Holding::WholeLog).await?;
    let mut readme = format!(
        "Evidence pack: the {period} report published to {meeting} on {on}\n\
         Made by Scoreledger for {who} ({role}) at log position {at}.\n\n\
         Files\n\
         - report.json      the report in canonical JSON, exactly the bytes that were hashed\n\
         - report.html      the same report as a printable page\n\
         - report.csv       the same report as CSV\n\
         - publication.json the publication: cut-off position, meeting, SHA-256, part digests\n\
         - restatements.json every cell that reads differently at position {at}, with the changes behind it\n\
         - commits.jsonl    every commit of the log up to the publication ({count} commits: those up to\n\
                            the cut-off {cut_off} built the report; the last records its publication)\n\
         - SHA256SUMS       the SHA-256 of every file above\n\n\
         How to verify\n\
         1. sha256sum -c SHA256SUMS                (no file damaged or changed since it was packed)\n\
         2. sha256sum report.json                  must print {sha}, the SHA-256 in\n\
            publication.json and in the ReportPublished event of the last line of commits.jsonl\n\
         3. In commits.jsonl each commit's prev_hash is the hash of the previous commit of the\n\
            same stream (64 zeros for a stream's first), so a commit taken out breaks the chain.\n\
            Each commit's hash covers a canonical encoding of its fields computed by Scoreledger;\n\
            `scoreledger report rebuild {id}` replays the service's log to the cut-off and\n\
            compares the report it gives with the published SHA-256.\n\n\
         SHA256SUMS is not signed: it shows that the files agree with each other, not who packed\n\
         them; what vouches for the commits is the log's signed checkpoint (below).\n",
        period = publication.period,
        meeting = publication.meeting,
        on = publication.published_on,
        who = viewer.actor.name,
        role = viewer.actor.role,
        count = commits.len(),
        sha = publication.sha256,
        id = publication.report_id,
        cut_off = publication.cut_off,
    );
    readme.push_str(&seal.readme());
    let mut files = vec![
        ("README.txt", readme.into_bytes()),
        ("report.json", published.canonical_json().into_bytes()),
        (
            "report.html",
            scoreledger_reports::html::scorecard(&published).into_bytes(),
        ),
        (
            "report.csv",
            scoreledger_reports::render::csv(&published).into_bytes(),
        ),
        ("publication.json", pretty(&publication)),
        ("restatements.json", pretty(&restated)),
        ("commits.jsonl", json_lines(&commits)),
    ];
    files.extend(seal.files());
    download(
        &format!(
            "scoreledger-evidence-report-{}.zip",
            &publication.report_id[..8.min(publication.report_id.len())]
        ),
        &files,
    )
}

/// `GET /measures/{ref}/evidence.zip`: the measure as known, its history and every commit
/// of its stream.
pub(crate) async fn measure(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    uri: axum::http::Uri,
    Path(reference): Path<String>,
    Query(form): Query<AsAtForm>,
) -> Result<Response, PageError> {
    let at = position(&state, &form.when()?).await?;
    let view = service::measure_at(&state.read, &reference, at).await?;
    let measure_ref: MeasureRef = view.definition.measure_ref.clone();
    record_access(&state, &viewer, &uri, Some(measure_ref.to_string())).await?;
    let history = changes_to(&state, measure_ref.as_str(), at).await?;
    let commits: Vec<Commit> = state
        .store
        .read_stream(&view.measure_id.stream())
        .await
        .map_err(ApiError::log_unavailable)?
        .into_iter()
        .filter(|c| c.position <= at)
        .collect();
    verify_chain(&commits).map_err(|err| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no evidence pack was made, because the measure's commits do not chain: {err}; run `scoreledger verify`"),
        )
    })?;
    let measure_commits = commits.len();
    let (commits, seal) = seal(&state, commits, Holding::OneStream).await?;
    let mut readme = format!(
        "Evidence pack: measure {reference} — {title}\n\
         Made by Scoreledger for {who} ({role}) as the log stood at position {at}.\n\n\
         Files\n\
         - measure.json  the measure as known: definition, accountability, targets, values, assessments, notes\n\
         - history.json  every change to it: who, when, in which role, before -> after, why\n\
         - history.csv   the same as CSV\n\
         - commits.jsonl every commit of the measure's stream ({count} commits), one JSON object a line,\n\
                         in log order with the commits of the log's keys stream (log-keys) up to the\n\
                         checkpoint ({keys} commits), which show where the log began signing\n\
         - SHA256SUMS    the SHA-256 of every file above\n\n\
         How to verify\n\
         1. sha256sum -c SHA256SUMS   (every file is as packed)\n\
         2. In commits.jsonl each commit's prev_hash is the hash of the commit before it (64\n\
            zeros for the first of its stream), so the chain shows that no commit of the measure was\n\
            removed or altered.\n",
        reference = view.definition.ref_as_printed,
        title = view.definition.title,
        who = viewer.actor.name,
        role = viewer.actor.role,
        count = measure_commits,
        keys = commits.len() - measure_commits,
    );
    readme.push_str(&seal.readme());
    let mut files = vec![
        ("README.txt", readme.into_bytes()),
        ("measure.json", pretty(&view)),
        ("history.json", pretty(&history)),
        (
            "history.csv",
            scoreledger_reports::render::history_csv(&history).into_bytes(),
        ),
        ("commits.jsonl", json_lines(&commits)),
    ];
    files.extend(seal.files());
    let name = measure_ref
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>();
    download(&format!("scoreledger-evidence-measure-{name}.zip"), &files)
}

async fn commits_through(state: &ServerState, through: Position) -> Result<Vec<Commit>, PageError> {
    let mut commits = Vec::new();
    let mut after = Position(0);
    while after < through {
        let wanted = (through.0 - after.0).min(1000) as usize;
        let batch = state
            .store
            .read_all(after, wanted)
            .await
            .map_err(ApiError::log_unavailable)?;
        let Some(last) = batch.last().map(|c| c.position) else {
            break;
        };
        commits.extend(batch.into_iter().filter(|c| c.position <= through));
        after = last;
    }
    Ok(commits)
}

/// Refuses a report pack whose commits are not every position from 1 to `through` in order,
/// each chained to its stream's previous commit: such a pack would not rebuild the report.
fn check_log_order(commits: &[Commit], through: Position) -> Result<(), PageError> {
    let broken = |problem: String| {
        PageError(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no evidence pack was made, because the log does not hold together: {problem}; run `scoreledger verify`"),
        ))
    };
    for (index, commit) in commits.iter().enumerate() {
        if commit.position.0 != index as u64 + 1 {
            return Err(broken(format!("position {} is missing", index + 1)));
        }
    }
    if commits.len() as u64 != through.0 {
        return Err(broken(format!("position {} is missing", commits.len() + 1)));
    }
    // Each stream's chain starts at position 1's genesis here, so every link is checked.
    let mut streams: std::collections::BTreeMap<&str, Vec<Commit>> = Default::default();
    for commit in commits {
        streams
            .entry(commit.stream.as_str())
            .or_default()
            .push(commit.clone());
    }
    for chain in streams.values() {
        verify_chain(chain).map_err(|err| broken(err.to_string()))?;
    }
    Ok(())
}

/// Which commits a pack holds, which decides what goes in beside them to show where the log
/// began signing.
#[derive(Clone, Copy)]
enum Holding {
    /// Every commit of the log up to the last: the commit that recorded the log's first key
    /// is among them whenever it came before the last.
    WholeLog,
    /// The commits of one stream: the keys stream's commits up to the checkpoint go in beside
    /// them, with their proofs, so the commit that recorded the first key is always there.
    OneStream,
}

/// What vouches for a pack's commits beyond their hashes: where the log signs from and its
/// keys (`manifest.json`, always), and the first signed checkpoint covering the last commit
/// with each commit's inclusion proof.
enum Seal {
    /// The log had not signed a checkpoint covering the commits (yet).
    Unsigned { manifest: Manifest },
    /// A checkpoint covers them, and every proof was checked against it.
    Signed {
        manifest: Manifest,
        checkpoint: String,
        size: u64,
        proofs: Vec<proofs::InclusionProof>,
    },
}

/// Seals `commits`, adding the keys stream's commits to a pack of one stream; returns the
/// commits the pack holds, in log order.
async fn seal(
    state: &ServerState,
    mut commits: Vec<Commit>,
    holding: Holding,
) -> Result<(Vec<Commit>, Seal), PageError> {
    let (key_commits, recorded) = service::keys::recorded_keys(state.store.as_ref())
        .await
        .map_err(ApiError::log_unavailable)?;
    let manifest = Manifest::of(&recorded);
    let Some(last) = commits.last() else {
        return Ok((commits, Seal::Unsigned { manifest }));
    };
    let Some(checkpoint) = proofs::covering_checkpoint(state.store.as_ref(), last.position)
        .await
        .map_err(ApiError::log_unavailable)?
    else {
        return Ok((commits, Seal::Unsigned { manifest }));
    };
    if let Holding::OneStream = holding {
        // Every key commit the checkpoint covers: the first of them is where signing began.
        let held: std::collections::BTreeSet<Position> =
            commits.iter().map(|c| c.position).collect();
        commits.extend(
            key_commits
                .into_iter()
                .filter(|c| c.position.0 <= checkpoint.size && !held.contains(&c.position)),
        );
        commits.sort_by_key(|c| c.position);
    }
    let positions: Vec<Position> = commits.iter().map(|c| c.position).collect();
    let refused = |status: StatusCode, problem: String| {
        PageError(ApiError::new(
            status,
            format!("no evidence pack was made, because {problem}"),
        ))
    };
    let proofs = proofs::inclusions_in(state.store.as_ref(), &positions, &checkpoint)
        .await
        .map_err(|err| match err {
            ProofError::Read(err) => PageError(ApiError::log_unavailable(err)),
            ProofError::Mismatch { .. } => refused(StatusCode::CONFLICT, err.to_string()),
            ProofError::NotFound(problem) => refused(StatusCode::INTERNAL_SERVER_ERROR, problem),
        })?;
    // The proofs were built from a second read of the log: it must be the same log.
    if let Some((commit, _)) = commits
        .iter()
        .zip(&proofs)
        .find(|(commit, proof)| commit.hash != proof.commit_hash)
    {
        return Err(refused(
            StatusCode::CONFLICT,
            format!(
                "the commit at position {} reads differently from the log the checkpoint covers; run `scoreledger verify`",
                commit.position
            ),
        ));
    }
    let seal = Seal::Signed {
        manifest,
        checkpoint: checkpoint.note.clone(),
        size: checkpoint.size,
        proofs,
    };
    Ok((commits, seal))
}

impl Seal {
    fn files(&self) -> Vec<(&'static str, Vec<u8>)> {
        match self {
            Seal::Unsigned { manifest } => vec![("manifest.json", manifest.json())],
            Seal::Signed {
                manifest,
                checkpoint,
                proofs,
                ..
            } => {
                let mut lines = Vec::new();
                for proof in proofs {
                    serde_json::to_writer(&mut lines, proof).expect("proofs serialise to JSON");
                    lines.push(b'\n');
                }
                vec![
                    ("manifest.json", manifest.json()),
                    ("checkpoint.txt", checkpoint.clone().into_bytes()),
                    ("keys.txt", manifest.keys_txt()),
                    ("proofs.jsonl", lines),
                ]
            }
        }
    }

    fn readme(&self) -> String {
        match self {
            Seal::Unsigned { manifest } => format!(
                "\nChecking offline\n\
                 No signed checkpoint of the log covers these commits{why}, so this pack carries no\n\
                 checkpoint.txt, keys.txt or proofs.jsonl: nothing in it is signed by the log's key.\n\
                 The hashes and chains above are all there is to check. manifest.json says from which\n\
                 position the log signs its commits, if it does, and with which keys.\n",
                why = if !manifest.signs() {
                    " (the log does not sign)"
                } else {
                    " yet"
                },
            ),
            Seal::Signed { size, .. } => [
                "",
                "Checking offline",
                &format!("- checkpoint.txt  the log's signed checkpoint of its first {size} commits: a C2SP"),
                "                  tlog-checkpoint (origin, size, base64 Merkle tree head) in a C2SP",
                "                  signed note, Ed25519, signed with the log's key",
                "- manifest.json   where the log began signing and its keys as it recorded them:",
                "                  format (1), signed_from (the position of the commit that recorded",
                "                  its first key), keys (each key, added_at, retired_at); every commit",
                "                  from signed_from on carries a signature by a key active at it",
                "- keys.txt        the same keys, one C2SP verifier key a line",
                "- proofs.jsonl    for each commit of commits.jsonl, in order, its RFC 6962 inclusion",
                "                  proof in that checkpoint: position, commit_hash, size, root (hex),",
                "                  checkpoint (the note), proof (the audit path, leaf to head, hex)",
                "",
                "With the log's public key from its operator (not keys.txt, which came in this pack):",
                "  scoreledger-evidence verify THIS.zip --key 'ORIGIN+ID+KEY'",
                "checks all of it: SHA256SUMS, each commit's hash recomputed from its fields, a",
                "signature on every commit from signed_from on by a key active at its position (a",
                "signature taken off is refused), the checkpoint's signature by the key given, each",
                "proof against the checkpoint's head, and for a report that report.json hashes to the",
                "sha256 of the ReportPublished event.",
                "",
                "Without Scoreledger: a commit's leaf is SHA-256(0x00 || the 32 bytes of its hash),",
                "interior nodes SHA-256(0x01 || left || right) (RFC 6962 section 2.1); its leaf index",
                "is its position - 1. A commit's signature is Ed25519 over \"scoreledger commit\\n<hash>\\n\"",
                "by the key keys.txt names as <origin>+<key id>.",
                "",
            ]
            .join("\n"),
        }
    }
}

fn pretty(value: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("evidence serialises to JSON");
    bytes.push(b'\n');
    bytes
}

fn json_lines(commits: &[Commit]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for commit in commits {
        serde_json::to_writer(&mut bytes, commit).expect("commits serialise to JSON");
        bytes.push(b'\n');
    }
    bytes
}

fn download(filename: &str, files: &[(&str, Vec<u8>)]) -> Result<Response, PageError> {
    let bytes = pack(files).map_err(|err| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the evidence pack could not be written: {err}"),
        )
    })?;
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The files as a zip with a `SHA256SUMS` beside them. Every entry carries the same fixed
/// time, so the same evidence gives the same bytes.
fn pack(files: &[(&str, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut sums = String::new();
    for (name, bytes) in files {
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
        sums.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(bytes))));
    }
    zip.start_file("SHA256SUMS", options)?;
    zip.write_all(sums.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_pack_lists_the_sha256_of_every_file_and_is_reproducible() {
        let files = [("a.txt", b"alpha\n".to_vec()), ("b.json", b"{}\n".to_vec())];
        let bytes = pack(&files).unwrap();
        assert_eq!(bytes, pack(&files).unwrap(), "same evidence, same bytes");
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 3);
        let mut sums = String::new();
        archive
            .by_name("SHA256SUMS")
            .unwrap()
            .read_to_string(&mut sums)
            .unwrap();
        assert_eq!(
            sums,
            format!(
                "{}  a.txt\n{}  b.json\n",
                hex::encode(Sha256::digest(b"alpha\n")),
                hex::encode(Sha256::digest(b"{}\n"))
            )
        );
    }
}
