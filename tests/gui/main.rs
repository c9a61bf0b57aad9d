//! GUI end-to-end tests: the real app binary in a real WebKitGTK window, driven through
//! tauri-driver and WebKitWebDriver under Xvfb (`scripts/test` sets all of that up).
//! Every step saves a screenshot under `target/gui-screenshots/`.

mod agent;
mod apply_cli;
mod chat;
mod checks;
mod cli;
mod code_actions;
mod driver;
mod local_model;
mod project_view;
mod protected;
mod review;
mod trust;
mod welcome;
