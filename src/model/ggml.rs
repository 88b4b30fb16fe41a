//! whisper.cpp's ggml model files: reading the header of one, and writing a whole one.
//!
//! The layout (little-endian, no padding) is what whisper.cpp 1.8's loader reads:
//! magic, eleven `i32` hyperparameters, the mel filterbank, the text vocabulary, then
//! tensors until the end of the file.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use half::f16;
use serde::Serialize;

/// "ggml" read as a little-endian `u32`.
const MAGIC: u32 = 0x6767_6d6c;

/// whisper.cpp stores a quantized ftype as `type + 1000 × quantization version`; ggml's
/// q8_0 layout is quantization version 2.
const QUANTIZATION_VERSION: i32 = 2;

/// The hyperparameters at the start of a ggml file, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    /// ggml's file type: 0 f32, 1 f16, quantized types as `type + 1000 × version`.
    pub ftype: i32,
}

impl Hparams {
    /// The Whisper size, told apart by encoder depth as whisper.cpp does.
    pub fn size_name(&self) -> &'static str {
        match self.n_audio_layer {
            4 => "tiny",
            6 => "base",
            12 => "small",
            24 => "medium",
            32 => "large",
            _ => "unknown",
        }
    }

    /// English-only models lack the language tokens; whisper.cpp decides by vocabulary size.
    pub fn is_english_only(&self) -> bool {
        self.n_vocab < 51865
    }

    /// The name whisper.cpp's model repository uses: `tiny.en`, `base`, `large-v3`, …
    pub fn model_name(&self) -> String {
        let size = self.size_name();
        if self.is_english_only() {
            format!("{size}.en")
        } else if size == "large" && self.n_vocab == 51866 {
            // v3 added a language token; turbo is v3 with a four-layer decoder.
            if self.n_text_layer == 4 {
                "large-v3-turbo".to_owned()
            } else {
                "large-v3".to_owned()
            }
        } else {
            size.to_owned()
        }
    }

    /// The storage type of the weight matrices, in whisper.cpp's spelling.
    pub fn weight_type(&self) -> &'static str {
        // ggml's `enum ggml_ftype`; 5 and 6 were retired formats.
        match self.ftype % 1000 {
            0 => "f32",
            1 => "f16",
            2 => "q4_0",
            3 => "q4_1",
            4 => "q4_1_some_f16",
            7 => "q8_0",
            8 => "q5_0",
            9 => "q5_1",
            10 => "q2_k",
            11 => "q3_k",
            12 => "q4_k",
            13 => "q5_k",
            14 => "q6_k",
            _ => "unknown",
        }
    }

    fn fields(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_fields(f: [i32; 11]) -> Self {
        Hparams {
            n_vocab: f[0],
            n_audio_ctx: f[1],
            n_audio_state: f[2],
            n_audio_head: f[3],
            n_audio_layer: f[4],
            n_text_ctx: f[5],
            n_text_state: f[6],
            n_text_head: f[7],
            n_text_layer: f[8],
            n_mels: f[9],
            ftype: f[10],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GgmlError {
    #[error("{} is not a whisper.cpp ggml model (wrong magic number)", .path.display())]
    NotGgml { path: PathBuf },
    #[error("{} is truncated: it ends inside the ggml header", .path.display())]
    Truncated { path: PathBuf },
    /// A file that starts like a model but whose header or vocabulary cannot be one: loading
    /// it would crash whisper.cpp, which trusts these fields.
    #[error("{} is not a usable whisper.cpp model: {what}", .path.display())]
    Malformed { path: PathBuf, what: String },
    #[error("cannot read {}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Reads the hyperparameters of a ggml file, checking that it is one.
pub fn read_header(path: &Path) -> Result<Hparams, GgmlError> {
    let io_error = |source: io::Error| {
        if source.kind() == io::ErrorKind::UnexpectedEof {
            GgmlError::Truncated { path: path.to_owned() }
        } else {
            GgmlError::Io { path: path.to_owned(), source }
        }
    };
    let mut reader = BufReader::new(File::open(path).map_err(io_error)?);
    let mut word = [0; 4];
    reader.read_exact(&mut word).map_err(io_error)?;
    if u32::from_le_bytes(word) != MAGIC {
        return Err(GgmlError::NotGgml { path: path.to_owned() });
    }
    let mut fields = [0; 11];
    for field in &mut fields {
        reader.read_exact(&mut word).map_err(io_error)?;
        *field = i32::from_le_bytes(word);
    }
    Ok(Hparams::from_fields(fields))
}

/// Vocabulary sizes of the Whisper models: 51864 (English-only) to 51866 (large-v3).
/// whisper.cpp looks up special tokens by fixed ids near the end, so fewer is a crash.
const VOCABULARY_SIZES: std::ops::RangeInclusive<i32> = 51_864..=51_866;

/// Checks that a ggml file is a whole Whisper model up to its tensors — header, mel filters,
/// vocabulary — without loading it. whisper.cpp reads these fields unchecked and aborts the
/// process on a short or garbled file; a bad tensor it reports as an error.
pub fn check(path: &Path) -> Result<Hparams, GgmlError> {
    let hparams = read_header(path)?;
    let malformed = |what: String| GgmlError::Malformed { path: path.to_owned(), what };
    if !VOCABULARY_SIZES.contains(&hparams.n_vocab) {
        return Err(malformed(format!("its header gives {} tokens", hparams.n_vocab)));
    }
    let io_error = |source: io::Error| {
        if source.kind() == io::ErrorKind::UnexpectedEof {
            malformed("the file ends inside its vocabulary (a download cut short?)".to_owned())
        } else {
            GgmlError::Io { path: path.to_owned(), source }
        }
    };
    let mut reader = BufReader::new(File::open(path).map_err(io_error)?);
    reader.seek_relative(4 * 12).map_err(io_error)?;
    let (n_mels, n_fft) =
        (read_i32(&mut reader).map_err(io_error)?, read_i32(&mut reader).map_err(io_error)?);
    if n_mels != hparams.n_mels || !(1..=1024).contains(&n_fft) {
        return Err(malformed(format!("its mel filterbank is {n_mels} × {n_fft}")));
    }
    skip(&mut reader, 4 * i64::from(n_mels) * i64::from(n_fft)).map_err(io_error)?;
    let tokens = read_i32(&mut reader).map_err(io_error)?;
    if !(1..=hparams.n_vocab).contains(&tokens) {
        return Err(malformed(format!("its vocabulary has {tokens} tokens")));
    }
    for _ in 0..tokens {
        let len = read_i32(&mut reader).map_err(io_error)?;
        // Whisper's longest token is 128 bytes.
        if !(0..=1024).contains(&len) {
            return Err(malformed(format!("a token of {len} bytes")));
        }
        skip(&mut reader, i64::from(len)).map_err(io_error)?;
    }
    // The tensors must follow.
    read_i32(&mut reader)
        .map_err(|_| malformed("it has no weights after the vocabulary".to_owned()))?;
    Ok(hparams)
}

fn read_i32(reader: &mut impl Read) -> io::Result<i32> {
    let mut word = [0; 4];
    reader.read_exact(&mut word)?;
    Ok(i32::from_le_bytes(word))
}

/// Skips `n` bytes, failing like a read if the file ends first.
fn skip(reader: &mut BufReader<File>, n: i64) -> io::Result<()> {
    let copied = io::copy(&mut reader.by_ref().take(n as u64), &mut io::sink())?;
    if copied < n as u64 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// How a tensor's values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    F32,
    F16,
    /// Blocks of 32 values: an f16 scale and 32 `i8`.
    Q8_0,
    /// Blocks of 32 values: an f16 scale and 32 4-bit values, two to a byte.
    Q4_0,
}

/// Values per q8_0 or q4_0 block.
pub const QUANT_BLOCK: usize = 32;

impl TensorType {
    /// ggml's `enum ggml_type` number.
    fn code(self) -> i32 {
        match self {
            TensorType::F32 => 0,
            TensorType::F16 => 1,
            TensorType::Q8_0 => 8,
            TensorType::Q4_0 => 2,
        }
    }

    /// The `ftype` of a file whose weight matrices have this type.
    pub fn ftype(self) -> i32 {
        match self {
            TensorType::F32 => 0,
            TensorType::F16 => 1,
            TensorType::Q8_0 => 7 + 1000 * QUANTIZATION_VERSION,
            TensorType::Q4_0 => 2 + 1000 * QUANTIZATION_VERSION,
        }
    }

    /// The quantization this type stores, if it is one.
    pub fn quantization(self) -> Option<super::import::Quantization> {
        use super::import::Quantization;
        match self {
            TensorType::F32 | TensorType::F16 => None,
            TensorType::Q8_0 => Some(Quantization::Q8_0),
            TensorType::Q4_0 => Some(Quantization::Q4_0),
        }
    }

    /// Bytes taken by `n` values (quantized, `n` must be a multiple of the block size).
    pub fn data_size(self, n: usize) -> usize {
        match self {
            TensorType::F32 => 4 * n,
            TensorType::F16 => 2 * n,
            TensorType::Q8_0 => n / QUANT_BLOCK * (2 + QUANT_BLOCK),
            TensorType::Q4_0 => n / QUANT_BLOCK * (2 + QUANT_BLOCK / 2),
        }
    }

    fn encode(self, values: &[f32], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(self.data_size(values.len()));
        match self {
            TensorType::F32 => values.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
            TensorType::F16 => {
                values.iter().for_each(|&v| out.extend_from_slice(&f16::from_f32(v).to_le_bytes()))
            }
            TensorType::Q8_0 => {
                values.chunks_exact(QUANT_BLOCK).for_each(|block| quantize_q8_0_block(block, out))
            }
            TensorType::Q4_0 => {
                values.chunks_exact(QUANT_BLOCK).for_each(|block| quantize_q4_0_block(block, out))
            }
        }
    }
}

/// ggml's reference q8_0 quantizer (`quantize_row_q8_0_ref`), which is what whisper.cpp's
/// `quantize` tool runs: same f32 arithmetic and rounding, so the output matches it.
fn quantize_q8_0_block(block: &[f32], out: &mut Vec<u8>) {
    let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
    out.extend(block.iter().map(|&v| (v * id).round() as i8 as u8));
}

/// ggml's reference q4_0 quantizer (`quantize_row_q4_0_ref`): the value of largest magnitude
/// maps to -8 exactly, the others to the nearest of -8..=7 steps; the first half of the block
/// goes to the low nibbles, the second half to the high ones.
fn quantize_q4_0_block(block: &[f32], out: &mut Vec<u8>) {
    let max = block.iter().fold(0.0f32, |m, &v| if v.abs() > m.abs() { v } else { m });
    let d = max / -8.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
    let half = block.len() / 2;
    // C's float-to-int8 conversion truncates; + 8.5 makes that a rounding of x + 8.
    let nibble = |v: f32| ((v * id + 8.5) as i8).min(15) as u8;
    out.extend((0..half).map(|j| nibble(block[j]) | nibble(block[half + j]) << 4));
}

/// Bytes a tensor record takes in the file: its header, name and data.
pub fn tensor_record_size(name: &str, shape: &[usize], ty: TensorType) -> u64 {
    let header = 4 * (3 + shape.len()) + name.len();
    (header + ty.data_size(shape.iter().product())) as u64
}

/// Writes a ggml file front to back: [`Writer::new`] writes everything before the
/// tensors, then one [`Writer::tensor`] per tensor.
pub struct Writer<W: Write> {
    out: W,
    written: u64,
    encoded: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Writes the header, the mel filterbank whisper.cpp computes spectrograms with, and the
    /// vocabulary (token bytes in id order).
    pub fn new(out: W, hparams: &Hparams, vocabulary: &[Vec<u8>]) -> io::Result<Self> {
        let mut writer = Writer { out, written: 0, encoded: Vec::new() };
        writer.put(&MAGIC.to_le_bytes())?;
        for field in hparams.fields() {
            writer.put_i32(field)?;
        }
        let n_mels = hparams.n_mels as usize;
        writer.put_i32(hparams.n_mels)?;
        writer.put_i32(FFT_BINS as i32)?;
        let filters = mel_filters(n_mels);
        writer.put_values(TensorType::F32, &filters)?;
        writer.put_i32(vocabulary.len() as i32)?;
        for token in vocabulary {
            writer.put(&(token.len() as u32).to_le_bytes())?;
            writer.put(token)?;
        }
        Ok(writer)
    }

    /// Starts a tensor of `shape` (outermost dimension first, as numpy and CTranslate2 write
    /// it); its values follow through the returned [`TensorWriter`], in row-major order.
    pub fn tensor(
        &mut self,
        name: &str,
        shape: &[usize],
        ty: TensorType,
    ) -> io::Result<TensorWriter<'_, W>> {
        self.put_i32(shape.len() as i32)?;
        self.put_i32(name.len() as i32)?;
        self.put_i32(ty.code())?;
        // ggml counts dimensions innermost first.
        for &dim in shape.iter().rev() {
            self.put_i32(dim as i32)?;
        }
        self.put(name.as_bytes())?;
        Ok(TensorWriter { writer: self, ty })
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and hands back the destination.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn put_i32(&mut self, value: i32) -> io::Result<()> {
        self.put(&value.to_le_bytes())
    }

    fn put_values(&mut self, ty: TensorType, values: &[f32]) -> io::Result<()> {
        let mut encoded = std::mem::take(&mut self.encoded);
        ty.encode(values, &mut encoded);
        let result = self.put(&encoded);
        self.encoded = encoded;
        result
    }
}

/// The data of one tensor, written in pieces so that a large tensor never needs to exist
/// as f32 all at once.
pub struct TensorWriter<'a, W: Write> {
    writer: &'a mut Writer<W>,
    ty: TensorType,
}

impl<W: Write> TensorWriter<'_, W> {
    /// Appends values; for q8_0 the count must be a whole number of blocks.
    pub fn write(&mut self, values: &[f32]) -> io::Result<()> {
        self.writer.put_values(self.ty, values)
    }

    /// Bytes written to the file so far.
    pub fn written(&self) -> u64 {
        self.writer.written
    }
}

/// Whisper's spectrogram: 16 kHz audio, 400-sample FFT, so 201 frequency bins.
const SAMPLE_RATE: f64 = 16_000.0;
const FFT_BINS: usize = 400 / 2 + 1;

/// librosa's `filters.mel(sr=16000, n_fft=400, n_mels)` with its defaults (Slaney mel
/// scale, Slaney area normalisation), row-major `n_mels × 201`, reproducing openai-whisper's
/// `mel_filters.npz` (which the official ggml files carry) bit for bit.
fn mel_filters(n_mels: usize) -> Vec<f32> {
    let nyquist = SAMPLE_RATE / 2.0;
    let fft_freqs: Vec<f64> =
        (0..FFT_BINS).map(|i| nyquist * i as f64 / (FFT_BINS - 1) as f64).collect();
    let (low, high) = (hz_to_mel(0.0), hz_to_mel(nyquist));
    // numpy's linspace: a multiplied step, and the end point exact.
    let step = (high - low) / (n_mels + 1) as f64;
    let mut mel_freqs: Vec<f64> =
        (0..n_mels + 2).map(|i| mel_to_hz(i as f64 * step + low)).collect();
    mel_freqs[n_mels + 1] = mel_to_hz(high);
    let mut filters = Vec::with_capacity(n_mels * FFT_BINS);
    for m in 0..n_mels {
        let (left, center, right) = (mel_freqs[m], mel_freqs[m + 1], mel_freqs[m + 2]);
        let norm = 2.0 / (right - left);
        filters.extend(fft_freqs.iter().map(|&f| {
            let rising = -(left - f) / (center - left);
            let falling = (right - f) / (right - center);
            // numpy's minimum/maximum return the second operand on ties, which keeps the
            // sign of the -0.0 that librosa produces at 0 Hz.
            let peak = if rising < falling { rising } else { falling };
            let weight = if 0.0 > peak { 0.0 } else { peak };
            // librosa stores the triangles in an f32 array before normalising them; rounding
            // once instead changes 118 of the 16,080 values by one ulp.
            ((weight as f32) as f64 * norm) as f32
        }));
    }
    filters
}

// Slaney's mel scale: linear below 1 kHz, logarithmic above.
const MEL_LINEAR_STEP: f64 = 200.0 / 3.0;
const MEL_LOG_START_HZ: f64 = 1000.0;
const MEL_LOG_START: f64 = MEL_LOG_START_HZ / MEL_LINEAR_STEP;

fn mel_log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MEL_LOG_START_HZ {
        MEL_LOG_START + (hz / MEL_LOG_START_HZ).ln() / mel_log_step()
    } else {
        hz / MEL_LINEAR_STEP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MEL_LOG_START {
        MEL_LOG_START_HZ * (mel_log_step() * (mel - MEL_LOG_START)).exp()
    } else {
        mel * MEL_LINEAR_STEP
    }
}

/// A reader for whole ggml files, for checking what the writer and the importer produce.
#[cfg(test)]
pub(crate) mod testing {
    use super::Hparams;

    /// The hyperparameters of the official ggml-tiny.en.bin (float16).
    pub(crate) fn tiny_en() -> Hparams {
        Hparams {
            n_vocab: 51864,
            n_audio_ctx: 1500,
            n_audio_state: 384,
            n_audio_head: 6,
            n_audio_layer: 4,
            n_text_ctx: 448,
            n_text_state: 384,
            n_text_head: 6,
            n_text_layer: 4,
            n_mels: 80,
            ftype: 1,
        }
    }

    use super::*;

    pub struct GgmlFile {
        pub hparams: Hparams,
        pub filters: Vec<f32>,
        pub vocabulary: Vec<Vec<u8>>,
        pub tensors: Vec<Tensor>,
    }

    pub struct Tensor {
        pub name: String,
        /// Outermost dimension first (numpy order).
        pub shape: Vec<usize>,
        pub ty: TensorType,
        pub data: Vec<u8>,
    }

    impl Tensor {
        pub fn values(&self) -> Vec<f32> {
            let data = &self.data;
            match self.ty {
                TensorType::F32 => data
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                    .collect(),
                TensorType::F16 => data
                    .chunks_exact(2)
                    .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
                TensorType::Q8_0 => data
                    .chunks_exact(2 + QUANT_BLOCK)
                    .flat_map(|b| {
                        let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
                        b[2..].iter().map(move |&q| q as i8 as f32 * d)
                    })
                    .collect(),
                TensorType::Q4_0 => data
                    .chunks_exact(2 + QUANT_BLOCK / 2)
                    .flat_map(|b| {
                        let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
                        let low = b[2..].iter().map(move |&q| ((q & 0x0f) as f32 - 8.0) * d);
                        let high = b[2..].iter().map(move |&q| ((q >> 4) as f32 - 8.0) * d);
                        low.chain(high).collect::<Vec<_>>()
                    })
                    .collect(),
            }
        }
    }

    impl GgmlFile {
        pub fn tensor(&self, name: &str) -> &Tensor {
            self.tensors
                .iter()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("no tensor {name}"))
        }
    }

    struct Cursor<'a>(&'a [u8]);

    impl<'a> Cursor<'a> {
        fn take(&mut self, n: usize) -> &'a [u8] {
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            head
        }

        fn i32(&mut self) -> i32 {
            i32::from_le_bytes(self.take(4).try_into().unwrap())
        }

        fn usize(&mut self) -> usize {
            usize::try_from(self.i32()).unwrap()
        }
    }

    pub fn read(path: &Path) -> GgmlFile {
        let bytes = std::fs::read(path).unwrap();
        let mut cursor = Cursor(&bytes);
        assert_eq!(cursor.i32() as u32, MAGIC);
        let mut fields = [0; 11];
        for field in &mut fields {
            *field = cursor.i32();
        }
        let n_filters = cursor.usize() * cursor.usize();
        let filters = Tensor {
            name: String::new(),
            shape: vec![n_filters],
            ty: TensorType::F32,
            data: cursor.take(4 * n_filters).to_vec(),
        }
        .values();
        let vocabulary = (0..cursor.usize())
            .map(|_| {
                let len = cursor.usize();
                cursor.take(len).to_vec()
            })
            .collect();
        let mut tensors = Vec::new();
        while !cursor.0.is_empty() {
            let n_dims = cursor.usize();
            let name_len = cursor.usize();
            let ty = match cursor.i32() {
                0 => TensorType::F32,
                1 => TensorType::F16,
                8 => TensorType::Q8_0,
                2 => TensorType::Q4_0,
                other => panic!("unexpected tensor type {other}"),
            };
            let mut shape: Vec<usize> = (0..n_dims).map(|_| cursor.usize()).collect();
            shape.reverse();
            let name = String::from_utf8(cursor.take(name_len).to_vec()).unwrap();
            let data = cursor.take(ty.data_size(shape.iter().product())).to_vec();
            tensors.push(Tensor { name, shape, ty, data });
        }
        GgmlFile { hparams: Hparams::from_fields(fields), filters, vocabulary, tensors }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::tiny_en;
    use super::*;

    #[test]
    fn names_follow_whisper_cpp() {
        let tiny = tiny_en();
        assert_eq!(tiny.model_name(), "tiny.en");
        assert_eq!(tiny.weight_type(), "f16");
        let base = Hparams {
            n_vocab: 51865,
            n_audio_layer: 6,
            n_text_layer: 6,
            ftype: TensorType::Q8_0.ftype(),
            ..tiny
        };
        assert_eq!(base.model_name(), "base");
        assert!(!base.is_english_only());
        assert_eq!(base.weight_type(), "q8_0");
        let large = Hparams { n_vocab: 51866, n_audio_layer: 32, n_text_layer: 32, ..tiny };
        assert_eq!(large.model_name(), "large-v3");
        let turbo = Hparams { n_text_layer: 4, ..large };
        assert_eq!(turbo.model_name(), "large-v3-turbo");
    }

    #[test]
    fn header_round_trips_and_rejects_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        let vocabulary = vec![b"a".to_vec(), Vec::new(), b" the".to_vec()];
        let mut writer = Writer::new(Vec::new(), &tiny_en(), &vocabulary).unwrap();
        let shape = [2, 32];
        let expected_size = writer.written() + tensor_record_size("w", &shape, TensorType::Q8_0);
        let values: Vec<f32> = (0..64).map(|i| i as f32 / 7.0 - 4.0).collect();
        writer.tensor("w", &shape, TensorType::Q8_0).unwrap().write(&values).unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(bytes.len() as u64, expected_size);
        std::fs::write(&path, &bytes).unwrap();

        assert_eq!(read_header(&path).unwrap(), tiny_en());
        let file = testing::read(&path);
        assert_eq!(file.vocabulary, vocabulary);
        assert_eq!(file.filters.len(), 80 * 201);
        let tensor = file.tensor("w");
        assert_eq!(tensor.shape, shape);
        for (got, want) in tensor.values().iter().zip(&values) {
            // Half a step (max |x| / 127, here 5 / 127) plus the f16 rounding of the step.
            assert!((got - want).abs() <= 0.6 * 5.0 / 127.0, "{got} vs {want}");
        }

        std::fs::write(&path, b"GGUF and more").unwrap();
        assert!(matches!(read_header(&path), Err(GgmlError::NotGgml { .. })));
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(matches!(read_header(&path), Err(GgmlError::Truncated { .. })));
        assert!(matches!(read_header(&dir.path().join("missing.bin")), Err(GgmlError::Io { .. })));
    }

    #[test]
    fn q8_0_matches_ggml_reference() {
        // Exact halves round away from zero, as C's roundf does.
        let mut block = vec![0.0f32; QUANT_BLOCK];
        block[0] = 127.0;
        block[1] = -0.5;
        block[2] = 2.5;
        block[3] = -127.0;
        let mut out = Vec::new();
        quantize_q8_0_block(&block, &mut out);
        assert_eq!(f16::from_le_bytes([out[0], out[1]]).to_f32(), 1.0);
        assert_eq!(&out[2..6], &[127u8, (-1i8) as u8, 3, (-127i8) as u8]);
        let mut zeros = Vec::new();
        quantize_q8_0_block(&[0.0; QUANT_BLOCK], &mut zeros);
        assert!(zeros.iter().all(|&b| b == 0));
    }

    #[test]
    fn q4_0_matches_ggml_reference() {
        let mut block = vec![0.0f32; QUANT_BLOCK];
        block[0] = -16.0; // the largest magnitude: the step is -16 / -8 = 2, and it maps to -8
        block[1] = 16.0; // +8 steps is beyond 7: clipped
        block[2] = 3.0; // 1.5 steps: rounds up
        block[16] = -5.0; // -2.5 steps, the high nibble of byte 0
        let mut out = Vec::new();
        quantize_q4_0_block(&block, &mut out);
        assert_eq!(f16::from_le_bytes([out[0], out[1]]).to_f32(), 2.0);
        // Nibbles hold steps + 8; zeros are 8.
        assert_eq!(&out[2..5], &[6 << 4, 15 | 8 << 4, 10 | 8 << 4]);
        let mut zeros = Vec::new();
        quantize_q4_0_block(&[0.0; QUANT_BLOCK], &mut zeros);
        assert!(zeros[2..].iter().all(|&b| b == 0x88));
    }

    #[test]
    fn mel_filters_match_openai_whisper() {
        // FNV-1a of the little-endian f32 bytes of `mel_80` and `mel_128` in openai-whisper's
        // whisper/assets/mel_filters.npz (release 20250625).
        let fnv1a = |values: &[f32]| {
            values.iter().flat_map(|v| v.to_le_bytes()).fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
            })
        };
        assert_eq!(fnv1a(&mel_filters(80)), 0x173a_8442_ad00_0426);
        assert_eq!(fnv1a(&mel_filters(128)), 0x4319_6325_f8f5_1341);
    }
}
