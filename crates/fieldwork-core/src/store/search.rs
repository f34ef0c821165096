//! Full-text search over jobs: job numbers, customers, phone numbers, addresses, equipment,
//! problems, diagnoses, resolutions and notes.
//!
//! Two contentless FTS5 indexes hold the same text per job. The trigram index finds any
//! substring of three or more characters, which covers name and word prefixes, phone and serial
//! fragments and Chinese words such as 洗衣机. Chinese is not split into words by any tokenizer
//! here, so the word index stores each Chinese character as its own token: a phrase of one or two
//! characters (空调) then matches as a substring, and short Latin terms match as word prefixes.

use rusqlite::{Connection, params};

use super::Store;
use crate::domain::JobSummary;
use crate::error::Result;

/// Longest query accepted; longer input is cut (nobody types more into a search box).
const MAX_QUERY_CHARS: usize = 200;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
        | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// The text of the word index: Chinese characters spaced apart, everything else as it is.
fn spaced_cjk(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Rebuilds the search rows of one job from its current data, inside the caller's transaction.
pub(crate) fn reindex_job(conn: &Connection, seq: i64) -> Result<()> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT concat_ws(' ', wo.number, c.name, c.phone, c.alt_phone, s.address, s.city,
                    s.postal_code, s.contact_name, s.contact_phone, e.brand, e.model, e.serial,
                    wo.reported_problem, wo.diagnosis, wo.resolution,
                    (SELECT group_concat(n.body, ' ') FROM notes n WHERE n.job_id = wo.id))
             FROM work_orders wo
             JOIN customers c ON c.id = wo.customer_id
             JOIN sites s ON s.id = wo.site_id
             LEFT JOIN equipment e ON e.id = wo.equipment_id
             WHERE wo.seq = ?1",
        )?
        .query_row([seq], |r| r.get(0))?;
    let text = text.unwrap_or_default();
    write_index(conn, seq, &text, true)
}

/// Writes the index rows for `seq`; `replace` removes the old ones first.
pub(crate) fn write_index(conn: &Connection, seq: i64, text: &str, replace: bool) -> Result<()> {
    if replace {
        conn.prepare_cached("DELETE FROM job_search_trigram WHERE rowid = ?1")?.execute([seq])?;
        conn.prepare_cached("DELETE FROM job_search_words WHERE rowid = ?1")?.execute([seq])?;
    }
    conn.prepare_cached("INSERT INTO job_search_trigram (rowid, body) VALUES (?1, ?2)")?
        .execute(params![seq, text])?;
    conn.prepare_cached("INSERT INTO job_search_words (rowid, body) VALUES (?1, ?2)")?
        .execute(params![seq, spaced_cjk(text)])?;
    Ok(())
}

/// A query split into FTS5 expressions for each index (`None` when that index is not needed).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub trigram: Option<String>,
    pub words: Option<String>,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Turns what a person typed into index queries. Every term must match (AND). Terms of three or
/// more characters go to the trigram index; shorter Chinese runs become phrases of single
/// characters in the word index, and shorter Latin terms become word-prefix queries there.
pub(crate) fn plan(query: &str) -> Plan {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut trigram = Vec::new();
    let mut words = Vec::new();
    for term in query.split_whitespace() {
        // Split a term into runs of Chinese and of everything else: "E21洗衣机" → "E21", "洗衣机".
        let mut runs: Vec<(bool, String)> = Vec::new();
        for c in term.chars() {
            let cjk = is_cjk(c);
            match runs.last_mut() {
                Some((k, s)) if *k == cjk => s.push(c),
                _ => runs.push((cjk, c.to_string())),
            }
        }
        for (cjk, run) in runs {
            let len = run.chars().count();
            if len >= 3 {
                trigram.push(quote(&run));
            } else if cjk {
                let spaced: Vec<String> = run.chars().map(String::from).collect();
                words.push(quote(&spaced.join(" ")));
            } else {
                let cleaned: String = run.chars().filter(|c| c.is_alphanumeric()).collect();
                if !cleaned.is_empty() {
                    words.push(format!("{}*", quote(&cleaned)));
                }
            }
        }
    }
    let join = |v: Vec<String>| if v.is_empty() { None } else { Some(v.join(" AND ")) };
    Plan { trigram: join(trigram), words: join(words) }
}

impl Store {
    /// Jobs matching every term of `query`, most recent first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<JobSummary>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let seqs: Vec<i64> = match plan(query) {
            Plan { trigram: None, words: None } => return Ok(Vec::new()),
            Plan { trigram: Some(t), words: None } => self
                .conn()
                .prepare_cached(
                    "SELECT rowid FROM job_search_trigram WHERE job_search_trigram MATCH ?1
                     ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(params![t, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
            Plan { trigram: None, words: Some(w) } => self
                .conn()
                .prepare_cached(
                    "SELECT rowid FROM job_search_words WHERE job_search_words MATCH ?1
                     ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(params![w, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
            Plan { trigram: Some(t), words: Some(w) } => self
                .conn()
                .prepare_cached(
                    "SELECT rowid FROM job_search_trigram WHERE job_search_trigram MATCH ?1
                     AND rowid IN (SELECT rowid FROM job_search_words WHERE job_search_words MATCH ?2)
                     ORDER BY rowid DESC LIMIT ?3",
                )?
                .query_map(params![t, w, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        };
        self.summaries_by_seq(&seqs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_terms_use_trigrams_and_short_ones_the_word_index() {
        assert_eq!(
            plan("洗衣机 li"),
            Plan { trigram: Some("\"洗衣机\"".into()), words: Some("\"li\"*".into()) }
        );
        assert_eq!(plan("空调").words.as_deref(), Some("\"空 调\""));
        assert_eq!(plan("E21洗衣机").trigram.as_deref(), Some("\"E21\" AND \"洗衣机\""));
    }

    #[test]
    fn quotes_and_operators_are_taken_literally() {
        assert_eq!(plan("a\"b\"c").trigram.as_deref(), Some("\"a\"\"b\"\"c\""));
        assert_eq!(plan("OR").words.as_deref(), Some("\"OR\"*"));
        assert_eq!(plan("- *"), Plan::default());
        assert_eq!(plan("   "), Plan::default());
    }

    #[test]
    fn chinese_characters_are_spaced_for_the_word_index() {
        assert_eq!(spaced_cjk("E21洗衣"), "E21 洗  衣 ");
    }
}
