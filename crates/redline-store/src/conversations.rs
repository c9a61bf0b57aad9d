//! Conversations and their messages. A message is written when it starts and again when it
//! ends, each time in one transaction, so a failed or interrupted request never loses what was
//! already saved.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRow {
    pub id: i64,
    pub project: String,
    pub title: String,
    pub model: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub id: i64,
    pub conversation_id: i64,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    /// JSON array describing what was attached (paths, sizes, redactions), never file contents.
    pub attachments: String,
    pub model: Option<String>,
    /// `complete`, `streaming`, `stopped`, `failed` or `interrupted`.
    pub status: String,
    /// JSON `{code, message}` when the request failed.
    pub error: Option<String>,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: i64,
    pub cost: Option<f64>,
    pub created_at: i64,
    pub first_token_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    /// JSON array of the tool calls the reply made, with their results (agent steps).
    pub tools: String,
}

/// A message as it starts.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub role: &'a str,
    pub content: &'a str,
    pub attachments: &'a str,
    pub model: Option<&'a str>,
    pub status: &'a str,
}

const MESSAGE_COLUMNS: &str = "id, conversation_id, role, content, attachments, model, status, error,
    input_tokens, output_tokens, cached_tokens, cost, created_at, first_token_ms, duration_ms, tools";

fn message_row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        role: r.get(2)?,
        content: r.get(3)?,
        attachments: r.get(4)?,
        model: r.get(5)?,
        status: r.get(6)?,
        error: r.get(7)?,
        input_tokens: r.get(8)?,
        output_tokens: r.get(9)?,
        cached_tokens: r.get(10)?,
        cost: r.get(11)?,
        created_at: r.get(12)?,
        first_token_ms: r.get(13)?,
        duration_ms: r.get(14)?,
        tools: r.get(15)?,
    })
}

