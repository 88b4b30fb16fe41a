//! CTranslate2 `model.bin` files, the weights faster-whisper loads: named variables with a
//! shape and a type, read as f32 whatever their storage.
//!
//! The layout (little-endian) is CTranslate2's binary versions 4 to 6: `u32 version`, the spec
//! name, `u32 revision`, `u32 count`, then per variable its name, `u8 rank`, `rank × u32`
//! dimensions, `u8 dtype`, `u32 byte count` and the data; then `u32 count` alias pairs.
//! Strings are a `u16` length and that many bytes, NUL included.

use std::collections::HashMap;
use std::io::{self, Read};
use std::ops::{Range, RangeInclusive};

use half::{bf16, f16};

/// The binary versions this reader understands: CTranslate2's own loader reads 4 to 6 the
/// same way (3 and earlier stored item sizes instead of types); 6 is what it writes today.
pub const FORMAT_VERSIONS: RangeInclusive<u32> = 4..=6;

#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    #[error("cannot read it: {0}")]
    Io(#[source] io::Error),
    #[error("it is truncated (the file ends early; was a download or a part missing?)")]
    Truncated,
    #[error("it has data after its last variable (a part given twice, or not a model?)")]
    TrailingData,
    #[error(
        "it is CTranslate2 format version {0}, this tool reads versions 4 to 6 \
         (convert the model with a current faster-whisper or CTranslate2)"
    )]
    UnsupportedVersion(u32),
    #[error("it is malformed: {0}")]
    Malformed(String),
    #[error("it has no variable `{0}`")]
    MissingVariable(String),
    #[error("variable `{name}` holds {dtype:?} values, which cannot be read as {wanted}")]
    UnexpectedType { name: String, dtype: DType, wanted: &'static str },
}

impl From<io::Error> for Ct2Error {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            Ct2Error::Truncated
        } else {
            Ct2Error::Io(error)
        }
    }
}

/// How a variable's values are stored; the numbers are CTranslate2's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }
}

pub struct Variable {
    /// Outermost dimension first; empty for a scalar.
    pub shape: Vec<usize>,
    pub dtype: DType,
    /// `None` when the model was read with [`Contents::Shapes`].
    data: Option<Vec<u8>>,
}

impl Variable {
    /// Values per row, a row being one index of the first dimension.
    fn row_len(&self) -> usize {
        self.shape.iter().skip(1).product()
    }

    fn data(&self) -> &[u8] {
        self.data.as_deref().expect("the model was read with Contents::Shapes")
    }
}

/// What [`read`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    Everything,
    /// Shapes, types and scalars only: enough to describe a model without holding it.
    Shapes,
}

pub struct Model {
    /// The model class CTranslate2 saved, e.g. `WhisperSpec`.
    pub spec: String,
    pub revision: u32,
    variables: HashMap<String, Variable>,
    aliases: HashMap<String, String>,
}

/// Reads a whole `model.bin`, checking that nothing follows it.
pub fn read(mut reader: impl Read, contents: Contents) -> Result<Model, Ct2Error> {
    let version = read_u32(&mut reader)?;
    if !FORMAT_VERSIONS.contains(&version) {
        return Err(Ct2Error::UnsupportedVersion(version));
    }
    let spec = read_string(&mut reader)?;
    let revision = read_u32(&mut reader)?;
    let count = read_u32(&mut reader)?;
    let mut variables = HashMap::new();
    for _ in 0..count {
        let name = read_string(&mut reader)?;
        let variable = read_variable(&mut reader, &name, contents)?;
        variables.insert(name, variable);
    }
    let mut aliases = HashMap::new();
    for _ in 0..read_u32(&mut reader)? {
        let alias = read_string(&mut reader)?;
        aliases.insert(alias, read_string(&mut reader)?);
    }
    if reader.read(&mut [0])? != 0 {
        return Err(Ct2Error::TrailingData);
    }
    Ok(Model { spec, revision, variables, aliases })
}

fn read_variable(
    reader: &mut impl Read,
    name: &str,
    contents: Contents,
) -> Result<Variable, Ct2Error> {
    let mut rank = [0];
    reader.read_exact(&mut rank)?;
    let shape = (0..rank[0])
        .map(|_| read_u32(reader).map(|dim| dim as usize))
        .collect::<Result<Vec<_>, _>>()?;
    let mut code = [0];
    reader.read_exact(&mut code)?;
    let dtype = DType::from_code(code[0])
        .ok_or_else(|| Ct2Error::Malformed(format!("`{name}` has unknown type {}", code[0])))?;
    let n_bytes = read_u32(reader)? as u64;
    if shape.iter().product::<usize>() as u64 * dtype.size() as u64 != n_bytes {
        return Err(Ct2Error::Malformed(format!(
            "`{name}` holds {n_bytes} bytes, which does not fit its shape {shape:?}"
        )));
    }
    let mut limited = reader.take(n_bytes);
    let data = if contents == Contents::Everything || shape.is_empty() {
        // Grown as data arrives rather than trusting the byte count of a damaged file.
        let mut data = Vec::with_capacity(n_bytes.min(1 << 26) as usize);
        limited.read_to_end(&mut data)?;
        Some(data)
    } else {
        io::copy(&mut limited, &mut io::sink())?;
        None
    };
    if limited.limit() != 0 {
        return Err(Ct2Error::Truncated);
    }
    Ok(Variable { shape, dtype, data })
}

