//! Tool calls: `edit_file`, `create_file`, `delete_file`, `rename_file`, with arguments as a JSON
//! object or as a JSON string (OpenAI style), one call or an array of calls.

use serde_json::{Map, Value};

use super::{Item, ItemKind, Parsed};
use crate::edit::{Edit, EditKind, ParseError};

/// Reads the calls; each call that cannot be read becomes an error naming its position.
pub(crate) fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let calls = match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Array(calls)) => calls,
        Ok(call) => vec![call],
        Err(e) => {
            parsed
                .errors
                .push(ParseError { line: e.line(), message: format!("tool calls are not valid JSON: {e}") });
            return parsed;
        }
    };
    for (block, call) in calls.iter().enumerate() {
        match read_call(call, block) {
            Ok(edit) => {
                parsed.items.push(Item { kind: ItemKind::Edit(edit), end_line: usize::MAX, closed: true })
            }
            Err(message) => parsed
                .errors
                .push(ParseError { line: 1, message: format!("tool call {}: {message}", block + 1) }),
        }
    }
    parsed
}

/// One call in any of the common envelopes: `{name, arguments}`, `{function: {name, arguments}}`,
/// `{name, input}`.
fn read_call(call: &Value, block: usize) -> Result<Edit, String> {
    let call = call.get("function").unwrap_or(call);
    let name = call.get("name").and_then(Value::as_str).ok_or("no tool name")?;
    let raw = ["arguments", "input", "parameters", "args"]
        .iter()
        .find_map(|k| call.get(*k))
        .ok_or("no arguments")?;
    let args = match raw {
        Value::String(s) => {
            serde_json::from_str::<Value>(s).map_err(|e| format!("arguments are not valid JSON: {e}"))?
        }
        other => other.clone(),
    };
    let args = args.as_object().ok_or("arguments are not an object")?;
    let (path, kind) = match name {
        "edit_file" | "str_replace" | "replace_in_file" => edit_args(args)?,
        "create_file" | "write_file" => (
            text(args, &["path", "file_path"])?,
            EditKind::Create { content: text(args, &["content", "file_text"])? },
        ),
        "delete_file" => (text(args, &["path", "file_path"])?, EditKind::Delete),
        "rename_file" | "move_file" => (
            text(args, &["from", "path", "old_path"])?,
            EditKind::Rename { to: text(args, &["to", "new_path"])? },
        ),
        other => return Err(format!("unknown tool `{other}`")),
    };
    Ok(Edit { path, kind, block })
}

fn edit_args(args: &Map<String, Value>) -> Result<(String, EditKind), String> {
    let path = text(args, &["path", "file_path"])?;
    let old_text = text(args, &["old_text", "old_str", "old_string"])?;
    let new_text = text(args, &["new_text", "new_str", "new_string"])?;
    let line_hint = args.get("line_hint").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    let replace_all = args.get("replace_all").and_then(Value::as_bool).unwrap_or(false);
    Ok((path, EditKind::Replace { old_text, new_text, line_hint, replace_all }))
}

fn text(args: &Map<String, Value>, keys: &[&str]) -> Result<String, String> {
    keys.iter()
        .find_map(|k| args.get(*k).and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| format!("missing `{}`", keys[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_as_object_or_json_string_read_the_same() {
        let as_object = r#"[{"name":"edit_file","arguments":{"path":"a.rs","old_text":"x","new_text":"y"}}]"#;
        let as_string = r#"[{"name":"edit_file","arguments":"{\"path\":\"a.rs\",\"old_text\":\"x\",\"new_text\":\"y\"}"}]"#;
        assert_eq!(parse(as_object).items.len(), 1);
        assert_eq!(parse(as_object).items[0].kind, parse(as_string).items[0].kind);
    }

    #[test]
    fn every_tool_is_read() {
        let reply = r#"[{"name":"create_file","arguments":{"path":"n.txt","content":"hi\n"}},
            {"name":"delete_file","arguments":{"path":"d.txt"}},
            {"name":"rename_file","arguments":{"from":"a.txt","to":"b.txt"}}]"#;
        let parsed = parse(reply);
        assert_eq!(parsed.items.len(), 3);
        assert!(parsed.errors.is_empty());
    }

    #[test]
    fn unknown_tool_is_an_error() {
        let parsed = parse(r#"{"name":"format_disk","arguments":{}}"#);
        assert!(parsed.items.is_empty());
        assert!(parsed.errors[0].message.contains("format_disk"));
    }
}
