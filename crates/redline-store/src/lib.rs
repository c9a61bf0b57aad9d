//! Redline's own database: one SQLite file in the app's data folder holding what a person did
//! (recent projects, layout; later conversations, proposals and checkpoints).
//!
//! It owns the schema and its migrations. Every write is a transaction; it must never store a
//! secret (API keys live in the OS keyring) and never touch project files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

mod conversations;
mod proposals;
mod trust;

pub use conversations::{ConversationRow, MessageRow, NewMessage};
pub use proposals::ProposalRow;
pub use trust::TrustedRow;

/// Schema steps, applied in order; `PRAGMA user_version` records how many ran.
pub(crate) const MIGRATIONS: &[&str] = &[
    "CREATE TABLE recent_projects (
        path TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        opened_at INTEGER NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );",
    "CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        project TEXT NOT NULL,
        title TEXT NOT NULL,
        model TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX conversations_by_project ON conversations (project, updated_at);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]',
        model TEXT,
        status TEXT NOT NULL,
        error TEXT,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_tokens INTEGER NOT NULL DEFAULT 0,
        cost REAL,
        created_at INTEGER NOT NULL,
        first_token_ms INTEGER,
        duration_ms INTEGER
    );
    CREATE INDEX messages_by_conversation ON messages (conversation_id, id);",
    "CREATE TABLE proposals (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        proposal TEXT,
        written_text TEXT,
        status TEXT NOT NULL,
        error TEXT
    );
    CREATE INDEX proposals_by_message ON proposals (message_id, id);",
    "CREATE TABLE checkpoints (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        commit_id TEXT NOT NULL
    );",
    // Agent steps: the tools a reply called (JSON), what the checks said of each proposal, and
    // command lines a person allowed for good in a project.
    "ALTER TABLE messages ADD COLUMN tools TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE proposals ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE command_approvals (
        project TEXT NOT NULL,
        command TEXT NOT NULL,
        approved_at INTEGER NOT NULL,
        PRIMARY KEY (project, command)
    );",
    // Trust and approvals are keyed by the project's identity from here on (its repository's
    // root commit and path, or the folder's device, inode and path), no longer by the path.
    // Approvals saved before were keyed by the path alone, and nothing recorded which repository
    // stood there when the person said yes: binding them to whatever is at that path now could
    // hand a different repository, cloned there since, someone's "always". So they are dropped,
    // with the saved test commands (naming one approved it); the person approves once more.
    // Conversations are the person's own record, not a grant, and stay keyed by path.
    "CREATE TABLE trusted_projects (
        identity TEXT PRIMARY KEY NOT NULL,
        path TEXT NOT NULL,
        trusted_at INTEGER NOT NULL
    );
    DELETE FROM command_approvals;
    DELETE FROM settings WHERE key LIKE 'test_command:%';",
    // Where Redline wrote a proposal's file, apart from what it wrote: a rename moves it, and a
    // removal writes no text at all (before, an empty text stood for both "removed" and "empty").
    // The `conflict` status was never set by anything; such rows are pending again.
    "ALTER TABLE proposals ADD COLUMN written_path TEXT;
    UPDATE proposals SET written_path = path WHERE written_text IS NOT NULL;
    UPDATE proposals SET written_text = NULL
        WHERE written_text = ''
        AND CASE WHEN json_valid(proposal) THEN json_extract(proposal, '$.kind') END IN ('Delete', 'Create');
    UPDATE proposals SET status = 'pending' WHERE status = 'conflict';",
];

/// How many recent projects are kept.
const RECENT_LIMIT: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Redline's database at {path} is damaged ({detail}). Move it aside and restart to begin with a fresh one; nothing in your projects is affected.")]
    Damaged { path: PathBuf, detail: String },
    #[error("Redline's database at {path} is locked by another process. Close other Redline windows and try again.")]
    Locked { path: PathBuf },
    #[error("Redline's database at {path} was written by a newer version of Redline (schema {found}, this version knows {known}).")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentRow {
    pub path: String,
    pub name: String,
    pub opened_at: i64,
}

