//! Conversations: listing, renaming, deleting, and sending a question whose reply streams to
//! the caller. The question and an empty reply are saved before the request starts and the reply
//! is saved again when it ends, whatever the ending, so no failure loses a conversation.

use std::sync::Arc;

use redline_agent::{
    build_prompt, parse_mentions, Attachment, AttachmentKind, ContextReader, HistoryMessage, PromptInput,
    Selection,
};
use redline_llm::Role;
use redline_store::{ConversationRow, MessageRow, NewMessage};

use crate::step::{message_view, meter_view, now_ms, streaming_reply};
use tokio::sync::Notify;

use crate::{
    ApiError, ApiResult, App, AttachmentView, ChatEvent, ContextPreview, ConversationDetail,
    ConversationView, ErrorCode, MessageView, SendInput, UsageView,
};

/// The working tree diff attached to a question is cut after this many bytes.
const DIFF_LIMIT: usize = 256 * 1024;

fn conversation_view(row: &ConversationRow) -> ConversationView {
    ConversationView {
        id: row.id,
        title: row.title.clone(),
        model: row.model.clone(),
        updated_at: row.updated_at,
    }
}

fn attachment_view(a: &Attachment) -> AttachmentView {
    let kind = match a.kind {
        AttachmentKind::File => "file",
        AttachmentKind::Folder => "folder",
        AttachmentKind::Selection => "selection",
        AttachmentKind::GitDiff => "gitDiff",
        AttachmentKind::Rules => "rules",
    };
    AttachmentView {
        kind: kind.into(),
        label: a.label.clone(),
        tokens: a.tokens,
        truncated: a.truncated,
        redactions: a.redactions.iter().map(|r| format!("{} on line {}", r.kind, r.line)).collect(),
        note: a.note.clone(),
    }
}

fn title_of(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("New conversation").trim();
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}

impl App {
    /// What approvals and per-project settings (the test command) are stored under: the
    /// project's identity, so a different repository cloned at the same path inherits none.
    pub(crate) fn project_key(&self) -> ApiResult<String> {
        Ok(self.project()?.identity().key())
    }

    /// What conversations are stored under: the folder's path. They are the person's own
    /// record, not a grant, and stay with the folder when its identity changes (a first commit).
    pub(crate) fn conversation_key(&self) -> ApiResult<String> {
        Ok(self.project()?.info().root)
    }

    pub fn conversations(&self, query: &str) -> ApiResult<Vec<ConversationView>> {
        let project = self.conversation_key()?;
        let rows = self.with_store(|s| s.conversations(&project, query.trim()))?;
        Ok(rows.iter().map(conversation_view).collect())
    }

