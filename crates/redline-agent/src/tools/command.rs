//! `run_command`: an approved shell command in the project root, its output streamed, and the
//! whole process group stopped on timeout, on cancel, and once the command itself has ended.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, Pid, Signal};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::sync::{mpsc, Notify};

/// The start of the output kept when it is too long (where the command says what it does).
pub const OUTPUT_HEAD: usize = 16 * 1024;
/// The end of the output kept (where errors and summaries are).
pub const OUTPUT_TAIL: usize = 48 * 1024;
/// Between SIGTERM and SIGKILL, for the command to clean up.
const KILL_GRACE: Duration = Duration::from_secs(2);
/// After the command ends, how long output still in the pipes is waited for before what is
/// left of its process group is killed (a background child holding the pipe open would
/// otherwise keep the call waiting forever).
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq)]
pub struct CommandResult {
    /// `None` when the command was ended by a signal (including ours on timeout or cancel).
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub cancelled: bool,
    /// stdout and stderr as they arrived, capped: the first 16 KB and the last 48 KB with a
    /// "… N bytes cut …" line between.
    pub output: String,
    pub duration: Duration,
}

/// Runs an approved command line with `sh -c` in `root`, with the scrubbed environment of
/// [`redline_project::command_env`], no stdin, in its own process group. Output chunks go to
/// `on_output` as they are read. On `timeout` or when `cancel` is notified the whole group gets
/// SIGTERM, then SIGKILL after a grace period, so children started in the background die too.
pub async fn run_command(
    root: &Path,
    command: &str,
    timeout: Duration,
    cancel: Arc<Notify>,
    mut on_output: impl FnMut(&str) + Send,
) -> CommandResult {
    let started = Instant::now();
    // Armed before spawning, so a cancel that comes while the process starts is not lost.
    let cancelled = cancel.notified();
    tokio::pin!(cancelled);
    cancelled.as_mut().enable();
    let mut output = CappedOutput::default();
    let spawned = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(root)
        .env_clear()
        // PATH entries inside the project are cut: an approved `pytest` must be the person's
        // pytest, not a script of that name the folder planted on a `.` in PATH.
        .envs(redline_project::path_outside_project(&redline_project::command_env(), root))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let message = format!("could not start the command: {e}\n");
            on_output(&message);
            output.push(&message);
            return CommandResult {
                exit_code: None,
                timed_out: false,
                cancelled: false,
                output: output.finish(),
                duration: started.elapsed(),
            };
        }
    };
    let group = child.id().and_then(|id| Pid::from_raw(id as i32));
    let (tx, mut chunks) = mpsc::unbounded_channel::<String>();
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(forward(stdout, tx.clone()));
    }
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(forward(stderr, tx.clone()));
    }
    drop(tx);

    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let (mut timed_out, mut was_cancelled, mut status) = (false, false, None);
    let mut pipes_open = true;
    while status.is_none() {
        tokio::select! {
            chunk = chunks.recv(), if pipes_open => match chunk {
                Some(chunk) => {
                    on_output(&chunk);
                    output.push(&chunk);
                }
                None => pipes_open = false,
            },
            exited = child.wait() => status = Some(exited.ok()),
            () = &mut deadline => {
                timed_out = true;
                status = Some(stop_group(&mut child, group).await);
            }
            () = &mut cancelled => {
                was_cancelled = true;
                status = Some(stop_group(&mut child, group).await);
            }
        }
    }
    drain(&mut chunks, &mut output, &mut on_output).await;
    kill_group(group, Signal::KILL);
    let exit_code = status.flatten().and_then(|s| s.code());
    CommandResult {
        exit_code,
        timed_out,
        cancelled: was_cancelled,
        output: output.finish(),
        duration: started.elapsed(),
    }
}

