//! Agent turns: the model calls tools step by step — reading, searching, proposing edits,
//! running approved commands — until it says it is done, a limit is reached, or the person
//! stops it. Every step is a saved reply of its own, with its tool calls and their results, so
//! the transcript survives a crash and each step's edits are reviewed and undone like any reply.
//!
//! A command runs only after the person approved that exact line (once, for the conversation,
//! or always in this project); it waits until the person has reviewed the turn's proposals, so
//! "run the tests again" runs them on what was accepted. Edits are written only when accepted,
//! or at once when the person switched on auto-accept for the turn (checkpoints still apply).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redline_agent::settings::AgentSettings;
use redline_agent::tools::{self, ToolOutput};
use redline_agent::turn::{ToolCall, TurnOutcome};
use redline_llm::{LanguageModel, Message, Part, Request, Role};
use redline_store::MessageRow;
use tokio::sync::{oneshot, Notify};

use crate::step::{message_view, now_ms, streaming_reply};
use crate::{
    AgentLimitsView, ApiError, ApiResult, App, ApprovalAnswer, ApprovalKind, ApprovalRequest, ChatEvent,
    EnvVarView, ErrorCode, McpServerView, MessageView, ToolCallView,
};
use redline_agent::instructions::EDIT_TOOLS;

/// Approval requests waiting for the person, and lines allowed for the rest of a conversation.
#[derive(Default)]
pub(crate) struct Approvals {
    next_id: i64,
    waiting: HashMap<i64, oneshot::Sender<ApprovalAnswer>>,
    allowed: HashSet<(i64, String)>,
    /// Per conversation, files auto-accepted since the person last said yes to an approval card:
    /// they can change what an approved line runs (a `conftest.py` before `pytest`), so the next
    /// command asks again, naming them.
    unreviewed: HashMap<i64, BTreeSet<String>>,
}

/// One approval card to show: what the person sees and the key a "yes" is remembered by.
struct Asking<'a> {
    call_id: &'a str,
    /// Shown on the card.
    line: &'a str,
    /// Remembered for the conversation or the project; the line itself for commands.
    key: &'a str,
    kind: ApprovalKind,
    server: Option<McpServerView>,
    changed_since_review: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Done,
    Stopped,
    Failed,
    StepLimit,
    TokenLimit,
    CostLimit,
}

impl Ending {
    fn name(self) -> &'static str {
        match self {
            Ending::Done => "done",
            Ending::Stopped => "stopped",
            Ending::Failed => "failed",
            Ending::StepLimit => "stepLimit",
            Ending::TokenLimit => "tokenLimit",
            Ending::CostLimit => "costLimit",
        }
    }
}

/// One agent turn of a conversation, from the question to its last step.
pub(crate) struct AgentTurn<'a> {
    app: &'a App,
    conversation_id: i64,
    model_id: String,
    model: Arc<dyn LanguageModel>,
    cancel: Arc<Notify>,
    emit: &'a (dyn Fn(ChatEvent) + Send + Sync),
    /// The model calls tools natively; otherwise it writes `<tool_call>` blocks in its text.
    native: bool,
    limits: AgentSettings,
    tokens: u64,
    cost: Option<f64>,
}

impl<'a> AgentTurn<'a> {
    pub(crate) fn new(
        app: &'a App,
        conversation_id: i64,
        model_id: &str,
        model: Arc<dyn LanguageModel>,
        cancel: Arc<Notify>,
        emit: &'a (dyn Fn(ChatEvent) + Send + Sync),
    ) -> Self {
        AgentTurn {
            app,
            conversation_id,
            model_id: model_id.to_owned(),
            native: !redline_agent::instructions::edit_tools(model_id).is_empty(),
            model,
            cancel,
            emit,
            limits: app.models.settings.read().agent,
            tokens: 0,
            cost: None,
        }
    }

