//! Providers, keys and models: `settings.toml` for what a person configured, the keyring for
//! keys (or memory, for this run, when the keyring cannot be used), local servers found on
//! their default ports, and the one function that turns `provider/model` into a model to call.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use redline_agent::{Prices, ProviderConfig, Settings};
use redline_llm::{
    detect_local, list_models, ApiKey, Detected, HttpModel, KeyError, KeyStore, LanguageModel, OsKeyring,
    SessionKeys, Wire, PRESETS,
};

use crate::{
    ApiError, ApiResult, ErrorCode, KeyState, ModelChoice, ModelsView, PresetView, ProviderInput,
    ProviderView,
};

/// Keys: the OS keyring, with keys kept in memory for this run in front of it.
pub(crate) struct Keys {
    os: Box<dyn KeyStore>,
    session: SessionKeys,
}

impl Keys {
    /// `REDLINE_KEYRING=memory` keeps every key in memory (tests, machines without a keyring).
    pub(crate) fn from_env() -> Keys {
        let os: Box<dyn KeyStore> = match std::env::var("REDLINE_KEYRING").as_deref() {
            Ok("memory") => Box::new(SessionKeys::default()),
            _ => Box::new(OsKeyring),
        };
        Keys { os, session: SessionKeys::default() }
    }

    pub(crate) fn memory() -> Keys {
        Keys { os: Box::new(SessionKeys::default()), session: SessionKeys::default() }
    }

    pub(crate) fn get(&self, provider: &str) -> Result<Option<ApiKey>, KeyError> {
        match self.session.get(provider)? {
            Some(key) => Ok(Some(key)),
            None => self.os.get(provider),
        }
    }

    fn state(&self, provider: &str) -> KeyState {
        if matches!(self.session.get(provider), Ok(Some(_))) {
            return KeyState::Session;
        }
        match self.os.get(provider) {
            Ok(Some(_)) => KeyState::Keyring,
            Ok(None) => KeyState::None,
            Err(_) => KeyState::Unavailable,
        }
    }
}

pub(crate) struct Models {
    settings_path: PathBuf,
    pub(crate) settings: RwLock<Settings>,
    pub(crate) prices: Prices,
    /// Why settings or prices could not be read; shown with the model list.
    load_problems: Vec<String>,
    pub(crate) keys: Keys,
    detected: Mutex<Option<Vec<Detected>>>,
    /// What each provider without a model list answered when asked (or why it did not), so
    /// previews and sends do not ask the server again; `models(true)` and any change to the
    /// provider or its key ask afresh.
    listed: Mutex<HashMap<String, Result<Vec<String>, String>>>,
    /// Models registered in-process (tests, benchmarks, a built-in engine), by id.
    registered: RwLock<HashMap<String, Arc<dyn LanguageModel>>>,
    /// Which registered models are the built-in engine's GGUF files, in order, with the context
    /// window each runs with.
    builtin: RwLock<Vec<(String, u32)>>,
}

/// How the model picker names the built-in engine's models.
pub(crate) const BUILTIN_PROVIDER: &str = "Built-in";

fn wire_name(wire: Wire) -> &'static str {
    match wire {
        Wire::OpenAi => "openai",
        Wire::Anthropic => "anthropic",
        Wire::Gemini => "gemini",
    }
}

fn parse_wire(name: &str) -> ApiResult<Wire> {
    match name {
        "openai" => Ok(Wire::OpenAi),
        "anthropic" => Ok(Wire::Anthropic),
        "gemini" => Ok(Wire::Gemini),
        other => Err(ApiError::new(ErrorCode::InvalidInput, format!("unknown API format {other:?}"))),
    }
}

impl Models {
    pub(crate) fn load(data_dir: &std::path::Path, keys: Keys) -> Models {
        let settings_path = data_dir.join("settings.toml");
        let mut load_problems = Vec::new();
        let settings = Settings::load(&settings_path).unwrap_or_else(|e| {
            load_problems.push(e.to_string());
            Settings::default()
        });
        let prices = Prices::load_or_install(&data_dir.join("prices.toml")).unwrap_or_else(|e| {
            load_problems.push(e.to_string());
            Prices::parse(redline_agent::settings::DEFAULT_PRICES).unwrap_or_default()
        });
        let models = Models {
            settings_path,
            settings: RwLock::new(settings),
            prices,
            load_problems,
            keys,
            detected: Mutex::new(None),
            listed: Mutex::new(HashMap::new()),
            registered: RwLock::new(HashMap::new()),
            builtin: RwLock::new(Vec::new()),
        };
        // GGUF files in `<data dir>/models` (and `$REDLINE_MODELS_DIR`), and those added by path.
        #[cfg(feature = "local-engine")]
        for (model, window) in crate::local::discover(data_dir) {
            models.register_builtin(model, window);
        }
        models
    }

