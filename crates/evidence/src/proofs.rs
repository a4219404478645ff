//! The checkpoint, opened with the trusted key, and each commit's inclusion proof in it.

use serde::Deserialize;

use scoreledger_integrity::{
    check_inclusion, leaf_hash, open_checkpoint, parse_hash, KeyRing, PublicKey, SignedCheckpoint,
};

use crate::commits::Line;
use crate::pack::Pack;
use crate::{failed, Failed};

/// One line of `proofs.jsonl`, as the service writes an inclusion proof.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionProof {
    position: u64,
    commit_hash: String,
    size: u64,
    root: String,
    checkpoint: String,
    proof: Vec<String>,
}

/// Opens `checkpoint.txt` with the trusted key alone, and sees that it covers the commits.
pub(crate) fn open(
    pack: &Pack,
    trusted: &PublicKey,
    lines: &[Line],
) -> Result<SignedCheckpoint, Failed> {
    let Some(bytes) = pack.get("checkpoint.txt") else {
        return Err(failed(
            "checkpoint.txt",
            "the pack has none: the log had signed no checkpoint covering its commits when it was made, so nothing in it can be checked against the log's key; download it again once the log has signed one",
        ));
    };
    let note = std::str::from_utf8(bytes).map_err(|_| failed("checkpoint.txt", "not UTF-8"))?;
    let checkpoint = open_checkpoint(note, &KeyRing::of([trusted.clone()])).map_err(|err| {
        failed(
            "checkpoint.txt",
            format!(
                "it does not open with the key given ({}): {err}",
                trusted.id()
            ),
        )
    })?;
    let last = lines.last().map_or(0, |line| line.commit.position.0);
    if checkpoint.size < last {
        return Err(failed(
            "checkpoint.txt",
            format!(
                "it covers {} commits, not the last commit of the pack (position {last})",
                checkpoint.size
            ),
        ));
    }
    Ok(checkpoint)
}

/// Every commit has a proof, in order, that leads from its leaf to the checkpoint's head.
pub(crate) fn check(
    pack: &Pack,
    checkpoint: &SignedCheckpoint,
    lines: &[Line],
) -> Result<String, Failed> {
    let text = pack.text("proofs.jsonl")?;
    let proofs: Vec<&str> = text.lines().collect();
    if proofs.len() != lines.len() {
        return Err(failed(
            "proofs.jsonl",
            format!(
                "it holds {} proofs for {} commits",
                proofs.len(),
                lines.len()
            ),
        ));
    }
    let root = checkpoint.root_hex();
    for (number, (text, line)) in proofs.iter().zip(lines).enumerate() {
        let commit = &line.commit;
        let at = format!(
            "proofs.jsonl line {} (position {})",
            number + 1,
            commit.position
        );
        let proof: InclusionProof = serde_json::from_str(text)
            .map_err(|err| failed(&at, format!("not an inclusion proof: {err}")))?;
        let problem = if proof.position != commit.position.0 {
            Some(format!(
                "it proves position {}, not the commit of that line of commits.jsonl",
                proof.position
            ))
        } else if proof.commit_hash != commit.hash {
            Some(format!(
                "it proves the commit hash {}, not {}",
                proof.commit_hash, commit.hash
            ))
        } else if proof.size != checkpoint.size || proof.root != root {
            Some(format!(
                "it proves against a tree of {} commits with head {}, not the checkpoint's ({} commits, head {root})",
                proof.size, proof.root, checkpoint.size
            ))
        } else if proof.checkpoint != checkpoint.note {
            Some("the checkpoint it carries is not checkpoint.txt".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(failed(at, problem));
        }
        let path = proof
            .proof
            .iter()
            .map(|hash| parse_hash(hash))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| failed(&at, err.to_string()))?;
        let leaf = leaf_hash(&commit.hash).map_err(|err| failed(&at, err.to_string()))?;
        check_inclusion(
            &path,
            checkpoint.size,
            checkpoint.root,
            commit.position.0 - 1,
            leaf,
        )
        .map_err(|_| {
            failed(
                &at,
                "the audit path does not lead from the commit to the checkpoint's head: the proof or the commit was altered",
            )
        })?;
    }
    Ok(format!(
        "proofs.jsonl: each of the {} commits is in the checkpoint (RFC 6962 inclusion proofs to head {root})",
        lines.len()
    ))
}
