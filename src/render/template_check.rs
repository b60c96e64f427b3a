//! Checks a template against the report model when it is loaded, before anything is read: every
//! name it looks up (`issue.owner`, `changes.new`, a loop variable's fields) must be in the model,
//! in every branch, taken or not. A mistake is reported with the template file, the line and the
//! name, and the fields that would have been right.
//!
//! The model's shape comes from [`super::probe`] (every field present). Names the check cannot
//! type (a `set` from a filter's result, a macro's arguments, a method's result) are not
//! checked; only the certain mistakes are reported.
//!
//! It walks minijinja's syntax tree (its `unstable_machinery` API, pinned to one version in
//! Cargo.toml for that reason).

use minijinja::machinery::ast::{self, CallArg, Expr, Stmt};
use minijinja::machinery::Span;
use serde_json::Value;
use std::collections::HashMap;

/// Names a template may use besides the model's: minijinja's globals and loop helpers.
const GLOBALS: &[&str] = &[
    "loop",
    "range",
    "dict",
    "namespace",
    "debug",
    "caller",
    "varargs",
    "kwargs",
    "self",
    "super",
    "cycler",
    "joiner",
    "lipsum",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
];

/// Checks `source` (the template `name`) against the model: the first mistake as
/// "NAME:LINE: message".
pub(crate) fn check(
    name: &str,
    source: &str,
    syntax: minijinja::syntax::SyntaxConfig,
) -> Result<(), String> {
    let tree = minijinja::machinery::parse(source, name, syntax).map_err(|e| located(name, &e))?;
    let schema = serde_json::to_value(super::probe::report()).expect("the probe serializes");
    let mut checker = Checker { schema: &schema, scopes: vec![HashMap::new()], error: None };
    checker.stmt(&tree);
    match checker.error {
        Some((span, message)) => Err(format!("{name}:{}: {message}", span.start_line)),
        None => Ok(()),
    }
}

/// A minijinja error as "NAME:LINE: what".
pub(crate) fn located(name: &str, e: &minijinja::Error) -> String {
    let line = e.line().map_or(String::new(), |l| format!(":{l}"));
    let what = e.detail().map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
    let name = e.name().unwrap_or(name);
    match (e.template_source(), e.range()) {
        // minijinja's own detail names the expression when it can.
        _ if what.contains('`') => format!("{name}{line}: {what}"),
        (Some(src), Some(r)) if r.end <= src.len() => {
            format!("{name}{line}: {what} (in `{}`)", src[r].trim())
        }
        _ => format!("{name}{line}: {what}"),
    }
}

/// What is known of a name: the model's shape below it, or nothing (a local of unknown type).
type Shape<'s> = Option<&'s Value>;

struct Checker<'s> {
    schema: &'s Value,
    /// Local names, innermost last.
    scopes: Vec<HashMap<String, Shape<'s>>>,
    /// The first mistake found.
    error: Option<(Span, String)>,
}

impl<'s> Checker<'s> {
    fn fail(&mut self, span: Span, message: String) {
        if self.error.is_none() {
            self.error = Some((span, message));
        }
    }

    fn bind(&mut self, target: &Expr, shape: Shape<'s>) {
        match target {
            Expr::Var(v) => {
                let scope = self.scopes.last_mut().expect("there is always a scope");
                scope.insert(v.id.to_string(), shape);
            }
            Expr::Tuple(t) => t.items.iter().for_each(|x| self.bind(x, None)),
            Expr::List(l) => l.items.iter().for_each(|x| self.bind(x, None)),
            _ => {}
        }
    }

    fn scoped(&mut self, work: impl FnOnce(&mut Self)) {
        self.scopes.push(HashMap::new());
        work(self);
        self.scopes.pop();
    }

    fn stmts(&mut self, body: &[Stmt]) {
        body.iter().for_each(|s| self.stmt(s));
    }

