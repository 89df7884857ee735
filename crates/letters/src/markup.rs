//! The rendered HTML of a letter, turned into typst markup for the PDF.
//!
//! Templates use a small, fixed HTML vocabulary (documented in `templates/letters/README.md`);
//! this module parses exactly that and emits the matching typst layout. Text is always emitted
//! escaped — every ASCII punctuation character gets a backslash — so nothing a value contains
//! can become typst markup or code. An unknown tag is an error rather than lost text.

use std::fmt::Write as _;

mod escape;
mod html;

pub(crate) use escape::escape_text;
use escape::{column_width, numbering, string_literal};
use html::{Element, Node, parse};

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
mod tests;
