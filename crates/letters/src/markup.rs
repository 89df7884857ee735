//! The rendered HTML of a letter, turned into typst markup for the PDF.
//!
//! Templates use a small, fixed HTML vocabulary (documented in `templates/letters/README.md`);
//! this module parses exactly that and emits the matching typst layout. Text is always emitted
//! escaped — every ASCII punctuation character gets a backslash — so nothing a value contains
//! can become typst markup or code. An unknown tag is an error rather than lost text.

use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Element {
    tag: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    /// The child elements, text between them left out.
    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(c) => Some(c),
            Node::Text(_) => None,
        })
    }

    fn find(&self, tag: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.tag == tag => Some(e),
            Node::Element(e) => e.find(tag),
            Node::Text(_) => None,
        })
    }

    fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => s.push_str(t),
                Node::Element(e) => s.push_str(&e.text()),
            }
        }
        s
    }
}

const VOID: [&str; 7] = ["br", "hr", "meta", "link", "img", "col", "input"];
const RAW_TEXT: [&str; 3] = ["style", "script", "title"];

/// Parses the HTML the templates produce. Tolerates nothing surprising: an unclosed or
/// mismatched tag is an error.
fn parse(html: &str) -> Result<Element, String> {
    let mut stack = vec![Element {
        tag: "#root".into(),
        attrs: Vec::new(),
        children: Vec::new(),
    }];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut stack, rest);
            break;
        };
        push_text(&mut stack, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed HTML comment")?;
            rest = &after[end + 3..];
        } else if rest.starts_with("<!") {
            let end = rest.find('>').ok_or("unclosed <! declaration")?;
            rest = &rest[end + 1..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unclosed end tag")?;
            let name = after[..end].trim().to_ascii_lowercase();
            rest = &after[end + 1..];
            let open = stack.pop().ok_or("end tag without a start")?;
            if open.tag != name || stack.is_empty() {
                return Err(format!(
                    "</{name}> closes <{}>: the template's HTML is not well nested",
                    open.tag
                ));
            }
            attach(&mut stack, open);
        } else {
            let (element, self_closing, after) = parse_start_tag(rest)?;
            rest = after;
            if RAW_TEXT.contains(&element.tag.as_str()) {
                let close = format!("</{}>", element.tag);
                let end = rest
                    .find(&close)
                    .ok_or_else(|| format!("<{}> is not closed", element.tag))?;
                let mut element = element;
                element
                    .children
                    .push(Node::Text(decode_entities(&rest[..end])));
                rest = &rest[end + close.len()..];
                attach(&mut stack, element);
            } else if self_closing || VOID.contains(&element.tag.as_str()) {
                attach(&mut stack, element);
            } else {
                stack.push(element);
            }
        }
    }
    if stack.len() != 1 {
        let open: Vec<_> = stack[1..].iter().map(|e| format!("<{}>", e.tag)).collect();
        return Err(format!("unclosed {}", open.join(", ")));
    }
    stack.pop().ok_or_else(|| "empty document".into())
}

fn push_text(stack: &mut [Element], text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(top) = stack.last_mut() {
        top.children.push(Node::Text(decode_entities(text)));
    }
}

fn attach(stack: &mut [Element], element: Element) {
    if let Some(top) = stack.last_mut() {
        top.children.push(Node::Element(element));
    }
}

/// `<tag a="b" c>`: the element, whether it was `<…/>`, and what follows.
fn parse_start_tag(s: &str) -> Result<(Element, bool, &str), String> {
    let body = &s[1..];
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(body.len());
    if name_len == 0 {
        return Err(format!(
            "a `<` that starts no tag: {}",
            s.chars().take(30).collect::<String>()
        ));
    }
    let tag = body[..name_len].to_ascii_lowercase();
    let mut rest = &body[name_len..];
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return Ok((element(tag, attrs), true, after));
        }
        if let Some(after) = rest.strip_prefix('>') {
            return Ok((element(tag, attrs), false, after));
        }
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len());
        if name_len == 0 {
            return Err(format!("<{tag}> is not closed"));
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let quote = after
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or_else(|| format!("attribute `{name}` of <{tag}> is not quoted"))?;
            let inner = &after[1..];
            let end = inner
                .find(quote)
                .ok_or_else(|| format!("attribute `{name}` of <{tag}> is not closed"))?;
            rest = &inner[end + 1..];
            decode_entities(&inner[..end])
        } else {
            String::new()
        };
        attrs.push((name, value));
    }
}