    /// One statement. Every kind minijinja parses is walked; the ones that bind names bind
    /// them (loop targets get the element's shape).
    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Template(t) => self.stmts(&t.children),
            Stmt::EmitExpr(e) => {
                self.expr(&e.expr);
            }
            Stmt::EmitRaw(_) | Stmt::Continue(_) | Stmt::Break(_) => {}
            Stmt::ForLoop(f) => {
                let element = self.expr(&f.iter).and_then(|v| v.as_array()?.first());
                self.scoped(|c| {
                    c.bind(&f.target, element);
                    if let Some(e) = &f.filter_expr {
                        c.expr(e);
                    }
                    c.stmts(&f.body);
                });
                self.stmts(&f.else_body);
            }
            Stmt::IfCond(i) => {
                self.expr(&i.expr);
                self.stmts(&i.true_body);
                self.stmts(&i.false_body);
            }
            Stmt::WithBlock(w) => self.scoped(|c| {
                for (target, e) in &w.assignments {
                    let shape = c.expr(e);
                    c.bind(target, shape);
                }
                c.stmts(&w.body);
            }),
            Stmt::Set(s) => {
                let shape = self.expr(&s.expr);
                self.bind(&s.target, shape);
            }
            Stmt::SetBlock(s) => {
                self.bind(&s.target, None);
                if let Some(f) = &s.filter {
                    self.expr(f);
                }
                self.stmts(&s.body);
            }
            Stmt::AutoEscape(a) => {
                self.expr(&a.enabled);
                self.stmts(&a.body);
            }
            Stmt::FilterBlock(f) => {
                self.expr(&f.filter);
                self.stmts(&f.body);
            }
            Stmt::Block(b) => self.stmts(&b.body),
            Stmt::Extends(e) => {
                self.expr(&e.name);
            }
            Stmt::Include(i) => {
                self.expr(&i.name);
            }
            Stmt::Import(i) => {
                self.expr(&i.expr);
                self.bind(&i.name, None);
            }
            Stmt::FromImport(i) => {
                self.expr(&i.expr);
                for (name, alias) in &i.names {
                    self.bind(alias.as_ref().unwrap_or(name), None);
                }
            }
            Stmt::Macro(m) => self.macro_decl(m),
            Stmt::CallBlock(c) => {
                self.call(&c.call);
                self.macro_decl(&c.macro_decl);
            }
            Stmt::Do(d) => self.call(&d.call),
        }
    }

    fn macro_decl(&mut self, m: &ast::Macro) {
        self.bind(&Expr::Var(ast::Spanned::new(ast::Var { id: m.name }, Span::default())), None);
        m.defaults.iter().for_each(|d| {
            self.expr(d);
        });
        self.scoped(|c| {
            m.args.iter().for_each(|a| c.bind(a, None));
            c.stmts(&m.body);
        });
    }

    fn call(&mut self, call: &ast::Call) {
        match &call.expr {
            // A method (`x.items()`): its object is checked, not the method's name.
            Expr::GetAttr(g) => {
                self.expr(&g.expr);
            }
            other => {
                self.expr(other);
            }
        }
        self.args(&call.args);
    }

    fn args(&mut self, args: &[CallArg]) {
        for a in args {
            match a {
                CallArg::Pos(e)
                | CallArg::Kwarg(_, e)
                | CallArg::PosSplat(e)
                | CallArg::KwargSplat(e) => {
                    self.expr(e);
                }
            }
        }
    }

    /// Checks an expression and returns the model's shape of its value, where known. Over 80
    /// lines: one arm per kind of expression minijinja parses, so none is forgotten.
    fn expr(&mut self, e: &Expr) -> Shape<'s> {
        match e {
            Expr::Var(v) => self.var(v.id, v.span()),
            Expr::GetAttr(g) => {
                let owner = self.expr(&g.expr);
                self.attr(owner, &g.expr, g.name, g.span())
            }
            Expr::GetItem(g) => {
                let owner = self.expr(&g.expr);
                self.expr(&g.subscript_expr);
                match (owner, &g.subscript_expr) {
                    (Some(Value::Array(a)), _) => a.first(),
                    (Some(Value::Object(_)), Expr::Const(c)) => match c.value.as_str() {
                        Some(key) => self.attr(owner, &g.expr, key, g.span()),
                        None => None,
                    },
                    _ => None,
                }
            }
            Expr::Slice(s) => {
                let shape = self.expr(&s.expr);
                for part in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                    self.expr(part);
                }
                shape
            }
            Expr::Filter(f) => {
                let input = f.expr.as_ref().and_then(|x| self.expr(x));
                self.args(&f.args);
                filtered(f.name, input)
            }
            Expr::Test(t) => {
                self.expr(&t.expr);
                self.args(&t.args);
                None
            }
            Expr::Call(c) => {
                self.call(c);
                None
            }
            Expr::UnaryOp(u) => {
                self.expr(&u.expr);
                None
            }
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
                None
            }
            Expr::Compare(c) => {
                self.expr(&c.expr);
                c.ops.iter().for_each(|o| {
                    self.expr(&o.expr);
                });
                None
            }
            Expr::IfExpr(i) => {
                self.expr(&i.test_expr);
                let shape = self.expr(&i.true_expr);
                if let Some(f) = &i.false_expr {
                    self.expr(f);
                }
                shape
            }
            Expr::List(l) => {
                l.items.iter().for_each(|x| {
                    self.expr(x);
                });
                None
            }
            Expr::Tuple(t) => {
                t.items.iter().for_each(|x| {
                    self.expr(x);
                });
                None
            }
            Expr::Map(m) => {
                m.keys.iter().chain(&m.values).for_each(|x| {
                    self.expr(x);
                });
                None
            }
            Expr::Const(_) => None,
        }
    }

    fn var(&mut self, id: &str, span: Span) -> Shape<'s> {
        for scope in self.scopes.iter().rev() {
            if let Some(shape) = scope.get(id) {
                return *shape;
            }
        }
        if let Some(v) = self.schema.get(id) {
            return Some(v);
        }
        if !GLOBALS.contains(&id) {
            let known: Vec<&String> =
                self.schema.as_object().map(|o| o.keys().collect()).unwrap_or_default();
            self.fail(
                span,
                format!(
                    "`{id}` is not in the report model (its top-level names: {})",
                    known.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        None
    }

    /// `owner.name`: an error when `owner` is a model object without that field.
    fn attr(&mut self, owner: Shape<'s>, owner_expr: &Expr, name: &str, span: Span) -> Shape<'s> {
        let Some(Value::Object(fields)) = owner else { return None };
        if let Some(v) = fields.get(name) {
            return Some(v);
        }
        let path = format!("{}.{name}", describe(owner_expr));
        let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
        names.sort_unstable();
        self.fail(
            span,
            format!(
                "`{path}` is not in the report model ({} has: {})",
                describe(owner_expr),
                names.join(", ")
            ),
        );
        None
    }
}

/// The shape of a filter's result, where it keeps its input's (sorting, selecting, slicing,
/// defaults) or takes one element of it.
fn filtered<'s>(name: &str, input: Shape<'s>) -> Shape<'s> {
    match name {
        "sort" | "reverse" | "unique" | "list" | "select" | "reject" | "selectattr"
        | "rejectattr" | "default" | "d" | "safe" => input,
        "first" | "last" | "min" | "max" => input.and_then(|v| v.as_array()?.first()),
        _ => None,
    }
}

