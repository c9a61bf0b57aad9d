//! Integration tests: one module per area, each test named after what it guards.

mod agent;
mod api;
mod apply;
mod chat;
mod confinement;
mod fim;
mod git_status;
mod hostile;
mod local_model;
mod models;
mod review;
mod watcher;