fn element(tag: String, attrs: Vec<(String, String)>) -> Element {
    Element {
        tag,
        attrs,
        children: Vec::new(),
    }
}

/// Decodes the entities handlebars' escaping and the templates use.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text as typst markup that can only ever be text: whitespace runs become one space and every
/// ASCII punctuation character is escaped with a backslash.
pub(crate) fn escape_text(s: &str, out: &mut String) {
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    if space {
        out.push(' ');
    }
}

/// A typst string literal.
fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A column width from `data-cols`: `auto`, or a number with `fr`, `cm`, `mm`, `pt`, `em` or `%`.
fn column_width(w: &str) -> Result<&str, String> {
    if w == "auto" {
        return Ok(w);
    }
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    let unit = &w[digits.len()..];
    let number_ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.parse::<f64>().is_ok();
    if number_ok && ["fr", "cm", "mm", "pt", "em", "%"].contains(&unit) {
        Ok(w)
    } else {
        Err(format!(
            "column width `{w}` in data-cols: use auto, 1fr, 3cm, 40% …"
        ))
    }
}

/// Enum numbering from `<ol type=…>` or `data-numbering`: only typst counting symbols and a
/// little punctuation are allowed through.
fn numbering(ol: &Element) -> Result<String, String> {
    if let Some(n) = ol.attr("data-numbering") {
        let ok = !n.is_empty()
            && n.chars().all(|c| "1aAiI().-".contains(c))
            && n.chars().any(|c| "1aAiI".contains(c));
        return if ok {
            Ok(n.to_string())
        } else {
            Err(format!("numbering `{n}`: use a pattern like 1. a. (1) a)"))
        };
    }
    Ok(match ol.attr("type").unwrap_or("1") {
        "a" => "a.",
        "A" => "A.",
        "i" => "i.",
        "I" => "I.",
        _ => "1.",
    }
    .to_string())
}

const PREAMBLE: &str = r##"#set text(font: "Libertinus Serif", size: 12pt, lang: "id", region: "ID")
#set par(justify: true, leading: 0.55em, spacing: 0.85em)
#set block(spacing: 0.85em)
#set enum(indent: 0pt, body-indent: 0.6em, spacing: 0.7em)
#set list(indent: 0pt, body-indent: 0.6em, spacing: 0.7em)
#set table(inset: (x: 4pt, y: 4pt), align: left + top)
#set underline(offset: 2pt)
"##;

/// The typst source of a letter rendered as HTML.
pub(crate) fn html_to_typst(html: &str) -> Result<String, String> {
    let root = parse(html)?;
    let main = root
        .find("main")
        .ok_or("the letter has no <main> element (the layout partial provides it)")?;
    let mut out = String::with_capacity(html.len() * 2);
    if let Some(title) = root.find("title") {
        let _ = writeln!(
            out,
            "#set document(title: {})",
            string_literal(title.text().trim())
        );
    }
    out.push_str(
        "#set page(paper: \"a4\", margin: (top: 2cm, bottom: 2.2cm, left: 2.5cm, right: 2cm)",
    );
    if main.attr("data-footer") == Some("halaman") {
        out.push_str(
            ", footer: context align(center, text(size: 9pt)[Halaman #counter(page).display() dari #counter(page).final().first()])",
        );
    }
    if main.attr("data-draft") == Some("true") {
        out.push_str(
            ", background: rotate(-40deg, text(size: 96pt, weight: \"bold\", fill: rgb(\"#c0000026\"))[DRAF])",
        );
    }
    out.push_str(")\n");
    out.push_str(PREAMBLE);
    let mut emitter = Emitter { out };
    emitter.children(main, Flow::Block)?;
    Ok(emitter.out)
}

