//! Skills a seeker has without listing them: the words of their résumé and past jobs, the
//! synonyms of those words, and the job words a few common phrases imply (会做蛋糕 → 烘焙,
//! 在奶茶店干过 → 奶茶 and 点单), so a profile with an empty skills list still matches.
//!

use std::collections::BTreeSet;
use std::sync::LazyLock;

use doorstep_search_index::analyzer::terms;
use doorstep_search_index::lexicon::Lexicon;

/// Phrases of everyday speech and the job words they imply. Cues are plain substrings of
/// the résumé; the implied words go through the analyzer like any other.
const IMPLIED: &[(&str, &[&str])] = &[
    ("蛋糕", &["烘焙", "蛋糕师", "裱花"]),
    ("面包", &["烘焙", "面包师"]),
    ("甜点", &["烘焙", "西点"]),
    ("奶茶", &["奶茶", "茶饮", "点单", "收银"]),
    ("茶饮", &["奶茶", "点单"]),
    ("咖啡店", &["咖啡", "点单", "收银"]),
    ("咖啡馆", &["咖啡", "点单", "收银"]),
    ("拉花", &["咖啡", "咖啡师"]),
    ("超市", &["收银", "理货", "补货"]),
    ("便利店", &["收银", "理货"]),
    ("餐厅", &["服务员", "传菜", "点单"]),
    ("饭店", &["服务员", "传菜", "点单"]),
    ("火锅", &["服务员", "传菜"]),
    ("端盘子", &["服务员", "传菜"]),
    ("炒菜", &["厨师", "后厨", "炒菜"]),
    ("做饭", &["厨师", "后厨"]),
    ("切菜", &["切配", "帮厨"]),
    ("配菜", &["切配", "帮厨"]),
    ("洗碗", &["洗碗", "帮厨"]),
    ("送外卖", &["骑手", "配送", "外卖"]),
    ("跑外卖", &["骑手", "配送", "外卖"]),
    ("美团", &["骑手", "配送"]),
    ("饿了么", &["骑手", "配送"]),
    ("送快递", &["快递员", "派件"]),
    ("快递", &["快递员", "分拣"]),
    ("仓库", &["仓管", "分拣", "打包", "理货"]),
    ("搬货", &["搬运", "装卸"]),
    ("打扫", &["保洁", "清洁"]),
    ("家政", &["保洁", "家政"]),
    ("带孩子", &["育婴", "育儿"]),
    ("带小孩", &["育婴", "育儿"]),
    ("辅导作业", &["家教", "辅导"]),
    ("补课", &["家教", "辅导"]),
    ("开车", &["司机", "驾驶"]),
    ("网约车", &["司机", "驾驶"]),
    ("滴滴", &["司机", "驾驶"]),
    ("健身房", &["健身", "健身教练"]),
    ("修电器", &["维修", "电工"]),
    ("修水电", &["维修", "水电"]),
    ("卖衣服", &["导购", "销售"]),
    ("服装店", &["导购", "销售", "收银"]),
    ("直播", &["主播", "直播"]),
    ("电脑", &["办公软件"]),
    ("表格", &["办公软件", "excel"]),
    ("做账", &["会计", "记账"]),
    ("前台", &["前台", "接待"]),
    ("站岗", &["保安"]),
    ("巡逻", &["保安", "巡逻"]),
    ("美甲", &["美甲"]),
    ("剪头发", &["理发", "美发"]),
];

/// The job words (index terms) a seeker's free text shows they know: its own words, what
/// the search lexicon says they mean (synonyms, colloquial phrases, aliases: the same
/// vocabulary search uses), and the duties a workplace implies ([`IMPLIED`]: in a résumé,
/// 超市 means tills and shelves; in a search box it means a place, so these stay out of
/// the lexicon).
pub fn resume_skills(text: &str) -> BTreeSet<String> {
    let lexicon = Lexicon::builtin();
    let mut out: BTreeSet<String> = terms(text).into_iter().collect();
    let (expansions, skills) = lexicon.read(text);
    out.extend(expansions.into_iter().map(|(term, _)| term));
    for word in skills {
        out.extend(terms(&word));
    }
    for (cue, implied) in IMPLIED_TERMS.iter() {
        if text.contains(cue) {
            out.extend(implied.iter().cloned());
        }
    }
    out
}

/// [`IMPLIED`] with each implied word's terms and expansions worked out once: done per
/// résumé, this was most of the cost of reading a profile.
static IMPLIED_TERMS: LazyLock<Vec<(&'static str, Vec<String>)>> = LazyLock::new(|| {
    let lexicon = Lexicon::builtin();
    IMPLIED
        .iter()
        .map(|(cue, implied)| {
            let mut words: Vec<String> = Vec::new();
            for word in *implied {
                words.extend(terms(word));
                words.extend(lexicon.expand(word).into_iter().map(|(term, _)| term));
            }
            words.sort();
            words.dedup();
            (*cue, words)
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_phrases_imply_job_words() {
        let cake = resume_skills("会做蛋糕");
        assert!(cake.contains("烘焙"), "{cake:?}");
        let tea = resume_skills("在奶茶店干过一年");
        assert!(tea.contains("奶茶") && tea.contains("点单"), "{tea:?}");
        let cashier = resume_skills("在超市当过收银员");
        assert!(
            cashier.contains("收银") && cashier.contains("cashier"),
            "{cashier:?}"
        );
        assert!(!resume_skills("性格开朗").contains("收银"));
    }
}
