//! Trains the meaning layer's heads (src/meaning/heads.json) on the labelled training corpora
//! in tests/corpus/labelled/, never on tests/corpus/held-back/.
//!
//! `cargo run --release --example train_meaning -- MODEL_DIR`
//!
//! Each take is cut into the units the layer reads; a unit is a positive example of an element
//! when it holds most of a labelled span of it, a negative when it touches none (units that
//! hold a little of one are left out). A network with one shared hidden layer and one
//! logistic output per element is trained on the unit embeddings. Its thresholds (add, veto) are chosen on out-of-fold probabilities, one corpus
//! file held out at a time, for the best take-level F1 of rules and model together with
//! precision kept at 0.95 or more — so that a threshold is never chosen on what it was trained
//! on. The final heads are then trained on every training file.

#[path = "../tests/integration/labelled.rs"]
mod labelled;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use callcoach::checklist::pattern::fluent;
use callcoach::meaning::{mean, units, Embedder, Head, Heads, Hidden, Unit, DEFAULT_MODEL};
use labelled::{Kind, Take};

/// The elements the model judges; phone numbers are digits, and the rules read them exactly.
const ELEMENTS: [&str; 7] = [
    "thanks",
    "job_title",
    "qualifications",
    "offer_info",
    "decision_timeline",
    "caller_name",
    "callback_request",
];

/// The elements only a call is judged on (and labelled for).
const CALL_ONLY: [&str; 3] = ["qualifications", "offer_info", "decision_timeline"];

/// The share of a labelled span a unit must hold to be a positive example.
const HOLDS: f64 = 0.6;
/// The least out-of-fold precision a threshold may cost: the model's adds are worth a few
/// wrong ticks in a hundred, measured against labels that themselves miss some offers.
const LEAST_PRECISION: f64 = 0.95;

struct Example {
    take: usize,
    embedding: Vec<f32>,
    /// Per element: Some(true) positive, Some(false) negative, None left out.
    labels: BTreeMap<&'static str, Option<bool>>,
    unit: Unit,
}

