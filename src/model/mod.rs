//! Whisper weights: converting faster-whisper (CTranslate2) models to whisper.cpp's ggml format,
//! downloading ggml files, and finding the model to use.

pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod import;
pub mod store;
