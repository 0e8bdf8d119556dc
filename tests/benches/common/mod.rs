//! What the `sdk` and `overhead` benchmarks share: the runtime, the server, and the ways
//! of fetching one execution that they compare.

// Each benchmark uses a part.
#![allow(dead_code)]

use std::hint::black_box;
use std::sync::Arc;

use asteroid_sdk::__private::decode_json;
use asteroid_sdk::{Client, Execution, Uuid};
use asteroid_sdk_tests::fixtures;
use asteroid_sdk_tests::server::{Reply, TestServer};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// Requests in flight in the concurrent variants.
pub const IN_FLIGHT: usize = 64;

/// A 2-thread Tokio runtime (the machine has 2 cores; client and server share it).
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build the Tokio runtime")
}

/// A server that answers every request with the completed fixture execution (about
/// 2 KiB), without keeping the requests. Start it inside the runtime.
pub fn execution_server() -> TestServer {
    let server = TestServer::always(Reply::json(200, &fixtures::execution("completed")));
    server.set_recording(false);
    server
}

/// The fixture execution's id.
pub fn execution_id() -> Uuid {
    fixtures::EXECUTION_ID.parse().expect("fixture id")
}

/// The SDK client the benchmarks use, against `server`.
pub fn sdk_client(server: &TestServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .build()
        .expect("build the SDK client")
}

/// A way of fetching one execution.
#[derive(Clone)]
pub enum Fetcher {
    /// `client.execution_get().execution_id(id).send()`.
    Sdk(Arc<Client>),
    /// reqwest and `serde_json::from_slice`, as an application would write it: the URL
    /// formatted for each request, the same headers on the wire (`accept`, the API key,
    /// `user-agent`), so that the server's share of the work is the same for both.
    Raw {
        /// The client (its own connection pool).
        http: reqwest::Client,
        /// `http://127.0.0.1:PORT`.
        base: Arc<str>,
        /// Decode with the SDK's `decode_json` (serde_path_to_error) instead: a
        /// diagnostic that splits the SDK's overhead into decoding and the rest.
        sdk_decode: bool,
    },
}

impl Fetcher {
    /// The SDK, raw reqwest, and raw reqwest with the SDK's decoding, against `server`.
    /// Build them before any other reqwest client: the SDK's build installs the ring
    /// crypto provider, which a reqwest built with `rustls-no-provider` needs.
    pub fn all(server: &TestServer) -> Vec<(&'static str, Fetcher)> {
        let sdk = Fetcher::Sdk(Arc::new(sdk_client(server)));
        let http = reqwest::Client::builder()
            .build()
            .expect("build the raw client");
        let base: Arc<str> = server.base_url().into();
        let raw = |sdk_decode| Fetcher::Raw {
            http: http.clone(),
            base: base.clone(),
            sdk_decode,
        };
        vec![
            ("sdk", sdk),
            ("raw_reqwest", raw(false)),
            ("raw_reqwest_sdk_decode", raw(true)),
        ]
    }

    /// Fetch and decode the execution.
    pub async fn get(&self, id: Uuid) -> Execution {
        let (http, base, sdk_decode) = match self {
            Fetcher::Sdk(client) => {
                return client
                    .execution_get()
                    .execution_id(id)
                    .send()
                    .await
                    .expect("SDK ExecutionGet")
                    .into_inner();
            }
            Fetcher::Raw {
                http,
                base,
                sdk_decode,
            } => (http, base, *sdk_decode),
        };
        let response = http
            .get(format!("{base}/executions/{id}"))
            .header("accept", "application/json")
            .header("x-asteroid-agents-api-key", "k")
            .header("user-agent", asteroid_sdk::config::USER_AGENT)
            .send()
            .await
            .expect("raw GET");
        assert!(
            response.status().is_success(),
            "raw GET: {}",
            response.status()
        );
        let bytes = response.bytes().await.expect("raw body");
        if sdk_decode {
            decode_json::<Execution>(&bytes).expect("raw decode")
        } else {
            serde_json::from_slice::<Execution>(&bytes).expect("raw decode")
        }
    }

    /// [`IN_FLIGHT`] requests at once, each in its own task.
    pub async fn get_many(&self, id: Uuid) {
        let mut tasks = JoinSet::new();
        for _ in 0..IN_FLIGHT {
            let this = self.clone();
            tasks.spawn(async move { black_box(this.get(id).await) });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("request task");
        }
    }
}
