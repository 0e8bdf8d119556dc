//! On the crate regenerated from a whole-API release (copied into the regenerated
//! workspace's `tests/it/` by `scripts/whole-api-check.sh`, with `calls.rs` written beside
//! it by `cargo xtask conformance-test`): every operation of the spec, called through the
//! SDK with values built from its schemas, against Prism driven by the same spec. Each
//! must succeed: its documented 2xx decoded, or its documented redirect's `Location` read.

use asteroid_sdk::Client;
use asteroid_sdk_tests::prism::Prism;

mod calls;

use calls::Outcome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_succeeds_against_prism() {
    let prism = match Prism::start(false).await {
        Ok(Some(prism)) => prism,
        Ok(None) => {
            eprintln!("\n!!!!!!!!!! whole-API conformance SKIPPED: Node.js is not installed !!!!!!!!!!\n");
            assert!(std::env::var_os("CI").is_none(), "CI never skips");
            return;
        }
        Err(e) => panic!("Prism did not start: {e}"),
    };
    let client = Client::builder()
        .api_key("prism-any-key")
        .base_url(prism.base_url())
        .max_retries(0)
        .build()
        .expect("client");
    let outcomes = calls::call_every_operation(&client).await;
    let mut failed = Vec::new();
    let mut unchecked = Vec::new();
    for (id, outcome) in &outcomes {
        match outcome {
            Outcome::Called(Ok(())) => {}
            Outcome::Called(Err(e)) => failed.push(format!("{id}: {e}")),
            Outcome::NotCheckable(why) => unchecked.push(format!("{id}: {why}")),
        }
    }
    eprintln!(
        "whole-API conformance: {} of {} operations succeed against Prism, {} failed, {} not checkable by Prism:\n{}",
        outcomes.len() - failed.len() - unchecked.len(),
        outcomes.len(),
        failed.len(),
        unchecked.len(),
        unchecked.join("\n")
    );
    assert!(
        failed.is_empty(),
        "{} operations fail against Prism:\n{}\n\nPrism's log:\n{}",
        failed.len(),
        failed.join("\n"),
        prism.output()
    );
}
