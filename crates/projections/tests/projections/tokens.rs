//! Tokens are found by the SHA-256 of their secret, and a revocation sticks.

use chrono::NaiveDate;
use scoreledger_domain::{Actor, Command, Role, TokenId};
use scoreledger_projections::{drain, token_by_secret, tokens};
use scoreledger_testkit::{pair_test, uuid};

use crate::support::run;

fn admin() -> Actor {
    Actor::new("it.admin", "IT Admin", Role::Admin)
}

pair_test!(
    a_token_is_found_by_its_secrets_hash_and_revoked_once,
    |db| {
        let token_id = TokenId(uuid(7));
        let hash = "ab".repeat(32);
        run(
            &db,
            &token_id.stream(),
            Command::IssueToken {
                token_id,
                user_id: "sam.newton".into(),
                name: "Sam Newton".into(),
                role: Role::Officer,
                directorate: Some("Adult Social Care and Housing".into()),
                secret_sha256: hash.clone(),
                expires_on: NaiveDate::from_ymd_opt(2017, 3, 31),
            },
            admin(),
            None,
        )
        .await
        .unwrap();
        drain(&*db.store, &db.read, 10, |_| {}).await.unwrap();
        let found = token_by_secret(&db.read, &hash).await.unwrap().unwrap();
        assert_eq!(
            (
                found.user_id.as_str(),
                found.role.as_str(),
                found.issued_by.as_str()
            ),
            ("sam.newton", "officer", "IT Admin")
        );
        assert!(found.valid_on(NaiveDate::from_ymd_opt(2017, 3, 31).unwrap()));
        assert!(!found.valid_on(NaiveDate::from_ymd_opt(2017, 4, 1).unwrap()));
        assert_eq!(
            token_by_secret(&db.read, &"cd".repeat(32)).await.unwrap(),
            None
        );

        run(
            &db,
            &token_id.stream(),
            Command::RevokeToken { token_id },
            admin(),
            Some("left the council"),
        )
        .await
        .unwrap();
        drain(&*db.store, &db.read, 10, |_| {}).await.unwrap();
        let revoked = token_by_secret(&db.read, &hash).await.unwrap().unwrap();
        assert!(revoked.revoked_position.is_some());
        assert!(!revoked.valid_on(NaiveDate::from_ymd_opt(2017, 1, 1).unwrap()));
        assert_eq!(tokens(&db.read).await.unwrap().len(), 1);
    }
);