    /// Runs steps until the model is done, a limit is reached or the person stops it; `row` is
    /// the first step's empty reply. Returns the last step.
    pub(crate) async fn run(
        mut self,
        mut row: MessageRow,
        request: Request,
        auto_accept: bool,
    ) -> ApiResult<MessageView> {
        let Some(mut request) = self.with_tools(request, row.id).await? else {
            let view = message_view(&self.app.finish_stopped(row)?);
            (self.emit)(ChatEvent::Finished { message: view.clone() });
            (self.emit)(ChatEvent::AgentDone {
                reason: Ending::Stopped.name().into(),
                steps: 0,
                tokens: 0,
                cost: None,
            });
            return Ok(view);
        };
        let mut step = 1;
        let (last, ending) = loop {
            let (mut view, outcome) = self
                .app
                .stream_step(
                    row,
                    &self.model_id,
                    self.model.as_ref(),
                    request.clone(),
                    self.cancel.clone(),
                    self.emit,
                )
                .await?;
            self.count(&outcome);
            if auto_accept {
                self.accept_all(&mut view)?;
            }
            let calls = self.calls(step, &outcome);
            let ending = match () {
                _ if outcome.cancelled => Some(Ending::Stopped),
                _ if outcome.error.is_some() => Some(Ending::Failed),
                _ if calls.is_empty() => Some(Ending::Done),
                _ => None,
            };
            if let Some(ending) = ending {
                (self.emit)(ChatEvent::Finished { message: view.clone() });
                break (view, ending);
            }
            let (results, stopped) = self.run_tools(&mut view, &calls).await?;
            // The step ends with its tools and its proposals as reviewed meanwhile: the UI keeps
            // it, as it is, above the next one.
            view.proposals = self.app.message_proposals(view.id)?;
            (self.emit)(ChatEvent::Finished { message: view.clone() });
            self.append(&mut request, &outcome.text, &calls, results);
            if let Some(ending) = stopped.then_some(Ending::Stopped).or_else(|| self.over_limit(step)) {
                break (view, ending);
            }
            step += 1;
            row = self.next_row()?;
            (self.emit)(ChatEvent::Step { message: message_view(&row), step });
        };
        (self.emit)(ChatEvent::AgentDone {
            reason: ending.name().into(),
            steps: step,
            tokens: self.tokens.min(u32::MAX as u64) as u32,
            cost: self.cost,
        });
        Ok(last)
    }

    /// Offers the tools: natively, or described in the instructions for models without tools.
    /// `None` when the person stopped the turn while asked about an MCP server.
    async fn with_tools(&self, mut request: Request, message_id: i64) -> ApiResult<Option<Request>> {
        self.app.add_repo_map(&mut request, &self.model_id).await;
        let mut specs = tools::agent_tool_specs();
        match self.mcp_tools(message_id).await? {
            Some(mcp) => specs.extend(mcp),
            None => return Ok(None),
        }
        let mut system = request.system.take().unwrap_or_default();
        system.push_str("\n\n");
        system.push_str(redline_agent::instructions::AGENT_INSTRUCTIONS);
        if self.native {
            request.tools = redline_agent::instructions::edit_tools(&self.model_id);
            request.tools.extend(specs);
        } else {
            system.push_str("\n\n");
            system.push_str(&tools::text_tool_instructions(&specs));
        }
        request.system = Some(system);
        Ok(Some(request))
    }

    fn count(&mut self, outcome: &TurnOutcome) {
        let used = outcome.usage.input + outcome.usage.output;
        // A server that reports no usage still spends tokens: count the reply at least.
        self.tokens +=
            if used > 0 { used } else { redline_agent::context::estimate_tokens(&outcome.text) as u64 };
        if let Some(cost) = self.app.models.prices.cost(&self.model_id, &outcome.usage) {
            self.cost = Some(self.cost.unwrap_or(0.0) + cost);
        }
    }

    fn over_limit(&self, step: u32) -> Option<Ending> {
        if step >= self.limits.max_steps {
            Some(Ending::StepLimit)
        } else if self.tokens >= self.limits.max_tokens as u64 {
            Some(Ending::TokenLimit)
        } else if matches!((self.cost, self.limits.max_cost), (Some(c), Some(max)) if c >= max) {
            Some(Ending::CostLimit)
        } else {
            None
        }
    }

    /// The step's tool calls; a malformed text-format call becomes a call the model is told about.
    fn calls(&self, step: u32, outcome: &TurnOutcome) -> Vec<ToolCall> {
        if self.native {
            return outcome.tool_calls.clone();
        }
        tools::parse_text_tool_calls(&outcome.text)
            .into_iter()
            .enumerate()
            .map(|(i, call)| {
                let id = format!("call_{step}_{i}");
                match call {
                    Ok((name, arguments)) => ToolCall { id, name, arguments },
                    Err(problem) => ToolCall { id, name: INVALID_CALL.into(), arguments: problem.into() },
                }
            })
            .collect()
    }

