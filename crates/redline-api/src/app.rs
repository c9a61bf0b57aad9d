use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use redline_store::Store;

use crate::models::{Keys, Models};
use crate::project::OpenProject;
use crate::{
    ApiError, ApiResult, AppInfo, DirEntry, ErrorCode, FileDiffView, FileView, KeyState, ModelsView,
    PresetView, Progress, ProjectChanged, ProjectInfo, ProviderInput, ProviderView, RecentProject, RepoState,
    UiState,
};

/// Where the UI's events go. The Tauri shell emits them to the window; tests collect them.
pub trait EventSink: Send + Sync + 'static {
    fn project_changed(&self, event: ProjectChanged);
    fn progress(&self, progress: Progress);
}

const UI_STATE_KEY: &str = "ui_state";

/// The application's state: its database and the open project (one per window).
pub struct App {
    data_dir: PathBuf,
    initial_folder: Option<String>,
    store: Mutex<Option<Store>>,
    project: Mutex<Option<Arc<OpenProject>>>,
    sink: Arc<dyn EventSink>,
    pub(crate) models: Models,
    /// Replies streaming now, by conversation, with the switch that stops each.
    pub(crate) running: Mutex<HashMap<i64, Arc<tokio::sync::Notify>>>,
    /// Agent commands waiting for the person's approval.
    pub(crate) approvals: Mutex<crate::agent::Approvals>,
    /// Notified whenever a person accepts, rejects or edits a hunk (agents wait for review).
    pub(crate) review_changed: tokio::sync::Notify,
    pub(crate) mcp: crate::agent::McpState,
    /// What was left off because the folder is not trusted, for a headless command to say once.
    pub(crate) trust_notes: Mutex<Vec<String>>,
}

/// `$REDLINE_DATA_DIR`, or the platform's data folder (`~/.local/share/dev.redline.app`).
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REDLINE_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("dev.redline.app")
}

impl App {
    /// A damaged or locked database does not stop the app: the project view still works, and
    /// the error is reported where recent projects would be shown.
    pub fn new(data_dir: &Path, initial_folder: Option<String>, sink: Arc<dyn EventSink>) -> App {
        App::with_keys(data_dir, initial_folder, sink, Keys::from_env())
    }

    /// An app whose keys live in memory only: tests, and machines without a keyring.
    pub fn with_memory_keys(data_dir: &Path, sink: Arc<dyn EventSink>) -> App {
        App::with_keys(data_dir, None, sink, Keys::memory())
    }

    fn with_keys(
        data_dir: &Path,
        initial_folder: Option<String>,
        sink: Arc<dyn EventSink>,
        keys: Keys,
    ) -> App {
        let store = match Store::open(&data_dir.join("redline.db")) {
            Ok(mut store) => {
                if let Err(e) = store.mark_interrupted() {
                    tracing::warn!("unfinished replies not marked: {e}");
                }
                Some(store)
            }
            Err(e) => {
                tracing::error!("{e}");
                None
            }
        };
        App {
            data_dir: data_dir.to_path_buf(),
            initial_folder,
            store: Mutex::new(store),
            project: Mutex::new(None),
            sink,
            models: Models::load(data_dir, keys),
            running: Mutex::new(HashMap::new()),
            approvals: Mutex::new(Default::default()),
            review_changed: tokio::sync::Notify::new(),
            mcp: Default::default(),
            trust_notes: Mutex::new(Vec::new()),
        }
    }

