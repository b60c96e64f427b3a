//! Builds the compact event frame and runs the polars queries over it.

use polars::prelude::*;

/// One row of the frame: one event, or several alike events (same issue, severity, service,
/// component, revision, status and minute) counted together. Ids index the interned string
/// tables kept by the caller; 0 means "none" for component and revision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventRow {
    /// Index of the event's issue (meaningful only when `in_scope`).
    pub(crate) issue: u32,
    /// The first and the last time of the events the row stands for.
    pub(crate) time: Option<i64>,
    pub(crate) last: Option<i64>,
    /// Events the row stands for.
    pub(crate) events: u64,
    pub(crate) severity: u8,
    pub(crate) service: u32,
    pub(crate) component: u32,
    pub(crate) revision: u32,
    /// HTTP status of a request log, 0 otherwise.
    pub(crate) status: u16,
    /// Log entries the event stands for (a reassembled traceback is several).
    pub(crate) entries: u64,
    pub(crate) in_scope: bool,
}

impl Default for EventRow {
    fn default() -> Self {
        EventRow {
            issue: 0,
            time: None,
            last: None,
            events: 1,
            severity: 0,
            service: 0,
            component: 0,
            revision: 0,
            status: 0,
            entries: 1,
            in_scope: false,
        }
    }
}

/// Per-issue numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct IssueStats {
    pub(crate) events: u64,
    pub(crate) entries: u64,
    pub(crate) first_seen: Option<i64>,
    pub(crate) last_seen: Option<i64>,
    pub(crate) max_severity: u8,
    /// (revision id, events, first seen) sorted by first seen.
    pub(crate) revisions: Vec<(u32, u64, Option<i64>)>,
    /// (component id, events), most events first.
    pub(crate) components: Vec<(u32, u64)>,
    /// Events per time bucket, over the whole window.
    pub(crate) buckets: Vec<u64>,
    /// The most events in any 60 minutes (at the minute events are counted in): a volume that
    /// does not depend on the window's length, for priorities.
    pub(crate) busiest_hour: u64,
}

/// Per-service numbers over every event read in the window (in scope or not), since health
/// needs the successful requests too.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ServiceStats {
    pub(crate) service: u32,
    pub(crate) events: u64,
    pub(crate) in_scope: u64,
    pub(crate) errors: u64,
    pub(crate) warnings: u64,
    pub(crate) requests: u64,
    pub(crate) requests_5xx: u64,
    pub(crate) requests_4xx: u64,
    pub(crate) first_seen: Option<i64>,
    pub(crate) last_seen: Option<i64>,
}

/// What the report needs from the frame.
#[derive(Debug, Clone, Default)]
pub(crate) struct Aggregates {
    pub(crate) issues: Vec<IssueStats>,
    pub(crate) services: Vec<ServiceStats>,
    /// (severity, service id, component id, events) for in-scope events, most first.
    pub(crate) distribution: Vec<(u8, u32, u32, u64)>,
    /// In-scope events per severity and time bucket: (severity, bucket, events).
    pub(crate) timeline: Vec<(u8, u32, u64)>,
    pub(crate) bucket_start: i64,
    pub(crate) bucket_width: i64,
    pub(crate) bucket_count: u32,
    /// In-scope (service, bucket, errors, warnings), for the per-service breakdown.
    pub(crate) service_timeline: Vec<(u32, u32, u64, u64)>,
    /// Every revision's first entry in the window (any severity): (revision, service, time).
    pub(crate) revision_starts: Vec<(u32, u32, Option<i64>)>,
}

