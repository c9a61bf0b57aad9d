//! A server's stderr, kept in memory so a failing start can quote it and the lead can show it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::ChildStderr;
use tokio::task::JoinHandle;

/// Servers can be chatty; only the recent past helps when one fails.
const KEPT_LINES: usize = 200;
const MAX_LINE_LEN: usize = 2000;

#[derive(Clone, Default)]
pub(crate) struct StderrLog {
    lines: Arc<Mutex<VecDeque<String>>>,
}

impl StderrLog {
    /// Reads `stderr` until the server closes it; the task ends on its own at EOF.
    pub(crate) fn capture(&self, server: &str, stderr: ChildStderr) -> JoinHandle<()> {
        let lines = Arc::clone(&self.lines);
        let server = server.to_owned();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(mut line)) = reader.next_line().await {
                tracing::debug!(target: "redline_mcp::stderr", server = %server, "{line}");
                truncate_on_char_boundary(&mut line, MAX_LINE_LEN);
                let mut lines = lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if lines.len() == KEPT_LINES {
                    lines.pop_front();
                }
                lines.push_back(line);
            }
        })
    }

    pub(crate) fn text(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        lines.iter().map(String::as_str).collect::<Vec<_>>().join("\n")
    }

    /// The last non-empty line, which is where most programs put the reason they gave up.
    pub(crate) fn last_line(&self) -> Option<String> {
        let lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        lines.iter().rev().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned())
    }
}

fn truncate_on_char_boundary(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}
