//! Synthetic generality suite: grouping accuracy of mask + mine on logs of shapes the Loghub
//! development sets under-represent, with planted templates and ground truth.
//!
//! Usage:
//!
//! ```text
//! cargo run --release --example generality -- [--seeds S,S,..] [--lines N] [--scale K] [--errors] [--dump STYLE]
//! ```
//!
//! Four styles of log, each generated from seeded random templates (nothing here is copied
//! from a real log; the vocabularies are generic words of system logs):
//! * `server`: short messages, variables mostly numbers, ids and addresses (the shape most
//!   development sets have);
//! * `mobile`: a `Component:` prefix shared by many templates, `key=value` and `key = value`
//!   pairs whose values are words, booleans, class and package names, objects in braces;
//! * `desktop`: long messages (up to 30 words), hundreds of templates with a long tail of ones
//!   seen once, `function_name:` prefixes, families of templates that share a long prefix,
//!   variables that are several words (names with spaces, lists of varying length, quoted
//!   phrases), paths, identifiers;
//! * `dense`: few templates with many lines, four or more variables each, most of them words
//!   (at least four distinct values each), some of several words.
//!
//! Every style also plants sibling templates that differ from another in one constant word
//! ("opened"/"closed"): those are different events and must stay apart, while plain-word values
//! with few distinct values (user names, states) must stay together. Which of the two a column
//! of two or three plain words is cannot be told from the text; the generator's mix of them is
//! an assumption, not a measurement, and the figures are for comparing versions of the miner,
//! not for predicting Loghub scores. A template is a sequence of constant words and typed
//! slots; a line is a template with its slots filled from the slot's domain (numbers fresh each
//! time, names from a per-slot pool of 1 to 40 values). The line count of each template follows
//! a Zipf law, so many templates are seen once or twice.
//!
//! Scored as `evaluate` scores Loghub: group lines by planted template; a group is correct if
//! all its lines got one mined template and that template holds no other line. GA = lines in
//! correct groups / all lines. Each corpus is mined a second time with its distinct messages
//! in reverse order, and the partition must be the same (exit status 1 otherwise); the time
//! of one `miner::mine` call is printed. `--lines` sets the lines per corpus (default 2,000),
//! `--scale K` multiplies the number of templates (for timing the miner on large inputs),
//! `--dump STYLE` prints one corpus as `template<TAB>line`.

use log_gardener::group::{mask, miner};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// splitmix64: small, seedable, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Words of format strings: what a developer writes around the values.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "failed", "to", "connect", "received", "request", "from", "for", "the", "with", "error",
    "while", "could", "not", "open", "file", "session", "started", "stopped", "connection",
    "timeout", "waiting", "on", "unable", "find", "load", "resource", "invalid", "state",
    "transition", "scheduled", "task", "completed", "after", "retrying", "attempt", "device",
    "service", "handler", "registered", "update", "available", "network", "changed", "interface",
    "battery", "level", "display", "power", "mode", "entering", "leaving", "sleep", "wake",
    "process", "exited", "status", "signal", "killed", "memory", "pressure", "cache", "miss",
    "queue", "full", "dropping", "message", "packet", "checksum", "mismatch", "expected", "got",
    "login", "permission", "denied", "access", "granted", "policy", "applied", "config",
    "reloaded", "missing", "default", "using", "fallback", "skipping", "entry", "duplicate",
    "ignored", "client", "server", "peer", "disconnected", "reconnecting", "in", "of", "at", "is",
    "was", "has", "been", "no", "by", "and", "into", "out", "already", "current", "previous",
    "window", "focus", "activity", "view", "layout", "frame", "animation", "audio", "route",
    "volume", "location", "provider", "sync", "account", "refresh", "expired", "certificate",
    "trust", "evaluation", "bundle", "daemon", "launch", "job", "spawn", "bind", "listen",
    "accept", "read", "write", "buffer", "overflow", "stream", "codec", "thread", "lock",
    "contention", "detected", "watchdog", "timer", "fired", "alarm", "cancelled", "notification",
    "posted", "removed", "screen", "brightness", "sensor", "event", "dispatch", "input", "touch",
    "pressed", "valid", "reply", "query", "record", "index", "table", "scan", "result", "owner",
    "changing", "preferences", "domain", "container", "sandbox", "extension", "plugin",
];

