//! Browser security headers on every answer: pages, letter previews, the API and errors alike.
//!
//! - `Content-Security-Policy`, chosen by what the answer is:
//!   - a page (HTML from `templates/ui/` or `/api/docs`): nothing loads from elsewhere, and
//!     the only inline scripts and styles that run are the static ones of the page templates,
//!     allowed by their SHA-256 (computed at start from the embedded templates and the
//!     operator's overrides). A `<script>` or `<style>` whose text depends on data is never
//!     allowed: data goes into `data-` attributes instead. A `style="…"` attribute is allowed
//!     by the hash of its value (`'unsafe-hashes'`), so an injected one does not apply;
//!   - an issued letter or a letter preview (HTML under `/api/v1/…/letters/`): no script at
//!     all; its print stylesheet (which depends on the letter) and its embedded logo and QR
//!     code (`data:` images) are allowed;
//!   - anything else (JSON, PDF, files): `default-src 'none'`, so nothing it might contain runs;
//!   - on every answer, `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for older
//!     browsers): no page can be framed by another site;
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin`;
//! - `Cache-Control: no-store` on every answer to a signed-in request (session cookie or
//!   bearer token) and on every answer that sets a cookie, so a shared computer's cache or a
//!   proxy never keeps what one person saw.

use crate::auth::SESSION_COOKIE;
use crate::ui::Pages;
use actix_web::Error;
use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

/// What inline code the pages carry, found in their templates.
#[derive(Debug, Default)]
pub struct InlineCode {
    scripts: BTreeSet<String>,
    styles: BTreeSet<String>,
    style_attributes: BTreeSet<String>,
    /// Inline blocks whose text depends on data: they cannot be allowed by hash, so they would
    /// not run. Reported at start.
    pub dynamic: Vec<String>,
}

/// `'sha256-…'` of a text, as CSP wants it.
pub fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

impl InlineCode {
    /// Collects the inline `<script>` and `<style>` blocks and `style` attributes of one
    /// template (or one page's fixed HTML).
    pub fn add(&mut self, name: &str, source: &str) {
        for (tag, set) in [("script", &mut self.scripts), ("style", &mut self.styles)] {
            let open = format!("<{tag}");
            let close = format!("</{tag}>");
            let mut rest = source;
            while let Some(start) = rest.find(&open) {
                let after = &rest[start + open.len()..];
                // `<styles>` or `<scripting>` are other tags.
                if !after.starts_with(['>', ' ', '\n', '\t']) {
                    rest = after;
                    continue;
                }
                let Some(gt) = after.find('>') else { break };
                let attributes = &after[..gt];
                let body = &after[gt + 1..];
                let Some(end) = body.find(&close) else { break };
                let text = &body[..end];
                if attributes.contains("src=") {
                    // An external script is governed by the policy's sources, not by a hash.
                } else if text.contains("{{") {
                    self.dynamic
                        .push(format!("{name}: <{tag}> with template data"));
                } else {
                    set.insert(hash_source(text));
                }
                rest = &body[end + close.len()..];
            }
        }
        let mut rest = source;
        while let Some(at) = rest.find(" style=\"") {
            let value = &rest[at + 8..];
            let Some(end) = value.find('"') else { break };
            let text = &value[..end];
            if text.contains("{{") {
                self.dynamic
                    .push(format!("{name}: style=\"…\" with template data"));
            } else {
                self.style_attributes.insert(hash_source(text));
            }
            rest = &value[end + 1..];
        }
    }

    /// The inline code of the page templates as the server renders them (the operator's
    /// overrides included), and of the API docs page.
    pub fn of_pages(pages: &Pages) -> InlineCode {
        let mut code = InlineCode::default();
        for (name, source) in pages.sources() {
            code.add(name, source);
        }
        code.add("/api/docs", crate::openapi::DOCS_STYLE);
        code
    }

    /// The policy of the pages.
    pub fn page_policy(&self) -> String {
        let join = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(" ");
        let scripts = if self.scripts.is_empty() {
            "'none'".to_string()
        } else {
            join(&self.scripts)
        };
        let mut styles = join(&self.styles);
        if !self.style_attributes.is_empty() {
            styles = format!("{styles} 'unsafe-hashes' {}", join(&self.style_attributes));
        }
        let styles = if styles.trim().is_empty() {
            "'none'".to_string()
        } else {
            styles.trim().to_string()
        };
        format!(
            "default-src 'none'; script-src {scripts}; style-src {styles}; img-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    }
}

/// A letter: no script; its own print stylesheet and `data:` images (logo, QR code).
const LETTER_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Anything that is not a page: nothing runs, nothing loads, nothing frames it.
const OTHER_POLICY: &str = "default-src 'none'; form-action 'none'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The headers of an answer, given what was asked and what is answered.
#[derive(Clone)]
pub struct Policies {
    page: HeaderValue,
}

impl Policies {
    pub fn new(pages: &Pages) -> Policies {
        let code = InlineCode::of_pages(pages);
        for what in &code.dynamic {
            tracing::warn!(
                template = %what,
                "inline code with template data cannot be allowed by the Content-Security-Policy; it will not run"
            );
        }
        Policies {
            page: HeaderValue::from_str(&code.page_policy())
                .unwrap_or_else(|_| HeaderValue::from_static(OTHER_POLICY)),
        }
    }

    /// Sets the security headers of one answer.
    pub fn apply(&self, path: &str, authenticated: bool, res: &mut HeaderMap) {
        let html = res
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
        let policy = if !html {
            HeaderValue::from_static(OTHER_POLICY)
        } else if path.starts_with("/api/v1/") && path.contains("/letters/") {
            HeaderValue::from_static(LETTER_POLICY)
        } else {
            self.page.clone()
        };
        set_default(res, header::CONTENT_SECURITY_POLICY, policy);
        set_default(
            res,
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        );
        set_default(
            res,
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        set_default(
            res,
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        if authenticated || res.contains_key(header::SET_COOKIE) {
            res.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
}

fn set_default(res: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    if !res.contains_key(&name) {
        res.insert(name, value);
    }
}

/// Whether a request carries credentials: the session cookie or a bearer token.
pub fn authenticated(req: &ServiceRequest) -> bool {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    bearer || req.cookie(SESSION_COOKIE).is_some()
}

/// The middleware: wrap the whole app with it, outermost, so that even an error raised by
/// another middleware gets the headers.
#[derive(Clone)]
pub struct SecurityHeaders {
    policies: Rc<Policies>,
}

impl SecurityHeaders {
    /// Built from the page templates the server renders.
    pub fn new(pages: &Pages) -> SecurityHeaders {
        SecurityHeaders {
            policies: Rc::new(Policies::new(pages)),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for SecurityHeaders
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = SecurityHeadersService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SecurityHeadersService {
            service: Rc::new(service),
            policies: self.policies.clone(),
        }))
    }
}

pub struct SecurityHeadersService<S> {
    service: Rc<S>,
    policies: Rc<Policies>,
}

impl<S, B> Service<ServiceRequest> for SecurityHeadersService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let policies = self.policies.clone();
        let authenticated = authenticated(&req);
        let service = self.service.clone();
        Box::pin(async move {
            // Handlers' and extractors' errors arrive here as answers already (the request is
            // not cloned before routing: the router needs it unshared).
            let mut res = service.call(req).await?.map_into_left_body();
            let path = res.request().path().to_string();
            policies.apply(&path, authenticated, res.headers_mut());
            Ok(res)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::EMBEDDED_PAGES;
    use std::path::Path;

    fn shipped_pages() -> Pages {
        crate::ui::load_pages(Path::new("/nonexistent")).unwrap()
    }

    #[test]
    fn every_page_template_is_embedded_here() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/ui");
        let files = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "hbs"))
            })
            .count();
        assert_eq!(files, EMBEDDED_PAGES.len());
        assert!(
            EMBEDDED_PAGES
                .iter()
                .any(|(n, src)| *n == "layout" && src.contains("<style>"))
        );
    }

    #[test]
    fn static_inline_code_is_hashed_and_data_dependent_code_is_not() {
        let mut code = InlineCode::default();
        code.add(
            "t",
            "<style>p{x}</style><p style=\"margin:0\">a</p><script>go()</script>\
             <script>var t='{{csrf}}'</script><script src=\"/x.js\"></script><styles>",
        );
        assert_eq!(code.styles, BTreeSet::from([hash_source("p{x}")]));
        assert_eq!(code.scripts, BTreeSet::from([hash_source("go()")]));
        assert_eq!(
            code.style_attributes,
            BTreeSet::from([hash_source("margin:0")])
        );
        assert_eq!(code.dynamic.len(), 1);
        let policy = code.page_policy();
        assert!(policy.contains("script-src 'sha256-"));
        assert!(policy.contains("'unsafe-hashes'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
        // The known digest of an empty text, so the encoding is CSP's (standard base64).
        assert_eq!(
            hash_source(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn the_shipped_pages_have_no_data_in_inline_code() {
        let code = InlineCode::of_pages(&shipped_pages());
        assert!(
            code.dynamic.is_empty(),
            "move data out of inline code into data- attributes: {:?}",
            code.dynamic
        );
        assert!(!code.scripts.is_empty() && !code.styles.is_empty());
    }

    #[test]
    fn an_override_page_is_rendered_and_its_inline_code_is_allowed_in_place_of_the_embedded() {
        let dir = std::env::temp_dir().join(format!("sepakat-pages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("galat.hbs"),
            "<style>.mine{}</style><p>{{message}}</p>",
        )
        .unwrap();
        let pages = crate::ui::load_pages(&dir).unwrap();
        let (_, source) = pages.sources().find(|(n, _)| *n == "galat").unwrap();
        assert!(source.contains(".mine{}"));
        let policy = InlineCode::of_pages(&pages).page_policy();
        assert!(policy.contains(&hash_source(".mine{}")), "{policy}");

        // A misspelt name, or markup that does not parse, stops the server from starting.
        std::fs::write(dir.join("galat.hbs"), "{{#if}}").unwrap();
        let err = crate::ui::load_pages(&dir).err().unwrap().to_string();
        assert!(
            err.contains("galat.hbs") && err.contains("does not parse"),
            "{err}"
        );
        std::fs::remove_file(dir.join("galat.hbs")).unwrap();
        std::fs::write(dir.join("gallat.hbs"), "x").unwrap();
        let err = crate::ui::load_pages(&dir).err().unwrap().to_string();
        assert!(err.contains("no template is called `gallat`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn letters_json_and_pages_get_their_policy_and_signed_in_answers_are_not_stored() {
        let p = Policies::new(&shipped_pages());
        let policy_of = |path: &str, ct: &str, auth: bool| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
            p.apply(path, auth, &mut h);
            h
        };
        let page = policy_of("/permohonan", "text/html; charset=utf-8", true);
        assert!(
            page.get(header::CONTENT_SECURITY_POLICY)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("script-src 'sha256-")
        );
        assert_eq!(page.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(page.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        let letter = policy_of("/api/v1/applications/x/letters/pks", "text/html", true);
        assert_eq!(
            letter.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            LETTER_POLICY
        );
        let json = policy_of("/healthz", "application/json", false);
        assert_eq!(
            json.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            OTHER_POLICY
        );
        assert!(!json.contains_key(header::CACHE_CONTROL));
        assert_eq!(json.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(json.get(header::REFERRER_POLICY).unwrap(), "same-origin");
    }
}