#[derive(Clone, Copy, PartialEq)]
enum Flow {
    /// Whitespace between children is layout noise.
    Block,
    /// Whitespace between children is a space.
    Inline,
}

struct Emitter {
    out: String,
}

impl Emitter {
    fn children(&mut self, e: &Element, flow: Flow) -> Result<(), String> {
        for child in &e.children {
            match child {
                Node::Text(t) => {
                    if flow == Flow::Block && t.trim().is_empty() {
                        continue;
                    }
                    escape_text(t, &mut self.out);
                }
                Node::Element(c) => self.element(c)?,
            }
        }
        Ok(())
    }

    /// `[…]` holding the children, trimmed of edge whitespace.
    fn content(&mut self, e: &Element, flow: Flow) -> Result<(), String> {
        let mut inner = Emitter { out: String::new() };
        inner.children(e, flow)?;
        self.out.push('[');
        self.out.push_str(inner.out.trim());
        self.out.push(']');
        Ok(())
    }

    fn element(&mut self, e: &Element) -> Result<(), String> {
        match e.tag.as_str() {
            "div" | "section" | "article" | "header" | "footer" => self.division(e)?,
            "p" => self.paragraph(e)?,
            "h1" | "h2" | "h3" | "h4" => self.heading(e)?,
            "table" => self.table(e)?,
            "ol" | "ul" => self.list(e)?,
            "strong" | "b" => self.call("#strong", e)?,
            "em" | "i" => self.call("#emph", e)?,
            "u" => self.call("#underline", e)?,
            "small" => self.call("#text(size: 0.85em)", e)?,
            "span" => {
                if e.has_class("tab") {
                    self.out.push_str("#h(1.25cm)");
                }
                if e.has_class("upper") {
                    self.call("#upper", e)?;
                } else if e.has_class("draft") {
                    self.call("#text(fill: rgb(\"#a00000\"), style: \"italic\")", e)?;
                } else if e.has_class("nowrap") {
                    self.call("#box", e)?;
                } else {
                    self.children(e, Flow::Inline)?;
                }
            }
            "img" => self.image(e)?,
            "br" => self.out.push_str("#linebreak()"),
            "hr" => self.out.push_str("\n#line(length: 100%, stroke: 0.5pt)\n"),
            "title" | "style" | "meta" | "link" | "script" | "head" => {}
            other => {
                return Err(format!(
                    "<{other}> is not part of the letter vocabulary (see templates/letters/README.md)"
                ));
            }
        }
        Ok(())
    }

    /// `<img class="qr">` from the `kode_qr` helper: its SVG, embedded in the source (the
    /// letter's world reads no files). The only other image is the letterhead's logo, laid out
    /// by [`Self::kop`].
    fn image(&mut self, e: &Element) -> Result<(), String> {
        if e.has_class("logo") {
            return Err(
                "<img class=\"logo\"> belongs in <header class=\"kop\">, as the `kop` partial writes it"
                    .into(),
            );
        }
        if !e.has_class("qr") {
            return Err(
                "<img> is only the QR code the `kode_qr` helper writes (class \"qr\") or the letterhead logo the `logo_kop` helper writes (class \"logo\")".into(),
            );
        }
        let svg = crate::qr::svg_of_src(e.attr("src").unwrap_or_default())?;
        let _ = write!(
            self.out,
            "#box(image(bytes({}), format: \"svg\", width: {}, alt: {}))",
            string_literal(&svg),
            crate::qr::SIZE_CM,
            string_literal(e.attr("alt").unwrap_or("Kode QR"))
        );
        Ok(())
    }