/// Alternatives for a constant word of a sibling template (another event, same shape).
#[rustfmt::skip]
const SIBLING_WORDS: &[&str] = &[
    "opened", "closed", "added", "deleted", "enabled", "disabled", "accepted", "rejected",
    "started", "stopped", "paused", "resumed", "attached", "detached", "locked", "unlocked",
    "mounted", "unmounted", "loaded", "unloaded", "inserted", "ejected", "shown", "hidden",
];

#[rustfmt::skip]
const NAME_PARTS: &[&str] = &[
    "Power", "Window", "Display", "Activity", "Audio", "Network", "Wifi", "Bluetooth", "Location",
    "Battery", "Sync", "Account", "Session", "Input", "Package", "Job", "Alarm", "Notification",
    "Media", "Camera", "Sensor", "Telephony", "Storage", "Backup", "Keychain", "Search", "Dock",
    "Launch", "Kernel", "Thermal", "Graphics", "Security", "Trust", "Cloud", "Mail", "Calendar",
    "Photo", "Contact", "Message", "Update", "Device", "Usage", "Input", "Print", "Share",
];
#[rustfmt::skip]
const NAME_SUFFIXES: &[&str] = &[
    "Manager", "Service", "Controller", "Monitor", "Agent", "Helper", "Daemon", "Store", "Policy",
    "Client", "Server", "Provider", "Observer", "Tracker", "Record", "Token", "Task",
];
#[rustfmt::skip]
const PLAIN_VALUES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "oscar", "peggy", "trent", "walter", "idle", "active", "suspended", "running", "foreground",
    "background", "visible", "invisible", "none", "low", "medium", "high", "critical", "primary",
    "secondary", "wired", "wireless", "cellular", "ethernet", "default", "system", "guest",
    "admin", "nobody", "daemon", "staff", "portrait", "landscape", "ok", "pending", "unknown",
];
const VENDORS: &[&str] = &["acme", "example", "contoso", "initech", "globex", "umbrella", "hooli"];
#[rustfmt::skip]
const APP_WORDS: &[&str] = &[
    "Photo", "Editor", "Pro", "Mail", "Notes", "Music", "Player", "Studio", "Cloud", "Drive",
    "Chat", "Browser", "Helper", "Reader", "Maps", "Weather", "Calendar", "Video", "Lite",
];

/// The type of a variable part.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Int,
    Hex,
    Float,
    Millis,
    Ip,
    IpPort,
    Uuid,
    Path,
    /// A plain lower-case word from a small pool: user names, states.
    Plain,
    Bool,
    /// A CamelCase class name.
    Class,
    /// A dotted package or bundle id ("com.acme.mail").
    Package,
    /// A snake_case function name.
    Function,
    /// A quoted word or quoted phrase.
    Quoted,
    /// A name of one to four words ("Photo Editor Pro").
    Phrase,
    /// A bracketed list of zero to four items.
    List,
    /// An object in braces: "Record{3f2a91c u0 com.acme.mail/.Main t42}".
    Object,
}

/// One part of a template; `glued` parts follow the previous one without a space.
#[derive(Clone, Debug)]
enum Part {
    Word {
        text: String,
        glued: bool,
    },
    /// A variable: its values are drawn from `domain` values made from `pool` (numbers and
    /// ids are fresh each time).
    Slot {
        slot: Slot,
        glued: bool,
        pool: u64,
        domain: usize,
    },
}

#[derive(Clone, Debug)]
struct Template {
    parts: Vec<Part>,
}

