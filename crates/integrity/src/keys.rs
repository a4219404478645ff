//! The log's Ed25519 keys, in the C2SP signed-note key formats, and commit signatures.
//!
//! A key's name is the log's origin (its identity, e.g. `scoreledger.example/sandwell`), as
//! C2SP tlog-checkpoint asks. The private key is the `PRIVATE+KEY+<origin>+<id>+<base64>`
//! text `signed_note` reads; it lives in a 0600 file or the environment, never in the log.
//! The public key is the `<origin>+<id>+<base64>` verifier key; it is recorded in the log and
//! shipped with every evidence pack.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use signed_note::{Signer as _, StandardSigner, StandardVerifier, Verifier as _};

/// What a commit signature signs: a fixed context, so a signature over a commit can never be
/// taken for a signature over a note or anything else, then the commit's hash.
fn commit_message(commit_hash: &str) -> Vec<u8> {
    format!("scoreledger commit\n{commit_hash}\n").into_bytes()
}

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a usable origin.
    #[error("{0:?} cannot name a log: use letters, digits, dots, slashes or dashes, with no spaces or '+' (e.g. scoreledger.example/sandwell)")]
    BadOrigin(String),
    /// Not a private key in the signed-note format.
    #[error("this is not a Scoreledger signing key (expected the PRIVATE+KEY+<origin>+<id>+<key> text `scoreledger keys generate` writes)")]
    BadSecret,
    /// Not a public key in the signed-note format.
    #[error("{0:?} is not a public key (expected <origin>+<id>+<key>, as `scoreledger keys show` prints)")]
    BadPublic(String),
}

/// The log's signing key (private).
#[derive(Clone)]
pub struct LogKey {
    signer: StandardSigner,
    secret: String,
    public: PublicKey,
}

impl fmt::Debug for LogKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret, not even in a debug log.
        f.debug_struct("LogKey")
            .field("public", &self.public.text)
            .finish_non_exhaustive()
    }
}

impl LogKey {
    /// A new key for the log named `origin`, from the operating system's random source.
    pub fn generate(origin: &str) -> Result<Self, KeyError> {
        if !signed_note::is_key_name_valid(origin) {
            return Err(KeyError::BadOrigin(origin.to_owned()));
        }
        let (secret, _) = signed_note::generate_key(&mut rand_core::OsRng, origin);
        Self::from_secret(&secret)
    }

    /// A key from its private text.
    pub fn from_secret(text: &str) -> Result<Self, KeyError> {
        let secret = text.trim().to_owned();
        let signer = StandardSigner::new(&secret).map_err(|_| KeyError::BadSecret)?;
        // The verifier key is derived from the seed, which `StandardSigner` has just
        // checked against the key id.
        let seed = secret.splitn(5, '+').nth(4).ok_or(KeyError::BadSecret)?;
        let seed = base64::engine::general_purpose::STANDARD
            .decode(seed)
            .map_err(|_| KeyError::BadSecret)?;
        let signing =
            ed25519_dalek::SigningKey::try_from(&seed[1..]).map_err(|_| KeyError::BadSecret)?;
        let public = signed_note::new_ed25519_verifier_key(
            signed_note::Signer::name(&signer),
            &signing.verifying_key(),
        );
        let public = PublicKey::parse(&public)?;
        Ok(Self {
            signer,
            secret,
            public,
        })
    }

    /// The private text, to be written to a 0600 file.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The public half.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The log's origin (the key's name).
    pub fn origin(&self) -> &str {
        self.public.origin()
    }

    /// Signs a commit's hash.
    pub fn sign_commit(&self, commit_hash: &str) -> CommitSignature {
        let signature = self
            .signer
            .sign(&commit_message(commit_hash))
            .expect("Ed25519 signing does not fail");
        CommitSignature {
            key: self.public.id(),
            signature: hex::encode(signature),
        }
    }

    /// The signer `signed_note` signs notes with.
    pub(crate) fn signer(&self) -> &StandardSigner {
        &self.signer
    }
}

/// A public key of the log.
#[derive(Clone)]
pub struct PublicKey {
    verifier: StandardVerifier,
    text: String,
    /// `<origin>+<id>`, computed once: a verifier compares it for every commit it reads.
    id: String,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl PublicKey {
    /// Reads a verifier key (`<origin>+<id>+<base64>`).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let verifier =
            StandardVerifier::new(text).map_err(|_| KeyError::BadPublic(text.to_owned()))?;
        let id = format!("{}+{:08x}", verifier.name(), verifier.key_id());
        Ok(Self {
            verifier,
            text: text.to_owned(),
            id,
        })
    }