    /// The letterhead: its lines centred, then the double rule. With the office's logo (an
    /// `<img class="logo">` from the `logo_kop` helper) the lines stand between the logo at the
    /// left and a column as wide at the right, so they stay centred on the page.
    fn kop(&mut self, e: &Element) -> Result<(), String> {
        let logos: Vec<&Element> = e
            .elements()
            .filter(|c| c.tag == "img" && c.has_class("logo"))
            .collect();
        let lines = Element {
            tag: "header".into(),
            attrs: Vec::new(),
            children: e
                .children
                .iter()
                .filter(|n| !matches!(n, Node::Element(c) if c.tag == "img" && c.has_class("logo")))
                .cloned()
                .collect(),
        };
        match logos[..] {
            [] => {
                self.out.push_str(
                    "#block(width: 100%, below: 0.35em)[#set align(center)\n#set par(spacing: 0.3em, justify: false)\n",
                );
                self.children(&lines, Flow::Block)?;
                self.out.push(']');
            }
            [logo] => {
                let svg = crate::logo::svg_of_src(logo.attr("src").unwrap_or_default())?;
                let w = crate::logo::WIDTH_CM;
                let _ = writeln!(
                    self.out,
                    "#block(width: 100%, below: 0.35em, grid(columns: ({w}, 1fr, {w}), column-gutter: 0.3cm, align: (left + horizon, center + horizon, left), image(bytes({}), format: \"svg\", width: {w}, height: {}, fit: \"contain\", alt: {}), [#set par(spacing: 0.3em, justify: false)",
                    string_literal(&svg),
                    crate::logo::HEIGHT_CM,
                    string_literal(logo.attr("alt").unwrap_or("Logo"))
                );
                self.children(&lines, Flow::Block)?;
                self.out.push_str("], []))");
            }
            _ => return Err("a letterhead has at most one logo".into()),
        }
        self.out.push_str(
            "\n#block(below: 1.1em)[#set block(spacing: 2pt)\n#line(length: 100%, stroke: 2.2pt)\n#line(length: 100%, stroke: 0.6pt)]\n",
        );
        Ok(())
    }

    fn call(&mut self, f: &str, e: &Element) -> Result<(), String> {
        self.out.push_str(f);
        self.content(e, Flow::Inline)
    }

    fn division(&mut self, e: &Element) -> Result<(), String> {
        self.out.push('\n');
        if e.has_class("lampiran") {
            self.out.push_str("#pagebreak(weak: true)\n");
            self.children(e, Flow::Block)?;
        } else if e.has_class("kop") {
            self.kop(e)?;
        } else if e.has_class("signatures") {
            self.signatures(e)?;
        } else if e.has_class("signature-qr") {
            // The QR code and its code at the left, level with the foot of the signature at
            // the right (which takes the right half, as a lone signature does).
            let cells: Vec<&Element> = e.elements().collect();
            let [qr, sig] = cells[..] else {
                return Err(
                    "<div class=\"signature-qr\"> holds two <div>: the QR code, then the signature"
                        .into(),
                );
            };
            self.out.push_str(
                "#block(above: 1.2em, breakable: false, grid(columns: (1fr, 52%), align: (left + bottom, center + top), [#set par(spacing: 0.3em, justify: false)\n",
            );
            self.children(qr, Flow::Block)?;
            self.out
                .push_str("], [#set par(spacing: 0.45em, justify: false)\n");
            self.children(sig, Flow::Block)?;
            self.out.push_str("]))\n");
        } else if e.has_class("signature") {
            self.out.push_str(
                "#align(right, block(width: 52%, above: 1.2em, breakable: false)[#set align(center)\n#set par(spacing: 0.45em, justify: false)\n",
            );
            self.children(e, Flow::Block)?;
            self.out.push_str("])\n");
        } else if e.has_class("columns") {
            let widths = match e.attr("data-cols") {
                Some(cols) => cols
                    .split_whitespace()
                    .map(column_width)
                    .collect::<Result<Vec<_>, _>>()?
                    .join(", "),
                None => "1fr, 1fr".into(),
            };
            let _ = write!(self.out, "#grid(columns: ({widths},), column-gutter: 0.8cm");
            for child in &e.children {
                if let Node::Element(c) = child {
                    self.out.push_str(", [");
                    self.children(c, Flow::Block)?;
                    self.out.push(']');
                }
            }
            self.out.push_str(")\n");
        } else if e.has_class("lampiran-head") {
            self.out.push_str(
                "#align(right, block(width: 60%, below: 1.5em)[#set align(left)\n#set par(justify: false)\n#set text(size: 11pt)\n",
            );
            self.children(e, Flow::Block)?;
            self.out.push_str("])\n");
        } else if e.has_class("tembusan") {
            self.out.push_str(
                "#block(above: 1.3em, breakable: false)[#set text(size: 10.5pt)\n#set par(spacing: 0.4em, justify: false)\n#set enum(spacing: 0.4em)\n",
            );
            self.children(e, Flow::Block)?;
            self.out.push_str("]\n");
        } else if e.has_class("ttd-space") {
            self.out.push_str("#v(1.7cm)\n");
        } else if e.has_class("indent") {
            self.out.push_str("#pad(left: 1.25cm)[");
            self.children(e, Flow::Block)?;
            self.out.push_str("]\n");
        } else if e.has_class("keep") {
            self.out.push_str("#block(breakable: false)[");
            self.children(e, Flow::Block)?;
            self.out.push_str("]\n");
        } else if e.has_class("tight") {
            self.out.push_str("#block[#set par(spacing: 0.35em)\n");
            self.children(e, Flow::Block)?;
            self.out.push_str("]\n");
        } else {
            self.children(e, Flow::Block)?;
            self.out.push('\n');
        }
        Ok(())
    }

