//! Synthetic Cloud Logging dumps with planted issues, for the bundled sample, the tests and the
//! benchmarks.
//!
//! [`generate`] writes Cloud Run LogEntries for three services (`netra-backend-staging`,
//! `netra-auth-service`, `netra-frontend-staging`, each with an old and a new revision), either as
//! `gcloud logging read --format=json` prints them (one pretty-printed array, keys sorted, newest
//! first) or as a Cloud Storage sink writes them (NDJSON, oldest first). Among INFO/DEBUG noise it
//! plants the issues listed in `content::ISSUES` (modelled on the reference worklog), and returns a
//! [`GroundTruth`]: per issue the counts and first timestamp exactly as written, and per entry
//! (by `insertId`) the issue it belongs to.
//!
//! Weeks: [`GenerateOptions::week`] 1 (the default) is the dump as always; weeks 2 and 3 are the
//! follow-up weeks of one scenario in which issues appear, escalate, decline, resolve and
//! regress ([`week_factor`]), and the ground truth says which status each should get against
//! the previous week's report ([`expected_status`]).
//!
//! Output is a pure function of [`GenerateOptions`]: a hand-written splitmix64 PRNG, no clock, no
//! hash-map iteration order.
//!
//! Layout: `json` (JSON tree and writers, PRNG, timestamps), `content` (issue catalog and entry
//! builders), this file (planning, writing, ground truth).

mod content;
mod distinct;
mod json;

pub use distinct::{generate_distinct, DistinctOptions, DISTINCT_TEMPLATES};

use std::io::{self, Write};

use chrono::{DateTime, Duration, TimeZone, Utc};

use content::{Ctx, Ev, Kind, Out, Sev, BACKEND, BURST_RATE, ISSUES, NOISE_WEIGHTS};
use json::{mix, push_timestamp, Rng, V};

/// A span of time as log-gardener's `--since`/`--until` take it: a whole number and a unit, `s`,
/// `m` (or `min`), `h`, `d` or `w` (`90m`, `2h`, `7d`); nanoseconds. The product's tests check
/// that both accept the same texts with the same values.
pub fn parse_span(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad =
        || format!("`{text}` is not a span: use a whole number and a unit (90s, 30m, 2h, 7d, 1w)");
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(secs).and_then(|s| s.checked_mul(1_000_000_000)).ok_or_else(bad)
}

/// How the dump is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpFormat {
    /// `gcloud logging read --format=json`: one pretty-printed array (2-space indent, keys sorted),
    /// newest entry first.
    JsonArray,
    /// A Cloud Storage sink: one compact entry per line, oldest first.
    Ndjson,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Number of entries. Issue counts scale with it; every issue occurs at least once, so a very
    /// small number (below ~60) may be exceeded. Zero gives an empty dump.
    pub entries: usize,
    pub seed: u64,
    /// Start of the time window.
    pub start: DateTime<Utc>,
    /// Length of the time window (at least one second is used).
    pub span: Duration,
    pub format: DumpFormat,
    /// GCP project id used in logName, resource labels and trace names.
    pub project: String,
    /// Week of the follow-up scenario (1, 2, 3; later weeks are like week 3): which issues are
    /// planted and how often ([`week_factor`]). Week 1 is the usual dump.
    pub week: u32,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            entries: 400,
            seed: 1,
            start: Utc.with_ymd_and_hms(2025, 9, 11, 5, 0, 0).single().unwrap_or_default(),
            span: Duration::hours(2),
            format: DumpFormat::JsonArray,
            project: "netra-staging".to_string(),
            week: 1,
        }
    }
}

/// One planted issue as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedIssue {
    /// Stable key, e.g. `session-middleware-missing`.
    pub key: String,
    /// Cloud Run service name.
    pub service: String,
    /// Highest severity, Cloud Logging name. For entries written without a severity (split
    /// tracebacks, `ERROR:`/`[WARNING]`/`level=` text, `"level"` in the payload) this is the
    /// severity the text implies.
    pub severity: String,
    /// Occurrences: a split traceback (one entry per line) is one event.
    pub events: u64,
    /// LogEntries.
    pub entries: u64,
    /// Timestamp of the earliest entry, exactly as written in the dump.
    pub first_seen: String,
    /// What was planted (message shape, what varies, secrets).
    pub description: String,
    /// The status log-gardener should give it against the previous week's report (weeks 2 and
    /// later): NEW, REGRESSED, ESCALATING, ONGOING or DECLINING.
    pub expected_status: Option<&'static str>,
}

