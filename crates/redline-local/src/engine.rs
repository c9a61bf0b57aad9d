//! [`LocalModel`]: a GGUF file behind the [`LanguageModel`] trait. Requests go to one worker
//! thread that owns the loaded model (loaded on first use, one model at a time), so nothing
//! async ever waits on llama.cpp.

use std::path::{Path, PathBuf};
use std::sync::{mpsc as std_mpsc, OnceLock};

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use parking_lot::Mutex;
use redline_llm::{Delivery, ErrorKind, EventStream, LanguageModel, ModelError, Request};
use tokio::sync::mpsc;

use crate::generate::Session;
use crate::gguf::gguf_info;

/// How a local model runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LocalOptions {
    /// CPU threads for prompt and generation; `None` = the physical cores.
    pub threads: Option<usize>,
    /// Tokens the context holds; `None` = what the model was trained for, at most
    /// [`DEFAULT_MAX_CONTEXT`].
    pub context_size: Option<u32>,
}

/// The context used when the model's own is larger: its memory grows with it.
pub const DEFAULT_MAX_CONTEXT: u32 = 8192;

impl LocalOptions {
    pub fn threads(&self) -> usize {
        self.threads.filter(|t| *t > 0).unwrap_or_else(physical_cores)
    }
}

/// A GGUF model file run in-process. Cheap to create: nothing is read until the first request.
#[derive(Debug, Clone)]
pub struct LocalModel {
    id: String,
    path: PathBuf,
    options: LocalOptions,
}

/// Where the reply of one request goes.
pub(crate) type Reply = mpsc::Sender<Result<Delivery, ModelError>>;

pub(crate) struct Job {
    pub(crate) request: Request,
    pub(crate) reply: Reply,
}

impl Job {
    pub(crate) fn fail(&self, error: ModelError) {
        let _ = self.reply.blocking_send(Err(error));
    }
}

impl LocalModel {
    pub fn new(path: impl Into<PathBuf>) -> LocalModel {
        let path = path.into();
        LocalModel { id: LocalModel::id_for(&path), path, options: LocalOptions::default() }
    }

    pub fn with_options(mut self, options: LocalOptions) -> LocalModel {
        self.options = options;
        self
    }

    /// `builtin/<file name without .gguf>`.
    pub fn id_for(path: &Path) -> String {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        format!("builtin/{stem}")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn options(&self) -> LocalOptions {
        self.options
    }
}

impl LanguageModel for LocalModel {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn stream(&self, request: Request) -> EventStream {
        let (reply, rx) = mpsc::channel(256);
        engine().submit(&self.path, self.options, Job { request, reply });
        EventStream::from_channel(rx)
    }
}

/// The llama.cpp backend, initialised once per process (llama.cpp allows no second one).
pub fn backend() -> Result<&'static LlamaBackend, ModelError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    let backend = BACKEND.get_or_init(|| {
        let logs = std::env::var_os("REDLINE_LLAMA_LOGS").is_some();
        llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(logs));
        LlamaBackend::init().map_err(|e| e.to_string())
    });
    backend
        .as_ref()
        .map_err(|e| ModelError::new(ErrorKind::BadRequest, format!("llama.cpp did not start: {e}")))
}

/// Loads a GGUF file after checking its header ourselves: a damaged or truncated file is an
/// error that names the problem, and never reaches llama.cpp.
pub fn load_model(path: &Path) -> Result<LlamaModel, ModelError> {
    let bad = |message: String| ModelError::new(ErrorKind::BadRequest, message);
    if !path.is_file() {
        return Err(bad(format!("the model file {} does not exist", path.display())));
    }
    gguf_info(path).map_err(|e| bad(e.to_string()))?;
    let backend = backend()?;
    LlamaModel::load_from_file(backend, path, &LlamaModelParams::default()).map_err(|e| {
        bad(format!(
            "llama.cpp could not load {} ({e}); the file may be damaged or of an unsupported model",
            path.display()
        ))
    })
}

/// The one worker and what it serves.
struct Worker {
    path: PathBuf,
    options: LocalOptions,
    jobs: std_mpsc::Sender<Job>,
}

#[derive(Default)]
struct Engine {
    worker: Mutex<Option<Worker>>,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

impl Engine {
    /// Hands the job to the worker serving `path`, replacing the worker (and so unloading the
    /// model it holds once its current reply ends) when another model or other options are asked.
    fn submit(&self, path: &Path, options: LocalOptions, job: Job) {
        let mut worker = self.worker.lock();
        let fits = worker.as_ref().is_some_and(|w| w.path == path && w.options == options);
        let job = match (fits, worker.as_ref()) {
            (true, Some(w)) => match w.jobs.send(job) {
                Ok(()) => return,
                Err(std_mpsc::SendError(job)) => job, // the worker died: start another
            },
            _ => job,
        };
        let (jobs, rx) = std_mpsc::channel();
        let thread_path = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("redline-local-model".into())
            .spawn(move || run_worker(&thread_path, options, rx));
        if let Err(e) = spawned {
            job.fail(ModelError::new(ErrorKind::Overloaded, format!("cannot start the model thread: {e}")));
            return;
        }
        let _ = jobs.send(job);
        *worker = Some(Worker { path: path.to_path_buf(), options, jobs });
    }
}

/// Loads the model on the first job (failing jobs while it cannot), then serves jobs in order
/// until the engine replaces this worker.
fn run_worker(path: &Path, options: LocalOptions, jobs: std_mpsc::Receiver<Job>) {
    let (model, first) = loop {
        let Ok(job) = jobs.recv() else { return };
        if job.reply.is_closed() {
            continue;
        }
        match load_model(path) {
            Ok(model) => break (model, job),
            Err(e) => job.fail(e),
        }
    };
    let mut session = Session::new(&model, options);
    for job in std::iter::once(first).chain(jobs.iter()) {
        if job.reply.is_closed() {
            continue;
        }
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.run(&job)));
        if run.is_err() {
            session.reset();
            job.fail(ModelError::new(ErrorKind::Protocol, "the built-in engine failed on this request"));
        }
    }
}

/// Physical cores (hyper-threads share a core's arithmetic units, which llama.cpp saturates);
/// the logical count where that cannot be told.
pub fn physical_cores() -> usize {
    let logical = std::thread::available_parallelism().map_or(1, usize::from);
    let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") else { return logical };
    let mut cores = std::collections::HashSet::new();
    let mut physical = "";
    for line in cpuinfo.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        match key.trim() {
            "physical id" => physical = value.trim(),
            "core id" => {
                cores.insert((physical, value.trim()));
            }
            _ => {}
        }
    }
    if cores.is_empty() {
        logical
    } else {
        cores.len().min(logical)
    }
}