    /// Two or more signatures side by side, laid out in two rows so that the names line up
    /// whatever stands above them: what comes before each `ttd-space` (the party, *a.n.*, the
    /// position) sits at the bottom of the first row, the name with its rank and NIP at the top
    /// of the second; the signing space is the gap between the rows.
    fn signatures(&mut self, e: &Element) -> Result<(), String> {
        let sigs: Vec<&Element> = e.elements().collect();
        let mut heads = Vec::with_capacity(sigs.len());
        let mut feet = Vec::with_capacity(sigs.len());
        for sig in &sigs {
            let split = sig
                .children
                .iter()
                .position(|n| matches!(n, Node::Element(c) if c.has_class("ttd-space")));
            let (head, foot) = match split {
                Some(i) => (&sig.children[..i], &sig.children[i + 1..]),
                None => (&sig.children[..], &[][..]),
            };
            for (part, out) in [(head, &mut heads), (foot, &mut feet)] {
                let cell = Element {
                    tag: "div".into(),
                    attrs: Vec::new(),
                    children: part.to_vec(),
                };
                let mut inner = Emitter { out: String::new() };
                inner.children(&cell, Flow::Block)?;
                out.push(inner.out);
            }
        }
        let _ = write!(
            self.out,
            "#block(above: 1.5em, breakable: false, grid(columns: ({}), column-gutter: 1cm, row-gutter: 1.7cm, align: (_, y) => center + if y == 0 {{ bottom }} else {{ top }}",
            vec!["1fr"; sigs.len().max(1)].join(", ")
        );
        for cell in heads.iter().chain(&feet) {
            self.out
                .push_str(", [#set par(spacing: 0.45em, justify: false)\n");
            self.out.push_str(cell.trim());
            self.out.push(']');
        }
        self.out.push_str("))\n");
        Ok(())
    }

    fn paragraph(&mut self, e: &Element) -> Result<(), String> {
        self.out.push('\n');
        let align = if e.has_class("center") {
            Some("center")
        } else if e.has_class("right") {
            Some("right")
        } else {
            None
        };
        let mut close = 0;
        if let Some(a) = align {
            let _ = write!(self.out, "#align({a})[");
            close += 1;
        }
        let mut text_args = Vec::new();
        if e.has_class("kop-1") {
            text_args.push("size: 13pt, weight: \"bold\"");
        }
        if e.has_class("kop-2") {
            text_args.push("size: 15pt, weight: \"bold\"");
        }
        if e.has_class("kop-3") {
            text_args.push("size: 9.5pt");
        }
        if e.has_class("small") {
            text_args.push("size: 10.5pt");
        }
        if e.has_class("bold") {
            text_args.push("weight: \"bold\"");
        }
        if !text_args.is_empty() {
            let _ = write!(self.out, "#text({})[", text_args.join(", "));
            close += 1;
        }
        let mut par_args = Vec::new();
        if e.has_class("indent") {
            par_args.push("first-line-indent: (amount: 1.25cm, all: true)");
        }
        if e.has_class("hang") {
            par_args.push("hanging-indent: 1.25cm");
        }
        if align.is_some() || e.has_class("left") {
            par_args.push("justify: false");
        }
        let _ = write!(self.out, "#par({})", par_args.join(", "));
        self.content(e, Flow::Inline)?;
        for _ in 0..close {
            self.out.push(']');
        }
        self.out.push('\n');
        Ok(())
    }

