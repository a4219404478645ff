//! API tokens as the read models hold them: found by the SHA-256 of a presented secret.

use chrono::NaiveDate;
use serde::Serialize;

use crate::read_models::ReadModels;

/// One issued token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    /// The token.
    pub token_id: String,
    /// The user it stands for.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// The role it acts in.
    pub role: String,
    /// For an officer: their directorate.
    pub directorate: Option<String>,
    /// The last day it is valid (YYYY-MM-DD), if it expires.
    pub expires_on: Option<String>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// Who issued it.
    pub issued_by: String,
    /// Where it was issued.
    pub issued_position: i64,
    /// Where it was revoked, if it was.
    pub revoked_position: Option<i64>,
}

impl TokenRow {
    /// Whether the token works on `day`: not revoked, and not past its last day.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        let within_term = match self.expires_on.as_deref() {
            None => true,
            // An unreadable last day fails closed.
            Some(last) => last.parse::<NaiveDate>().is_ok_and(|last| day <= last),
        };
        self.revoked_position.is_none() && within_term
    }
}

const COLUMNS: &str =
    "token_id, user_id, name, role, directorate, expires_on, issued_at, issued_by, \
                       issued_position, revoked_position";

/// The token whose secret hashes to `secret_sha256`, if any.
pub async fn token_by_secret(
    read: &ReadModels,
    secret_sha256: &str,
) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as::<_, TokenRow>(&format!(
        "SELECT {COLUMNS} FROM tokens WHERE secret_sha256 = $1"
    ))
    .bind(secret_sha256)
    .fetch_optional(read.pool())
    .await
}

/// The token with this id, if any.
pub async fn token_by_id(
    read: &ReadModels,
    token_id: &str,
) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as::<_, TokenRow>(&format!("SELECT {COLUMNS} FROM tokens WHERE token_id = $1"))
        .bind(token_id)
        .fetch_optional(read.pool())
        .await
}

/// Every token issued, oldest first.
pub async fn tokens(read: &ReadModels) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as::<_, TokenRow>(&format!(
        "SELECT {COLUMNS} FROM tokens ORDER BY issued_position"
    ))
    .fetch_all(read.pool())
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(expires_on: Option<&str>, revoked_position: Option<i64>) -> TokenRow {
        TokenRow {
            token_id: "t".into(),
            user_id: "u".into(),
            name: "U".into(),
            role: "auditor".into(),
            directorate: None,
            expires_on: expires_on.map(str::to_owned),
            issued_at: "2017-01-01T00:00:00+00:00".into(),
            issued_by: "Admin".into(),
            issued_position: 1,
            revoked_position,
        }
    }

    #[test]
    fn a_token_works_until_its_last_day_and_never_after_revocation() {
        let day = |d| NaiveDate::from_ymd_opt(2017, 3, d).unwrap();
        assert!(row(None, None).valid_on(day(1)));
        assert!(row(Some("2017-03-31"), None).valid_on(day(31)));
        assert!(!row(Some("2017-03-30"), None).valid_on(day(31)));
        assert!(!row(None, Some(5)).valid_on(day(1)));
        assert!(!row(Some("31/03/2017"), None).valid_on(day(1)));
    }
}
