//! Full-text search over jobs: job numbers, customers, phone numbers, addresses, equipment
//! (brand, model, serial), reported problems and notes. Diagnosis and resolution are not indexed:
//! they are long prose on every finished job, nobody looks a job up by them, and leaving them out
//! keeps the index a third smaller and its build fast.
//!
//! Two contentless FTS5 indexes, one row per job (rowid = `work_orders.seq`):
//! - the *word* index holds all the text, with every Chinese character spaced apart so that it is
//!   a token of its own. Latin words match by prefix (`zha*`), and a Chinese query of any length
//!   matches as a phrase of consecutive characters, i.e. as a substring (洗衣机 in 洗衣机不脱水).
//! - the *trigram* index holds only the tokens that contain a digit (job numbers, serials, models,
//!   fault codes) and every phone number as one run of digits, so a fragment from anywhere inside
//!   them matches (`8000` in `13800080001`, `7700900` in `+44 7700 900123`). Keeping prose out
//!   of it keeps it small and fast to build.
//!
//! Both are computed in SQL by the functions registered in [`register_functions`], so a live
//! update and a bulk load index exactly the same text.
//!
//! The knowledge base's articles have two indexes of their own built the same way
//! (`kb_search_words`, `kb_search_trigram`; see `store/kb.rs`), queried through the same
//! [`plan`]. A term with a digit but shorter than a trigram (`E4`) is a word prefix of the word
//! index, which holds every token, so short fault codes are found too.

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, params};

use super::Store;
use crate::domain::JobSummary;
use crate::error::Result;
use crate::kb::is_cjk;

/// Longest query accepted; longer input is cut (nobody types more into a search box).
const MAX_QUERY_CHARS: usize = 200;

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

/// The text of the trigram index: the whitespace-separated tokens that contain a digit.
fn digit_tokens(text: &str) -> String {
    let mut out = String::new();
    for token in text.split(|c: char| c.is_whitespace() || is_cjk(c) || c == ',' || c == '，') {
        if token.chars().any(|c| c.is_ascii_digit()) {
            out.push_str(token);
            out.push(' ');
        }
    }
    out
}

/// A term made of digits and phone punctuation only, with at least three digits and some
/// punctuation (a bare number is matched as it is).
fn is_phone_like(term: &str) -> bool {
    let digits = term.chars().filter(char::is_ascii_digit).count();
    digits >= 3
        && digits < term.chars().count()
        && term.chars().all(|c| c.is_ascii_digit() || "+-().".contains(c))
}

/// A phone number as one run of digits (`+44 7700 900123` → `447700900123`), so any fragment
/// of it matches however it was typed.
fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The digits-only form of a phone number for the index, or nothing when the number is already
/// written that way (it is then indexed as a token of its own).
fn indexed_phone(phone: &str) -> String {
    let digits = phone_digits(phone);
    if digits == phone.trim() { String::new() } else { digits }
}

/// Registers `fw_words(text)` and `fw_digits(text)` on a connection.
pub(crate) fn register_functions(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("fw_words", 1, flags, |ctx| {
        Ok(spaced_cjk(&ctx.get::<Option<String>>(0)?.unwrap_or_default()))
    })?;
    conn.create_scalar_function("fw_digits", 1, flags, |ctx| {
        Ok(digit_tokens(&ctx.get::<Option<String>>(0)?.unwrap_or_default()))
    })?;
    conn.create_scalar_function("fw_phone", 1, flags, |ctx| {
        Ok(indexed_phone(&ctx.get::<Option<String>>(0)?.unwrap_or_default()))
    })?;
    Ok(())
}

/// The searchable text of the jobs selected by `{where}`.
const JOB_TEXT: &str =
    "SELECT wo.seq AS seq, concat_ws(' ', wo.number, c.name, c.phone, c.alt_phone,
        s.address, s.city, s.postal_code, s.contact_name, s.contact_phone, e.brand, e.model,
        e.serial, wo.reported_problem,
        (SELECT group_concat(n.body, ' ') FROM notes n WHERE n.job_seq = wo.seq)) AS body,
        concat_ws(' ', fw_phone(c.phone), fw_phone(c.alt_phone), fw_phone(s.contact_phone))
          AS phones
     FROM work_orders wo
     JOIN customers c ON c.id = wo.customer_id
     JOIN sites s ON s.id = wo.site_id
     LEFT JOIN equipment e ON e.id = wo.equipment_id";

fn insert_index(conn: &Connection, filter: &str, args: impl rusqlite::Params + Copy) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO job_search_words (rowid, body) SELECT seq, fw_words(body) FROM ({JOB_TEXT} {filter})"
    ))?
    .execute(args)?;
    conn.prepare_cached(&format!(
        "INSERT INTO job_search_trigram (rowid, body)
         SELECT seq, fw_digits(body) || ' ' || phones FROM ({JOB_TEXT} {filter})"
    ))?
    .execute(args)?;
    Ok(())
}

/// Rebuilds the search rows of one job from its current data, inside the caller's transaction.
pub(crate) fn reindex_job(conn: &Connection, seq: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM job_search_trigram WHERE rowid = ?1")?.execute([seq])?;
    conn.prepare_cached("DELETE FROM job_search_words WHERE rowid = ?1")?.execute([seq])?;
    insert_index(conn, "WHERE wo.seq = ?1", [seq])
}

