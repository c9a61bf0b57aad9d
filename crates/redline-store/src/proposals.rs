//! The edits a reply proposed, one row per file: the proposal itself (base, proposed text and
//! hunk states, as JSON), what Redline last wrote for it, and its review status. The rows are
//! raw: `redline-review` is the one place that encodes and decodes them.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRow {
    pub id: i64,
    pub message_id: i64,
    pub path: String,
    /// `redline_edits::Proposal` as JSON; `None` for an edit that could not be placed.
    pub proposal: Option<String>,
    /// Where Redline last wrote this proposal's file; `None` while it wrote nothing.
    pub written_path: Option<String>,
    /// The text it wrote there; `None` with a `written_path` when it removed the file.
    pub written_text: Option<String>,
    /// `pending`, `reviewed` or `failed`.
    pub status: String,
    pub error: Option<String>,
    /// JSON array of what the checks before review found (syntax, secrets, risky code, linters).
    pub checks: String,
}

fn row(r: &Row<'_>) -> rusqlite::Result<ProposalRow> {
    Ok(ProposalRow {
        id: r.get(0)?,
        message_id: r.get(1)?,
        path: r.get(2)?,
        proposal: r.get(3)?,
        written_path: r.get(4)?,
        written_text: r.get(5)?,
        status: r.get(6)?,
        error: r.get(7)?,
        checks: r.get(8)?,
    })
}

const COLUMNS: &str = "id, message_id, path, proposal, written_path, written_text, status, error, checks";

impl Store {
    /// Replaces a reply's proposals in one transaction; returns them with their ids.
    pub fn set_proposals(
        &mut self,
        message_id: i64,
        rows: &[ProposalRow],
    ) -> Result<Vec<ProposalRow>, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM proposals WHERE message_id = ?1", params![message_id])?;
        let mut out = Vec::new();
        for r in rows {
            tx.execute(
                "INSERT INTO proposals
                   (message_id, path, proposal, written_path, written_text, status, error, checks)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    message_id,
                    r.path,
                    r.proposal,
                    r.written_path,
                    r.written_text,
                    r.status,
                    r.error,
                    r.checks
                ],
            )?;
            out.push(ProposalRow { id: tx.last_insert_rowid(), message_id, ..r.clone() });
        }
        tx.commit()?;
        Ok(out)
    }

    pub fn proposals(&self, message_id: i64) -> Result<Vec<ProposalRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM proposals WHERE message_id = ?1 ORDER BY id"))?;
        let rows = stmt.query_map(params![message_id], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn proposal(&self, id: i64) -> Result<Option<ProposalRow>, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM proposals WHERE id = ?1"), params![id], row)
            .optional()?)
    }

    /// Proposals of a conversation that still have pending hunks, newest first.
    pub fn open_proposals(&self, conversation_id: i64) -> Result<Vec<ProposalRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM proposals p JOIN messages m ON m.id = p.message_id
             WHERE m.conversation_id = ?1 ORDER BY p.id",
            COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
        ))?;
        let rows = stmt.query_map(params![conversation_id], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The git commit holding the files as they were before a reply's first write.
    pub fn checkpoint(&self, message_id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT commit_id FROM checkpoints WHERE message_id = ?1", params![message_id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_checkpoint(&mut self, message_id: i64, commit_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO checkpoints (message_id, commit_id) VALUES (?1, ?2)",
            params![message_id, commit_id],
        )?;
        Ok(())
    }

    pub fn update_proposal(&mut self, r: &ProposalRow) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE proposals SET proposal = ?2, written_path = ?3, written_text = ?4, status = ?5,
               error = ?6, checks = ?7
             WHERE id = ?1",
            params![r.id, r.proposal, r.written_path, r.written_text, r.status, r.error, r.checks],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewMessage;

    #[test]
    fn proposals_are_replaced_per_reply_updated_and_go_with_their_message() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("r.db")).expect("open");
        let c = store.create_conversation("/p", "t", None, 1).expect("create");
        let reply = NewMessage {
            role: "assistant",
            content: "x",
            attachments: "[]",
            model: None,
            status: "complete",
        };
        let id = store.add_messages(c.id, &[reply], 2).expect("add")[0];
        let draft = |path: &str| ProposalRow {
            id: 0,
            message_id: id,
            path: path.into(),
            proposal: Some("{}".into()),
            written_path: None,
            written_text: None,
            status: "pending".into(),
            error: None,
            checks: "[]".into(),
        };
        store.set_proposals(id, &[draft("a.rs")]).expect("set");
        let mut rows = store.set_proposals(id, &[draft("a.rs"), draft("b.rs")]).expect("set again");
        assert_eq!(store.proposals(id).expect("list").len(), 2);
        rows[0].status = "reviewed".into();
        rows[0].written_path = Some("a.rs".into());
        rows[0].written_text = Some("new".into());
        store.update_proposal(&rows[0]).expect("update");
        assert_eq!(store.proposal(rows[0].id).expect("get"), Some(rows[0].clone()));
        assert_eq!(store.open_proposals(c.id).expect("open").len(), 2);
        assert_eq!(store.checkpoint(id).expect("none"), None);
        store.set_checkpoint(id, "abc").expect("checkpoint");
        assert_eq!(store.checkpoint(id).expect("get").as_deref(), Some("abc"));
        store.truncate_from(c.id, id).expect("truncate");
        assert!(store.proposals(id).expect("list").is_empty());
    }
}