fn read_u32(reader: &mut impl Read) -> io::Result<u32> {
    let mut bytes = [0; 4];
    reader.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

fn read_string(reader: &mut impl Read) -> Result<String, Ct2Error> {
    let mut len = [0; 2];
    reader.read_exact(&mut len)?;
    let mut bytes = vec![0; u16::from_le_bytes(len) as usize];
    reader.read_exact(&mut bytes)?;
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|_| Ct2Error::Malformed("a name is not UTF-8 text".to_owned()))
}

impl Model {
    /// Names of the stored variables (aliases excluded).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.variables.keys().map(String::as_str)
    }

    /// A variable by name or alias.
    pub fn variable(&self, name: &str) -> Result<&Variable, Ct2Error> {
        self.variables
            .get(self.resolve(name))
            .ok_or_else(|| Ct2Error::MissingVariable(name.to_owned()))
    }

    fn resolve<'a>(&'a self, name: &'a str) -> &'a str {
        self.aliases.get(name).map_or(name, String::as_str)
    }

    /// An integer scalar, such as `encoder/num_heads`.
    pub fn scalar(&self, name: &str) -> Result<i64, Ct2Error> {
        let variable = self.variable(name)?;
        let data = variable.data();
        let value = match (variable.dtype, variable.shape.is_empty()) {
            (DType::I8, true) => data[0] as i8 as i64,
            (DType::I16, true) => i16::from_le_bytes([data[0], data[1]]) as i64,
            (DType::I32, true) => i32::from_le_bytes(data.try_into().unwrap()) as i64,
            (dtype, _) => {
                return Err(Ct2Error::UnexpectedType {
                    name: name.to_owned(),
                    dtype,
                    wanted: "an integer scalar",
                })
            }
        };
        Ok(value)
    }

    /// Rows `rows` of a variable (indices of its first dimension) as f32, row-major.
    ///
    /// Quantized weights are scaled back as CTranslate2 does: an int8 weight `W` has a
    /// `W_scale` sibling with one factor per row (a convolution's row spanning all its input
    /// channels and taps), an int16 weight a single factor; the value is `q / scale`.
    pub fn rows(&self, name: &str, rows: Range<usize>) -> Result<Vec<f32>, Ct2Error> {
        let variable = self.variable(name)?;
        // An alias shares its target's scale.
        let scale_name = format!("{}_scale", self.resolve(name));
        let row_len = variable.row_len();
        let size = variable.dtype.size();
        let bytes = &variable.data()[rows.start * row_len * size..rows.end * row_len * size];
        let values = match variable.dtype {
            DType::F32 => {
                bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect()
            }
            DType::F16 => {
                bytes.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
            }
            DType::BF16 => {
                bytes.chunks_exact(2).map(|b| bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
            }
            DType::I8 => {
                let scales = self.rows(&scale_name, rows)?;
                bytes
                    .chunks_exact(row_len)
                    .zip(scales)
                    .flat_map(|(row, scale)| row.iter().map(move |&q| q as i8 as f32 / scale))
                    .collect()
            }
            DType::I16 => {
                let scale = self.rows(&scale_name, 0..1)?[0];
                bytes
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / scale)
                    .collect()
            }
            DType::I32 => {
                return Err(Ct2Error::UnexpectedType {
                    name: name.to_owned(),
                    dtype: DType::I32,
                    wanted: "weights",
                })
            }
        };
        Ok(values)
    }
}