/// What the dump contains, for checking grouping exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroundTruth {
    /// Planted issues in catalog order (those of the week).
    pub issues: Vec<PlantedIssue>,
    /// Keys of the issues planted the week before and not this week (resolved since then).
    pub resolved: Vec<String>,
    /// `(insertId, issue key or "" for out-of-scope noise)` for every entry, in output order.
    pub entries: Vec<(String, String)>,
}

/// Writes a dump to `out` and returns its ground truth.
pub fn generate(opts: &GenerateOptions, out: &mut dyn Write) -> io::Result<GroundTruth> {
    let start = opts.start.timestamp_nanos_opt().unwrap_or(0);
    let span =
        opts.span.num_nanoseconds().unwrap_or(i64::MAX / 4).clamp(1_000_000_000, i64::MAX / 4);
    let mut rng = Rng::new(opts.seed);
    let ctx = Ctx::new(&opts.project, start, span, &mut rng);
    let (events, total) = plan(opts, &ctx, start, span, &mut rng);

    let mut w = Writer {
        out,
        buf: Vec::with_capacity(1 << 21),
        id_salt: mix(opts.seed ^ 0x001d_5a17),
        stats: ISSUES.iter().map(|_| Stat::default()).collect(),
        truth: Vec::with_capacity(total),
        ts: String::with_capacity(32),
    };
    match opts.format {
        DumpFormat::JsonArray => {
            if events.is_empty() {
                w.buf.extend_from_slice(b"[]\n");
            } else {
                w.buf.extend_from_slice(b"[\n");
                let mut first = true;
                for ev in events.iter().rev() {
                    let outs = ctx.materialize(ev);
                    for (j, o) in outs.into_iter().enumerate().rev() {
                        if !first {
                            w.buf.extend_from_slice(b",\n");
                        }
                        first = false;
                        w.buf.extend_from_slice(b"  ");
                        let v = w.finish_entry(ev, j, o);
                        v.write_pretty(2, &mut w.buf);
                        w.maybe_flush()?;
                    }
                }
                w.buf.extend_from_slice(b"\n]\n");
            }
        }
        DumpFormat::Ndjson => {
            for ev in &events {
                for (j, o) in ctx.materialize(ev).into_iter().enumerate() {
                    let v = w.finish_entry(ev, j, o);
                    v.write_compact(&mut w.buf);
                    w.buf.push(b'\n');
                    w.maybe_flush()?;
                }
            }
        }
    }
    w.out.write_all(&w.buf)?;
    w.out.flush()?;

    let week = opts.week;
    let issues = ISSUES
        .iter()
        .zip(w.stats)
        .enumerate()
        .filter(|(i, _)| week_factor(week, *i as u8) > 0.0)
        .map(|(i, (def, st))| PlantedIssue {
            key: def.key.to_string(),
            service: content::SERVICE_NAMES[def.service].to_string(),
            severity: st.sev.unwrap_or(Sev::Default).name().to_string(),
            events: st.events,
            entries: st.entries,
            first_seen: st.first,
            description: def.description.to_string(),
            expected_status: expected_status(week, i as u8),
        })
        .collect();
    let resolved = (0..ISSUES.len() as u8)
        .filter(|&i| week > 1 && week_factor(week - 1, i) > 0.0 && week_factor(week, i) == 0.0)
        .map(|i| ISSUES[i as usize].key.to_string())
        .collect();
    Ok(GroundTruth { issues, resolved, entries: w.truth })
}

