//! `callcoach devices`: the microphones callcoach can record from.

use callcoach::capture::{self, CaptureError};

use super::analyze::print;
use super::{Failure, Kind};

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Print a JSON array (id, description, sample_rate, channels, is_default) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DevicesArgs) -> Result<(), Failure> {
    let devices = capture::input_devices().map_err(|e| Failure::new(Kind::Runtime, e))?;
    if devices.is_empty() {
        return Err(Failure::new(Kind::NoDevice, CaptureError::NoInput)
            .hint("connect a microphone, then run `callcoach devices` again"));
    }
    if args.json {
        let text = serde_json::to_string(&devices).expect("the device list serialises");
        return print(&(text + "\n"));
    }
    let width = devices.iter().map(|d| d.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for device in &devices {
        let mark = if device.is_default { "*" } else { " " };
        text.push_str(&format!(
            "{mark} {:<width$}  {:>6} Hz  {} ch  {}\n",
            device.id, device.sample_rate, device.channels, device.description
        ));
    }
    text.push_str(if devices.iter().any(|d| d.is_default) {
        "(* the default; record from another with `callcoach record --device ID`)\n"
    } else {
        "(record from one with `callcoach record --device ID`)\n"
    });
    print(&text)
}
