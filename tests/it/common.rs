//! Helpers shared by the test modules.

use asteroid_sdk::{Client, ClientBuilder, Uuid};
use asteroid_sdk_tests::fixtures::{EXECUTION_ID, SENTINEL_KEY};
use asteroid_sdk_tests::server::TestServer;

/// The fixture execution's id.
pub fn execution_id() -> Uuid {
    EXECUTION_ID.parse().expect("uuid")
}

/// A builder pointed at a local server with the sentinel key.
pub fn builder_for(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(server.base_url())
}

/// A client for a local server with the sentinel key and default settings.
pub fn client_for(server: &TestServer) -> Client {
    builder_for(server).build().expect("client")
}

/// `GET /executions/{id}` of the fixture execution, as a user writes it.
pub async fn fetch(
    client: &Client,
) -> asteroid_sdk::Result<asteroid_sdk::Response<asteroid_sdk::Execution>> {
    client
        .execution_get()
        .execution_id(execution_id())
        .send()
        .await
}
