//! The built-in model engine: GGUF models run in-process through llama.cpp (the `llama-cpp-2`
//! crate), behind the same [`redline_llm::LanguageModel`] trait as every provider, so a person
//! with no key and no model server can chat at once.
//!
//! It owns: reading GGUF headers ([`gguf_info`], also the guard that keeps damaged files away
//! from llama.cpp), applying a model's chat template, sampling, stop sequences and streaming on
//! a worker thread. It never downloads anything, never touches the network, and never blocks an
//! async task: the first request loads the model on that thread, and one model stays loaded.

mod engine;
mod generate;
mod gguf;
mod text;

pub use engine::{backend, load_model, physical_cores, LocalModel, LocalOptions, DEFAULT_MAX_CONTEXT};
pub use gguf::{gguf_info, GgufError, GgufInfo};
