//! NATS least privilege: with the accounts of `deploy/nats/accounts.conf`, the service's user
//! creates its stream, appends and reads, and every request that could rewrite history (stream
//! update, stream delete, purge, message delete) is a permissions violation; the operator's user
//! reaches all of them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use futures::StreamExt;
use scoreledger_store::{EventStore, NatsConfig, NatsStore, Position};
use scoreledger_testkit::nats::{NatsRelease, TestNats};

use crate::support::{notes, stream as stream_id};

const RELEASES: [NatsRelease; 2] = [NatsRelease::Machine, NatsRelease::Current];
const SERVICE: (&str, &str) = ("scoreledger", "service-password-0123");
const OPERATOR: (&str, &str) = ("scoreledger-admin", "admin-password-4567");

/// The deployment's accounts file, as shipped.
fn accounts_conf() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nats/accounts.conf")
}

fn server(release: NatsRelease) -> TestNats {
    TestNats::start_with_config(
        release,
        &[&accounts_conf()],
        &[
            ("SCORELEDGER_NATS_PASSWORD", SERVICE.1),
            ("SCORELEDGER_NATS_ADMIN_PASSWORD", OPERATOR.1),
        ],
    )
}

/// A JetStream client logged in as `user`, and the errors the server sent it. A permissions
/// violation is not a reply to the request: the server answers with an asynchronous `-ERR`
/// and drops the request, which then times out (after one second here).
async fn client_as(
    server: &TestNats,
    (user, password): (&str, &str),
) -> (jetstream::Context, Arc<Mutex<Vec<String>>>) {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    let client = async_nats::ConnectOptions::new()
        .user_and_password(user.into(), password.into())
        .event_callback(move |event| {
            let sink = sink.clone();
            async move {
                if let async_nats::Event::ServerError(err) = event {
                    sink.lock().unwrap().push(err.to_string());
                }
            }
        })
        .connect(server.url())
        .await
        .unwrap_or_else(|err| panic!("{user} logs in: {err}"));
    let context = jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(1))
        .build(client);
    (context, errors)
}

fn violated(errors: &Mutex<Vec<String>>, api: &str) -> bool {
    let subject = format!("\"$JS.API.{api}.SCORELEDGER\"").to_lowercase();
    errors.lock().unwrap().iter().any(|error| {
        let error = error.to_lowercase();
        error.contains("permissions violation") && error.contains(&subject)
    })
}

async fn messages(context: &jetstream::Context) -> u64 {
    let mut stream = context.get_stream("SCORELEDGER").await.unwrap();
    stream.info().await.unwrap().state.messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_user_appends_and_reads_but_cannot_rewrite_history() {
    for release in RELEASES {
        let server = server(release);
        let store = NatsStore::connect(
            NatsConfig::new(server.url_as(SERVICE.0, SERVICE.1)),
            server.clock.clone(),
        )
        .await
        .unwrap_or_else(|err| panic!("{release:?}: the service user opens its stream: {err}"));
        store.append(notes(&stream_id("a"), 0, 2)).await.unwrap();
        store.append(notes(&stream_id("b"), 0, 1)).await.unwrap();
        store.append(notes(&stream_id("a"), 2, 1)).await.unwrap();
        assert_eq!(store.head().await.unwrap(), Position(3), "{release:?}");
        assert_eq!(
            store.read_all(Position(0), 10).await.unwrap().len(),
            3,
            "{release:?}"
        );
        assert_eq!(
            store.read_stream(&stream_id("a")).await.unwrap().len(),
            2,
            "{release:?}"
        );
        // A projector's durable consumer and a follower's ephemeral one.
        for (name, commits) in [
            (
                "subscribe",
                store
                    .subscribe("permissions", Position(0))
                    .take(3)
                    .collect::<Vec<_>>()
                    .await,
            ),
            (
                "follow",
                store.follow(Position(1)).take(2).collect::<Vec<_>>().await,
            ),
        ] {
            assert!(
                commits.iter().all(Result::is_ok),
                "{release:?}: {name}: {commits:?}"
            );
        }

        let (service, errors) = client_as(&server, SERVICE).await;
        let log = service.get_stream("SCORELEDGER").await.unwrap();
        let mut shorter = log.cached_info().config.clone();
        shorter.max_messages = 1;
        assert!(
            service.update_stream(shorter.clone()).await.is_err(),
            "{release:?}: update"
        );
        assert!(log.purge().await.is_err(), "{release:?}: purge");
        assert!(
            log.delete_message(1).await.is_err(),
            "{release:?}: message delete"
        );
        assert!(
            service.delete_stream("SCORELEDGER").await.is_err(),
            "{release:?}: stream delete"
        );
        for api in [
            "STREAM.UPDATE",
            "STREAM.PURGE",
            "STREAM.MSG.DELETE",
            "STREAM.DELETE",
        ] {
            assert!(
                violated(&errors, api),
                "{release:?}: {api} was not refused as a permissions violation: {:?}",
                errors.lock().unwrap()
            );
        }
        // Creating the stream is allowed (the first start), but cannot change an existing one.
        assert!(
            service.create_stream(shorter.clone()).await.is_err(),
            "{release:?}: a create over the existing stream"
        );
        assert_eq!(messages(&service).await, 3, "{release:?}: history intact");
        assert_eq!(store.head().await.unwrap(), Position(3), "{release:?}");

        // The operator reaches every one of those APIs. Purge and message delete are then
        // refused by the stream itself (deny_purge, deny_delete, which no update can lift), for
        // everyone; what only the permissions stop is the update that truncates and the delete.
        let (operator, operator_errors) = client_as(&server, OPERATOR).await;
        let log = operator.get_stream("SCORELEDGER").await.unwrap();
        let purge = log.purge().await.unwrap_err();
        assert!(
            matches!(purge.kind(), stream::PurgeErrorKind::JetStream(_)),
            "{release:?}: the operator's purge reaches JetStream: {purge:?}"
        );
        let delete = log.delete_message(1).await.unwrap_err();
        assert!(
            matches!(delete.kind(), stream::DeleteMessageErrorKind::JetStream(_)),
            "{release:?}: the operator's message delete reaches JetStream: {delete:?}"
        );
        operator
            .update_stream(shorter)
            .await
            .unwrap_or_else(|err| panic!("{release:?}: the operator updates the stream: {err}"));
        assert_eq!(
            messages(&operator).await,
            1,
            "{release:?}: max_messages 1 dropped history"
        );
        drop(store);
        operator
            .delete_stream("SCORELEDGER")
            .await
            .unwrap_or_else(|err| panic!("{release:?}: the operator deletes the stream: {err}"));
        assert!(
            operator_errors.lock().unwrap().is_empty(),
            "{release:?}: {:?}",
            operator_errors.lock().unwrap()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_refused_login_that_does_not_show_it() {
    let server = server(NatsRelease::Machine);
    let err = NatsStore::connect(
        NatsConfig::new(server.url_as(SERVICE.0, "not-the-password")),
        server.clock.clone(),
    )
    .await
    .err()
    .expect("a wrong password is refused");
    let message = err.to_string();
    assert!(message.contains("refused the login"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");
}
