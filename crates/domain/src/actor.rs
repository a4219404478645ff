//! Who did something. On every commit the actor comes from the authenticated session
//! (or, for the CLI, from the operator's flags), never from a command body.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The roles of DESIGN.md §7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Enters values and notes for their directorate's measures.
    Officer,
    /// Defines measures, sets targets, assesses, locks periods, publishes reports.
    Performance,
    /// Signs off.
    Approver,
    /// Reads everything, writes nothing.
    Auditor,
    /// Administers the installation.
    Admin,
}

impl Role {
    /// All roles, in a stable order.
    pub const ALL: [Role; 5] = [
        Role::Officer,
        Role::Performance,
        Role::Approver,
        Role::Auditor,
        Role::Admin,
    ];

    /// The role's name as written in events and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Performance => "performance",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown role {s:?}; expected one of officer, performance, approver, auditor, admin")
            })
    }
}

/// A person acting in a role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// Stable user id (e.g. `simon.dennis`).
    pub id: String,
    /// Display name as it appears in reports and the history view.
    pub name: String,
    /// The role the change was made in.
    pub role: Role,
}

impl Actor {
    /// Convenience constructor.
    pub fn new(id: impl Into<String>, name: impl Into<String>, role: Role) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            role,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.role)
    }
}

/// A user id in the one form it is stored in: trimmed, compatibility-normalised (NFKC, so a
/// full-width `ｓａｍ` is `sam`) and lower-cased, so `Sam.Newton` and `sam.newton` are one
/// person.
pub fn normalise_user_id(id: &str) -> String {
    let lowered: String = id.trim().nfkc().flat_map(char::to_lowercase).collect();
    // Lower-casing can leave a sequence NFKC would write otherwise.
    lowered.nfkc().collect()
}

/// Whether two user ids would be read as the same person: equal once normalised and reduced
/// to their UTS #39 confusable skeleton, so a Cyrillic `ѕam.newton` is `sam.newton`.
/// Maker ≠ checker compares ids so; comparing the stored strings would let a look-alike id
/// sign off its own figures.
pub fn same_person(a: &str, b: &str) -> bool {
    skeleton(a) == skeleton(b)
}

fn skeleton(id: &str) -> String {
    unicode_security::skeleton(&normalise_user_id(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_read_alike_are_one_person() {
        for look_alike in [
            "sam.newton",
            "Sam.Newton",
            " SAM.NEWTON ",
            "\u{0455}am.newton",  // Cyrillic dze
            "s\u{0430}m.newton",  // Cyrillic a
            "\u{FF53}am.newton",  // full-width s
            "sam.new\u{200B}ton", // a zero-width space
            "sam.newt\u{043E}n",  // Cyrillic o
        ] {
            assert!(same_person("sam.newton", look_alike), "{look_alike:?}");
        }
        for other in ["sam.newtons", "sam.norton", "simon.dennis", "samnewton"] {
            assert!(!same_person("sam.newton", other), "{other:?}");
        }
    }

    #[test]
    fn ids_are_stored_compatibility_normalised_and_lower_case() {
        assert_eq!(normalise_user_id(" Sam.Newton "), "sam.newton");
        assert_eq!(normalise_user_id("\u{FF33}am"), "sam");
        // A look-alike letter of another script is kept: it is refused where it collides.
        assert_eq!(normalise_user_id("\u{0405}am"), "\u{0455}am");
    }
}
