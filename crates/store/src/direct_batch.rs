//! JetStream's batched direct get (nats-server 2.11 and later, ADR-31): the messages of one
//! subject from a sequence on, many to a request, the last followed by an end-of-batch
//! status. One round trip reads a stream of up to [`BATCH`] commits, where a direct get per
//! message takes one per commit.

use std::time::Duration;

use async_nats::header::NATS_SEQUENCE;
use async_nats::Client;
use bytes::Bytes;
use futures::StreamExt;

use crate::error::ReadError;

/// Messages asked for in one request.
pub(crate) const BATCH: usize = 256;

/// The header of a batch's message saying how many of the subject follow it.
const NUM_PENDING: &str = "Nats-Num-Pending";

/// How long to wait for the next message of a batch.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// One batch: the messages read, and whether more of the subject follow them.
#[derive(Debug)]
pub(crate) struct Batch {
    pub messages: Vec<(u64, Bytes)>,
    pub more: bool,
}

/// Whether a server of `version` (`2.11.0`, `2.15.1`, …) answers batched direct gets.
pub(crate) fn supported(version: &str) -> bool {
    use crate::nats::server_version::{ServerVersion, BATCHED_GETS};
    ServerVersion::parse(version) >= BATCHED_GETS
}

/// Up to [`BATCH`] messages of `subject` from sequence `from` on, from the stream whose
/// direct get API is `api` (`$JS.API.DIRECT.GET.<stream>`).
pub(crate) async fn next_of_subject(
    client: &Client,
    api: &str,
    subject: &str,
    from: u64,
) -> Result<Batch, ReadError> {
    let request = serde_json::json!({ "seq": from, "next_by_subj": subject, "batch": BATCH });
    let inbox = client.new_inbox();
    let mut replies = client.subscribe(inbox.clone()).await.map_err(unavailable)?;
    client
        .publish_with_reply(api.to_owned(), inbox, Bytes::from(request.to_string()))
        .await
        .map_err(unavailable)?;
    let mut batch = Batch {
        messages: Vec::new(),
        more: false,
    };
    loop {
        let reply = tokio::time::timeout(REPLY_TIMEOUT, replies.next())
            .await
            .map_err(unavailable)?
            .ok_or_else(|| unavailable(Closed))?;
        match reply.status {
            // A message of the batch: its sequence and how many of the subject follow it.
            None => {
                let header = |name: &str| {
                    reply
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(name))
                        .and_then(|v| v.as_str().parse::<u64>().ok())
                };
                let sequence =
                    header(NATS_SEQUENCE.as_ref()).ok_or_else(|| unavailable(NoSequence))?;
                let pending = header(NUM_PENDING);
                batch.messages.push((sequence, reply.payload));
                match pending {
                    Some(pending) => batch.more = pending > 0,
                    // A server before 2.11 (a replica not yet upgraded, say) ignores the batch
                    // and answers one message, with no count and no end of batch: take it as
                    // a batch of one and ask again from the next.
                    None => {
                        batch.more = true;
                        break;
                    }
                }
            }
            // The end of the batch (204), or no message of the subject from there (404).
            Some(status) if status == 204 || status == 404 => break,
            Some(status) => {
                return Err(unavailable(Refused(format!(
                    "{status} {}",
                    reply.description.unwrap_or_default()
                ))))
            }
        }
    }
    // No message at all: nothing follows either.
    batch.more &= !batch.messages.is_empty();
    Ok(batch)
}

fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> ReadError {
    ReadError::Unavailable(Box::new(err))
}

#[derive(Debug, thiserror::Error)]
#[error("the server closed the reply subscription of a batched direct get")]
struct Closed;

#[derive(Debug, thiserror::Error)]
#[error("a message of a batched direct get carries no Nats-Sequence header")]
struct NoSequence;

#[derive(Debug, thiserror::Error)]
#[error("the server refused a batched direct get: {0}")]
struct Refused(String);

#[cfg(test)]
mod tests {
    use super::supported;

    #[test]
    fn batched_direct_gets_are_asked_of_servers_from_2_11_on() {
        assert!(!supported("2.9.25"));
        assert!(!supported("2.10.22"));
        assert!(supported("2.11.0"));
        assert!(supported("2.15.1"));
        assert!(supported("3.0.0-beta.1"));
        assert!(!supported("nonsense"));
    }
}