    pub fn conversation(&self, id: i64) -> ApiResult<ConversationDetail> {
        let (row, messages) = self.with_store(|s| Ok((s.conversation(id)?, s.messages(id)?)))?;
        let row =
            row.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "That conversation no longer exists."))?;
        let mut messages: Vec<MessageView> = messages.iter().map(message_view).collect();
        for m in messages.iter_mut().filter(|m| m.role == "assistant") {
            m.proposals = self.message_proposals(m.id)?;
        }
        let usage = messages.iter().fold(UsageView::default(), |t, m| UsageView {
            input: t.input + m.usage.input,
            output: t.output + m.usage.output,
            cached: t.cached + m.usage.cached,
        });
        let costs: Vec<f64> = messages.iter().filter_map(|m| m.cost).collect();
        let cost = (!costs.is_empty()).then(|| costs.iter().sum());
        let running = self.running.lock().contains_key(&id);
        Ok(ConversationDetail { conversation: conversation_view(&row), messages, usage, cost, running })
    }

    pub fn new_conversation(&self, model: Option<String>) -> ApiResult<ConversationView> {
        let project = self.conversation_key()?;
        let row = self.with_store(|s| {
            s.create_conversation(&project, "New conversation", model.as_deref(), now_ms())
        })?;
        Ok(conversation_view(&row))
    }

    pub fn rename_conversation(&self, id: i64, title: &str) -> ApiResult<()> {
        let title = title.trim();
        if title.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "A conversation needs a title."));
        }
        self.with_store(|s| s.rename_conversation(id, title))
    }

    pub fn delete_conversation(&self, id: i64) -> ApiResult<()> {
        self.stop_reply(id);
        self.with_store(|s| s.delete_conversation(id))
    }

    pub fn set_conversation_model(&self, id: i64, model: &str) -> ApiResult<()> {
        self.with_store(|s| s.set_conversation_model(id, model))
    }

    /// Stops the reply streaming in conversation `id`, if any.
    pub fn stop_reply(&self, id: i64) {
        if let Some(cancel) = self.running.lock().get(&id) {
            cancel.notify_one();
        }
    }

    /// Files and folders for @-completion.
    pub fn find_files(&self, query: &str) -> ApiResult<Vec<String>> {
        Ok(redline_agent::context::find_files(self.project()?.root(), query, 30))
    }

    /// What a question would carry, without sending it: for chips and the meter.
    pub async fn preview_context(&self, input: SendInput) -> ApiResult<ContextPreview> {
        let model = match &input.model {
            Some(m) => m.clone(),
            None => self.models.default_model().await.unwrap_or_default(),
        };
        let attachments = self.gather(&input)?;
        let history = match input.conversation_id {
            Some(id) => self.history(id, input.replace_from)?,
            None => Vec::new(),
        };
        let prompt = self.prompt(&model, &history, attachments, &input.text)?;
        Ok(ContextPreview {
            attachments: prompt.attachments.iter().map(attachment_view).collect(),
            meter: meter_view(&prompt.meter),
        })
    }

    fn gather(&self, input: &SendInput) -> ApiResult<Vec<Attachment>> {
        let project = self.project()?;
        let reader = ContextReader::new(project.root());
        let mut attachments = reader.rules();
        if !project.trust().is_trusted() {
            // `.redline/` is the folder's say over Redline itself: ignored until it is trusted.
            let before = attachments.len();
            attachments.retain(|a| !a.label.starts_with(".redline/"));
            if attachments.len() < before {
                self.note_untrusted(".redline/ settings ignored".into());
            }
        }
        let mut paths: Vec<String> = Vec::new();
        for path in input.attachments.iter().cloned().chain(parse_mentions(&input.text)) {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        attachments.extend(paths.iter().map(|p| reader.mention(p)));
        if let Some(sel) = &input.selection {
            let selection =
                Selection { path: sel.path.clone(), start_line: sel.start_line, end_line: sel.end_line };
            attachments.push(reader.selection(&selection));
        }
        if input.include_diff {
            let patch = project.worktree_patch_for_model(DIFF_LIMIT)?;
            attachments.push(reader.diff(&patch));
        }
        Ok(attachments)
    }

    /// The conversation's earlier messages that a model should see again, before `until`.
    fn history(&self, id: i64, until: Option<i64>) -> ApiResult<Vec<HistoryMessage>> {
        let rows = self.with_store(|s| s.messages(id))?;
        Ok(rows
            .into_iter()
            .filter(|m| until.is_none_or(|u| m.id < u) && !m.content.is_empty())
            .map(|m| HistoryMessage {
                role: if m.role == "user" { Role::User } else { Role::Assistant },
                text: m.content,
            })
            .collect())
    }

    fn prompt(
        &self,
        model: &str,
        history: &[HistoryMessage],
        attachments: Vec<Attachment>,
        question: &str,
    ) -> ApiResult<redline_agent::Prompt> {
        let project = self.project()?.info().name;
        let max_output = self.models.settings.read().max_output_tokens;
        Ok(build_prompt(PromptInput {
            project_name: &project,
            instructions: redline_agent::instructions::edit_instructions(model),
            model,
            window: self.models.window(model),
            max_output,
            history,
            attachments,
            question,
        })?)
    }

    /// Sends a question and streams the reply through `emit`; returns the saved reply. Errors
    /// before anything was saved (no project, no model, nothing fits) come back as `Err`; a
    /// failed request is a saved reply with status `failed` and its error.
    pub async fn send_message(
        &self,
        input: SendInput,
        emit: &(dyn Fn(ChatEvent) + Send + Sync),
    ) -> ApiResult<MessageView> {
        if input.text.trim().is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "Type a question first."));
        }
        let project = self.conversation_key()?;
        let existing = match input.conversation_id {
            Some(id) => self.with_store(|s| s.conversation(id))?,
            None => None,
        };
        let model_id = match input.model.clone().or_else(|| existing.as_ref().and_then(|c| c.model.clone())) {
            Some(m) => m,
            None => self.models.default_model().await?,
        };
        let model = self.models.resolve(&model_id).await?;
        let history = match &existing {
            Some(c) => self.history(c.id, input.replace_from)?,
            None => Vec::new(),
        };
        let prompt = self.prompt(&model_id, &history, self.gather(&input)?, &input.text)?;
        let conversation = match existing {
            Some(c) => c,
            None => self.with_store(|s| {
                s.create_conversation(&project, &title_of(&input.text), Some(&model_id), now_ms())
            })?,
        };
        let cancel = Arc::new(Notify::new());
        {
            let mut running = self.running.lock();
            if running.contains_key(&conversation.id) {
                return Err(ApiError::new(
                    ErrorCode::Busy,
                    "A reply is still streaming here. Stop it first.",
                ));
            }
            running.insert(conversation.id, cancel.clone());
        }
        let result = self.stream_reply(&conversation, &model_id, model, prompt, &input, cancel, emit).await;
        self.running.lock().remove(&conversation.id);
        result
    }

    /// Saves the question and an empty reply, and tells the UI the reply started.
    fn begin_reply(
        &self,
        conversation: &ConversationRow,
        model_id: &str,
        prompt: &redline_agent::Prompt,
        input: &SendInput,
        emit: &(dyn Fn(ChatEvent) + Send + Sync),
    ) -> ApiResult<MessageRow> {
        let attachments: Vec<AttachmentView> = prompt.attachments.iter().map(attachment_view).collect();
        let attachments_json = serde_json::to_string(&attachments).unwrap_or_else(|_| "[]".into());
        let is_new = conversation.title == "New conversation";
        let ids = self.with_store(|s| {
            if let Some(from) = input.replace_from {
                s.truncate_from(conversation.id, from)?;
            }
            if is_new {
                s.rename_conversation(conversation.id, &title_of(&input.text))?;
            }
            s.set_conversation_model(conversation.id, model_id)?;
            s.add_messages(
                conversation.id,
                &[
                    NewMessage {
                        role: "user",
                        content: &input.text,
                        attachments: &attachments_json,
                        model: None,
                        status: "complete",
                    },
                    streaming_reply(model_id),
                ],
                now_ms(),
            )
        })?;
        let (user_row, mut reply) = self.with_store(|s| Ok((s.message(ids[0])?, s.message(ids[1])?)))?;
        let (Some(user_row), Some(reply_row)) = (user_row, reply.take()) else {
            return Err(ApiError::new(ErrorCode::Database, "the new messages could not be read back"));
        };
        let conversation =
            self.with_store(|s| s.conversation(conversation.id))?.unwrap_or_else(|| conversation.clone());
        emit(ChatEvent::Started {
            conversation: conversation_view(&conversation),
            user_message: message_view(&user_row),
            assistant_id: reply_row.id,
            model: model_id.to_owned(),
            meter: meter_view(&prompt.meter),
        });
        Ok(reply_row)
    }

    #[allow(clippy::too_many_arguments)]
    async fn stream_reply(
        &self,
        conversation: &ConversationRow,
        model_id: &str,
        model: Arc<dyn redline_llm::LanguageModel>,
        prompt: redline_agent::Prompt,
        input: &SendInput,
        cancel: Arc<Notify>,
        emit: &(dyn Fn(ChatEvent) + Send + Sync),
    ) -> ApiResult<MessageView> {
        let row = self.begin_reply(conversation, model_id, &prompt, input, emit)?;
        if input.agent {
            let turn = crate::agent::AgentTurn::new(self, conversation.id, model_id, model, cancel, emit);
            return turn.run(row, prompt.request, input.auto_accept).await;
        }
        let mut request = prompt.request;
        request.tools = redline_agent::instructions::edit_tools(model_id);
        self.add_repo_map(&mut request, model_id).await;
        let (view, _) = self.stream_step(row, model_id, model.as_ref(), request, cancel, emit).await?;
        emit(ChatEvent::Finished { message: view.clone() });
        Ok(view)
    }
}
