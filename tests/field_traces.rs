//! Stack traces from a field test, through the real binary: each written one line per entry to a
//! Cloud Run instance's stderr (40 µs apart, no severity), as the runtimes print them. What an
//! engineer reading the raw log expects: one ERROR event per crash, one issue per exception type,
//! titled by the exception line. The fixtures are written here; their values are invented.

mod common;

use common::{assert_books_balance, issues, run_in, total};

/// Cloud Run stderr entries for `lines`, starting at minute `minute` of the hour, 40 µs apart.
fn stderr(service: &str, minute: u32, lines: &[&str]) -> Vec<String> {
    stream_entries("stderr", service, minute, lines)
}

/// Cloud Run entries of the stream `log` (`stdout`, `stderr`), as [`stderr`] makes them.
fn stream_entries(log: &str, service: &str, minute: u32, lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(i, text)| {
            serde_json::json!({
                "insertId": format!("{service}-{minute:02}-{i:03}"),
                "timestamp": format!("2025-10-14T19:{minute:02}:00.{:06}Z", i * 40),
                "logName": format!("projects/acme-prod/logs/run.googleapis.com%2F{log}"),
                "resource": {"type": "cloud_run_revision", "labels": {
                    "service_name": service, "revision_name": format!("{service}-00042-xyz"),
                    "project_id": "acme-prod"}},
                "labels": {"instanceId": "00f46b928541d0c8a9f1"},
                "textPayload": text,
            })
            .to_string()
        })
        .collect()
}

/// One issue of a report.
#[derive(Debug)]
struct Found {
    title: String,
    severity: String,
    kind: String,
    count: u64,
    entries: u64,
}

/// Runs the report on the entries; returns its issues and the entries below the scope.
fn report(entries: &[String]) -> (Vec<Found>, u64) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.ndjson"), entries.join("\n") + "\n").unwrap();
    let run = run_in(dir.path(), &["report", "-q", "--out", "out", "in.ndjson"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    let found = issues(&json)
        .iter()
        .map(|i| Found {
            title: i["title"].as_str().unwrap().to_string(),
            severity: i["severity"].as_str().unwrap().to_string(),
            kind: i["kind"].as_str().unwrap().to_string(),
            count: i["count"].as_u64().unwrap(),
            entries: i["entries"].as_u64().unwrap(),
        })
        .collect();
    (found, total(&json, "below_min_severity"))
}

const PY_FRAMES: [&str; 5] = [
    "Traceback (most recent call last):",
    "  File \"/app/jobs/export.py\", line 41, in run",
    "    blob.upload_from_filename(path)",
    "  File \"/usr/local/lib/python3.12/site-packages/google/api_core/grpc_helpers.py\", line 78, in error_remapped_callable",
    "    raise exceptions.from_grpc_error(exc) from exc",
];

/// The same frames ending in exceptions whose names have no known ending: one issue each, titled
/// by the exception line, none of its lines below the scope.
#[test]
fn python_exception_lines_of_any_class_name() {
    let excs = [
        "google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded",
        "google.api_core.exceptions.NotFound: 404 No such object: acme-exports/daily.csv",
        "google.api_core.exceptions.ServiceUnavailable: 503 failed to connect to all addresses",
        "orders.models.Order.DoesNotExist: Order matching query does not exist.",
        "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout",
        "NotFound: 404 gone",
    ];
    let mut entries = Vec::new();
    for (k, exc) in excs.iter().enumerate() {
        let mut lines = PY_FRAMES.to_vec();
        lines.push(exc);
        entries.extend(stderr("exporter", 30 + k as u32, &lines));
    }
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), excs.len(), "{found:#?}");
    for exc in excs {
        let name = exc.split(':').next().unwrap();
        let issue = found.iter().find(|f| f.title.starts_with(name)).expect(name);
        assert_eq!((issue.kind.as_str(), issue.entries), ("traceback", 6), "{issue:?}");
        assert_eq!(issue.severity, "ERROR");
    }
}