/// How often issue `i` is planted in `week` of the follow-up scenario, as a multiple of its
/// usual rate (0: not planted):
///
/// | issue | week 1 | week 2 | week 3 and later |
/// |---|---|---|---|
/// | session-middleware-missing (WARNING, P1) | 1 | 3: escalates | 3 |
/// | request-id-invalid-format (WARNING, P2) | 1 | 3: escalates (and is raised to P1) | 3 |
/// | postgres-connection-refused | 1 | 0.3: declines | 0.3 |
/// | slow-query-text-warning | 1 | 0: resolved | 1: regresses |
/// | agent-step-budget-exceeded (WARNING) | 0 | 1: appears, after the backend deploy | 1 |
/// | every other | 1 | 1 | 1 |
pub fn week_factor(week: u32, i: u8) -> f64 {
    use content::{POSTGRES_REFUSED, REQUEST_ID, SESSION, STEP_BUDGET, TEXT_WARNING};
    match (week.clamp(1, 3), i) {
        (1, STEP_BUDGET) => 0.0,
        (1, _) => 1.0,
        (_, SESSION | REQUEST_ID) => 3.0,
        (_, POSTGRES_REFUSED) => 0.3,
        (2, TEXT_WARNING) => 0.0,
        _ => 1.0,
    }
}

/// The status issue `i` should get in `week` against the report of the week before (None in
/// week 1, which has no report before it, and for issues not planted).
pub fn expected_status(week: u32, i: u8) -> Option<&'static str> {
    if week < 2 || week_factor(week, i) == 0.0 {
        return None;
    }
    let (before, now) = (week_factor(week - 1, i), week_factor(week, i));
    let ever_before = (1..week).any(|w| week_factor(w, i) > 0.0);
    Some(if before == 0.0 && ever_before {
        "REGRESSED"
    } else if before == 0.0 {
        "NEW"
    } else if now >= before * 1.5 {
        "ESCALATING"
    } else if now <= before * 0.5 {
        "DECLINING"
    } else {
        "ONGOING"
    })
}

/// Writes the per-entry ground truth as CSV: header `entry,truth`, then `insertId,key` (key empty
/// for noise).
pub fn write_truth_csv(truth: &GroundTruth, out: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 20, out);
    w.write_all(b"entry,truth\n")?;
    for (id, key) in &truth.entries {
        w.write_all(id.as_bytes())?;
        w.write_all(b",")?;
        w.write_all(key.as_bytes())?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

#[derive(Default)]
struct Stat {
    events: u64,
    entries: u64,
    first_t: Option<i64>,
    first: String,
    sev: Option<Sev>,
}

struct Writer<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    id_salt: u64,
    stats: Vec<Stat>,
    truth: Vec<(String, String)>,
    ts: String,
}

impl Writer<'_> {
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= 1 << 20 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Adds insertId and timestamps, records the truth, returns the sorted entry.
    fn finish_entry(&mut self, ev: &Ev, j: usize, o: Out) -> V {
        let idx = ev.first_entry + j as u64;
        let t = ev.t + o.off;
        let secs = t.div_euclid(1_000_000_000) as u64 & 0xffff_ffff;
        let insert_id = format!("{secs:08x}{:016x}", mix(idx ^ self.id_salt));
        self.ts.clear();
        push_timestamp(t, ev.nine, &mut self.ts);
        let timestamp = self.ts.clone();
        let delay = 4_000_000 + (mix(idx.wrapping_add(self.id_salt)) % 900_000_000) as i64;
        let mut receive = String::with_capacity(32);
        push_timestamp(t + delay, true, &mut receive);

        let key = match o.issue {
            Some(i) => {
                let st = &mut self.stats[i as usize];
                st.entries += 1;
                st.events += u64::from(o.starts_event);
                if st.first_t.is_none_or(|f| t < f) {
                    st.first_t = Some(t);
                    st.first = timestamp.clone();
                }
                st.sev = st.sev.max(Some(o.sev));
                ISSUES[i as usize].key
            }
            None => "",
        };
        self.truth.push((insert_id.clone(), key.to_string()));

        let mut fields = o.fields;
        fields.push(("insertId", V::S(insert_id)));
        fields.push(("timestamp", V::S(timestamp)));
        fields.push(("receiveTimestamp", V::S(receive)));
        let mut v = V::O(fields);
        v.sort();
        v
    }
}

