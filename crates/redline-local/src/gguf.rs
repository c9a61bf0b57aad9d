//! Reading a GGUF file's header ourselves: the metadata the Models page shows, and a check that
//! the file is whole before llama.cpp sees it (llama.cpp aborts the process on some damaged
//! files; this parser only ever returns an error).
//!
//! Layout (little-endian): `GGUF`, version u32 (2 or 3), tensor count u64, metadata count u64,
//! the metadata key/value pairs, the tensor descriptions (name, dimensions, type, offset), then
//! the tensor data, aligned to `general.alignment` (32 by default).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Serialize;

/// What the Models page shows about a GGUF file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GgufInfo {
    /// `general.name`, or the file name without `.gguf`.
    pub name: String,
    pub size_bytes: u64,
    /// Weights, counted from the tensor shapes.
    pub parameters: u64,
    /// `Q4_1`, `Q4_K_M`, `F16`…: from `general.file_type`, else the commonest tensor type.
    pub quantization: String,
    /// The context the model was trained for (`<arch>.context_length`), 0 when not stated.
    pub context_length: u64,
    /// `general.architecture`, e.g. `llama`.
    pub architecture: String,
    /// Whether the file carries a chat template (`tokenizer.chat_template`).
    pub has_chat_template: bool,
}

/// Why a file is not a usable GGUF model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GgufError {
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("{path} is not a GGUF model file (it does not start with \"GGUF\")")]
    NotGguf { path: String },
    #[error(
        "{path} uses GGUF version {version}, which Redline cannot read (versions 2 and 3 are supported)"
    )]
    Version { path: String, version: u32 },
    #[error(
        "{path} is truncated: {what} ends past the end of the file ({size} bytes); download or copy it again"
    )]
    Truncated { path: String, what: String, size: u64 },
    #[error("{path} is damaged: {what}")]
    Corrupt { path: String, what: String },
}

const MAGIC: &[u8; 4] = b"GGUF";
/// Longest key or string value we accept; real ones are far shorter (chat templates are a few
/// KB, the longest seen are ~100 KB).
const MAX_STRING: u64 = 64 << 20;
const MAX_DIMS: u32 = 8;
/// More tensors, metadata entries or array elements than any model has.
const MAX_COUNT: u64 = 1 << 32;

/// Reads and checks the header of the GGUF file at `path`.
pub fn gguf_info(path: &Path) -> Result<GgufInfo, GgufError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| GgufError::Io { path: shown.clone(), message: e.to_string() };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut reader =
        Reader { inner: BufReader::with_capacity(1 << 16, file), pos: 0, size, path: shown.clone() };
    let header = reader.header()?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(header.into_info(stem, size))
}

/// The values the header yields, before they become a [`GgufInfo`].
#[derive(Default)]
struct Header {
    name: Option<String>,
    architecture: Option<String>,
    file_type: Option<u64>,
    /// `(key, value)` of every `*.context_length` key, matched to the architecture at the end.
    context_lengths: Vec<(String, u64)>,
    has_chat_template: bool,
    parameters: u64,
    /// Elements per ggml tensor type, to name the quantization when `general.file_type` is absent.
    elements_by_type: Vec<(u32, u64)>,
}

impl Header {
    fn into_info(self, stem: String, size_bytes: u64) -> GgufInfo {
        let architecture = self.architecture.unwrap_or_default();
        let wanted = format!("{architecture}.context_length");
        let context_length = self
            .context_lengths
            .iter()
            .find(|(k, _)| *k == wanted)
            .or(self.context_lengths.first())
            .map_or(0, |(_, v)| *v);
        let quantization = self.file_type.and_then(file_type_name).map(str::to_owned).unwrap_or_else(|| {
            self.elements_by_type
                .iter()
                .max_by_key(|(_, n)| *n)
                .map_or_else(|| "unknown".to_owned(), |(t, _)| tensor_type_name(*t))
        });
        GgufInfo {
            name: self.name.filter(|n| !n.trim().is_empty()).unwrap_or(stem),
            size_bytes,
            parameters: self.parameters,
            quantization,
            context_length,
            architecture,
            has_chat_template: self.has_chat_template,
        }
    }
}

struct Reader {
    inner: BufReader<File>,
    pos: u64,
    size: u64,
    path: String,
}

// Metadata value types.
const T_U8: u32 = 0;
const T_I8: u32 = 1;
const T_U16: u32 = 2;
const T_I16: u32 = 3;
const T_U32: u32 = 4;
const T_I32: u32 = 5;
const T_F32: u32 = 6;
const T_BOOL: u32 = 7;
const T_STRING: u32 = 8;
const T_ARRAY: u32 = 9;
const T_U64: u32 = 10;
const T_I64: u32 = 11;
const T_F64: u32 = 12;