/// Java nested classes (`Outer$Inner`) head their `at` frames.
#[test]
fn java_nested_class_names() {
    let frames = [
        "\tat com.acme.cart.CatalogClient.get(CatalogClient.java:40)",
        "\tat com.acme.cart.CartService.add(CartService.java:77)",
    ];
    let heads = [
        "org.springframework.web.client.HttpServerErrorException$ServiceUnavailable: 503 Service Unavailable: [no body]",
        "feign.FeignException$NotFound: [404 Not Found] during [GET] to [http://catalog/items/9]",
    ];
    let mut entries = Vec::new();
    for (k, head) in heads.iter().enumerate() {
        entries.extend(stderr("cart", k as u32, &[head, frames[0], frames[1]]));
    }
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), 2, "{found:#?}");
    for (issue, head) in found.iter().zip(heads) {
        let name = head.split(':').next().unwrap();
        assert!(issue.title.starts_with(name), "{issue:?}");
        assert_eq!((issue.kind.as_str(), issue.count, issue.entries), ("traceback", 1, 3));
    }
}

/// Lines of a class name's shape that are no exception (no frames around them) stay INFO lines.
#[test]
fn class_shaped_lines_without_a_trace_are_no_errors() {
    let mut entries = stderr("cart", 0, &["Status: ok", "Note: cache warmed in 3 ms"]);
    entries.extend(stderr("cart", 1, &["google.api_core.exceptions.NotFound: 404 retried"]));
    let (found, below) = report(&entries);
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(below, 3);
}

/// .NET: an unhandled exception (`   at ... in File.cs:line N` frames) and ASP.NET Core's `fail:`
/// line with the exception indented below it: one ERROR event each, keyed like other traces.
#[test]
fn dotnet_unhandled_and_logged_by_aspnet_core() {
    let mut entries = stderr(
        "payments",
        0,
        &[
            "Unhandled exception. System.InvalidOperationException: Unable to resolve service for type 'Acme.IGatewayClient'",
            "   at Microsoft.Extensions.DependencyInjection.ActivatorUtilities.GetService(IServiceProvider sp, Type type)",
            "   at Acme.Payments.Program.Main(String[] args) in /src/Acme.Payments/Program.cs:line 42",
        ],
    );
    for minute in 10..13 {
        entries.extend(stderr(
            "payments",
            minute,
            &[
                "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
                "      Connection id \"0HN7M5LFAKE01\": An unhandled exception was thrown by the application.",
                "      System.Net.Http.HttpRequestException: Response status code does not indicate success: 503 (Service Unavailable).",
                "         at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()",
                "         at Acme.Payments.Gateway.GatewayClient.ChargeAsync(ChargeRequest req) in /src/Acme.Payments/Gateway/GatewayClient.cs:line 77",
                "         --- End of inner exception stack trace ---",
                "         at Acme.Payments.Controllers.ChargeController.Post(ChargeRequest req) in /src/Acme.Payments/Controllers/ChargeController.cs:line 35",
            ],
        ));
    }
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), 2, "{found:#?}");
    let logged = &found[0];
    assert!(logged.title.starts_with("System.Net.Http.HttpRequestException: "), "{logged:?}");
    assert_eq!((logged.kind.as_str(), logged.count, logged.entries), ("traceback", 3, 21));
    let unhandled = &found[1];
    assert!(unhandled.title.starts_with("System.InvalidOperationException: "), "{unhandled:?}");
    assert_eq!((unhandled.severity.as_str(), unhandled.entries), ("ERROR", 3));
}

