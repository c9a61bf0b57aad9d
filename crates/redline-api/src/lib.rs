//! The use-cases of Redline, called by the Tauri shell and the command line alike: open a
//! project, list and view its files, read its git state, follow its changes.
//!
//! This crate owns the transport types (with TypeScript bindings) and the mapping of every
//! failure to an [`ApiError`] the UI can act on. It must never depend on Tauri or on a window:
//! events leave through the [`EventSink`] the caller provides.

// Tests build their fixture projects with std::fs (see the workspace clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod agent;
mod app;
mod bindings;
mod chat;
mod chat_types;
mod complete;
mod error;
mod local;
mod local_types;
mod models;
mod project;
mod review;
mod review_view;
mod step;
mod trust;
mod types;
mod words;

pub use app::{default_data_dir, App, EventSink};
pub use bindings::bindings_ts;
pub use chat_types::*;
pub use error::ApiResult;
pub use local_types::*;
pub use types::*;
