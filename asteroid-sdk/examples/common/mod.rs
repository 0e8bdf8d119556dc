//! Shared by the examples: an execution with the given id and status, built the way a
//! user's tests build one (the builder names any required field left out).

use asteroid_sdk::{Execution, ExecutionStatus, Uuid};

pub fn execution(id: Uuid, status: ExecutionStatus) -> Execution {
    Execution::builder()
        .id(id)
        .agent_id(Uuid::new_v4())
        .workflow_id(Uuid::new_v4())
        .organization_id(Uuid::new_v4())
        .agent_name("Invoice downloader")
        .status(status)
        .created_at(asteroid_sdk::chrono::Utc::now())
        .has_been_rerun(false)
        .human_labels(vec![])
        .comments(vec![])
        .build()
        .expect("every required field is set")
}
