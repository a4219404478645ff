//! Reading a pack: its files by name, and checking them against `SHA256SUMS`.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use sha2::{Digest, Sha256};

use crate::{failed, Failed};

/// The files of a pack.
#[derive(Debug)]
pub struct Pack {
    files: BTreeMap<String, Vec<u8>>,
}

impl Pack {
    /// Reads every file of the zip `bytes`. Two entries of one name are refused: which of
    /// them a tool shows would be up to the tool.
    pub(crate) fn open(bytes: &[u8]) -> Result<Self, Failed> {
        let not_zip = |err: zip::result::ZipError| {
            failed("the pack", format!("it is not a readable zip: {err}"))
        };
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_zip)?;
        let mut files = BTreeMap::new();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).map_err(not_zip)?;
            let name = entry.name().map_err(not_zip)?.into_owned();
            let mut content = Vec::new();
            entry
                .read_to_end(&mut content)
                .map_err(|err| failed(&name, format!("it cannot be read from the zip: {err}")))?;
            if files.insert(name.clone(), content).is_some() {
                return Err(failed(name, "the zip holds two files of this name"));
            }
        }
        Ok(Self { files })
    }

    /// The file `name`, if the pack has it.
    pub(crate) fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// The file `name`, which every pack has.
    pub(crate) fn required(&self, name: &str) -> Result<&[u8], Failed> {
        self.get(name)
            .ok_or_else(|| failed(name, "the pack has no such file"))
    }

    /// The file `name` as text.
    pub(crate) fn text(&self, name: &str) -> Result<&str, Failed> {
        std::str::from_utf8(self.required(name)?).map_err(|_| failed(name, "it is not UTF-8 text"))
    }

    /// Whether it is a report's pack (which names the report's SHA-256) or a measure's.
    pub(crate) fn is_report(&self) -> bool {
        self.files.contains_key("report.json")
    }

    /// Every file is listed in `SHA256SUMS` with its SHA-256, and every file listed is there.
    pub(crate) fn check_sums(&self) -> Result<String, Failed> {
        let sums = self.text("SHA256SUMS")?;
        let mut listed = BTreeMap::new();
        for (number, line) in sums.lines().enumerate() {
            let at = || format!("SHA256SUMS line {}", number + 1);
            let (sum, name) = line
                .split_once("  ")
                .ok_or_else(|| failed(at(), "not `<sha256>  <file>`"))?;
            let content = self
                .get(name)
                .ok_or_else(|| failed(at(), format!("it lists {name}, which the pack lacks")))?;
            let actual = hex::encode(Sha256::digest(content));
            if actual != sum {
                return Err(failed(
                    name,
                    format!("its SHA-256 is {actual}, but SHA256SUMS says {sum}: the file was changed or damaged"),
                ));
            }
            listed.insert(name, ());
        }
        if let Some(unlisted) = self
            .files
            .keys()
            .find(|name| *name != "SHA256SUMS" && !listed.contains_key(name.as_str()))
        {
            return Err(failed(
                unlisted,
                "SHA256SUMS does not list it: it was added after the pack was made",
            ));
        }
        Ok(format!(
            "SHA256SUMS: all {} files match their SHA-256",
            listed.len()
        ))
    }
}
