//! The report model: the report's public format. Every fact the worklog shows, serialized as the
//! JSON report and handed to the Markdown template. Its fields are the template's data model
//! (documented in `docs/template-model.md`); renaming one breaks users' templates and archived
//! JSON. `build` fills it from the verdict.

use crate::group::IssueKind;
use crate::judge::health::Health;
use crate::judge::history::{BaselineIssue, HistoryEntry, Status};
use crate::judge::priority::Priority;
use crate::normalize::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    /// When the report was made (RFC 3339 UTC; `SOURCE_DATE_EPOCH` fixes it for reproducible runs).
    pub generated_at: String,
    pub title: String,
    /// File name stem of the report files.
    pub stem: String,
    pub projects: Vec<String>,
    pub services: Vec<String>,
    pub window: Window,
    pub scope: Scope,
    pub inputs: Vec<Input>,
    pub totals: Totals,
    pub skipped: Vec<SkipReason>,
    pub issues: Vec<Issue>,
    pub priorities: Vec<PriorityGroup>,
    pub distribution: Vec<DistributionRow>,
    pub service_health: Vec<ServiceHealth>,
    /// Per (service, component) that has issues: a status from the priorities of its issues.
    pub component_health: Vec<ComponentHealth>,
    pub timeline: Timeline,
    /// The story in time order, for postmortems: deploys, each shown issue's first and last
    /// occurrence, the error peak, with offsets from the first error.
    pub sequence: Sequence,
    /// What to look at first, for the top of the report.
    pub summary: Summary,
    /// How the Markdown shows the issues: in full up to a cap, then in a compact table.
    pub layout: Layout,
    /// Issues that fire together.
    pub clusters: Vec<ClusterView>,
    /// Set when `--baseline` was given: what changed since that report.
    pub changes: Option<Changes>,
    /// Every issue seen by this report or the reports before it (carried through baselines).
    pub history: Vec<HistoryEntry>,
}

/// The report's opening: readable in half a minute.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Issues per priority present, P0 first.
    pub priorities: Vec<PriorityCount>,
    /// The P0 and P1 issues, in report order (all of them; the Markdown shows the first
    /// `layout.details`).
    pub urgent: Vec<UrgentIssue>,
    /// P0/P1 issues for which the rules give neither an owner nor a tracker link.
    pub urgent_unowned: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityCount {
    pub priority: Priority,
    pub issues: u64,
}

/// One P0/P1 issue in one line.
#[derive(Debug, Clone, Serialize)]
pub struct UrgentIssue {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub priority: Priority,
    pub count: u64,
    /// Events per `window.rate_unit`.
    pub rate: f64,
    pub status: Option<Status>,
    pub owner: Option<String>,
    pub link: Option<String>,
    /// Neither owner nor link.
    pub unowned: bool,
}

/// The Markdown's caps and what they left where (the JSON always holds every issue in full).
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Issues shown in full at most (`--details`): P0/P1 first, then the most frequent.
    pub details: usize,
    /// Rows of the compact table at most (`--table-rows`).
    pub table_rows: usize,
    /// Issues shown in full, in the compact table, and in neither (the JSON only).
    pub detailed: u64,
    pub in_table: u64,
    pub not_listed: u64,
    /// Events of the issues in neither.
    pub not_listed_events: u64,
}

