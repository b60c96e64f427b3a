//! Plain-text log files read as a user first runs them, without `--line-format`: a line that
//! begins with a date and time begins an entry, and the lines below it without one (a stack
//! trace) belong to it, as log viewers show them. The texts are written here, in the default
//! formats of logback and Python's logging; their values are invented.

mod common;

use common::{issues, report_on, total};

/// (template, severity, events, entries, first seen) of each issue, in report order.
fn found(json: &serde_json::Value) -> Vec<(String, String, u64, u64, String)> {
    issues(json)
        .iter()
        .map(|i| {
            let text = |key: &str| i[key].as_str().unwrap_or("").to_string();
            let number = |key: &str| i[key].as_u64().unwrap_or(0);
            let template = text("template");
            (template, text("severity"), number("count"), number("entries"), text("first_seen"))
        })
        .collect()
}

/// A failed checkout as logback writes it: the line, then the exception's trace below it.
fn checkout_failed(time: &str, thread: u32, cart: u32) -> String {
    format!(
        "2025-05-26 {time} ERROR [http-nio-8080-exec-{thread}] c.q.shop.OrderController - Checkout failed
java.lang.IllegalStateException: cart {cart} is empty
\tat com.quill.shop.OrderService.checkout(OrderService.java:88)
\tat com.quill.shop.OrderController.post(OrderController.java:41)
Caused by: java.lang.NullPointerException: null
\tat com.quill.shop.Cart.items(Cart.java:19)
\t... 2 more
"
    )
}

/// A day of a Java service's log: a start, two failed checkouts, a slow one between them.
fn logback() -> String {
    let start = "2025-05-26 10:00:01.123 INFO  [main] c.q.shop.Application - Started Application in 4.2 seconds\n";
    let slow = "2025-05-26 10:00:06.001 WARN  [http-nio-8080-exec-4] c.q.shop.OrderController - Slow checkout 2301 ms\n";
    let (first, second) =
        (checkout_failed("10:00:05.456", 3, 8812), checkout_failed("10:01:05.456", 7, 9913));
    format!("{start}{first}{slow}{second}")
}

#[test]
fn a_java_log_keeps_each_stack_trace_with_its_line() {
    let json = report_on("shop.log", &logback());
    assert_eq!(total(&json, "entries_read"), 16);
    let root = "java.lang.IllegalStateException: cart <*> is empty (root cause \
                java.lang.NullPointerException: null, in com.quill.shop.Cart.items)";
    assert_eq!(
        found(&json),
        [
            (root.to_string(), "ERROR".into(), 2, 14, "2025-05-26T10:00:05.456Z".into()),
            (
                "Slow checkout <*>".to_string(),
                "WARNING".into(),
                1,
                1,
                "2025-05-26T10:00:06.001Z".into()
            ),
        ]
    );
    // The trace is in the example whole, below the line that logged it.
    let example = issues(&json)[0]["examples"][0].as_str().unwrap();
    assert!(example.starts_with("Checkout failed\njava.lang.IllegalStateException: cart 8812"));
}

