//! The edits a reply proposed, one row per file: the proposal itself (base, proposed text and
//! hunk states, as JSON), what Redline last wrote for it, and its review status.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRow {
    pub id: i64,
    pub message_id: i64,
    pub path: String,
    /// `redline_edits::Proposal` as JSON; `None` for an edit that could not be placed.
    pub proposal: Option<String>,
    /// The text Redline last wrote to the file for this proposal, if any.
    pub written_text: Option<String>,
    /// `pending`, `reviewed`, `failed` or `conflict`.
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
        written_text: r.get(4)?,
        status: r.get(5)?,
        error: r.get(6)?,
        checks: r.get(7)?,
    })
}

const COLUMNS: &str = "id, message_id, path, proposal, written_text, status, error, checks";

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
                "INSERT INTO proposals (message_id, path, proposal, written_text, status, error, checks)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![message_id, r.path, r.proposal, r.written_text, r.status, r.error, r.checks],
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
            "UPDATE proposals SET proposal = ?2, written_text = ?3, status = ?4, error = ?5, checks = ?6
             WHERE id = ?1",
            params![r.id, r.proposal, r.written_text, r.status, r.error, r.checks],
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
            written_text: None,
            status: "pending".into(),
            error: None,
            checks: "[]".into(),
        };
        store.set_proposals(id, &[draft("a.rs")]).expect("set");
        let mut rows = store.set_proposals(id, &[draft("a.rs"), draft("b.rs")]).expect("set again");
        assert_eq!(store.proposals(id).expect("list").len(), 2);
        rows[0].status = "reviewed".into();
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
