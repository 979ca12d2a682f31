//! Contact details typed into a message: phone numbers, WeChat and QQ ids. Until the seeker
//! agrees to exchange contacts they are masked for the other side (scams start where a
//! conversation leaves the platform).

use std::sync::LazyLock;

use regex::Regex;

/// What a masked contact is shown as.
pub const MASK: &str = "***";

static CONTACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // Mobile numbers, also written with spaces or dashes (138 1234 5678), and +86.
        r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}",
        // Landlines with an area code (0512-6788 1234).
        r"|0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{4}",
        // WeChat or QQ ids after the word that introduces them.
        r"|(?i:微信号?|v信|vx|wx|weixin|wechat|威信|薇信|qq)\s*(?:号|号码)?\s*[:：]?\s*[A-Za-z0-9][-_A-Za-z0-9]{4,19}",
    ))
    .expect("the contact pattern compiles")
});

/// Whether `text` holds a contact detail.
pub fn holds_contact(text: &str) -> bool {
    CONTACT.is_match(text)
}

/// `text` with every contact detail replaced by [`MASK`].
pub fn mask(text: &str) -> String {
    CONTACT.replace_all(text, MASK).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_ids_are_found_however_they_are_written() {
        for text in [
            "我电话13812345678",
            "打 138 1234 5678 找我",
            "138-1234-5678",
            "+86 13812345678",
            "店里座机0512-67881234",
            "加我微信：lina_2026",
            "vx lina2026 备注应聘",
            "WeChat: Lina-2026",
            "QQ号 123456789",
        ] {
            assert!(holds_contact(text), "{text}");
            assert!(mask(text).contains(MASK), "{text}");
        }
        assert_eq!(mask("我电话13812345678，随时打"), "我电话***，随时打");
        assert_eq!(mask("加我微信：lina_2026 谢谢"), "加我*** 谢谢");
    }

    #[test]
    fn ordinary_numbers_are_not_contacts() {
        for text in [
            "时薪25元，每周工作3天",
            "周六 09:00-18:00 上班",
            "2026年12月7日面试",
            "门店在星海街18号",
            "需要健康证，工作地点距离地铁1号线500米",
        ] {
            assert!(!holds_contact(text), "{text}");
            assert_eq!(mask(text), text);
        }
    }
}
