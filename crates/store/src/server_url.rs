//! Server URLs that may carry a secret: `nats://USER:PASSWORD@HOST:PORT`, a NATS token
//! (`nats://TOKEN@HOST:PORT`), `postgres://USER:PASSWORD@HOST/DB` or `…?password=…`.
//! The whole URL is kept for connecting; whatever shows one (messages, logs, `Debug`, a
//! backup's header, the command line recorded in the log) shows it through [`redacted`], the
//! one place that knows what a secret in a URL looks like.

use std::fmt;

/// What a secret is shown as.
const HIDDEN: &str = "***";

/// A server URL whose secret is never shown: `Display` and `Debug` print it [`redacted`];
/// only [`ServerUrl::expose`] gives the whole URL, to connect with.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl(String);

impl ServerUrl {
    /// Wraps a URL as given.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The whole URL, secret included: for connecting, never for showing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for ServerUrl {
    fn from(url: String) -> Self {
        Self(url)
    }
}

impl From<&str> for ServerUrl {
    fn from(url: &str) -> Self {
        Self(url.to_owned())
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redacted(&self.0))
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redacted(&self.0), f)
    }
}

/// `text` with the secret of every URL in it replaced by `***`: the password of a
/// `USER:PASSWORD@`, a NATS URL's lone `TOKEN@`, and the value of a `password=` parameter.
/// A URL runs from its scheme to the next whitespace, so a whole command line or message can
/// be passed. Where a URL is ambiguous (an `@` in its query) more is hidden, never less.
pub fn redacted(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(separator) = rest.find("://") {
        let (before, after) = rest.split_at(separator + 3);
        let scheme = before[..separator]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .next()
            .unwrap_or_default();
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let (url, next) = after.split_at(end);
        shown.push_str(before);
        shown.push_str(&redact_url(scheme, url));
        rest = next;
    }
    shown.push_str(rest);
    shown
}

/// One URL after its `scheme://`.
fn redact_url(scheme: &str, url: &str) -> String {
    // Parameters first, so a password holding an `@` cannot pass for the end of a userinfo.
    let url = without_password_parameters(url);
    let Some((userinfo, location)) = url.rsplit_once('@') else {
        return url;
    };
    let nats = matches!(scheme.to_ascii_lowercase().as_str(), "nats" | "tls");
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{user}:{HIDDEN}@{location}"),
        // To NATS a userinfo without a password is a token, itself the secret.
        None if nats => format!("{HIDDEN}@{location}"),
        None => url,
    }
}

/// The value of every `password=` parameter hidden.
fn without_password_parameters(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let query = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}={HIDDEN}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{path}?{query}")
}

#[cfg(test)]
mod tests {
    use super::{redacted, ServerUrl};

    #[track_caller]
    fn check(url: &str, expected: &str) {
        assert_eq!(redacted(url), expected, "{url}");
    }

    #[test]
    fn a_password_in_a_url_is_hidden_and_the_rest_kept() {
        check(
            "nats://scoreledger:s3cret@10.0.0.5:4222",
            "nats://scoreledger:***@10.0.0.5:4222",
        );
        check(
            "postgres://app:s3cret@db:5432/x",
            "postgres://app:***@db:5432/x",
        );
        check("tls://u:p:q@host:4222", "tls://u:***@host:4222");
        // An `@` in the password does not end the userinfo early.
        check("nats://u:p@ss@host:4222", "nats://u:***@host:4222");
    }

    #[test]
    fn a_nats_token_is_hidden_but_a_postgres_user_without_password_is_not() {
        check("nats://t0ken@host:4222", "nats://***@host:4222");
        check("postgres://app@db/x", "postgres://app@db/x");
    }

    #[test]
    fn a_password_parameter_is_hidden_even_beside_an_at_sign() {
        check(
            "postgres://app@db/x?sslmode=require&password=s3cr@t",
            "postgres://app@db/x?sslmode=require&password=***",
        );
    }

    #[test]
    fn urls_without_secrets_and_text_around_urls_are_unchanged() {
        check("nats://127.0.0.1:4222", "nats://127.0.0.1:4222");
        check("scoreledger.db", "scoreledger.db");
        check(
            "--store=nats://u:pw@h:1 --db postgres://a:b@c/d",
            "--store=nats://u:***@h:1 --db postgres://a:***@c/d",
        );
    }

    #[test]
    fn a_server_url_shows_no_secret_but_connects_with_it() {
        let url = ServerUrl::from("nats://scoreledger:s3cret@10.0.0.5:4222");
        assert_eq!(url.expose(), "nats://scoreledger:s3cret@10.0.0.5:4222");
        assert_eq!(url.to_string(), "nats://scoreledger:***@10.0.0.5:4222");
        assert_eq!(
            format!("{url:?}"),
            "\"nats://scoreledger:***@10.0.0.5:4222\""
        );
    }
}
