//! Where log lines go and how they read: plain text for a person at a terminal, one JSON object
//! per line for a log collector. `scoreledger` installs the subscriber built here for every
//! command (`serve --log-format` chooses the format), and the API tests install it to read what
//! the service logs.

use std::str::FromStr;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::{SubscriberInitExt, TryInitError};
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, with the fields of the event and of its spans (the request
    /// id, method and route of a request log).
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "unknown log format {other:?}; expected text or json"
            )),
        }
    }
}

/// The filter `SCORELEDGER_LOG` sets (tracing-subscriber's `EnvFilter` syntax, e.g.
/// `info,sqlx=warn`), or `default` when it is unset or unreadable.
pub fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env("SCORELEDGER_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

/// Installs, for the whole process, a subscriber writing `format` lines that pass `filter` to
/// `writer` (and the bridge from the `log` crate, so dependencies that log through it are
/// heard too). Fails if one is installed already.
pub fn install<W>(format: LogFormat, filter: EnvFilter, writer: W) -> Result<(), TryInitError>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.finish().try_init(),
        // Span fields (request id, method, route) go beside the event's own.
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .finish()
            .try_init(),
    }
}