    fn heading(&mut self, e: &Element) -> Result<(), String> {
        let (size, above, below) = match e.tag.as_str() {
            "h1" => ("12.5pt", "1.2em", "0.4em"),
            "h2" => ("12pt", "1.1em", "0.6em"),
            "h3" => ("12pt", "1.1em", "0.5em"),
            _ => ("12pt", "0.9em", "0.5em"),
        };
        let align = if e.tag == "h4" { "left" } else { "center" };
        let _ = write!(
            self.out,
            "\n#block(above: {above}, below: {below}, sticky: true, width: 100%)[#set align({align})\n#set par(justify: false, spacing: 0.35em)\n#text(size: {size}, weight: \"bold\")"
        );
        self.content(e, Flow::Inline)?;
        self.out.push_str("]\n");
        Ok(())
    }

    fn table(&mut self, e: &Element) -> Result<(), String> {
        let mut rows: Vec<&Element> = Vec::new();
        collect_rows(e, &mut rows);
        let columns = rows
            .iter()
            .map(|r| {
                cells(r)
                    .map(|c| {
                        c.attr("colspan")
                            .and_then(|n| n.parse::<usize>().ok())
                            .unwrap_or(1)
                    })
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(1)
            .max(1);
        let widths = match e.attr("data-cols") {
            Some(cols) => {
                let w = cols
                    .split_whitespace()
                    .map(column_width)
                    .collect::<Result<Vec<_>, _>>()?;
                if w.len() != columns {
                    return Err(format!(
                        "data-cols `{cols}` names {} columns, the table has {columns}",
                        w.len()
                    ));
                }
                w.join(", ")
            }
            None => {
                let mut w = vec!["auto"; columns];
                if let Some(last) = w.last_mut() {
                    *last = "1fr";
                }
                w.join(", ")
            }
        };
        let data = e.has_class("data");
        let style = if data {
            "stroke: 0.5pt, inset: (x: 5pt, y: 4pt)"
        } else {
            "stroke: none, inset: (x: 0pt, y: 2.5pt), column-gutter: 6pt"
        };
        self.out.push('\n');
        if data {
            self.out.push_str("#block(above: 0.9em, below: 0.9em)[#set text(size: 11pt, hyphenate: false)\n#set par(justify: false)\n");
        } else {
            self.out.push_str(
                "#block[#set par(justify: false, spacing: 0.4em)\n#set text(hyphenate: false)\n",
            );
        }
        let _ = write!(self.out, "#table(columns: ({widths},), {style}");
        for (i, row) in rows.iter().enumerate() {
            let header = i == 0 && cells(row).any(|c| c.tag == "th");
            if header {
                self.out.push_str(", table.header(");
            }
            for (j, cell) in cells(row).enumerate() {
                if !(header && j == 0) {
                    self.out.push_str(", ");
                }
                let mut args = Vec::new();
                if let Some(span) = cell.attr("colspan") {
                    let n: usize = span
                        .parse()
                        .map_err(|_| format!("colspan `{span}` is not a number"))?;
                    args.push(format!("colspan: {n}"));
                }
                if cell.tag == "th" || cell.has_class("center") {
                    args.push(
                        if cell.tag == "th" {
                            "align: center + horizon"
                        } else {
                            "align: center"
                        }
                        .into(),
                    );
                } else if cell.has_class("right") {
                    args.push("align: right".into());
                }
                if cell.tag == "th" {
                    args.push("fill: luma(235)".into());
                }
                if !args.is_empty() {
                    let _ = write!(self.out, "table.cell({})", args.join(", "));
                }
                if cell.tag == "th" {
                    self.out.push_str("[#strong");
                    self.content(cell, Flow::Inline)?;
                    self.out.push(']');
                } else {
                    self.content(cell, Flow::Inline)?;
                }
            }
            if header {
                self.out.push(')');
            }
        }
        self.out.push_str(")]\n");
        Ok(())
    }

    fn list(&mut self, e: &Element) -> Result<(), String> {
        self.out.push('\n');
        if e.tag == "ol" {
            let start = e
                .attr("start")
                .and_then(|s| s.parse::<u32>().ok())
                .unwrap_or(1);
            let _ = write!(
                self.out,
                "#enum(numbering: {}, start: {start}",
                string_literal(&numbering(e)?)
            );
        } else if e.has_class("dash") {
            self.out.push_str("#list(marker: [–]");
        } else {
            self.out.push_str("#list(marker: [•]");
        }
        for child in &e.children {
            match child {
                Node::Element(li) if li.tag == "li" => {
                    self.out.push_str(", ");
                    self.content(li, Flow::Inline)?;
                }
                Node::Text(t) if t.trim().is_empty() => {}
                _ => return Err(format!("<{}> may hold only <li> items", e.tag)),
            }
        }
        self.out.push_str(")\n");
        Ok(())
    }
}

fn collect_rows<'a>(e: &'a Element, rows: &mut Vec<&'a Element>) {
    for child in &e.children {
        if let Node::Element(c) = child {
            match c.tag.as_str() {
                "tr" => rows.push(c),
                "thead" | "tbody" | "tfoot" => collect_rows(c, rows),
                _ => {}
            }
        }
    }
}

fn cells(row: &Element) -> impl Iterator<Item = &Element> {
    row.elements().filter(|c| c.tag == "td" || c.tag == "th")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_markup_character_is_escaped() {
        let mut out = String::new();
        escape_text(
            "#set text(red) $x$ *b* _i_ <l> @r [c] `r` \\ = - + / ~ ' \" {}",
            &mut out,
        );
        for (i, c) in out.char_indices() {
            if c.is_ascii_punctuation() && c != '\\' {
                assert_eq!(&out[i - 1..i], "\\", "unescaped {c} in {out}");
            }
        }
        let mut out = String::new();
        escape_text("a \n\n  b", &mut out);
        assert_eq!(out, "a b", "no paragraph break may come from a value");
    }

    #[test]
    fn entities_decode_once() {
        assert_eq!(
            decode_entities("&lt;script&gt; &amp;lt; &#x27;a&#x27; &#x3D; &#96; & x &nbsp;"),
            "<script> &lt; 'a' = ` & x \u{a0}"
        );
        assert_eq!(
            decode_entities("&#xFFFFFFFF; &bogus;"),
            "&#xFFFFFFFF; &bogus;"
        );
    }

    #[test]
    fn malformed_html_is_an_error_not_a_panic() {
        for html in [
            "<main><p>a</main>",
            "<main><p>a",
            "</p>",
            "<main><p class=x>a</p></main>",
            "<main><p class=\"x>a</p></main>",
            "<main><!-- x",
            "< main>",
            "<main><p",
        ] {
            assert!(html_to_typst(html).is_err(), "{html}");
        }
        assert!(html_to_typst("<p>no main</p>").is_err());
        let err = html_to_typst("<main><blink>x</blink></main>").unwrap_err();
        assert!(err.contains("<blink>"), "{err}");
        let err = html_to_typst(
            "<main><table data-cols=\"1fr); panic()\"><tr><td>x</td></tr></table></main>",
        )
        .unwrap_err();
        assert!(err.contains("column width"), "{err}");
    }

    #[test]
    fn structure_becomes_typst_calls() {
        let typst = html_to_typst(
            "<html><head><title>Surat \"A\"</title><style>p { x }</style></head><body>\
             <main data-footer=\"halaman\" data-draft=\"true\"><p class=\"indent\">Dengan <strong>hormat</strong>, 1.500.000</p>\
             <ol type=\"a\"><li>satu</li> <li>dua</li></ol></main></body></html>",
        )
        .unwrap();
        assert!(
            typst.contains("#set document(title: \"Surat \\\"A\\\"\")"),
            "{typst}"
        );
        assert!(typst.contains("Halaman #counter(page).display()"));
        assert!(typst.contains("[DRAF]"));
        assert!(typst.contains("#par(first-line-indent: (amount: 1.25cm, all: true))[Dengan #strong[hormat]\\, 1\\.500\\.000]"), "{typst}");
        assert!(
            typst.contains("#enum(numbering: \"a.\", start: 1, [satu], [dua])"),
            "{typst}"
        );
    }

    #[test]
    fn signature_names_line_up_and_tables_do_not_hyphenate() {
        let typst = html_to_typst(
            "<main><div class=\"signatures\"><div><p>A</p><div class=\"ttd-space\"></div><p>N</p></div>\
             <div><p>B</p><p>C</p><div class=\"ttd-space\"></div><p>M</p><p>R</p></div></div>\
             <table class=\"data\"><tr><td>x</td></tr></table><table class=\"meta\"><tr><td>y</td></tr></table></main>",
        )
        .unwrap();
        let grid = typst.find("grid(columns: (1fr, 1fr)").expect(&typst);
        let order: Vec<usize> = ["[A]", "[B]", "[C]", "[N]", "[M]", "[R]"]
            .iter()
            .map(|c| typst[grid..].find(&format!("#par(){c}")).expect(c))
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "heads, then feet: {typst}"
        );
        assert!(typst.contains(
            "row-gutter: 1.7cm, align: (_, y) => center + if y == 0 { bottom } else { top }"
        ));
        assert!(
            !typst.contains("#v(1.7cm)"),
            "the gap between the rows is the signing space"
        );
        assert_eq!(typst.matches("hyphenate: false").count(), 2, "{typst}");
    }

