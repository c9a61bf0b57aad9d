//! Folders the person trusts, keyed by the project's identity (see `redline_project::ProjectIdentity`),
//! never by path alone: a different repository cloned at the same path is not trusted.

use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// A trusted project, for the list in Settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRow {
    pub identity: String,
    /// Where it was when trusted, for display only.
    pub path: String,
    pub trusted_at: i64,
}

impl Store {
    pub fn is_trusted(&self, identity: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM trusted_projects WHERE identity = ?1", params![identity], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn trust_project(&mut self, identity: &str, path: &str, now_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO trusted_projects (identity, path, trusted_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(identity) DO UPDATE SET path = excluded.path",
            params![identity, path, now_ms],
        )?;
        Ok(())
    }

    /// Forgets the trust; true when the project was trusted. Its command approvals stay: each
    /// was the person's own yes to an exact line, which holds in an untrusted folder too.
    pub fn revoke_trust(&mut self, identity: &str) -> Result<bool, StoreError> {
        let removed =
            self.conn.execute("DELETE FROM trusted_projects WHERE identity = ?1", params![identity])?;
        Ok(removed > 0)
    }

    /// Newest first.
    pub fn trusted_projects(&self) -> Result<Vec<TrustedRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT identity, path, trusted_at FROM trusted_projects ORDER BY trusted_at DESC, path",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TrustedRow { identity: r.get(0)?, path: r.get(1)?, trusted_at: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::MIGRATIONS;

    #[test]
    fn trust_is_kept_per_identity_and_revocable() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("r.db");
        let mut store = Store::open(&db).expect("open");
        store.trust_project("repo:aaa:/src/app", "/src/app", 5).expect("trust");
        drop(store);
        let mut store = Store::open(&db).expect("reopen");
        assert!(store.is_trusted("repo:aaa:/src/app").expect("q"));
        assert!(!store.is_trusted("repo:bbb:/src/app").expect("q"), "another repository at that path");
        let listed = store.trusted_projects().expect("list");
        assert_eq!(
            listed,
            [TrustedRow { identity: "repo:aaa:/src/app".into(), path: "/src/app".into(), trusted_at: 5 }]
        );
        assert!(store.revoke_trust("repo:aaa:/src/app").expect("revoke"));
        assert!(!store.revoke_trust("repo:aaa:/src/app").expect("revoke twice"));
        assert!(!store.is_trusted("repo:aaa:/src/app").expect("q"));
    }

    #[test]
    fn path_keyed_approvals_and_test_commands_do_not_survive_the_move_to_identities() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("r.db");
        let before_trust = MIGRATIONS
            .iter()
            .position(|step| step.contains("CREATE TABLE trusted_projects"))
            .expect("the trust migration");
        {
            let conn = Connection::open(&db).expect("create old database");
            for step in &MIGRATIONS[..before_trust] {
                conn.execute_batch(step).expect("old migration");
            }
            conn.pragma_update(None, "user_version", before_trust as i64).expect("version");
            conn.execute_batch(
                "INSERT INTO command_approvals VALUES ('/src/app', 'make test', 1);
                 INSERT INTO settings VALUES ('test_command:/src/app', 'make test');
                 INSERT INTO settings VALUES ('ui_state', '{}');
                 INSERT INTO conversations (project, title, created_at, updated_at)
                     VALUES ('/src/app', 'kept', 1, 1);",
            )
            .expect("old rows");
        }
        let store = Store::open(&db).expect("migrate");
        assert!(!store.command_approved("/src/app", "make test").expect("q"));
        assert_eq!(store.setting("test_command:/src/app").expect("q"), None);
        assert_eq!(store.setting("ui_state").expect("q").as_deref(), Some("{}"), "other settings stay");
        let kept = store.conversations("/src/app", "").expect("conversations");
        assert_eq!(kept.len(), 1, "conversations are the person's and stay");
        assert!(store.trusted_projects().expect("list").is_empty(), "nothing is trusted by the move");
    }
}