/// The postmortem timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Sequence {
    /// The first error (or, with none, the first warning): offsets count from it.
    pub origin: Option<String>,
    pub lines: Vec<SequenceLine>,
    /// Issues shown in the table or the JSON only, whose lines are left out.
    pub issues_left_out: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SequenceLine {
    /// UTC, at the precision of the entry it comes from.
    pub time: String,
    /// From `origin`: `+1:02:03.456`, `-0:00:05.000`, `+2d 03:00:00.000`.
    pub offset: String,
    /// `deploy`, `began`, `peak`, `last`, `once`.
    pub kind: &'static str,
    /// The issue's report number, for `began`, `last` and `once`.
    pub issue: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterView {
    pub number: usize,
    /// Report numbers of the member issues, ascending.
    pub issues: Vec<usize>,
    pub ids: Vec<String>,
    /// Report numbers of the members that began close together.
    pub began_together: Vec<usize>,
    /// Why they belong together ("began together", "same requests (traces)", "same burst pattern").
    pub reasons: Vec<&'static str>,
    pub start_spread_ms: Option<f64>,
    pub revision: Option<String>,
    pub shared_traces: usize,
    /// The cluster in one sentence.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionStart {
    pub revision: String,
    /// The revision's first entry in the window.
    pub started: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// The baseline's file, as given or as `--baseline auto` found it.
    pub baseline_file: String,
    pub baseline_generated_at: Option<String>,
    pub baseline_window: Window,
    pub new: u64,
    pub regressed: u64,
    pub escalating: u64,
    pub ongoing: u64,
    pub declining: u64,
    /// Issues of the baseline absent from this report.
    pub resolved: Vec<BaselineIssue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Window {
    pub start: Option<String>,
    pub end: Option<String>,
    pub hours: f64,
    /// The unit rates are shown in, fitting the window's length: `h` (under 36 hours), `day`
    /// (under 6 days), `week`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_unit: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub min_severity: Severity,
    pub since: Option<String>,
    pub until: Option<String>,
    pub services: Vec<String>,
    pub input_format: String,
    pub line_format: Option<String>,
    /// The user's rules file, if one was read.
    pub rules_file: Option<String>,
    /// Issues left out by an `ignore` rule, with the rule.
    pub ignored_issues: Vec<IssueRef>,
    /// Your rules that matched no issue ("FILE:LINE: rule NAME"): a typo, or a problem gone.
    pub unmatched_rules: Vec<String>,
    /// The filter in words, for the header.
    pub description: String,
}

/// One input and what it gave.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// The input as named on the command line (or found in a folder); `-` for stdin.
    pub path: String,
    pub format: String,
    pub gzip: bool,
    /// Bytes as stored (before decompression).
    pub bytes: u64,
    /// Entries found in it, readable or not.
    pub entries: u64,
    /// Entries that could not be read.
    pub skipped: u64,
    /// Set when the input as a whole could not be read.
    pub error: Option<String>,
}

/// The books: `entries_read` = skipped + duplicates + out of scope + in scope.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub files_read: u64,
    pub entries_read: u64,
    pub entries_skipped: u64,
    pub duplicates: u64,
    pub below_min_severity: u64,
    pub outside_window: u64,
    pub service_not_selected: u64,
    /// Entries of issues that a rule says to ignore.
    pub ignored_by_rule: u64,
    pub entries_in_scope: u64,
    pub events_in_scope: u64,
    /// In-scope entries whose severity was inferred from the payload.
    pub severity_inferred: u64,
    /// Entries that carried no usable time.
    pub entries_without_time: u64,
    /// The sum of the out-of-scope counts.
    pub entries_out_of_scope: u64,
    pub issues: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkipReason {
    pub reason: String,
    /// Entries lost for this reason.
    pub entries: u64,
    /// Entries kept in the report but read in part (a field left out, a time not understood):
    /// the reason's problems when it lost no entry.
    pub read_in_part: u64,
    /// Where (input and position) and what, for the first few.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// 1-based position in the report (most urgent first).
    pub number: usize,
    pub id: String,
    pub title: String,
    pub kind: IssueKind,
    pub severity: Severity,
    pub priority: Priority,
    pub priority_reason: String,
    /// Set when a trend rule (`raise_to`) lifted the priority: what it was, and by which rule.
    pub raised_from: Option<RaisedFrom>,
    /// The rule that changed the severity, if one did.
    pub severity_rule: Option<String>,
    /// From the user's rules only: the tool never invents these.
    pub impact: Option<String>,
    pub owner: Option<String>,
    pub link: Option<String>,
    pub error_class: Option<String>,
    /// The class's subtype where the message names it (`await`, `missing_argument`, ...).
    pub error_subtype: Option<String>,
    /// Generic next steps for the error class ("What to check"), where the class is certain.
    pub what_to_check: Vec<String>,
    /// Events (a traceback written over several entries is one event).
    pub count: u64,
    pub entries: u64,
    pub rate_per_hour: f64,
    /// Events per `window.rate_unit` (one decimal).
    pub rate: f64,
    /// The most events in any 60 minutes.
    pub busiest_hour: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The earliest occurrence known to this report or the ones before it (the baseline's
    /// history), when earlier than `first_seen`.
    pub first_seen_ever: Option<String>,
    /// Reports the issue appeared in, this one included (through baselines).
    pub reports: u64,
    /// Shown in full in the Markdown (else in the compact table or the JSON only).
    pub detailed: bool,
    pub template: String,
    pub examples: Vec<String>,
    pub services: Vec<String>,
    pub revisions: Vec<RevisionCount>,
    pub components: Vec<String>,
    pub exception: Option<String>,
    pub frames: Vec<String>,
    /// The revision whose deploy (inside the window) the issue arrived with.
    pub appeared_with: Option<RevisionStart>,
    /// The number of the incident cluster the issue belongs to.
    pub cluster: Option<usize>,
    /// Compared with `--baseline`: NEW, REGRESSED, ESCALATING, ONGOING or DECLINING.
    pub status: Option<Status>,
    /// The baseline's rate (events an hour), where the issue was in the baseline.
    pub baseline_rate_per_hour: Option<f64>,
    /// The same per `window.rate_unit`.
    pub baseline_rate: Option<f64>,
    /// Events per time bucket over the window (see `timeline` for the buckets).
    pub buckets: Vec<u64>,
    pub sparkline: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RaisedFrom {
    pub priority: Priority,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionCount {
    pub revision: String,
    pub count: u64,
    pub first_seen: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityGroup {
    pub priority: Priority,
    pub heading: &'static str,
    pub issues: Vec<IssueRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssueRef {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub count: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistributionRow {
    pub severity: Severity,
    pub count: u64,
    /// The components with most events at this severity, most first ("service/component").
    pub primary_components: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceHealth {
    pub service: String,
    pub status: Health,
    pub symbol: &'static str,
    pub reason: String,
    pub events: u64,
    pub errors: u64,
    pub warnings: u64,
    pub requests: u64,
    pub requests_5xx: u64,
    pub issues: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The status, its reason and the share of failed requests, in one line.
    pub line: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentHealth {
    pub service: String,
    pub component: String,
    pub status: Health,
    pub symbol: &'static str,
    pub reason: String,
    /// Issues whose most frequent component this is, and their events.
    pub issues: u64,
    pub events: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub bucket_start: Option<String>,
    pub bucket_minutes: i64,
    /// Bucket start labels (`HH:MM`, or `MM-DD HH:MM` over more than a day).
    pub labels: Vec<String>,
    pub errors: Vec<u64>,
    pub warnings: Vec<u64>,
    pub errors_sparkline: String,
    pub warnings_sparkline: String,
    /// The largest count in one bucket (for the chart's axis).
    pub max: u64,
    /// Per service, errors and warnings over the same buckets.
    pub services: Vec<ServiceTimeline>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceTimeline {
    pub service: String,
    pub errors: u64,
    pub warnings: u64,
    pub errors_sparkline: String,
    pub warnings_sparkline: String,
}