/// Writes `model.bin` files, for tests that need a model.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub struct Builder {
        spec: String,
        variables: Vec<(String, Vec<usize>, u8, Vec<u8>)>,
        aliases: Vec<(String, String)>,
    }

    impl Builder {
        pub fn new(spec: &str) -> Self {
            Builder { spec: spec.to_owned(), variables: Vec::new(), aliases: Vec::new() }
        }

        pub fn raw(&mut self, name: &str, shape: &[usize], dtype: u8, data: Vec<u8>) {
            self.variables.push((name.to_owned(), shape.to_vec(), dtype, data));
        }

        pub fn f16(&mut self, name: &str, shape: &[usize], values: &[f32]) {
            let data = values.iter().flat_map(|&v| f16::from_f32(v).to_le_bytes()).collect();
            self.raw(name, shape, 4, data);
        }

        pub fn f32(&mut self, name: &str, shape: &[usize], values: &[f32]) {
            let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            self.raw(name, shape, 0, data);
        }

        pub fn i16_scalar(&mut self, name: &str, value: i16) {
            self.raw(name, &[], 2, value.to_le_bytes().to_vec());
        }

        pub fn remove(&mut self, name: &str) {
            self.variables.retain(|(n, ..)| n != name);
        }

        pub fn alias(&mut self, alias: &str, target: &str) {
            self.aliases.push((alias.to_owned(), target.to_owned()));
        }

        pub fn build(&self) -> Vec<u8> {
            fn string(out: &mut Vec<u8>, s: &str) {
                out.extend_from_slice(&(s.len() as u16 + 1).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            let mut out = FORMAT_VERSIONS.end().to_le_bytes().to_vec();
            string(&mut out, &self.spec);
            out.extend_from_slice(&3u32.to_le_bytes());
            out.extend_from_slice(&(self.variables.len() as u32).to_le_bytes());
            for (name, shape, dtype, data) in &self.variables {
                string(&mut out, name);
                out.push(shape.len() as u8);
                for &dim in shape {
                    out.extend_from_slice(&(dim as u32).to_le_bytes());
                }
                out.push(*dtype);
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
                out.extend_from_slice(data);
            }
            out.extend_from_slice(&(self.aliases.len() as u32).to_le_bytes());
            for (alias, target) in &self.aliases {
                string(&mut out, alias);
                string(&mut out, target);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Builder;
    use super::*;

    fn sample() -> Builder {
        let mut builder = Builder::new("WhisperSpec");
        builder.i16_scalar("encoder/num_heads", 6);
        builder.f16("w", &[2, 3], &[1.0, -2.0, 0.5, 3.0, 0.25, -1.5]);
        builder.f32("b", &[2], &[0.125, 7.0]);
        builder.alias("projection", "w");
        builder
    }

    #[test]
    fn reads_variables_scalars_and_aliases() {
        let model = read(&sample().build()[..], Contents::Everything).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        assert_eq!(model.revision, 3);
        assert_eq!(model.scalar("encoder/num_heads").unwrap(), 6);
        assert_eq!(model.variable("projection").unwrap().shape, [2, 3]);
        assert_eq!(model.rows("w", 1..2).unwrap(), [3.0, 0.25, -1.5]);
        assert_eq!(model.rows("b", 0..2).unwrap(), [0.125, 7.0]);
        assert!(matches!(
            model.variable("nope"),
            Err(Ct2Error::MissingVariable(name)) if name == "nope"
        ));
    }

    #[test]
    fn shapes_only_keeps_scalars() {
        let model = read(&sample().build()[..], Contents::Shapes).unwrap();
        assert_eq!(model.scalar("encoder/num_heads").unwrap(), 6);
        assert_eq!(model.variable("w").unwrap().dtype, DType::F16);
        assert!(model.variable("w").unwrap().data.is_none());
    }

    #[test]
    fn dequantizes_int8_per_row_and_int16_per_tensor() {
        let mut builder = Builder::new("WhisperSpec");
        // A convolution-shaped weight: each output row spans 2 channels × 2 taps.
        let q: [i8; 8] = [127, -127, 64, 0, 1, 2, -3, 4];
        builder.raw("conv", &[2, 2, 2], 1, q.iter().map(|&v| v as u8).collect());
        builder.f32("conv_scale", &[2], &[127.0, 0.5]);
        builder.raw("w16", &[2], 2, [1024i16, -512].iter().flat_map(|v| v.to_le_bytes()).collect());
        builder.f32("w16_scale", &[], &[1024.0]);
        let model = read(&builder.build()[..], Contents::Everything).unwrap();
        assert_eq!(
            model.rows("conv", 0..2).unwrap(),
            [1.0, -1.0, 64.0 / 127.0, 0.0, 2.0, 4.0, -6.0, 8.0]
        );
        assert_eq!(model.rows("conv", 1..2).unwrap(), [2.0, 4.0, -6.0, 8.0]);
        assert_eq!(model.rows("w16", 0..2).unwrap(), [1.0, -0.5]);
    }

    #[test]
    fn rejects_damaged_files() {
        let bytes = sample().build();
        for cut in [3, 10, bytes.len() - 30, bytes.len() - 1] {
            assert!(
                matches!(read(&bytes[..cut], Contents::Everything), Err(Ct2Error::Truncated)),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(read(&longer[..], Contents::Shapes), Err(Ct2Error::TrailingData)));
        let mut newer = bytes;
        newer[0] = 7;
        assert!(matches!(
            read(&newer[..], Contents::Everything),
            Err(Ct2Error::UnsupportedVersion(7))
        ));
    }
}
