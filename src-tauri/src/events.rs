use redline_api::{EventSink, Progress, ProjectChanged};
use tauri::{AppHandle, Emitter};

/// Forwards backend events to the window.
pub struct WindowSink {
    app: AppHandle,
}

impl WindowSink {
    pub fn new(app: AppHandle) -> Self {
        WindowSink { app }
    }
}

impl EventSink for WindowSink {
    fn project_changed(&self, event: ProjectChanged) {
        if let Err(e) = self.app.emit("project-changed", event) {
            tracing::warn!("project-changed not delivered: {e}");
        }
    }

    fn progress(&self, progress: Progress) {
        if let Err(e) = self.app.emit("progress", progress) {
            tracing::warn!("progress not delivered: {e}");
        }
    }
}
