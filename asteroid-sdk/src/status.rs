//! What an execution's status means for a caller.

use crate::types::{Execution, ExecutionStatus};

/// Statuses after which an execution never changes again.
pub const TERMINAL: &[&str] = &["completed", "cancelled", "failed"];
/// Statuses in which an execution waits for a human or the caller.
pub const NEEDS_ATTENTION: &[&str] = &["paused", "paused_by_agent", "awaiting_confirmation"];

impl ExecutionStatus {
    /// `completed`, `cancelled` or `failed`: the execution will not change again.
    /// A status the SDK does not know is not terminal.
    pub fn is_terminal(&self) -> bool {
        TERMINAL.contains(&self.as_str())
    }

    /// `paused`, `paused_by_agent` or `awaiting_confirmation`: the execution waits for a
    /// human or the caller. A status the SDK does not know does not need attention.
    pub fn needs_attention(&self) -> bool {
        NEEDS_ATTENTION.contains(&self.as_str())
    }

    /// `completed`.
    pub fn is_success(&self) -> bool {
        self.as_str() == "completed"
    }
}

impl Execution {
    /// Whether the execution has reached a terminal status.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// The result data, once there is one.
    pub fn result(&self) -> Option<&serde_json::Value> {
        self.execution_result.as_ref().map(|r| &r.result)
    }

    /// The agent's reasoning for the outcome, once there is one.
    pub fn reasoning(&self) -> Option<&str> {
        self.execution_result.as_ref().map(|r| r.reasoning.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let s = |v: &str| ExecutionStatus::from(v);
        for t in TERMINAL {
            assert!(s(t).is_terminal() && !s(t).needs_attention());
        }
        for a in NEEDS_ATTENTION {
            assert!(s(a).needs_attention() && !s(a).is_terminal());
        }
        for other in ["starting", "running", "queued_on_mars"] {
            assert!(!s(other).is_terminal() && !s(other).needs_attention());
        }
        assert!(s("queued_on_mars").is_unknown());
    }
}