/// A Python 3.11+ exception group as uvicorn prints it under anyio: joined with the logger's line
/// before it, keyed and titled by its leaf exception.
#[test]
fn python_exception_group_by_its_leaf() {
    let lines = [
        "ERROR:    Exception in ASGI application",
        "  + Exception Group Traceback (most recent call last):",
        "  |   File \"/usr/local/lib/python3.12/site-packages/starlette/_utils.py\", line 76, in collapse_excgroups",
        "  |     yield",
        "  |   File \"/usr/local/lib/python3.12/site-packages/anyio/_backends/_asyncio.py\", line 783, in __aexit__",
        "  |     raise BaseExceptionGroup(",
        "  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)",
        "  +-+---------------- 1 ----------------",
        "    | Traceback (most recent call last):",
        "    |   File \"/app/api/routes/search.py\", line 33, in search",
        "    |     hits = await index.query(q)",
        "    |            ^^^^^^^^^^^^^^^^^^^^",
        "    |   File \"/app/api/index.py\", line 61, in query",
        "    |     return resp[\"hits\"][\"hits\"]",
        "    |            ~~~~^^^^^^^^",
        "    | KeyError: 'hits'",
        "    +------------------------------------",
    ];
    let mut entries = Vec::new();
    for minute in 0..3 {
        entries.extend(stderr("search-api", minute, &lines));
    }
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].title.starts_with("KeyError: "), "{:?}", found[0]);
    assert!(found[0].title.contains("api/index.py:query"), "{:?}", found[0]);
    assert_eq!((found[0].count, found[0].entries), (3, 3 * lines.len() as u64));
}

/// Node's crash report for an unhandled rejection has no `at` frames: one ERROR event up to its
/// `Node.js v...` line, titled by the value thrown; one with frames keeps its key.
#[test]
fn node_crash_reports() {
    let rejection = [
        "node:internal/process/promises:391",
        "    triggerUncaughtException(err, true /* fromPromise */);",
        "    ^",
        "",
        "[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block. The promise rejected with the reason \"AxiosError: Request failed with status code 502\".] {",
        "  code: 'ERR_UNHANDLED_REJECTION'",
        "}",
        "",
        "Node.js v20.11.1",
    ];
    let thrown = [
        "/app/node_modules/pg/lib/client.js:132",
        "        throw err",
        "        ^",
        "",
        "Error: connect ECONNREFUSED 10.20.0.5:5432",
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {",
        "  errno: -111,",
        "  code: 'ECONNREFUSED'",
        "}",
        "",
        "Node.js v20.11.1",
    ];
    let mut entries = stderr("web-bff", 0, &rejection);
    entries.extend(stderr("web-bff", 5, &rejection));
    entries.extend(stderr("web-bff", 10, &thrown));
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].title.starts_with("UnhandledPromiseRejection: This error"), "{found:?}");
    assert_eq!((found[0].severity.as_str(), found[0].count, found[0].entries), ("ERROR", 2, 18));
    assert!(found[1].title.starts_with("Error: connect ECONNREFUSED"), "{found:?}");
    assert_eq!((found[1].count, found[1].entries), (1, 11));
}

/// Go: a `fatal error:` keyed by the first goroutine (the crashed one), whatever the others were
/// doing; a panic net/http recovered and logged is an ERROR event of its own.
#[test]
fn go_fatal_errors_and_recovered_panics() {
    let crashed = [
        "fatal error: concurrent map writes",
        "",
        "goroutine 118 [running]:",
        "github.com/acme/ingest/internal/cache.(*Store).Put(...)",
        "\t/src/internal/cache/store.go:31",
        "github.com/acme/ingest/internal/api.(*Server).ingest(0xc000120000, {0x8b7c40, 0xc0004a61c0}, 0xc0002f4000)",
        "\t/src/internal/api/server.go:88 +0x2c5",
        "",
    ];
    let others: [&[&str]; 3] = [
        &[
            "goroutine 1 [IO wait]:",
            "internal/poll.runtime_pollWait(0x7f2c1c2e1f08, 0x72)",
            "\t/usr/local/go/src/runtime/netpoll.go:343 +0x85",
        ],
        &["goroutine 1 [select]:", "main.main()", "\t/src/cmd/ingest/main.go:77 +0x3f1"],
        &[
            "goroutine 1 [semacquire]:",
            "sync.runtime_Semacquire(0xc000010218)",
            "\t/usr/local/go/src/runtime/sema.go:62 +0x25",
        ],
    ];
    let mut entries = Vec::new();
    for (minute, other) in others.iter().enumerate() {
        let lines: Vec<&str> = crashed.iter().chain(other.iter()).copied().collect();
        entries.extend(stderr("ingest", minute as u32, &lines));
    }
    entries.extend(stderr(
        "ingest",
        30,
        &[
            "2025/10/14 12:30:00 http: panic serving 10.8.0.3:51234: runtime error: index out of range [5] with length 3",
            "goroutine 77 [running]:",
            "net/http.(*conn).serve.func1()",
            "\t/usr/local/go/src/net/http/server.go:1868 +0xb9",
            "panic({0x7b2c60?, 0xc0000163a8?})",
            "\t/usr/local/go/src/runtime/panic.go:920 +0x270",
            "github.com/acme/ingest/internal/api.parseBatch(...)",
            "\t/src/internal/api/batch.go:22",
        ],
    ));
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), 2, "{found:#?}");
    let fatal = &found[0];
    assert!(fatal.title.starts_with("fatal error: concurrent map writes (in "), "{fatal:?}");
    assert_eq!(
        (fatal.kind.as_str(), fatal.count, fatal.severity.as_str()),
        ("traceback", 3, "CRITICAL")
    );
    let recovered = &found[1];
    assert!(
        recovered.title.starts_with("panic: runtime error: index out of range"),
        "{recovered:?}"
    );
    assert_eq!((recovered.severity.as_str(), recovered.entries), ("ERROR", 8));
}

