//! Logging in to NATS as NATS users expect: a user's nkey seed, and TLS with the authority
//! that signed the server's certificate. Each test makes its own keys and certificates and
//! starts a current nats-server that demands them (scripts/services.sh).

use std::path::{Path, PathBuf};

use scoreledger_store::nats::NatsOpenError;
use scoreledger_store::{EventStore, NatsConfig, NatsSecurity, NatsStore, Position};
use scoreledger_testkit::nats::{NatsRelease, TestNats};

use crate::support::{notes, stream};

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

async fn open(
    server: &TestNats,
    url: String,
    security: NatsSecurity,
) -> Result<NatsStore, NatsOpenError> {
    NatsStore::connect(
        NatsConfig {
            url: url.into(),
            security,
            ..NatsConfig::new("")
        },
        server.clock.clone(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_logs_in_with_the_nkey_seed_the_server_lists_and_without_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let user = nkeys::KeyPair::new_user();
    let accounts = write(
        dir.path(),
        "nkeys.conf",
        &format!(
            "authorization {{\n    users = [ {{ nkey: {} }} ]\n}}\n",
            user.public_key()
        ),
    );
    let server = TestNats::start_with_config(NatsRelease::Current, &[&accounts], &[]);
    let seed = write(
        dir.path(),
        "service.nk",
        &format!("{}\n", user.seed().unwrap()),
    );
    let store = open(
        &server,
        server.url(),
        NatsSecurity {
            nkey: Some(seed),
            ..NatsSecurity::default()
        },
    )
    .await
    .expect("the listed user's seed logs in");
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    assert_eq!(store.head().await.unwrap(), Position(1));

    let stranger = nkeys::KeyPair::new_user();
    let other = write(dir.path(), "other.nk", &stranger.seed().unwrap());
    let err = open(
        &server,
        server.url(),
        NatsSecurity {
            nkey: Some(other),
            ..NatsSecurity::default()
        },
    )
    .await
    .err()
    .expect("a seed the server does not list is refused");
    assert!(matches!(err, NatsOpenError::Login { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_the_authority_that_signed_the_server_and_not_without() {
    let dir = tempfile::tempdir().unwrap();
    let authority = rcgen::CertifiedIssuer::self_signed(
        {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params
        },
        rcgen::KeyPair::generate().unwrap(),
    )
    .unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &authority)
        .unwrap();
    let ca = write(dir.path(), "ca.pem", &authority.pem());
    let cert = write(dir.path(), "server.pem", &server_cert.pem());
    let key = write(dir.path(), "server-key.pem", &server_key.serialize_pem());
    let tls = write(
        dir.path(),
        "tls.conf",
        &format!(
            "tls {{\n    cert_file: {:?}\n    key_file: {:?}\n}}\n",
            cert.display().to_string(),
            key.display().to_string()
        ),
    );
    let server = TestNats::start_with_config(NatsRelease::Current, &[&tls], &[]);
    let url = format!("tls://127.0.0.1:{}", server.port);
    let store = open(
        &server,
        url.clone(),
        NatsSecurity {
            tls_ca: Some(ca),
            ..NatsSecurity::default()
        },
    )
    .await
    .expect("the server's certificate checks against its authority");
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    assert_eq!(store.read_all(Position(0), 10).await.unwrap().len(), 1);

    // The system's authorities do not know this one: the connection is refused.
    let err = open(&server, url, NatsSecurity::default())
        .await
        .err()
        .expect("an unknown authority is refused");
    assert!(matches!(err, NatsOpenError::Connect { .. }), "{err:?}");
}
