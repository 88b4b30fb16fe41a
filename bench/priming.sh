#!/usr/bin/env bash
# What telling Whisper the profile's words gains: six people with names, companies, job
# titles and numbers Whisper is unlikely to guess, each leaving a voicemail in three voices
# (flite slt clean, flite rms through a 300–3400 Hz telephone band, espeak-ng over noise),
# analyzed with their profile (Whisper's prompt holds its words) and without (the filler prompt
# alone). Counts each thing heard as written: every word of the name, the interviewer's name,
# the company, the job title, and the number's ten digits in order.
# Usage: bench/priming.sh   (after `make`; takes about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/callcoach
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# name|interviewer|company|job title|phone|qualification
people=(
    "Siobhan Nakamura|Mr. Okonkwo|Brightwell Logistics|Dispatch Coordinator|312-555-0187|route planning"
    "Tadeusz Wisniewski|Ms. Fairweather|Harborview Clinic|Respiratory Therapist|415-555-0123|ventilator management"
    "Oluwaseun Adebayo|Dr. Lindqvist|Quillon Analytics|Junior Data Analyst|646-555-0199|Tableau dashboards"
    "Priyanka Raghunathan|Mr. Delacroix|Tamsin Bakery|Pastry Sous Chef|503-555-0142|laminated doughs"
    "Maeve Sullivan-Ortiz|Mrs. Abernathy|Kestrel Robotics|Quality Assurance Technician|720-555-0164|ISO audits"
    "Jurgen Halvorsen|Ms. Nwachukwu|Pinecrest Elementary|Paraprofessional|206-555-0111|behavior intervention"
)
digit_words=(zero one two three four five six seven eight nine)
spoken_number() { # 312-555-0187 -> "three one two, five five five, zero one eight seven"
    local out="" c
    for ((i = 0; i < ${#1}; i++)); do
        c=${1:i:1}
        case $c in [0-9]) out+="${digit_words[$c]} " ;; -) out="${out% }, " ;; esac
    done
    echo "${out% }"
}
render() { # text voice channel out.wav
    local raw=$work/raw.wav
    case $2 in
        slt | rms) flite -voice "$2" -t "$1" -o "$raw" ;;
        espeak) espeak-ng -v en-us -s 150 -w "$raw" "$1" ;;
    esac
    case $3 in
        clean) sox "$raw" -r 16000 -c 1 "$4" ;;
        phone) sox "$raw" -r 8000 -c 1 "$4" sinc 300-3400 ;;
        noisy)
            sox "$raw" -r 16000 -c 1 "$work/voice.wav"
            sox "$work/voice.wav" -p synth whitenoise vol 0.02 | sox -m "$work/voice.wav" - "$4"
            ;;
    esac
}
heard() { # transcript expected -> 1 if every word of expected is in the transcript
    local t e
    t=$(tr '[:upper:]' '[:lower:]' <<<"$1" | tr -c '[:alnum:]\n' ' ')
    for e in $(tr '[:upper:]' '[:lower:]' <<<"$2" | tr -c '[:alnum:]\n' ' '); do
        [ "$e" = mr ] || [ "$e" = ms ] || [ "$e" = mrs ] || [ "$e" = dr ] && continue
        grep -qw -- "$e" <<<"$t" || { echo 0; return; }
    done
    echo 1
}
declare -A total
takes=0
for person in "${people[@]}"; do
    IFS='|' read -r name interviewer company title phone skill <<<"$person"
    profile=$work/profile.toml
    printf 'version = 1\nname = "%s"\ninterviewer = "%s"\ncompany = "%s"\njob_title = "%s"\nphone = "%s"\n[[qualifications]]\nskill = "%s"\n' \
        "$name" "$interviewer" "$company" "$title" "$phone" "$skill" >"$profile"
    number=$(spoken_number "$phone")
    text="Hi, this is $name. I'm calling about the $title position at $company. Thank you for \
meeting with me yesterday, $interviewer. I have experience with $skill. If I can provide any \
more information, please call me back at $number. Again, that's $number. Thanks, bye."
    for voice_channel in slt:clean rms:phone espeak:noisy; do
        take=$work/take.wav
        render "$text" "${voice_channel%:*}" "${voice_channel#*:}" "$take"
        takes=$((takes + 1))
        for with in without with; do
            if [ $with = with ]; then flags=(--profile "$profile"); else flags=(--no-profile); fi
            transcript=$("$bin" analyze --json --no-save --rules-only --mode voicemail "${flags[@]}" "$take" |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["transcript"])')
            digits=$(tr -cd '0-9' <<<"$transcript")
            for what in name interviewer company title; do
                total[$with,$what]=$(( ${total[$with,$what]:-0} + $(heard "$transcript" "${!what}") ))
            done
            [[ $digits == *$(tr -cd '0-9' <<<"$phone")* ]] && total[$with,number]=$(( ${total[$with,number]:-0} + 1 ))
            [ -n "${SHOW:-}" ] && echo "$with $voice_channel: $transcript" >&2
        done
    done
done
echo "Heard as written in $takes voicemails (6 people × 3 voices), bench/priming.sh:"
echo
echo "| Whisper's prompt | name | interviewer | company | job title | number |"
echo "|---|---|---|---|---|---|"
for with in without with; do
    label=$([ $with = with ] && echo "the profile's words, then the filler prompt" || echo "the filler prompt alone")
    printf "| %s |" "$label"
    for what in name interviewer company title number; do printf " %d/%d |" "${total[$with,$what]:-0}" "$takes"; done
    echo
done