fn main() {
    let model_dir = std::env::args().nth(1).map(PathBuf::from).expect("usage: MODEL_DIR");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let takes = labelled::load(&root.join("tests/corpus/labelled"));
    let embedder = Embedder::load(&model_dir).expect("the meaning model");
    eprintln!("{} takes", takes.len());

    let mut cache = Cache::open(std::env::var_os("EMBEDDING_CACHE").map(PathBuf::from));
    let mut examples = Vec::new();
    let mut take_embeddings = Vec::new();
    for (t, take) in takes.iter().enumerate() {
        let words = take.words();
        let said: Vec<(&str, bool)> = words.iter().map(|(w, e)| (w.as_str(), *e)).collect();
        let take_units = units(&said);
        let texts: Vec<&str> = take_units.iter().map(|u| u.text.as_str()).collect();
        let embeddings = cache.embed(&embedder, &texts);
        take_embeddings.push(mean(&embeddings));
        let spans = take.spans();
        for (unit, embedding) in take_units.into_iter().zip(embeddings) {
            let labels = ELEMENTS
                .iter()
                .map(|&element| {
                    // An element the take's kind is not judged on was never labelled there.
                    let judged = match take.kind {
                        Kind::Call => element != "callback_request",
                        Kind::Voicemail => !CALL_ONLY.contains(&element),
                        Kind::NotRehearsal => true,
                    };
                    let label = if judged { unit_label(&unit, spans.get(element)) } else { None };
                    (element, label)
                })
                .collect();
            examples.push(Example { take: t, embedding, labels, unit });
        }
    }
    cache.save();
    eprintln!("{} units", examples.len());

    // Rules alone, per take: each element's verdict and the words it quoted.
    let rules: Vec<BTreeMap<String, RuleVerdict>> = takes.iter().map(rule_verdicts).collect();

    // Out-of-fold probabilities, one training file held out at a time.
    let sets: Vec<String> = {
        let mut sets: Vec<String> = takes.iter().map(|t| t.set.clone()).collect();
        sets.dedup();
        sets
    };
    let mut out_of_fold: BTreeMap<&str, Vec<f32>> =
        ELEMENTS.iter().map(|&e| (e, vec![0.0; examples.len()])).collect();
    let mut rehearsal_oof = vec![0.0f32; takes.len()];
    for set in &sets {
        let held = |e: &Example| takes[e.take].set == *set;
        let (hidden, element_heads) = train(&examples, |e| !held(e));
        for (i, e) in examples.iter().enumerate() {
            if held(e) {
                let features = hidden.forward(&e.embedding);
                for (element, head) in ELEMENTS.iter().zip(&element_heads) {
                    out_of_fold.get_mut(element).unwrap()[i] = head.probability(&features);
                }
            }
        }
        let head = train_rehearsal(&takes, &take_embeddings, |t| takes[t].set != *set);
        for t in 0..takes.len() {
            if takes[t].set == *set {
                rehearsal_oof[t] = head.probability(&take_embeddings[t]);
            }
        }
        eprintln!("fold {set} done");
    }

    if let Ok(element) = std::env::var("SHOW_ERRORS") {
        let element = ELEMENTS.iter().find(|e| **e == element).expect("an element");
        for (e, p) in examples.iter().zip(&out_of_fold[element]) {
            match e.labels[element] {
                Some(true) if *p < 0.5 => eprintln!("MISSED {p:.2} {}", e.unit.text),
                Some(false) if *p > 0.8 => eprintln!("WRONG  {p:.2} {}", e.unit.text),
                _ => {}
            }
        }
    }
    let (hidden, element_heads) = train(&examples, |_| true);
    let mut heads = BTreeMap::new();
    for (element, mut head) in ELEMENTS.into_iter().zip(element_heads) {
        let (add_at, veto_below, rules_f1, both, precision) =
            thresholds(&takes, &examples, &rules, element, &out_of_fold[element]);
        eprintln!(
            "{element:<18} rules F1 {rules_f1:.3} -> {both:.3}, precision {precision:.3} (add at {add_at:.2}, veto below {veto_below:.2}), out of fold"
        );
        head.add_at = add_at;
        head.veto_below = veto_below;
        heads.insert(element.to_string(), head);
    }
    let mut rehearsal = train_rehearsal(&takes, &take_embeddings, |_| true);
    rehearsal.add_at = rehearsal_threshold(&takes, &rehearsal_oof);

    let heads = Heads {
        model: DEFAULT_MODEL.to_string(),
        dimension: embedder.dimension,
        hidden,
        elements: heads,
        rehearsal,
    };
    let path = root.join("src/meaning/heads.json");
    std::fs::write(&path, serde_json::to_string(&heads).unwrap() + "\n").unwrap();
    eprintln!("wrote {}", path.display());
}

/// Whether a unit is a positive example of an element, a negative, or left out.
fn unit_label(unit: &Unit, spans: Option<&Vec<(usize, usize)>>) -> Option<bool> {
    let Some(spans) = spans else { return Some(false) };
    let mut touches = false;
    for &(first, last) in spans {
        let overlap = (unit.last.min(last) + 1).saturating_sub(unit.first.max(first));
        let span_len = last + 1 - first;
        let unit_len = unit.last + 1 - unit.first;
        if overlap as f64 >= HOLDS * span_len as f64 || overlap as f64 >= HOLDS * unit_len as f64 {
            return Some(true);
        }
        touches |= overlap > 0;
    }
    (!touches).then_some(false)
}

/// What the rules say of one element in a take: where they ticked it, if they did, and the
/// words of its look-alikes (`unless` phrases), where the model may not add it.
struct RuleVerdict {
    at: Option<(usize, usize)>,
    look_alikes: Vec<(usize, usize)>,
}