impl Reader {
    fn truncated(&self, what: &str) -> GgufError {
        GgufError::Truncated { path: self.path.clone(), what: what.to_owned(), size: self.size }
    }

    fn corrupt(&self, what: impl Into<String>) -> GgufError {
        GgufError::Corrupt { path: self.path.clone(), what: what.into() }
    }

    /// Makes sure `n` more bytes exist before reading or skipping them.
    fn need(&self, n: u64, what: &str) -> Result<(), GgufError> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.size => Ok(()),
            _ => Err(self.truncated(what)),
        }
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], GgufError> {
        self.need(N as u64, what)?;
        let mut buf = [0u8; N];
        self.inner.read_exact(&mut buf).map_err(|_| self.truncated(what))?;
        self.pos += N as u64;
        Ok(buf)
    }

    fn u32(&mut self, what: &str) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.bytes(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.bytes(what)?))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), GgufError> {
        self.need(n, what)?;
        let offset = i64::try_from(n).map_err(|_| self.truncated(what))?;
        self.inner.seek_relative(offset).map_err(|_| self.truncated(what))?;
        self.pos += n;
        Ok(())
    }

    fn string_len(&mut self, what: &str) -> Result<u64, GgufError> {
        let len = self.u64(what)?;
        if len > MAX_STRING {
            return Err(self.corrupt(format!("{what} claims to be {len} bytes long")));
        }
        self.need(len, what)?;
        Ok(len)
    }

    fn string(&mut self, what: &str) -> Result<String, GgufError> {
        let len = self.string_len(what)?;
        let mut buf = vec![0u8; usize::try_from(len).map_err(|_| self.truncated(what))?];
        self.inner.read_exact(&mut buf).map_err(|_| self.truncated(what))?;
        self.pos += len;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    fn header(&mut self) -> Result<Header, GgufError> {
        if self.size < 4 || self.bytes::<4>("the file signature")? != *MAGIC {
            return Err(GgufError::NotGguf { path: self.path.clone() });
        }
        let version = self.u32("the version")?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::Version { path: self.path.clone(), version });
        }
        let tensors = self.u64("the tensor count")?;
        let pairs = self.u64("the metadata count")?;
        // Absurd counts are damage; plausible ones past the end are truncation, found while
        // reading.
        if tensors > MAX_COUNT || pairs > MAX_COUNT {
            return Err(self.corrupt(format!("it claims {tensors} tensors and {pairs} metadata entries")));
        }
        let mut header = Header::default();
        let mut alignment = 32u64;
        for _ in 0..pairs {
            self.pair(&mut header, &mut alignment)?;
        }
        if alignment == 0 || !alignment.is_power_of_two() {
            return Err(self.corrupt(format!("general.alignment is {alignment}")));
        }
        let mut extents = Vec::new();
        for i in 0..tensors {
            extents.push(self.tensor(i, &mut header)?);
        }
        let data_start = self.pos.div_ceil(alignment) * alignment;
        for (name, offset, bytes) in extents {
            let end = data_start.checked_add(offset).and_then(|s| s.checked_add(bytes.unwrap_or(0)));
            match end {
                Some(end) if end <= self.size => {}
                _ => return Err(self.truncated(&format!("the data of tensor {name:?}"))),
            }
        }
        Ok(header)
    }

    fn pair(&mut self, header: &mut Header, alignment: &mut u64) -> Result<(), GgufError> {
        let key = self.string("a metadata key")?;
        let kind = self.u32("a metadata type")?;
        match (key.as_str(), kind) {
            ("general.name", T_STRING) => header.name = Some(self.string("general.name")?),
            ("general.architecture", T_STRING) => header.architecture = Some(self.string(&key)?),
            ("general.file_type", _) => header.file_type = self.integer(kind, &key)?,
            ("general.alignment", _) => *alignment = self.integer(kind, &key)?.unwrap_or(32),
            ("tokenizer.chat_template", T_STRING) => {
                header.has_chat_template = true;
                let len = self.string_len(&key)?;
                self.skip(len, &key)?;
            }
            (k, _) if k.ends_with(".context_length") => {
                if let Some(v) = self.integer(kind, &key)? {
                    header.context_lengths.push((key, v));
                }
            }
            _ => self.skip_value(kind, &key, 0)?,
        }
        Ok(())
    }

    /// An integer value of any width; `None` (and the value skipped) for other types.
    fn integer(&mut self, kind: u32, what: &str) -> Result<Option<u64>, GgufError> {
        Ok(Some(match kind {
            T_U8 | T_I8 => u64::from(self.bytes::<1>(what)?[0]),
            T_U16 | T_I16 => u64::from(u16::from_le_bytes(self.bytes(what)?)),
            T_U32 | T_I32 => u64::from(self.u32(what)?),
            T_U64 | T_I64 => self.u64(what)?,
            _ => {
                self.skip_value(kind, what, 0)?;
                return Ok(None);
            }
        }))
    }

    fn skip_value(&mut self, kind: u32, what: &str, depth: u32) -> Result<(), GgufError> {
        let fixed = match kind {
            T_U8 | T_I8 | T_BOOL => 1,
            T_U16 | T_I16 => 2,
            T_U32 | T_I32 | T_F32 => 4,
            T_U64 | T_I64 | T_F64 => 8,
            T_STRING => {
                let len = self.string_len(what)?;
                return self.skip(len, what);
            }
            T_ARRAY if depth < 2 => {
                let inner = self.u32(what)?;
                let count = self.u64(what)?;
                if count > MAX_COUNT {
                    return Err(self.corrupt(format!("{what} claims {count} elements")));
                }
                return match element_size(inner) {
                    Some(each) => self.skip(count.saturating_mul(each), what),
                    None => (0..count).try_for_each(|_| self.skip_value(inner, what, depth + 1)),
                };
            }
            _ => return Err(self.corrupt(format!("{what} has an unknown value type {kind}"))),
        };
        self.skip(fixed, what)
    }

    /// One tensor description: its name, its data offset and its byte size when the type is known.
    fn tensor(&mut self, index: u64, header: &mut Header) -> Result<(String, u64, Option<u64>), GgufError> {
        let name = self.string(&format!("the name of tensor {index}"))?;
        let dims = self.u32(&format!("the dimensions of tensor {name:?}"))?;
        if dims == 0 || dims > MAX_DIMS {
            return Err(self.corrupt(format!("tensor {name:?} has {dims} dimensions")));
        }
        let mut elements = 1u64;
        for _ in 0..dims {
            let d = self.u64(&format!("the shape of tensor {name:?}"))?;
            elements = elements
                .checked_mul(d)
                .ok_or_else(|| self.corrupt(format!("tensor {name:?} is impossibly large")))?;
        }
        let kind = self.u32(&format!("the type of tensor {name:?}"))?;
        let offset = self.u64(&format!("the offset of tensor {name:?}"))?;
        header.parameters = header.parameters.saturating_add(elements);
        match header.elements_by_type.iter_mut().find(|(t, _)| *t == kind) {
            Some((_, n)) => *n = n.saturating_add(elements),
            None => header.elements_by_type.push((kind, elements)),
        }
        let bytes = tensor_bytes(kind, elements);
        Ok((name, offset, bytes))
    }
}