    /// Auto-accept: writes the step's proposals, except protected files, which wait for the
    /// person. What was written is remembered as not reviewed for the next command.
    fn accept_all(&self, view: &mut MessageView) -> ApiResult<()> {
        let mut written = Vec::new();
        for p in view.proposals.iter_mut().filter(|p| p.pending > 0 && p.protected.is_none()) {
            let outcome = self.app.set_hunks(p.id, Vec::new(), crate::HunkStateView::Accepted)?;
            if matches!(outcome.written, crate::WrittenView::Written | crate::WrittenView::Merged) {
                written.push(p.path.clone());
            }
            if let Some(updated) = outcome.proposal {
                *p = updated;
            }
        }
        if !written.is_empty() {
            self.app.approvals.lock().unreviewed.entry(self.conversation_id).or_default().extend(written);
        }
        Ok(())
    }

    /// Runs the step's calls in order; stops early (second value `true`) when the person stops.
    async fn run_tools(
        &self,
        view: &mut MessageView,
        calls: &[ToolCall],
    ) -> ApiResult<(Vec<ToolOutput>, bool)> {
        view.tools = calls.iter().map(|c| call_view(c, "running", "")).collect();
        let mut results = Vec::new();
        for (i, call) in calls.iter().enumerate() {
            self.update(view, i, |v| v.status = "running".into());
            let output = match self.run_tool(view, i, call).await? {
                Some(output) => output,
                None => {
                    self.update(view, i, |v| {
                        v.status = "failed".into();
                        v.summary = "stopped by the person".into();
                    });
                    return Ok((results, true));
                }
            };
            self.update(view, i, |v| {
                if v.status == "running" || v.status == "waiting" {
                    v.status = if output.is_error { "failed" } else { "done" }.into();
                }
                v.summary = output.summary.clone();
            });
            results.push(output);
        }
        Ok((results, false))
    }

    /// One call; `None` when the person stopped the turn meanwhile.
    async fn run_tool(
        &self,
        view: &mut MessageView,
        i: usize,
        call: &ToolCall,
    ) -> ApiResult<Option<ToolOutput>> {
        let name = call.name.as_str();
        if tools::READ_ONLY_TOOLS.contains(&name) {
            let root = self.app.project()?.root().clone();
            let (name, args) = (call.name.clone(), call.arguments.clone());
            let output = tokio::task::spawn_blocking(move || tools::run_read_only(&root, &name, &args))
                .await
                .map_err(|e| ApiError::new(ErrorCode::Internal, format!("a tool failed: {e}")))?;
            return Ok(Some(output));
        }
        if EDIT_TOOLS.contains(&name) {
            return Ok(Some(edit_result(view, call)));
        }
        if name == "run_command" {
            return self.run_command(view, i, call).await;
        }
        if name.starts_with("mcp__") {
            return self.run_mcp(view, i, call).await;
        }
        let text = if name == INVALID_CALL {
            format!("That tool call could not be read: {}", call.arguments.as_str().unwrap_or_default())
        } else {
            format!("There is no tool called `{name}`.")
        };
        Ok(Some(ToolOutput { summary: text.clone(), content: text, is_error: true }))
    }

    async fn run_command(
        &self,
        view: &mut MessageView,
        i: usize,
        call: &ToolCall,
    ) -> ApiResult<Option<ToolOutput>> {
        let Some(command) = call.arguments.get("command").and_then(|c| c.as_str()).map(str::trim) else {
            let text = "run_command needs a `command` argument: the command line to run.".to_owned();
            return Ok(Some(ToolOutput { summary: text.clone(), content: text, is_error: true }));
        };
        if !self.wait_for_review(view.id).await? {
            return Ok(None);
        }
        match self.approve(view, i, command, ApprovalKind::Command).await? {
            None => return Ok(None),
            Some(false) => return Ok(Some(declined(command))),
            Some(true) => {}
        }
        let root = self.app.project()?.root().path().to_path_buf();
        // The model may ask for less time than the person's limit, never for more.
        let limit = self.limits.command_timeout_secs.max(1) as u64;
        let asked = call.arguments.get("timeout_secs").and_then(|t| t.as_u64()).unwrap_or(limit);
        let timeout = Duration::from_secs(asked.clamp(1, limit));
        let (message_id, call_id) = (view.id, call.id.clone());
        let result = tools::run_command(&root, command, timeout, self.cancel.clone(), |chunk: &str| {
            (self.emit)(ChatEvent::ToolOutput {
                message_id,
                call_id: call_id.clone(),
                chunk: chunk.to_owned(),
            });
        })
        .await;
        if result.cancelled {
            return Ok(None);
        }
        self.update(view, i, |v| v.output = result.output.clone());
        let failed = result.timed_out || result.exit_code != Some(0);
        let output = ToolOutput {
            content: tools::command_result_text(&result),
            summary: tools::command_summary(&result),
            is_error: failed,
        };
        Ok(Some(redacted("command output", output)))
    }

