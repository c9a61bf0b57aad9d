//! Tool calls: `edit_file`, `create_file`, `delete_file`, `rename_file`, `apply_patch`, with arguments as a JSON
//! object or as a JSON string (OpenAI style), one call or an array of calls.

use serde_json::{Map, Value};

use super::{Item, ItemKind, Parsed};
use crate::edit::{Edit, EditKind, ParseError, ParseOutput};

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
        match unwrap_call(call)
            .map_err(|m| call_error(block, m))
            .and_then(|(name, args)| tool_call_edits(name, args, block))
        {
            Ok(edits) => parsed.items.extend(edits.into_iter().map(|e| Item { kind: ItemKind::Edit(e) })),
            Err(error) => parsed.errors.push(error),
        }
    }
    parsed
}

/// Reads tool calls given as values (name and arguments, as a provider's stream assembles them)
/// into edits and errors, numbering the calls from 0 in order: what
/// [`parse_reply`](crate::parse_reply) with [`Format::ToolCalls`](crate::Format::ToolCalls)
/// gives for the same calls written as JSON.
pub fn read_tool_calls<'a>(calls: impl IntoIterator<Item = (&'a str, &'a Value)>) -> ParseOutput {
    let mut out = ParseOutput::default();
    for (block, (name, arguments)) in calls.into_iter().enumerate() {
        match tool_call_edits(name, arguments, block) {
            Ok(edits) => out.edits.extend(edits),
            Err(error) => out.errors.push(error),
        }
    }
    out
}

/// Reads one tool call into the edits it asks for: `edit_file` (alias `str_replace`,
/// `replace_in_file`), `create_file` (`write_file`), `delete_file`, `rename_file`
/// (`move_file`), with the argument names the edit tools declare and their common aliases, and
/// `apply_patch` (every edit of its patch).
///
/// `arguments` is the arguments object, or a JSON string holding one (as some providers send
/// them). `block` is the call's position among the reply's edit blocks: every edit of the call
/// carries it, and an error names the call by it ("tool call {block + 1}").
pub fn tool_call_edits(name: &str, arguments: &Value, block: usize) -> Result<Vec<Edit>, ParseError> {
    if name == "apply_patch" {
        return super::apply_patch::parse_apply_patch_call(arguments);
    }
    read_call(name, arguments, block).map(|edit| vec![edit]).map_err(|m| call_error(block, m))
}

fn call_error(block: usize, message: String) -> ParseError {
    ParseError { line: 1, message: format!("tool call {}: {message}", block + 1) }
}

/// The name and arguments of a call in any of the common envelopes: `{name, arguments}`,
/// `{function: {name, arguments}}`, `{name, input}`.
fn unwrap_call(call: &Value) -> Result<(&str, &Value), String> {
    let call = call.get("function").unwrap_or(call);
    let name = call.get("name").and_then(Value::as_str).ok_or("no tool name")?;
    let arguments = ["arguments", "input", "parameters", "args"]
        .iter()
        .find_map(|k| call.get(*k))
        .ok_or("no arguments")?;
    Ok((name, arguments))
}

fn read_call(name: &str, arguments: &Value, block: usize) -> Result<Edit, String> {
    let parsed;
    let args = match arguments {
        Value::String(s) => {
            parsed =
                serde_json::from_str::<Value>(s).map_err(|e| format!("arguments are not valid JSON: {e}"))?;
            &parsed
        }
        other => other,
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
    fn calls_given_as_values_read_like_the_same_calls_written_as_json() {
        let edit = serde_json::json!({"path": "a.rs", "old_text": "x", "new_text": "y"});
        let as_string = Value::String(edit.to_string());
        let rename = serde_json::json!({"from": "a.rs", "to": "b.rs"});
        let calls = [
            ("edit_file", &edit),
            ("edit_file", &as_string),
            ("format_disk", &edit),
            ("rename_file", &rename),
        ];
        let json: Vec<Value> =
            calls.iter().map(|(name, args)| serde_json::json!({"name": name, "arguments": args})).collect();
        let from_json = crate::parse_reply(
            &Value::Array(json).to_string(),
            crate::FormatChoice::Exact(crate::Format::ToolCalls),
        );
        let from_values = read_tool_calls(calls);
        assert_eq!(from_values, from_json);
        assert_eq!(from_values.edits.iter().map(|e| e.block).collect::<Vec<_>>(), [0, 1, 3]);
        assert_eq!(from_values.errors[0].message, "tool call 3: unknown tool `format_disk`");
    }

    #[test]
    fn one_call_reads_into_its_edits_or_an_error_naming_it() {
        let args = serde_json::json!({"path": "n.txt", "content": "hi\n"});
        let edits = tool_call_edits("create_file", &args, 4).expect("a create_file call");
        assert_eq!(
            edits,
            [Edit { path: "n.txt".into(), kind: EditKind::Create { content: "hi\n".into() }, block: 4 }]
        );
        let error =
            tool_call_edits("create_file", &Value::String("{not json".into()), 4).expect_err("bad JSON");
        assert!(error.message.starts_with("tool call 5: arguments are not valid JSON"), "{error}");
        let error = tool_call_edits("delete_file", &serde_json::json!({}), 0).expect_err("no path");
        assert_eq!(error.message, "tool call 1: missing `path`");
    }

    #[test]
    fn unknown_tool_is_an_error() {
        let parsed = parse(r#"{"name":"format_disk","arguments":{}}"#);
        assert!(parsed.items.is_empty());
        assert!(parsed.errors[0].message.contains("format_disk"));
    }
}