#[test]
fn a_python_log_keeps_each_traceback_with_its_line() {
    let text = "\
2025-05-26 10:02:00,001 INFO payments.capture capture started for order 77
2025-05-26 10:02:00,118 ERROR payments.capture capture failed for order 77
Traceback (most recent call last):
  File \"/app/payments/capture.py\", line 41, in capture
    amount = order[\"amount\"]
KeyError: 'amount'
2025-05-26 10:02:03,500 INFO payments.capture capture started for order 78
";
    let json = report_on("payments.log", text);
    let got = found(&json);
    assert_eq!(got.len(), 1, "{got:?}");
    let (title, severity, events, entries, first) = &got[0];
    assert!(title.starts_with("KeyError"), "{title}");
    assert_eq!((severity.as_str(), *events, *entries), ("ERROR", 1, 5));
    assert_eq!(first, "2025-05-26T10:02:00.118Z");
}

#[test]
fn a_go_panic_in_a_text_log_is_one_event() {
    // Go's log package writes `2025/05/26 10:03:00 message`; a panic's goroutine dump follows.
    let text = "\
2025/05/26 10:03:00 serving on :8080
2025/05/26 10:03:07 http: panic serving 10.8.0.3:51234: runtime error: index out of range [3] with length 3
goroutine 41 [running]:
net/http.(*conn).serve.func1()
\t/usr/local/go/src/net/http/server.go:1898 +0xbe
main.(*api).order(0xc0001a2000, {0x7a1e40, 0xc0002b6000}, 0xc0002c4000)
\t/app/main.go:57 +0x1d2
2025/05/26 10:03:09 serving on :8080
";
    let json = report_on("api.log", text);
    let got = found(&json);
    assert_eq!(got.len(), 1, "{got:?}");
    let (_, severity, events, entries, first) = &got[0];
    assert_eq!((severity.as_str(), *events, *entries), ("ERROR", 1, 6));
    assert_eq!(first, "2025-05-26T10:03:07Z");
}

#[test]
fn lines_without_times_stay_entries_of_their_own() {
    // Nothing to tell where an entry begins: each line is one, as before.
    let json = report_on("worker.log", "ERROR: disk full on /data\nWARNING: queue is 90% full\n");
    let got = found(&json);
    let titles: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(got.iter().all(|g| g.2 == 1 && g.3 == 1), "{got:?}");
}

/// A Rails production log (Ruby's Logger, tagged with the request id): an exception Rails logs
/// at FATAL writes its class and message and its backtrace on lines of their own, each with the
/// request's tag. Each is one event, titled by the exception, at its logger's time.
#[test]
fn a_rails_log_keeps_each_error_with_its_backtrace() {
    let request = |time: &str, id: &str, user: u32| {
        format!(
            "I, [2025-05-26T{time}1 #1]  INFO -- : [{id}] Started GET \"/users/{user}\" for 10.0.0.5\n\
             F, [2025-05-26T{time}9 #1] FATAL -- : [{id}]   \n\
             [{id}] ActiveRecord::RecordNotFound (Couldn't find User with 'id'={user}):\n\
             [{id}]   \n\
             [{id}] app/controllers/users_controller.rb:5:in `show'\n"
        )
    };
    let log = format!(
        "{}{}E, [2025-05-26T10:00:06.000001 #1] ERROR -- sidekiq: Redis::CannotConnectError: Error connecting to Redis on 10.0.0.9:6379 (Errno::ECONNREFUSED)\n",
        request("10:00:00.12345", "9f2c1a7e-5b1d-4c9a", 42),
        request("10:00:05.01001", "7a7a7a7a-5b1d-4c9a", 43),
    );
    let json = report_on("web.log", &log);
    assert_eq!(total(&json, "entries_read"), 11);
    assert_eq!(total(&json, "entries_without_time"), 0);
    let got = found(&json);
    assert_eq!(got.len(), 2, "{got:?}");
    let (title, severity, events, entries, first) = &got[0];
    assert!(title.starts_with("ActiveRecord::RecordNotFound (Couldn't find User"), "{title}");
    assert_eq!((severity.as_str(), *events, *entries), ("CRITICAL", 2, 8));
    assert_eq!(first, "2025-05-26T10:00:00.123459Z");
    let example = issues(&json)[0]["examples"][0].as_str().unwrap().to_string();
    assert!(!example.contains("9f2c1a7e"), "the tags are taken off: {example}");
    let redis = &issues(&json)[1];
    assert!(redis["title"].as_str().unwrap().starts_with("Redis::CannotConnectError"), "{redis}");
    assert_eq!(redis["components"][0], "sidekiq");
}

/// A Ruby program's log with the interpreter's report of the exception that killed it below its
/// last Logger line (stdout and stderr to one file): the report is no line of that INFO record
/// but an error of its own, with its `from` frames, keyed as the same crash on Cloud Run is.
#[test]
fn a_ruby_crash_below_a_logger_line_is_an_error_of_its_own() {
    let log = "I, [2025-05-26T10:00:00.000001 #1]  INFO -- : Starting inventory sync\n\
               /app/lib/sync/inventory.rb:42:in `fetch_stock': undefined method `fetch' for nil (NoMethodError)\n\
               \tfrom /app/lib/sync/inventory.rb:17:in `block in run'\n\
               \tfrom bin/sync:8:in `<main>'\n";
    let json = report_on("sync.log", log);
    assert_eq!(total(&json, "entries_read"), 4);
    assert_eq!(total(&json, "below_min_severity"), 1, "the Starting line");
    let got = found(&json);
    assert_eq!(got.len(), 1, "{got:?}");
    let (template, severity, events, entries, _) = &got[0];
    assert_eq!(
        template,
        "NoMethodError: undefined method `fetch' for nil (in sync/inventory.rb:fetch_stock)"
    );
    assert_eq!((severity.as_str(), *events, *entries), ("ERROR", 1, 3));
}
