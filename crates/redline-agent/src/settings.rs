//! Settings a person can read and edit: `settings.toml` (providers, default model, timeouts)
//! and `prices.toml` (price and context window per model). Neither ever holds a key.

use std::path::Path;
use std::time::Duration;

use redline_llm::{Timeouts, Usage, Wire};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path} is not valid settings ({detail}). Fix or remove the file and restart.")]
    Invalid { path: String, detail: String },
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
}

/// A provider a person added: a preset, or any OpenAI-compatible server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderConfig {
    pub id: String,
    pub name: String,
    pub wire: Wire,
    pub base_url: String,
    /// Models to offer when the server cannot list them, or to narrow a long list.
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub needs_key: bool,
    /// Models of this provider that complete in the middle (fill-in-the-middle), declared by
    /// the person; models known to do it are offered without being listed here.
    #[serde(default)]
    pub fim_models: Vec<String>,
}

/// Limits of an agent turn, and how long an approved command may run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentSettings {
    pub max_steps: u32,
    /// Input plus output tokens over all steps of one turn.
    pub max_tokens: u32,
    /// US dollars over all steps of one turn; none for no limit.
    pub max_cost: Option<f64>,
    pub command_timeout_secs: u32,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings { max_steps: 25, max_tokens: 400_000, max_cost: Some(1.0), command_timeout_secs: 300 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeoutSettings {
    pub connect_ms: u64,
    pub first_byte_ms: u64,
    pub silence_ms: u64,
}

impl Default for TimeoutSettings {
    fn default() -> Self {
        let t = Timeouts::default();
        TimeoutSettings {
            connect_ms: t.connect.as_millis() as u64,
            first_byte_ms: t.first_byte.as_millis() as u64,
            silence_ms: t.silence.as_millis() as u64,
        }
    }
}

impl TimeoutSettings {
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_millis(self.connect_ms),
            first_byte: Duration::from_millis(self.first_byte_ms),
            silence: Duration::from_millis(self.silence_ms),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `provider/model` used for new conversations.
    pub default_model: Option<String>,
    /// Probe Ollama, llama.cpp, LM Studio and vLLM on their default ports at start.
    pub detect_local_servers: bool,
    pub max_output_tokens: u32,
    pub timeouts: TimeoutSettings,
    pub agent: AgentSettings,
    #[serde(rename = "provider")]
    pub providers: Vec<ProviderConfig>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default_model: None,
            detect_local_servers: true,
            max_output_tokens: 4096,
            timeouts: TimeoutSettings::default(),
            agent: AgentSettings::default(),
            providers: Vec::new(),
        }
    }
}

impl Settings {
    /// Reads `path`; a missing file is the defaults, a broken one an error naming it.
    // settings.toml lives in the app's data folder, not in a project.
    #[allow(clippy::disallowed_methods)]
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| SettingsError::Invalid {
                path: path.display().to_string(),
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(SettingsError::Invalid { path: path.display().to_string(), detail: e.to_string() }),
        }
    }

    /// Writes through a temporary file and a rename, so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let write_err = |e: &dyn std::fmt::Display| SettingsError::Write {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let text = toml::to_string_pretty(self).map_err(|e| write_err(&e))?;
        write_atomically(path, &text).map_err(|e| write_err(&e))
    }

    pub fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.id == id)
    }
}

