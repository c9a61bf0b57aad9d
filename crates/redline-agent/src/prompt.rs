//! Builds the request for one question: system prompt with the project's rules, earlier
//! messages, the attachments, the question. When it does not fit the model's window, the oldest
//! messages go first, then attachments from the last one back, and each drop is reported.

use redline_llm::{ErrorKind, Message, ModelError, Request, Role};
use serde::Serialize;

use crate::context::{estimate_tokens, render_attachment, Attachment, AttachmentKind};

/// An earlier message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryMessage {
    pub role: Role,
    pub text: String,
}

/// Tokens used against the model's window, and what did not fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextMeter {
    pub used: u32,
    pub window: u32,
    /// Reserved for the reply.
    pub reserved: u32,
    pub dropped: Vec<String>,
}

#[derive(Debug)]
pub struct PromptInput<'a> {
    pub project_name: &'a str,
    /// How to propose edits, for the model in use.
    pub instructions: &'a str,
    pub model: &'a str,
    pub window: u32,
    pub max_output: u32,
    pub history: &'a [HistoryMessage],
    /// Rules files first, then what the person attached, in order.
    pub attachments: Vec<Attachment>,
    pub question: &'a str,
}

#[derive(Debug)]
pub struct Prompt {
    pub request: Request,
    pub meter: ContextMeter,
    /// Every attachment, with a note on those that were dropped to fit.
    pub attachments: Vec<Attachment>,
}

fn system_prompt(project_name: &str, instructions: &str, rules: &[&Attachment]) -> String {
    let mut s = format!(
        "You are Redline, a careful coding assistant. The person is working in the project \"{project_name}\". \
         Answer in Markdown; put code in fenced blocks with a language. Files the person attached are given \
         in <file> tags; say so when something you need was not attached."
    );
    if !instructions.is_empty() {
        s.push_str("\n\n");
        s.push_str(instructions);
    }
    for rule in rules {
        s.push_str(&format!("\n\nThe project's rules from {}:\n{}", rule.label, rule.body));
    }
    s
}

fn user_text(attachments: &[&Attachment], question: &str) -> String {
    if attachments.is_empty() {
        return question.to_owned();
    }
    let blocks: String = attachments.iter().map(|a| render_attachment(a)).collect();
    format!("<context>\n{blocks}</context>\n\n{question}")
}

/// Assembles the request, dropping what does not fit; fails only when even the question alone
/// does not fit.
pub fn build(input: PromptInput<'_>) -> Result<Prompt, ModelError> {
    let reserved = input.max_output.min(input.window / 2);
    let budget = input.window.saturating_sub(reserved);
    let mut keep_history = input.history.len();
    let mut attachments = input.attachments;
    let mut kept: Vec<bool> = attachments.iter().map(Attachment::is_attached).collect();
    let mut dropped = Vec::new();
    loop {
        let included: Vec<&Attachment> =
            attachments.iter().zip(&kept).filter(|(_, k)| **k).map(|(a, _)| a).collect();
        let (rules, files): (Vec<&Attachment>, Vec<&Attachment>) =
            included.into_iter().partition(|a| a.kind == AttachmentKind::Rules);
        let system = system_prompt(input.project_name, input.instructions, &rules);
        let history = &input.history[input.history.len() - keep_history..];
        let question = user_text(&files, input.question);
        let used = estimate_tokens(&system)
            + history.iter().map(|m| estimate_tokens(&m.text) + 4).sum::<u32>()
            + estimate_tokens(&question);
        if used <= budget {
            let mut messages: Vec<Message> = history
                .iter()
                .map(|m| Message { role: m.role, parts: vec![redline_llm::Part::Text(m.text.clone())] })
                .collect();
            messages.push(Message::user(question));
            let mut request =
                Request::new(input.model.split_once('/').map_or(input.model, |(_, m)| m), messages);
            request.system = Some(system);
            request.max_tokens = reserved;
            let meter = ContextMeter { used, window: input.window, reserved, dropped };
            return Ok(Prompt { request, meter, attachments });
        }
        if keep_history > 0 {
            // Drop whole exchanges so the conversation still alternates.
            let drop = if keep_history >= 2 { 2 } else { 1 };
            keep_history -= drop;
            let gone = input.history.len() - keep_history;
            dropped.retain(|d: &String| !d.ends_with("earlier messages"));
            dropped.insert(0, format!("{gone} earlier messages"));
            continue;
        }
        let Some(last) = kept.iter().rposition(|k| *k) else {
            return Err(ModelError::new(
                ErrorKind::ContextTooLong,
                format!(
                    "The question alone (about {used} tokens) does not fit this model's {} token window. Shorten it or pick a model with a larger window.",
                    input.window
                ),
            ));
        };
        kept[last] = false;
        attachments[last].note = Some("dropped: it did not fit the model's context window".into());
        dropped.push(attachments[last].label.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{diff_attachment, Attachment};

    fn file(label: &str, body: &str) -> Attachment {
        let mut a = diff_attachment(body);
        a.kind = AttachmentKind::File;
        a.label = label.into();
        a
    }

    fn input<'a>(
        history: &'a [HistoryMessage],
        attachments: Vec<Attachment>,
        window: u32,
    ) -> PromptInput<'a> {
        PromptInput {
            project_name: "demo",
            instructions: "",
            model: "openai/gpt-4o",
            window,
            max_output: 1000,
            history,
            attachments,
            question: "What does it do?",
        }
    }

    #[test]
    fn everything_fits_in_a_large_window_and_the_model_name_loses_its_provider() {
        let history = [HistoryMessage { role: Role::User, text: "hi".into() }];
        let p = build(input(&history, vec![file("a.rs", "fn a() {}")], 100_000)).expect("fits");
        assert_eq!(p.request.model, "gpt-4o");
        assert_eq!(p.request.messages.len(), 2);
        assert!(p.meter.dropped.is_empty());
        let Some(redline_llm::Part::Text(text)) = p.request.messages[1].parts.first() else { panic!("text") };
        assert!(
            text.contains("<file path=\"a.rs\">\nfn a() {}\n</file>") && text.ends_with("What does it do?")
        );
    }

    #[test]
    fn overflow_drops_oldest_messages_then_the_last_attachment_and_says_so() {
        let long = "x".repeat(4000);
        let history: Vec<HistoryMessage> = (0..4)
            .map(|i| HistoryMessage {
                role: if i % 2 == 0 { Role::User } else { Role::Assistant },
                text: long.clone(),
            })
            .collect();
        let attachments = vec![file("small.rs", "fn s() {}"), file("big.rs", &"y".repeat(8000))];
        let p = build(input(&history, attachments, 2600)).expect("fits after dropping");
        assert_eq!(p.meter.dropped, ["4 earlier messages", "big.rs"]);
        assert!(p.meter.used <= p.meter.window - p.meter.reserved);
        assert!(p.attachments[1].note.as_deref().is_some_and(|n| n.contains("did not fit")));
    }

    #[test]
    fn a_question_that_cannot_fit_is_a_context_too_long_error() {
        let mut i = input(&[], vec![], 10);
        i.question = "a very long question that will never fit";
        assert_eq!(build(i).expect_err("too long").kind, ErrorKind::ContextTooLong);
    }
}