/// A PHP uncaught exception's lines after its first, as PHP writes them.
const PHP_TRACE: [&str; 5] = [
    "Stack trace:",
    "#0 /var/www/html/db.php(12): PDO->__construct('mysql:host=...', 'app', Object(SensitiveParameterValue))",
    "#1 /var/www/html/index.php(4): App\\Db::connect()",
    "#2 {main}",
    "  thrown in /var/www/html/db.php on line 12",
];

/// The same crash's first line as PHP-FPM, PHP's own error log and Apache wrap it.
const PHP_HEADS: [&str; 4] = [
    "NOTICE: PHP message: PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12",
    "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12",
    "[29-Oct-2025 10:00:00 UTC] PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12",
    "[Wed Oct 29 10:00:00.123456 2025] [php:error] [pid 12] [client 10.0.0.1:5555] PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12",
];

/// PHP's uncaught exception, its `Stack trace:`, frames and `thrown in` line, each an entry, under
/// each wrapper of its first line (and Apache's, with its line breaks written as `\n`, in one):
/// one ERROR event per crash, one issue keyed and titled by the exception and its innermost
/// frame. Notices and deprecations around it stay INFO, out of the report.
#[test]
fn php_uncaught_exceptions_under_their_wrappers() {
    let mut entries = Vec::new();
    for (k, head) in PHP_HEADS.iter().enumerate() {
        let lines: Vec<&str> = std::iter::once(*head).chain(PHP_TRACE).collect();
        entries.extend(stderr("shop", k as u32, &lines));
    }
    let escaped = format!(
        "{}\\n{}, referer: https://shop.example.com/cart",
        PHP_HEADS[3],
        PHP_TRACE.join("\\n")
    );
    entries.extend(stderr("shop", 10, &[&escaped]));
    entries.extend(stderr(
        "shop",
        20,
        &[
            "NOTICE: PHP message: PHP Notice:  Undefined variable $total in /var/www/html/cart.php on line 61",
            "NOTICE: PHP message: PHP Deprecated:  strlen(): Passing null to parameter #1 ($string) of type string is deprecated in /var/www/html/cart.php on line 9",
            "Stack trace:",
            "#0 {main}",
        ],
    ));
    let (found, below) = report(&entries);
    assert_eq!(below, 4, "{found:#?}");
    assert_eq!(found.len(), 1, "{found:#?}");
    let crash = &found[0];
    assert!(
        crash.title.starts_with("PDOException: SQLSTATE[<*>] [<*>] Connection refused"),
        "{crash:?}"
    );
    assert!(crash.title.contains("(in html/db.php:PDO->__construct)"), "{crash:?}");
    assert!(!crash.title.contains("mysql:host"), "{crash:?}");
    assert_eq!((crash.kind.as_str(), crash.severity.as_str()), ("traceback", "ERROR"));
    assert_eq!((crash.count, crash.entries), (5, 4 * 6 + 1));
}