fn element_size(kind: u32) -> Option<u64> {
    match kind {
        T_U8 | T_I8 | T_BOOL => Some(1),
        T_U16 | T_I16 => Some(2),
        T_U32 | T_I32 | T_F32 => Some(4),
        T_U64 | T_I64 | T_F64 => Some(8),
        _ => None,
    }
}

/// `(name, elements per block, bytes per block)` of the ggml tensor types, by type id.
const TENSOR_TYPES: &[(u32, &str, u64, u64)] = &[
    (0, "F32", 1, 4),
    (1, "F16", 1, 2),
    (2, "Q4_0", 32, 18),
    (3, "Q4_1", 32, 20),
    (6, "Q5_0", 32, 22),
    (7, "Q5_1", 32, 24),
    (8, "Q8_0", 32, 34),
    (9, "Q8_1", 32, 36),
    (10, "Q2_K", 256, 84),
    (11, "Q3_K", 256, 110),
    (12, "Q4_K", 256, 144),
    (13, "Q5_K", 256, 176),
    (14, "Q6_K", 256, 210),
    (15, "Q8_K", 256, 292),
    (16, "IQ2_XXS", 256, 66),
    (17, "IQ2_XS", 256, 74),
    (18, "IQ3_XXS", 256, 98),
    (19, "IQ1_S", 256, 50),
    (20, "IQ4_NL", 32, 18),
    (21, "IQ3_S", 256, 110),
    (22, "IQ2_S", 256, 82),
    (23, "IQ4_XS", 256, 136),
    (24, "I8", 1, 1),
    (25, "I16", 1, 2),
    (26, "I32", 1, 4),
    (27, "I64", 1, 8),
    (28, "F64", 1, 8),
    (29, "IQ1_M", 256, 56),
    (30, "BF16", 1, 2),
    (34, "TQ1_0", 256, 54),
    (35, "TQ2_0", 256, 66),
    (39, "MXFP4", 32, 17),
];

fn tensor_bytes(kind: u32, elements: u64) -> Option<u64> {
    let (_, _, block, bytes) = TENSOR_TYPES.iter().find(|t| t.0 == kind)?;
    Some(elements.div_ceil(*block).saturating_mul(*bytes))
}

