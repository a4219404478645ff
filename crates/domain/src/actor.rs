//! Who did something. On every commit the actor comes from the authenticated session
//! (or, for the CLI, from the operator's flags), never from a command body.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