/// Plans every event: issues at their rates from their onsets, WebSocket failure bursts after the
/// backend rollout, instance startups, then noise up to `entries`. Returns the events sorted by
/// time, shifted so that no two events overlap (a split traceback's lines stay consecutive), with
/// `first_entry` numbered in time order, and the total entry count.
fn plan(
    opts: &GenerateOptions,
    ctx: &Ctx,
    start: i64,
    span: i64,
    rng: &mut Rng,
) -> (Vec<Ev>, usize) {
    let (entries, week) = (opts.entries, opts.week);
    if entries == 0 {
        return (Vec::new(), 0);
    }
    let scale = entries as f64 / 400.0;
    let count = |rate: f64| ((rate * scale).round() as usize).max(1);
    let end = start + span;
    let mut evs: Vec<Ev> = Vec::with_capacity(entries + 16);
    let mut planned = 0usize;
    let push = |evs: &mut Vec<Ev>, t: i64, kind: Kind, nine: bool, rng: &mut Rng| -> usize {
        let seed = rng.next_u64();
        let n = Ctx::offsets(kind, seed).len();
        evs.push(Ev { t, seed, first_entry: 0, kind, nine });
        n
    };
    let spread =
        |onset: i64, rng: &mut Rng| onset + (rng.unit() * (end - onset).max(1) as f64) as i64;

    // The WebSocket failures start with the new backend revision.
    let ws_onset = ctx.services[BACKEND].cutover.min(end - 1);
    for (i, def) in ISSUES.iter().enumerate() {
        let i = i as u8;
        // Before any random draw, so that issues not planted this week leave week 1's dump
        // exactly as it always was.
        let factor = week_factor(week, i);
        if factor == 0.0 {
            continue;
        }
        let onset = onset(i, (start, end), ws_onset, rng);
        let split = matches!(i, content::TB_VALUEERROR | content::TB_WS_CLOSED);
        for k in 0..count(def.rate * factor) {
            let t = if k == 0 { onset } else { spread(onset, rng) };
            let nine = split || rng.chance(0.3);
            planned += push(&mut evs, t, Kind::Issue(i), nine, rng);
        }
    }
    for k in 0..count(BURST_RATE) {
        let t = if k == 0 { ws_onset } else { spread(ws_onset, rng) };
        planned += push(&mut evs, t, Kind::Burst, false, rng);
    }

    let budget = entries.saturating_sub(planned);
    let mut noise = 0usize;
    for (t, kind) in ctx.startups(start) {
        if t >= end || noise + 5 > budget / 3 {
            continue;
        }
        noise += push(&mut evs, t, kind, true, rng);
    }
    while noise < budget {
        let k = rng.weighted(&NOISE_WEIGHTS) as u8;
        let t = spread(start, rng);
        let nine = rng.chance(0.3);
        noise += push(&mut evs, t, Kind::Noise(k), nine, rng);
    }

    // Sort (stable, so ties keep planning order) and make events disjoint and strictly ordered.
    evs.sort_by_key(|e| e.t);
    let mut prev_end = i64::MIN / 2;
    let mut next_entry = 0u64;
    for e in &mut evs {
        let mut t = e.t.max(prev_end + 1);
        if !e.nine {
            t = t.div_euclid(1000) * 1000 + if t.rem_euclid(1000) == 0 { 0 } else { 1000 };
        }
        e.t = t;
        let offs = Ctx::offsets(e.kind, e.seed);
        prev_end = t + offs.last().copied().unwrap_or(0);
        e.first_entry = next_entry;
        next_entry += offs.len() as u64;
    }
    (evs, next_entry as usize)
}

