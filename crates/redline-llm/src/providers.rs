//! Known providers, local servers found on their default ports, and model lists.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::{classify_http, ApiKey, ErrorKind, ModelError, Wire};

/// A provider a person can pick without typing a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    pub wire: Wire,
    pub base_url: &'static str,
    pub needs_key: bool,
    /// Runs on this machine: probed at start.
    pub local: bool,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "ollama",
        name: "Ollama",
        wire: Wire::OpenAi,
        base_url: "http://127.0.0.1:11434/v1",
        needs_key: false,
        local: true,
    },
    Preset {
        id: "llamacpp",
        name: "llama.cpp server",
        wire: Wire::OpenAi,
        base_url: "http://127.0.0.1:8080/v1",
        needs_key: false,
        local: true,
    },
    Preset {
        id: "lmstudio",
        name: "LM Studio",
        wire: Wire::OpenAi,
        base_url: "http://127.0.0.1:1234/v1",
        needs_key: false,
        local: true,
    },
    Preset {
        id: "vllm",
        name: "vLLM",
        wire: Wire::OpenAi,
        base_url: "http://127.0.0.1:8000/v1",
        needs_key: false,
        local: true,
    },
    Preset {
        id: "openai",
        name: "OpenAI",
        wire: Wire::OpenAi,
        base_url: "https://api.openai.com/v1",
        needs_key: true,
        local: false,
    },
    Preset {
        id: "anthropic",
        name: "Anthropic",
        wire: Wire::Anthropic,
        base_url: "https://api.anthropic.com",
        needs_key: true,
        local: false,
    },
    Preset {
        id: "gemini",
        name: "Google Gemini",
        wire: Wire::Gemini,
        base_url: "https://generativelanguage.googleapis.com/v1beta",
        needs_key: true,
        local: false,
    },
    Preset {
        id: "openrouter",
        name: "OpenRouter",
        wire: Wire::OpenAi,
        base_url: "https://openrouter.ai/api/v1",
        needs_key: true,
        local: false,
    },
    Preset {
        id: "deepseek",
        name: "DeepSeek",
        wire: Wire::OpenAi,
        base_url: "https://api.deepseek.com/v1",
        needs_key: true,
        local: false,
    },
    Preset {
        id: "groq",
        name: "Groq",
        wire: Wire::OpenAi,
        base_url: "https://api.groq.com/openai/v1",
        needs_key: true,
        local: false,
    },
];

pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The models a server offers, by id, sorted.
pub async fn list_models(
    wire: Wire,
    base_url: &str,
    key: Option<&ApiKey>,
    timeout: Duration,
) -> Result<Vec<String>, ModelError> {
    let base = base_url.trim_end_matches('/');
    let client = crate::http::api_client(timeout, Some(timeout));
    let request = match wire {
        Wire::OpenAi => {
            let r = client.get(format!("{base}/models"));
            match key {
                Some(key) => r.bearer_auth(key.expose()),
                None => r,
            }
        }
        Wire::Anthropic => client
            .get(format!("{base}/v1/models"))
            .header("x-api-key", key.map(ApiKey::expose).unwrap_or_default())
            .header("anthropic-version", "2023-06-01"),
        Wire::Gemini => client
            .get(format!("{base}/models"))
            .header("x-goog-api-key", key.map(ApiKey::expose).unwrap_or_default()),
    };
    let response = request.send().await.map_err(|e| {
        let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Network };
        ModelError::new(kind, format!("cannot reach {base}: {e}"))
    })?;
    if response.status().is_redirection() {
        return Err(crate::http::refused_redirect(&response));
    }
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(classify_http(status, None, &body));
    }
    parse_model_list(&body)
        .ok_or_else(|| ModelError::protocol(format!("{base} sent a model list Redline cannot read")))
}

/// Reads `{"data": [{"id"}]}` (OpenAI, Anthropic), `{"models": [{"name"}]}` (Ollama's tags,
/// Gemini's `models/…` names).
pub fn parse_model_list(body: &str) -> Option<Vec<String>> {
    let json: Value = serde_json::from_str(body).ok()?;
    let items = json.get("data").or_else(|| json.get("models"))?.as_array()?;
    let mut ids: Vec<String> = items
        .iter()
        .filter_map(|m| m.get("id").or_else(|| m.get("name")).and_then(Value::as_str))
        .map(|id| id.strip_prefix("models/").unwrap_or(id).to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    Some(ids)
}

/// A local server that answered, with its models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detected {
    pub preset: &'static str,
    pub base_url: String,
    pub models: Vec<String>,
}

/// Probes the local presets' default ports, all at once, each for at most `timeout`.
pub async fn detect_local(timeout: Duration) -> Vec<Detected> {
    let probes = PRESETS.iter().filter(|p| p.local).map(|p| async move {
        let models = list_models(p.wire, p.base_url, None, timeout).await.ok()?;
        Some(Detected { preset: p.id, base_url: p.base_url.to_owned(), models })
    });
    let mut handles = Vec::new();
    for probe in probes {
        handles.push(tokio::spawn(probe));
    }
    let mut found = Vec::new();
    for handle in handles {
        if let Ok(Some(detected)) = handle.await {
            found.push(detected);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_lists_of_each_shape_are_read() {
        let openai = r#"{"object":"list","data":[{"id":"gpt-4o","object":"model"},{"id":"gpt-4.1"}]}"#;
        let ollama = r#"{"models":[{"name":"qwen2.5-coder:7b","size":4683087332},{"name":"llama3.2:3b"}]}"#;
        let gemini = r#"{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash"}]}"#;
        assert_eq!(parse_model_list(openai), Some(vec!["gpt-4.1".into(), "gpt-4o".into()]));
        assert_eq!(parse_model_list(ollama), Some(vec!["llama3.2:3b".into(), "qwen2.5-coder:7b".into()]));
        assert_eq!(parse_model_list(gemini), Some(vec!["gemini-2.5-flash".into()]));
        assert_eq!(parse_model_list("<html>"), None);
    }

    #[test]
    fn presets_are_unique_and_local_ones_need_no_key() {
        let mut ids: Vec<_> = PRESETS.iter().map(|p| p.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), PRESETS.len());
        assert!(PRESETS
            .iter()
            .filter(|p| p.local)
            .all(|p| !p.needs_key && p.base_url.starts_with("http://127.0.0.1")));
        assert_eq!(preset("ollama").map(|p| p.base_url), Some("http://127.0.0.1:11434/v1"));
    }
}
