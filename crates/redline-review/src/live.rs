//! Proposals while a reply streams: each edit is parsed once, as soon as it can no longer
//! change, and applied to its file's preview on its own (the file read once), so a long reply
//! costs no more per edit at its end than at its start. When the reply ends, the same edits and
//! file texts are planned; nothing is parsed or read again.

use std::collections::HashMap;

use redline_edits::{
    apply_file, Edit, EditKind, FileResult, FormatChoice, MatchOptions, ParseError, ParseEvent, ParseOptions,
    Proposal, ProposalKind, StreamParser,
};
use redline_project::PathRule;

use crate::plan::Bases;
use crate::{Desk, Record};

/// One file's preview: the result of its edits so far, and the edits.
#[derive(Debug)]
struct Preview {
    edits: Vec<Edit>,
    result: FileResult,
}

/// A streaming reply's edits and previews.
#[derive(Debug)]
pub struct LiveProposals {
    parser: StreamParser,
    edits: Vec<Edit>,
    /// What could not be read as an edit, as soon as that is certain.
    errors: Vec<ParseError>,
    previews: HashMap<String, Preview>,
    bases: Bases,
}

/// What a reply proposed, once it ended: its edits, what could not be read, and the files as
/// they were read.
#[derive(Debug)]
pub struct Parsed {
    pub edits: Vec<Edit>,
    pub errors: Vec<ParseError>,
    pub bases: Bases,
}

impl Default for LiveProposals {
    fn default() -> Self {
        LiveProposals {
            parser: StreamParser::new(FormatChoice::Auto, ParseOptions::default()),
            edits: Vec::new(),
            errors: Vec::new(),
            previews: HashMap::new(),
            bases: Bases::default(),
        }
    }
}

impl LiveProposals {
    /// Feeds new reply text; returns the files whose preview changed.
    pub fn push(&mut self, desk: &Desk, delta: &str) -> Vec<String> {
        let mut touched: Vec<String> = Vec::new();
        for event in self.parser.push(delta) {
            match event {
                ParseEvent::Edit(edit) => {
                    self.preview(desk, &edit);
                    if !touched.contains(&edit.path) {
                        touched.push(edit.path.clone());
                    }
                    self.edits.push(edit);
                }
                ParseEvent::Error(e) => self.errors.push(e),
                ParseEvent::Shell(_) => {}
            }
        }
        touched
    }

    /// Applies one new edit to its file's preview: onto the text so far when it is an edit of
    /// lines, from the base otherwise (a whole file, a create, a rename).
    fn preview(&mut self, desk: &Desk, edit: &Edit) {
        let opts = MatchOptions::default();
        let base = self.bases.text(desk, &edit.path);
        let preview = self
            .previews
            .entry(edit.path.clone())
            .or_insert_with(|| Preview { edits: Vec::new(), result: FileResult::Unchanged });
        preview.edits.push(edit.clone());
        let in_place = matches!(
            edit.kind,
            EditKind::Replace { .. } | EditKind::UnifiedDiff { .. } | EditKind::Patch { .. }
        );
        let so_far = match &preview.result {
            FileResult::Modified(t) | FileResult::Created(t) => Some(t.as_str()),
            FileResult::Unchanged => base.as_deref(),
            _ => None,
        };
        let result = match so_far {
            Some(text) if in_place => match apply_file(Some(text), &[edit], &opts).result {
                FileResult::Modified(t) if matches!(preview.result, FileResult::Created(_)) => {
                    FileResult::Created(t)
                }
                FileResult::Failed => return,
                other => other,
            },
            _ => apply_file(base.as_deref(), &preview.edits.iter().collect::<Vec<_>>(), &opts).result,
        };
        preview.result = result;
    }

    /// The record `path`'s edits so far would make (unsaved), with the fast checks' findings;
    /// `None` while nothing of it could be placed.
    pub fn proposal(&self, desk: &Desk, path: &str) -> Option<Record> {
        let (text, kind) = match &self.previews.get(path)?.result {
            FileResult::Modified(t) => (t, ProposalKind::Modify),
            FileResult::Created(t) => (t, ProposalKind::Create),
            _ => return None,
        };
        let base = self.bases.text(desk, path);
        let proposal = Proposal::new(path, base.as_deref().unwrap_or(""), text, kind);
        if let PathRule::Refused(why) = desk.rule(&proposal) {
            return Some(Record::planned(0, path, None, Some(why)));
        }
        let mut record = Record::planned(0, path, Some(proposal), None);
        record.findings = record.proposal.as_ref().map(crate::checks::static_findings).unwrap_or_default();
        Some(record)
    }

    /// Ends the stream: every edit, each parsed once, and the files as they were read.
    pub fn finish(mut self) -> Parsed {
        for event in self.parser.finish() {
            match event {
                ParseEvent::Edit(edit) => self.edits.push(edit),
                ParseEvent::Error(e) => self.errors.push(e),
                ParseEvent::Shell(_) => {}
            }
        }
        Parsed { edits: self.edits, errors: self.errors, bases: self.bases }
    }
}