/// A chain (`Next`): the exception that escaped is the title, the first one its root cause and
/// the key; a crash on GKE, whose agent gives every stderr line ERROR, joins as on Cloud Run.
#[test]
fn php_chains_and_gke_stderr() {
    let chain = [
        "NOTICE: PHP message: PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12",
        PHP_TRACE[0],
        PHP_TRACE[1],
        PHP_TRACE[3],
        "",
        "Next App\\DbUnavailable: database unavailable in /var/www/html/db.php:14",
        "Stack trace:",
        "#0 /var/www/html/index.php(4): App\\Db::connect()",
        "#1 {main}",
        "  thrown in /var/www/html/db.php on line 14",
    ];
    let mut entries = stderr("shop", 0, &chain);
    let head = ["PHP Fatal error:  Uncaught RedisException: Connection timed out in /var/www/html/cache.php:9"];
    let gke: Vec<String> = stderr("worker", 5, &[&head[..], &PHP_TRACE[..]].concat())
        .into_iter()
        .map(|e| {
            let mut e: serde_json::Value = serde_json::from_str(&e).unwrap();
            e["logName"] = "projects/acme-prod/logs/stderr".into();
            e["severity"] = "ERROR".into();
            e["resource"] = serde_json::json!({"type": "k8s_container", "labels": {
                "project_id": "acme-prod", "namespace_name": "shop",
                "pod_name": "worker-6d8f9c7b5-x2x4q", "container_name": "worker"}});
            e.to_string()
        })
        .collect();
    entries.extend(gke);
    let (found, below) = report(&entries);
    assert_eq!(below, 0);
    assert_eq!(found.len(), 2, "{found:#?}");
    let chained =
        found.iter().find(|f| f.title.starts_with("App\\DbUnavailable: ")).expect("chain");
    assert!(chained.title.contains("(root cause PDOException: "), "{chained:?}");
    assert_eq!((chained.kind.as_str(), chained.entries), ("traceback", chain.len() as u64));
    let redis = found.iter().find(|f| f.title.starts_with("RedisException: ")).expect("gke");
    assert_eq!((redis.kind.as_str(), redis.count, redis.entries), ("traceback", 1, 6));
}

/// Ruby's report of an exception nothing rescued, as the interpreter prints it to stderr when
/// the process dies (Ruby 3.3's quoting: `` `method' ``).
const RUBY_CRASH: [&str; 5] = [
    "/app/lib/sync/inventory.rb:42:in `fetch_stock': undefined method `fetch' for nil (NoMethodError)",
    "\tfrom /app/lib/sync/inventory.rb:17:in `block in run'",
    "\tfrom /usr/local/bundle/gems/activesupport-7.1.3/lib/active_support/notifications.rb:206:in `instrument'",
    "\tfrom /app/lib/sync/inventory.rb:15:in `run'",
    "\tfrom bin/sync:8:in `<main>'",
];