fn conversation_row(r: &Row<'_>) -> rusqlite::Result<ConversationRow> {
    Ok(ConversationRow {
        id: r.get(0)?,
        project: r.get(1)?,
        title: r.get(2)?,
        model: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

impl Store {
    pub fn create_conversation(
        &mut self,
        project: &str,
        title: &str,
        model: Option<&str>,
        now_ms: i64,
    ) -> Result<ConversationRow, StoreError> {
        self.conn.execute(
            "INSERT INTO conversations (project, title, model, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![project, title, model, now_ms],
        )?;
        let id = self.conn.last_insert_rowid();
        self.conversation(id)?.ok_or(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
    }

    pub fn conversation(&self, id: i64) -> Result<Option<ConversationRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, project, title, model, created_at, updated_at FROM conversations WHERE id = ?1",
                params![id],
                conversation_row,
            )
            .optional()?)
    }

    /// The project's conversations, most recently active first; with `query`, only those whose
    /// title or messages contain it (case-insensitive).
    pub fn conversations(&self, project: &str, query: &str) -> Result<Vec<ConversationRow>, StoreError> {
        let pattern = format!("%{}%", query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let mut stmt = self.conn.prepare(
            "SELECT id, project, title, model, created_at, updated_at FROM conversations c
             WHERE project = ?1 AND (?2 = '' OR title LIKE ?3 ESCAPE '\\' OR EXISTS
                (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?3 ESCAPE '\\'))
             ORDER BY updated_at DESC, id DESC",
        )?;
        let rows = stmt.query_map(params![project, query, pattern], conversation_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn rename_conversation(&mut self, id: i64, title: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE conversations SET title = ?2 WHERE id = ?1", params![id, title])?;
        Ok(())
    }

    pub fn set_conversation_model(&mut self, id: i64, model: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE conversations SET model = ?2 WHERE id = ?1", params![id, model])?;
        Ok(())
    }

    pub fn delete_conversation(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM conversations WHERE id = ?1", params![id])?;
        Ok(())
    }

    pub fn messages(&self, conversation_id: i64) -> Result<Vec<MessageRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![conversation_id], message_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn message(&self, id: i64) -> Result<Option<MessageRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1"),
                params![id],
                message_row,
            )
            .optional()?)
    }

    /// Appends messages to a conversation in one transaction and marks it active.
    pub fn add_messages(
        &mut self,
        conversation_id: i64,
        messages: &[NewMessage<'_>],
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut ids = Vec::new();
        for m in messages {
            tx.execute(
                "INSERT INTO messages (conversation_id, role, content, attachments, model, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![conversation_id, m.role, m.content, m.attachments, m.model, m.status, now_ms],
            )?;
            ids.push(tx.last_insert_rowid());
        }
        tx.execute(
            "UPDATE conversations SET updated_at = ?2 WHERE id = ?1",
            params![conversation_id, now_ms],
        )?;
        tx.commit()?;
        Ok(ids)
    }

    /// Records how a reply ended: its text, status, error, usage and timings.
    pub fn finish_message(&mut self, row: &MessageRow) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE messages SET content = ?2, status = ?3, error = ?4, input_tokens = ?5, output_tokens = ?6,
                cached_tokens = ?7, cost = ?8, first_token_ms = ?9, duration_ms = ?10, model = ?11,
                tools = ?12
             WHERE id = ?1",
            params![
                row.id,
                row.content,
                row.status,
                row.error,
                row.input_tokens,
                row.output_tokens,
                row.cached_tokens,
                row.cost,
                row.first_token_ms,
                row.duration_ms,
                row.model,
                row.tools
            ],
        )?;
        Ok(())
    }

    /// Saves a running reply's tool steps, so a crash mid-turn keeps what already ran.
    pub fn set_message_tools(&mut self, id: i64, tools: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE messages SET tools = ?2 WHERE id = ?1", params![id, tools])?;
        Ok(())
    }

    /// Deletes a message and every later one of its conversation (regenerate, edit-and-resend).
    pub fn truncate_from(&mut self, conversation_id: i64, message_id: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM messages WHERE conversation_id = ?1 AND id >= ?2",
            params![conversation_id, message_id],
        )?;
        Ok(())
    }

    /// Replies that were streaming when the app last stopped did not finish: say so.
    pub fn mark_interrupted(&mut self) -> Result<usize, StoreError> {
        Ok(self.conn.execute("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'", [])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("r.db")).expect("open");
        (dir, store)
    }

    fn user(text: &str) -> NewMessage<'_> {
        NewMessage { role: "user", content: text, attachments: "[]", model: None, status: "complete" }
    }

    #[test]
    fn conversations_are_per_project_newest_first_and_searchable() {
        let (_dir, mut store) = store();
        let a = store.create_conversation("/p", "First", None, 1).expect("create");
        let b = store.create_conversation("/p", "Second", Some("openai/gpt"), 2).expect("create");
        store.create_conversation("/other", "Elsewhere", None, 3).expect("create");
        store.add_messages(a.id, &[user("why does 100% of the parser fail?")], 5).expect("add");
        let ids: Vec<_> = store.conversations("/p", "").expect("list").iter().map(|c| c.id).collect();
        assert_eq!(ids, [a.id, b.id]);
        let found: Vec<_> = store.conversations("/p", "100%").expect("search").iter().map(|c| c.id).collect();
        assert_eq!(found, [a.id]);
        assert_eq!(store.conversations("/p", "second").expect("search")[0].id, b.id);
        assert!(store.conversations("/p", "_").expect("search").is_empty());
    }

    #[test]
    fn deleting_a_conversation_deletes_its_messages() {
        let (_dir, mut store) = store();
        let c = store.create_conversation("/p", "t", None, 1).expect("create");
        store.add_messages(c.id, &[user("hello")], 2).expect("add");
        store.delete_conversation(c.id).expect("delete");
        assert!(store.messages(c.id).expect("messages").is_empty());
        assert!(store.conversation(c.id).expect("get").is_none());
    }

    #[test]
    fn finished_message_keeps_usage_and_timings_and_truncate_drops_the_tail() {
        let (_dir, mut store) = store();
        let c = store.create_conversation("/p", "t", None, 1).expect("create");
        let streaming = NewMessage {
            role: "assistant",
            content: "",
            attachments: "[]",
            model: Some("m"),
            status: "streaming",
        };
        let ids = store.add_messages(c.id, &[user("q"), streaming], 2).expect("add");
        let mut row = store.message(ids[1]).expect("get").expect("row");
        row.content = "answer".into();
        row.status = "complete".into();
        row.input_tokens = 10;
        row.output_tokens = 3;
        row.cost = Some(0.25);
        row.first_token_ms = Some(40);
        store.finish_message(&row).expect("finish");
        assert_eq!(store.message(ids[1]).expect("get"), Some(row));
        store.truncate_from(c.id, ids[1]).expect("truncate");
        assert_eq!(store.messages(c.id).expect("messages").len(), 1);
    }

    #[test]
    fn replies_streaming_at_shutdown_are_marked_interrupted() {
        let (_dir, mut store) = store();
        let c = store.create_conversation("/p", "t", None, 1).expect("create");
        let streaming = NewMessage {
            role: "assistant",
            content: "",
            attachments: "[]",
            model: None,
            status: "streaming",
        };
        let ids = store.add_messages(c.id, &[streaming], 2).expect("add");
        assert_eq!(store.mark_interrupted().expect("mark"), 1);
        assert_eq!(store.message(ids[0]).expect("get").map(|m| m.status), Some("interrupted".into()));
    }
}
