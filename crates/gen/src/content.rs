//! What the generator writes: the catalog of planted issues, the Cloud Run services with their
//! revisions and instances, and the builders that turn one planned event into its LogEntries
//! (Cloud Run's `jsonPayload`/`textPayload`/`httpRequest` shapes).

use std::rc::Rc;

use super::json::{base64url, Rng, V};

/// Cloud Logging severities with their numeric values.
#[allow(dead_code)] // NOTICE and CRITICAL complete the scale; nothing plants them yet.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Sev {
    Default = 0,
    Debug = 100,
    Info = 200,
    Notice = 300,
    Warning = 400,
    Error = 500,
    Critical = 600,
}

impl Sev {
    pub fn name(self) -> &'static str {
        match self {
            Sev::Default => "DEFAULT",
            Sev::Debug => "DEBUG",
            Sev::Info => "INFO",
            Sev::Notice => "NOTICE",
            Sev::Warning => "WARNING",
            Sev::Error => "ERROR",
            Sev::Critical => "CRITICAL",
        }
    }

    fn lower(self) -> &'static str {
        match self {
            Sev::Default => "default",
            Sev::Debug => "debug",
            Sev::Info => "info",
            Sev::Notice => "notice",
            Sev::Warning => "warning",
            Sev::Error => "error",
            Sev::Critical => "critical",
        }
    }
}

pub const BACKEND: usize = 0;
pub const AUTH: usize = 1;
pub const FRONTEND: usize = 2;
pub const SERVICE_NAMES: [&str; 3] =
    ["netra-backend-staging", "netra-auth-service", "netra-frontend-staging"];

/// One planted issue: its stable key, where it comes from and how often (events per 400 entries).
pub struct IssueDef {
    pub key: &'static str,
    pub service: usize,
    pub rate: f64,
    pub description: &'static str,
}

// Issue indices into ISSUES.
pub const SESSION: u8 = 0;
pub const AGENT_BRIDGE: u8 = 1;
pub const WS_MANAGER: u8 = 2;
pub const SERVER_MSG: u8 = 3;
pub const ERROR_MSG: u8 = 4;
pub const REQUEST_ID: u8 = 5;
pub const REDIS_DEGRADED: u8 = 6;
pub const REDIS_REFUSED: u8 = 7;
pub const POSTGRES_REFUSED: u8 = 8;
pub const LOGURU_KEYERROR: u8 = 9;
pub const TB_VALUEERROR: u8 = 10;
pub const TB_WS_CLOSED: u8 = 11;
pub const HTTP_503: u8 = 12;
pub const HTTP_500: u8 = 13;
pub const TEXT_ERROR: u8 = 14;
pub const TEXT_WARNING: u8 = 15;
pub const LOGFMT_ERROR: u8 = 16;
pub const JSON_LEVEL_WARNING: u8 = 17;
pub const SECRET_JWT: u8 = 18;
pub const SECRET_DSN: u8 = 19;
pub const SECRET_API_KEY: u8 = 20;
/// Planted only from week 2 of the follow-up scenario (`week_factor`): it appears.
pub const STEP_BUDGET: u8 = 21;