/// The rules' verdict per element of the take's mode.
fn rule_verdicts(take: &Take) -> BTreeMap<String, RuleVerdict> {
    let words: Vec<(String, bool)> = take.words();
    let checklist = take.checklist();
    let read = checklist.lexicon.read(words.iter().map(|(w, e)| (w.as_str(), *e)));
    let (tokens, word_of_token) = fluent(read);
    take.judge(&checklist)
        .findings
        .iter()
        .map(|finding| {
            let at = finding.evidence.as_ref().and_then(|evidence| {
                let quoted: Vec<&str> = evidence.quote.split_whitespace().collect();
                (0..words.len()).find_map(|i| {
                    (words.len() >= i + quoted.len()
                        && words[i..i + quoted.len()].iter().zip(&quoted).all(|((a, _), b)| a == b))
                    .then(|| (i, i + quoted.len() - 1))
                })
            });
            let element = checklist.elements.iter().find(|e| e.id == finding.id).unwrap();
            let look_alikes = element
                .unless
                .iter()
                .flat_map(|p| p.find_all(&tokens))
                .map(|m| (word_of_token[m.start], word_of_token[m.end - 1]))
                .collect();
            (finding.id.clone(), RuleVerdict { at, look_alikes })
        })
        .collect()
}

/// Hidden units of the shared layer.
const HIDDEN: usize = 64;

/// The shared hidden layer and one logistic output per element, trained together on the
/// examples `use_example` picks: each output only on the units labelled for its element,
/// each class weighted by the other's share, by minibatch Adam with weight decay.
fn train(examples: &[Example], use_example: impl Fn(&Example) -> bool) -> (Hidden, Vec<Head>) {
    let data: Vec<(&[f32], Vec<Option<f32>>)> = examples
        .iter()
        .filter(|e| use_example(e))
        .map(|e| {
            let labels = ELEMENTS.iter().map(|el| e.labels[el].map(|y| y as u8 as f32)).collect();
            (e.embedding.as_slice(), labels)
        })
        .collect();
    let dimension = data[0].0.len();
    let k = ELEMENTS.len();
    let class_weights: Vec<(f32, f32)> = (0..k)
        .map(|j| {
            let labelled = data.iter().filter_map(|(_, y)| y[j]).collect::<Vec<_>>();
            let positives = labelled.iter().filter(|y| **y > 0.5).count().max(1) as f32;
            let negatives = (labelled.len() as f32 - positives).max(1.0);
            let n = labelled.len() as f32;
            (0.5 * n / positives, 0.5 * n / negatives)
        })
        .collect();

    // Parameters, flat: w1 (HIDDEN × dimension), b1, w2 (k × HIDDEN), b2.
    let sizes = [HIDDEN * dimension, HIDDEN, k * HIDDEN, k];
    let mut params: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f32 / (1u64 << 53) as f32 - 0.5
    };
    let scale1 = (6.0 / dimension as f32).sqrt() * 2.0;
    params[0].iter_mut().for_each(|w| *w = random() * scale1);
    let scale2 = (6.0 / HIDDEN as f32).sqrt() * 2.0;
    params[2].iter_mut().for_each(|w| *w = random() * scale2);
    let mut m: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
    let mut v: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
    let (rate, beta1, beta2, decay) = (2e-3f32, 0.9f32, 0.999f32, 1e-3f32);

    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut step = 0;
    for _epoch in 0..EPOCHS {
        for i in (1..order.len()).rev() {
            let j = ((random() + 0.5) * (i + 1) as f32) as usize % (i + 1);
            order.swap(i, j);
        }
        for batch in order.chunks(32) {
            let mut grads: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
            for &n in batch {
                let (x, y) = &data[n];
                let mut h = vec![0.0f32; HIDDEN];
                for (u, hu) in h.iter_mut().enumerate() {
                    let row = &params[0][u * dimension..(u + 1) * dimension];
                    *hu = (row.iter().zip(x.iter()).map(|(a, b)| a * b).sum::<f32>()
                        + params[1][u])
                        .max(0.0);
                }
                let mut dh = vec![0.0f32; HIDDEN];
                for j in 0..k {
                    let Some(target) = y[j] else { continue };
                    let row = &params[2][j * HIDDEN..(j + 1) * HIDDEN];
                    let z = row.iter().zip(&h).map(|(a, b)| a * b).sum::<f32>() + params[3][j];
                    let p = 1.0 / (1.0 + (-z).exp());
                    let (wp, wn) = class_weights[j];
                    let g = (p - target) * if target > 0.5 { wp } else { wn };
                    for u in 0..HIDDEN {
                        grads[2][j * HIDDEN + u] += g * h[u];
                        dh[u] += g * row[u];
                    }
                    grads[3][j] += g;
                }
                for u in 0..HIDDEN {
                    if h[u] <= 0.0 || dh[u] == 0.0 {
                        continue;
                    }
                    let g = dh[u];
                    let grad_row = &mut grads[0][u * dimension..(u + 1) * dimension];
                    for (gw, xi) in grad_row.iter_mut().zip(x.iter()) {
                        *gw += g * xi;
                    }
                    grads[1][u] += g;
                }
            }
            step += 1;
            let scale = 1.0 / batch.len() as f32;
            for t in 0..4 {
                let weight_decay = if t % 2 == 0 { decay } else { 0.0 };
                for i in 0..sizes[t] {
                    let g = grads[t][i] * scale + weight_decay * params[t][i];
                    m[t][i] = beta1 * m[t][i] + (1.0 - beta1) * g;
                    v[t][i] = beta2 * v[t][i] + (1.0 - beta2) * g * g;
                    let m_hat = m[t][i] / (1.0 - beta1.powi(step));
                    let v_hat = v[t][i] / (1.0 - beta2.powi(step));
                    params[t][i] -= rate * m_hat / (v_hat.sqrt() + 1e-8);
                }
            }
        }
    }
    let hidden = Hidden {
        weights: params[0].chunks(dimension).map(<[f32]>::to_vec).collect(),
        bias: params[1].clone(),
    };
    let heads = (0..k)
        .map(|j| Head {
            weights: params[2][j * HIDDEN..(j + 1) * HIDDEN].to_vec(),
            bias: params[3][j],
            add_at: 0.5,
            veto_below: 0.0,
        })
        .collect();
    (hidden, heads)
}

