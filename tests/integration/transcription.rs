//! The real model on real human voices: the transcriber itself, through the library.

use callcoach::audio::{read_recording, VoiceActivity};
use callcoach::transcribe::{Transcriber, WhisperOptions, WhisperTranscriber};

use crate::support::{model, shared_data, word_error_rate};

fn transcribe(file: &str) -> callcoach::transcribe::Transcript {
    let transcriber = WhisperTranscriber::load(&model(), WhisperOptions::default()).unwrap();
    let samples = read_recording(&shared_data(file)).unwrap();
    let activity = VoiceActivity::detect(&samples);
    transcriber.transcribe(&samples, &activity, Box::new(|_| {})).unwrap()
}

#[test]
fn a_real_voice_is_transcribed_word_for_word_with_ordered_times() {
    let transcript = transcribe("jfk.wav");
    let reference = "And so my fellow Americans, ask not what your country can do for you, \
                     ask what you can do for your country.";
    let wer = word_error_rate(reference, &transcript.text());
    assert!(wer <= 0.05, "WER {wer:.3}: {}", transcript.text());
    let words = &transcript.words;
    assert!(words.windows(2).all(|w| w[0].start_s <= w[1].start_s), "times go backwards");
    assert!(words.iter().all(|w| w.start_s <= w.end_s && w.end_s <= 11.1));
    // "country" ends the speech near the end of the 11 s recording.
    let last = words.last().unwrap();
    assert!(last.text.starts_with("country") && last.start_s > 8.0, "{last:?}");
}

#[test]
fn a_real_telephone_band_voice_at_8k_is_transcribed() {
    let transcript = transcribe("OSR_us_000_0034_8k.wav");
    let reference = "A gold ring will please most any girl. The long journey home took a year. \
        She saw a cat in the neighbor's house. A pink shell was found on the sandy beach. \
        Small children came to see him. The grass and bushes were wet with dew. The blind man \
        counted his old coins. A severe storm tore down the barn. She called his name many \
        times. When you hear the bell, come quickly.";
    let wer = word_error_rate(reference, &transcript.text());
    assert!(wer <= 0.10, "WER {wer:.3}: {}", transcript.text());
}
