//! A three-node nats-server cluster per test, on loopback ports, each node with its own
//! JetStream directory (`sync_interval: always`, as shipped) and killed on drop: what R3
//! streams, failover and a comma-separated `--store` are tested against.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scoreledger_store::nats::NatsOpenError;
use scoreledger_store::{ManualClock, NatsConfig, NatsStore};

use crate::nats::{free_port, NatsRelease, TestNats};
use crate::q3_scorecard_day;

/// Three clustered nats-servers.
pub struct TestCluster {
    /// The nodes, in the order their client URLs are listed.
    pub nodes: Vec<TestNats>,
    /// The clock stores connected through [`TestCluster::store_with`] use.
    pub clock: Arc<ManualClock>,
}

impl TestCluster {
    /// Starts three nodes of `release` routed to one another. The cluster has formed once a
    /// store can be opened on it ([`TestCluster::store_with`] waits for that).
    pub fn start(release: NatsRelease) -> Self {
        let cluster = format!("scoreledger-test-{}-{}", std::process::id(), free_port());
        let clients: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let routes: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let nodes = clients
            .iter()
            .enumerate()
            .map(|(index, port)| {
                TestNats::start_cluster_node(release, &cluster, *port, index, &routes)
            })
            .collect();
        Self {
            nodes,
            clock: Arc::new(ManualClock::new(q3_scorecard_day())),
        }
    }

    /// Waits (up to 30 s) until the cluster has elected its JetStream leader: until then it
    /// answers no JetStream request.
    pub async fn formed(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let urls: Vec<String> = self.nodes.iter().map(TestNats::url).collect();
            if let Ok(client) = async_nats::connect(urls).await {
                if async_nats::jetstream::new(client)
                    .query_account()
                    .await
                    .is_ok()
                {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the three nats-servers at {} formed no cluster within 30 s",
                self.urls()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The index of the node leading `stream` now, as a node still running says.
    pub async fn leader_of(&self, stream: &str) -> Option<usize> {
        for node in &self.nodes {
            let Ok(client) = async_nats::connect(node.url()).await else {
                continue;
            };
            let Ok(mut held) = async_nats::jetstream::new(client).get_stream(stream).await else {
                continue;
            };
            let Ok(info) = held.info().await else {
                continue;
            };
            // A node that knows no leader yet (an election under way) may be behind: ask
            // the others.
            let Some(leader) = info.cluster.clone().and_then(|c| c.leader) else {
                continue;
            };
            return self.nodes.iter().position(|n| n.name() == leader);
        }
        None
    }

    /// Every node's client URL, separated by commas: what `--store` takes.
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(TestNats::url)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A store on the cluster with `config` (its URL is every node's), once the cluster has
    /// elected a JetStream leader: until then opening the stream fails, and is tried again for
    /// up to 30 s. Any other refusal is returned at once.
    pub async fn store_with(&self, config: NatsConfig) -> Result<NatsStore, NatsOpenError> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let config = NatsConfig {
                url: self.urls().into(),
                ..config.clone()
            };
            match NatsStore::connect(config, self.clock.clone()).await {
                Err(NatsOpenError::Stream { .. }) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                done => return done,
            }
        }
    }
}
