//! What a witness and an auditor fetch: the latest signed checkpoint (no token needed), and
//! RFC 6962 proofs against the checkpoints that check out with the public key alone.

use std::sync::Arc;

use reqwest::StatusCode;
use scoreledger_domain::Role;
use scoreledger_integrity::{
    check_consistency, check_inclusion, leaf_hash, open_checkpoint, parse_hash, KeyRing, LogKey,
};
use scoreledger_service::checkpoints::record_checkpoint;
use scoreledger_testkit::pair_test;

use crate::commands::{plan_with_a_measure, token};
use crate::pages::{page, sign_in};
use crate::support::{get, TestServer};

fn hashes(proof: &serde_json::Value) -> Vec<scoreledger_integrity::Hash> {
    proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| parse_hash(h.as_str().unwrap()).unwrap())
        .collect()
}

pair_test!(checkpoints_and_proofs_check_out_with_the_public_key, |db| {
    let key = Arc::new(LogKey::generate("scoreledger.test/api").unwrap());
    let server = TestServer::start(&db).await;
    let none = reqwest::get(server.url("/checkpoint")).await.unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    server.stop().await;

    db.sign(key.clone()).await;
    plan_with_a_measure(&db).await;
    let first = record_checkpoint(&*db.store).await.unwrap().unwrap();
    let auditor = token(&db, 6, Role::Auditor, None).await;
    let second = record_checkpoint(&*db.store).await.unwrap().unwrap();
    let server = TestServer::start(&db).await;

    // Anyone may fetch the latest checkpoint; it opens with the public key.
    let note = reqwest::get(server.url("/checkpoint"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ring = KeyRing::of([key.public().clone()]);
    let opened = open_checkpoint(&note, &ring).unwrap();
    assert_eq!((opened.size, opened.root), (second.size, second.root));

    // The first commit's inclusion in the latest checkpoint.
    let (status, proof) = get(&server.url("/api/proofs/inclusion?position=1"), &auditor).await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    let leaf = leaf_hash(proof["commit_hash"].as_str().unwrap()).unwrap();
    check_inclusion(&hashes(&proof), opened.size, opened.root, 0, leaf).unwrap();
    assert!(check_inclusion(&hashes(&proof), opened.size, opened.root, 1, leaf).is_err());

    // The second checkpoint extends the first.
    let url = format!("/api/proofs/consistency?from={}", first.size);
    let (status, proof) = get(&server.url(&url), &auditor).await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    check_consistency(
        &hashes(&proof),
        first.size,
        first.root,
        second.size,
        second.root,
    )
    .unwrap();

    // A checkpoint the log does not have, and a commit past the checkpoint.
    let (status, _) = get(&server.url("/api/proofs/consistency?from=2"), &auditor).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let url = format!("/api/proofs/inclusion?position={}", second.size + 5);
    let (status, answer) = get(&server.url(&url), &auditor).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");

    // The auditor's page says the same, with the key to compare and the latest checkpoint.
    let cookie = sign_in(&server, &auditor).await;
    let (status, html) = page(&server, &cookie, "/verification").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("The log verifies."), "{html}");
    assert!(html.contains(key.public().text()), "{html}");
    assert!(
        html.contains(&format!("Over the first {} commits", second.size)),
        "{html}"
    );
    let bad = db.land_unreadable_commit().await;
    let (status, html) = page(&server, &cookie, "/verification").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("The log does not verify"), "{html}");
    assert!(html.contains(&format!("at position {}", bad.0)), "{html}");
    server.stop().await;
});