/// Runs every aggregation. `window` is the report window (start, end) in ns; `issue_count` the
/// number of issues (issue indices are dense).
/// `rows` yields the frame's rows; it is called once per column, so that no row vector is ever
/// held beside the columns (on a million events that copy was the largest allocation).
pub(crate) fn aggregate<I: Iterator<Item = EventRow>>(
    rows: impl Fn() -> I,
    issue_count: usize,
    window: (i64, i64),
    bucket_width: i64,
) -> PolarsResult<Aggregates> {
    let bucket_count = bucket_count(window, bucket_width);
    // The queries over every row first; that frame is gone before the in-scope one is made
    // (holding both through the queries was the run's peak of memory; filtering the one into
    // the other kept both as well). Building the rows twice costs about 40 ms at 1 GB.
    let (revision_starts, services) = {
        let df = frame(&rows, window.0, bucket_width, bucket_count)?;
        (revision_starts(&df)?, services(&df)?)
    };
    // The in-scope rows once, shared by every query below.
    let in_scope_rows = || rows().filter(|r| r.in_scope);
    let scoped = frame(&in_scope_rows, window.0, bucket_width, bucket_count)?.lazy();
    let mut issues = per_issue(&scoped, issue_count)?;
    for (issue, key, events, first) in per_issue_and(&scoped, "revision", by_first())? {
        if key != 0 {
            issues[issue as usize].revisions.push((key, events, first));
        }
    }
    for (issue, key, events, _) in per_issue_and(&scoped, "component", by_events())? {
        if key != 0 {
            issues[issue as usize].components.push((key, events));
        }
    }
    for s in issues.iter_mut() {
        s.buckets = vec![0; bucket_count as usize];
    }
    let bucketed = scoped.clone().filter(col("bucket").is_not_null());
    for (issue, bucket, events, _) in per_issue_and(&bucketed, "bucket", None)? {
        issues[issue as usize].buckets[bucket as usize] = events;
    }
    busiest_hours(&scoped, &mut issues)?;
    Ok(Aggregates {
        service_timeline: service_timeline(&bucketed)?,
        revision_starts,
        issues,
        services,
        distribution: distribution(&scoped)?,
        timeline: timeline(&bucketed)?,
        bucket_start: window.0,
        bucket_width,
        bucket_count,
    })
}

/// Events, entries, first and last time and the highest severity of each issue.
fn per_issue(scoped: &LazyFrame, issue_count: usize) -> PolarsResult<Vec<IssueStats>> {
    let mut issues = vec![IssueStats::default(); issue_count];
    let df = scoped
        .clone()
        .group_by([col("issue")])
        .agg([
            col("events").sum().alias("events"),
            col("entries").sum().alias("entries"),
            col("time").min().alias("first"),
            col("last").max().alias("last"),
            col("severity").max().alias("max_severity"),
        ])
        .collect()?;
    let issue = df.column("issue")?.u32()?;
    let (events, entries) = (u64s(&df, "events")?, u64s(&df, "entries")?);
    let first = df.column("first")?.i64()?;
    let last = df.column("last")?.i64()?;
    let sev = df.column("max_severity")?.u32()?;
    for i in 0..df.height() {
        let s = &mut issues[issue.get(i).expect("issue is never null") as usize];
        s.events = events[i];
        s.entries = entries[i];
        s.first_seen = first.get(i);
        s.last_seen = last.get(i);
        s.max_severity = sev.get(i).unwrap_or(0) as u8;
    }
    Ok(issues)
}

/// Each issue's most events in any 60 minutes: events per (issue, minute), then a window of
/// 60 minutes slid over each issue's minutes.
fn busiest_hours(scoped: &LazyFrame, issues: &mut [IssueStats]) -> PolarsResult<()> {
    const MINUTE: i64 = 60_000_000_000;
    let df = scoped
        .clone()
        .filter(col("time").is_not_null())
        .with_column((col("time") / lit(MINUTE)).alias("minute"))
        .group_by([col("issue"), col("minute")])
        .agg([col("events").sum().alias("events")])
        .sort(["issue", "minute"], SortMultipleOptions::default())
        .collect()?;
    let issue = df.column("issue")?.u32()?;
    let minute = df.column("minute")?.i64()?;
    let events = u64s(&df, "events")?;
    let (mut start, mut sum) = (0, 0u64);
    for end in 0..df.height() {
        if end > 0 && issue.get(end) != issue.get(end - 1) {
            (start, sum) = (end, 0);
        }
        sum += events[end];
        let m = minute.get(end).unwrap_or(0);
        while minute.get(start).unwrap_or(0) <= m - 60 {
            sum -= events[start];
            start += 1;
        }
        let s = &mut issues[issue.get(end).unwrap_or(0) as usize];
        s.busiest_hour = s.busiest_hour.max(sum);
    }
    Ok(())
}