    pub fn info(&self) -> AppInfo {
        AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), initial_folder: self.initial_folder.clone() }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Opens `path` as the project, replacing any open one, records it as recent and starts
    /// watching it. Git status is not computed here: see [`App::git_state`].
    pub fn open_project(&self, path: &str) -> ApiResult<ProjectInfo> {
        let project = OpenProject::open(Path::new(path), self.sink.clone(), |id| self.stored_trust(id))?;
        let info = project.info();
        *self.project.lock() = Some(project);
        if let Err(e) = self.with_store(|s| s.touch_recent(&info.root, &info.name, now_ms())) {
            tracing::warn!("recent projects not updated: {}", e.message);
        }
        Ok(info)
    }

    pub fn close_project(&self) {
        self.project.lock().take();
    }

    pub(crate) fn project(&self) -> ApiResult<Arc<OpenProject>> {
        self.project.lock().clone().ok_or_else(ApiError::no_project)
    }

    pub fn list_dir(&self, path: &str, show_ignored: bool) -> ApiResult<Vec<DirEntry>> {
        self.project()?.list_dir(path, show_ignored)
    }

    pub fn open_file(&self, path: &str) -> ApiResult<FileView> {
        self.project()?.open_file(path)
    }

    pub fn file_lines(&self, path: &str, version: u32, start: u32, count: u32) -> ApiResult<Vec<String>> {
        self.project()?.file_lines(path, version, start, count)
    }

    /// The full git status, computed once per project and then kept current by the watcher;
    /// `None` when the folder is not a repository.
    pub fn git_state(&self) -> ApiResult<Option<RepoState>> {
        let project = self.project()?;
        let task = "git-status".to_owned();
        self.sink.progress(Progress {
            task: task.clone(),
            message: "Reading git status…".into(),
            done: false,
        });
        let state = project.git_state();
        self.sink.progress(Progress { task, message: "Git status ready".into(), done: true });
        state
    }

    pub fn file_diff(&self, path: &str) -> ApiResult<FileDiffView> {
        self.project()?.file_diff(path)
    }

    pub fn recent_projects(&self) -> ApiResult<Vec<RecentProject>> {
        let rows = self.with_store(|s| s.recent())?;
        Ok(rows
            .into_iter()
            .map(|r| RecentProject {
                // Whether a recent folder is still there: the folder itself, not a file in it.
                #[allow(clippy::disallowed_methods)]
                exists: Path::new(&r.path).is_dir(),
                path: r.path,
                name: r.name,
                opened_at: r.opened_at,
            })
            .collect())
    }

    pub fn remove_recent(&self, path: &str) -> ApiResult<()> {
        self.with_store(|s| s.remove_recent(path))
    }

    pub fn ui_state(&self) -> ApiResult<UiState> {
        let saved = self.with_store(|s| s.setting(UI_STATE_KEY))?;
        Ok(saved.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or(UiState {
            sidebar_width: 260,
            chat_width: 360,
            show_ignored: false,
        }))
    }

    pub fn set_ui_state(&self, state: &UiState) -> ApiResult<()> {
        let json =
            serde_json::to_string(state).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        self.with_store(|s| s.set_setting(UI_STATE_KEY, &json))
    }

    pub fn highlight_css(&self) -> String {
        redline_highlight::theme_css()
    }

    pub fn presets(&self) -> Vec<PresetView> {
        Models::presets()
    }

    pub fn providers(&self) -> Vec<ProviderView> {
        self.models.providers()
    }

    pub fn save_provider(&self, input: ProviderInput) -> ApiResult<ProviderView> {
        self.models.save_provider(input)
    }

    pub fn remove_provider(&self, id: &str) -> ApiResult<()> {
        self.models.remove_provider(id)
    }

    /// Keeps `key` in the OS keyring, or in memory for this run only when `session_only`.
    pub fn set_key(&self, provider: &str, key: &str, session_only: bool) -> ApiResult<KeyState> {
        self.models.set_key(provider, key, session_only)
    }

    pub fn remove_key(&self, provider: &str) -> ApiResult<()> {
        self.models.remove_key(provider)
    }

    /// Asks the provider for its models with the stored key.
    pub async fn test_provider(&self, provider: &str) -> ApiResult<Vec<String>> {
        self.models.test_provider(provider).await
    }

    pub async fn models(&self, refresh: bool) -> ModelsView {
        self.models.models(refresh).await
    }

    pub fn set_default_model(&self, model: &str) -> ApiResult<()> {
        self.models.set_default_model(model)
    }

    /// Offers an in-process model (tests, benchmarks, a built-in engine) under its own id.
    pub fn register_model(&self, model: Arc<dyn redline_llm::LanguageModel>) {
        self.models.register(model);
    }

    /// Delivers pending watcher events now (tests and benchmarks).
    pub fn flush_watcher(&self) {
        if let Ok(project) = self.project() {
            project.flush_watcher();
        }
    }

    pub(crate) fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, redline_store::StoreError>,
    ) -> ApiResult<T> {
        self.with_open_store(|store| Ok(f(store)?))
    }

    /// Runs `f` with the database, opening it first if an earlier open failed.
    pub(crate) fn with_open_store<T>(&self, f: impl FnOnce(&mut Store) -> ApiResult<T>) -> ApiResult<T> {
        let mut guard = self.store.lock();
        if guard.is_none() {
            *guard = Some(Store::open(&self.data_dir.join("redline.db"))?);
        }
        match guard.as_mut() {
            Some(store) => f(store),
            None => Err(ApiError::new(ErrorCode::Database, "database unavailable")),
        }
    }
}

fn now_ms() -> i64 {
    crate::step::now_ms()
}
