//! Checks a Scoreledger evidence pack offline, holding only the log's public key.
//!
//! A pack (`/reports/{id}/evidence.zip`, `/measures/{ref}/evidence.zip`) holds the report or
//! measure, every commit behind it (`commits.jsonl`), `SHA256SUMS`, where the log began
//! signing and its keys as it recorded them (`manifest.json`), and once the log signs, the
//! signed checkpoint covering its last commit (`checkpoint.txt`), the keys again
//! (`keys.txt`) and each commit's inclusion proof in that checkpoint (`proofs.jsonl`).
//! [`verify`] checks each in turn and stops at the first that does not hold, naming the
//! file, commit or proof.
//!
//! The checkpoint is opened only with the key the auditor trusts, never with `keys.txt`:
//! that came inside the pack, and whoever forged a pack could forge it too.
//!
//! A signature is not under a commit's hash, so the proofs cannot tell a commit made before
//! the log's first key from one whose signature was taken off. The manifest says where the
//! log began signing; every commit from there on must be signed, and the manifest itself is
//! checked against the commits the pack holds (the commit that recorded the first key is one
//! of them, signed and proved in the checkpoint) and against the checkpoint.

mod commits;
mod manifest;
mod pack;
mod proofs;
mod report;
mod signatures;

use scoreledger_integrity::PublicKey;
use serde::Serialize;

pub use pack::Pack;

/// What a pack was found to hold: each check passed, in the order made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// One line per check passed.
    pub checked: Vec<String>,
}

/// The first check that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The file, commit or proof that failed (e.g. `commits.jsonl line 3 (position 3)`).
    pub at: String,
    /// Why.
    pub problem: String,
    /// The checks that passed before it.
    pub checked: Vec<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

impl std::error::Error for Refusal {}

/// Where a check failed, before the checks passed so far are attached.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) at: String,
    pub(crate) problem: String,
}

pub(crate) fn failed(at: impl Into<String>, problem: impl Into<String>) -> Failed {
    Failed {
        at: at.into(),
        problem: problem.into(),
    }
}

/// Checks the pack `bytes` (a zip) against the log's public key `trusted`.
pub fn verify(bytes: &[u8], trusted: &PublicKey) -> Result<Verified, Refusal> {
    let mut checked = Vec::new();
    match run(bytes, trusted, &mut checked) {
        Ok(()) => Ok(Verified { checked }),
        Err(Failed { at, problem }) => Err(Refusal {
            at,
            problem,
            checked,
        }),
    }
}

fn run(bytes: &[u8], trusted: &PublicKey, checked: &mut Vec<String>) -> Result<(), Failed> {
    let pack = Pack::open(bytes)?;
    checked.push(pack.check_sums()?);
    let commits = commits::read(&pack)?;
    checked.push(commits::check_hashes(&commits)?);
    checked.push(commits::check_chains(&commits, pack.is_report())?);
    let manifest = manifest::read(&pack)?;
    checked.push(signatures::check(&commits, &manifest)?);
    let checkpoint = proofs::open(&pack, trusted, &commits)?;
    checked.push(format!(
        "checkpoint.txt: the log {} signed a checkpoint of {} commits with the key given ({})",
        checkpoint.origin, checkpoint.size, checkpoint.signed_by
    ));
    checked.push(signatures::check_signed_from(
        &commits,
        &manifest,
        &checkpoint,
        trusted,
        pack.is_report(),
    )?);
    checked.push(proofs::check(&pack, &checkpoint, &commits)?);
    if pack.is_report() {
        checked.push(report::check(&pack, &commits)?);
    }
    Ok(())
}

/// Reads the key to trust: a verifier key (`<origin>+<id>+<base64>`), or a file holding one.
pub fn trusted_key(key_or_file: &str) -> Result<PublicKey, String> {
    let path = std::path::Path::new(key_or_file);
    let text = if path.is_file() {
        std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read the key file {key_or_file}: {err}"))?
    } else {
        key_or_file.to_owned()
    };
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .ok_or_else(|| format!("{key_or_file} holds no key"))?;
    PublicKey::parse(line).map_err(|err| {
        format!(
            "{err}; give the log's public key as `scoreledger keys show` prints it (ORIGIN+ID+KEY), or a file holding it"
        )
    })
}