    async fn run_mcp(
        &self,
        view: &mut MessageView,
        i: usize,
        call: &ToolCall,
    ) -> ApiResult<Option<ToolOutput>> {
        let line = format!("{} {}", call.name, call.arguments);
        match self.approve(view, i, &line, ApprovalKind::Mcp).await? {
            None => return Ok(None),
            Some(false) => return Ok(Some(declined(&line))),
            Some(true) => {}
        }
        let timeout = Duration::from_secs(self.limits.command_timeout_secs.max(1) as u64);
        let output = self.app.call_mcp(&call.name, call.arguments.clone(), timeout).await;
        Ok(Some(redacted("MCP output", output)))
    }

    /// Waits until no proposal of this conversation has pending hunks; `false` when stopped.
    async fn wait_for_review(&self, message_id: i64) -> ApiResult<bool> {
        let mut shown: Vec<String> = Vec::new();
        loop {
            let pending = self.app.pending_paths(self.conversation_id)?;
            if pending.is_empty() {
                if !shown.is_empty() {
                    (self.emit)(ChatEvent::AwaitingReview { message_id, paths: Vec::new() });
                }
                return Ok(true);
            }
            if pending != shown {
                (self.emit)(ChatEvent::AwaitingReview { message_id, paths: pending.clone() });
                shown = pending;
            }
            tokio::select! {
                _ = self.cancel.notified() => return Ok(false),
                _ = self.app.review_changed.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    }

    /// Asks the person about call `i` unless its line is already allowed and nothing was
    /// auto-accepted since the person last answered; `None` when the person stopped the turn
    /// meanwhile.
    async fn approve(
        &self,
        view: &mut MessageView,
        i: usize,
        line: &str,
        kind: ApprovalKind,
    ) -> ApiResult<Option<bool>> {
        let changed_since_review = self.unreviewed_edits();
        if changed_since_review.is_empty() && self.allowed(line)? {
            return Ok(Some(true));
        }
        self.update(view, i, |v| v.status = "waiting".into());
        let call_id = view.tools[i].id.clone();
        let asking = Asking { call_id: &call_id, line, key: line, kind, server: None, changed_since_review };
        let answer = self.ask(view.id, asking).await?;
        match answer {
            Some(true) => self.update(view, i, |v| v.status = "running".into()),
            Some(false) => self.update(view, i, |v| v.status = "declined".into()),
            None => {}
        }
        Ok(answer)
    }

    /// Whether the person allowed this exact line for the conversation or for the project.
    fn allowed(&self, line: &str) -> ApiResult<bool> {
        let project = self.app.project_key()?;
        let key = (self.conversation_id, line.to_owned());
        Ok(self.app.approvals.lock().allowed.contains(&key)
            || self.app.with_store(|s| s.command_approved(&project, line))?)
    }

    /// The person said yes to a card naming `files`: they no longer make a command ask again.
    /// (A "no" keeps them: the next command asks again instead of running on an old approval.)
    fn reviewed(&self, files: &[String]) {
        let mut approvals = self.app.approvals.lock();
        if let Some(unreviewed) = approvals.unreviewed.get_mut(&self.conversation_id) {
            unreviewed.retain(|f| !files.contains(f));
        }
    }

    /// Files auto-accepted in this conversation since the person last said yes to a card.
    fn unreviewed_edits(&self) -> Vec<String> {
        let approvals = self.app.approvals.lock();
        approvals
            .unreviewed
            .get(&self.conversation_id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Shows the approval card and waits: `Some(true)` to go ahead (remembered for the
    /// conversation or the project when the person said so), `None` when stopped meanwhile.
    /// A yes counts as the person having seen the edits the card named.
    async fn ask(&self, message_id: i64, asking: Asking<'_>) -> ApiResult<Option<bool>> {
        let Asking { call_id, line, key, kind, server, changed_since_review } = asking;
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut approvals = self.app.approvals.lock();
            approvals.next_id += 1;
            let id = approvals.next_id;
            approvals.waiting.insert(id, tx);
            id
        };
        let request = ApprovalRequest {
            id,
            message_id,
            call_id: call_id.to_owned(),
            command: line.to_owned(),
            kind,
            server,
            changed_since_review: changed_since_review.clone(),
        };
        (self.emit)(ChatEvent::Approval { request });
        let answer = tokio::select! {
            answer = rx => answer.unwrap_or(ApprovalAnswer::Decline),
            _ = self.cancel.notified() => {
                self.app.approvals.lock().waiting.remove(&id);
                return Ok(None);
            }
        };
        if answer != ApprovalAnswer::Decline {
            self.reviewed(&changed_since_review);
        }
        match answer {
            ApprovalAnswer::Decline => return Ok(Some(false)),
            ApprovalAnswer::Once => {}
            ApprovalAnswer::Conversation => {
                self.app.approvals.lock().allowed.insert((self.conversation_id, key.to_owned()));
            }
            ApprovalAnswer::Always => {
                let project = self.app.project_key()?;
                self.app.with_store(|s| s.approve_command(&project, key, now_ms()))?
            }
        }
        Ok(Some(true))
    }

    /// The tools of the MCP servers, started at the project's first agent turn. A server from
    /// the project's own `.redline/mcp.json` is a command the folder asks to run: it starts only
    /// after the person approved it, like any command. `None` when stopped meanwhile.
    async fn mcp_tools(&self, message_id: i64) -> ApiResult<Option<Vec<redline_llm::ToolSpec>>> {
        let hub = match self.app.running_mcp().await {
            Some(hub) => hub,
            None => {
                let (mut config, from_project) = self.app.mcp_config();
                for name in from_project {
                    let Some(server) = config.get(&name).filter(|s| !s.disabled) else { continue };
                    let go = self.approve_server(message_id, &name, server).await?;
                    match go {
                        Some(true) => {}
                        Some(false) => drop(config.remove(&name)),
                        None => return Ok(None),
                    }
                }
                self.app.start_mcp(config).await?
            }
        };
        Ok(Some(mcp_specs(&hub)))
    }

    /// Asks about starting a project MCP server, showing its whole entry; the answer is keyed by
    /// a hash of that entry, so any change to it (an env var, an argument) asks again.
    async fn approve_server(
        &self,
        message_id: i64,
        name: &str,
        server: &redline_mcp::ServerConfig,
    ) -> ApiResult<Option<bool>> {
        let cwd = self.app.project()?.root().path().to_path_buf();
        let key = server.approval_key(name, &cwd);
        if self.allowed(&key)? {
            return Ok(Some(true));
        }
        let line = format!("MCP server `{name}`: {} {}", server.command, server.args.join(" "));
        let asking = Asking {
            call_id: "",
            line: line.trim_end(),
            key: &key,
            kind: ApprovalKind::McpServer,
            server: Some(server_view(name, server, &cwd)),
            changed_since_review: Vec::new(),
        };
        self.ask(message_id, asking).await
    }

    /// Changes call `i` of the step, tells the UI and saves the step's calls.
    fn update(&self, view: &mut MessageView, i: usize, change: impl FnOnce(&mut ToolCallView)) {
        change(&mut view.tools[i]);
        (self.emit)(ChatEvent::Tool { message_id: view.id, call: view.tools[i].clone() });
        let json = serde_json::to_string(&view.tools).unwrap_or_else(|_| "[]".into());
        if let Err(e) = self.app.with_store(|s| s.set_message_tools(view.id, &json)) {
            tracing::warn!("agent step not saved: {}", e.message);
        }
    }

    /// Adds the step and what its tools gave back to the conversation the model sees next.
    fn append(&self, request: &mut Request, text: &str, calls: &[ToolCall], results: Vec<ToolOutput>) {
        if self.native {
            let mut parts = Vec::new();
            if !text.is_empty() {
                parts.push(Part::Text(text.to_owned()));
            }
            parts.extend(calls.iter().map(|c| Part::ToolCall {
                id: c.id.clone(),
                name: c.name.clone(),
                arguments: c.arguments.clone(),
            }));
            request.messages.push(Message { role: Role::Assistant, parts });
            let results = calls.iter().zip(results).map(|(c, r)| Part::ToolResult {
                id: c.id.clone(),
                name: c.name.clone(),
                content: r.content,
                is_error: r.is_error,
            });
            request.messages.push(Message { role: Role::User, parts: results.collect() });
        } else {
            request.messages.push(Message::assistant(text));
            let results: Vec<String> = calls
                .iter()
                .zip(results)
                .map(|(c, r)| format!("<tool_result name=\"{}\">\n{}\n</tool_result>", c.name, r.content))
                .collect();
            request.messages.push(Message::user(results.join("\n")));
        }
    }

    fn next_row(&self) -> ApiResult<MessageRow> {
        let id = self.app.with_store(|s| {
            s.add_messages(self.conversation_id, &[streaming_reply(&self.model_id)], now_ms())
        })?[0];
        self.app
            .with_store(|s| s.message(id))?
            .ok_or_else(|| ApiError::new(ErrorCode::Database, "the new step could not be read back"))
    }
}

/// The tools of the MCP servers, as the model is offered them.
fn mcp_specs(hub: &redline_mcp::McpHub) -> Vec<redline_llm::ToolSpec> {
    hub.tools()
        .into_iter()
        .map(|t| redline_llm::ToolSpec {
            name: t.qualified_name(),
            description: format!("{} (from the MCP server `{}`)", t.description, t.server),
            schema: t.schema,
        })
        .collect()
}

/// A server entry as the approval card shows it.
fn server_view(name: &str, server: &redline_mcp::ServerConfig, cwd: &Path) -> McpServerView {
    McpServerView {
        name: name.to_owned(),
        command: server.command.clone(),
        args: server.args.clone(),
        cwd: cwd.display().to_string(),
        env: server
            .env
            .iter()
            .map(|(name, value)| EnvVarView {
                name: name.clone(),
                value: value.clone(),
                changes_loading: redline_mcp::changes_program_loading(name),
            })
            .collect(),
    }
}

/// The name given to a text-format call that could not be parsed.
const INVALID_CALL: &str = "invalid_tool_call";

fn call_view(call: &ToolCall, status: &str, summary: &str) -> ToolCallView {
    ToolCallView {
        id: call.id.clone(),
        name: call.name.clone(),
        arguments: call.arguments.clone(),
        status: status.into(),
        summary: summary.into(),
        output: String::new(),
    }
}

/// What a command or a tool server printed, through the outbound gate before the model sees
/// it; the summary says what was redacted. (The read-only tools gate their own output, per file.)
fn redacted(what: &str, mut output: ToolOutput) -> ToolOutput {
    let gated = redline_project::outbound::gate_text(what, &output.content);
    if let Some(note) = gated.note() {
        output.content = gated.text;
        output.summary = format!("{} ({note})", output.summary);
    }
    output
}

fn declined(line: &str) -> ToolOutput {
    ToolOutput {
        content: format!("The person declined to run `{line}`. It was not run. Ask them, or do without it."),
        summary: "declined by the person; not run".into(),
        is_error: true,
    }
}

/// What the model is told about an edit call: for each file it touched, its proposal,
/// auto-accepted, or why it failed.
fn edit_result(view: &MessageView, call: &ToolCall) -> ToolOutput {
    let paths = match call_paths(call) {
        Ok(paths) if !paths.is_empty() => paths,
        Ok(_) => {
            let text = "No change could be made from that call.".to_owned();
            return ToolOutput { summary: text.clone(), content: text, is_error: true };
        }
        Err(e) => {
            let text = format!("That call could not be read: {e}");
            return ToolOutput { summary: text.clone(), content: text, is_error: true };
        }
    };
    let each: Vec<ToolOutput> = paths.iter().map(|path| file_result(view, path)).collect();
    ToolOutput {
        content: each.iter().map(|o| o.content.as_str()).collect::<Vec<_>>().join("\n"),
        summary: each.iter().map(|o| o.summary.as_str()).collect::<Vec<_>>().join("; "),
        is_error: each.iter().any(|o| o.is_error),
    }
}

/// The files an edit call proposes changes to, under the names their proposals carry.
fn call_paths(call: &ToolCall) -> Result<Vec<String>, redline_edits::ParseError> {
    let mut paths: Vec<String> = Vec::new();
    for edit in redline_edits::tool_call_edits(&call.name, &call.arguments, 0)? {
        let path = match edit.kind {
            redline_edits::EditKind::Rename { to } => to,
            _ => edit.path,
        };
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    Ok(paths)
}

fn file_result(view: &MessageView, path: &str) -> ToolOutput {
    let Some(p) = view.proposals.iter().find(|p| p.path == path) else {
        let text = format!("No change to `{path}` could be made from that call.");
        return ToolOutput { summary: text.clone(), content: text, is_error: true };
    };
    if let Some(error) = &p.error {
        return ToolOutput {
            content: format!("The edit to {path} failed: {error}"),
            summary: error.clone(),
            is_error: true,
        };
    }
    let (content, summary) = if p.pending == 0 && p.written {
        (format!("The change to {path} was applied (auto-accept is on)."), format!("applied to {path}"))
    } else if let Some(why) = &p.protected {
        (
            format!(
                "Proposed the change to {path}, a protected file ({why}): it is never auto-accepted; the person must review and confirm it before it is written. Commands you run next wait for that review."
            ),
            format!("proposed a change to the protected file {path}; waits for the person"),
        )
    } else {
        let n = p.pending;
        (
            format!(
                "Proposed the change to {path} ({n} hunk{}); the person reviews it before it is written. Commands you run next wait for that review.",
                if n == 1 { "" } else { "s" }
            ),
            format!("proposed {n} hunk{} in {path}", if n == 1 { "" } else { "s" }),
        )
    };
    ToolOutput { content, summary, is_error: false }
}

impl App {
    /// The person's answer to an approval request.
    pub fn answer_approval(&self, id: i64, answer: ApprovalAnswer) -> ApiResult<()> {
        let sender = self.approvals.lock().waiting.remove(&id);
        match sender {
            Some(tx) => {
                // The turn may have been stopped since: then there is nobody left to tell.
                let _ = tx.send(answer);
                Ok(())
            }
            None => {
                Err(ApiError::new(ErrorCode::NotFound, "That command is no longer waiting for an answer."))
            }
        }
    }

    /// Files of the conversation with hunks still waiting for review.
    pub(crate) fn pending_paths(&self, conversation_id: i64) -> ApiResult<Vec<String>> {
        // Only the hunk states matter here: no view (highlighting, disk reads) is built.
        let records =
            self.with_desk(|_, store| redline_review::conversation_records(store, conversation_id))?;
        let mut paths: Vec<String> =
            records.into_iter().filter(|r| r.pending() > 0).map(|r| r.path).collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    pub fn agent_limits(&self) -> ApiResult<AgentLimitsView> {
        let agent = self.models.settings.read().agent;
        let key = test_command_key(&self.project_key()?);
        let mut test_command = self.with_store(|s| s.setting(&key))?;
        if !self.trust().is_trusted() && test_command.take().is_some() {
            // Untrusted, the saved line does not run by itself: the person names it again.
            self.note_untrusted("the saved test command not run".into());
        }
        Ok(AgentLimitsView {
            max_steps: agent.max_steps,
            max_tokens: agent.max_tokens,
            max_cost: agent.max_cost,
            command_timeout_secs: agent.command_timeout_secs,
            test_command,
        })
    }

    /// Saves the limits, and the project's test command. Naming the test command allows that
    /// exact line in this project: "fix until tests pass" runs it without asking each time.
    pub fn set_agent_limits(&self, limits: AgentLimitsView) -> ApiResult<()> {
        if limits.max_steps == 0 || limits.max_tokens == 0 {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "The step and token limits must be above zero.",
            ));
        }
        self.models.update_settings(|s| {
            s.agent = AgentSettings {
                max_steps: limits.max_steps,
                max_tokens: limits.max_tokens,
                max_cost: limits.max_cost.filter(|c| *c > 0.0),
                command_timeout_secs: limits.command_timeout_secs.max(1),
            }
        })?;
        let project = self.project_key()?;
        if let Some(command) = limits.test_command.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            self.with_store(|s| {
                s.set_setting(&test_command_key(&project), command)?;
                s.approve_command(&project, command, now_ms())
            })?;
        }
        Ok(())
    }
}

fn test_command_key(project: &str) -> String {
    format!("test_command:{project}")
}

/// The MCP servers of the open project, started at its first agent turn.
pub(crate) type McpState = tokio::sync::Mutex<Option<(String, Arc<redline_mcp::McpHub>)>>;

impl App {
    /// The hub started for the open project, if any.
    async fn running_mcp(&self) -> Option<Arc<redline_mcp::McpHub>> {
        let root = self.project().ok()?.info().root;
        let state = self.mcp.lock().await;
        state.as_ref().filter(|(started_for, _)| *started_for == root).map(|(_, hub)| hub.clone())
    }

    /// The servers to start: `.redline/mcp.json` of the project over `mcp.json` in Redline's data
    /// folder, and the names that come from the project. A broken file is logged and skipped.
    fn mcp_config(&self) -> (BTreeMap<String, redline_mcp::ServerConfig>, Vec<String>) {
        let Ok(project) = self.project() else { return Default::default() };
        let root = project.root().path();
        let global = self.data_dir().join("mcp.json");
        if !project.trust().is_trusted() {
            return (self.untrusted_mcp_config(&global), Vec::new());
        }
        let load = |global: Option<&Path>| {
            redline_mcp::load_config(root, global).unwrap_or_else(|e| {
                tracing::warn!("MCP servers not started: {e}");
                BTreeMap::new()
            })
        };
        let from_project = load(None).into_keys().collect();
        (load(Some(&global)), from_project)
    }

    /// The person's own servers only: the project's `.redline/mcp.json` stays off until the
    /// folder is trusted (it names commands the folder wants run).
    fn untrusted_mcp_config(&self, global: &Path) -> BTreeMap<String, redline_mcp::ServerConfig> {
        let project_config =
            self.project().is_ok_and(|p| p.root().symlink_metadata(redline_mcp::PROJECT_CONFIG).is_ok());
        if project_config {
            self.note_untrusted("MCP servers of .redline/mcp.json not started".into());
        }
        // The person's own mcp.json, in Redline's data folder: no project file.
        #[allow(clippy::disallowed_methods)]
        let text = match std::fs::read_to_string(global) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return BTreeMap::new(),
            Err(e) => {
                tracing::warn!("MCP servers not started: cannot read {}: {e}", global.display());
                return BTreeMap::new();
            }
        };
        redline_mcp::parse_config(&text).unwrap_or_else(|e| {
            tracing::warn!("MCP servers not started: {}: {e}", global.display());
            BTreeMap::new()
        })
    }

    async fn start_mcp(
        &self,
        config: BTreeMap<String, redline_mcp::ServerConfig>,
    ) -> ApiResult<Arc<redline_mcp::McpHub>> {
        let project = self.project()?;
        let hub = Arc::new(redline_mcp::McpHub::start(project.root().path(), config).await);
        for (server, problem) in hub.problems() {
            tracing::warn!("MCP server {server}: {problem}");
        }
        *self.mcp.lock().await = Some((project.info().root, hub.clone()));
        Ok(hub)
    }

    async fn call_mcp(&self, name: &str, arguments: serde_json::Value, timeout: Duration) -> ToolOutput {
        let result = match self.running_mcp().await {
            Some(hub) => hub.call(name, arguments, timeout).await.map_err(|e| e.to_string()),
            None => Err("no MCP server is running".to_owned()),
        };
        match result {
            Ok(r) => ToolOutput {
                summary: format!(
                    "{} ({} bytes)",
                    if r.is_error { "the tool failed" } else { "answered" },
                    r.text.len()
                ),
                content: r.text,
                is_error: r.is_error,
            },
            Err(e) => ToolOutput { summary: e.clone(), content: e, is_error: true },
        }
    }

    /// Adds the repo map to the request's instructions: context the model gets without asking.
    pub(crate) async fn add_repo_map(&self, request: &mut Request, model_id: &str) {
        if let Some(map) = self.repo_map_text(request, model_id).await {
            let system = request.system.get_or_insert_with(String::new);
            system.push_str(
                "\n\nA map of the project's definitions, most relevant first (read files for the rest):\n",
            );
            system.push_str(&map);
        }
    }

    /// The repo map for a request: ranked toward the files and words of its messages, within
    /// a sixteenth of the model's window (at most 2,048 tokens). None for small windows (the
    /// built-in model), where it would crowd out the question.
    async fn repo_map_text(&self, request: &Request, model_id: &str) -> Option<String> {
        let window = self.models.window(model_id) as usize;
        if window <= 8192 {
            return None;
        }
        let project = self.project().ok()?;
        let text: String = request
            .messages
            .iter()
            .flat_map(|m| &m.parts)
            .filter_map(|p| if let Part::Text(t) = p { Some(t.as_str()) } else { None })
            .collect::<Vec<_>>()
            .join("\n");
        let focus = redline_repomap::Focus {
            files: redline_agent::parse_mentions(&text),
            idents: redline_repomap::identifiers_in(&text),
        };
        let budget = (window / 16).clamp(256, 2048);
        let map = tokio::task::spawn_blocking(move || project.repo_map(&focus, budget)).await.ok()?;
        // Definition lines can hold a key (`AWS_KEY = "AKIA…"`): redacted like any attachment.
        let map = redline_project::outbound::gate_text("repo map", &map).text;
        (!map.is_empty()).then_some(map)
    }
}