/// The planted issues, in the order the ground truth lists them. The last one is planted only
/// from week 2 of the follow-up scenario (see `week_factor` in lib.rs).
pub static ISSUES: [IssueDef; 22] = [
    IssueDef {
        key: "session-middleware-missing",
        service: BACKEND,
        rate: 46.0,
        description: "WARNING jsonPayload, very high frequency from the start: `Failed to extract auth=REDACTED SessionMiddleware must be installed to access request.session`; request path and id vary in other fields.",
    },
    IssueDef {
        key: "agent-bridge-import-error",
        service: BACKEND,
        rate: 2.0,
        description: "ERROR jsonPayload: `Agent handler setup failed: No module named 'netra_backend.app.agents.agent_websocket_bridge'`; mostly inside WebSocket failure bursts (with ws-manager-await, create-*-message, request-id), some carry errorGroups.",
    },
    IssueDef {
        key: "ws-manager-await-error",
        service: BACKEND,
        rate: 1.0,
        description: "ERROR jsonPayload: `WebSocket manager creation failed: object UnifiedWebSocketManager can't be used in 'await' expression`; starts when the new backend revision rolls out, in every WebSocket failure burst.",
    },
    IssueDef {
        key: "create-server-message-missing-data",
        service: BACKEND,
        rate: 1.0,
        description: "ERROR jsonPayload: `Connection error: create_server_message() missing 1 required positional argument: 'data'` (near-twin of create-error-message-missing-arg, a separate issue).",
    },
    IssueDef {
        key: "create-error-message-missing-arg",
        service: BACKEND,
        rate: 1.0,
        description: "ERROR jsonPayload: `Error during cleanup: create_error_message() missing 1 required positional argument: 'error_message'`.",
    },
    IssueDef {
        key: "request-id-invalid-format",
        service: BACKEND,
        rate: 10.0,
        description: "WARNING jsonPayload: `request_id 'defensive_auth_<12 hex>' has invalid format. Expected UUID or UnifiedIDManager structured format.`; the id differs in every entry.",
    },
    IssueDef {
        key: "redis-readiness-degradation",
        service: BACKEND,
        rate: 4.0,
        description: "WARNING jsonPayload, low frequency, starts late: `Redis readiness: GRACEFUL DEGRADATION - Exception 'bool' object is not callable in staging, allowing basic functionality for user chat value`.",
    },
    IssueDef {
        key: "redis-connection-refused",
        service: BACKEND,
        rate: 6.0,
        description: "Near-miss pair with postgres-connection-refused: `Failed to connect to Redis at 10.x.x.x:6379: Connection refused (attempt N)`, address and attempt vary; WARNING, ERROR on the last attempt (5).",
    },
    IssueDef {
        key: "postgres-connection-refused",
        service: BACKEND,
        rate: 5.0,
        description: "Near-miss pair with redis-connection-refused: `Failed to connect to Postgres at 10.x.x.x:5432: Connection refused (attempt N)`, address and attempt vary; WARNING, ERROR on the last attempt (5).",
    },
    IssueDef {
        key: "auth-loguru-timestamp-keyerror",
        service: AUTH,
        rate: 5.0,
        description: "ERROR, whole Python traceback in ONE stderr textPayload (loguru handler frames, last line `KeyError: '\"timestamp\"'`), errorGroups CO6xtZfxmMf4zAE, both auth revisions.",
    },
    IssueDef {
        key: "thread-limit-valueerror-traceback",
        service: BACKEND,
        rate: 3.0,
        description: "Traceback SPLIT one line per stderr entry, no severity (ERROR to be inferred): 8 lines, uvicorn/starlette/threads_route frames, last line `ValueError: invalid literal for int() with base 10: '<value>'` with a varying value; lines 1-5 ms apart on one instance. events = tracebacks, entries = lines.",
    },
    IssueDef {
        key: "ws-heartbeat-connection-closed-traceback",
        service: BACKEND,
        rate: 3.0,
        description: "Traceback SPLIT one line per stderr entry, no severity (ERROR to be inferred): 10 lines, websockets/heartbeat frames, last line `websockets.exceptions.ConnectionClosedError: sent 1011 (internal error) keepalive ping timeout; no close frame received`. events = tracebacks, entries = lines.",
    },
    IssueDef {
        key: "http-503-post-thread-messages",
        service: BACKEND,
        rate: 12.0,
        description: "Request log (run.googleapis.com/requests, httpRequest only, no message), ERROR: 503 `POST /api/threads/<uuid>/messages`, uuid, latency, client vary.",
    },
    IssueDef {
        key: "http-500-get-agent-status",
        service: BACKEND,
        rate: 8.0,
        description: "Request log, ERROR: 500 `GET /api/agents/agt_<12 hex>/status`, agent id, latency, client vary.",
    },
    IssueDef {
        key: "auth-jwks-refresh-text-error",
        service: AUTH,
        rate: 6.0,
        description: "Plain stderr textPayload WITHOUT severity, severity in the text (ERROR): `ERROR:    JWKS refresh failed: timed out after <s>s fetching https://www.googleapis.com/oauth2/v3/certs`, seconds vary.",
    },
    IssueDef {
        key: "slow-query-text-warning",
        service: BACKEND,
        rate: 6.0,
        description: "Plain stdout textPayload WITHOUT severity, severity in the text (WARNING): `[WARNING] Slow query detected (<ms> ms): SELECT ... FROM messages ...`, milliseconds vary.",
    },
    IssueDef {
        key: "frontend-logfmt-upstream-error",
        service: FRONTEND,
        rate: 5.0,
        description: "Plain stderr logfmt textPayload WITHOUT severity (ERROR in the text): `level=error msg=\"upstream request failed\" upstream=netra-backend-staging path=/api/threads/<uuid> status=502 duration=<s>s`.",
    },
    IssueDef {
        key: "frontend-json-level-warning",
        service: FRONTEND,
        rate: 5.0,
        description: "stdout jsonPayload with `\"level\": \"warning\"` and NO top-level severity (WARNING to be inferred): `Session refresh took <ms>ms, exceeding the 3000ms budget`.",
    },
    IssueDef {
        key: "secret-jwt-in-token-validation",
        service: AUTH,
        rate: 3.0,
        description: "SECRET planted: a full JWT (`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<payload>.<signature>`, different in every entry) in the message of a WARNING `Token validation failed: Signature has expired for token eyJ...`; must be redacted.",
    },
    IssueDef {
        key: "secret-postgres-dsn-in-error",
        service: BACKEND,
        rate: 3.0,
        description: "SECRET planted: database URL with password `postgresql://app:hunter2@10.0.0.3/db` in an ERROR message `Failed to initialize database engine for postgresql://app:hunter2@10.0.0.3/db: FATAL: password authentication failed for user \"app\"`; the password must be redacted.",
    },
    IssueDef {
        key: "secret-api-key-in-llm-error",
        service: BACKEND,
        rate: 3.0,
        description: "SECRET planted: Google API key `api_key=AIza<35 chars>` (different in every entry) inside a URL in an ERROR message `LLM request failed: 403 Forbidden for url https://generativelanguage.googleapis.com/...:generateContent?api_key=AIza...`; must be redacted.",
    },
    IssueDef {
        key: "agent-step-budget-exceeded",
        service: BACKEND,
        rate: 6.0,
        description: "Follow-up weeks only (week 2 on): WARNING jsonPayload from the agent supervisor after the new backend revision rolls out: `Agent run run_<12 hex> exceeded the 30s step budget (took <n>s); answering with partial results`; run id and seconds vary.",
    },
];

/// The issues a WebSocket failure burst may contain, in the order they are logged.
const BURST_ORDER: [u8; 5] = [REQUEST_ID, WS_MANAGER, AGENT_BRIDGE, SERVER_MSG, ERROR_MSG];

/// Events per 400 entries of WebSocket failure bursts.
pub const BURST_RATE: f64 = 11.0;

/// What one planned event produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A standalone occurrence of one planted issue (one entry, or one line per entry for the
    /// split tracebacks).
    Issue(u8),
    /// A WebSocket connection failing: several planted issues logged within a few ms.
    Burst,
    /// A new instance starting: uvicorn / Next.js banner lines and the startup probe.
    Startup { svc: u8, rev: u8, inst: u8 },
    /// One out-of-scope entry (requests, health checks, INFO/DEBUG chatter).
    Noise(u8),
}

