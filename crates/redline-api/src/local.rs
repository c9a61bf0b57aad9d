//! The built-in model engine's use-cases: which GGUF files it offers (the model folder
//! `<data dir>/models`, `$REDLINE_MODELS_DIR`, and files a person added by path, listed in
//! `<data dir>/local_models.toml`), their metadata for the Models page, and adding or forgetting
//! one. Nothing here downloads anything; files added by path are referenced, never copied.

// Model files and the list of those added live in Redline's data folder or where the person
// picked them, never in a project: plain std::fs is right here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{ApiError, ApiResult, App, ErrorCode, LocalModelView, LocalModelsView};

const LIST_FILE: &str = "local_models.toml";

/// `local_models.toml`: GGUF files added by path.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AddedModels {
    #[serde(default)]
    paths: Vec<String>,
}

fn read_added(data_dir: &Path) -> AddedModels {
    let path = data_dir.join(LIST_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!("{} is not readable TOML: {e}", path.display());
            AddedModels::default()
        }),
        Err(_) => AddedModels::default(),
    }
}

fn write_added(data_dir: &Path, added: &AddedModels) -> ApiResult<()> {
    let text = toml::to_string(added)
        .map_err(|e| ApiError::new(ErrorCode::Settings, format!("cannot record the model list: {e}")))?;
    std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(data_dir.join(LIST_FILE), text))
        .map_err(|e| ApiError::new(ErrorCode::Settings, format!("cannot write {LIST_FILE}: {e}")))
}

/// The folder whose `*.gguf` files are offered without any setup.
pub(crate) fn models_folder(data_dir: &Path) -> PathBuf {
    data_dir.join("models")
}

fn folders(data_dir: &Path) -> Vec<PathBuf> {
    let mut folders = vec![models_folder(data_dir)];
    if let Some(extra) = std::env::var_os("REDLINE_MODELS_DIR").filter(|d| !d.is_empty()) {
        folders.push(PathBuf::from(extra));
    }
    folders
}

fn is_gguf(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gguf"))
}

/// Every GGUF file offered, with whether it lies in a model folder: the folders' files sorted by
/// name, then those added by path. The first file of each id wins.
pub(crate) fn model_files(data_dir: &Path) -> Vec<(PathBuf, bool)> {
    let mut files = Vec::new();
    for folder in folders(data_dir) {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        let mut found: Vec<PathBuf> =
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| is_gguf(p) && p.is_file()).collect();
        found.sort();
        files.extend(found.into_iter().map(|p| (p, true)));
    }
    files.extend(read_added(data_dir).paths.into_iter().map(|p| (PathBuf::from(p), false)));
    let mut ids = std::collections::HashSet::new();
    files.retain(|(path, _)| ids.insert(model_id(path)));
    files
}

/// `builtin/<file name without .gguf>`, as the engine names its models.
pub(crate) fn model_id(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    format!("builtin/{stem}")
}

#[cfg(feature = "local-engine")]
mod engine {
    use std::path::Path;
    use std::sync::Arc;

    use redline_llm::LanguageModel;
    use redline_local::{gguf_info, LocalModel, LocalOptions, DEFAULT_MAX_CONTEXT};

    use super::model_files;
    use crate::LocalModelView;

    /// `REDLINE_LOCAL_THREADS` sets the threads; the physical cores otherwise.
    pub(crate) fn options() -> LocalOptions {
        let threads = std::env::var("REDLINE_LOCAL_THREADS").ok().and_then(|t| t.trim().parse().ok());
        LocalOptions { threads, context_size: None }
    }

    /// A model the engine can run, with the context window it will use.
    pub(crate) fn model_for(path: &Path) -> Result<(Arc<dyn LanguageModel>, u32), String> {
        let info = gguf_info(path).map_err(|e| e.to_string())?;
        let trained = u32::try_from(info.context_length).unwrap_or(u32::MAX);
        let window = if trained == 0 { DEFAULT_MAX_CONTEXT } else { trained.min(DEFAULT_MAX_CONTEXT) };
        Ok((Arc::new(LocalModel::new(path).with_options(options())), window))
    }

    /// The usable models found at start; damaged files are left out of the picker (the Models
    /// page names their problem).
    pub(crate) fn discover(data_dir: &Path) -> Vec<(Arc<dyn LanguageModel>, u32)> {
        model_files(data_dir)
            .into_iter()
            .filter_map(|(path, _)| match model_for(&path) {
                Ok(found) => Some(found),
                Err(e) => {
                    tracing::warn!("built-in model not offered: {e}");
                    None
                }
            })
            .collect()
    }

