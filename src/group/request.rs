//! Request logs: grouped by status, method and route, with the ids in the path masked
//! (`/api/threads/<*>/messages`), so one failing endpoint is one issue whatever ids it served.

use crate::normalize::record::Request;

/// `HTTP 503 POST /api/threads/<*>/messages`, and what the proxy in front said of it where it
/// did: `HTTP 502 POST /api/checkout (failed_to_connect_to_backend)`. A load balancer's 502 that
/// it could not connect and one that the backend sent are two problems.
pub(crate) fn template(req: &Request) -> String {
    let route = route(&req.path);
    match req.detail.as_str() {
        "" => format!("HTTP {} {} {route}", req.status, req.method),
        detail => format!("HTTP {} {} {route} ({detail})", req.status, req.method),
    }
}

/// The path with every segment that looks like an id replaced by `<*>`.
pub(crate) fn route(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    segments.iter().map(|s| mask_segment(s)).collect::<Vec<_>>().join("/")
}

/// An id segment becomes `<*>`; in a file name each dot-separated part is judged on its own, so
/// hashed assets (`a45f737d707c8173.js`, `app.9f3c2.css`) are one route per kind of file.
fn mask_segment(s: &str) -> String {
    if is_id_segment(s) {
        return "<*>".to_string();
    }
    if s.contains('.') {
        return s
            .split('.')
            .map(|p| if is_id_segment(p) { "<*>" } else { p })
            .collect::<Vec<_>>()
            .join(".");
    }
    s.to_string()
}

/// Numbers, UUIDs, hex, and tokens that mix letters with digits, or are long and unreadable.
fn is_id_segment(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let alpha = s.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits == s.len() {
        return true;
    }
    let hexlike = s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if hexlike && s.len() >= 8 && digits > 0 {
        return true;
    }
    if digits > 0 && alpha > 0 && !s.contains('.') {
        // v1, v2beta are versions, not ids.
        let is_version =
            s.len() <= 8 && s.starts_with('v') && s[1..2].bytes().all(|b| b.is_ascii_digit());
        return !is_version;
    }
    s.len() >= 24 && !s.contains('-') && !s.contains('_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_masked_words_kept() {
        assert_eq!(
            route("/api/threads/7f9c0c1e-8a31-4bd2-9a77-0c5c8f1e2d3a/messages"),
            "/api/threads/<*>/messages"
        );
        assert_eq!(route("/api/agents/12345/status"), "/api/agents/<*>/status");
        assert_eq!(route("/api/v1/users/u8f3k2/profile"), "/api/v1/users/<*>/profile");
        assert_eq!(route("/health"), "/health");
        assert_eq!(route("/static/app.9f3c2.js"), "/static/app.<*>.js");
        assert_eq!(
            route("/_next/static/chunks/a45f737d707c8173.js"),
            "/_next/static/chunks/<*>.js"
        );
        assert_eq!(route("/favicon.ico"), "/favicon.ico");
        assert_eq!(route("/"), "/");
    }
}
