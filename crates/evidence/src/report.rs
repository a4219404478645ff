//! A report's pack: `report.json` is the report the log recorded as published.

use sha2::{Digest, Sha256};

use crate::commits::Line;
use crate::pack::Pack;
use crate::{failed, Failed};

/// `report.json` hashes to the `sha256` of the `ReportPublished` event of the pack's last
/// commit (the publication), and `publication.json` names the same.
pub(crate) fn check(pack: &Pack, lines: &[Line]) -> Result<String, Failed> {
    let report = hex::encode(Sha256::digest(pack.required("report.json")?));
    let last = lines
        .last()
        .ok_or_else(|| failed("commits.jsonl", "it holds no commit"))?;
    let published = last
        .commit
        .events
        .iter()
        .find(|event| event.event_type == "ReportPublished")
        .ok_or_else(|| {
            failed(
                last.at(),
                "the last commit of a report's pack records no ReportPublished event",
            )
        })?;
    let recorded = published
        .payload
        .get("sha256")
        .and_then(|sha| sha.as_str())
        .ok_or_else(|| failed(last.at(), "its ReportPublished event names no sha256"))?;
    if recorded != report {
        return Err(failed(
            "report.json",
            format!(
                "its SHA-256 is {report}, but the log recorded {recorded} when the report was published (position {})",
                last.commit.position
            ),
        ));
    }
    if let Some(bytes) = pack.get("publication.json") {
        let publication: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|err| failed("publication.json", format!("not JSON: {err}")))?;
        let named = publication.get("sha256").and_then(|sha| sha.as_str());
        if named != Some(recorded) {
            return Err(failed(
                "publication.json",
                format!("it names the SHA-256 {named:?}, not the {recorded} the log recorded"),
            ));
        }
    }
    Ok(format!(
        "report.json: its SHA-256 {report} is the one the log recorded at its publication (position {})",
        last.commit.position
    ))
}