fn tensor_type_name(kind: u32) -> String {
    TENSOR_TYPES.iter().find(|t| t.0 == kind).map_or_else(|| format!("type {kind}"), |t| t.1.to_owned())
}

/// llama.cpp's `llama_ftype`, as people name quantizations.
fn file_type_name(file_type: u64) -> Option<&'static str> {
    Some(match file_type {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4",
        _ => return None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small, valid GGUF: metadata and two F32 tensors with their data.
    pub(crate) fn tiny_gguf() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"GGUF");
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&2u64.to_le_bytes()); // tensors
        b.extend_from_slice(&5u64.to_le_bytes()); // metadata
        let string = |b: &mut Vec<u8>, s: &str| {
            b.extend_from_slice(&(s.len() as u64).to_le_bytes());
            b.extend_from_slice(s.as_bytes());
        };
        string(&mut b, "general.architecture");
        b.extend_from_slice(&T_STRING.to_le_bytes());
        string(&mut b, "llama");
        string(&mut b, "general.name");
        b.extend_from_slice(&T_STRING.to_le_bytes());
        string(&mut b, "Tiny Test");
        string(&mut b, "llama.context_length");
        b.extend_from_slice(&T_U32.to_le_bytes());
        b.extend_from_slice(&2048u32.to_le_bytes());
        string(&mut b, "tokenizer.ggml.tokens");
        b.extend_from_slice(&T_ARRAY.to_le_bytes());
        b.extend_from_slice(&T_STRING.to_le_bytes());
        b.extend_from_slice(&2u64.to_le_bytes());
        string(&mut b, "a");
        string(&mut b, "bc");
        string(&mut b, "general.file_type");
        b.extend_from_slice(&T_U32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        for (i, name) in ["a.weight", "b.weight"].iter().enumerate() {
            string(&mut b, name);
            b.extend_from_slice(&2u32.to_le_bytes());
            b.extend_from_slice(&4u64.to_le_bytes());
            b.extend_from_slice(&2u64.to_le_bytes());
            b.extend_from_slice(&0u32.to_le_bytes()); // F32
            b.extend_from_slice(&(i as u64 * 32).to_le_bytes());
        }
        while b.len() % 32 != 0 {
            b.push(0);
        }
        b.extend_from_slice(&[0u8; 64]);
        b
    }

    fn write(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tiny.gguf");
        std::fs::write(&path, bytes).expect("write");
        (dir, path)
    }

    #[test]
    fn gguf_info_reads_name_parameters_quantization_and_context() {
        let bytes = tiny_gguf();
        let (_dir, path) = write(&bytes);
        let info = gguf_info(&path).expect("info");
        assert_eq!(info.name, "Tiny Test");
        assert_eq!(info.parameters, 16);
        assert_eq!(info.quantization, "F32");
        assert_eq!(info.context_length, 2048);
        assert_eq!(info.architecture, "llama");
        assert_eq!(info.size_bytes, bytes.len() as u64);
        assert!(!info.has_chat_template);
    }

    #[test]
    fn every_truncation_of_a_gguf_is_an_error_not_a_panic() {
        let bytes = tiny_gguf();
        for len in 0..bytes.len() {
            let (_dir, path) = write(&bytes[..len]);
            let err = gguf_info(&path).expect_err(&format!("{len} bytes must not pass"));
            assert!(
                matches!(err, GgufError::Truncated { .. } | GgufError::NotGguf { .. }),
                "{len} bytes: {err}"
            );
        }
    }

    #[test]
    fn a_file_that_is_not_gguf_says_so() {
        let (_dir, path) = write(b"PK\x03\x04 this is a zip, not a model");
        let err = gguf_info(&path).expect_err("not gguf");
        assert!(err.to_string().contains("not a GGUF model file"), "{err}");
    }

    #[test]
    fn corrupted_counts_and_lengths_are_errors_not_huge_allocations() {
        let good = tiny_gguf();
        // Flip every byte of the header region in turn: any outcome but a panic is fine.
        for i in 4..good.len().min(400) {
            let mut bytes = good.clone();
            bytes[i] ^= 0xff;
            let (_dir, path) = write(&bytes);
            let _ = gguf_info(&path);
        }
        let mut bytes = good;
        bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes()); // metadata count
        let (_dir, path) = write(&bytes);
        assert!(matches!(gguf_info(&path), Err(GgufError::Corrupt { .. })));
    }

    #[test]
    fn an_unsupported_version_is_named() {
        let mut bytes = tiny_gguf();
        bytes[4..8].copy_from_slice(&1u32.to_le_bytes());
        let (_dir, path) = write(&bytes);
        let err = gguf_info(&path).expect_err("v1");
        assert!(err.to_string().contains("version 1"), "{err}");
    }
}
