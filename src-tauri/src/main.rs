//! The Redline desktop app: the command line, then the window.
//!
//! This crate is the only one that knows Tauri. Commands are thin wrappers over `redline-api`;
//! anything worth testing lives below it.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod cli;
mod commands;
mod events;

use std::sync::Arc;

use clap::Parser;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

fn main() {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REDLINE_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Some(command) = cli.command {
        std::process::exit(cli::run(command));
    }
    let initial_folder = match cli.initial_folder() {
        Ok(folder) => folder,
        Err(message) => {
            eprintln!("redline: {message}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(initial_folder) {
        eprintln!("redline: {e}");
        std::process::exit(1);
    }
}

fn run(initial_folder: Option<String>) -> tauri::Result<()> {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let sink = Arc::new(events::WindowSink::new(app.handle().clone()));
            let data_dir = redline_api::default_data_dir();
            let api = Arc::new(redline_api::App::new(&data_dir, initial_folder.clone(), sink));
            app.manage(api);
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Redline")
                .inner_size(1280.0, 800.0)
                .min_inner_size(720.0, 480.0)
                .build()?;
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
}