/// When issue `i` first occurs in the window `(start, end)`: the session warnings from the
/// start, the WebSocket failures (and the follow-up weeks' new issue) with the new backend
/// revision (`ws_onset`), the Redis degradation late, the rest anywhere in the first 60%.
fn onset(i: u8, (start, end): (i64, i64), ws_onset: i64, rng: &mut Rng) -> i64 {
    let at = |frac: f64| start + (frac * (end - start) as f64) as i64;
    match i {
        content::SESSION => at(0.03 * rng.unit()),
        content::AGENT_BRIDGE..=content::ERROR_MSG | content::STEP_BUDGET => {
            (ws_onset + (rng.unit() * 0.1 * (end - ws_onset) as f64) as i64).min(end - 1)
        }
        content::REDIS_DEGRADED => at(0.4 + 0.3 * rng.unit()),
        _ => at(0.6 * rng.unit()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn opts(entries: usize, seed: u64, format: DumpFormat) -> GenerateOptions {
        GenerateOptions { entries, seed, format, ..GenerateOptions::default() }
    }

    fn run(o: &GenerateOptions) -> (Vec<u8>, GroundTruth) {
        let mut buf = Vec::new();
        let truth = generate(o, &mut buf).unwrap();
        (buf, truth)
    }

    /// Entries in time order (oldest first), whatever the format.
    fn parse(o: &GenerateOptions, bytes: &[u8]) -> Vec<serde_json::Value> {
        match o.format {
            DumpFormat::JsonArray => {
                let v: Vec<serde_json::Value> = serde_json::from_slice(bytes).unwrap();
                v.into_iter().rev().collect()
            }
            DumpFormat::Ndjson => std::str::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        }
    }

    fn ts(e: &serde_json::Value) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(e["timestamp"].as_str().unwrap()).unwrap().with_timezone(&Utc)
    }

    fn sev_rank(v: &serde_json::Value) -> Option<i64> {
        match v {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => Some(match s.as_str() {
                "DEFAULT" => 0,
                "DEBUG" => 100,
                "INFO" => 200,
                "NOTICE" => 300,
                "WARNING" => 400,
                "ERROR" => 500,
                "CRITICAL" => 600,
                other => panic!("unknown severity {other}"),
            }),
            _ => None,
        }
    }

    #[test]
    fn spans_take_a_whole_number_and_a_unit() {
        assert_eq!(parse_span("2h"), Ok(2 * 3_600_000_000_000));
        assert_eq!(parse_span("90m"), Ok(90 * 60_000_000_000));
        assert_eq!(parse_span("7d"), Ok(7 * 86_400_000_000_000));
        assert_eq!(parse_span("1w"), Ok(7 * 86_400_000_000_000));
        assert_eq!(parse_span("45s"), Ok(45_000_000_000));
        for bad in ["", "h", "2x", "-3h", "0.5", "2", "abc"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        for format in [DumpFormat::JsonArray, DumpFormat::Ndjson] {
            let (a, ta) = run(&opts(700, 42, format));
            let (b, tb) = run(&opts(700, 42, format));
            assert_eq!(a, b);
            assert_eq!(ta, tb);
            let (c, _) = run(&opts(700, 43, format));
            assert_ne!(a, c);
        }
    }

    #[test]
    fn formats_hold_the_same_entries() {
        let (a, ta) = run(&opts(400, 7, DumpFormat::JsonArray));
        let (b, tb) = run(&opts(400, 7, DumpFormat::Ndjson));
        let ea = parse(&opts(400, 7, DumpFormat::JsonArray), &a);
        let eb = parse(&opts(400, 7, DumpFormat::Ndjson), &b);
        assert_eq!(ea, eb);
        assert_eq!(ta.issues, tb.issues);
        let mut ra = ta.entries.clone();
        ra.reverse();
        assert_eq!(ra, tb.entries);
    }

    #[test]
    fn json_array_is_gcloud_shaped_and_newest_first() {
        let o = opts(400, 1, DumpFormat::JsonArray);
        let (bytes, truth) = run(&o);
        let text = String::from_utf8(bytes).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        // serde_json's map is sorted, and its pretty printer matches Python's indent=2: equal
        // bytes mean sorted keys at every level and gcloud's layout.
        assert_eq!(serde_json::to_string_pretty(&value).unwrap() + "\n", text);
        let arr = value.as_array().unwrap();
        assert_eq!(arr.len(), 400);
        assert_eq!(truth.entries.len(), 400);
        for pair in arr.windows(2) {
            assert!(
                ts(&pair[0]) > ts(&pair[1]),
                "not newest first: {} then {}",
                pair[0]["timestamp"],
                pair[1]["timestamp"]
            );
        }
        for (e, (id, _)) in arr.iter().zip(&truth.entries) {
            assert_eq!(e["insertId"].as_str().unwrap(), id);
        }
    }

    #[test]
    fn ndjson_is_one_sorted_entry_per_line_oldest_first() {
        let o = opts(1000, 3, DumpFormat::Ndjson);
        let (bytes, truth) = run(&o);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1000);
        assert_eq!(truth.entries.len(), 1000);
        let mut prev: Option<DateTime<Utc>> = None;
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), line, "keys not sorted or not compact");
            let t = ts(&v);
            assert!(prev.is_none_or(|p| p < t));
            prev = Some(t);
        }
    }

    #[test]
    fn entries_look_like_cloud_run() {
        let o = opts(400, 5, DumpFormat::Ndjson);
        let (bytes, _) = run(&o);
        let entries = parse(&o, &bytes);
        let mut ids = HashSet::new();
        let mut numeric_sev = 0;
        let mut no_sev = 0;
        for e in &entries {
            let id = e["insertId"].as_str().unwrap();
            assert!(id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
            assert!(ids.insert(id.to_string()), "duplicate insertId {id}");
            let t = e["timestamp"].as_str().unwrap();
            assert!(t.len() == 27 || t.len() == 30, "{t}");
            assert!(e["receiveTimestamp"].is_string());
            assert_eq!(e["resource"]["type"], "cloud_run_revision");
            let labels = &e["resource"]["labels"];
            assert_eq!(labels["project_id"], "netra-staging");
            assert_eq!(labels["location"], "us-central1");
            let svc = labels["service_name"].as_str().unwrap();
            assert!(labels["revision_name"].as_str().unwrap().starts_with(svc));
            assert!(e["labels"]["instanceId"].as_str().unwrap().len() > 64);
            let log = e["logName"].as_str().unwrap();
            assert!(log.starts_with("projects/netra-staging/logs/run.googleapis.com%2F"), "{log}");
            let payloads = ["jsonPayload", "textPayload", "httpRequest"]
                .iter()
                .filter(|k| !e[**k].is_null())
                .count();
            assert_eq!(payloads, 1, "{e}");
            if log.ends_with("%2Frequests") {
                assert!(e["httpRequest"]["status"].is_i64());
                assert!(e["httpRequest"]["latency"].as_str().unwrap().ends_with('s'));
            }
            match &e["severity"] {
                serde_json::Value::Null => no_sev += 1,
                serde_json::Value::Number(_) => numeric_sev += 1,
                _ => {}
            }
        }
        assert!(numeric_sev >= 1, "no numeric severities");
        assert!(no_sev >= 20, "too few entries without severity: {no_sev}");
        // Both revisions of every service show up.
        let revs: HashSet<&str> = entries
            .iter()
            .map(|e| e["resource"]["labels"]["revision_name"].as_str().unwrap())
            .collect();
        assert_eq!(revs.len(), 6, "{revs:?}");
    }

    fn check_truth(o: &GenerateOptions) -> GroundTruth {
        let (bytes, truth) = run(o);
        let entries = parse(o, &bytes);
        assert_eq!(entries.len(), truth.entries.len());
        let key_of: HashMap<&str, &str> =
            truth.entries.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(key_of.len(), entries.len());
        for issue in &truth.issues {
            let mine: Vec<&serde_json::Value> = entries
                .iter()
                .filter(|e| key_of[e["insertId"].as_str().unwrap()] == issue.key)
                .collect();
            assert_eq!(mine.len() as u64, issue.entries, "{}", issue.key);
            let events = mine
                .iter()
                .filter(|e| {
                    // A split traceback counts once, by its first line.
                    let text = e["textPayload"].as_str().unwrap_or("");
                    !issue.key.ends_with("-traceback") || text.starts_with("Traceback")
                })
                .count();
            assert_eq!(events as u64, issue.events, "{}", issue.key);
            let first = mine.iter().min_by_key(|e| ts(e)).unwrap();
            assert_eq!(first["timestamp"].as_str().unwrap(), issue.first_seen, "{}", issue.key);
            for e in &mine {
                assert_eq!(
                    e["resource"]["labels"]["service_name"],
                    issue.service.as_str(),
                    "{}",
                    issue.key
                );
            }
            let explicit: Vec<i64> = mine.iter().filter_map(|e| sev_rank(&e["severity"])).collect();
            if explicit.len() == mine.len() {
                let max = *explicit.iter().max().unwrap();
                assert_eq!(
                    sev_rank(&serde_json::Value::String(issue.severity.clone())),
                    Some(max),
                    "{}",
                    issue.key
                );
            }
        }
        truth
    }

    #[test]
    fn ground_truth_counts_match_output() {
        for (n, seed, format) in [
            (400, 1, DumpFormat::JsonArray),
            (400, 9, DumpFormat::Ndjson),
            (3000, 2, DumpFormat::Ndjson),
        ] {
            check_truth(&opts(n, seed, format));
        }
    }

    #[test]
    fn every_issue_occurs_a_few_times_at_400() {
        for seed in 1..6 {
            let truth = check_truth(&opts(400, seed, DumpFormat::Ndjson));
            assert_eq!(truth.issues.len(), ISSUES.len() - 1, "all but the follow-up weeks' own");
            for issue in &truth.issues {
                assert!(
                    issue.events >= 3,
                    "seed {seed}: {} has {} events",
                    issue.key,
                    issue.events
                );
            }
            let keys: HashSet<&str> = truth.issues.iter().map(|i| i.key.as_str()).collect();
            assert_eq!(keys.len(), truth.issues.len());
            let noise = truth.entries.iter().filter(|(_, k)| k.is_empty()).count();
            let frac = noise as f64 / truth.entries.len() as f64;
            assert!((0.33..0.5).contains(&frac), "noise fraction {frac}");
            // First occurrences are spread over the window, not all at its start.
            let mut firsts: Vec<&str> =
                truth.issues.iter().map(|i| i.first_seen.as_str()).collect();
            firsts.sort();
            firsts.dedup();
            assert!(firsts.len() > ISSUES.len() / 2);
        }
    }

    #[test]
    fn entries_scale() {
        for n in [60, 400, 2500, 10_000] {
            let (_, truth) = run(&opts(n, 11, DumpFormat::Ndjson));
            assert_eq!(truth.entries.len(), n);
        }
        let small = run(&opts(100, 11, DumpFormat::Ndjson)).1;
        let big = run(&opts(10_000, 11, DumpFormat::Ndjson)).1;
        let s = small.issues.iter().find(|i| i.key == "session-middleware-missing").unwrap().events;
        let b = big.issues.iter().find(|i| i.key == "session-middleware-missing").unwrap().events;
        assert!(b > 50 * s, "{s} -> {b}");
    }

    #[test]
    fn split_tracebacks_are_consecutive_ms_apart_on_one_instance() {
        for format in [DumpFormat::Ndjson, DumpFormat::JsonArray] {
            let o = opts(1200, 4, format);
            let (bytes, truth) = run(&o);
            let entries = parse(&o, &bytes);
            let key_of: HashMap<&str, &str> =
                truth.entries.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let mut seen = 0;
            let mut i = 0;
            while i < entries.len() {
                let text = entries[i]["textPayload"].as_str().unwrap_or("");
                if text != "Traceback (most recent call last):" {
                    i += 1;
                    continue;
                }
                seen += 1;
                let key = key_of[entries[i]["insertId"].as_str().unwrap()];
                assert!(key.ends_with("-traceback"), "{key}");
                let issue = truth.issues.iter().find(|x| x.key == key).unwrap();
                let lines = (issue.entries / issue.events) as usize;
                let group = &entries[i..i + lines];
                for (k, e) in group.iter().enumerate() {
                    assert_eq!(key_of[e["insertId"].as_str().unwrap()], key);
                    assert!(e["severity"].is_null());
                    assert!(e["logName"].as_str().unwrap().ends_with("%2Fstderr"));
                    assert_eq!(e["labels"]["instanceId"], group[0]["labels"]["instanceId"]);
                    assert_eq!(e["timestamp"].as_str().unwrap().len(), 30);
                    if k > 0 {
                        let d = (ts(e) - ts(&group[k - 1])).num_microseconds().unwrap();
                        assert!((1000..=5000).contains(&d), "lines {d} µs apart");
                        assert!(!e["textPayload"].as_str().unwrap().starts_with("Traceback"));
                    }
                }
                let last = group[lines - 1]["textPayload"].as_str().unwrap();
                assert!(
                    last.starts_with("ValueError: ") || last.starts_with("websockets.exceptions."),
                    "{last}"
                );
                // The entry after the traceback belongs to something else.
                if let Some(next) = entries.get(i + lines) {
                    let nk = key_of[next["insertId"].as_str().unwrap()];
                    let nt = next["textPayload"].as_str().unwrap_or("");
                    assert!(nk != key || nt.starts_with("Traceback"));
                }
                i += lines;
            }
            let expected: u64 = truth
                .issues
                .iter()
                .filter(|x| x.key.ends_with("-traceback"))
                .map(|x| x.events)
                .sum();
            assert_eq!(seen as u64, expected);
        }
    }

    #[test]
    fn secrets_and_variable_parts_are_planted() {
        let o = opts(400, 1, DumpFormat::Ndjson);
        let (bytes, truth) = run(&o);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("for token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
        assert!(text.contains("postgresql://app:hunter2@10.0.0.3/db"));
        assert!(text.contains("?api_key=AIzaSy"));
        assert!(text.contains("KeyError: '\\\"timestamp\\\"'"));
        let entries = parse(&o, &text.into_bytes());
        let key_of: HashMap<&str, &str> =
            truth.entries.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let messages = |key: &str| -> HashSet<String> {
            entries
                .iter()
                .filter(|e| key_of[e["insertId"].as_str().unwrap()] == key)
                .map(|e| {
                    e["jsonPayload"]["message"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.to_string())
                })
                .collect()
        };
        for key in [
            "request-id-invalid-format",
            "redis-connection-refused",
            "secret-jwt-in-token-validation",
        ] {
            let m = messages(key);
            let n = truth.issues.iter().find(|i| i.key == key).unwrap().entries as usize;
            assert_eq!(m.len(), n, "{key}: messages should all differ");
        }
        assert_eq!(messages("session-middleware-missing").len(), 1);
    }

    #[test]
    fn follow_up_weeks_change_what_is_planted() {
        let week = |w: u32| {
            let o = GenerateOptions { week: w, ..opts(400, 1, DumpFormat::Ndjson) };
            check_truth(&o)
        };
        let (w1, w2, w3) = (week(1), week(2), week(3));
        let events =
            |t: &GroundTruth, key: &str| t.issues.iter().find(|i| i.key == key).map(|i| i.events);
        let status = |t: &GroundTruth, key: &str| {
            t.issues.iter().find(|i| i.key == key).and_then(|i| i.expected_status)
        };
        assert!(w1.issues.iter().all(|i| i.expected_status.is_none()));
        assert_eq!(events(&w1, "agent-step-budget-exceeded"), None);
        assert_eq!(status(&w2, "agent-step-budget-exceeded"), Some("NEW"));
        assert!(events(&w2, "session-middleware-missing") >= Some(3 * 46 - 1));
        assert_eq!(status(&w2, "session-middleware-missing"), Some("ESCALATING"));
        assert_eq!(status(&w2, "postgres-connection-refused"), Some("DECLINING"));
        assert_eq!(events(&w2, "slow-query-text-warning"), None);
        assert_eq!(w2.resolved, ["slow-query-text-warning"]);
        assert_eq!(status(&w2, "http-503-post-thread-messages"), Some("ONGOING"));
        assert_eq!(status(&w3, "slow-query-text-warning"), Some("REGRESSED"));
        assert_eq!(status(&w3, "session-middleware-missing"), Some("ONGOING"));
        assert!(w3.resolved.is_empty());
        // Week 1 is the dump as it always was (samples/ holds the default one: checked in
        // tests/weekly.rs); the weeks differ.
        let (a, _) = run(&opts(400, 1, DumpFormat::Ndjson));
        let (b, _) = run(&GenerateOptions { week: 2, ..opts(400, 1, DumpFormat::Ndjson) });
        assert_ne!(a, b);
    }

    #[test]
    fn zero_entries_is_an_empty_dump() {
        let (json, truth) = run(&opts(0, 1, DumpFormat::JsonArray));
        assert_eq!(json, b"[]\n");
        assert!(truth.entries.is_empty());
        assert!(truth.issues.iter().all(|i| i.events == 0 && i.first_seen.is_empty()));
        assert!(run(&opts(0, 1, DumpFormat::Ndjson)).0.is_empty());
    }

    #[test]
    fn truth_csv() {
        let truth = GroundTruth {
            issues: vec![],
            resolved: vec![],
            entries: vec![("a1".into(), "k".into()), ("b2".into(), String::new())],
        };
        let mut out = Vec::new();
        write_truth_csv(&truth, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "entry,truth\na1,k\nb2,\n");
    }
}
