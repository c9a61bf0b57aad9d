//! Redaction moved to `redline_project::redact`, beside the visibility policy and the outbound
//! gate it belongs to; this re-export keeps `redline_agent::redact::*` callers compiling.

pub use redline_project::redact::{describe, is_env_file, redact, Redaction};