    pub(crate) fn view(path: &Path, in_models_folder: bool, default: Option<&str>) -> LocalModelView {
        let id = super::model_id(path);
        let is_default = default == Some(id.as_str());
        let mut view = LocalModelView {
            id,
            path: path.display().to_string(),
            name: path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            size_bytes: 0,
            parameters: 0,
            quantization: String::new(),
            context_length: 0,
            in_models_folder,
            is_default,
            problem: None,
        };
        match gguf_info(path) {
            Ok(info) => {
                view.name = info.name;
                view.size_bytes = info.size_bytes;
                view.parameters = info.parameters;
                view.quantization = info.quantization;
                view.context_length = info.context_length;
            }
            Err(e) => view.problem = Some(e.to_string()),
        }
        view
    }

    pub(crate) fn threads() -> u32 {
        u32::try_from(options().threads()).unwrap_or(1)
    }
}

#[cfg(feature = "local-engine")]
pub(crate) use engine::discover;

impl App {
    /// The Models page: every GGUF file offered, with its metadata.
    pub fn local_models(&self) -> LocalModelsView {
        let data_dir = self.data_dir();
        let folder = models_folder(data_dir).display().to_string();
        #[cfg(feature = "local-engine")]
        {
            let default = self.models.settings.read().default_model.clone();
            let models = model_files(data_dir)
                .into_iter()
                .map(|(path, in_folder)| engine::view(&path, in_folder, default.as_deref()))
                .collect();
            LocalModelsView {
                engine_available: true,
                models_folder: folder,
                threads: engine::threads(),
                models,
            }
        }
        #[cfg(not(feature = "local-engine"))]
        LocalModelsView { engine_available: false, models_folder: folder, threads: 0, models: Vec::new() }
    }

    /// Offers the GGUF file at `path` (referenced where it is, recorded in `local_models.toml`).
    /// A file that is not a whole GGUF model is refused with the reason.
    pub fn add_local_model(&self, path: &str) -> ApiResult<LocalModelView> {
        let path = PathBuf::from(path.trim());
        if !path.is_file() {
            return Err(ApiError::new(ErrorCode::NotFound, format!("{} is not a file.", path.display())));
        }
        let path = path.canonicalize().unwrap_or(path);
        self.add_local_model_at(&path)
    }

    #[cfg(feature = "local-engine")]
    fn add_local_model_at(&self, path: &Path) -> ApiResult<LocalModelView> {
        let (model, window) =
            engine::model_for(path).map_err(|e| ApiError::new(ErrorCode::InvalidInput, format!("{e}.")))?;
        let data_dir = self.data_dir();
        let id = model_id(path);
        let existing = model_files(data_dir).into_iter().find(|(p, _)| model_id(p) == id);
        if let Some((other, in_folder)) = existing {
            if other != path {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "Another model is already named {id:?} ({}); rename one of the files.",
                        other.display()
                    ),
                ));
            }
            let default = self.models.settings.read().default_model.clone();
            return Ok(engine::view(path, in_folder, default.as_deref()));
        }
        let mut added = read_added(data_dir);
        added.paths.push(path.display().to_string());
        write_added(data_dir, &added)?;
        self.models.register_builtin(model, window);
        let default = self.models.settings.read().default_model.clone();
        Ok(engine::view(path, false, default.as_deref()))
    }

    #[cfg(not(feature = "local-engine"))]
    fn add_local_model_at(&self, _path: &Path) -> ApiResult<LocalModelView> {
        Err(ApiError::new(ErrorCode::InvalidInput, "This build of Redline has no built-in model engine."))
    }

    /// Forgets a model added by path (the file stays where it is). Files in the model folder are
    /// removed by deleting them there.
    pub fn remove_local_model(&self, id: &str) -> ApiResult<()> {
        let data_dir = self.data_dir();
        let mut added = read_added(data_dir);
        let before = added.paths.len();
        added.paths.retain(|p| model_id(Path::new(p)) != id);
        if added.paths.len() == before {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "{id:?} was not added by path; models in the model folder go when their file is deleted."
                ),
            ));
        }
        write_added(data_dir, &added)?;
        if !model_files(data_dir).iter().any(|(p, _)| model_id(p) == id) {
            self.models.unregister_builtin(id);
        }
        Ok(())
    }
}
