//! Evidence packs: a zip an auditor can keep and check without Scoreledger — the report or
//! measure, the commits of the log behind it (each carrying its SHA-256 and its stream's
//! previous hash), the history, a `SHA256SUMS` file for `sha256sum -c`, and a README saying
//! how to verify each part. Downloading one is a read of the history, recorded.

use std::io::{Cursor, Write};

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use scoreledger_domain::{MeasureRef, Position};
use scoreledger_service as service;
use scoreledger_store::Commit;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::layout::PageError;
use super::measure::changes_to;
use super::signin::Viewer;
use super::AsAtForm;
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
    let readme = format!(
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
         them. Signed checkpoints of the log are to come.\n",
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
    let files = vec![
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
    let readme = format!(
        "Evidence pack: measure {reference} — {title}\n\
         Made by Scoreledger for {who} ({role}) as the log stood at position {at}.\n\n\
         Files\n\
         - measure.json  the measure as known: definition, accountability, targets, values, assessments, notes\n\
         - history.json  every change to it: who, when, in which role, before -> after, why\n\
         - history.csv   the same as CSV\n\
         - commits.jsonl every commit of the measure's stream ({count} commits), one JSON object a line\n\
         - SHA256SUMS    the SHA-256 of every file above\n\n\
         How to verify\n\
         1. sha256sum -c SHA256SUMS   (every file is as packed)\n\
         2. In commits.jsonl each commit's prev_hash is the hash of the commit before it (64\n\
            zeros for the first), so the chain shows that no commit of the measure was removed or altered.\n",
        reference = view.definition.ref_as_printed,
        title = view.definition.title,
        who = viewer.actor.name,
        role = viewer.actor.role,
        count = commits.len(),
    );
    let files = vec![
        ("README.txt", readme.into_bytes()),
        ("measure.json", pretty(&view)),
        ("history.json", pretty(&history)),
        (
            "history.csv",
            scoreledger_reports::render::history_csv(&history).into_bytes(),
        ),
        ("commits.jsonl", json_lines(&commits)),
    ];
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
