//! A provider-neutral request, and its body in each provider's wire format.

use serde::Serialize;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    User,
    Assistant,
}

/// One part of a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Part {
    Text(String),
    /// A tool call the assistant made earlier in the conversation.
    ToolCall {
        id: String,
        name: String,
        arguments: Value,
    },
    /// What running that tool gave back (a user-side part).
    ToolResult {
        id: String,
        name: String,
        content: String,
        is_error: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub role: Role,
    pub parts: Vec<Part>,
}

impl Message {
    pub fn user(text: impl Into<String>) -> Self {
        Message { role: Role::User, parts: vec![Part::Text(text.into())] }
    }

    pub fn assistant(text: impl Into<String>) -> Self {
        Message { role: Role::Assistant, parts: vec![Part::Text(text.into())] }
    }
}

/// A tool the model may call, with its arguments' JSON schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub schema: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub model: String,
    pub system: Option<String>,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolSpec>,
    pub temperature: Option<f32>,
    pub max_tokens: u32,
    pub stop: Vec<String>,
    /// Thinking budget in tokens, for models that think when asked (Anthropic).
    pub thinking_budget: Option<u32>,
}

impl Request {
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        Request {
            model: model.into(),
            system: None,
            messages,
            tools: Vec::new(),
            temperature: None,
            max_tokens: 4096,
            stop: Vec::new(),
            thinking_budget: None,
        }
    }

    /// `POST {base}/chat/completions` body for OpenAI-compatible servers.
    pub fn openai_body(&self) -> Value {
        let mut messages = Vec::new();
        if let Some(system) = &self.system {
            messages.push(json!({"role": "system", "content": system}));
        }
        for message in &self.messages {
            openai_messages(message, &mut messages);
        }
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": self.max_tokens,
        });
        let tools: Vec<Value> = self
            .tools
            .iter()
            .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.schema}}))
            .collect();
        insert_if(&mut body, "tools", !tools.is_empty(), Value::from(tools));
        insert_if(&mut body, "stop", !self.stop.is_empty(), json!(self.stop));
        if let Some(t) = self.temperature {
            body["temperature"] = json!(t);
        }
        body
    }

    /// `POST /v1/messages` body for Anthropic.
    pub fn anthropic_body(&self) -> Value {
        let messages: Vec<Value> = self
            .messages
            .iter()
            .map(|m| {
                let role = if m.role == Role::User { "user" } else { "assistant" };
                let content: Vec<Value> = m.parts.iter().map(anthropic_part).collect();
                json!({"role": role, "content": content})
            })
            .collect();
        let mut body =
            json!({"model": self.model, "max_tokens": self.max_tokens, "stream": true, "messages": messages});
        if let Some(system) = &self.system {
            body["system"] = json!(system);
        }
        let tools: Vec<Value> = self
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.schema}))
            .collect();
        insert_if(&mut body, "tools", !tools.is_empty(), Value::from(tools));
        insert_if(&mut body, "stop_sequences", !self.stop.is_empty(), json!(self.stop));
        match (self.thinking_budget, self.temperature) {
            // Anthropic accepts no temperature with thinking on.
            (Some(budget), _) => body["thinking"] = json!({"type": "enabled", "budget_tokens": budget}),
            (None, Some(t)) => body["temperature"] = json!(t),
            (None, None) => {}
        }
        body
    }

    /// `POST .../models/{model}:streamGenerateContent?alt=sse` body for Gemini.
    pub fn gemini_body(&self) -> Value {
        let contents: Vec<Value> = self
            .messages
            .iter()
            .map(|m| {
                let role = if m.role == Role::User { "user" } else { "model" };
                let parts: Vec<Value> = m.parts.iter().map(gemini_part).collect();
                json!({"role": role, "parts": parts})
            })
            .collect();
        let mut config = Map::new();
        config.insert("maxOutputTokens".into(), json!(self.max_tokens));
        if let Some(t) = self.temperature {
            config.insert("temperature".into(), json!(t));
        }
        if !self.stop.is_empty() {
            config.insert("stopSequences".into(), json!(self.stop));
        }
        let mut body = json!({"contents": contents, "generationConfig": config});
        if let Some(system) = &self.system {
            body["systemInstruction"] = json!({"parts": [{"text": system}]});
        }
        let declarations: Vec<Value> = self
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "parameters": t.schema}))
            .collect();
        insert_if(
            &mut body,
            "tools",
            !declarations.is_empty(),
            json!([{"functionDeclarations": declarations}]),
        );
        body
    }
}

fn insert_if(body: &mut Value, key: &str, condition: bool, value: Value) {
    if condition {
        body[key] = value;
    }
}