/// A Ruby process that dies of an exception: one ERROR event per crash, keyed by the exception
/// and its frames (not the line numbers), titled by it; an exception raised while handling
/// another (Ruby 3.4's quoting) is titled by the one that escaped, keyed by its cause; the
/// interpreter's one-line report of an exception raised at the top of a script is an error too.
#[test]
fn ruby_uncaught_exceptions_with_their_frames_and_causes() {
    let mut entries = stderr("sync", 0, &RUBY_CRASH);
    let moved = RUBY_CRASH[0].replace(":42:", ":44:");
    entries.extend(stderr(
        "sync",
        5,
        &[&moved, RUBY_CRASH[1], RUBY_CRASH[2], RUBY_CRASH[3], RUBY_CRASH[4]],
    ));
    let chain = [
        "/app/lib/db.rb:21:in 'Db.connect': database unavailable (Db::Unavailable)",
        "\tfrom /app/lib/db.rb:9:in 'Db.with_retry'",
        "\tfrom bin/worker:3:in '<main>'",
        "/usr/local/lib/ruby/3.4.0/socket.rb:1217:in 'Socket.tcp': Connection refused - connect(2) for 10.0.0.7:5432 (Errno::ECONNREFUSED)",
        "\tfrom /app/lib/db.rb:19:in 'Db.connect'",
        "\tfrom bin/worker:3:in '<main>'",
    ];
    entries.extend(stderr("worker", 10, &chain));
    entries.extend(stderr(
        "worker",
        20,
        &["bin/migrate:4:in '<main>': schema version 41 is newer than 40 (RuntimeError)"],
    ));
    let (found, below) = report(&entries);
    assert_eq!(below, 0, "{found:#?}");
    assert_eq!(found.len(), 3, "{found:#?}");
    let crash = found.iter().find(|f| f.title.starts_with("NoMethodError: ")).expect("crash");
    assert!(crash.title.contains("(in sync/inventory.rb:fetch_stock)"), "{crash:?}");
    assert_eq!((crash.kind.as_str(), crash.severity.as_str()), ("traceback", "ERROR"));
    assert_eq!((crash.count, crash.entries), (2, 10));
    let chained = found.iter().find(|f| f.title.starts_with("Db::Unavailable: ")).expect("chain");
    assert!(chained.title.contains("root cause Errno::ECONNREFUSED: "), "{chained:?}");
    assert!(!chained.title.contains("10.0.0.7"), "{chained:?}");
    assert_eq!((chained.count, chained.entries), (1, chain.len() as u64));
    let alone = found.iter().find(|f| f.title.contains("RuntimeError")).expect("one line");
    assert_eq!((alone.severity.as_str(), alone.count), ("ERROR", 1));
}

/// Cloud Run stdout entries of a Rails app (no severity: Rails' Logger writes text).
fn rails_stdout(minute: u32, lines: &[String]) -> Vec<String> {
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    stream_entries("stdout", "storefront", minute, &texts)
}

/// Rails' report of an exception a request raised, one logger call whose lines Cloud Run stores
/// as entries of their own: as Rails 6+ writes it (the Logger prefix on the first line only) and
/// as Rails 5 did (a logger call, so a prefix, per line), listed oldest or newest first. One
/// CRITICAL event per request, titled by the exception's class line, the tags taken off; the
/// request's other lines, with the same tag, stay what they were.
#[test]
fn rails_exception_reports_split_over_entries() {
    let report_of = |k: u32, every_line_prefixed: bool| {
        let tag = format!("[4f1c{k}e2a-9d3b-4c1e-8f00-12ab34cd56e0]");
        let fatal =
            |text: &str| format!("F, [2025-10-14T19:{k:02}:00.000100 #1] FATAL -- : {text}");
        let plain = |text: String| if every_line_prefixed { fatal(&text) } else { text };
        vec![
            format!("I, [2025-10-14T19:{k:02}:00.000010 #1]  INFO -- : {tag} Completed 404 Not Found in 3ms"),
            fatal(&format!("{tag}   ")),
            plain(format!("{tag} ActiveRecord::RecordNotFound (Couldn't find Order with 'id'={}):", 1000 + k)),
            plain(format!("{tag}   ")),
            plain(format!("{tag} app/controllers/orders_controller.rb:63:in `set_order'")),
        ]
    };
    let mut entries = Vec::new();
    for k in 0..4 {
        let mut lines = rails_stdout(k, &report_of(k, k % 2 == 1));
        if k >= 2 {
            lines.reverse(); // as `gcloud logging read` lists them
        }
        entries.extend(lines);
    }
    let (found, below) = report(&entries);
    assert_eq!(below, 4, "the Completed lines: {found:#?}");
    assert_eq!(found.len(), 1, "{found:#?}");
    let error = &found[0];
    assert!(
        error.title.starts_with("ActiveRecord::RecordNotFound (Couldn't find Order"),
        "{error:?}"
    );
    assert!(!error.title.contains("4f1c"), "{error:?}");
    assert_eq!((error.severity.as_str(), error.count, error.entries), ("CRITICAL", 4, 16));
}

