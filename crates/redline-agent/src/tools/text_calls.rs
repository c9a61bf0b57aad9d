//! Tool calls for models without native tool calling: the instructions that teach the format,
//! and the parser that finds calls written that way in a reply.

use redline_llm::ToolSpec;
use serde_json::Value;

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";

/// Instructions listing the tools (name, description, argument schema) and the exact format to
/// call one.
pub fn text_tool_instructions(specs: &[ToolSpec]) -> String {
    let mut out = String::from(
        "You can use tools. To call one, write a block exactly like this, with the arguments as a JSON object:\n\
         <tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"src/lib.rs\"}}\n</tool_call>\n\
         You may write several blocks in one reply. After your reply, each tool's result comes back in a \
         <tool_result> block; wait for it instead of guessing what it says. When you need no more tools, \
         answer normally without any <tool_call> block.\n\nThe tools:\n",
    );
    for spec in specs {
        let schema = serde_json::to_string(&spec.schema).unwrap_or_else(|_| "{}".to_owned());
        out.push_str(&format!(
            "\n## {}\n{}\nArguments (JSON schema): {schema}\n",
            spec.name, spec.description
        ));
    }
    out
}

/// The tool calls written in `text`, in order: `<tool_call>` blocks (their JSON may be wrapped in
/// a ```json fence), or, when there are none, ```json / ```tool_call fences whose object has
/// `name` and `arguments`. `arguments` may be an object or a JSON string holding one. A
/// malformed call is returned as an error to show the model, never dropped.
pub fn parse_text_tool_calls(text: &str) -> Vec<Result<(String, Value), String>> {
    let tagged = tagged_blocks(text);
    if !tagged.is_empty() {
        return tagged.into_iter().map(|block| block.and_then(|b| parse_call(&b, true))).collect();
    }
    fenced_blocks(text)
        .into_iter()
        .filter_map(|(info, body)| {
            let explicit = info == "tool_call";
            let call = parse_call(&body, explicit);
            // A plain JSON example in an answer is not a call unless it is shaped like one.
            (explicit || call.is_ok()).then_some(call)
        })
        .collect()
}

fn tagged_blocks(text: &str) -> Vec<Result<String, String>> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        match after.find(CLOSE) {
            Some(end) => {
                blocks.push(Ok(after[..end].to_owned()));
                rest = &after[end + CLOSE.len()..];
            }
            None => {
                blocks.push(Err(format!(
                    "a {OPEN} block was not closed with {CLOSE}; write the whole call again"
                )));
                break;
            }
        }
    }
    blocks
}

/// ```` ```info ```` fenced blocks: (info string, body).
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else { continue };
        let info = info.trim().to_ascii_lowercase();
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim_start() != "```").collect();
        if info == "json" || info == "tool_call" {
            blocks.push((info, body.join("\n")));
        }
    }
    blocks
}

/// One call's JSON. With `strict`, anything but a well-formed call is an error; otherwise
/// a block that is not shaped like a call is an error the caller may discard.
fn parse_call(body: &str, strict: bool) -> Result<(String, Value), String> {
    let json = strip_fence(body.trim());
    let value: Value = serde_json::from_str(json).map_err(|e| {
        format!("the tool call is not valid JSON ({e}); write {{\"name\": …, \"arguments\": {{…}}}}")
    })?;
    let Value::Object(mut call) = value else {
        return Err("a tool call must be a JSON object with \"name\" and \"arguments\"".to_owned());
    };
    let name = match call.remove("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_owned(),
        _ => return Err("the tool call has no \"name\" string".to_owned()),
    };
    let arguments = match call.remove("arguments").or_else(|| call.remove("parameters")) {
        None if strict => Value::Object(Default::default()),
        None => return Err(format!("{name}: no \"arguments\"")),
        Some(Value::String(s)) => serde_json::from_str(&s)
            .map_err(|e| format!("the arguments of {name} are a string that is not valid JSON: {e}"))?,
        Some(other) => other,
    };
    if !arguments.is_object() {
        return Err(format!("the arguments of {name} must be a JSON object, got {arguments}"));
    }
    Ok((name, arguments))
}

fn strip_fence(body: &str) -> &str {
    let Some(rest) = body.strip_prefix("```") else { return body };
    let rest = rest.split_once('\n').map_or("", |(_, r)| r);
    rest.trim_end().strip_suffix("```").unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tools::agent_tool_specs;

    #[test]
    fn instructions_name_every_tool_and_a_call_written_as_shown_parses_back() {
        let specs = agent_tool_specs();
        let text = text_tool_instructions(&specs);
        for spec in &specs {
            assert!(text.contains(&format!("## {}\n", spec.name)), "{} missing", spec.name);
        }
        let example_start = text.find(OPEN).expect("the format is shown");
        let example_end = text.find(CLOSE).expect("closed") + CLOSE.len();
        let calls = parse_text_tool_calls(&text[example_start..example_end]);
        assert_eq!(calls, [Ok(("read_file".to_owned(), json!({"path": "src/lib.rs"})))]);
    }

    #[test]
    fn several_calls_fenced_json_and_string_arguments_are_understood() {
        let reply = "Let me look.\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"pattern\": \"fn main\"}}\n</tool_call>\n\
                     and\n<tool_call>\n```json\n{\"name\": \"read_file\", \"arguments\": \"{\\\"path\\\": \\\"a.rs\\\"}\"}\n```\n</tool_call>";
        let calls = parse_text_tool_calls(reply);
        assert_eq!(
            calls,
            [
                Ok(("search".to_owned(), json!({"pattern": "fn main"}))),
                Ok(("read_file".to_owned(), json!({"path": "a.rs"})))
            ]
        );
    }

    #[test]
    fn bare_json_fences_count_only_when_shaped_like_a_call() {
        let reply = "```json\n{\"name\": \"my-package\", \"version\": \"1.0.0\"}\n```\n\
                     ```json\n{\"name\": \"git_status\", \"arguments\": {}}\n```";
        assert_eq!(parse_text_tool_calls(reply), [Ok(("git_status".to_owned(), json!({})))]);
        assert!(parse_text_tool_calls("no tools here").is_empty());
    }

    #[test]
    fn malformed_calls_come_back_as_errors_to_tell_the_model() {
        let calls = parse_text_tool_calls(
            "<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": }</tool_call>\
             <tool_call>{\"arguments\": {}}</tool_call>\
             <tool_call>{\"name\": \"read_file\", \"arguments\": [1]}</tool_call>\
             <tool_call>{\"name\": \"list_files\"",
        );
        assert_eq!(calls.len(), 4, "{calls:?}");
        let errors: Vec<String> = calls.into_iter().map(|c| c.expect_err("malformed")).collect();
        assert!(errors[0].contains("not valid JSON"), "{}", errors[0]);
        assert!(errors[1].contains("no \"name\""), "{}", errors[1]);
        assert!(errors[2].contains("must be a JSON object"), "{}", errors[2]);
        assert!(errors[3].contains("not closed"), "{}", errors[3]);
    }
}