/// Passes over the training units.
const EPOCHS: usize = 40;

fn train_rehearsal(
    takes: &[Take],
    embeddings: &[Vec<f32>],
    use_take: impl Fn(usize) -> bool,
) -> Head {
    let data: Vec<(&[f32], f32)> = (0..takes.len())
        .filter(|&t| use_take(t))
        .map(|t| (embeddings[t].as_slice(), (takes[t].kind != Kind::NotRehearsal) as u8 as f32))
        .collect();
    fit(&data)
}

fn fit(data: &[(&[f32], f32)]) -> Head {
    let dimension = data[0].0.len();
    let positives = data.iter().filter(|(_, y)| *y > 0.5).count().max(1) as f32;
    let negatives = (data.len() as f32 - positives).max(1.0);
    let (w_pos, w_neg) = (0.5 * data.len() as f32 / positives, 0.5 * data.len() as f32 / negatives);
    let mut weights = vec![0.0f32; dimension + 1];
    let (mut m, mut v) = (vec![0.0f32; dimension + 1], vec![0.0f32; dimension + 1]);
    let (rate, beta1, beta2, l2) = (0.05f32, 0.9f32, 0.999f32, 1e-4f32);
    for step in 1..=400 {
        let mut gradient = vec![0.0f32; dimension + 1];
        for (x, y) in data {
            let z = weights[dimension] + x.iter().zip(&weights).map(|(a, b)| a * b).sum::<f32>();
            let p = 1.0 / (1.0 + (-z).exp());
            let g = (p - y) * if *y > 0.5 { w_pos } else { w_neg };
            for (gi, xi) in gradient.iter_mut().zip(x.iter()) {
                *gi += g * xi;
            }
            gradient[dimension] += g;
        }
        for i in 0..=dimension {
            let g =
                gradient[i] / data.len() as f32 + if i < dimension { l2 * weights[i] } else { 0.0 };
            m[i] = beta1 * m[i] + (1.0 - beta1) * g;
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
            let m_hat = m[i] / (1.0 - beta1.powi(step));
            let v_hat = v[i] / (1.0 - beta2.powi(step));
            weights[i] -= rate * m_hat / (v_hat.sqrt() + 1e-8);
        }
    }
    let bias = weights.pop().unwrap();
    Head { weights, bias, add_at: 0.5, veto_below: 0.0 }
}

