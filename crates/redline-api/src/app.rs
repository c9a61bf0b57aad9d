use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use redline_store::Store;

use crate::project::OpenProject;
use crate::{
    ApiError, ApiResult, AppInfo, DirEntry, ErrorCode, FileDiffView, FileView, Progress, ProjectChanged,
    ProjectInfo, RecentProject, RepoState, UiState,
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
        let store = match Store::open(&data_dir.join("redline.db")) {
            Ok(store) => Some(store),
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
        let project = OpenProject::open(Path::new(path), self.sink.clone())?;
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

    fn project(&self) -> ApiResult<Arc<OpenProject>> {
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

    /// Delivers pending watcher events now (tests and benchmarks).
    pub fn flush_watcher(&self) {
        if let Ok(project) = self.project() {
            project.flush_watcher();
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, redline_store::StoreError>,
    ) -> ApiResult<T> {
        let mut guard = self.store.lock();
        if guard.is_none() {
            *guard = Some(Store::open(&self.data_dir.join("redline.db"))?);
        }
        match guard.as_mut() {
            Some(store) => Ok(f(store)?),
            None => Err(ApiError::new(ErrorCode::Database, "database unavailable")),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