/// How to order the rows of a query: by these columns, with these options.
type Order = Option<(Vec<&'static str>, SortMultipleOptions)>;

/// Order of rows: by first time, then key (revisions of an issue in the order they appeared).
fn by_first() -> Order {
    Some((vec!["first", "key"], SortMultipleOptions::default().with_nulls_last(true)))
}

/// Order of rows: most events first, then key.
fn by_events() -> Order {
    let order = SortMultipleOptions::default().with_order_descending_multi([true, false]);
    Some((vec!["events", "key"], order))
}

/// One row of [`per_issue_and`]: issue, key, events, first time.
type IssueKeyRow = (u32, u32, u64, Option<i64>);

/// Per issue and value of the column `key`: events and first time, in `order`.
fn per_issue_and(frame: &LazyFrame, key: &str, order: Order) -> PolarsResult<Vec<IssueKeyRow>> {
    let mut q = frame
        .clone()
        .group_by([col("issue"), col(key).alias("key")])
        .agg([col("events").sum().alias("events"), col("time").min().alias("first")]);
    if let Some((by, options)) = order {
        q = q.sort(by, options);
    }
    let df = q.collect()?;
    let issue = df.column("issue")?.u32()?;
    let keys = df.column("key")?.u32()?;
    let events = u64s(&df, "events")?;
    let first = df.column("first")?.i64()?;
    Ok((0..df.height())
        .map(|i| (issue.get(i).unwrap_or(0), keys.get(i).unwrap_or(0), events[i], first.get(i)))
        .collect())
}

/// In-scope events per severity and time bucket.
fn timeline(bucketed: &LazyFrame) -> PolarsResult<Vec<(u8, u32, u64)>> {
    let df = bucketed
        .clone()
        .group_by([col("severity"), col("bucket")])
        .agg([col("events").sum().alias("events")])
        .sort(["severity", "bucket"], SortMultipleOptions::default())
        .collect()?;
    let sev = df.column("severity")?.u32()?;
    let bucket = df.column("bucket")?.u32()?;
    let events = u64s(&df, "events")?;
    Ok((0..df.height())
        .map(|i| (sev.get(i).unwrap_or(0) as u8, bucket.get(i).unwrap_or(0), events[i]))
        .collect())
}

/// In-scope events per (severity, service, component), most first.
fn distribution(scoped: &LazyFrame) -> PolarsResult<Vec<(u8, u32, u32, u64)>> {
    let df = scoped
        .clone()
        .group_by([col("severity"), col("service"), col("component")])
        .agg([col("events").sum().alias("events")])
        .sort(
            ["severity", "events", "service", "component"],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false, false]),
        )
        .collect()?;
    let sev = df.column("severity")?.u32()?;
    let service = df.column("service")?.u32()?;
    let component = df.column("component")?.u32()?;
    let events = u64s(&df, "events")?;
    Ok((0..df.height())
        .map(|i| {
            let severity = sev.get(i).unwrap_or(0) as u8;
            (severity, service.get(i).unwrap_or(0), component.get(i).unwrap_or(0), events[i])
        })
        .collect())
}

