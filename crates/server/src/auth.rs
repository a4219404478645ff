//! Who is asking: the bearer token's holder, looked up by the SHA-256 of the presented secret.
//! The actor of anything done through the API comes from here, never from a request body.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use scoreledger_domain::{Actor, Role};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::ServerState;

/// The holder of a valid token.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who, in which role.
    pub actor: Actor,
    /// For an officer: their directorate.
    pub directorate: Option<String>,
    /// The token used.
    pub token_id: String,
    /// The council whose log the token is in, on a deployment of several.
    pub council: Option<std::sync::Arc<crate::councils::Council>>,
}

const HOW: &str =
    "send `Authorization: Bearer <secret>` with a token from `scoreledger token create`";

impl FromRequestParts<ServerState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized(format!("no token; {HOW}")))?;
        let secret = header
            .to_str()
            .ok()
            .and_then(bearer_secret)
            .ok_or_else(|| {
                ApiError::unauthorized(format!(
                    "the Authorization header is not a bearer token; {HOW}"
                ))
            })?;
        Session::from_secret(state, secret).await
    }
}

/// The credentials of a `Bearer` authorization: the scheme is matched in any case (RFC 7235
/// makes auth schemes case-insensitive, and some clients send `bearer`).
pub(crate) fn bearer_secret(header: &str) -> Option<&str> {
    let (scheme, secret) = header.trim_start().split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

impl Session {
    /// The session of whoever presents `secret` (from a bearer header or the web pages'
    /// cookie): the token must be known, valid today and not revoked in the log.
    pub async fn from_secret(state: &ServerState, secret: &str) -> Result<Self, ApiError> {
        if !crate::councils::belongs(state, secret) {
            return Err(ApiError::unauthorized(format!(
                "the token is not one of this council's; {HOW}"
            )));
        }
        let hash = hex::encode(Sha256::digest(secret.as_bytes()));
        let mut token = scoreledger_projections::token_by_secret(&state.read, &hash).await?;
        if token.is_none() {
            // A token issued a moment ago may not be projected yet: catch up once, then look
            // again. When the read models are current this costs one read of the log's head.
            state.catch_up_for_reading().await?;
            token = scoreledger_projections::token_by_secret(&state.read, &hash).await?;
        }
        let token = token
            .ok_or_else(|| ApiError::unauthorized(format!("the token is not known; {HOW}")))?;
        Session::from_token(state, token).await
    }

    /// The session of the token with this id (a web session's token): it must still be valid
    /// today and not revoked in the log.
    pub async fn from_token_id(state: &ServerState, token_id: &str) -> Result<Self, ApiError> {
        let token = scoreledger_projections::token_by_id(&state.read, token_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized(format!("the token is not known; {HOW}")))?;
        Session::from_token(state, token).await
    }

    async fn from_token(
        state: &ServerState,
        token: scoreledger_projections::TokenRow,
    ) -> Result<Self, ApiError> {
        let today = state.clock.now().date_naive();
        // The read models may trail the log: a revocation is checked in the log itself (the
        // token's stream, or what this process remembers of it while its last commit is the
        // one remembered), so it takes effect at once.
        let revoked_in_log = match token.token_id.parse() {
            Ok(id) => {
                let (stream, _) = scoreledger_store::load_current(
                    &*state.store,
                    &scoreledger_domain::TokenId(id).stream(),
                )
                .await
                .map_err(ApiError::log_unavailable)?;
                !matches!(stream, scoreledger_domain::StreamState::Token(ref t) if !t.revoked)
            }
            Err(_) => true,
        };
        if revoked_in_log || !token.valid_on(today) {
            return Err(ApiError::unauthorized(format!(
                "the token has been revoked or has expired; ask an admin for a new one ({HOW})"
            )));
        }
        let role: Role = token.role.parse().map_err(|_| {
            ApiError::unauthorized(format!("the token's role {:?} is not known", token.role))
        })?;
        Ok(Session {
            actor: Actor::new(token.user_id, token.name, role),
            directorate: token.directorate,
            token_id: token.token_id,
            council: state.council.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_secret;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for header in [
            "Bearer slt_x",
            "bearer slt_x",
            "BEARER slt_x",
            "Bearer   slt_x ",
        ] {
            assert_eq!(bearer_secret(header), Some("slt_x"), "{header:?}");
        }
        for header in ["Basic slt_x", "Bearer ", "Bearer", "Bearerslt_x", "slt_x"] {
            assert_eq!(bearer_secret(header), None, "{header:?}");
        }
    }
}