#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Damaged { path: path.into(), detail: e.to_string() })?;
        }
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        conn.busy_timeout(Duration::from_secs(3))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.migrate().map_err(|e| match e {
            StoreError::Sql(e) => classify(path, e),
            other => other,
        })?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Whether a person allowed this exact command line for good in this project.
    pub fn command_approved(&self, project: &str, command: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM command_approvals WHERE project = ?1 AND command = ?2",
                params![project, command],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn approve_command(&mut self, project: &str, command: &str, now_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO command_approvals (project, command, approved_at) VALUES (?1, ?2, ?3)",
            params![project, command, now_ms],
        )?;
        Ok(())
    }

    /// Records that a project was opened now (moving it to the top of the list).
    pub fn touch_recent(&mut self, path: &str, name: &str, now_ms: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        // Two opens within one millisecond must still keep their order.
        let newest: Option<i64> =
            tx.query_row("SELECT MAX(opened_at) FROM recent_projects", [], |r| r.get(0))?;
        let now_ms = newest.map_or(now_ms, |n| now_ms.max(n + 1));
        tx.execute(
            "INSERT INTO recent_projects (path, name, opened_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(path) DO UPDATE SET name = excluded.name, opened_at = excluded.opened_at",
            params![path, name, now_ms],
        )?;
        tx.execute(
            "DELETE FROM recent_projects WHERE path NOT IN
             (SELECT path FROM recent_projects ORDER BY opened_at DESC LIMIT ?1)",
            params![RECENT_LIMIT],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Newest first.
    pub fn recent(&self) -> Result<Vec<RecentRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, name, opened_at FROM recent_projects ORDER BY opened_at DESC, path")?;
        let rows =
            stmt.query_map([], |r| Ok(RecentRow { path: r.get(0)?, name: r.get(1)?, opened_at: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn remove_recent(&mut self, path: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM recent_projects WHERE path = ?1", params![path])?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", params![key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path: path.into() },
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Damaged { path: path.into(), detail: e.to_string() }
        }
        _ => StoreError::Sql(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_projects_are_newest_first_and_survive_reopen() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("redline.db");
        {
            let mut store = Store::open(&db).expect("open");
            store.touch_recent("/a", "a", 1).expect("touch");
            store.touch_recent("/b", "b", 2).expect("touch");
            store.touch_recent("/a", "a", 3).expect("touch");
        }
        let store = Store::open(&db).expect("reopen");
        let paths: Vec<_> = store.recent().expect("recent").into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
    }

    #[test]
    fn recent_projects_opened_in_the_same_millisecond_keep_their_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("r.db")).expect("open");
        store.touch_recent("/z", "z", 5).expect("touch");
        store.touch_recent("/a", "a", 5).expect("touch");
        assert_eq!(store.recent().expect("recent")[0].path, "/a");
    }

    #[test]
    fn removing_a_recent_project_forgets_only_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("r.db")).expect("open");
        store.touch_recent("/a", "a", 1).expect("touch");
        store.touch_recent("/b", "b", 2).expect("touch");
        store.remove_recent("/b").expect("remove");
        assert_eq!(store.recent().expect("recent").len(), 1);
    }

    #[test]
    fn recent_list_is_capped() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("r.db")).expect("open");
        for i in 0..40 {
            store.touch_recent(&format!("/p{i}"), "p", i).expect("touch");
        }
        assert_eq!(store.recent().expect("recent").len(), RECENT_LIMIT as usize);
    }

    #[test]
    fn damaged_database_file_gets_a_clear_error_and_is_left_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("r.db");
        let garbage = b"this is not a database, it is a file someone damaged".repeat(100);
        std::fs::write(&db, &garbage).expect("write");
        let err = Store::open(&db).expect_err("must refuse");
        assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
        assert_eq!(std::fs::read(&db).expect("read"), garbage);
    }

    #[test]
    fn an_approved_command_is_remembered_for_that_project_and_exact_line_only() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("r.db");
        let mut store = Store::open(&path).expect("open");
        store.approve_command("/p", "cargo test", 1).expect("approve");
        drop(store);
        let store = Store::open(&path).expect("reopen");
        assert!(store.command_approved("/p", "cargo test").expect("q"));
        assert!(!store.command_approved("/p", "cargo test --all").expect("q"));
        assert!(!store.command_approved("/q", "cargo test").expect("q"));
    }

    #[test]
    fn settings_round_trip() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("r.db")).expect("open");
        assert_eq!(store.setting("ui").expect("get"), None);
        store.set_setting("ui", "{}").expect("set");
        store.set_setting("ui", "{\"a\":1}").expect("set");
        assert_eq!(store.setting("ui").expect("get").as_deref(), Some("{\"a\":1}"));
    }
}
