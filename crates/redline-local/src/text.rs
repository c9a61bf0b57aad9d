//! Turning decoded token bytes into text to stream: UTF-8 characters split across tokens are
//! held until whole, and text that could be the start of a stop sequence is held until it is
//! known not to be one.

/// Bytes in, whole UTF-8 text out.
#[derive(Debug, Default)]
pub(crate) struct Utf8Joiner {
    pending: Vec<u8>,
}

impl Utf8Joiner {
    pub(crate) fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(text) => {
                    out.push_str(text);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    out.push_str(&String::from_utf8_lossy(&self.pending[..valid]));
                    match e.error_len() {
                        // An incomplete character at the end: wait for the next token.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }

    /// What is left at the end of the reply.
    pub(crate) fn finish(&mut self) -> String {
        let rest = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        rest
    }
}

/// Holds back text that may begin a stop sequence.
#[derive(Debug)]
pub(crate) struct StopFilter {
    stops: Vec<String>,
    held: String,
}

/// What to stream after a push, and whether a stop sequence was met.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Filtered {
    pub(crate) text: String,
    pub(crate) stopped: bool,
}

impl StopFilter {
    pub(crate) fn new(stops: &[String]) -> StopFilter {
        StopFilter { stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(), held: String::new() }
    }

    pub(crate) fn push(&mut self, text: &str) -> Filtered {
        self.held.push_str(text);
        let earliest = self.stops.iter().filter_map(|s| self.held.find(s.as_str())).min();
        if let Some(at) = earliest {
            let text = self.held[..at].to_owned();
            self.held.clear();
            return Filtered { text, stopped: true };
        }
        let keep = self.partial_stop_len();
        let cut = self.held.len() - keep;
        let text = self.held[..cut].to_owned();
        self.held.drain(..cut);
        Filtered { text, stopped: false }
    }

    /// The held text, once the reply ended without meeting a stop sequence.
    pub(crate) fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }

    /// Length of the longest end of `held` that is a proper start of a stop sequence.
    fn partial_stop_len(&self) -> usize {
        let held = self.held.as_str();
        held.char_indices()
            .map(|(i, _)| &held[i..])
            .find(|tail| self.stops.iter().any(|s| s.len() > tail.len() && s.starts_with(tail)))
            .map_or(0, str::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_split_across_tokens_is_held_until_whole() {
        let mut j = Utf8Joiner::default();
        let bytes = "é€".as_bytes();
        assert_eq!(j.push(&bytes[..1]), "");
        assert_eq!(j.push(&bytes[1..3]), "é");
        assert_eq!(j.push(&bytes[3..]), "€");
        assert_eq!(j.finish(), "");
    }

    #[test]
    fn invalid_utf8_becomes_a_replacement_character() {
        let mut j = Utf8Joiner::default();
        assert_eq!(j.push(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn stop_sequence_split_across_tokens_ends_the_reply_before_it() {
        let mut f = StopFilter::new(&["\nEND".to_owned()]);
        assert_eq!(f.push("hello\nE"), Filtered { text: "hello".into(), stopped: false });
        assert_eq!(f.push("N"), Filtered { text: "".into(), stopped: false });
        assert_eq!(f.push("D and more"), Filtered { text: "".into(), stopped: true });
    }

    #[test]
    fn held_text_that_turns_out_not_to_be_a_stop_is_released() {
        let mut f = StopFilter::new(&["STOP".to_owned()]);
        assert_eq!(f.push("ST"), Filtered { text: "".into(), stopped: false });
        assert_eq!(f.push("ay"), Filtered { text: "STay".into(), stopped: false });
        assert_eq!(f.push("S"), Filtered { text: "".into(), stopped: false });
        assert_eq!(f.finish(), "S");
    }

    #[test]
    fn without_stop_sequences_nothing_is_held() {
        let mut f = StopFilter::new(&[]);
        assert_eq!(f.push("héllo"), Filtered { text: "héllo".into(), stopped: false });
    }
}
