//! Sentence embeddings from a BERT-family sentence-transformer (all-MiniLM-L6-v2 by default),
//! run on the CPU with candle: each text becomes one unit-length vector, the mean of its
//! tokens' last hidden states, so that texts meaning the same thing lie close together.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// The files a sentence-embedding model folder holds.
pub const WEIGHTS: &str = "model.safetensors";
pub const CONFIG: &str = "config.json";
pub const TOKENIZER: &str = "tokenizer.json";

/// Tokens kept of one text: a spoken sentence is far shorter; a run-on transcript without
/// punctuation is cut into windows before it gets here.
const MAX_TOKENS: usize = 128;

/// Texts embedded in one forward pass: sorted by length first, so padding stays small.
const BATCH: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the meaning model in {dir} is incomplete: {file} is missing")]
    Missing { dir: PathBuf, file: &'static str },
    #[error("could not read the meaning model's {what} in {dir}: {reason}")]
    Unreadable { dir: PathBuf, what: &'static str, reason: String },
    #[error("the meaning model failed on this text: {0}")]
    Run(String),
}

pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    /// The length of each embedding.
    pub dimension: usize,
}

impl Embedder {
    /// Loads the model in `dir` ([`WEIGHTS`], [`CONFIG`], [`TOKENIZER`]); the weights are
    /// memory-mapped, not copied.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        Self::check_files(dir)?;
        let unreadable = |what: &'static str| {
            move |reason: String| EmbedError::Unreadable { dir: dir.to_path_buf(), what, reason }
        };
        let config_text = std::fs::read_to_string(dir.join(CONFIG))
            .map_err(|e| unreadable("configuration")(e.to_string()))?;
        let config: Config = serde_json::from_str(&config_text)
            .map_err(|e| unreadable("configuration")(e.to_string()))?;
        let mut tokenizer = Tokenizer::from_file(dir.join(TOKENIZER))
            .map_err(|e| unreadable("tokenizer")(e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| unreadable("tokenizer")(e.to_string()))?;
        // SAFETY: the weights file is only read; callcoach never writes a model it is using.
        let weights = unsafe {
            VarBuilder::from_mmaped_safetensors(&[dir.join(WEIGHTS)], DType::F32, &Device::Cpu)
        }
        .map_err(|e| unreadable("weights")(e.to_string()))?;
        let model =
            BertModel::load(weights, &config).map_err(|e| unreadable("weights")(e.to_string()))?;
        Ok(Embedder { model, tokenizer, dimension: config.hidden_size })
    }

    /// Whether `dir` holds the model's files, without reading them.
    pub fn check_files(dir: &Path) -> Result<(), EmbedError> {
        for file in [WEIGHTS, CONFIG, TOKENIZER] {
            if !dir.join(file).is_file() {
                return Err(EmbedError::Missing { dir: dir.to_path_buf(), file });
            }
        }
        Ok(())
    }

    /// One unit-length embedding per text, in the order given.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut embeddings = vec![Vec::new(); texts.len()];
        for batch in order.chunks(BATCH) {
            let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            for (&i, embedding) in batch.iter().zip(self.embed_batch(&batch_texts)?) {
                embeddings[i] = embedding;
            }
        }
        Ok(embeddings)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let run = |e: candle_core::Error| EmbedError::Run(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Run(e.to_string()))?;
        let rows = |field: fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor, EmbedError> {
            let rows: Vec<Tensor> = encodings
                .iter()
                .map(|encoding| Tensor::new(field(encoding), &Device::Cpu))
                .collect::<Result<_, _>>()
                .map_err(run)?;
            Tensor::stack(&rows, 0).map_err(run)
        };
        let ids = rows(tokenizers::Encoding::get_ids)?;
        let type_ids = rows(tokenizers::Encoding::get_type_ids)?;
        let mask = rows(tokenizers::Encoding::get_attention_mask)?;
        let hidden = self.model.forward(&ids, &type_ids, Some(&mask)).map_err(run)?;
        // The mean over real tokens only, then scaled to unit length.
        let mask = mask.to_dtype(DType::F32).map_err(run)?.unsqueeze(2).map_err(run)?;
        let summed = hidden.broadcast_mul(&mask).and_then(|h| h.sum(1)).map_err(run)?;
        let counts = mask.sum(1).map_err(run)?;
        let mean = summed.broadcast_div(&counts).map_err(run)?;
        let norm = mean.sqr().and_then(|m| m.sum_keepdim(1)).and_then(|m| m.sqrt()).map_err(run)?;
        let unit = mean.broadcast_div(&norm.clamp(1e-12, f64::MAX).map_err(run)?).map_err(run)?;
        unit.to_vec2::<f32>().map_err(run)
    }
}
