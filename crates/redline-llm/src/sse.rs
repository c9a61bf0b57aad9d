//! Server-sent events, decoded incrementally as the WHATWG spec says: lines end in LF, CRLF or
//! CR; `data:` lines join with LF; a blank line dispatches; `:` starts a comment.

/// One dispatched event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, when the server named the event.
    pub event: Option<String>,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The previous chunk ended in CR: a LF starting the next chunk belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: Option<String>,
}

impl SseDecoder {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &b in bytes {
            let after_cr = std::mem::take(&mut self.after_cr);
            match b {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line) {
                        out.push(event);
                    }
                }
                _ => self.line.push(b),
            }
        }
        out
    }

    /// The connection closed: a final event without its blank line is still delivered.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            out.extend(self.line_done(&line));
        }
        out.extend(self.dispatch());
        out
    }

    fn line_done(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => match self.data.as_mut() {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "event" => self.event = Some(value.to_owned()),
            _ => {} // id, retry and unknown fields do not matter to model streams
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let data = self.data.take()?;
        Some(SseEvent { event, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::default();
        let mut out: Vec<SseEvent> = chunks.iter().flat_map(|c| d.push(c)).collect();
        out.extend(d.finish());
        out
    }

    #[test]
    fn sse_joins_data_lines_and_names_events() {
        let events = all(&[b"event: delta\ndata: a\ndata: b\n\n: comment\ndata:c\n\n"]);
        assert_eq!(
            events,
            vec![
                SseEvent { event: Some("delta".into()), data: "a\nb".into() },
                SseEvent { event: None, data: "c".into() }
            ]
        );
    }

    #[test]
    fn sse_accepts_crlf_and_cr_split_across_chunks() {
        let events = all(&[b"data: x\r", b"\n\r", b"\ndata: y\r\r"]);
        assert_eq!(events.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(), ["x", "y"]);
    }

    #[test]
    fn sse_delivers_a_final_event_without_blank_line() {
        assert_eq!(all(&[b"data: [DONE]"]), vec![SseEvent { event: None, data: "[DONE]".into() }]);
    }

    #[test]
    fn sse_ignores_events_without_data() {
        assert!(all(&[b"event: ping\n\n"]).is_empty());
    }
}
