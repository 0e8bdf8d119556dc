use asteroid_sdk::Client;
#[tokio::main]
async fn main() {
    let c = Client::builder().api_key("k").base_url("http://127.0.0.1:9").max_retries(0).build().unwrap();
    let r = c.execution_cancel().execution_id(asteroid_sdk::Uuid::nil()).body(asteroid_sdk::types::ExecutionCancelBody::builder().reason("x".to_string()).mode(asteroid_sdk::types::ExecutionCancelBodyMode::from("later"))).send().await;
    match r { Err(e) => println!("{e} retryable={}", e.is_retryable()), Ok(v) => println!("{:?}", v.status) }
    println!("{:?}", asteroid_sdk::ExecutionStatus::Queued);
}
