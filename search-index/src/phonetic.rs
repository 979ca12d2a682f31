//! Pinyin forms of Chinese words, so a seeker who types dianyuan or dy finds 店员, and a
//! typo that sounds like a job word (服物员) can be recognised. Tones are dropped: nobody
//! types them, and a homophone typo usually has another tone anyway.

use pinyin::ToPinyin;

/// Full toneless pinyin, run together: 店员 → dianyuan. Characters without a reading
/// (Latin letters, digits) are kept as they are.
pub fn full(word: &str) -> String {
    let mut out = String::with_capacity(word.len() * 2);
    for (c, reading) in word.chars().zip(word.to_pinyin()) {
        match reading {
            Some(p) => out.push_str(p.plain()),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A toneless key that also forgives the confusions of southern speech and hurried typing
/// (zh/z, ch/c, sh/s, n/l, -ing/-in, -eng/-en, -ang/-an): 收应员 and 收银员 share one, so
/// the typo is recognised. Only used to find a known word, never to index.
pub fn fuzzy(word: &str) -> String {
    let mut out = String::with_capacity(word.len() * 2);
    for (c, reading) in word.chars().zip(word.to_pinyin()) {
        let Some(p) = reading else {
            out.extend(c.to_lowercase());
            continue;
        };
        let syllable = p.plain();
        let (initial, rest) = if let Some(rest) = syllable
            .strip_prefix("zh")
            .or_else(|| syllable.strip_prefix("ch"))
            .or_else(|| syllable.strip_prefix("sh"))
        {
            (&syllable[..1], rest)
        } else if let Some(rest) = syllable.strip_prefix('n') {
            ("l", rest)
        } else {
            ("", syllable)
        };
        out.push_str(initial);
        let rest = rest
            .strip_suffix("ng")
            .filter(|r| r.ends_with(['i', 'e', 'a']))
            .map(|r| format!("{r}n"))
            .unwrap_or_else(|| rest.to_owned());
        out.push_str(&rest);
        out.push('\'');
    }
    out
}

/// First letters: 店员 → dy. `None` unless every character has a reading, so a mixed word
/// does not make a misleading abbreviation.
pub fn initials(word: &str) -> Option<String> {
    word.to_pinyin()
        .map(|reading| reading.map(|p| p.first_letter()))
        .collect::<Option<String>>()
}

/// The pinyin tokens a Chinese word is also indexed under (full form, and initials for
/// words of two characters or more).
pub fn forms(word: &str) -> Vec<String> {
    if !word.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
        return Vec::new();
    }
    let mut out = vec![full(word)];
    if word.chars().count() >= 2
        && let Some(initials) = initials(word)
    {
        out.push(initials);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_toneless_pinyin_and_initials() {
        assert_eq!(full("店员"), "dianyuan");
        assert_eq!(initials("店员").as_deref(), Some("dy"));
        assert_eq!(full("服物员"), full("服务员"));
        assert_eq!(forms("收银员"), vec!["shouyinyuan", "syy"]);
        assert!(forms("python").is_empty());
        assert_eq!(fuzzy("收应员"), fuzzy("收银员"));
        assert_eq!(fuzzy("服物员"), fuzzy("服务员"));
        assert_ne!(fuzzy("收银员"), fuzzy("服务员"));
        assert_eq!(fuzzy("女"), fuzzy("吕"));
        assert_eq!(initials("C1驾照"), None);
    }
}