/// The add and veto thresholds that give rules and model together the best take-level F1 on
/// out-of-fold probabilities, precision kept at [`LEAST_PRECISION`] where any choice does;
/// with the rules' F1 alone and the F1 reached.
fn thresholds(
    takes: &[Take],
    examples: &[Example],
    rules: &[BTreeMap<String, RuleVerdict>],
    element: &str,
    probabilities: &[f32],
) -> (f32, f32, f64, f64, f64) {
    let mut by_take: Vec<Vec<(&Unit, f32)>> = vec![Vec::new(); takes.len()];
    for (e, p) in examples.iter().zip(probabilities) {
        by_take[e.take].push((&e.unit, *p));
    }
    let judge = |add_at: f32, veto_below: f32| {
        let mut counts = [0usize; 3];
        for (t, take) in takes.iter().enumerate() {
            // A take that is no rehearsal is set aside before its elements are judged.
            if take.kind == Kind::NotRehearsal {
                continue;
            }
            let Some(rule) = rules[t].get(element) else { continue };
            let units = &by_take[t];
            let found = match rule.at {
                Some((first, _)) => {
                    let p = units
                        .iter()
                        .filter(|(u, _)| u.first <= first && first <= u.last)
                        .map(|(_, p)| *p)
                        .fold(0.0f32, f32::max);
                    p >= veto_below
                }
                None => units.iter().any(|(u, p)| {
                    *p >= add_at
                        && !rule.look_alikes.iter().any(|&(a, b)| a <= u.last && u.first <= b)
                }),
            };
            let labelled = take.labels.contains_key(element);
            match (found, labelled) {
                (true, true) => counts[0] += 1,
                (true, false) => counts[1] += 1,
                (false, true) => counts[2] += 1,
                _ => {}
            }
        }
        labelled::Tally::scores(counts)
    };
    let (rules_precision, _, rules_f1) = judge(2.0, 0.0);
    let mut best = (2.0f32, 0.0f32, rules_f1, rules_precision);
    for add in 50..=100 {
        let add_at = if add == 100 { 2.0 } else { add as f32 / 100.0 };
        for veto in 0..=30 {
            let veto_below = veto as f32 / 100.0;
            let (p, _, f1) = judge(add_at, veto_below);
            if (p >= LEAST_PRECISION, f1) > (best.3 >= LEAST_PRECISION, best.2) {
                best = (add_at, veto_below, f1, p);
            }
        }
    }
    (best.0, best.1, rules_f1, best.2, best.3)
}

/// The least probability that counts a take as a rehearsal: the one that misjudges fewest
/// training takes out of fold, erring towards judging a take.
fn rehearsal_threshold(takes: &[Take], probabilities: &[f32]) -> f32 {
    let mut best = (usize::MAX, 0.5f32);
    for step in 1..100 {
        let at = step as f32 / 100.0;
        let wrong = takes
            .iter()
            .zip(probabilities)
            .map(|(take, p)| {
                let rehearsal = take.kind != Kind::NotRehearsal;
                // Refusing a real rehearsal costs the user more than judging a stray take.
                if rehearsal && *p < at {
                    2
                } else {
                    usize::from(!rehearsal && *p >= at)
                }
            })
            .sum::<usize>();
        if wrong < best.0 {
            best = (wrong, at);
        }
    }
    eprintln!("rehearsal: {} weighted misjudgements out of fold at {:.2}", best.0, best.1);
    best.1
}

/// Embeddings kept between runs in a file (`EMBEDDING_CACHE=PATH`), by text, so that trying
/// another head does not embed thousands of units again.
struct Cache {
    path: Option<PathBuf>,
    known: BTreeMap<String, Vec<f32>>,
}

impl Cache {
    fn open(path: Option<PathBuf>) -> Self {
        let known = path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Cache { path, known }
    }

    fn embed(&mut self, embedder: &Embedder, texts: &[&str]) -> Vec<Vec<f32>> {
        let missing: Vec<&str> =
            texts.iter().copied().filter(|t| !self.known.contains_key(*t)).collect();
        if !missing.is_empty() {
            for (text, embedding) in missing.iter().zip(embedder.embed(&missing).unwrap()) {
                self.known.insert(text.to_string(), embedding);
            }
        }
        texts.iter().map(|t| self.known[*t].clone()).collect()
    }

    fn save(&self) {
        if let Some(path) = &self.path {
            std::fs::write(path, serde_json::to_vec(&self.known).unwrap()).unwrap();
        }
    }
}