    #[test]
    fn the_only_image_is_the_qr_code_as_svg() {
        let tag = crate::qr::img_tag("https://sepakat.example/verifikasi/AB23CD45EF").unwrap();
        let typst = html_to_typst(&format!("<main><div>{tag}</div></main>")).unwrap();
        assert!(typst.contains("#box(image(bytes(\"<?xml"), "{typst}");
        assert!(typst.contains("format: \"svg\", width: 2.2cm, alt: \"Kode QR verifikasi\""));
        for html in [
            "<main><img src=\"data:image/svg+xml;base64,PHN2Zz4=\"></main>",
            "<main><img class=\"qr\" src=\"/etc/passwd\"></main>",
            "<main><img class=\"qr\"></main>",
        ] {
            let err = html_to_typst(html).unwrap_err();
            assert!(err.contains("kode_qr"), "{html}: {err}");
        }
    }

    #[test]
    fn a_letterhead_logo_sits_left_of_the_centred_lines() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\"><rect width=\"4\" height=\"4\"/></svg>";
        let tag = crate::logo::img_tag(svg);
        let typst = html_to_typst(&format!(
            "<main><header class=\"kop\" style=\"position: relative\">{tag}<p class=\"kop-1\">PEMERINTAH</p></header></main>"
        ))
        .unwrap();
        let grid = typst
            .find("grid(columns: (2.4cm, 1fr, 2.4cm)")
            .expect(&typst);
        let image = typst.find("image(bytes(\"<svg").expect(&typst);
        let line = typst.find("[PEMERINTAH]").expect(&typst);
        assert!(grid < image && image < line, "{typst}");
        assert!(typst.contains("format: \"svg\", width: 2.4cm, height: 2cm, fit: \"contain\""));
        // Without a logo the letterhead is what it always was.
        let plain =
            html_to_typst("<main><header class=\"kop\"><p class=\"kop-1\">X</p></header></main>")
                .unwrap();
        assert!(plain.contains("#block(width: 100%, below: 0.35em)[#set align(center)"));
        // A logo is only the helper's, and only in the letterhead.
        for html in [
            format!("<main><div>{tag}</div></main>"),
            "<main><header class=\"kop\"><img class=\"logo\" src=\"/etc/passwd\"></header></main>"
                .to_string(),
            format!("<main><header class=\"kop\">{tag}{tag}</header></main>"),
        ] {
            assert!(html_to_typst(&html).is_err(), "{html}");
        }
    }
}