/// Writes one of the app's own files (settings, prices) atomically: temp file, fsync, rename.
// For files in the app's data folder only; project files go through redline_project::write_atomic.
#[allow(clippy::disallowed_methods)]
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Price per million tokens and context window of the models a `match` prefix covers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelPrice {
    #[serde(rename = "match")]
    pub prefix: String,
    #[serde(default)]
    pub input: f64,
    #[serde(default)]
    pub cached: f64,
    #[serde(default)]
    pub output: f64,
    pub window: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Prices {
    #[serde(rename = "model", default)]
    pub models: Vec<ModelPrice>,
}

pub const DEFAULT_PRICES: &str = include_str!("../data/prices.toml");
const DEFAULT_WINDOW: u32 = 32_768;

impl Prices {
    /// Reads the person's `prices.toml`, writing the shipped one there first if it is missing.
    // prices.toml lives in the app's data folder, not in a project.
    #[allow(clippy::disallowed_methods)]
    pub fn load_or_install(path: &Path) -> Result<Prices, SettingsError> {
        if !path.exists() {
            if let Err(e) = write_atomically(path, DEFAULT_PRICES) {
                tracing::warn!("cannot install {}: {e}", path.display());
            }
        }
        let text = std::fs::read_to_string(path).unwrap_or_else(|_| DEFAULT_PRICES.to_owned());
        toml::from_str(&text)
            .map_err(|e| SettingsError::Invalid { path: path.display().to_string(), detail: e.to_string() })
    }

    pub fn parse(text: &str) -> Result<Prices, toml::de::Error> {
        toml::from_str(text)
    }

    /// The entry with the longest prefix of the model's name (without its `provider/`).
    pub fn find(&self, model_id: &str) -> Option<&ModelPrice> {
        let name = model_id.split_once('/').map_or(model_id, |(_, m)| m);
        self.models.iter().filter(|p| name.starts_with(&p.prefix)).max_by_key(|p| p.prefix.len())
    }

    /// Dollars for one request; `None` for models with no price (local ones).
    pub fn cost(&self, model_id: &str, usage: &Usage) -> Option<f64> {
        let p = self.find(model_id)?;
        let fresh = usage.input.saturating_sub(usage.cached) as f64;
        Some((fresh * p.input + usage.cached as f64 * p.cached + usage.output as f64 * p.output) / 1e6)
    }

    pub fn window(&self, model_id: &str) -> u32 {
        self.find(model_id).and_then(|p| p.window).unwrap_or(DEFAULT_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_prices_parse_and_the_longest_prefix_wins() {
        let prices = Prices::parse(DEFAULT_PRICES).expect("shipped prices parse");
        assert_eq!(prices.find("openai/gpt-4o-mini-2024").map(|p| p.prefix.as_str()), Some("gpt-4o-mini"));
        assert_eq!(prices.find("openai/gpt-4o").map(|p| p.prefix.as_str()), Some("gpt-4o"));
        assert_eq!(prices.window("ollama/qwen2.5-coder:7b"), DEFAULT_WINDOW);
        assert_eq!(prices.cost("ollama/qwen2.5-coder:7b", &Usage::default()), None);
    }

    #[test]
    fn cost_charges_cached_input_at_the_cached_price() {
        let prices = Prices::parse("[[model]]\nmatch = \"m\"\ninput = 2.0\ncached = 1.0\noutput = 10.0\n")
            .expect("parse");
        let usage = Usage { input: 1_000_000, cached: 500_000, output: 100_000 };
        let cost = prices.cost("p/m", &usage).expect("priced");
        assert!((cost - (1.0 + 0.5 + 1.0)).abs() < 1e-9, "{cost}");
    }

    #[test]
    fn settings_round_trip_through_toml_without_any_key_field() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("settings.toml");
        assert_eq!(Settings::load(&path).expect("missing is default"), Settings::default());
        let mut settings = Settings::default();
        settings.providers.push(ProviderConfig {
            id: "work".into(),
            name: "Work".into(),
            wire: Wire::OpenAi,
            base_url: "http://127.0.0.1:9/v1".into(),
            models: vec!["m".into()],
            needs_key: true,
            fim_models: vec!["m".into()],
        });
        settings.save(&path).expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("[[provider]]") && text.contains("wire = \"openai\""), "{text}");
        assert_eq!(Settings::load(&path).expect("load"), settings);
    }

    #[test]
    fn broken_settings_name_the_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "default_model = [").expect("write");
        let err = Settings::load(&path).expect_err("invalid");
        assert!(err.to_string().contains("settings.toml"), "{err}");
    }
}