    /// The verifier key as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        self.verifier.name()
    }

    /// The key id, as the signed-note formats compute it.
    pub fn key_id(&self) -> u32 {
        self.verifier.key_id()
    }

    /// `<origin>+<id>`: how commit signatures name the key.
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// Whether `name` is this key's [`PublicKey::id`].
    pub fn is_named(&self, name: &str) -> bool {
        self.id == name
    }

    /// Whether `signature` is this key's signature of the commit hash.
    pub fn verifies_commit(&self, commit_hash: &str, signature: &CommitSignature) -> bool {
        signature.key == self.id()
            && signature.has_written_form()
            && hex::decode(&signature.signature)
                .is_ok_and(|sig| self.verifier.verify(&commit_message(commit_hash), &sig))
    }

    pub(crate) fn verifier(&self) -> &StandardVerifier {
        &self.verifier
    }
}

/// A commit's signature: which key, and its Ed25519 signature of the commit's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSignature {
    /// `<origin>+<key id>`.
    pub key: String,
    /// The signature, in lowercase hexadecimal.
    pub signature: String,
}

impl CommitSignature {
    /// Whether the signature is written as the log writes one: an Ed25519 signature's 64
    /// bytes as 128 lowercase hexadecimal digits. Decoding hexadecimal ignores case, so a
    /// letter's case changed in the stored bytes would otherwise verify.
    pub fn has_written_form(&self) -> bool {
        self.signature.len() == 128
            && self
                .signature
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }
}

/// The keys a log has recorded, in order: which may sign now, and which signed before.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<(PublicKey, bool)>,
}

impl KeyRing {
    /// A ring with no keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// A ring trusting exactly these keys (e.g. a key an auditor was given).
    pub fn of(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        let mut ring = Self::new();
        for key in keys {
            ring.add(key);
        }
        ring
    }

    /// Whether the ring has no key at all.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds a key that may sign from now on.
    pub fn add(&mut self, key: PublicKey) {
        if !self.keys.iter().any(|(known, _)| known == &key) {
            self.keys.push((key, true));
        }
    }

    /// Stops a key signing from now on (it still verifies what it signed before).
    pub fn retire(&mut self, key: &PublicKey) -> bool {
        match self.keys.iter_mut().find(|(known, _)| known == key) {
            Some((_, active)) => {
                *active = false;
                true
            }
            None => false,
        }
    }

    /// The keys that may sign now.
    pub fn active(&self) -> impl Iterator<Item = &PublicKey> {
        self.keys
            .iter()
            .filter(|(_, active)| *active)
            .map(|(key, _)| key)
    }

    /// Every key, retired ones too.
    pub fn all(&self) -> impl Iterator<Item = &PublicKey> {
        self.keys.iter().map(|(key, _)| key)
    }

    /// What can be checked of a commit's signature without the cost of verifying it: there is
    /// one, by a key that may sign now, written as the log writes one
    /// ([`CommitSignature::has_written_form`]). A signature removed, renamed to another key or
    /// rewritten in another case fails here; one altered in place needs [`KeyRing::check_commit`].
    pub fn check_form(&self, signature: Option<&CommitSignature>) -> Result<(), SignatureProblem> {
        let Some(signature) = signature else {
            return Err(SignatureProblem::Unsigned);
        };
        if !self.active().any(|key| key.is_named(&signature.key)) {
            return Err(SignatureProblem::UnknownKey(signature.key.clone()));
        }
        if !signature.has_written_form() {
            return Err(SignatureProblem::Invalid(signature.key.clone()));
        }
        Ok(())
    }

    /// Checks a commit's signature against the keys that may sign now.
    pub fn check_commit(
        &self,
        commit_hash: &str,
        signature: Option<&CommitSignature>,
    ) -> Result<(), SignatureProblem> {
        let Some(signature) = signature else {
            return Err(SignatureProblem::Unsigned);
        };
        let Some(key) = self.active().find(|key| key.is_named(&signature.key)) else {
            return Err(SignatureProblem::UnknownKey(signature.key.clone()));
        };
        if key.verifies_commit(commit_hash, signature) {
            Ok(())
        } else {
            Err(SignatureProblem::Invalid(signature.key.clone()))
        }
    }
}