/// The knobs of one style.
#[derive(Clone, Copy)]
struct Style {
    name: &'static str,
    templates: usize,
    body_len: (usize, usize),
    slots: &'static [Slot],
    key_value_chance: f64,
    sibling_chance: f64,
    family_size: (usize, usize),
    prefix: PrefixKind,
    zipf: f64,
    /// Fewest distinct values of a word-valued slot.
    min_domain: usize,
    /// Variables added to every template.
    extra_slots: usize,
}

#[derive(Clone, Copy)]
enum PrefixKind {
    None,
    Component,
    Function,
}

const STYLES: [Style; 4] = [
    Style {
        name: "server",
        templates: 60,
        body_len: (2, 8),
        slots: &[
            Slot::Int,
            Slot::Int,
            Slot::Hex,
            Slot::Ip,
            Slot::IpPort,
            Slot::Millis,
            Slot::Path,
            Slot::Uuid,
            Slot::Plain,
            Slot::Quoted,
        ],
        key_value_chance: 0.1,
        sibling_chance: 0.1,
        family_size: (1, 3),
        prefix: PrefixKind::None,
        zipf: 1.0,
        min_domain: 1,
        extra_slots: 0,
    },
    Style {
        name: "mobile",
        templates: 170,
        body_len: (2, 10),
        slots: &[
            Slot::Int,
            Slot::Int,
            Slot::Hex,
            Slot::Bool,
            Slot::Plain,
            Slot::Class,
            Slot::Package,
            Slot::Object,
            Slot::Float,
            Slot::Quoted,
        ],
        key_value_chance: 0.35,
        sibling_chance: 0.1,
        family_size: (1, 8),
        prefix: PrefixKind::Component,
        zipf: 1.1,
        min_domain: 1,
        extra_slots: 0,
    },
    Style {
        name: "desktop",
        templates: 340,
        body_len: (3, 24),
        slots: &[
            Slot::Int,
            Slot::Int,
            Slot::Hex,
            Slot::Float,
            Slot::Path,
            Slot::Plain,
            Slot::Class,
            Slot::Package,
            Slot::Function,
            Slot::Quoted,
            Slot::Phrase,
            Slot::List,
            Slot::Bool,
        ],
        key_value_chance: 0.15,
        sibling_chance: 0.1,
        family_size: (1, 10),
        prefix: PrefixKind::Function,
        zipf: 1.2,
        min_domain: 1,
        extra_slots: 0,
    },
    Style {
        name: "dense",
        templates: 40,
        body_len: (4, 18),
        slots: &[
            Slot::Int,
            Slot::Hex,
            Slot::Plain,
            Slot::Plain,
            Slot::Class,
            Slot::Package,
            Slot::Function,
            Slot::Quoted,
            Slot::Phrase,
            Slot::Path,
            Slot::Bool,
        ],
        key_value_chance: 0.3,
        sibling_chance: 0.1,
        family_size: (1, 4),
        prefix: PrefixKind::Component,
        zipf: 0.7,
        min_domain: 4,
        extra_slots: 2,
    },
];

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The `k`-th value of a slot's pool, or a fresh value for numbers and ids.
fn value(slot: Slot, pool: u64, k: usize, fresh: &mut Rng) -> String {
    let mut r = Rng(pool ^ (k as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    match slot {
        Slot::Int => fresh.below([10, 1000, 100_000, 10_000_000][(pool % 4) as usize]).to_string(),
        Slot::Hex => format!("0x{:x}", fresh.next() >> (8 + pool % 32)),
        Slot::Float => format!("{}.{:03}", fresh.below(5000), fresh.below(1000)),
        Slot::Millis => format!("{}ms", fresh.below(20_000)),
        Slot::Ip => format!("10.{}.{}.{}", fresh.below(256), fresh.below(256), fresh.below(256)),
        Slot::IpPort => {
            format!("172.16.{}.{}:{}", fresh.below(256), fresh.below(256), fresh.range(1024, 65535))
        }
        Slot::Uuid => {
            let (a, b) = (fresh.next(), fresh.next());
            format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                a >> 32,
                a & 0xffff,
                (a >> 16) & 0xffff,
                b & 0xffff,
                b >> 16
            )
        }
        Slot::Path => format!(
            "/{}/{}/{}.{}",
            r.pick(&["Users", "var", "Library", "data", "opt", "tmp"]),
            lower(r.pick(NAME_PARTS)),
            lower(r.pick(NAME_SUFFIXES)),
            r.pick(&["plist", "db", "log", "json", "conf", "so"])
        ),
        Slot::Plain => r.pick(PLAIN_VALUES).to_string(),
        Slot::Bool => ["true", "false"][k % 2].to_string(),
        Slot::Class => format!("{}{}", r.pick(NAME_PARTS), r.pick(NAME_SUFFIXES)),
        Slot::Package => format!("com.{}.{}", r.pick(VENDORS), lower(r.pick(NAME_PARTS))),
        Slot::Function => {
            format!("{}_{}_{}", lower(r.pick(NAME_PARTS)), r.pick(WORDS), r.pick(WORDS))
        }
        Slot::Quoted => {
            let words: Vec<&str> = (0..r.range(1, 2)).map(|_| r.pick(APP_WORDS)).collect();
            let q = if pool.is_multiple_of(2) { '\'' } else { '"' };
            format!("{q}{}{q}", words.join(" "))
        }
        Slot::Phrase => (0..r.range(1, 4)).map(|_| r.pick(APP_WORDS)).collect::<Vec<_>>().join(" "),
        Slot::List => {
            let items: Vec<&str> =
                (0..fresh.range(0, 4)).map(|_| fresh.pick(PLAIN_VALUES)).collect();
            format!("[{}]", items.join(", "))
        }
        Slot::Object => format!(
            "{}{}{{{:07x} u0 com.{}.{}/.{} t{}}}",
            r.pick(NAME_PARTS),
            r.pick(NAME_SUFFIXES),
            fresh.next() >> 36,
            r.pick(VENDORS),
            lower(r.pick(NAME_PARTS)),
            r.pick(NAME_PARTS),
            fresh.below(1000)
        ),
    }
}

/// How many distinct values a word-valued slot takes: often a few, sometimes many.
fn domain_size(rng: &mut Rng) -> usize {
    [1, 2, 2, 3, 3, 4, 5, 8, 12, 20, 40][rng.below(11)]
}

fn slot_part(rng: &mut Rng, style: &Style, glued: bool) -> Part {
    let slot = style.slots[rng.below(style.slots.len())];
    Part::Slot { slot, glued, pool: rng.next(), domain: domain_size(rng).max(style.min_domain) }
}

fn word(text: impl Into<String>) -> Part {
    Part::Word { text: text.into(), glued: false }
}

/// A family's shared opening: a component or function name and a few words.
fn prefix(rng: &mut Rng, style: &Style) -> Vec<Part> {
    let mut parts = Vec::new();
    match style.prefix {
        PrefixKind::Component => {
            parts.push(word(format!("{}{}:", rng.pick(NAME_PARTS), rng.pick(NAME_SUFFIXES))))
        }
        PrefixKind::Function if rng.chance(0.6) => parts.push(word(format!(
            "{}_{}_{}:",
            lower(rng.pick(NAME_PARTS)),
            rng.pick(WORDS),
            rng.pick(WORDS)
        ))),
        _ => {}
    }
    for _ in 0..rng.range(0, 4) {
        parts.push(word(rng.pick(WORDS)));
    }
    if let Some(Part::Word { text, .. }) = parts.first_mut() {
        *text = capitalize(text);
    }
    parts
}

/// How many variables a template has: most have one to three, whatever their length.
fn slot_count(rng: &mut Rng) -> usize {
    [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5][rng.below(12)]
}

/// A run of `key=value` (or `key = value`) pairs, comma-separated or not.
fn key_values(rng: &mut Rng, style: &Style) -> Vec<Part> {
    let mut parts = Vec::new();
    let (spaced, commas) = (rng.chance(0.4), rng.chance(0.5));
    let n = rng.range(1, 4);
    for i in 0..n {
        let key = format!("{}{}", rng.pick(WORDS), capitalize(rng.pick(WORDS)));
        if spaced {
            parts.push(word(key));
            parts.push(word("="));
            parts.push(slot_part(rng, style, false));
        } else {
            parts.push(word(format!("{key}=")));
            parts.push(slot_part(rng, style, true));
        }
        if commas && i + 1 < n {
            parts.push(Part::Word { text: ",".into(), glued: true });
        }
    }
    parts
}

/// The body of one template after its family's prefix: words, with a few variables among
/// them and sometimes a run of key-value pairs.
fn body(rng: &mut Rng, style: &Style) -> Vec<Part> {
    let mut parts: Vec<Part> =
        (0..rng.range(style.body_len.0, style.body_len.1)).map(|_| word(rng.pick(WORDS))).collect();
    for _ in 0..slot_count(rng) + style.extra_slots {
        let at = rng.range(1, parts.len());
        parts.insert(at, slot_part(rng, style, false));
    }
    if rng.chance(style.key_value_chance) {
        let at = rng.range(1, parts.len());
        let kv = key_values(rng, style);
        parts.splice(at..at, kv);
    }
    parts
}

/// The text of a template with each slot shown as `<Slot>`: equal texts are one template.
fn shape(t: &Template) -> String {
    let mut s = String::new();
    for p in &t.parts {
        let (text, glued) = match p {
            Part::Word { text, glued } => (text.clone(), *glued),
            Part::Slot { slot, glued, .. } => (format!("<{slot:?}>"), *glued),
        };
        if !s.is_empty() && !glued {
            s.push(' ');
        }
        s.push_str(&text);
    }
    s
}

/// A sibling: the same template with one constant word swapped for its counterpart
/// ("opened" / "closed"), so both are events of their own.
fn siblings(rng: &mut Rng, t: &mut Template) -> Option<Template> {
    let words: Vec<usize> = (1..t.parts.len())
        .filter(|&i| matches!(&t.parts[i], Part::Word { glued: false, text } if text != "="))
        .collect();
    if words.is_empty() {
        return None;
    }
    let at = words[rng.below(words.len())];
    let pair = rng.below(SIBLING_WORDS.len() / 2) * 2;
    let mut other = t.clone();
    t.parts[at] = word(SIBLING_WORDS[pair]);
    other.parts[at] = word(SIBLING_WORDS[pair + 1]);
    Some(other)
}

/// The templates of one corpus: families sharing a prefix, some with siblings; no two alike.
fn templates(rng: &mut Rng, style: &Style) -> Vec<Template> {
    let mut out: Vec<Template> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while out.len() < style.templates {
        let head = prefix(rng, style);
        for _ in 0..rng.range(style.family_size.0, style.family_size.1) {
            let mut parts = head.clone();
            parts.extend(body(rng, style));
            if let Some(Part::Word { text, .. }) = parts.first_mut() {
                *text = capitalize(text);
            }
            let mut t = Template { parts };
            let sib = if rng.chance(style.sibling_chance) { siblings(rng, &mut t) } else { None };
            for t in std::iter::once(t).chain(sib) {
                if out.len() < style.templates && seen.insert(shape(&t)) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// One line of a template.
fn render(t: &Template, rng: &mut Rng) -> String {
    let mut s = String::new();
    for p in &t.parts {
        let (text, glued) = match p {
            Part::Word { text, glued } => (text.clone(), *glued),
            Part::Slot { slot, glued, pool, domain } => {
                let k = rng.below(*domain);
                (value(*slot, *pool, k, rng), *glued)
            }
        };
        if !s.is_empty() && !glued {
            s.push(' ');
        }
        s.push_str(&text);
    }
    s
}

/// `lines` lines over the templates, counts following a Zipf law over a random ranking.
fn corpus(style: &Style, seed: u64, lines: usize) -> (Vec<usize>, Vec<String>) {
    let mut rng = Rng(seed.wrapping_mul(0x51_7cc1_b727_220a) ^ style.name.len() as u64);
    let ts = templates(&mut rng, style);
    let weights: Vec<f64> =
        (0..ts.len()).map(|r| 1.0 / ((r + 1) as f64).powf(style.zipf)).collect();
    let total: f64 = weights.iter().sum();
    let mut counts: Vec<usize> =
        weights.iter().map(|w| ((lines as f64 * w / total) as usize).max(1)).collect();
    let sum: usize = counts.iter().sum();
    if sum < lines {
        counts[0] += lines - sum;
    }
    let mut truth = Vec::new();
    let mut text = Vec::new();
    let mut order: Vec<usize> = (0..ts.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for (rank, &t) in order.iter().enumerate() {
        for _ in 0..counts[rank] {
            truth.push(t);
            text.push(render(&ts[t], &mut rng));
        }
    }
    (truth, text)
}

/// What mask + mine made of a corpus.
struct Mining {
    /// The mined template of every line.
    pred: Vec<u32>,
    templates: Vec<String>,
    distinct: usize,
    mine_secs: f64,
    /// Mining the distinct messages in reverse order gave the same partition.
    order_independent: bool,
}

/// Mask + mine as the tool does; mines a second time in reverse order to check that the
/// partition does not depend on it.
fn mine_lines(lines: &[String]) -> Mining {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut distinct: Vec<String> = Vec::new();
    let mut weights: Vec<u64> = Vec::new();
    let mut line_msg = Vec::with_capacity(lines.len());
    for l in lines {
        let m = mask::mask_message(l);
        let id = *ids.entry(m).or_insert_with_key(|k| {
            distinct.push(k.clone());
            weights.push(0);
            distinct.len() - 1
        });
        weights[id] += 1;
        line_msg.push(id);
    }
    let refs: Vec<&str> = distinct.iter().map(String::as_str).collect();
    let start = Instant::now();
    let mined = miner::mine(&refs, &weights);
    let mine_secs = start.elapsed().as_secs_f64();
    let reversed: Vec<&str> = refs.iter().rev().copied().collect();
    let again = miner::mine(&reversed, &weights.iter().rev().copied().collect::<Vec<_>>());
    let n = refs.len();
    let order_independent = (0..n).all(|i| {
        mined.templates[mined.assignments[i] as usize]
            == again.templates[again.assignments[n - 1 - i] as usize]
    });
    Mining {
        pred: line_msg.iter().map(|&i| mined.assignments[i]).collect(),
        templates: mined.templates,
        distinct: n,
        mine_secs,
        order_independent,
    }
}

/// GA and the planted templates not recovered.
fn grouping_accuracy(truth: &[usize], pred: &[u32]) -> (f64, Vec<usize>) {
    let mut by_truth: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &t) in truth.iter().enumerate() {
        by_truth.entry(t).or_default().push(i);
    }
    let mut size: HashMap<u32, usize> = HashMap::new();
    for &p in pred {
        *size.entry(p).or_default() += 1;
    }
    let mut correct = 0;
    let mut wrong = Vec::new();
    for (t, lines) in by_truth {
        let p = pred[lines[0]];
        if lines.iter().all(|&l| pred[l] == p) && size[&p] == lines.len() {
            correct += lines.len();
        } else {
            wrong.push(t);
        }
    }
    (correct as f64 / truth.len().max(1) as f64, wrong)
}

fn print_errors(
    truth: &[usize],
    text: &[String],
    pred: &[u32],
    templates: &[String],
    wrong: &[usize],
) {
    for &w in wrong {
        let rows: Vec<usize> = (0..truth.len()).filter(|&i| truth[i] == w).collect();
        let mut preds: Vec<u32> = rows.iter().map(|&i| pred[i]).collect();
        preds.sort_unstable();
        preds.dedup();
        println!("  planted {w} ({} lines) -> {} mined templates", rows.len(), preds.len());
        for &p in preds.iter().take(3) {
            let foreign = (0..pred.len()).filter(|&i| pred[i] == p && truth[i] != w).count();
            let example = rows.iter().find(|&&i| pred[i] == p).unwrap();
            println!("    [{}] +{foreign} foreign  e.g. {}", templates[p as usize], text[*example]);
        }
    }
}

struct Args {
    seeds: Vec<u64>,
    lines: usize,
    scale: usize,
    errors: bool,
    dump: Option<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo run --release --example generality -- [--seeds S,S,..] [--lines N] \
         [--scale K] [--errors] [--dump STYLE]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args =
        Args { seeds: vec![1, 2, 3, 4, 5], lines: 2000, scale: 1, errors: false, dump: None };
    let mut it = std::env::args().skip(1);
    let number = |it: &mut std::iter::Skip<std::env::Args>| -> usize {
        it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage())
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--errors" => args.errors = true,
            "--lines" => args.lines = number(&mut it),
            "--scale" => args.scale = number(&mut it).max(1),
            "--seeds" => {
                let v = it.next().unwrap_or_else(|| usage());
                args.seeds =
                    v.split(',').map(|s| s.trim().parse().unwrap_or_else(|_| usage())).collect();
            }
            "--dump" => args.dump = Some(it.next().unwrap_or_else(|| usage())),
            _ => usage(),
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let styles: Vec<Style> =
        STYLES.iter().map(|s| Style { templates: s.templates * args.scale, ..*s }).collect();
    if let Some(name) = &args.dump {
        let Some(style) = styles.iter().find(|s| s.name == name) else {
            eprintln!("no style {name}; styles: server, mobile, desktop, dense");
            std::process::exit(2)
        };
        let (truth, text) = corpus(style, args.seeds[0], args.lines);
        for (t, l) in truth.iter().zip(&text) {
            println!("{t}\t{l}");
        }
        return;
    }
    println!(
        "{:<8} {:>5} {:>7} {:>9} {:>8} {:>6} {:>8} {:>9} {:>6}",
        "style", "seed", "lines", "planted", "distinct", "mined", "GA", "mine ms", "order"
    );
    let mut unstable = false;
    for style in &styles {
        let mut sum = 0.0;
        for &seed in &args.seeds {
            let (truth, text) = corpus(style, seed, args.lines);
            let r = mine_lines(&text);
            let (ga, wrong) = grouping_accuracy(&truth, &r.pred);
            let planted = truth.iter().collect::<HashSet<_>>().len();
            println!(
                "{:<8} {:>5} {:>7} {:>9} {:>8} {:>6} {:>8.3} {:>9.1} {:>6}",
                style.name,
                seed,
                text.len(),
                planted,
                r.distinct,
                r.templates.len(),
                ga,
                r.mine_secs * 1000.0,
                if r.order_independent { "same" } else { "DIFFERS" }
            );
            unstable |= !r.order_independent;
            if args.errors {
                print_errors(&truth, &text, &r.pred, &r.templates, &wrong);
            }
            sum += ga;
        }
        println!("{:<8} {:>5} {:>42.3}", style.name, "mean", sum / args.seeds.len() as f64);
    }
    println!(
        "planted: templates with a line; distinct: masked messages mined; mined: templates found; \
         order: mining the distinct messages in reverse order gave the same partition."
    );
    if unstable {
        std::process::exit(1);
    }
}
