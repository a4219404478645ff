//! The commits of a pack: each one's hash recomputed from its fields, their
//! positions and each stream's chain (signatures: see `signatures`).

use std::collections::BTreeMap;

use scoreledger_store::{verify_chain, Commit};

use crate::pack::Pack;
use crate::{failed, Failed};

/// A commit and the line of `commits.jsonl` it was read from.
pub(crate) struct Line {
    pub(crate) number: usize,
    pub(crate) commit: Commit,
}

impl Line {
    pub(crate) fn at(&self) -> String {
        format!(
            "commits.jsonl line {} (position {})",
            self.number, self.commit.position
        )
    }
}

pub(crate) fn read(pack: &Pack) -> Result<Vec<Line>, Failed> {
    let text = pack.text("commits.jsonl")?;
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let commit: Commit = serde_json::from_str(line).map_err(|err| {
            failed(
                format!("commits.jsonl line {}", index + 1),
                format!("not a commit: {err}"),
            )
        })?;
        lines.push(Line {
            number: index + 1,
            commit,
        });
    }
    if lines.is_empty() {
        return Err(failed("commits.jsonl", "it holds no commit"));
    }
    Ok(lines)
}

/// Each commit's stored hash is the SHA-256 of its canonical encoding.
pub(crate) fn check_hashes(lines: &[Line]) -> Result<String, Failed> {
    for line in lines {
        let computed = line.commit.compute_hash();
        if computed != line.commit.hash {
            return Err(failed(
                line.at(),
                format!(
                    "its fields hash to {computed}, not to the hash it carries ({}): the commit was changed",
                    line.commit.hash
                ),
            ));
        }
    }
    Ok(format!(
        "commits.jsonl: the hash of each of its {} commits matches its contents",
        lines.len()
    ))
}

/// Positions rise (a report's pack: every position from 1, none missing), and each stream's
/// commits chain from its first (a pack holds each stream it carries from the start).
pub(crate) fn check_chains(lines: &[Line], whole_log: bool) -> Result<String, Failed> {
    for (index, line) in lines.iter().enumerate() {
        let position = line.commit.position.0;
        if whole_log && position != index as u64 + 1 {
            return Err(failed(
                line.at(),
                format!(
                    "position {} is missing: a report's pack holds every commit up to its publication",
                    index + 1
                ),
            ));
        }
        if index > 0 && position <= lines[index - 1].commit.position.0 {
            return Err(failed(line.at(), "positions do not rise"));
        }
    }
    let mut streams: BTreeMap<&str, Vec<Commit>> = BTreeMap::new();
    for line in lines {
        streams
            .entry(line.commit.stream.as_str())
            .or_default()
            .push(line.commit.clone());
    }
    for chain in streams.values() {
        verify_chain(chain).map_err(|err| {
            let position = match &err {
                scoreledger_store::ChainError::HashMismatch { position, .. }
                | scoreledger_store::ChainError::BrokenLink { position, .. }
                | scoreledger_store::ChainError::VersionGap { position, .. } => *position,
            };
            let at = lines
                .iter()
                .find(|line| line.commit.position == position)
                .map(Line::at)
                .unwrap_or_else(|| "commits.jsonl".into());
            failed(at, err.to_string())
        })?;
    }
    Ok(format!(
        "commits.jsonl: the commits of each of its {} streams chain from the first, none missing",
        streams.len()
    ))
}