#[cfg(test)]
mod migration_tests {
    use crate::{Store, MIGRATIONS};
    use rusqlite::Connection;

    /// A database as the version before `written_path` left it, with one row of each kind.
    fn legacy_database(path: &std::path::Path) {
        let conn = Connection::open(path).expect("open");
        let before = MIGRATIONS.len() - 1;
        for step in &MIGRATIONS[..before] {
            conn.execute_batch(step).expect("old schema");
        }
        conn.pragma_update(None, "user_version", before as i64).expect("version");
        conn.execute_batch(
            "INSERT INTO conversations VALUES (1, '/p', 't', NULL, 1, 1);
             INSERT INTO messages (id, conversation_id, role, content, status, created_at)
                 VALUES (1, 1, 'assistant', 'x', 'complete', 1);
             INSERT INTO proposals (message_id, path, proposal, written_text, status) VALUES
                 (1, 'kept.rs', '{\"kind\":\"Modify\"}', 'new\n', 'reviewed'),
                 (1, 'gone.rs', '{\"kind\":\"Delete\"}', '', 'reviewed'),
                 (1, 'empty.rs', '{\"kind\":\"Modify\"}', '', 'reviewed'),
                 (1, 'broken.rs', '{oops', '', 'conflict'),
                 (1, 'untouched.rs', NULL, NULL, 'failed');",
        )
        .expect("legacy rows");
    }

    #[test]
    fn old_rows_get_where_they_were_written_and_removals_lose_their_empty_text() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("r.db");
        legacy_database(&db);
        let store = Store::open(&db).expect("migrates");
        let rows = store.proposals(1).expect("rows");
        let written: Vec<_> = rows
            .iter()
            .map(|r| (r.path.as_str(), r.written_path.as_deref(), r.written_text.as_deref()))
            .collect();
        assert_eq!(
            written,
            [
                ("kept.rs", Some("kept.rs"), Some("new\n")),
                ("gone.rs", Some("gone.rs"), None),
                ("empty.rs", Some("empty.rs"), Some("")),
                // Unreadable JSON does not stop the migration; the review reports the row.
                ("broken.rs", Some("broken.rs"), Some("")),
                ("untouched.rs", None, None),
            ]
        );
        assert_eq!(rows[3].status, "pending", "nothing ever set conflict; it reads as pending");
    }
}
