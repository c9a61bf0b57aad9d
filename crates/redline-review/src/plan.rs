//! From parsed edits to records: each file read once through the confined layer, the edits
//! placed by `redline-edits`, and every path checked against the rules before anything is
//! offered for review.

use std::cell::RefCell;
use std::collections::HashMap;

use redline_edits::{plan_edits, Edit, MatchOptions, ParseError};
use redline_project::PathRule;

use crate::engine::read_text;
use crate::rules::change_rule;
use crate::{Desk, Record};

/// The project's files as a reply saw them: read once each (while it streamed, or when it is
/// planned), with why a file could not be read as text.
#[derive(Debug, Default)]
pub struct Bases {
    files: RefCell<HashMap<String, Result<Option<String>, String>>>,
}

impl Bases {
    /// The text of `path`, `None` when it does not exist or cannot be read (see [`Bases::error`]).
    pub fn text(&self, desk: &Desk, path: &str) -> Option<String> {
        let mut files = self.files.borrow_mut();
        let entry = files
            .entry(path.to_owned())
            .or_insert_with(|| read_text(desk.root, path).map_err(|e| e.to_string()));
        entry.clone().ok().flatten()
    }

    /// Why `path` could not be read, if it was read and could not be.
    pub fn error(&self, path: &str) -> Option<String> {
        self.files.borrow().get(path).and_then(|r| r.clone().err())
    }
}

/// Edits from tool calls given as values (`edit_file`, `create_file`, `delete_file`,
/// `rename_file`, `apply_patch`), with what could not be read as an edit.
pub fn tool_call_edits(calls: &[(String, serde_json::Value)]) -> (Vec<Edit>, Vec<ParseError>) {
    let read =
        redline_edits::read_tool_calls(calls.iter().map(|(name, arguments)| (name.as_str(), arguments)));
    (read.edits, read.errors)
}

impl Desk<'_> {
    /// One record per file the edits touch (and one per parse error), planned against the files
    /// as `bases` read them; a path the rules refuse is a failed record that can never be
    /// accepted.
    pub fn plan(&self, message_id: i64, edits: &[Edit], errors: &[ParseError], bases: &Bases) -> Vec<Record> {
        let read = |path: &str| bases.text(self, path);
        let unread = errors.iter().map(|e| Record::planned(message_id, "", None, Some(e.to_string())));
        plan_edits(edits, &read, &MatchOptions::default())
            .into_iter()
            .filter(|o| o.proposal.is_some() || o.error.is_some())
            .map(|o| {
                if let Some(why) = bases.error(&o.path) {
                    return Record::planned(message_id, &o.path, None, Some(why));
                }
                match change_rule(self.root, self.rules, &o.path, o.renamed_to.as_deref()) {
                    PathRule::Refused(why) => Record::planned(message_id, &o.path, None, Some(why)),
                    _ => Record::planned(message_id, &o.path, o.proposal, o.error),
                }
            })
            .chain(unread)
            .collect()
    }
}
