//! The small HTML vocabulary of the letter templates, parsed into a tree: exactly what the
//! templates produce, and an error for anything else (an unclosed or mismatched tag).

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Element {
    pub(super) tag: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    /// The child elements, text between them left out.
    pub(super) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(c) => Some(c),
            Node::Text(_) => None,
        })
    }

    pub(super) fn find(&self, tag: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.tag == tag => Some(e),
            Node::Element(e) => e.find(tag),
            Node::Text(_) => None,
        })
    }

    pub(super) fn text(&self) -> String {
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
pub(super) fn parse(html: &str) -> Result<Element, String> {
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
pub(super) fn decode_entities(s: &str) -> String {
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
