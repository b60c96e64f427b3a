//! The archive around one report: which earlier report is the baseline (`--baseline FILE` or
//! `--baseline auto`, the latest earlier report of the same scope in `--out`), the checks that
//! keep a folder of weekly reports honest (a baseline must be an earlier report and not the one
//! being written; a report of another scope is never replaced), and what `--service` and the
//! window could have named when they match nothing.

use super::args::OutputArgs;
use super::Failure;
use crate::judge::history::{self, Baseline, BaselineScope, Choice};
use crate::judge::verdict::Verdict;
use crate::normalize::time::format_nanos;
use crate::render::model::Report;
use std::fs;
use std::path::{Path, PathBuf};

/// `--baseline auto`: the latest earlier report of the same scope in `--out`.
pub(crate) const AUTO: &str = "auto";

/// This run's scope, as the verdict states what was asked.
fn scope_of(v: &Verdict) -> BaselineScope {
    BaselineScope::of(v.asked.filters.min_severity, &v.asked.services)
}

/// The baseline the command line asks for. A file that cannot be read or is not a report is
/// fatal (exit 1); with `auto`, files in `--out` that are not reports are skipped with a
/// warning, and reports of other scopes (`scope`: this run's) silently.
pub(crate) fn baseline_choice(
    output: &OutputArgs,
    scope: &BaselineScope,
) -> Result<Choice, Failure> {
    let Some(path) = &output.baseline else { return Ok(Choice::None) };
    if path.as_os_str() != AUTO {
        return Ok(Choice::Given(Box::new(history::load(path).map_err(Failure::Fatal)?)));
    }
    let entries = match fs::read_dir(&output.out) {
        Ok(entries) => entries,
        // No folder yet: the first run of a weekly job.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Choice::Latest(vec![])),
        Err(e) => {
            return Err(Failure::Fatal(format!("--baseline auto: {}: {e}", output.out.display())))
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    paths.sort();
    let mut candidates = Vec::new();
    for path in paths {
        match history::load(&path) {
            Ok(b) if b.scope.as_ref().is_some_and(|s| s.same_as(scope)) => candidates.push(b),
            Ok(_) => {}
            Err(e) => eprintln!("log-gardener: warning: --baseline auto: skipped: {e}"),
        }
    }
    Ok(Choice::Latest(candidates))
}

/// Names what the baseline was, or says why there is none, on stderr.
pub(crate) fn tell_baseline(output: &OutputArgs, verdict: &Verdict, choice: &Choice) {
    match (&verdict.baseline, choice) {
        (Some(b), _) => eprintln!("log-gardener: compared with {}", b.path),
        (None, Choice::Latest(_)) => eprintln!(
            "log-gardener: note: --baseline auto: no earlier report of this scope in {}: no statuses this time",
            output.out.display()
        ),
        _ => {}
    }
}

/// A baseline given by name must be an earlier report: not the file this run writes, and its
/// window must start before this one's. One of another scope is compared, with a warning.
pub(crate) fn check_given_baseline(
    output: &OutputArgs,
    report: &Report,
    choice: &Choice,
    verdict: &Verdict,
) -> Result<(), Failure> {
    let Choice::Given(b) = choice else { return Ok(()) };
    let json = output.out.join(format!("{}.json", report.stem));
    if same_file(Path::new(&b.path), &json) {
        return Err(Failure::Usage(format!(
            "--baseline {} is the report this run writes ({}): give the previous report, or --baseline auto",
            b.path,
            json.display()
        )));
    }
    if let (Some(theirs), Some((ours, _))) = (b.start_nanos(), verdict.window) {
        if theirs >= ours {
            return Err(Failure::Usage(format!(
                "--baseline {}: its window starts at {}, not before this report's ({}): a baseline must be an earlier report",
                b.path,
                b.window.start.as_deref().unwrap_or("?"),
                format_nanos(ours, 0)
            )));
        }
    }
    if b.scope.as_ref().is_some_and(|s| !s.same_as(&scope_of(verdict))) {
        eprintln!(
            "log-gardener: warning: --baseline {}: a report of another scope (services or minimum severity differ): issues outside the common scope will show as new or resolved",
            b.path
        );
    }
    Ok(())
}

/// Before writing: an existing report of the same name is replaced only when it is of the same
/// scope (said on stderr).
pub(crate) fn check_target(
    output: &OutputArgs,
    report: &Report,
    verdict: &Verdict,
    extensions: &[&str],
) -> Result<(), Failure> {
    let target = |ext: &str| output.out.join(format!("{}.{ext}", report.stem));
    let json = target("json");
    let existing: Vec<PathBuf> =
        extensions.iter().map(|e| target(e)).filter(|p| p.exists()).collect();
    if existing.is_empty() {
        return Ok(());
    }
    let names = existing.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    match fs::read_to_string(&json).ok().and_then(|t| archived_scope(&t)) {
        Some((scope, projects)) => {
            let ours = scope_of(verdict);
            if !scope.same_as(&ours) || projects != report.projects {
                return Err(Failure::Usage(format!(
                    "{} holds a report of another scope ({}); this run's is {}: give --name or another --out",
                    json.display(),
                    describe(&scope, &projects),
                    describe(&ours, &report.projects)
                )));
            }
            eprintln!("log-gardener: note: replacing {names} (an earlier run of the same scope and window start)");
        }
        None => eprintln!(
            "log-gardener: warning: replacing {names} (no JSON report beside it tells its scope)"
        ),
    }
    Ok(())
}

/// The scope and projects of an archived report's JSON.
fn archived_scope(text: &str) -> Option<(BaselineScope, Vec<String>)> {
    let b: Baseline = serde_json::from_str(text).ok()?;
    Some((b.scope?, b.projects))
}

fn describe(scope: &BaselineScope, projects: &[String]) -> String {
    let services =
        if scope.services.is_empty() { "all".to_string() } else { scope.services.join(", ") };
    format!(
        "projects: {}; services: {services}; min severity {}",
        if projects.is_empty() { "none".to_string() } else { projects.join(", ") },
        scope.min_severity
    )
}

/// Whether two paths name one file (the second may not exist yet: its folder is compared).
fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| -> Option<PathBuf> {
        p.canonicalize().ok().or_else(|| {
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(dir.canonicalize().ok()?.join(p.file_name()?))
        })
    };
    matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

/// `--service` names that match no service read, and a window that holds no entry, are
/// command-line mistakes: the error says what the inputs hold.
pub(crate) fn check_filters(v: &Verdict) -> Result<(), Failure> {
    let unknown: Vec<&String> =
        v.asked.services.iter().filter(|s| v.read.services.binary_search(s).is_err()).collect();
    if !unknown.is_empty() {
        return Err(Failure::Usage(unknown_services(&unknown, &v.read.services)));
    }
    let b = &v.books;
    let in_window = b.entries_read.saturating_sub(
        b.entries_skipped + b.duplicates + b.service_not_selected + b.outside_window,
    );
    let (since, until) = (&v.asked.filters.since, &v.asked.filters.until);
    if (since.is_some() || until.is_some()) && in_window == 0 && b.outside_window > 0 {
        let covered = match v.read.span {
            Some((lo, hi)) => {
                format!("the inputs cover {} to {}", format_nanos(lo, 0), format_nanos(hi, 0))
            }
            None => "the inputs carry no times".to_string(),
        };
        return Err(Failure::Usage(format!(
            "--since/--until: the window {} to {} holds no entry; {covered} ({} entries outside the window)",
            since.as_deref().unwrap_or("(the first entry)"),
            until.as_deref().unwrap_or("(the newest entry)"),
            b.outside_window
        )));
    }
    Ok(())
}

/// "--service netra-backend matches no service in the inputs (did you mean
/// netra-backend-staging?); the services read: ..."
fn unknown_services(unknown: &[&String], seen: &[String]) -> String {
    const LISTED: usize = 30;
    let mut list = seen.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    if seen.len() > LISTED {
        list.push_str(&format!(", and {} more", seen.len() - LISTED));
    }
    let each: Vec<String> = unknown
        .iter()
        .map(|u| match closest(u, seen) {
            Some(c) => {
                format!("--service {u} matches no service in the inputs (did you mean {c}?)")
            }
            None => format!("--service {u} matches no service in the inputs"),
        })
        .collect();
    if seen.is_empty() {
        return format!("{}; the inputs name no service", each.join("; "));
    }
    format!("{}; the services read: {list}", each.join("; "))
}

/// The service most like `name`: one containing it, or within a third of its length in edits.
fn closest<'a>(name: &str, seen: &'a [String]) -> Option<&'a String> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for j in 0..b.len() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != b[j])).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    };
    seen.iter()
        .map(|s| (if s.contains(name) { 0 } else { distance(name, s) }, s))
        .filter(|(d, _)| *d <= name.chars().count() / 3)
        .min()
        .map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_service() {
        let seen = ["netra-auth-service".to_string(), "netra-backend-staging".to_string()];
        assert_eq!(closest("netra-backend", &seen), Some(&seen[1]));
        assert_eq!(closest("netra-auth-servise", &seen), Some(&seen[0]));
        assert_eq!(closest("billing", &seen), None);
        let msg = unknown_services(&[&"netra-backend".to_string()], &seen);
        assert!(msg.contains("did you mean netra-backend-staging?"), "{msg}");
        assert!(msg.ends_with("the services read: netra-auth-service, netra-backend-staging"));
    }

    #[test]
    fn scopes_compare_whatever_the_order() {
        let s = |m: &str, v: &[&str]| BaselineScope {
            min_severity: m.into(),
            services: v.iter().map(|x| x.to_string()).collect(),
        };
        assert!(s("WARNING", &["a", "b"]).same_as(&s("warning", &["b", "a"])));
        assert!(!s("WARNING", &["a"]).same_as(&s("WARNING", &["b"])));
        assert!(!s("WARNING", &[]).same_as(&s("INFO", &[])));
    }
}