/// One neutral message can become several OpenAI messages: tool results are messages of
/// their own, with role `tool`.
fn openai_messages(message: &Message, out: &mut Vec<Value>) {
    let text: String = message
        .parts
        .iter()
        .filter_map(|p| if let Part::Text(t) = p { Some(t.as_str()) } else { None })
        .collect::<Vec<_>>()
        .join("\n");
    let calls: Vec<Value> = message
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::ToolCall { id, name, arguments } => Some(json!({
                "id": id, "type": "function",
                "function": {"name": name, "arguments": arguments.to_string()}
            })),
            _ => None,
        })
        .collect();
    for part in &message.parts {
        if let Part::ToolResult { id, content, .. } = part {
            out.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
        }
    }
    let role = if message.role == Role::User { "user" } else { "assistant" };
    if !calls.is_empty() {
        let content = if text.is_empty() { Value::Null } else { json!(text) };
        out.push(json!({"role": role, "content": content, "tool_calls": calls}));
    } else if !text.is_empty() {
        out.push(json!({"role": role, "content": text}));
    }
}

fn anthropic_part(part: &Part) -> Value {
    match part {
        Part::Text(text) => json!({"type": "text", "text": text}),
        Part::ToolCall { id, name, arguments } => {
            json!({"type": "tool_use", "id": id, "name": name, "input": arguments})
        }
        Part::ToolResult { id, content, is_error, .. } => {
            json!({"type": "tool_result", "tool_use_id": id, "content": content, "is_error": is_error})
        }
    }
}

fn gemini_part(part: &Part) -> Value {
    match part {
        Part::Text(text) => json!({"text": text}),
        Part::ToolCall { name, arguments, .. } => json!({"functionCall": {"name": name, "args": arguments}}),
        Part::ToolResult { name, content, is_error, .. } => {
            let key = if *is_error { "error" } else { "content" };
            json!({"functionResponse": {"name": name, "response": {key: content}}})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tool round trip: the user asks, the assistant calls `read_file`, the result comes back.
    fn round_trip() -> Request {
        let call =
            Part::ToolCall { id: "t1".into(), name: "read_file".into(), arguments: json!({"path": "a.rs"}) };
        let result = Part::ToolResult {
            id: "t1".into(),
            name: "read_file".into(),
            content: "fn a() {}".into(),
            is_error: false,
        };
        let mut request = Request::new(
            "m",
            vec![
                Message::user("What is in a.rs?"),
                Message { role: Role::Assistant, parts: vec![Part::Text("Reading.".into()), call] },
                Message { role: Role::User, parts: vec![result] },
            ],
        );
        request.system = Some("Be brief.".into());
        request.tools = vec![ToolSpec {
            name: "read_file".into(),
            description: "Read a file".into(),
            schema: json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
        }];
        request.temperature = Some(0.2);
        request
    }

    #[test]
    fn openai_body_has_system_tool_calls_as_json_strings_and_tool_messages() {
        let body = round_trip().openai_body();
        assert_eq!(body["messages"][0], json!({"role": "system", "content": "Be brief."}));
        assert_eq!(
            body["messages"][2]["tool_calls"][0]["function"]["arguments"],
            json!("{\"path\":\"a.rs\"}")
        );
        assert_eq!(
            body["messages"][3],
            json!({"role": "tool", "tool_call_id": "t1", "content": "fn a() {}"})
        );
        assert_eq!(body["tools"][0]["function"]["parameters"]["required"], json!(["path"]));
        assert_eq!(body["stream_options"]["include_usage"], json!(true));
        assert!(body.get("stop").is_none());
    }

    #[test]
    fn anthropic_body_uses_content_blocks_and_drops_temperature_when_thinking() {
        let mut request = round_trip();
        let body = request.anthropic_body();
        assert_eq!(body["system"], json!("Be brief."));
        assert_eq!(body["messages"][1]["content"][1]["type"], json!("tool_use"));
        assert_eq!(body["messages"][2]["content"][0]["tool_use_id"], json!("t1"));
        assert_eq!(body["tools"][0]["input_schema"]["type"], json!("object"));
        assert_eq!(body["temperature"], json!(0.2f32));
        request.thinking_budget = Some(2048);
        let body = request.anthropic_body();
        assert!(body.get("temperature").is_none());
        assert_eq!(body["thinking"]["budget_tokens"], json!(2048));
    }

    #[test]
    fn gemini_body_uses_model_role_function_parts_and_generation_config() {
        let body = round_trip().gemini_body();
        assert_eq!(body["contents"][1]["role"], json!("model"));
        assert_eq!(body["contents"][1]["parts"][1]["functionCall"]["args"]["path"], json!("a.rs"));
        assert_eq!(body["contents"][2]["parts"][0]["functionResponse"]["name"], json!("read_file"));
        assert_eq!(body["systemInstruction"]["parts"][0]["text"], json!("Be brief."));
        assert_eq!(body["generationConfig"]["maxOutputTokens"], json!(4096));
        assert_eq!(body["tools"][0]["functionDeclarations"][0]["name"], json!("read_file"));
    }
}
