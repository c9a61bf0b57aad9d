//! Completion at the cursor (fill-in-the-middle): the text before and after the cursor go to a
//! model that completes in the middle, and what it writes there arrives as a proposal to review,
//! saved as a turn of a conversation like any other edit. Prefix and suffix pass the outbound
//! gate by the file's path: a file kept from models is refused, secrets are redacted.

use redline_edits::{Proposal, ProposalKind};
use redline_llm::{Delivery, FimRequest, StreamEvent};
use redline_store::NewMessage;

use redline_project::outbound::{gate, Gated, Source};
use redline_project::Visibility;

use crate::step::now_ms;
use crate::{ApiError, ApiResult, App, CompletionInput, CompletionView, ErrorCode};

/// How much text around the cursor is sent, in characters: enough for the model to see the
/// function it is in and what follows, small enough for any FIM model's window.
const PREFIX_CHARS: usize = 12_000;
const SUFFIX_CHARS: usize = 4_000;

/// Splits `text` at 1-based `line` and 0-based `column` (characters).
fn split_at_cursor(text: &str, line: u32, column: u32) -> Option<usize> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let body = l.strip_suffix('\n').unwrap_or(l);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let within = body.char_indices().nth(column as usize).map_or(body.len(), |(b, _)| b);
            return Some(offset + within);
        }
        offset += l.len();
    }
    // The cursor on the empty line after a final newline.
    (line as usize == text.split_inclusive('\n').count() + 1 && column == 0).then_some(text.len())
}

fn tail(s: &str, chars: usize) -> &str {
    let skip = s.chars().count().saturating_sub(chars);
    s.char_indices().nth(skip).map_or("", |(b, _)| &s[b..])
}

fn head(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(b, _)| &s[..b])
}

/// Prefix and suffix as they may go out: each through the gate by the file's own path.
fn gated_context(
    visibility: &Visibility,
    path: &str,
    prefix: &str,
    suffix: &str,
) -> ApiResult<(Gated, Gated)> {
    let (before, after) =
        (gate(visibility, Source::File(path), prefix), gate(visibility, Source::File(path), suffix));
    if let Some(why) = before.refused.clone() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("Complete here is off for this file: {why}"),
        ));
    }
    Ok((before, after))
}

impl App {
    /// Completes the file at the cursor; the middle comes back as a proposal in review.
    pub async fn complete_here(&self, input: CompletionInput) -> ApiResult<CompletionView> {
        let text = self.read_project_text(&input.path).ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, format!("{} cannot be read as text.", input.path))
        })?;
        let at = split_at_cursor(&text, input.line, input.column).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidInput, "The cursor is outside the file. Click where to complete.")
        })?;
        let model_id = match &input.model {
            Some(m) => m.clone(),
            None => self.models.default_model().await?,
        };
        let (before, after) = text.split_at(at);
        let root = self.project()?.root().clone();
        let visibility = Visibility::new(root.path());
        let rel =
            root.resolve(&input.path).ok().and_then(|abs| root.relative(&abs)).unwrap_or(input.path.clone());
        let (sent_before, sent_after) =
            gated_context(&visibility, &rel, tail(before, PREFIX_CHARS), head(after, SUFFIX_CHARS))?;
        let (model, wire) = self.models.fim_model(&model_id).await?;
        let request = FimRequest::new(
            model_id.split_once('/').map_or(model_id.as_str(), |(_, m)| m),
            &sent_before.text,
            &sent_after.text,
        );
        let mut stream = model.complete_fim(request, wire);
        let mut middle = String::new();
        while let Some(next) = stream.next().await {
            match next {
                Ok(Delivery::Event(StreamEvent::Text(t))) => middle.push_str(&t),
                Ok(_) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let middle = redline_llm::trim_middle(&middle, after).to_owned();
        if middle.trim().is_empty() {
            return Err(ApiError::new(
                ErrorCode::ModelProtocol,
                "The model had nothing to add here. Try another spot or another model.",
            ));
        }
        let proposed = format!("{before}{middle}{after}");
        self.save_completion(&input, &model_id, &text, &proposed, &middle).await
    }

    /// Saves the completion as a turn: the request, the middle as the reply, and its proposal.
    async fn save_completion(
        &self,
        input: &CompletionInput,
        model_id: &str,
        base: &str,
        proposed: &str,
        middle: &str,
    ) -> ApiResult<CompletionView> {
        let project = self.conversation_key()?;
        let question = format!("Complete {} at line {}, column {}", input.path, input.line, input.column + 1);
        let reply = format!("```\n{middle}\n```");
        let conversation = match input.conversation_id {
            Some(id) => self.with_store(|s| s.conversation(id))?,
            None => None,
        };
        let conversation = match conversation {
            Some(c) => c,
            None => {
                self.with_store(|s| s.create_conversation(&project, &question, Some(model_id), now_ms()))?
            }
        };
        let ids = self.with_store(|s| {
            s.add_messages(
                conversation.id,
                &[
                    NewMessage {
                        role: "user",
                        content: &question,
                        attachments: "[]",
                        model: None,
                        status: "complete",
                    },
                    NewMessage {
                        role: "assistant",
                        content: &reply,
                        attachments: "[]",
                        model: Some(model_id),
                        status: "complete",
                    },
                ],
                now_ms(),
            )
        })?;
        let proposal = Proposal::new(&input.path, base, proposed, ProposalKind::Modify);
        let mut records = vec![redline_review::Record::planned(ids[1], &input.path, Some(proposal), None)];
        self.check_records(&mut records).await?;
        // Shown at once in the Review tab, so with its hunks highlighted.
        let saved = self.with_desk(|_, store| redline_review::save(store, ids[1], &records))?;
        let proposal = self
            .views(&saved, crate::review_view::Hunks::Highlighted)
            .pop()
            .ok_or_else(|| ApiError::new(ErrorCode::Database, "the proposal was not saved"))?;
        Ok(CompletionView { conversation_id: conversation.id, message_id: ids[1], proposal })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_splits_by_characters_on_its_line() {
        let text = "fn a() {\n    héllo\n}\n";
        assert_eq!(&text[..split_at_cursor(text, 2, 6).expect("in")], "fn a() {\n    hé");
        assert_eq!(split_at_cursor(text, 2, 99), Some("fn a() {\n    héllo".len()));
        assert_eq!(split_at_cursor(text, 4, 0), Some(text.len()));
        assert_eq!(split_at_cursor(text, 9, 0), None);
    }

    #[test]
    fn prefix_keeps_its_end_and_suffix_its_start() {
        assert_eq!(tail("abcdé", 2), "dé");
        assert_eq!(head("éabc", 2), "éa");
        assert_eq!(tail("ab", 5), "ab");
    }
}
