//! Transport types of the built-in model engine's Models page. They exist with or without the
//! `local-engine` feature, so the UI's bindings do not change with it.

use serde::Serialize;
use ts_rs::TS;

/// A GGUF model file the built-in engine can run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalModelView {
    /// `builtin/<file name without .gguf>`: the id the model picker and the default use.
    pub id: String,
    pub path: String,
    /// From the file's metadata (`general.name`), else the file name.
    pub name: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// Number of weights, e.g. 134515008 for a "135M" model.
    #[ts(type = "number")]
    pub parameters: u64,
    /// `Q4_1`, `Q4_K_M`, `F16`…
    pub quantization: String,
    /// Tokens the model was trained to attend to; 0 when the file does not say.
    #[ts(type = "number")]
    pub context_length: u64,
    /// In the app's model folder (or `$REDLINE_MODELS_DIR`), as opposed to added by path.
    pub in_models_folder: bool,
    pub is_default: bool,
    /// Why the file cannot be used (damaged, truncated, missing), when it cannot.
    pub problem: Option<String>,
}

/// The Models page: what the engine can run, and where to put more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalModelsView {
    /// False when Redline was built without the built-in engine.
    pub engine_available: bool,
    /// `<data dir>/models`: GGUF files put here are found at start.
    pub models_folder: String,
    /// Threads a reply uses (the physical cores unless set).
    pub threads: u32,
    pub models: Vec<LocalModelView>,
}