    pub(crate) fn register(&self, model: Arc<dyn LanguageModel>) {
        self.registered.write().insert(model.id(), model);
    }

    /// Offers a model of the built-in engine, shown as "Built-in" with its context `window`.
    #[cfg_attr(not(feature = "local-engine"), allow(dead_code))]
    pub(crate) fn register_builtin(&self, model: Arc<dyn LanguageModel>, window: u32) {
        let id = model.id();
        self.register(model);
        let mut builtin = self.builtin.write();
        builtin.retain(|(known, _)| *known != id);
        builtin.push((id, window));
    }

    /// The context window of `id`: the built-in engine's own for its models, the price list's
    /// (or its 32k default) for every other.
    #[allow(dead_code)] // for chat's prompt budget and meter
    pub(crate) fn window(&self, id: &str) -> u32 {
        let builtin = self.builtin.read().iter().find(|(known, _)| known == id).map(|(_, w)| *w);
        builtin.unwrap_or_else(|| self.prices.window(id))
    }

    pub(crate) fn unregister_builtin(&self, id: &str) {
        self.builtin.write().retain(|(known, _)| known != id);
        self.registered.write().remove(id);
    }

    pub(crate) fn presets() -> Vec<PresetView> {
        PRESETS
            .iter()
            .map(|p| PresetView {
                id: p.id.into(),
                name: p.name.into(),
                wire: wire_name(p.wire).into(),
                base_url: p.base_url.into(),
                needs_key: p.needs_key,
                local: p.local,
            })
            .collect()
    }

    pub(crate) fn providers(&self) -> Vec<ProviderView> {
        self.settings.read().providers.iter().map(|p| self.view(p)).collect()
    }

    fn view(&self, p: &ProviderConfig) -> ProviderView {
        ProviderView {
            id: p.id.clone(),
            name: p.name.clone(),
            wire: wire_name(p.wire).into(),
            base_url: p.base_url.clone(),
            needs_key: p.needs_key,
            key: if p.needs_key { self.keys.state(&p.id) } else { KeyState::None },
            models: p.models.clone(),
            fim_models: p.fim_models.clone(),
            warning: redline_llm::plain_http_warning(&p.base_url),
        }
    }

    fn save(&self, settings: &Settings) -> ApiResult<()> {
        settings.save(&self.settings_path)?;
        Ok(())
    }

