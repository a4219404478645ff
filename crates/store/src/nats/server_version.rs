//! The nats-server release a client is connected to, and what depends on it: batched direct
//! gets (2.11) and replicated streams safe enough for an audit log (2.12.3, README
//! "Operations": earlier releases could lose a whole stream after crashes or go wrong
//! removing a peer).

/// A release, `major.minor.patch`; a pre-release suffix (`-beta.1`) is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ServerVersion(pub u64, pub u64, pub u64);

/// The first release that answers batched direct gets.
pub(crate) const BATCHED_GETS: ServerVersion = ServerVersion(2, 11, 0);

/// The first release trusted with replicated (R3) streams.
pub(crate) const SAFE_FOR_REPLICAS: ServerVersion = ServerVersion(2, 12, 3);

impl ServerVersion {
    /// Reads `2.15.1`, `v2.9.10`, `2.12.0-beta.1`; a part that is not a number reads as 0.
    pub(crate) fn parse(text: &str) -> Self {
        let text = text.trim().trim_start_matches('v');
        let release = text.split('-').next().unwrap_or_default();
        let mut parts = release
            .split('.')
            .map(|part| part.parse::<u64>().unwrap_or(0));
        let mut next = || parts.next().unwrap_or(0);
        Self(next(), next(), next())
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_compare_by_number_not_text() {
        assert_eq!(ServerVersion::parse("v2.9.10"), ServerVersion(2, 9, 10));
        assert!(ServerVersion::parse("2.9.10") < BATCHED_GETS);
        assert!(ServerVersion::parse("2.11.0") >= BATCHED_GETS);
        assert!(ServerVersion::parse("2.12.2") < SAFE_FOR_REPLICAS);
        assert!(ServerVersion::parse("2.12.3") >= SAFE_FOR_REPLICAS);
        assert!(ServerVersion::parse("2.15.1") >= SAFE_FOR_REPLICAS);
        assert!(ServerVersion::parse("2.12.3-beta.1") >= SAFE_FOR_REPLICAS);
        assert_eq!(ServerVersion::parse("x"), ServerVersion(0, 0, 0));
    }
}