/// Number of noise kinds and their weights.
pub const NOISE_WEIGHTS: [u32; 6] = [38, 8, 28, 12, 6, 8];

/// One planned event. `t` is nanoseconds since the epoch of its first entry.
#[derive(Clone, Debug)]
pub struct Ev {
    pub t: i64,
    pub seed: u64,
    pub first_entry: u64,
    pub kind: Kind,
    /// Timestamps written with 9 fraction digits (else 6; then `t` and offsets are whole µs).
    pub nine: bool,
}

/// One entry of an event, before insertId and timestamps are added.
pub struct Out {
    pub off: i64,
    pub issue: Option<u8>,
    pub starts_event: bool,
    /// Severity as written, or as the text implies when no severity is written.
    pub sev: Sev,
    pub fields: Vec<(&'static str, V)>,
}

const VALUEERROR_TB: [&str; 7] = [
    "Traceback (most recent call last):",
    "  File \"/usr/local/lib/python3.11/site-packages/uvicorn/protocols/http/httptools_impl.py\", line 426, in run_asgi",
    "    result = await app(  # type: ignore[func-returns-value]",
    "  File \"/usr/local/lib/python3.11/site-packages/starlette/routing.py\", line 74, in app",
    "    response = await func(request)",
    "  File \"/app/netra_backend/app/routes/threads_route.py\", line 212, in get_thread_messages",
    "    limit = int(request.query_params.get(\"limit\", \"50\"))",
];

const WS_CLOSED_TB: [&str; 10] = [
    "Traceback (most recent call last):",
    "  File \"/app/netra_backend/app/websocket_core/heartbeat.py\", line 88, in _heartbeat_loop",
    "    await websocket.send_json({\"type\": \"ping\", \"ts\": time.time()})",
    "  File \"/usr/local/lib/python3.11/site-packages/starlette/websockets.py\", line 198, in send_json",
    "    await self.send({\"type\": \"websocket.send\", \"text\": text})",
    "  File \"/usr/local/lib/python3.11/site-packages/uvicorn/protocols/websockets/websockets_impl.py\", line 331, in asgi_send",
    "    await self.send(data)  # type: ignore[arg-type]",
    "  File \"/usr/local/lib/python3.11/site-packages/websockets/legacy/protocol.py\", line 635, in send",
    "    await self.ensure_open()",
    "websockets.exceptions.ConnectionClosedError: sent 1011 (internal error) keepalive ping timeout; no close frame received",
];

const LOGURU_TB: &str = "Traceback (most recent call last):\n  File \"/home/netra/.local/lib/python3.11/site-packages/loguru/_logger.py\", line 2008, in _log\n    handler.emit(log_record, level_id, from_decorator, raw, colored_message)\n  File \"/home/netra/.local/lib/python3.11/site-packages/loguru/_handler.py\", line 161, in emit\n    formatted = precomputed_format.format_map(formatter_record)\nKeyError: '\"timestamp\"'";

const BAD_LIMITS: [&str; 8] = ["undefined", "null", "NaN", "all", "{limit}", "ten", "", "1e3"];

const BROWSERS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:142.0) Gecko/20100101 Firefox/142.0",
    "python-httpx/0.27.2",
];

#[derive(Clone, Copy)]
enum Log {
    Stdout = 0,
    Stderr = 1,
    Requests = 2,
    System = 3,
}

/// One Cloud Run service: its two revisions and their instances.
pub struct Service {
    name: Rc<str>,
    revs: [Rc<str>; 2],
    /// When the newer revision takes the traffic.
    pub cutover: i64,
    /// Per revision: (start time, instanceId), by start time; the first is always up.
    pub instances: [Vec<(i64, Rc<str>)>; 2],
    url: String,
    port: u16,
}

/// Everything fixed for one dump.
pub struct Ctx {
    project: Rc<str>,
    logs: [Rc<str>; 4],
    trace_prefix: String,
    pub services: Vec<Service>,
}

/// Where an entry comes from.
struct Place {
    svc: usize,
    rev: usize,
    inst: Rc<str>,
}

impl Ctx {
    pub fn new(project: &str, start: i64, span: i64, rng: &mut Rng) -> Ctx {
        let logs = ["stdout", "stderr", "requests", "varlog%2Fsystem"]
            .map(|l| Rc::<str>::from(format!("projects/{project}/logs/run.googleapis.com%2F{l}")));
        let project_number = 100_000_000_000 + rng.below(900_000_000_000);
        let cut_fracs = [(0.30, 0.45), (0.45, 0.60), (0.60, 0.75)];
        let services = (0..3)
            .map(|s| {
                let name = SERVICE_NAMES[s];
                let num = 150 + rng.below(50);
                let revs = [num, num + 1].map(|n| {
                    let mut r = format!("{name}-{n:05}-");
                    rng.chars(3, b"abcdefghijklmnopqrstuvwxyz0123456789", &mut r);
                    Rc::<str>::from(r)
                });
                let (lo, hi) = cut_fracs[s];
                let cutover = start + ((lo + (hi - lo) * rng.unit()) * span as f64) as i64;
                let inst = |rng: &mut Rng| {
                    let mut id = String::from("00");
                    rng.hex(110, &mut id);
                    Rc::<str>::from(id)
                };
                let old_start =
                    start + ((0.05 + 0.2 * rng.unit()) * (cutover - start) as f64) as i64;
                let old = vec![(i64::MIN, inst(rng)), (old_start, inst(rng))];
                let mut new = vec![(cutover - 1_000_000_000 * rng.range(15, 40), inst(rng))];
                for (lo, hi) in [(0.02, 0.2), (0.15, 0.5)] {
                    let t = cutover
                        + ((lo + (hi - lo) * rng.unit()) * (start + span - cutover) as f64) as i64;
                    new.push((t, inst(rng)));
                }
                Service {
                    name: name.into(),
                    revs,
                    cutover,
                    instances: [old, new],
                    url: format!("https://{name}-{project_number}.us-central1.run.app"),
                    port: if s == FRONTEND { 3000 } else { 8080 },
                }
            })
            .collect();
        Ctx {
            project: project.into(),
            logs,
            trace_prefix: format!("projects/{project}/traces/"),
            services,
        }
    }

