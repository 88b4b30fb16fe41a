//! How a failed run reaches the user: one sentence, a hint, and an exit code that says what
//! kind of failure it was.

use std::fmt;
use std::process::ExitCode;

use anstyle::AnsiColor;

/// The kinds of failure a script calling callcoach can tell apart by exit code.
/// (clap exits with 2 for a usage error before any of these can happen.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything else: a download that failed, a disk that is full. Exit code 1.
    Runtime,
    /// Arguments that do not fit together, found after clap has parsed them. Exit code 2,
    /// as for clap's own usage errors.
    Usage,
    /// A recording or checklist file that cannot be read or is not valid. Exit code 3.
    Input,
    /// No usable Whisper model. Exit code 4.
    Model,
    /// No microphone, the one asked for cannot record, or it stopped delivering mid-take.
    /// Exit code 5.
    NoDevice,
    /// The reader of stdout went away (`callcoach analyze … | head`): not an error, so
    /// nothing is printed and the exit code is 0.
    ClosedPipe,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Runtime => 1,
            Kind::Usage => 2,
            Kind::Input => 3,
            Kind::Model => 4,
            Kind::NoDevice => 5,
            Kind::ClosedPipe => 0,
        }
    }
}

/// A failure on its way to the user.
#[derive(Debug)]
pub struct Failure {
    pub kind: Kind,
    pub error: anyhow::Error,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(kind: Kind, error: impl Into<anyhow::Error>) -> Self {
        Self { kind, error: error.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds what was being done when it failed.
    pub fn context(mut self, context: impl fmt::Display + Send + Sync + 'static) -> Self {
        self.error = self.error.context(context);
        self
    }

    /// Prints the failure on stderr and gives the exit code.
    pub fn report(&self) -> ExitCode {
        if self.kind == Kind::ClosedPipe {
            return ExitCode::SUCCESS;
        }
        let red = AnsiColor::Red.on_default().bold();
        let dim = anstyle::Style::new().dimmed();
        anstream::eprintln!("{red}error:{red:#} {self}");
        if let Some(hint) = &self.hint {
            anstream::eprintln!("{dim}hint:{dim:#} {hint}");
        }
        ExitCode::from(self.kind.exit_code())
    }
}

impl fmt::Display for Failure {
    /// The error and its causes on one line, as anyhow's alternate form gives them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

/// Prints a warning on stderr: something the user should know that does not stop the run.
pub fn warn(message: impl fmt::Display) {
    let yellow = AnsiColor::Yellow.on_default().bold();
    anstream::eprintln!("{yellow}warning:{yellow:#} {message}");
}

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  runtime error (a download failed, a disk is full, …)
  2  usage error (bad arguments)
  3  bad input (a recording or checklist that cannot be read)
  4  no usable Whisper model
  5  no usable microphone (none found, the one named cannot record, or it stopped mid-take)";