/// Rust panics as the standard library's hook prints them to stderr: since Rust 1.73 with the
/// message on its own line, before it on the first line; with `RUST_BACKTRACE=1` a backtrace.
/// One ERROR event per panic (a thread's: the process may live on), keyed by the program's own
/// innermost frames, or by where it panicked when there is no backtrace; the thread's name and a
/// log line the program writes right after are no part of it; newest-first listings read alike.
#[test]
fn rust_panics_with_and_without_a_backtrace() {
    let unwrap = |thread: &str| {
        vec![
            format!("thread '{thread}' panicked at src/handlers/orders.rs:88:41:"),
            "called `Option::unwrap()` on a `None` value".to_string(),
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
                .to_string(),
            "2025-10-14T19:00:00.000200Z  INFO orders: served GET /orders in 3 ms".to_string(),
        ]
    };
    let mut entries = Vec::new();
    for (minute, thread) in [(0, "tokio-runtime-worker"), (5, "actix-rt|system:0|arbiter:1")] {
        let lines = unwrap(thread);
        entries.extend(stderr(
            "orders",
            minute,
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
    }
    let old = [
        "thread 'main' panicked at 'index out of bounds: the len is 3 but the index is 7', src/main.rs:12:5",
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    ];
    entries.extend(stderr("orders", 10, &old));
    // A report without its note (a panic hook of the program's own): the log line after it is
    // the program's next line, not the panic's message.
    let hooked = [
        "thread 'jobs' panicked at src/jobs.rs:7:3:",
        "queue closed",
        "2025-10-14T19:15:00.000090Z ERROR orders::jobs: job runner stopped",
    ];
    entries.extend(stderr("orders", 15, &hooked));
    let backtrace = [
        "thread 'main' panicked at src/db.rs:40:10:",
        "connection pool exhausted",
        "stack backtrace:",
        "   0: rust_begin_unwind",
        "             at /rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/std/src/panicking.rs:665:5",
        "   1: core::panicking::panic_fmt",
        "   2: orders::db::Pool::get",
        "             at ./src/db.rs:40:10",
        "   3: orders::main",
        "             at ./src/main.rs:9:5",
        "   4: core::ops::function::FnOnce::call_once",
        "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
    ];
    entries.extend(stderr("orders", 20, &backtrace));
    let mut newest_first = stderr("orders", 30, &backtrace);
    newest_first.reverse();
    entries.extend(newest_first);
    let (found, below) = report(&entries);
    assert_eq!(below, 2, "the INFO lines after the panics: {found:#?}");
    assert_eq!(found.len(), 5, "{found:#?}");
    let title = |start: &str| {
        found
            .iter()
            .find(|f| f.title.starts_with(start))
            .unwrap_or_else(|| panic!("{start}: {found:#?}"))
    };
    let unwrapped = title("panic: called `Option::unwrap()` on a `None` value");
    assert!(unwrapped.title.contains("(in src/handlers/orders.rs:88)"), "{unwrapped:?}");
    assert_eq!((unwrapped.kind.as_str(), unwrapped.severity.as_str()), ("traceback", "ERROR"));
    assert_eq!((unwrapped.count, unwrapped.entries), (2, 6));
    let index = title("panic: index out of bounds");
    assert_eq!((index.count, index.entries), (1, 2));
    let hooked = title("panic: queue closed (in src/jobs.rs:7)");
    assert_eq!((hooked.count, hooked.entries), (1, 2));
    let stopped = title("orders::jobs: job runner stopped");
    assert_eq!((stopped.severity.as_str(), stopped.entries), ("ERROR", 1));
    let pool = title("panic: connection pool exhausted (in orders::db::Pool::get)");
    assert_eq!((pool.count, pool.entries), (2, 2 * backtrace.len() as u64));
}
