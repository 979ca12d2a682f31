//! CSV for spreadsheets: UTF-8 with a byte-order mark (without it Excel reads Chinese as
//! mojibake), CRLF line ends, RFC 4180 quoting, and cells that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`) prefixed with `'`.

/// The whole document: header row, then rows.
pub fn document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    push_row(&mut out, header.iter().copied());
    for row in rows {
        push_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell_text(cell));
    }
    out.push_str("\r\n");
}

fn cell_text(cell: &str) -> String {
    let guarded = if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_quoting_and_formulas() {
        let doc = document(
            &["名称", "数量"],
            &[
                vec!["漫咖啡, 圆融店".into(), "3".into()],
                vec!["说\"你好\"".into(), "=1+1".into()],
                vec!["两\n行".into(), "-2".into()],
            ],
        );
        assert!(doc.starts_with('\u{feff}'));
        assert_eq!(
            doc.trim_start_matches('\u{feff}'),
            "名称,数量\r\n\"漫咖啡, 圆融店\",3\r\n\"说\"\"你好\"\"\",'=1+1\r\n\"两\n行\",'-2\r\n"
        );
    }
}