/// Per service, over every event in the window (health needs the successful requests too).
fn services(df: &DataFrame) -> PolarsResult<Vec<ServiceStats>> {
    let svc = df
        .clone()
        .lazy()
        .group_by([col("service")])
        .agg([
            col("events").sum().alias("events"),
            weighted(col("in_scope")).alias("in_scope"),
            weighted(col("severity").gt_eq(lit(5u32)).and(col("in_scope"))).alias("errors"),
            weighted(col("severity").eq(lit(4u32)).and(col("in_scope"))).alias("warnings"),
            weighted(col("status").gt(lit(0u32))).alias("requests"),
            weighted(col("status").gt_eq(lit(500u32))).alias("requests_5xx"),
            weighted(col("status").gt_eq(lit(400u32)).and(col("status").lt(lit(500u32))))
                .alias("requests_4xx"),
            col("time").min().alias("first"),
            col("last").max().alias("last"),
        ])
        .sort(["service"], SortMultipleOptions::default())
        .collect()?;
    let service = svc.column("service")?.u32()?;
    let (events, in_scope, errors) =
        (u64s(&svc, "events")?, u64s(&svc, "in_scope")?, u64s(&svc, "errors")?);
    let (warnings, requests) = (u64s(&svc, "warnings")?, u64s(&svc, "requests")?);
    let (r5, r4) = (u64s(&svc, "requests_5xx")?, u64s(&svc, "requests_4xx")?);
    let first = svc.column("first")?.i64()?;
    let last = svc.column("last")?.i64()?;
    Ok((0..svc.height())
        .map(|i| ServiceStats {
            service: service.get(i).unwrap_or(0),
            events: events[i],
            in_scope: in_scope[i],
            errors: errors[i],
            warnings: warnings[i],
            requests: requests[i],
            requests_5xx: r5[i],
            requests_4xx: r4[i],
            first_seen: first.get(i),
            last_seen: last.get(i),
        })
        .collect())
}

/// Every revision's first entry in the window (any severity): (revision, service, time).
fn revision_starts(df: &DataFrame) -> PolarsResult<Vec<(u32, u32, Option<i64>)>> {
    let rev = df
        .clone()
        .lazy()
        .filter(col("revision").gt(lit(0u32)))
        .group_by([col("revision"), col("service")])
        .agg([col("time").min().alias("first")])
        .sort(["revision", "service"], SortMultipleOptions::default())
        .collect()?;
    let r = rev.column("revision")?.u32()?;
    let svc = rev.column("service")?.u32()?;
    let first = rev.column("first")?.i64()?;
    Ok((0..rev.height())
        .map(|i| (r.get(i).unwrap_or(0), svc.get(i).unwrap_or(0), first.get(i)))
        .collect())
}

/// In-scope (service, bucket, errors, warnings).
fn service_timeline(bucketed: &LazyFrame) -> PolarsResult<Vec<(u32, u32, u64, u64)>> {
    let st = bucketed
        .clone()
        .group_by([col("service"), col("bucket")])
        .agg([
            weighted(col("severity").gt_eq(lit(5u32))).alias("errors"),
            weighted(col("severity").eq(lit(4u32))).alias("warnings"),
        ])
        .sort(["service", "bucket"], SortMultipleOptions::default())
        .collect()?;
    let svc = st.column("service")?.u32()?;
    let bucket = st.column("bucket")?.u32()?;
    let (e, w) = (u64s(&st, "errors")?, u64s(&st, "warnings")?);
    Ok((0..st.height())
        .map(|i| (svc.get(i).unwrap_or(0), bucket.get(i).unwrap_or(0), e[i], w[i]))
        .collect())
}

/// A column as u64 values (nulls as 0).
fn u64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    let c = df.column(name)?.cast(&DataType::UInt64)?;
    let c = c.u64()?;
    Ok((0..c.len()).map(|i| c.get(i).unwrap_or(0)).collect())
}

/// The events of the rows where `condition` holds.
fn weighted(condition: Expr) -> Expr {
    (condition.cast(DataType::UInt64) * col("events").cast(DataType::UInt64)).sum()
}

fn bucket_count(window: (i64, i64), width: i64) -> u32 {
    (((window.1 - window.0).max(0) / width.max(1)) + 1).min(100_000) as u32
}