/// Reads output that is still in the pipes after the command ended, for a short while.
async fn drain(
    chunks: &mut mpsc::UnboundedReceiver<String>,
    output: &mut CappedOutput,
    on_output: &mut impl FnMut(&str),
) {
    let until = tokio::time::Instant::now() + DRAIN_AFTER_EXIT;
    while let Ok(Some(chunk)) = tokio::time::timeout_at(until, chunks.recv()).await {
        on_output(&chunk);
        output.push(&chunk);
    }
}

/// SIGTERM to the group, then SIGKILL if the command has not ended after the grace period.
async fn stop_group(
    child: &mut tokio::process::Child,
    group: Option<Pid>,
) -> Option<std::process::ExitStatus> {
    kill_group(group, Signal::TERM);
    match tokio::time::timeout(KILL_GRACE, child.wait()).await {
        Ok(status) => status.ok(),
        Err(_) => {
            kill_group(group, Signal::KILL);
            child.wait().await.ok()
        }
    }
}

fn kill_group(group: Option<Pid>, signal: Signal) {
    // The group id is the child's pid; `Pid::INIT` would mean every process we may signal.
    let Some(group) = group.filter(|g| *g != Pid::INIT) else { return };
    // ESRCH (the group is already gone) is the usual, expected outcome.
    let _ = kill_process_group(group, signal);
}

/// Forwards a pipe's bytes as text, never splitting a UTF-8 character between chunks.
async fn forward(mut pipe: impl AsyncRead + Unpin, tx: mpsc::UnboundedSender<String>) {
    let (mut buf, mut pending) = (vec![0u8; 8192], Vec::new());
    loop {
        let n = match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        let text = take_complete_utf8(&mut pending);
        if !text.is_empty() && tx.send(text).is_err() {
            return;
        }
    }
    if !pending.is_empty() {
        let _ = tx.send(String::from_utf8_lossy(&pending).into_owned());
    }
}

/// Decodes `bytes` except an incomplete character at the end, which stays for the next chunk;
/// invalid sequences become U+FFFD.
fn take_complete_utf8(bytes: &mut Vec<u8>) -> String {
    let keep = match std::str::from_utf8(bytes) {
        Ok(_) => 0,
        Err(e) if e.error_len().is_none() => bytes.len() - e.valid_up_to(),
        Err(_) => {
            // Invalid bytes in the middle: decode lossily up to a possibly incomplete tail.
            let tail_start = bytes.len().saturating_sub(3);
            let incomplete = (tail_start..bytes.len()).find(|&i| {
                std::str::from_utf8(&bytes[i..]).is_err_and(|e| e.error_len().is_none()) && bytes[i] >= 0xC0
            });
            incomplete.map_or(0, |i| bytes.len() - i)
        }
    };
    let rest = bytes.split_off(bytes.len() - keep);
    let text = String::from_utf8_lossy(bytes).into_owned();
    *bytes = rest;
    text
}

/// The output kept for the model: the head in full, then a sliding window of the tail.
#[derive(Default)]
struct CappedOutput {
    head: String,
    tail: String,
    cut: usize,
}

impl CappedOutput {
    fn push(&mut self, mut text: &str) {
        if self.head.len() < OUTPUT_HEAD {
            let room = super::floor_char_boundary(text, OUTPUT_HEAD - self.head.len());
            self.head.push_str(&text[..room]);
            text = &text[room..];
        }
        self.tail.push_str(text);
        // Trimmed in batches: dropping the front of a String copies the rest.
        if self.tail.len() > OUTPUT_TAIL * 2 {
            let drop = self.tail.len() - OUTPUT_TAIL;
            let drop =
                (drop..self.tail.len()).find(|&i| self.tail.is_char_boundary(i)).unwrap_or(self.tail.len());
            self.tail.drain(..drop);
            self.cut += drop;
        }
    }

