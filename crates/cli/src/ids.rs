//! Ids the CLI mints. Plans and measures get ids derived from what identifies them (plan
//! name and year; plan and reference), so re-running an import is idempotent; reports get
//! time-ordered random ids.

use uuid::Uuid;

/// A stable id from the given parts (see [`scoreledger_store::derived_id`]).
pub fn derived(parts: &[&str]) -> Uuid {
    scoreledger_store::derived_id(parts)
}

/// A fresh, time-ordered id.
pub fn fresh() -> Uuid {
    scoreledger_store::new_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinguish_their_parts() {
        assert_eq!(derived(&["a", "b"]), derived(&["a", "b"]));
        assert_ne!(derived(&["ab", ""]), derived(&["a", "b"]));
        assert_eq!(derived(&["a"]).get_version_num(), 8);
    }
}
