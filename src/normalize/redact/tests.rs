//! Unit tests of redaction: every kind in many message shapes, key classification, false
//! positives that must stay untouched, idempotence, and user rules.
use super::cards::is_card;
use super::*;

/// The default redactor on `text`.
fn redact(text: &str) -> Cow<'_, str> {
    default_redactor().redact(text)
}

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4Q1W4y\nq8Ws0J4s9XKlfZ6yqe7vJ0dWq3Zb4PiJ1fM\n-----END RSA PRIVATE KEY-----";
const PEM_BODY: &str = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4Q1W4y";

fn marker(kind: &str) -> String {
    format!("<redacted:{kind}>")
}

/// Redacts, checks the secret is gone, the kind label is there, and a second pass is a no-op.
#[track_caller]
fn check(msg: &str, secret: &str, kind: &str) {
    let out = redact(msg);
    assert!(!out.contains(secret), "secret {secret:?} survived in {out:?} (input {msg:?})");
    assert!(out.contains(&marker(kind)), "expected {} in {out:?} (input {msg:?})", marker(kind));
    let again = redact(&out);
    assert_eq!(again, out, "not idempotent for input {msg:?}");
    assert!(matches!(again, Cow::Borrowed(_)), "second pass allocated for {out:?}");
}

#[track_caller]
fn unchanged(msg: &str) {
    unchanged_by(default_redactor(), msg);
}

#[track_caller]
fn unchanged_by(r: &Redactor, msg: &str) {
    let out = r.redact(msg);
    assert_eq!(out, msg, "false positive");
    assert!(matches!(out, Cow::Borrowed(_)));
}