fn frame<I: Iterator<Item = EventRow>>(
    rows: &impl Fn() -> I,
    start: i64,
    width: i64,
    buckets: u32,
) -> PolarsResult<DataFrame> {
    let bucket_of = |t: Option<i64>| {
        t.map(|t| (((t - start).max(0) / width.max(1)) as u32).min(buckets.saturating_sub(1)))
    };
    fn u32s<I: Iterator<Item = EventRow>>(
        rows: &impl Fn() -> I,
        f: fn(&EventRow) -> u32,
    ) -> Vec<u32> {
        rows().map(|r| f(&r)).collect()
    }
    let height = rows().count();
    let columns = vec![
        Column::new("issue".into(), u32s(rows, |r| r.issue)),
        Column::new("time".into(), rows().map(|r| r.time).collect::<Vec<Option<i64>>>()),
        Column::new("last".into(), rows().map(|r| r.last.or(r.time)).collect::<Vec<Option<i64>>>()),
        Column::new("events".into(), rows().map(|r| r.events).collect::<Vec<u64>>()),
        Column::new("severity".into(), u32s(rows, |r| r.severity as u32)),
        Column::new("service".into(), u32s(rows, |r| r.service)),
        Column::new("component".into(), u32s(rows, |r| r.component)),
        Column::new("revision".into(), u32s(rows, |r| r.revision)),
        Column::new("status".into(), u32s(rows, |r| r.status as u32)),
        Column::new("entries".into(), rows().map(|r| r.entries).collect::<Vec<u64>>()),
        Column::new(
            "bucket".into(),
            rows().map(|r| bucket_of(r.time)).collect::<Vec<Option<u32>>>(),
        ),
        Column::new("in_scope".into(), rows().map(|r| r.in_scope).collect::<Vec<bool>>()),
    ];
    DataFrame::new(height, columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(issue: u32, t: i64, sev: u8, service: u32, in_scope: bool) -> EventRow {
        EventRow {
            issue,
            time: Some(t),
            severity: sev,
            service,
            entries: 1,
            in_scope,
            ..EventRow::default()
        }
    }

    #[test]
    fn per_issue_numbers() {
        let mut rows = [
            row(0, 10, 5, 1, true),
            row(0, 30, 4, 1, true),
            row(1, 20, 4, 2, true),
            row(0, 5, 2, 1, false), // out of scope: not counted for issues
        ];
        rows[1].entries = 4;
        rows[1].revision = 7;
        rows[0].revision = 3;
        let agg = aggregate(|| rows.iter().copied(), 2, (0, 40), 10).unwrap();
        let a = &agg.issues[0];
        assert_eq!(
            (a.events, a.entries, a.first_seen, a.last_seen, a.max_severity),
            (2, 5, Some(10), Some(30), 5)
        );
        assert_eq!(a.revisions, vec![(3, 1, Some(10)), (7, 1, Some(30))]);
        assert_eq!(a.buckets, vec![0, 1, 0, 1, 0]);
        assert_eq!(agg.issues[1].events, 1);
        let s1 = agg.services.iter().find(|s| s.service == 1).unwrap();
        assert_eq!((s1.events, s1.in_scope, s1.errors, s1.warnings), (3, 2, 1, 1));
        assert_eq!(agg.distribution[0], (5, 1, 0, 1));
    }

    #[test]
    fn busiest_hour_slides_over_the_minutes() {
        const M: i64 = 60_000_000_000;
        // Issue 0: 3 events at minutes 0, 30 and 59 (one hour), 1 at minute 200.
        // Issue 1: 2 events 61 minutes apart (never in one hour).
        let mut rows = [
            row(0, 0, 5, 1, true),
            row(0, 30 * M, 5, 1, true),
            row(0, 59 * M + 5, 5, 1, true),
            row(0, 200 * M, 5, 1, true),
            row(1, 10 * M, 5, 1, true),
            row(1, 71 * M, 5, 1, true),
        ];
        rows[1].events = 4;
        let agg = aggregate(|| rows.iter().copied(), 2, (0, 300 * M), 10 * M).unwrap();
        assert_eq!(agg.issues[0].busiest_hour, 6);
        assert_eq!(agg.issues[1].busiest_hour, 1);
    }

    #[test]
    fn requests_health_counts_include_out_of_scope_successes() {
        let mut rows = [row(0, 1, 2, 1, false), row(0, 2, 2, 1, false), row(0, 3, 5, 1, true)];
        rows[0].status = 200;
        rows[1].status = 404;
        rows[2].status = 503;
        let agg = aggregate(|| rows.iter().copied(), 1, (0, 10), 5).unwrap();
        let s = &agg.services[0];
        assert_eq!((s.requests, s.requests_5xx, s.requests_4xx), (3, 1, 1));
    }
}