    /// Startup events of the instances that start inside the window.
    pub fn startups(&self, start: i64) -> Vec<(i64, Kind)> {
        let mut v = Vec::new();
        for (s, svc) in self.services.iter().enumerate() {
            for (r, insts) in svc.instances.iter().enumerate() {
                for (i, (t, _)) in insts.iter().enumerate() {
                    if *t >= start {
                        v.push((*t, Kind::Startup { svc: s as u8, rev: r as u8, inst: i as u8 }));
                    }
                }
            }
        }
        v
    }

    fn place(&self, svc: usize, t: i64, rng: &mut Rng) -> Place {
        let s = &self.services[svc];
        let rev = usize::from(t >= s.cutover);
        let up = s.instances[rev].iter().take_while(|(start, _)| *start <= t).count().max(1);
        let inst = s.instances[rev][rng.below(up as u64) as usize].1.clone();
        Place { svc, rev, inst }
    }

    fn base(
        &self,
        p: &Place,
        log: Log,
        python_logger: Option<&'static str>,
    ) -> Vec<(&'static str, V)> {
        let s = &self.services[p.svc];
        let mut labels = vec![("instanceId", V::R(p.inst.clone()))];
        if let Some(l) = python_logger {
            labels.push(("python_logger", V::St(l)));
        }
        let resource_labels = vec![
            ("configuration_name", V::R(s.name.clone())),
            ("location", V::St("us-central1")),
            ("project_id", V::R(self.project.clone())),
            ("revision_name", V::R(s.revs[p.rev].clone())),
            ("service_name", V::R(s.name.clone())),
        ];
        let mut f = Vec::with_capacity(12);
        f.push(("labels", V::O(labels)));
        f.push(("logName", V::R(self.logs[log as usize].clone())));
        f.push((
            "resource",
            V::O(vec![("labels", V::O(resource_labels)), ("type", V::St("cloud_run_revision"))]),
        ));
        f
    }

    fn trace(&self, rng: &mut Rng) -> (String, String) {
        let mut t = String::with_capacity(self.trace_prefix.len() + 32);
        t.push_str(&self.trace_prefix);
        rng.hex(32, &mut t);
        (t, rng.hex_string(16))
    }