/// Secrets recognisable by their own shape, whatever surrounds them.
fn shaped_secrets() -> Vec<(String, &'static str)> {
    let s = |x: &str| x.to_string();
    vec![
        (s(JWT), "jwt"),
        (s("ya29.a0AfH6SMBx3kZ9qL_example-token_ABCdef123456"), "oauth_token"),
        (s("1//0gLq3xYz-AbCdEfGhIjKlMnOpQrStUvWxYz0123"), "oauth_token"),
        (s("AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"), "google_api_key"),
        (s("AKIAIOSFODNN7EXAMPLE"), "aws_access_key"),
        (s("ASIAY34FZKBOKMUTVV7A"), "aws_access_key"),
        (s("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), "github"),
        (s("gho_16C7e42F292c6912E7710c838347Ae178B4a"), "github"),
        (s("ghu_16C7e42F292c6912E7710c838347Ae178B4a"), "github"),
        (s("ghs_16C7e42F292c6912E7710c838347Ae178B4a"), "github"),
        (s("ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c3"), "github"),
        (s("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV"), "github"),
        (s("glpat-xY7z_Ab3CdEfGh1JkLmN"), "gitlab"),
        (s("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"), "slack"),
        (s("xoxp-123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef"), "slack"),
        (s("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), "stripe"),
        (s("rk_live_51H8abcDEFghiJKLmnoPQRstu"), "stripe"),
        (s("npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), "npm"),
        (s("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"), "google_client_secret"),
        (s("SKbe2192d302d6ba94a433b39b02c99869"), "twilio"),
        (s("shpat_0123456789abcdef0123456789ABCDEF"), "shopify"),
        (s("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"), "shopify"),
        (s("hf_aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH"), "huggingface"),
        (s("sk_prod_4eC39HqLyjWDarjtT1zdp7dc"), "stripe"),
        (s("jane.doe+alerts@example.co.uk"), "email"),
        (s("4111 1111 1111 1111"), "card_number"),
        (s("5555-5555-5555-4444"), "card_number"),
        (s("378282246310005"), "card_number"),
        (s("3782 822463 10005"), "card_number"),
        (s("6011111111111117"), "card_number"),
        (s("4012888888881881"), "card_number"),
    ]
}

fn shapes() -> Vec<&'static str> {
    vec![
        "{}",
        "login failed for {} after 3 retries",
        "2024-01-15T10:00:00.123Z ERROR worker-7 value={} status=403",
        r#"{"user": "u-42", "value": "{}", "ok": false}"#,
        r#"{\"value\": \"{}\"}"#,
        "{'value': '{}', 'attempt': 2}",
        "GET https://api.example.com/v1/items?q={}&page=2 HTTP/1.1",
        "X-Custom-Header: {}",
        "payload=({})",
        "multi\nline\n{}\nend",
    ]
}

#[test]
fn corpus_shaped_secrets_in_every_shape() {
    let mut n = 0;
    for (secret, kind) in shaped_secrets() {
        for shape in shapes() {
            check(&shape.replace("{}", &secret), &secret, kind);
            n += 1;
        }
    }
    assert!(n > 200);
}

#[test]
fn corpus_key_values() {
    let keys = [
        ("password", "password"),
        ("passwd", "password"),
        ("pwd", "password"),
        ("DB_PASSWORD", "password"),
        ("userPassword", "password"),
        ("secret", "secret"),
        ("webhook_secret", "secret"),
        ("token", "token"),
        ("githubToken", "token"),
        ("auth", "auth"),
        ("api_key", "api_key"),
        ("apikey", "api_key"),
        ("apiKey", "api_key"),
        ("x-api-key", "api_key"),
        ("access_token", "access_token"),
        ("refresh_token", "refresh_token"),
        ("id_token", "id_token"),
        ("client_secret", "client_secret"),
        ("clientSecret", "client_secret"),
        ("aws_secret_access_key", "aws_secret_key"),
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_key"),
        ("SecretAccessKey", "aws_secret_key"),
        ("session", "session"),
        ("sessionid", "session"),
        ("credentials", "credentials"),
        ("private_key", "private_key"),
        ("password_confirmation", "password"),
        ("password2", "password"),
        ("PASSWORD_CONFIRMATION", "password"),
        ("secret_key_base", "secret"),
    ];
    let forms = [
        "{k}={v}",
        "{k}: {v}",
        "{k} = {v}",
        "config {k}={v} loaded",
        r#""{k}": "{v}""#,
        r#"{"user":"bob","{k}":"{v}","retry":true}"#,
        "{'{k}': '{v}', 'user': 'bob'}",
        "{'{k}': b'{v}'}",
        "{k}='{v}'",
        r#"{k}="{v}""#,
        r#"{\"{k}\": \"{v}\"}"#,
        "https://svc.example.com/cb?state=abc&{k}={v}&next=1",
        "--{k}={v}",
        "--{k} {v}",
        "Settings(host='db', {k}={v})",
        "{k} => \"{v}\"",
        "env: {k}={v}; other=1",
    ];
    let mut n = 0;
    for (k, kind) in keys {
        assert!(is_sensitive_key(k), "{k}");
        for f in forms {
            for v in ["Zq7xK2mPw9vL", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"] {
                let msg = f.replace("{k}", k).replace("{v}", v);
                check(&msg, v, kind);
                assert!(redact(&msg).contains(k), "key {k} must be kept: {msg}");
                n += 1;
            }
        }
    }
    assert!(n > 500);
}

#[test]
fn quoted_values_with_special_characters_are_redacted_whole() {
    for v in ["p@ss w0rd;&,x", "Tr0ub4dor&3", "a'b", "x\"y", "back\\slash"] {
        let dq = format!(r#"{{"password": "{}"}}"#, v.replace('\\', "\\\\").replace('"', "\\\""));
        let out = redact(&dq);
        assert_eq!(out, r#"{"password": "<redacted:password>"}"#, "{dq}");
    }
    check("{'password': 'p@ss w0rd;&,x'}", "w0rd", "password");
    check("password='Tr0ub4dor&3' user=bob", "Tr0ub4dor", "password");
    assert_eq!(redact("Cfg(password=abc)"), "Cfg(password=<redacted:password>)");
    assert_eq!(redact("password=pa(ss)word"), "password=<redacted:password>");
}

#[test]
fn password_keys_redact_even_plain_words() {
    assert_eq!(redact("password: hunter"), "password: <redacted:password>");
    assert_eq!(redact("token=expired"), "token=<redacted:token>");
    assert_eq!(redact("pwd=x"), "pwd=<redacted:password>");
    assert_eq!(redact("{'token': 'abc'}"), "{'token': '<redacted:token>'}");
}

#[test]
fn prose_after_a_flag_or_a_colon_is_not_a_value() {
    for msg in [
        "Use --cookies-from-browser or --cookies for the authentication.",
        "use --cookies for the authentication",
        "pass --token with the value from the console",
        "see --auth-token and --api-key in the docs",
        "--session Expired",
        "--token NONE given",
        "--credentials re-read from disk",
        "auth: 12 sessions refreshed for tenant acme",
        "token: expired, please log in again",
        "Session: Closed by peer",
        "auth: authentication-required",
    ] {
        unchanged(msg);
    }
    // Values that look like values still go, and so do plain-word passwords.
    check("--cookies cookies-2025.txt", "cookies-2025.txt", "cookie");
    check("--token abc123def", "abc123def", "token");
    check("--token AbcDefGhiJ", "AbcDefGhiJ", "token");
    check("--token 'for'", "'for'", "token");
    check("--password for", "for", "password");
    check("--secret the", "the", "secret");
    check("auth: 12345678", "12345678", "auth");
    check("token: abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz", "token");
    assert_eq!(redact("token=expired"), "token=<redacted:token>");
}

#[test]
fn headers() {
    check(
        "Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543",
        "8f14e45fceea167a5a36dedd4bea2543",
        "bearer",
    );
    assert_eq!(
        redact("Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543"),
        "Authorization: Bearer <redacted:bearer>"
    );
    assert_eq!(
        redact(&format!("Authorization: Bearer {JWT}")),
        "Authorization: Bearer <redacted:jwt>"
    );
    check("authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy", "basic");
    check(
        "sent Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== upstream",
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ",
        "basic",
    );
    check("curl -H 'Authorization: Bearer abc.def-ghi_123' https://x", "abc.def-ghi_123", "bearer");
    let digest =
        r#"Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1""#;
    check(digest, "6629fae49393a05397450978507c4ef1", "authorization");
    check(
        "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "authorization",
    );
    let cookie = "Cookie: sessionid=abc123def456; csrftoken=xyz789qwe\r\nHost: example.com";
    let out = redact(cookie);
    assert_eq!(out, "Cookie: <redacted:cookie>\r\nHost: example.com");
    check(
        "Set-Cookie: sid=31d4d96e407aad42; Path=/; Secure; HttpOnly",
        "31d4d96e407aad42",
        "cookie",
    );
    check(
        r#"{"headers": {"Cookie": "a=1; sid=31d4d96e407aad42", "Host": "x"}}"#,
        "31d4d96e407aad42",
        "cookie",
    );
    check(
        r#"{"headers": {"Authorization": "Bearer tok_9f8e7d6c5b4a3210"}}"#,
        "tok_9f8e7d6c5b4a3210",
        "bearer",
    );
    assert_eq!(
        redact(r#"["Host: a", "Cookie: sid=31d4d96e407aad42; theme=dark", "Accept: */*"]"#),
        r#"["Host: a", "Cookie: <redacted:cookie>", "Accept: */*"]"#
    );
    assert_eq!(
        redact(r#"{"raw": "GET / HTTP/1.1\r\nCookie: sid=31d4d96e407aad42\r\nHost: x"}"#),
        r#"{"raw": "GET / HTTP/1.1\r\nCookie: <redacted:cookie>\r\nHost: x"}"#
    );
    check(
        "x-api-key: 0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef",
        "api_key",
    );
    check("headers={'X-Api-Key': 'k-77ab19'}", "k-77ab19", "api_key");
}

#[test]
fn url_passwords_keep_user_and_host() {
    assert_eq!(
        redact("connecting to postgresql://user:pw@host/db"),
        "connecting to postgresql://user:<redacted:password>@host/db"
    );
    assert_eq!(
        redact("https://u:p@h.example.com/x"),
        "https://u:<redacted:password>@h.example.com/x"
    );
    check(
        "DATABASE_URL=postgresql://app:S3cr3t!pass@db.internal:5432/prod",
        "S3cr3t!pass",
        "password",
    );
    check("redis://:hunter2@cache:6379/0", "hunter2", "password");
    check("mongodb+srv://admin:p@ss@cluster0.mongodb.net/test", "p@ss", "password");
    check("jdbc:mysql://root:toor123@10.0.0.5:3306/app", "toor123", "password");
    check(r#"{"dsn": "amqp://guest:guest42@rabbit:5672/"}"#, "guest42", "password");
}

#[test]
fn private_keys() {
    check(&format!("loaded key {PEM} ok"), PEM_BODY, "private_key");
    let escaped = PEM.replace('\n', "\\n");
    check(
        &format!(
            r#"{{"type": "service_account", "private_key": "{escaped}\n", "client_email": "x"}}"#
        ),
        PEM_BODY,
        "private_key",
    );
    check(
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
        "MIIEvQIBADANBgkqhkiG9w0BAQEF",
        "private_key",
    );
    check("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA", "private_key");
    check(
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----",
        "MHcCAQEEIBkg",
        "private_key",
    );
}

#[test]
fn specific_kind_wins_over_key_kind() {
    assert_eq!(redact(&format!("auth={JWT}")), "auth=<redacted:jwt>");
    assert_eq!(
        redact(r#"{"token": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"}"#),
        r#"{"token": "<redacted:github>"}"#
    );
    assert_eq!(redact("contact=jane@example.com"), "contact=<redacted:email>");
}

#[test]
fn sql_and_misc() {
    check("CREATE USER app IDENTIFIED BY 'Sup3rS3cret'", "Sup3rS3cret", "password");
    check("ALTER ROLE app WITH LOGIN PASSWORD 'Sup3rS3cret'", "Sup3rS3cret", "password");
    check(
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "XXXXXXXXXXXXXXXXXXXXXXXX",
        "slack",
    );
    check(
        "openai key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "openai",
    );
    check(
        "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "sendgrid",
    );
}

#[test]
fn false_positives_stay_unchanged() {
    for msg in [
        "request 550e8400-e29b-41d4-a716-446655440000 completed in 12ms",
        "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
        "request_id 'defensive_auth_1a2b3c' took 1.234s",
        // HDFS block ids: 19 digits after `_-`, about one in ten passes the Luhn check.
        "Receiving block blk_-6952295868487656571 src: /<redacted:ip>:57069",
        "2024-01-15T10:23:45.123456Z GET /api/v1/users/123 200 OK in 45ms",
        "2024-01-15 10:23:45,123 INFO order 1234567890123 shipped",
        "order 4111 1111 1111 1112 failed validation",
        "invoice 5555555555554443 and ref 1705312345678 and ns 1705312345678901234",
        "ImportError: cannot import name 'auth_token_validator' from 'app.auth'",
        "SessionMiddleware raised RuntimeError while handling request",
        "prompt_tokens=1234 completion_tokens=56 total_tokens=1290 max_tokens: 4096",
        "token_count=17 token_type=bearer auth_type: oauth2 session_timeout=30m",
        "cache key=user:42:profile hit ratio 0.93",
        "auth: login failed for user; session: expired",
        "Access denied for user 'app'@'localhost' (using password: YES)",
        "invalid bearer token: signature mismatch",
        "Basic authentication failed for realm api",
        "password reset email sent; passwords rotated: 3",
        "user lookup by email failed: not found",
        "loaded icon@2x.png and @app.route('/x') decorator, npm i left-pad@1.3.0",
        "duration=1.5s p99=230ms bytes=1048576 status=503",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
        "version 1.2.3-rc.4 build 20240115.1234",
        "pi is 3.14159265358979323846",
        "already <redacted:jwt> and <redacted:password> here",
        "File \"/app/auth/views.py\", line 42, in login",
        "GET https://example.com:8443/a/b?page=2&sort=asc",
        "AKIAIOSFODNN7EXAMPL is too short",
        "",
        "ok",
    ] {
        unchanged(msg);
    }
}

#[test]
fn ip_addresses() {
    let ip = marker("ip");
    for (msg, want) in [
        ("connect to 10.0.0.12:5432 from 192.168.1.1", "connect to {ip}:5432 from {ip}"),
        (
            "db pool: connection to [10.11.1.12]:3306 reset",
            "db pool: connection to [{ip}]:3306 reset",
        ),
        ("Receiving block src: /10.251.42.84:57069", "Receiving block src: /{ip}:57069"),
        (
            "Failed password for root from 173.234.31.186 port 38926 ssh2",
            "Failed password for root from {ip} port 38926 ssh2",
        ),
        (
            r#"{"remoteIp":"203.0.113.57","serverIp":"216.239.32.53"}"#,
            r#"{"remoteIp":"{ip}","serverIp":"{ip}"}"#,
        ),
        ("src_ip=10.8.0.3 dest_ip=10.8.1.7 proto=6", "src_ip={ip} dest_ip={ip} proto=6"),
        (
            "X-Forwarded-For: 203.0.113.7, 70.41.3.18, 150.172.238.178",
            "X-Forwarded-For: {ip}, {ip}, {ip}",
        ),
        ("Access denied for user 'app'@'10.0.0.3'", "Access denied for user 'app'@'{ip}'"),
        ("GET /hosts/10.0.0.1 and http://10.0.0.5/x", "GET /hosts/{ip} and http://{ip}/x"),
        ("client 2001:db8:85a3::8a2e:370:7334 port 443", "client {ip} port 443"),
        ("peer [2001:db8::1]:443 and fe80::1ff:fe23:4567:890a", "peer [{ip}]:443 and {ip}"),
        ("mapped ::ffff:10.0.0.1 here", "mapped {ip} here"),
        ("full 2001:0db8:0000:0000:0000:ff00:0042:8329.", "full {ip}."),
        ("range 10.0.0.1-10.0.0.9", "range {ip}-{ip}"),
        ("host:10.0.0.1 and \\\\10.0.0.2\\share", "host:{ip} and \\\\{ip}\\share"),
        // A host name that starts with the address carries it: the whole name goes.
        (
            "connection from 62.99.164.82 (62.99.164.82.sh.example.at) at",
            "connection from {ip} ({ip}) at",
        ),
    ] {
        let want = want.replace("{ip}", &ip);
        assert_eq!(redact(msg), want, "{msg}");
        assert_eq!(redact(&want), want, "idempotent: {want}");
    }
}

#[test]
fn not_ip_addresses() {
    for msg in [
        "sync client v1.2.3.4 connected, protocol 7",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
        "version 1.2.3.4 and version: 10.0.19041.1 and build 4.3.2.1",
        "package app-1.2.3.4 and 1.2.3.4-beta",
        "OID 1.3.6.1.4.1.311.21.8 and 1.2.3 and 2.81s",
        "listening on 0.0.0.0:8080 and 127.0.0.1:9000 and [::1]:80 and [::]:443",
        "netmask 255.255.255.0, metadata 169.254.169.254",
        "at 2025-10-14T09:15:03.119204Z after 00:02:11 (started 2025-10-14 09:12:52,004)",
        "mac 00:1a:2b:3c:4d:5e and std::vector<int> and Foo::bar and dead::beef",
        "trace 6c1f0e9a4b2d4e7f8a9b0c1d2e3f4a5b span 00f067aa0ba902b7",
        "999.1.1.1 is not an address",
        "package: Package_for_KB2884101~31bf3856ad364e35~amd64~~6.3.1.4, ApplicableState: 112",
        "time 2005-06-03-15.42.50.363779 and a.1.2.3.4 and 1.2.3.4.5",
    ] {
        unchanged(msg);
    }
}

#[test]
fn the_rules_file_can_keep_ip_addresses() {
    let keep = RedactOptions { keep_ip_addresses: true };
    let r = Redactor::new(&[], &keep).unwrap();
    unchanged_by(&r, "connect to 10.0.0.12:5432 and 2001:db8::1 port 443 from 192.168.1.1");
    assert_eq!(
        r.redact("ip 10.0.0.1 password=hunter2"),
        "ip 10.0.0.1 password=<redacted:password>"
    );
}

#[test]
fn aws_secret_keys_beside_their_access_key_id() {
    let secret = "a0cNAGWxcohkru0qimafxWzaZd5TT4gZReYhrRHc";
    for msg in [
        format!("SignatureDoesNotMatch for key AKIAMYWXIDD43MI62U7Y / {secret}"),
        format!("creds AKIAMYWXIDD43MI62U7Y:{secret}"),
        format!(r#"{{"id": "ASIAY34FZKBOKMUTVV7A", "key": "{secret}"}}"#),
        format!("{secret} belongs to AKIAMYWXIDD43MI62U7Y"),
    ] {
        check(&msg, secret, "aws_secret_key");
        check(&msg, "MYWXIDD43MI62U7Y", "aws_access_key");
    }
    // Without an access key id, or not shaped like one: left alone.
    unchanged(&format!("uploaded {secret} ok"));
    let kept = redact(
        "key AKIAMYWXIDD43MI62U7Y commit 9fceb02d0ae598e95dc970b74767f19372d61af8 \
         path /var/lib/app/data/uploads/2025/10/14/report \
         blob aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQK",
    );
    assert_eq!(kept.matches("<redacted:").count(), 1, "{kept}");
}

#[test]
fn secrets_named_in_prose() {
    check(
        "sms: falling back to Twilio auth token d3eaae3e8f39c2f6ec298962f34f0114 for alerts",
        "d3eaae3e8f39c2f6ec298962f34f0114",
        "token",
    );
    check("using api key 7f9c2ba4e88f827d61604550760585b3.", "7f9c2ba4e88f827d6160", "api_key");
    check("client secret Xk2_9dLm-Qp4Rt7vWz1Y in env", "Xk2_9dLm-Qp4Rt7vWz1Y", "client_secret");
    for msg in [
        "ratelimit: token bucket refilled, 120 tokens available for tenant acme",
        "config: loaded secret stripe-webhook-key (version 7) from Secret Manager",
        "mailer: password reset email sent to user 4471",
        "token expired at 2025-10-14T09:15:03.119204Z",
        "secret rotation-2025-10-14-weekly scheduled",
        "refreshing token aaaaaaaaaaaaaaaa1 now",
    ] {
        unchanged(msg);
    }
}

#[test]
fn phone_numbers() {
    let phone = marker("phone");
    for (msg, want) in [
        ("notify: SMS to +12025550142 failed", "notify: SMS to {p} failed"),
        ("callback requested at (202) 555-0187 could not", "callback requested at {p} could not"),
        ("voice call to +44 7700 900461 not answered", "voice call to {p} not answered"),
        ("call +4412345678901 now", "call {p} now"),
        (
            r#"{"To": "+14155550123", "From": "+1 (415) 555-0100"}"#,
            r#"{"To": "{p}", "From": "{p}"}"#,
        ),
        ("customer phone: 415-555-0123.", "customer phone: {p}."),
        ("please call 415.555.0123 or text 415 555 0124", "please call {p} or text {p}"),
        ("+33 6 12 34 56 78 and +49-30-901820", "{p} and {p}"),
    ] {
        let want = want.replace("{p}", &phone);
        assert_eq!(redact(msg), want, "{msg}");
        assert_eq!(redact(&want), want, "idempotent: {want}");
    }
    for msg in [
        "order ORD-2025-10-14-4471 references SKU-2372-D (qty 3)",
        "order 415-555-0123 shipped",
        "ts 2025-10-14 09:12:52,004 offset +0100 tz +05:30 and 1e+10",
        "took +1234567890ms and +1.5 and +12345",
        "ns +1705312345678901234 and x+12025550142",
        "maintenance: instance_id 4471928374650192837 scheduled",
        "(202) 555-01870 and (202)555-0187x",
        "blk_-6952295868487656571 and 2024-01-15T10:23:45.123456Z",
    ] {
        unchanged(msg);
    }
}

#[test]
fn connection_strings_and_signed_urls() {
    let key =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    let conn = format!(
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={key};EndpointSuffix=core.windows.net"
    );
    assert_eq!(
        redact(&conn),
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<redacted:azure_storage_key>;EndpointSuffix=core.windows.net"
    );
    check(
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=q1w2e3r4t5y6u7i8o9p0AbCdEfGhIjKlMnOpQrStUv=",
        "q1w2e3r4t5y6u7i8o9p0",
        "azure_storage_key",
    );
    check("Server=db;Database=app;User Id=sa;Password=S3cr3t!pass;", "S3cr3t!pass", "password");
    check("PGPASSWORD=hunter2hunter2 psql -h db", "hunter2hunter2", "password");
    check(
        "GET https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=5d9a1c2b3e4f5a6b7c8d9e0f1a2b3c4d5e6f&x=1",
        "5d9a1c2b3e4f5a6b7c8d9e0f1a2b3c4d5e6f",
        "url_signature",
    );
    check(
        "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA%3D%3D",
        "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA",
        "url_signature",
    );
}

#[test]
fn luhn_decides_cards() {
    assert!(is_card(b"4111111111111111"));
    assert!(!is_card(b"4111111111111112"));
    assert!(!is_card(b"1234567890123452")); // Luhn-valid but not a card network prefix
    assert_eq!(redact("pay 4111-1111-1111-1111."), "pay <redacted:card_number>.");
    assert_eq!(redact("qty 2 4111 1111 1111 1111 ok"), "qty 2 <redacted:card_number> ok");
    unchanged("ids 4111111111111112 5105105105105101x");
}

#[test]
fn extra_patterns_from_new() {
    let r = Redactor::new(
        &[
            ("employee_id".into(), r"EMP-\d{6}".into()),
            ("Internal Ticket".into(), r"ticket=(T\d+)".into()),
        ],
        &RedactOptions::default(),
    )
    .unwrap();
    assert_eq!(r.redact("user EMP-123456 logged in"), "user <redacted:employee_id> logged in");
    assert_eq!(r.redact("ticket=T998 opened"), "ticket=<redacted:internal_ticket> opened");
    let out = r.redact("EMP-123456 password=x1y2z3 ticket=T1");
    assert_eq!(
        out,
        "<redacted:employee_id> password=<redacted:password> ticket=<redacted:internal_ticket>"
    );
    assert_eq!(r.redact(&out), out);
    // Built-ins still work, and the default redactor knows nothing of user rules.
    assert_eq!(r.redact(&format!("t={JWT}")), "t=<redacted:jwt>");
    unchanged("user EMP-123456 logged in");
    assert!(Redactor::new(&[("bad".into(), "(".into())], &RedactOptions::default()).is_err());
}

#[test]
fn idempotent_on_redacted_output_and_borrowed_when_clean() {
    let msg = format!(
        "user=jane@example.com password=hunter2 url=postgresql://a:b@h/db Authorization: Bearer {JWT}\n\
         card 4111111111111111 key AKIAIOSFODNN7EXAMPLE {{'secret': 'x9'}}"
    );
    let once = redact(&msg).into_owned();
    assert_ne!(once, msg);
    assert_eq!(redact(&once), once);
    assert!(matches!(redact("plain message with nothing to hide"), Cow::Borrowed(_)));
    assert!(matches!(redact(&once), Cow::Borrowed(_)));
}

#[test]
fn sensitive_keys() {
    for k in [
        "password",
        "PASSWORD",
        "passwd",
        "pwd",
        "secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth",
        "authorization",
        "Authorization",
        "api_key",
        "apikey",
        "x-api-key",
        "X-API-KEY",
        "cookie",
        "set-cookie",
        "Set-Cookie",
        "session",
        "client_secret",
        "private_key",
        "credentials",
        "db-password",
        "accessToken",
        "AWS_SECRET_ACCESS_KEY",
        "proxy-authorization",
        "api-key",
        "password1",
        "password2",
        "password_confirmation",
        "newPassword",
        "secret_value",
        "PHPSESSID",
        "csrf_token",
    ] {
        assert!(is_sensitive_key(k), "{k} should be sensitive");
    }
    for k in [
        "auth_token_validator",
        "SessionMiddleware",
        "prompt_tokens",
        "token_count",
        "token_type",
        "user",
        "request_id",
        "key",
        "cache_key",
        "author",
        "passwordless",
        "secretary",
        "session_timeout",
        "private_key_id",
        "email",
        "auth_type",
        "value",
        "new",
        "password_reset_url",
        "token_expiry",
    ] {
        assert!(!is_sensitive_key(k), "{k} should not be sensitive");
    }
}

/// Throughput on typical messages; run with
/// `cargo test --release -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput() {
    let clean = [
        "2024-01-15T10:23:45.123Z GET /api/v1/users/12345/orders?page=2 200 45ms ua=\"Mozilla/5.0\"",
        "Traceback (most recent call last):\n  File \"/app/handlers/checkout.py\", line 214, in process\n    result = client.charge(order_id=order.id, amount=total)\nTimeoutError: upstream timed out after 30.0s",
        "{\"event\": \"cache_miss\", \"key\": \"user:42:profile\", \"latency_ms\": 12.5, \"region\": \"europe-west1\"}",
        "Worker 7 finished job 550e8400-e29b-41d4-a716-446655440000 in 1.234s (rows=10432, retries=0)",
        "Connection to 10.12.0.5:5432 refused; retrying in 500ms (attempt 3/5) trace=4bf92f3577b34da6a3ce929d0e0e4736",
        "INFO  [org.hibernate.engine] HHH000400: Using dialect: org.hibernate.dialect.PostgreSQLDialect",
    ];
    let dirty = [
        "POST /oauth/token 200 client_id=web access_token=ya29.a0AfH6SMBx3kZ9qL_example-token_ABCdef123456 expires_in=3599",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "{\"user\": \"jane.doe@example.com\", \"password\": \"hunter2\", \"remember\": true}",
        "db connect postgresql://app:S3cr3t@db.internal:5432/prod failed: timeout after 5s",
        "payment declined for card 4111 1111 1111 1111 (code 51)",
        "{'api_key': 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', 'region': 'us-central1'}",
    ];
    for (name, set) in [("clean", &clean[..]), ("with secrets", &dirty[..])] {
        let msgs: Vec<String> =
            (0..20_000).map(|i| format!("{} #{i}", set[i % set.len()])).collect();
        let bytes: usize = msgs.iter().map(|m| m.len()).sum();
        let mut best = f64::MAX;
        let mut changed = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            changed = msgs.iter().filter(|m| matches!(redact(m), Cow::Owned(_))).count();
            best = best.min(t.elapsed().as_secs_f64());
        }
        eprintln!(
            "{name}: {:.1} MB in {:.1} ms -> {:.0} MB/s ({changed}/{} messages changed)",
            bytes as f64 / 1e6,
            best * 1e3,
            bytes as f64 / 1e6 / best,
            msgs.len()
        );
    }
}

/// Pieces that look like what the newer rules take (addresses, phones, prose keys, paired AWS
/// keys, connection strings), glued in any order with random text: redaction stays idempotent.
/// `REDACT_CASES=100000 cargo test --lib idempotent_on_pieces` runs more.
#[test]
fn idempotent_on_pieces() {
    use proptest::prelude::*;
    let piece = prop_oneof![
        Just("10.11.1.12"),
        Just("[2001:db8::1]:443"),
        Just("::ffff:10.0.0.1"),
        Just("fe80::1"),
        Just("Chrome/141.0.0.0"),
        Just("62.99.164.82.sh.example.at"),
        Just("+44 7700 900461"),
        Just("+12025550142"),
        Just("(202) 555-0187"),
        Just("call 415-555-0123"),
        Just("AKIAMYWXIDD43MI62U7Y"),
        Just("a0cNAGWxcohkru0qimafxWzaZd5TT4gZReYhrRHc"),
        Just("auth token "),
        Just("d3eaae3e8f39c2f6ec298962f34f0114"),
        Just("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"),
        Just("SKbe2192d302d6ba94a433b39b02c99869"),
        Just("AccountKey="),
        Just("&sig="),
        Just("--cookies "),
        Just("auth: "),
        Just("password="),
        Just("<redacted:ip>"),
        Just("<redacted:"),
        Just("for"),
        Just("12"),
    ];
    let text = prop::collection::vec(
        prop_oneof![piece.prop_map(str::to_string), "[ =:;,&\"'\n<>@/+()\\[\\]a-zA-Z0-9_.-]{0,10}"],
        0..8,
    )
    .prop_map(|p| p.concat());
    let cases = std::env::var("REDACT_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
    runner
        .run(&text, |t| {
            let once = redact(&t).into_owned();
            prop_assert_eq!(redact(&once), once.clone(), "input {:?}", t);
            Ok(())
        })
        .unwrap();
}
