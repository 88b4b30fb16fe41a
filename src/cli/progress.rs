//! The one place that decides whether progress is shown, and how it looks.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress goes to stderr, only when it is a terminal and the user did not ask for quiet
/// or machine-readable output.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    visible: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        Self { visible: !quiet && std::io::stderr().is_terminal() }
    }

    fn target(self) -> ProgressDrawTarget {
        if self.visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    /// A bar counting to `total` in units of `unit` ("%" or bytes).
    pub fn bar(self, message: impl Into<String>, total: u64, bytes: bool) -> ProgressBar {
        let template = if bytes {
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
        } else {
            "{msg} [{bar:30}] {percent}% ({elapsed})"
        };
        let style = ProgressStyle::with_template(template)
            .expect("the template is valid")
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(total), self.target()).with_style(style);
        bar.set_message(message.into());
        // Whisper reports its progress once per 30 s window: the clock shows work goes on
        // in between.
        bar.enable_steady_tick(Duration::from_millis(250));
        bar
    }

    /// One line redrawn in place, showing the state of something ongoing; cut to the
    /// terminal's width, since a line that wraps cannot be redrawn in place.
    pub fn line(self) -> ProgressBar {
        ProgressBar::with_draw_target(None, self.target())
            .with_style(ProgressStyle::with_template("{wide_msg}").expect("valid template"))
    }

    /// A spinner for work of unknown length.
    pub fn spinner(self, message: impl Into<String>) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(None, self.target());
        keep_turning(&bar);
        bar.set_message(message.into());
        bar
    }
}

/// Turns a line into a spinner that turns by itself, for work that gives no progress.
pub fn keep_turning(line: &ProgressBar) {
    line.set_style(ProgressStyle::with_template("{spinner} {wide_msg}").expect("valid template"));
    line.enable_steady_tick(Duration::from_millis(100));
}
