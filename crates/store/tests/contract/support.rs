use scoreledger_domain::{DomainEvent, Period, StreamId};
use scoreledger_store::{ExpectedVersion, NewCommit, StreamVersion};
use scoreledger_testkit::performance_officer;

/// Expands one scenario into one `#[tokio::test]` per backend.
#[macro_export]
macro_rules! store_test {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = scoreledger_testkit::fresh_sqlite().await;
                let $store = db.store.clone();
                $body
            }

            /// Needs nats-server (the machine image's release); see scripts/services.sh.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn nats_machine() {
                let server = scoreledger_testkit::nats::TestNats::start(
                    scoreledger_testkit::nats::NatsRelease::Machine,
                );
                let $store = server.store().await;
                $body
            }

            /// Needs the current nats-server release; see scripts/services.sh.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn nats_current() {
                let server = scoreledger_testkit::nats::TestNats::start(
                    scoreledger_testkit::nats::NatsRelease::Current,
                );
                let $store = server.store().await;
                $body
            }
        }
    };
}

/// A commit of `n` data notes to `stream`.
pub(crate) fn notes(stream: &StreamId, expected: u64, n: usize) -> NewCommit {
    let events = (0..n)
        .map(|i| DomainEvent::CommentaryEdited {
            period: Period::quarter(2016, 3),
            text: format!("note {i}"),
        })
        .collect();
    NewCommit::new(
        stream.clone(),
        ExpectedVersion::Exact(StreamVersion(expected)),
        performance_officer(),
        events,
    )
}

pub(crate) fn stream(name: &str) -> StreamId {
    StreamId(format!("measure-{name}"))
}
