//! The hostile-repository suite: folders cloned from somewhere else and model replies aimed at
//! them. Each test sets traps — a marker file a planted script would create, an outside secret
//! that must not appear in any captured request, a `.git` file that must stay byte-identical —
//! and fails when any trap fires.

mod approvals;
mod edges;
mod fs;
mod outbound;
mod protected;
mod traps;
mod trust;
