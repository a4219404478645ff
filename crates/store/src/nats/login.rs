//! How the client reaches and proves itself to NATS: the servers to dial (one URL or a
//! comma-separated list), a user and password in the URLs, a `.creds` file or an nkey seed,
//! and TLS with the authorities to trust and, for servers that verify clients, a certificate.

use std::path::PathBuf;
use std::time::Duration;

/// How the client proves who it is and checks the server, beyond a password in the URL. The
/// options NATS users know from the `nats` CLI (`--creds`, `--nkey`, `--tlsca`, `--tlscert`,
/// `--tlskey`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NatsSecurity {
    /// A `.creds` file (a user JWT and its nkey seed), as `nsc` writes it.
    pub credentials: Option<PathBuf>,
    /// A file holding a user's nkey seed (`SU…`), for a server that lists the user's public key.
    pub nkey: Option<PathBuf>,
    /// A PEM file of the certificate authorities to trust for the servers' certificates
    /// (otherwise the system's). Giving one requires TLS.
    pub tls_ca: Option<PathBuf>,
    /// A client certificate and its private key (PEM files), for servers that verify clients.
    pub tls_client: Option<(PathBuf, PathBuf)>,
}

/// Why the login cannot be put together.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// A file the login names cannot be read or is not what it should be.
    #[error("cannot use the {what} {}: {problem}", .path.display())]
    File {
        /// Which setting.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// Two ways of proving who the client is were given; a server accepts one.
    #[error("{0}; give one way of logging in")]
    Ambiguous(String),
    /// The server list is empty or holds an empty entry.
    #[error("the NATS server list {0:?} has an empty entry; write nats://HOST:PORT, several separated by commas")]
    EmptyServer(String),
}

/// The addresses to dial and the user and password to log in with.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Login {
    /// The URLs without credentials (the client tries them in random order).
    pub(crate) addresses: Vec<String>,
    pub(crate) credentials: Option<(String, String)>,
}

impl Login {
    /// Splits `nats://a:4222,nats://b:4222` into its servers and `USER:PASSWORD@` out of
    /// each. The client library parses but ignores credentials in a URL, so they are passed
    /// as options instead: one login for every server of a cluster, so the servers' URLs
    /// must not name different ones.
    pub(crate) fn from_urls(urls: &str) -> Result<Self, LoginError> {
        let mut login = Self {
            addresses: Vec::new(),
            credentials: None,
        };
        for url in urls.split(',').map(str::trim) {
            if url.is_empty() {
                return Err(LoginError::EmptyServer(crate::redacted(urls)));
            }
            let (address, credentials) = split_credentials(url);
            match (&login.credentials, credentials) {
                (Some(known), Some(given)) if *known != given => {
                    return Err(LoginError::Ambiguous(
                        "the NATS servers' URLs name different users or passwords".into(),
                    ))
                }
                (None, Some(given)) => login.credentials = Some(given),
                _ => {}
            }
            login.addresses.push(address);
        }
        Ok(login)
    }

    /// Whether any server is dialled with `tls://`.
    fn wants_tls(&self) -> bool {
        self.addresses.iter().any(|a| a.starts_with("tls://"))
    }
}