    fn push_trace(f: &mut Vec<(&'static str, V)>, trace: &(String, String)) {
        f.push(("trace", V::S(trace.0.clone())));
        f.push(("spanId", V::S(trace.1.clone())));
        f.push(("traceSampled", V::B(true)));
    }

    /// Top-level severity: mostly the name, a few as the number (500), as some exports have.
    fn severity(rng: &mut Rng, sev: Sev) -> V {
        if rng.chance(0.04) {
            V::I(sev as i64)
        } else {
            V::St(sev.name())
        }
    }

    /// A structured Python log line (JSON on stdout, lifted by Cloud Run).
    #[allow(clippy::too_many_arguments)]
    fn py(
        &self,
        rng: &mut Rng,
        p: &Place,
        sev: Sev,
        logger: &'static str,
        message: String,
        extra: Vec<(&'static str, V)>,
        trace: Option<&(String, String)>,
        src: Option<(&'static str, &'static str, u32)>,
    ) -> Vec<(&'static str, V)> {
        let mut f = self.base(p, Log::Stdout, rng.chance(0.5).then_some(logger));
        let mut payload = Vec::with_capacity(extra.len() + 3);
        payload.push(("message", V::S(message)));
        payload.push(("logger", V::St(logger)));
        if p.svc == AUTH {
            payload.push(("level", V::St(sev.lower())));
        } else {
            payload.push(("severity", V::St(sev.name())));
        }
        payload.extend(extra);
        f.push(("jsonPayload", V::O(payload)));
        f.push(("severity", Self::severity(rng, sev)));
        if let Some(tr) = trace {
            Self::push_trace(&mut f, tr);
        }
        if let Some((file, function, line)) = src {
            if rng.chance(0.3) {
                f.push((
                    "sourceLocation",
                    V::O(vec![
                        ("file", V::St(file)),
                        ("function", V::St(function)),
                        ("line", V::S(line.to_string())),
                    ]),
                ));
            }
        }
        f
    }

    fn text(
        &self,
        p: &Place,
        log: Log,
        text: String,
        sev: Option<(Sev, &mut Rng)>,
    ) -> Vec<(&'static str, V)> {
        let mut f = self.base(p, log, None);
        f.push(("textPayload", V::S(text)));
        if let Some((sev, rng)) = sev {
            f.push(("severity", Self::severity(rng, sev)));
        }
        f
    }

    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        rng: &mut Rng,
        p: &Place,
        method: &'static str,
        path: &str,
        status: i64,
        user_agent: &'static str,
        latency_ns: i64,
    ) -> Vec<(&'static str, V)> {
        let mut f = self.base(p, Log::Requests, None);
        let sev = match status {
            500.. => Sev::Error,
            400.. => Sev::Warning,
            _ => Sev::Info,
        };
        let remote = if user_agent.starts_with("Google") {
            "35.191.12.195".to_string()
        } else {
            format!(
                "{}.{}.{}.{}",
                rng.range(24, 203),
                rng.range(0, 255),
                rng.range(0, 255),
                rng.range(1, 254)
            )
        };
        let mut http = vec![
            (
                "latency",
                V::S(format!("{}.{:09}s", latency_ns / 1_000_000_000, latency_ns % 1_000_000_000)),
            ),
            ("protocol", V::St("HTTP/1.1")),
            ("remoteIp", V::S(remote)),
            ("requestMethod", V::St(method)),
            ("requestUrl", V::S(format!("{}{}", self.services[p.svc].url, path))),
            (
                "responseSize",
                V::S(if status == 204 || status == 304 {
                    "0".into()
                } else {
                    rng.range(90, 48_000).to_string()
                }),
            ),
            ("serverIp", V::St("216.239.38.53")),
            ("status", V::I(status)),
            ("userAgent", V::St(user_agent)),
        ];
        if method == "POST" {
            http.push(("requestSize", V::S(rng.range(300, 9_000).to_string())));
        }
        f.push(("httpRequest", V::O(http)));
        f.push(("severity", V::St(sev.name())));
        let tr = self.trace(rng);
        Self::push_trace(&mut f, &tr);
        f
    }

    /// Offsets (ns from the event's time) of the entries of an event; strictly increasing, whole
    /// µs unless the event is written with 9 digits.
    pub fn offsets(kind: Kind, seed: u64) -> Vec<i64> {
        let mut rng = Rng::new(seed ^ 0x0ff5e7);
        let lines = match kind {
            Kind::Issue(TB_VALUEERROR) => VALUEERROR_TB.len() + 1,
            Kind::Issue(TB_WS_CLOSED) => WS_CLOSED_TB.len(),
            Kind::Burst => burst_parts(seed).len(),
            Kind::Startup { .. } => 5,
            _ => 1,
        };
        let mut offs = Vec::with_capacity(lines);
        let mut t = 0i64;
        for i in 0..lines {
            if i > 0 {
                t += match kind {
                    // Split traceback lines: 1-5 ms apart.
                    Kind::Issue(_) => rng.range(1_000_000, 5_000_000),
                    Kind::Burst => rng.range(8, 900) * 1000,
                    _ => rng.range(2_000_000, 600_000_000),
                };
            }
            offs.push(t);
        }
        offs
    }

    /// The entries of one event.
    pub fn materialize(&self, ev: &Ev) -> Vec<Out> {
        let offs = Self::offsets(ev.kind, ev.seed);
        let mut rng = Rng::new(ev.seed);
        match ev.kind {
            Kind::Issue(i) => self.issue(i, ev.t, &offs, &mut rng),
            Kind::Burst => {
                let p = self.place(BACKEND, ev.t, &mut rng);
                let tr = self.trace(&mut rng);
                let conn = format!("ws_{}", rng.hex_string(12));
                let user = format!("usr_{}", rng.hex_string(10));
                burst_parts(ev.seed)
                    .into_iter()
                    .zip(offs)
                    .map(|(i, off)| {
                        let (sev, fields) =
                            self.single(i, &p, Some(&tr), Some((&conn, &user)), &mut rng);
                        Out { off, issue: Some(i), starts_event: true, sev, fields }
                    })
                    .collect()
            }
            Kind::Startup { svc, rev, inst } => {
                self.startup(svc as usize, rev as usize, inst as usize, &offs, &mut rng)
            }
            Kind::Noise(k) => vec![self.noise(k, ev.t, &mut rng)],
        }
    }

    fn issue(&self, i: u8, t: i64, offs: &[i64], rng: &mut Rng) -> Vec<Out> {
        let svc = ISSUES[i as usize].service;
        let p = self.place(svc, t, rng);
        match i {
            TB_VALUEERROR | TB_WS_CLOSED => {
                let last = if i == TB_VALUEERROR {
                    let v = match rng.below(3) {
                        0 => (*rng.pick(&BAD_LIMITS)).to_string(),
                        1 => format!("{}px", rng.range(1, 500)),
                        _ => format!("{}.{}", rng.range(1, 200), rng.range(0, 99)),
                    };
                    Some(format!("ValueError: invalid literal for int() with base 10: '{v}'"))
                } else {
                    None
                };
                let lines: &[&str] =
                    if i == TB_VALUEERROR { &VALUEERROR_TB } else { &WS_CLOSED_TB };
                let mut texts: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                texts.extend(last);
                texts
                    .into_iter()
                    .zip(offs)
                    .enumerate()
                    .map(|(n, (text, &off))| Out {
                        off,
                        issue: Some(i),
                        starts_event: n == 0,
                        sev: Sev::Error,
                        fields: self.text(&p, Log::Stderr, text, None),
                    })
                    .collect()
            }
            _ => {
                let trace = rng.chance(0.6).then(|| self.trace(rng));
                let (sev, fields) = self.single(i, &p, trace.as_ref(), None, rng);
                vec![Out { off: 0, issue: Some(i), starts_event: true, sev, fields }]
            }
        }
    }

    /// One single-entry occurrence of issue `i`. `conn` = (connection id, user id) in bursts.
    ///
    /// Long on purpose: one match arm per planted issue, each the entry as the service writes
    /// it; a table reads better in one place than split across functions.
    fn single(
        &self,
        i: u8,
        p: &Place,
        trace: Option<&(String, String)>,
        conn: Option<(&str, &str)>,
        rng: &mut Rng,
    ) -> (Sev, Vec<(&'static str, V)>) {
        let ws_ctx = |rng: &mut Rng| -> Vec<(&'static str, V)> {
            let (c, u) = match conn {
                Some((c, u)) => (c.to_string(), u.to_string()),
                None => {
                    (format!("ws_{}", rng.hex_string(12)), format!("usr_{}", rng.hex_string(10)))
                }
            };
            vec![("connection_id", V::S(c)), ("user_id", V::S(u))]
        };
        let ip10 = |rng: &mut Rng| {
            format!("10.{}.{}.{}", rng.range(0, 255), rng.range(0, 255), rng.range(2, 254))
        };
        match i {
            SESSION => {
                let path = *rng.pick(&["/api/threads", "/api/agents/run", "/api/user/profile", "/ws", "/api/messages"]);
                let extra = vec![("request_path", V::St(path)), ("request_id", V::S(rng.uuid()))];
                (
                    Sev::Warning,
                    self.py(
                        rng,
                        p,
                        Sev::Warning,
                        "netra_backend.app.middleware.gcp_auth_context_middleware",
                        "Failed to extract auth=REDACTED SessionMiddleware must be installed to access request.session".into(),
                        extra,
                        trace,
                        Some(("/app/netra_backend/app/middleware/gcp_auth_context_middleware.py", "_extract_auth_context", 142)),
                    ),
                )
            }
            AGENT_BRIDGE | WS_MANAGER | SERVER_MSG | ERROR_MSG => {
                let (msg, err, logger, src) = match i {
                    AGENT_BRIDGE => (
                        "Agent handler setup failed: No module named 'netra_backend.app.agents.agent_websocket_bridge'",
                        "ModuleNotFoundError: No module named 'netra_backend.app.agents.agent_websocket_bridge'",
                        "netra_backend.app.routes.websocket",
                        ("/app/netra_backend/app/routes/websocket.py", "_setup_agent_handlers", 318),
                    ),
                    WS_MANAGER => (
                        "WebSocket manager creation failed: object UnifiedWebSocketManager can't be used in 'await' expression",
                        "TypeError: object UnifiedWebSocketManager can't be used in 'await' expression",
                        "netra_backend.app.routes.websocket",
                        ("/app/netra_backend/app/routes/websocket.py", "websocket_endpoint", 274),
                    ),
                    SERVER_MSG => (
                        "Connection error: create_server_message() missing 1 required positional argument: 'data'",
                        "TypeError: create_server_message() missing 1 required positional argument: 'data'",
                        "netra_backend.app.websocket_core.handlers",
                        ("/app/netra_backend/app/websocket_core/handlers.py", "handle_connection", 96),
                    ),
                    _ => (
                        "Error during cleanup: create_error_message() missing 1 required positional argument: 'error_message'",
                        "TypeError: create_error_message() missing 1 required positional argument: 'error_message'",
                        "netra_backend.app.websocket_core.handlers",
                        ("/app/netra_backend/app/websocket_core/handlers.py", "cleanup_connection", 131),
                    ),
                };
                let mut extra = vec![("error", V::St(err))];
                extra.extend(ws_ctx(rng));
                let mut f = self.py(rng, p, Sev::Error, logger, msg.into(), extra, trace, Some(src));
                if i == AGENT_BRIDGE && rng.chance(0.4) {
                    f.push(("errorGroups", V::A(vec![V::O(vec![("id", V::St("CPjN1c7x5uGq6QE"))])])));
                }
                (Sev::Error, f)
            }
            REQUEST_ID => {
                let msg = format!(
                    "request_id 'defensive_auth_{}' has invalid format. Expected UUID or UnifiedIDManager structured format.",
                    rng.hex_string(12)
                );
                let mut extra = ws_ctx(rng);
                extra.truncate(if conn.is_some() { 2 } else { 0 });
                let f = self.py(
                    rng,
                    p,
                    Sev::Warning,
                    "netra_backend.app.core.unified_id_manager",
                    msg,
                    extra,
                    trace,
                    Some(("/app/netra_backend/app/core/unified_id_manager.py", "validate_request_id", 411)),
                );
                (Sev::Warning, f)
            }
            REDIS_DEGRADED => (
                Sev::Warning,
                self.py(
                    rng,
                    p,
                    Sev::Warning,
                    "netra_backend.app.websocket_core.gcp_initialization_validator",
                    "Redis readiness: GRACEFUL DEGRADATION - Exception 'bool' object is not callable in staging, allowing basic functionality for user chat value".into(),
                    vec![("check", V::St("redis")), ("environment", V::St("staging"))],
                    trace,
                    None,
                ),
            ),
            REDIS_REFUSED | POSTGRES_REFUSED => {
                let attempt = rng.range(1, 5);
                let sev = if attempt == 5 { Sev::Error } else { Sev::Warning };
                let (what, port, logger) = if i == REDIS_REFUSED {
                    ("Redis", 6379, "netra_backend.app.redis_manager")
                } else {
                    ("Postgres", 5432, "netra_backend.app.db.postgres_core")
                };
                let msg = format!("Failed to connect to {what} at {}:{port}: Connection refused (attempt {attempt})", ip10(rng));
                let extra = vec![("retry_in_seconds", V::I(1 << attempt.min(4)))];
                (sev, self.py(rng, p, sev, logger, msg, extra, trace, None))
            }
            LOGURU_KEYERROR => {
                let mut f = self.text(p, Log::Stderr, LOGURU_TB.to_string(), Some((Sev::Error, rng)));
                f.push(("errorGroups", V::A(vec![V::O(vec![("id", V::St("CO6xtZfxmMf4zAE"))])])));
                (Sev::Error, f)
            }
            HTTP_503 => {
                let path = format!("/api/threads/{}/messages", rng.uuid());
                let ua = *rng.pick(&BROWSERS);
                let lat = rng.range(50_000_000, 60_000_000_000);
                (Sev::Error, self.request(rng, p, "POST", &path, 503, ua, lat))
            }
            HTTP_500 => {
                let path = format!("/api/agents/agt_{}/status", rng.hex_string(12));
                let ua = *rng.pick(&BROWSERS);
                let lat = rng.range(3_000_000, 2_500_000_000);
                (Sev::Error, self.request(rng, p, "GET", &path, 500, ua, lat))
            }
            TEXT_ERROR => {
                let msg = format!(
                    "ERROR:    JWKS refresh failed: timed out after {}.{:02}s fetching https://www.googleapis.com/oauth2/v3/certs",
                    rng.range(5, 12),
                    rng.range(0, 99)
                );
                (Sev::Error, self.text(p, Log::Stderr, msg, None))
            }
            TEXT_WARNING => {
                let msg = format!(
                    "[WARNING] Slow query detected ({} ms): SELECT id, role, content, created_at FROM messages WHERE thread_id = $1 ORDER BY created_at DESC LIMIT 50",
                    rng.range(1_200, 9_800)
                );
                (Sev::Warning, self.text(p, Log::Stdout, msg, None))
            }
            LOGFMT_ERROR => {
                let msg = format!(
                    "level=error msg=\"upstream request failed\" upstream=netra-backend-staging path=/api/threads/{} status=502 duration={}.{:03}s",
                    rng.uuid(),
                    rng.range(0, 30),
                    rng.range(0, 999)
                );
                (Sev::Error, self.text(p, Log::Stderr, msg, None))
            }
            JSON_LEVEL_WARNING => {
                let mut f = self.base(p, Log::Stdout, None);
                let payload = vec![
                    ("component", V::St("AuthProvider")),
                    ("level", V::St("warning")),
                    ("message", V::S(format!("Session refresh took {}ms, exceeding the 3000ms budget", rng.range(3_001, 9_999)))),
                    ("pid", V::I(rng.range(20, 40))),
                    ("route", V::S(format!("/chat/{}", rng.uuid()))),
                ];
                f.push(("jsonPayload", V::O(payload)));
                (Sev::Warning, f)
            }
            SECRET_JWT => {
                let user = format!("usr_{}", rng.hex_string(10));
                let iat = 1_757_500_000 + rng.range(0, 100_000);
                let claims = format!(
                    "{{\"sub\":\"{user}\",\"email\":\"{user}@netrasystems.ai\",\"iat\":{iat},\"exp\":{},\"iss\":\"netra-auth-service\"}}",
                    iat + 900
                );
                let mut sig = Vec::with_capacity(32);
                for _ in 0..4 {
                    sig.extend_from_slice(&rng.next_u64().to_le_bytes());
                }
                let jwt = format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}", base64url(claims.as_bytes()), base64url(&sig));
                let msg = format!("Token validation failed: Signature has expired for token {jwt}");
                let f = self.py(
                    rng,
                    p,
                    Sev::Warning,
                    "auth_service.auth_core.core.jwt_handler",
                    msg,
                    vec![("user_id", V::S(user))],
                    trace,
                    Some(("/app/auth_service/auth_core/core/jwt_handler.py", "validate_token", 203)),
                );
                (Sev::Warning, f)
            }
            SECRET_DSN => {
                let extra = vec![("pool_size", V::I(rng.range(5, 20))), ("attempt", V::I(rng.range(1, 3)))];
                let mut f = self.py(
                    rng,
                    p,
                    Sev::Error,
                    "netra_backend.app.db.database_manager",
                    "Failed to initialize database engine for postgresql://app:hunter2@10.0.0.3/db: FATAL: password authentication failed for user \"app\"".into(),
                    extra,
                    trace,
                    None,
                );
                f.push(("errorGroups", V::A(vec![V::O(vec![("id", V::St("CLe0xKqK4tCAaw"))])])));
                (Sev::Error, f)
            }
            SECRET_API_KEY => {
                let mut key = String::from("AIzaSy");
                rng.chars(33, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", &mut key);
                let msg = format!(
                    "LLM request failed: 403 Forbidden for url https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent?api_key={key}"
                );
                let extra = vec![("model", V::St("gemini-2.5-pro")), ("run_id", V::S(format!("run_{}", rng.hex_string(12))))];
                (Sev::Error, self.py(rng, p, Sev::Error, "netra_backend.app.llm.llm_manager", msg, extra, trace, None))
            }
            STEP_BUDGET => {
                let msg = format!(
                    "Agent run run_{} exceeded the 30s step budget (took {}s); answering with partial results",
                    rng.hex_string(12),
                    rng.range(31, 95)
                );
                let extra = vec![("agent", V::St("supervisor")), ("step_budget_seconds", V::I(30))];
                let logger = "netra_backend.app.agents.supervisor.execution_engine";
                (Sev::Warning, self.py(rng, p, Sev::Warning, logger, msg, extra, trace, None))
            }
            _ => unreachable!("issue {i} is not a single-entry issue"),
        }
    }

    fn startup(
        &self,
        svc: usize,
        rev: usize,
        inst: usize,
        offs: &[i64],
        rng: &mut Rng,
    ) -> Vec<Out> {
        let p = Place { svc, rev, inst: self.services[svc].instances[rev][inst].1.clone() };
        let s = &self.services[svc];
        let probe = format!(
            "Default STARTUP TCP probe succeeded after 1 attempt for container \"{}-1\" on port {}.",
            s.name, s.port
        );
        let lines: Vec<(Log, String)> = if svc == FRONTEND {
            vec![
                (Log::Stdout, "  \u{25b2} Next.js 14.2.5".into()),
                (Log::Stdout, "  - Local:        http://localhost:3000".into()),
                (Log::Stdout, " \u{2713} Starting...".into()),
                (Log::Stdout, format!(" \u{2713} Ready in {}ms", rng.range(180, 900))),
                (Log::System, probe),
            ]
        } else {
            vec![
                (Log::Stderr, "INFO:     Started server process [1]".into()),
                (Log::Stderr, "INFO:     Waiting for application startup.".into()),
                (Log::Stderr, "INFO:     Application startup complete.".into()),
                (
                    Log::Stderr,
                    format!(
                        "INFO:     Uvicorn running on http://0.0.0.0:{} (Press CTRL+C to quit)",
                        s.port
                    ),
                ),
                (Log::System, probe),
            ]
        };
        lines
            .into_iter()
            .zip(offs)
            .map(|((log, text), &off)| {
                let system = matches!(log, Log::System);
                let fields = self.text(&p, log, text, system.then_some((Sev::Info, &mut *rng)));
                Out {
                    off,
                    issue: None,
                    starts_event: true,
                    sev: if system { Sev::Info } else { Sev::Default },
                    fields,
                }
            })
            .collect()
    }

    /// One entry of background noise of kind `k`. Long on purpose: one match arm per kind of
    /// ordinary line, a table.
    fn noise(&self, k: u8, t: i64, rng: &mut Rng) -> Out {
        let svc = match k {
            0 => [BACKEND, BACKEND, FRONTEND, FRONTEND, AUTH][rng.below(5) as usize],
            1 => rng.below(3) as usize,
            2 | 3 => [BACKEND, BACKEND, AUTH][rng.below(3) as usize],
            4 => FRONTEND,
            _ => [BACKEND, AUTH][rng.below(2) as usize],
        };
        let p = self.place(svc, t, rng);
        let (sev, fields) = match k {
            0 => {
                let ua = *rng.pick(&BROWSERS);
                let (method, path, status) = match svc {
                    BACKEND => match rng.below(4) {
                        0 => ("GET", "/api/threads".to_string(), 200),
                        1 => ("GET", format!("/api/threads/{}/messages", rng.uuid()), 200),
                        2 => ("POST", format!("/api/threads/{}/messages", rng.uuid()), 200),
                        _ => ("DELETE", format!("/api/threads/{}", rng.uuid()), 204),
                    },
                    AUTH => match rng.below(2) {
                        0 => ("POST", "/auth/token".to_string(), 200),
                        _ => ("GET", "/auth/verify".to_string(), 204),
                    },
                    _ => match rng.below(3) {
                        0 => ("GET", format!("/chat/{}", rng.uuid()), 200),
                        1 => {
                            ("GET", format!("/_next/static/chunks/{}.js", rng.hex_string(16)), 304)
                        }
                        _ => ("GET", "/".to_string(), 200),
                    },
                };
                let lat = rng.range(2_000_000, 900_000_000);
                (Sev::Info, self.request(rng, &p, method, &path, status, ua, lat))
            }
            1 => {
                let lat = rng.range(400_000, 9_000_000);
                let ua =
                    "GoogleStackdriverMonitoring-UptimeChecks(https://cloud.google.com/monitoring)";
                (Sev::Info, self.request(rng, &p, "GET", "/health", 200, ua, lat))
            }
            2 => {
                let (logger, msg) = if svc == AUTH {
                    match rng.below(2) {
                        0 => (
                            "auth_service.routes.auth_routes",
                            format!(
                                "Token issued for user usr_{} (expires_in=900)",
                                rng.hex_string(10)
                            ),
                        ),
                        _ => (
                            "auth_service.auth_core.oauth",
                            format!(
                                "OAuth callback completed for provider google in {} ms",
                                rng.range(80, 900)
                            ),
                        ),
                    }
                } else {
                    match rng.below(3) {
                        0 => (
                            "netra_backend.app.routes.websocket",
                            format!(
                                "WebSocket connection established for user usr_{}",
                                rng.hex_string(10)
                            ),
                        ),
                        1 => (
                            "netra_backend.app.services.thread_service",
                            format!(
                                "Thread {} loaded with {} messages",
                                rng.uuid(),
                                rng.range(0, 240)
                            ),
                        ),
                        _ => (
                            "netra_backend.app.agents.supervisor",
                            format!(
                                "Agent supervisor completed run run_{} in {}.{:02}s",
                                rng.hex_string(12),
                                rng.range(0, 40),
                                rng.range(0, 99)
                            ),
                        ),
                    }
                };
                let trace = rng.chance(0.5).then(|| self.trace(rng));
                (Sev::Info, self.py(rng, &p, Sev::Info, logger, msg, vec![], trace.as_ref(), None))
            }
            3 => {
                let (logger, msg) = if rng.chance(0.5) {
                    (
                        "netra_backend.app.cache.redis_cache",
                        format!(
                            "Cache hit for key thread:{}:messages (ttl={}s)",
                            rng.uuid(),
                            rng.range(1, 3600)
                        ),
                    )
                } else {
                    (
                        "netra_backend.app.websocket_core.heartbeat",
                        format!(
                            "Heartbeat ok for connection ws_{} (rtt={}ms)",
                            rng.hex_string(12),
                            rng.range(1, 250)
                        ),
                    )
                };
                (Sev::Debug, self.py(rng, &p, Sev::Debug, logger, msg, vec![], None, None))
            }
            4 => {
                let msg = format!(" GET /chat/{} 200 in {}ms", rng.uuid(), rng.range(12, 800));
                (Sev::Default, self.text(&p, Log::Stdout, msg, None))
            }
            _ => {
                let path = *rng.pick(&["/health", "/api/threads", "/ready"]);
                let msg = format!(
                    "INFO:     169.254.{}.{}:{} - \"GET {path} HTTP/1.1\" 200 OK",
                    rng.range(0, 9),
                    rng.range(1, 254),
                    rng.range(30_000, 60_000)
                );
                (Sev::Default, self.text(&p, Log::Stderr, msg, None))
            }
        };
        Out { off: 0, issue: None, starts_event: true, sev, fields }
    }
}

/// Which issues a burst contains (the ws-manager failure always; the others most of the time).
pub fn burst_parts(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ 0xb0257);
    let probs = [0.8, 1.0, 0.85, 0.9, 0.7];
    BURST_ORDER.iter().zip(probs).filter(|(_, p)| rng.chance(*p)).map(|(i, _)| *i).collect()
}
