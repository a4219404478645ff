use scoreledger_server::{serve_routes, ServerState};
use scoreledger_testkit::pair::Pair;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server over `pair`'s log and read models, on a port the system chose.
pub(crate) struct TestServer {
    pub(crate) base: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub(crate) async fn start(pair: &Pair) -> Self {
        Self::start_with(ServerState::new(
            pair.store.clone(),
            pair.read.clone(),
            pair.clock.clone(),
        ))
        .await
    }

    /// A server over `state`, for tests that share it with something running beside.
    pub(crate) async fn start_with(state: ServerState) -> Self {
        Self::start_routes(scoreledger_server::router(state)).await
    }

    /// A server of `routes` (a deployment of several councils).
    pub(crate) async fn start_routes(routes: axum::Router) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_routes(listener, routes, async {
            let _ = stopped.await;
        }));
        Self {
            base,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Asks the server to stop and waits until it has.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("the server task ran to the end")
                .expect("the server stopped cleanly");
        }
    }
}

/// GETs `url` with a bearer token: the status and the JSON body.
pub(crate) async fn get(url: &str, secret: &str) -> (reqwest::StatusCode, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(secret)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}
