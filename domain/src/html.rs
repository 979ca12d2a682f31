//! Text into HTML (e-mail bodies).

/// Escapes text for an HTML element or a quoted attribute value: `&`, `<`, `>`, `"` and `'`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>Tom & Jerry</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;"
        );
    }

    #[test]
    fn leaves_plain_text_alone() {
        assert_eq!(escape("咖啡师 · 距家800米"), "咖啡师 · 距家800米");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn escapes_an_ampersand_once() {
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }
}
