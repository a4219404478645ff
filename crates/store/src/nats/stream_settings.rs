//! The stream the log asks for, and what an existing stream must not differ in: what would
//! let history be lost or rewritten, and what the settings ask that it does not have.

use std::time::Duration;

use async_nats::jetstream::stream;

use super::NatsConfig;

/// The stream `config` asks for.
pub(crate) fn wanted(config: &NatsConfig) -> stream::Config {
    stream::Config {
        name: config.stream.clone(),
        subjects: vec![subjects(config)],
        storage: stream::StorageType::File,
        num_replicas: config.replicas,
        deny_delete: true,
        deny_purge: true,
        allow_rollup: false,
        allow_direct: true,
        duplicate_window: config.duplicate_window,
        ..Default::default()
    }
}

/// The subjects the log's commits go to.
fn subjects(config: &NatsConfig) -> String {
    format!("{}.>", config.prefix)
}

/// What, if anything, would let the stream lose or rewrite history.
pub(crate) fn unsafe_setting(config: &stream::Config) -> Option<String> {
    let limited = |value: i64| value > 0;
    if !config.deny_delete {
        Some("allows deleting messages".into())
    } else if !config.deny_purge {
        Some("allows purging".into())
    } else if config.allow_rollup {
        Some("allows rollups".into())
    } else if config.storage != stream::StorageType::File {
        Some("keeps messages in memory only".into())
    } else if !config.allow_direct {
        Some("does not allow direct get".into())
    } else if config.max_age != Duration::ZERO {
        Some(format!("expires messages after {:?}", config.max_age))
    } else if limited(config.max_messages)
        || limited(config.max_bytes)
        || limited(config.max_messages_per_subject)
    {
        Some("has limits that discard old messages".into())
    } else {
        None
    }
}

/// How an existing stream differs from what `config` asks, each difference in words naming
/// the setting that asks otherwise; empty when it is as asked.
pub(crate) fn differences(config: &NatsConfig, actual: &stream::Config) -> Vec<String> {
    let mut found = Vec::new();
    if actual.num_replicas != config.replicas {
        found.push(format!(
            "it has {} replica(s) where --nats-replicas asks for {}",
            actual.num_replicas, config.replicas
        ));
    }
    let wanted = subjects(config);
    if !actual.subjects.contains(&wanted) {
        found.push(format!(
            "it holds the subjects {:?}, not {wanted:?} as --nats-prefix {} asks",
            actual.subjects, config.prefix
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_stream_is_compared_with_the_settings() {
        let config = NatsConfig {
            replicas: 3,
            ..NatsConfig::new("nats://127.0.0.1:4222")
        };
        let mut actual = wanted(&config);
        assert!(differences(&config, &actual).is_empty());
        assert_eq!(unsafe_setting(&actual), None);
        actual.num_replicas = 1;
        actual.subjects = vec!["other.>".into()];
        assert_eq!(
            differences(&config, &actual),
            [
                "it has 1 replica(s) where --nats-replicas asks for 3",
                "it holds the subjects [\"other.>\"], not \"scoreledger.>\" as --nats-prefix scoreledger asks",
            ]
        );
        actual.storage = stream::StorageType::Memory;
        assert_eq!(
            unsafe_setting(&actual).as_deref(),
            Some("keeps messages in memory only")
        );
    }
}