/// Why a commit's signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureProblem {
    /// No signature where the log signs every commit.
    #[error("it carries no signature, though the log signs every commit")]
    Unsigned,
    /// Signed by a key the log has not recorded, or has retired.
    #[error("it is signed by {0}, which is not a key the log signs with")]
    UnknownKey(String),
    /// The signature is not the key's signature of this commit.
    #[error("its signature by {0} does not match its contents")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_named_by_its_id_and_nothing_else() {
        let key = LogKey::generate("scoreledger.test/council").unwrap();
        let public = key.public();
        assert!(public.is_named(&public.id()));
        let id = public.id();
        let (origin, hex) = id.rsplit_once('+').unwrap();
        for other in [
            format!("{origin}+{}", hex.to_uppercase()),
            format!("{origin}+{}", &hex[1..]),
            format!("{origin}+{hex}0"),
            format!("{origin}x+{hex}"),
            format!("{origin}+{:08x}", public.key_id().wrapping_add(1)),
            format!("{origin}++{}", &hex[1..]),
            String::new(),
        ] {
            assert!(!public.is_named(&other) || other == id, "{other}");
        }
    }

    #[test]
    fn a_key_survives_its_text_and_signs_what_its_public_half_verifies() {
        let key = LogKey::generate("scoreledger.test/council").unwrap();
        let again = LogKey::from_secret(key.secret()).unwrap();
        assert_eq!(again.public(), key.public());
        assert!(key.public().text().starts_with("scoreledger.test/council+"));
        let signature = key.sign_commit("ab12");
        let ring = KeyRing::of([key.public().clone()]);
        ring.check_commit("ab12", Some(&signature)).unwrap();
        assert_eq!(
            ring.check_commit("ab13", Some(&signature)),
            Err(SignatureProblem::Invalid(key.public().id()))
        );
        assert_eq!(
            ring.check_commit("ab12", None),
            Err(SignatureProblem::Unsigned)
        );
        assert!(!format!("{key:?}").contains(key.secret()));
    }

    #[test]
    fn a_signature_rewritten_in_another_case_or_length_is_refused_though_it_decodes_alike() {
        let key = LogKey::generate("scoreledger.test/council").unwrap();
        let ring = KeyRing::of([key.public().clone()]);
        let signature = key.sign_commit("ab12");
        assert!(signature.has_written_form());
        ring.check_form(Some(&signature)).unwrap();
        let letter = signature
            .signature
            .find(|c: char| c.is_ascii_alphabetic())
            .expect("128 hexadecimal digits hold a letter");
        let mut rewritten = signature.clone();
        rewritten.signature.replace_range(
            letter..=letter,
            &signature.signature[letter..=letter].to_uppercase(),
        );
        let mut padded = signature.clone();
        padded.signature.push_str("00");
        for changed in [rewritten, padded] {
            let invalid = Err(SignatureProblem::Invalid(key.public().id()));
            assert_eq!(ring.check_form(Some(&changed)), invalid, "{changed:?}");
            assert_eq!(
                ring.check_commit("ab12", Some(&changed)),
                invalid,
                "{changed:?}"
            );
        }
    }

    #[test]
    fn a_retired_key_signs_nothing_new_and_a_stranger_never() {
        let old = LogKey::generate("scoreledger.test/council").unwrap();
        let stranger = LogKey::generate("scoreledger.test/council").unwrap();
        let mut ring = KeyRing::of([old.public().clone()]);
        assert!(matches!(
            ring.check_commit("ab", Some(&stranger.sign_commit("ab"))),
            Err(SignatureProblem::UnknownKey(_))
        ));
        assert!(ring.retire(old.public()));
        assert!(matches!(
            ring.check_commit("ab", Some(&old.sign_commit("ab"))),
            Err(SignatureProblem::UnknownKey(_))
        ));
    }

    #[test]
    fn bad_texts_are_refused_with_what_to_do() {
        assert!(matches!(
            LogKey::generate("has space"),
            Err(KeyError::BadOrigin(_))
        ));
        assert_eq!(
            LogKey::from_secret("nonsense").unwrap_err(),
            KeyError::BadSecret
        );
        assert!(matches!(
            PublicKey::parse("a+b+c"),
            Err(KeyError::BadPublic(_))
        ));
    }
}