/// Indexes every job that has no search rows yet, in one statement per index (bulk loads).
/// FTS5 flushes its in-memory term hash every megabyte by default; a few megabytes during a bulk
/// load measured fastest here (larger hashes lose more to cache misses than they save in merges).
pub(crate) fn index_jobs_after(conn: &Connection, after_seq: i64) -> Result<()> {
    const DEFAULT_HASH_BYTES: i64 = 1024 * 1024;
    const BULK_HASH_BYTES: i64 = 4 << 20;
    for table in ["job_search_words", "job_search_trigram"] {
        conn.execute(
            &format!("INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?1)"),
            [BULK_HASH_BYTES],
        )?;
    }
    insert_index(conn, "WHERE wo.seq > ?1", [after_seq])?;
    for table in ["job_search_words", "job_search_trigram"] {
        conn.execute(
            &format!("INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?1)"),
            [DEFAULT_HASH_BYTES],
        )?;
    }
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

/// Turns what a person typed into index queries. Every term must match (AND). Chinese runs become
/// phrases of single characters in the word index; terms with a digit (three characters or
/// more) go to the trigram index; other terms are word prefixes.
pub(crate) fn plan(query: &str) -> Plan {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut trigram = Vec::new();
    let mut words = Vec::new();
    for term in query.split_whitespace() {
        // A phone number typed with its punctuation (`+44 7700-900123`) is also looked up by its
        // digits, as phone numbers are indexed; `2026-000123` still finds the job number.
        if is_phone_like(term) {
            trigram.push(format!("({} OR {})", quote(&phone_digits(term)), quote(term)));
            continue;
        }
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
            let has_digit = run.chars().any(|c| c.is_ascii_digit());
            if cjk {
                let spaced: Vec<String> = run.chars().map(String::from).collect();
                words.push(quote(&spaced.join(" ")));
            } else if has_digit && run.chars().count() >= 3 {
                trigram.push(quote(&run));
            } else {
                // Word prefixes: each alphanumeric piece of the term ("o'brien" → o*, brien*).
                for piece in run.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()) {
                    words.push(format!("{}*", quote(piece)));
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
    fn chinese_is_a_phrase_digits_are_trigrams_and_words_are_prefixes() {
        assert_eq!(
            plan("洗衣机 li 8000"),
            Plan {
                trigram: Some("\"8000\"".into()),
                words: Some("\"洗 衣 机\" AND \"li\"*".into())
            }
        );
        assert_eq!(plan("空调").words.as_deref(), Some("\"空 调\""));
        assert_eq!(
            plan("E21洗衣机"),
            Plan { trigram: Some("\"E21\"".into()), words: Some("\"洗 衣 机\"".into()) }
        );
        assert_eq!(plan("77").words.as_deref(), Some("\"77\"*"));
        assert_eq!(
            plan("+447700900123").trigram.as_deref(),
            Some("(\"447700900123\" OR \"+447700900123\")")
        );
        assert_eq!(plan("WO-2026-0001").trigram.as_deref(), Some("\"WO-2026-0001\""));
    }

    #[test]
    fn short_codes_are_word_prefixes_and_longer_fragments_trigrams() {
        // Too short for a trigram: `E4` is looked up as a word of the word index, which holds
        // every token (the knowledge base indexes fault codes there too).
        assert_eq!(plan("E4"), Plan { trigram: None, words: Some("\"E4\"*".into()) });
        assert_eq!(plan("显示E4").words.as_deref(), Some("\"显 示\" AND \"E4\"*"));
        assert_eq!(plan("EA-1"), Plan { trigram: Some("\"EA-1\"".into()), words: None });
        assert_eq!(plan("EG100").trigram.as_deref(), Some("\"EG100\""));
    }

    #[test]
    fn only_tokens_with_digits_reach_the_trigram_index() {
        assert_eq!(
            digit_tokens("Call +44 7700-900123 about KFR-35GW, not Bosch"),
            "+44 7700-900123 KFR-35GW "
        );
        assert_eq!(digit_tokens("洗衣机E21故障"), "E21 ");
        assert_eq!(phone_digits("+44 7700 900123"), "447700900123");
        assert_eq!(indexed_phone("+44 7700 900123"), "447700900123");
        assert_eq!(indexed_phone("13812345678"), "");
    }

    #[test]
    fn quotes_and_operators_are_taken_literally() {
        assert_eq!(plan("a\"1\"c").trigram.as_deref(), Some("\"a\"\"1\"\"c\""));
        assert_eq!(plan("o'brien").words.as_deref(), Some("\"o\"* AND \"brien\"*"));
        assert_eq!(plan("OR").words.as_deref(), Some("\"OR\"*"));
        assert_eq!(plan("- *"), Plan::default());
        assert_eq!(plan("   "), Plan::default());
    }

    #[test]
    fn chinese_characters_are_spaced_for_the_word_index() {
        assert_eq!(spaced_cjk("E21洗衣"), "E21 洗  衣 ");
    }
}