fn split_credentials(url: &str) -> (String, Option<(String, String)>) {
    let plain = || (url.to_owned(), None);
    let Some((scheme, rest)) = url.split_once("://") else {
        return plain();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return plain();
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    (
        format!("{scheme}://{host}"),
        Some((user.to_owned(), password.to_owned())),
    )
}

/// The client options for `login` and `security`.
pub(crate) async fn options(
    login: &Login,
    security: &NatsSecurity,
) -> Result<async_nats::ConnectOptions, LoginError> {
    let ways = [
        login
            .credentials
            .is_some()
            .then_some("a user and password in the URL"),
        security.credentials.is_some().then_some("a .creds file"),
        security.nkey.is_some().then_some("an nkey seed"),
    ];
    let given: Vec<&str> = ways.into_iter().flatten().collect();
    if given.len() > 1 {
        return Err(LoginError::Ambiguous(format!(
            "both {} were given",
            given.join(" and ")
        )));
    }
    let mut options = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .max_reconnects(None);
    if let Some((user, password)) = login.credentials.clone() {
        options = options.user_and_password(user, password);
    }
    if let Some(path) = &security.credentials {
        options = options
            .credentials_file(path)
            .await
            .map_err(|err| LoginError::File {
                what: "NATS credentials file",
                path: path.clone(),
                problem: format!("{err} (a .creds file holds a user JWT and its nkey seed)"),
            })?;
    }
    if let Some(path) = &security.nkey {
        let seed = std::fs::read_to_string(path).map_err(|err| LoginError::File {
            what: "NATS nkey seed file",
            path: path.clone(),
            problem: err.to_string(),
        })?;
        let seed = seed.trim();
        if !seed.starts_with("SU") {
            return Err(LoginError::File {
                what: "NATS nkey seed file",
                path: path.clone(),
                problem: "it does not hold a user seed (one line starting SU…, as `nk -gen user` writes it)".into(),
            });
        }
        options = options.nkey(seed.to_owned());
    }
    let readable = |what: &'static str, path: &PathBuf| {
        std::fs::metadata(path)
            .map(|_| ())
            .map_err(|err| LoginError::File {
                what,
                path: path.clone(),
                problem: err.to_string(),
            })
    };
    if let Some(ca) = &security.tls_ca {
        readable("TLS certificate authorities file", ca)?;
        options = options.add_root_certificates(ca.clone());
    }
    if let Some((cert, key)) = &security.tls_client {
        readable("TLS client certificate", cert)?;
        readable("TLS client key", key)?;
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    if login.wants_tls() || security.tls_ca.is_some() || security.tls_client.is_some() {
        options = options.require_tls(true);
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_are_the_login_and_not_the_address() {
        let login = Login::from_urls("nats://scoreledger:s3cret@10.0.0.5:4222").unwrap();
        assert_eq!(login.addresses, ["nats://10.0.0.5:4222"]);
        assert_eq!(
            login.credentials,
            Some(("scoreledger".to_owned(), "s3cret".to_owned()))
        );
        let plain = Login::from_urls("nats://127.0.0.1:4222").unwrap();
        assert_eq!(plain.addresses, ["nats://127.0.0.1:4222"]);
        assert_eq!(plain.credentials, None);
    }

    #[test]
    fn a_server_list_is_every_server_with_one_login() {
        let login =
            Login::from_urls("nats://u:p@n1:4222, nats://n2:4222,tls://u:p@n3:4222").unwrap();
        assert_eq!(
            login.addresses,
            ["nats://n1:4222", "nats://n2:4222", "tls://n3:4222"]
        );
        assert_eq!(login.credentials, Some(("u".into(), "p".into())));
        assert!(login.wants_tls());
        let err = Login::from_urls("nats://u:p@n1:4222,nats://v:s3cret@n2:4222").unwrap_err();
        assert!(err.to_string().contains("different users"), "{err}");
        let err = Login::from_urls("nats://u:s3cret@n1:4222,,nats://n2:4222").unwrap_err();
        assert!(err.to_string().contains("empty entry"), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[tokio::test]
    async fn one_way_of_logging_in_and_files_that_exist() {
        let login = Login::from_urls("nats://u:p@n1:4222").unwrap();
        let security = NatsSecurity {
            nkey: Some("/nonexistent/user.nk".into()),
            ..NatsSecurity::default()
        };
        let err = options(&login, &security).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("both a user and password in the URL and an nkey seed"),
            "{err}"
        );
        let plain = Login::from_urls("nats://n1:4222").unwrap();
        let err = options(&plain, &security).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot use the NATS nkey seed file /nonexistent/user.nk"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let not_a_seed = dir.path().join("user.nk");
        std::fs::write(
            &not_a_seed,
            "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\n",
        )
        .unwrap();
        let err = options(
            &plain,
            &NatsSecurity {
                nkey: Some(not_a_seed),
                ..NatsSecurity::default()
            },
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("does not hold a user seed"),
            "{err}"
        );
    }
}