    pub(crate) fn save_provider(&self, input: ProviderInput) -> ApiResult<ProviderView> {
        if let Some(id) = &input.id {
            self.listed.lock().remove(id);
        }
        let wire = parse_wire(&input.wire)?;
        let base_url = input.base_url.trim().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "The server address must start with http:// or https://.",
            ));
        }
        let name = input.name.trim();
        if name.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "Give the provider a name."));
        }
        let mut settings = self.settings.read().clone();
        let id = match &input.id {
            Some(id) => id.clone(),
            None => unique_id(&settings, name),
        };
        let config = ProviderConfig {
            id: id.clone(),
            name: name.to_owned(),
            wire,
            base_url,
            models: input.models.iter().map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect(),
            needs_key: input.needs_key,
            fim_models: input
                .fim_models
                .iter()
                .map(|m| m.trim().to_owned())
                .filter(|m| !m.is_empty())
                .collect(),
        };
        match settings.providers.iter_mut().find(|p| p.id == id) {
            Some(existing) => *existing = config.clone(),
            None => settings.providers.push(config.clone()),
        }
        self.save(&settings)?;
        *self.settings.write() = settings;
        Ok(self.view(&config))
    }

    pub(crate) fn remove_provider(&self, id: &str) -> ApiResult<()> {
        self.listed.lock().remove(id);
        let mut settings = self.settings.read().clone();
        settings.providers.retain(|p| p.id != id);
        if settings.default_model.as_deref().is_some_and(|m| m.starts_with(&format!("{id}/"))) {
            settings.default_model = None;
        }
        self.save(&settings)?;
        *self.settings.write() = settings;
        let _ = self.keys.session.delete(id);
        if let Err(e) = self.keys.os.delete(id) {
            tracing::warn!("key of {id} not removed from the keyring: {e}");
        }
        Ok(())
    }

    /// Stores a key in the keyring, or in memory for this run when `session_only`.
    pub(crate) fn set_key(&self, provider: &str, key: &str, session_only: bool) -> ApiResult<KeyState> {
        self.listed.lock().remove(provider);
        if self.settings.read().provider(provider).is_none() {
            return Err(ApiError::new(ErrorCode::NotFound, format!("no provider {provider:?}")));
        }
        let key = ApiKey::new(key.trim());
        if session_only {
            self.keys.session.set(provider, &key)?;
            return Ok(KeyState::Session);
        }
        self.keys.os.set(provider, &key)?;
        let _ = self.keys.session.delete(provider);
        Ok(KeyState::Keyring)
    }

    pub(crate) fn remove_key(&self, provider: &str) -> ApiResult<()> {
        self.listed.lock().remove(provider);
        self.keys.session.delete(provider)?;
        self.keys.os.delete(provider)?;
        Ok(())
    }

    pub(crate) fn set_default_model(&self, model: &str) -> ApiResult<()> {
        self.update_settings(|s| s.default_model = Some(model.to_owned()))
    }

    /// Changes the settings, saving them before they take effect.
    pub(crate) fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> ApiResult<()> {
        let mut settings = self.settings.read().clone();
        change(&mut settings);
        self.save(&settings)?;
        *self.settings.write() = settings;
        Ok(())
    }

    fn http_model(&self, config: &ProviderConfig, model: &str) -> ApiResult<HttpModel> {
        let key = if config.needs_key {
            let key = self.keys.get(&config.id)?;
            if key.is_none() {
                return Err(ApiError::new(
                    ErrorCode::ModelAuthentication,
                    format!("{} needs an API key. Enter it in Settings.", config.name),
                ));
            }
            key
        } else {
            None
        };
        let timeouts = self.settings.read().timeouts.timeouts();
        Ok(HttpModel::new(config.wire, &config.base_url, key, timeouts)
            .with_id(format!("{}/{model}", config.id)))
    }

    /// Asks a configured provider for its models: "test connection".
    pub(crate) async fn test_provider(&self, provider: &str) -> ApiResult<Vec<String>> {
        let config = self
            .settings
            .read()
            .provider(provider)
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no provider {provider:?}")))?;
        let model = self.http_model(&config, "")?;
        Ok(list_models(config.wire, &config.base_url, model.key.as_ref(), Duration::from_secs(10)).await?)
    }

    async fn detected(&self, refresh: bool) -> Vec<Detected> {
        if !self.settings.read().detect_local_servers {
            return Vec::new();
        }
        if let (false, Some(found)) = (refresh, self.detected.lock().clone()) {
            return found;
        }
        let found = detect_local(Duration::from_millis(700)).await;
        *self.detected.lock() = Some(found.clone());
        found
    }

    async fn listed_models(&self, provider: &ProviderConfig, refresh: bool) -> Result<Vec<String>, String> {
        if let (false, Some(known)) = (refresh, self.listed.lock().get(&provider.id).cloned()) {
            return known;
        }
        let answer = self.test_provider(&provider.id).await.map_err(|e| e.message);
        self.listed.lock().insert(provider.id.clone(), answer.clone());
        answer
    }

    /// Every model a person can pick now: registered ones, configured providers' (listed or
    /// asked for), those of local servers found on their default ports, and the built-in
    /// engine's. The built-in ones come first only when nothing else is set up (no provider,
    /// no default, no local server), so that they are the default then and only then.
    pub(crate) async fn models(&self, refresh: bool) -> ModelsView {
        let builtin = self.builtin.read().clone();
        let mut models: Vec<ModelChoice> = self
            .registered
            .read()
            .keys()
            .filter(|id| !builtin.iter().any(|(b, _)| b == *id))
            .map(|id| self.choice(id, "Built in", false))
            .collect();
        let mut problems = self.load_problems.clone();
        let providers = self.settings.read().providers.clone();
        for p in &providers {
            let names = if p.models.is_empty() {
                match self.listed_models(p, refresh).await {
                    Ok(names) => names,
                    Err(message) => {
                        problems.push(format!("{}: {message}", p.name));
                        continue;
                    }
                }
            } else {
                p.models.clone()
            };
            models.extend(names.iter().map(|m| self.choice(&format!("{}/{m}", p.id), &p.name, false)));
        }
        let mut local_server = false;
        for d in self.detected(refresh).await {
            if providers.iter().any(|p| p.base_url.trim_end_matches('/') == d.base_url) {
                continue;
            }
            let name = redline_llm::preset(d.preset).map_or(d.preset, |p| p.name);
            local_server |= !d.models.is_empty();
            models.extend(d.models.iter().map(|m| self.choice(&format!("{}/{m}", d.preset), name, true)));
        }
        let default_model = self.settings.read().default_model.clone();
        let builtin_choices = builtin
            .iter()
            .map(|(id, window)| ModelChoice { window: *window, ..self.choice(id, BUILTIN_PROVIDER, false) });
        if providers.is_empty() && default_model.is_none() && !local_server {
            models.splice(0..0, builtin_choices);
        } else {
            models.extend(builtin_choices);
        }
        ModelsView { models, default_model, problems }
    }

    fn choice(&self, id: &str, provider_name: &str, detected: bool) -> ModelChoice {
        let model = id.split_once('/').map_or(id, |(_, m)| m).to_owned();
        ModelChoice {
            id: id.to_owned(),
            provider_name: provider_name.to_owned(),
            model,
            detected,
            window: self.prices.window(id),
        }
    }

    /// The model to call for `provider/model`.
    pub(crate) async fn resolve(&self, id: &str) -> ApiResult<Arc<dyn LanguageModel>> {
        if let Some(model) = self.registered.read().get(id) {
            return Ok(model.clone());
        }
        let unknown = || {
            ApiError::new(
                ErrorCode::NoModel,
                format!(
                    "The model {id:?} is not set up. Pick another model or add its provider in Settings."
                ),
            )
        };
        let (provider, model) = id.split_once('/').ok_or_else(unknown)?;
        let config = self.provider_config(provider).await.ok_or_else(unknown)?;
        Ok(Arc::new(self.http_model(&config, model)?))
    }

    /// A configured provider, or a local server found on this machine (OpenAI-compatible, no key).
    async fn provider_config(&self, provider: &str) -> Option<ProviderConfig> {
        let configured = self.settings.read().provider(provider).cloned();
        if configured.is_some() {
            return configured;
        }
        let detected = self.detected(false).await.into_iter().find(|d| d.preset == provider)?;
        Some(ProviderConfig {
            id: provider.into(),
            name: provider.into(),
            wire: Wire::OpenAi,
            base_url: detected.base_url,
            models: Vec::new(),
            needs_key: false,
            fim_models: Vec::new(),
        })
    }

    /// The HTTP model and wire for completing in the middle with `provider/model`: a model the
    /// person declared in the provider's `fim_models`, or one known to do it.
    pub(crate) async fn fim_model(&self, id: &str) -> ApiResult<(HttpModel, redline_llm::FimWire)> {
        let cannot = |why: &str| {
            ApiError::new(
                ErrorCode::NoModel,
                format!("{id} cannot complete in the middle: {why}. Pick a code model (Qwen2.5-Coder, StarCoder2, CodeLlama, DeepSeek-Coder, Codestral), or declare the model under \"Completes in the middle\" in Settings."),
            )
        };
        let (provider, model) = id.split_once('/').ok_or_else(|| cannot("it is not a provider/model id"))?;
        let config =
            self.provider_config(provider).await.ok_or_else(|| cannot("its provider is not set up"))?;
        let declared = config.fim_models.iter().any(|m| m == model);
        let wire = redline_llm::fim_wire_for(&config.wire, &config.base_url, model)
            .or_else(|| declared.then_some(redline_llm::FimWire::Suffix))
            .ok_or_else(|| cannot("it is not known to, and not declared to"))?;
        Ok((self.http_model(&config, model)?, wire))
    }

    /// The model a new question goes to when none was picked.
    pub(crate) async fn default_model(&self) -> ApiResult<String> {
        let view = self.models(false).await;
        if let Some(default) = view.default_model.filter(|d| view.models.iter().any(|m| &m.id == d)) {
            return Ok(default);
        }
        view.models.first().map(|m| m.id.clone()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoModel,
                "No model is set up. Open Settings to add a provider and its key, or start Ollama, llama.cpp's server or LM Studio on this machine.",
            )
        })
    }
}

fn unique_id(settings: &Settings, name: &str) -> String {
    let base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_owned();
    let base = if base.is_empty() { "provider".to_owned() } else { base };
    let mut id = base.clone();
    let mut n = 2;
    while settings.provider(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}