    fn finish(mut self) -> String {
        if self.tail.len() > OUTPUT_TAIL {
            let drop = self.tail.len() - OUTPUT_TAIL;
            let drop =
                (drop..self.tail.len()).find(|&i| self.tail.is_char_boundary(i)).unwrap_or(self.tail.len());
            self.tail.drain(..drop);
            self.cut += drop;
        }
        if self.cut == 0 {
            return self.head + &self.tail;
        }
        let newline = if self.head.ends_with('\n') { "" } else { "\n" };
        format!("{}{newline}… {} bytes cut …\n{}", self.head, self.cut, self.tail)
    }
}

/// The model-facing text of a result: how it ended, then its output.
pub fn command_result_text(r: &CommandResult) -> String {
    let secs = r.duration.as_secs_f64();
    let ended = if r.cancelled {
        "stopped by the person".to_owned()
    } else if r.timed_out {
        format!("timed out after {secs:.0} s")
    } else {
        match r.exit_code {
            Some(code) => format!("exit code {code} after {secs:.1} s"),
            None => format!("killed by a signal after {secs:.1} s"),
        }
    };
    if r.output.is_empty() {
        return format!("{ended}\n(no output)");
    }
    format!("{ended}\n{}", r.output)
}

/// The one line the person sees under the command.
pub fn command_summary(r: &CommandResult) -> String {
    command_result_text(r).lines().next().unwrap_or_default().replace("exit code", "exit")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    async fn run(dir: &Path, command: &str, timeout: Duration) -> (CommandResult, Vec<String>) {
        let chunks = Arc::new(Mutex::new(Vec::new()));
        let sink = chunks.clone();
        let result = run_command(dir, command, timeout, Arc::new(Notify::new()), move |c| {
            sink.lock().expect("chunks lock").push(c.to_owned())
        })
        .await;
        let chunks = chunks.lock().expect("chunks lock").clone();
        (result, chunks)
    }

    /// Whether the process is still running a few seconds on: SIGKILL is delivered
    /// asynchronously, so a process signalled a moment ago may not have died yet.
    fn still_alive_after_a_while(pid: &str) -> bool {
        // A zombie keeps its /proc entry until reaped; it no longer runs, so it counts as gone.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z'))
            })
        };
        let until = Instant::now() + Duration::from_secs(5);
        while alive() {
            if Instant::now() > until {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[tokio::test]
    async fn exit_codes_and_combined_output_come_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let (ok, _) = run(dir.path(), "echo out; echo err >&2", Duration::from_secs(10)).await;
        assert_eq!(ok.exit_code, Some(0));
        assert!(ok.output.contains("out\n") && ok.output.contains("err\n"), "{ok:?}");
        let (failed, _) = run(dir.path(), "exit 3", Duration::from_secs(10)).await;
        assert_eq!(failed.exit_code, Some(3));
        assert!(
            command_result_text(&failed).starts_with("exit code 3 after "),
            "{}",
            command_result_text(&failed)
        );
        assert!(!failed.timed_out && !failed.cancelled);
    }

    #[tokio::test]
    async fn it_runs_in_the_project_root() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("marker.txt"), "here").expect("write");
        let (r, _) = run(dir.path(), "cat marker.txt", Duration::from_secs(10)).await;
        assert_eq!(r.output, "here");
    }

    #[tokio::test]
    async fn output_reaches_the_callback_while_the_command_still_runs() {
        let dir = tempfile::tempdir().expect("tmp");
        // The command waits for a file the callback creates when it sees "a": it can only
        // print "b" if "a" was delivered before the command ended.
        let gate = dir.path().join("gate");
        let command = format!("echo a; while [ ! -e '{}' ]; do sleep 0.05; done; echo b", gate.display());
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = seen.clone();
        let result =
            run_command(dir.path(), &command, Duration::from_secs(20), Arc::new(Notify::new()), move |c| {
                if c.contains('a') {
                    std::fs::write(&gate, "").expect("open the gate");
                }
                sink.lock().expect("lock").push_str(c);
            })
            .await;
        assert!(!result.timed_out, "the first chunk did not arrive while running: {result:?}");
        assert_eq!(result.exit_code, Some(0));
        assert_eq!(seen.lock().expect("lock").as_str(), "a\nb\n");
    }

    #[tokio::test]
    async fn a_timeout_kills_the_whole_process_group_including_background_children() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, _) =
            run(dir.path(), "sleep 100 & echo $! > child.pid; sleep 100", Duration::from_millis(500)).await;
        assert!(r.timed_out && r.exit_code.is_none(), "{r:?}");
        assert!(command_result_text(&r).starts_with("timed out after"), "{}", command_result_text(&r));
        let pid = std::fs::read_to_string(dir.path().join("child.pid")).expect("pid file");
        assert!(!still_alive_after_a_while(pid.trim()), "background child {pid} survived");
    }

    #[tokio::test]
    async fn background_children_do_not_outlive_a_command_that_exited() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, _) =
            run(dir.path(), "sleep 100 & echo $! > child.pid; echo done", Duration::from_secs(20)).await;
        assert_eq!(r.exit_code, Some(0));
        assert!(r.duration < Duration::from_secs(20), "waited for the background child: {r:?}");
        let pid = std::fs::read_to_string(dir.path().join("child.pid")).expect("pid file");
        assert!(!still_alive_after_a_while(pid.trim()), "background child {pid} survived");
    }

    #[tokio::test]
    async fn cancel_stops_the_command_promptly() {
        let dir = tempfile::tempdir().expect("tmp");
        let cancel = Arc::new(Notify::new());
        let trigger = cancel.clone();
        let result =
            run_command(dir.path(), "echo started; sleep 100", Duration::from_secs(60), cancel, move |c| {
                if c.contains("started") {
                    trigger.notify_waiters();
                }
            })
            .await;
        assert!(result.cancelled && !result.timed_out, "{result:?}");
        assert!(result.duration < Duration::from_secs(30), "{result:?}");
        assert!(command_result_text(&result).starts_with("stopped by the person"));
    }

    #[tokio::test]
    async fn long_output_keeps_its_head_and_tail_and_says_how_much_was_cut() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, chunks) = run(dir.path(), "seq 1 100000", Duration::from_secs(30)).await;
        let total: usize = chunks.iter().map(String::len).sum();
        assert!(
            r.output.starts_with("1\n2\n3\n") && r.output.ends_with("99999\n100000\n"),
            "{}",
            &r.output[..50]
        );
        let cut = total - OUTPUT_HEAD - OUTPUT_TAIL;
        assert!(r.output.contains(&format!("… {cut} bytes cut …")), "total {total}");
        assert!(r.output.len() < OUTPUT_HEAD + OUTPUT_TAIL + 100);
    }

    #[tokio::test]
    async fn the_command_sees_only_the_scrubbed_environment() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, _) = run(dir.path(), "env", Duration::from_secs(10)).await;
        let allowed: Vec<String> = redline_project::command_env().into_iter().map(|(k, _)| k).collect();
        // sh itself may add these few.
        let shell_own = ["PWD", "SHLVL", "_", "OLDPWD"];
        for line in r.output.lines() {
            let name = line.split('=').next().unwrap_or_default();
            assert!(
                allowed.iter().any(|a| a == name) || shell_own.contains(&name),
                "{name} leaked into the command"
            );
        }
        assert!(
            std::env::vars().any(|(k, _)| !allowed.contains(&k) && !shell_own.contains(&k.as_str())),
            "the test process has no variable that should be dropped, so this test proves nothing"
        );
    }

    #[test]
    fn a_character_split_across_reads_is_kept_whole() {
        let mut bytes = "añ".as_bytes()[..2].to_vec();
        assert_eq!(take_complete_utf8(&mut bytes), "a");
        bytes.extend_from_slice(&"ñ".as_bytes()[1..]);
        assert_eq!(take_complete_utf8(&mut bytes), "ñ");
        let mut invalid = vec![b'x', 0xFF, b'y'];
        assert_eq!(take_complete_utf8(&mut invalid), "x\u{fffd}y");
    }
}