/// A dotted name for messages (`issue.owner`), or "the value" for anything else.
fn describe(e: &Expr) -> String {
    match e {
        Expr::Var(v) => v.id.to_string(),
        Expr::GetAttr(g) => format!("{}.{}", describe(&g.expr), g.name),
        Expr::GetItem(g) => format!("{}[]", describe(&g.expr)),
        Expr::Slice(s) => describe(&s.expr),
        Expr::Filter(f) => f.expr.as_ref().map_or_else(|| "the value".to_string(), describe),
        _ => "the value".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> Result<(), String> {
        check("t.j2", source, Default::default())
    }

    #[test]
    fn names_missing_from_the_model_are_found_in_every_branch() {
        assert_eq!(
            run("{{ title }}{% for issue in issues %}{{ issue.owner }}{% endfor %}"),
            Ok(())
        );
        let err = run(
            "a\n{% if false %}{% for issue in issues %}\n{{ issue.ownr }}{% endfor %}{% endif %}",
        )
        .unwrap_err();
        assert!(
            err.starts_with("t.j2:3: `issue.ownr` is not in the report model (issue has: "),
            "{err}"
        );
        assert!(err.contains("owner"), "{err}");
        let err = run("{{ isues | length }}").unwrap_err();
        assert!(err.starts_with("t.j2:1: `isues` is not in the report model"), "{err}");
        let err = run(
            "{% for g in priorities %}{% for i in g.issues %}{{ i.titel }}{% endfor %}{% endfor %}",
        )
        .unwrap_err();
        assert!(err.contains("`i.titel`"), "{err}");
        let err = run("{{ changes.baseline_window.startt }}").unwrap_err();
        assert!(err.contains("changes.baseline_window.startt"), "{err}");
    }

    #[test]
    fn what_cannot_be_typed_is_not_reported() {
        let ok =
            "{% set n = issues | length %}{{ n.whatever }}{% macro m(x) %}{{ x.y }}{% endmacro %}\
                  {% for k, v in totals | items %}{{ v }}{% endfor %}{{ loop_free }}";
        let err = run(ok).unwrap_err();
        assert!(err.contains("loop_free"), "unknown top-level names still fail: {err}");
        let ok = "{% set n = issues | length %}{{ n.whatever }}{% macro m(x) %}{{ x.y }}{% endmacro %}\
                  {% for k, v in totals | items %}{{ v }}{% endfor %}{% for i in issues[:3] | sort(attribute='count') %}{{ i.count }}{% endfor %}";
        assert_eq!(run(ok), Ok(()));
        assert!(run("{% for i in issues[:3] %}{{ i.cont }}{% endfor %}").is_err());
    }

    #[test]
    fn syntax_errors_name_the_file_and_line() {
        let err = run("a\n{% if %}").unwrap_err();
        assert!(err.starts_with("t.j2:2: syntax error"), "{err}");
    }
}
