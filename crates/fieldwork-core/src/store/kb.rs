//! The knowledge base on the device: the published articles head office sends every laptop,
//! searched like the jobs and suggested for a job.
//!
//! An article is kept whole, as head office sent it (`kb_articles.body`, JSON), one row per
//! article at its latest version: a pulled version older than the one held is ignored. Two
//! contentless FTS5 indexes (`kb_search_words`, `kb_search_trigram`; rowid = `kb_articles.seq`)
//! work exactly as the jobs' (see [`super::search`]) and are queried through the same plan.
//!
//! Writing an article stores its row and marks it as not indexed yet (`kb_unindexed`), in the
//! same transaction; everything derived from it — its search rows, its model prefixes, its
//! ranking row (`kb_rank`) and ranking terms (`kb_rank_terms`) — is built afterwards, many
//! articles at a time ([`Store::kb_index_pending`]): the sync engine calls it once a pull is
//! applied, and a search or a suggestion calls it before answering, so an answer never misses an
//! article that is held. A marked article has no derived rows (replacing an indexed one drops
//! them); a crash between the two leaves it marked, to be indexed next time.
//!
//! Which articles fit a job is decided by the domain's rule ([`crate::kb::relevance`]); the store
//! gathers the job's signals, finds through the indexes the only articles the rule could accept
//! (a fault code the job names, a model pattern that could cover its model —
//! `kb_model_prefixes` — or two of its terms, counted in `kb_rank_terms`) and ranks them from
//! their ranking rows, not their bodies ([`relevance_of`], the rule's signals in the rule's
//! order; tests compare it with the domain's ranking of every article).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::Store;
use super::queries::{StoredJob, find_job};
use super::search::{Plan, plan};
use super::sqltime::{Ms, word};
use crate::domain::EquipmentCategory;
use crate::error::{CoreError, Result};
use crate::kb::{self, Article, ArticleContent, JobSignals, Language, PastFix, Relevance};

/// Longest list one query returns.
const MAX_LIMIT: usize = 2_000;

/// What narrows a knowledge-base search besides its words; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct KbFilter {
    /// Only articles about this kind of product.
    pub category: Option<EquipmentCategory>,
    /// Only articles that apply to this brand (ignoring case): those naming it, and those
    /// naming no brand (they apply to every brand of their category).
    pub brand: Option<String>,
}

/// An article's title in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ArticleTitle {
    pub language: Language,
    pub title: String,
}

/// One line of an article list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ArticleSummary {
    pub id: String,
    pub version: i64,
    pub category: EquipmentCategory,
    /// Brands it applies to; empty means any brand of the category.
    pub brands: Vec<String>,
    /// Models or model patterns (`EG100*`) it applies to; empty means every model.
    pub models: Vec<String>,
    pub fault_codes: Vec<String>,
    /// Its title in each language it is written in.
    pub titles: Vec<ArticleTitle>,
    pub updated_at: DateTime<Utc>,
}

impl ArticleSummary {
    pub fn of(a: &Article) -> ArticleSummary {
        let c = &a.content;
        ArticleSummary {
            id: a.id.clone(),
            version: a.version,
            category: c.category,
            brands: c.brands.clone(),
            models: c.models.clone(),
            fault_codes: c.fault_codes.clone(),
            titles: c
                .texts
                .iter()
                .map(|t| ArticleTitle { language: t.language, title: t.title.clone() })
                .collect(),
            updated_at: a.updated_at,
        }
    }

    /// The title to show to someone reading `language`: that language's, else the first.
    pub fn title(&self, language: Language) -> &str {
        self.titles
            .iter()
            .find(|t| t.language == language)
            .or_else(|| self.titles.first())
            .map_or("", |t| t.title.as_str())
    }
}

/// An article suggested for a job, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ArticleSuggestion {
    #[serde(flatten)]
    #[ts(flatten)]
    pub article: ArticleSummary,
    pub relevance: Relevance,
}

/// The text an article is found by: titles, symptoms, causes and steps of every language,
/// brands, models, fault codes (also without their punctuation: `EA-12` as `EA12`) and parts.
fn index_text(a: &Article) -> String {
    let c = &a.content;
    let mut out: Vec<String> = Vec::new();
    for t in &c.texts {
        out.push(t.title.clone());
        out.extend(t.symptoms.iter().cloned());
        out.extend(t.causes.iter().cloned());
        out.extend(t.steps.iter().cloned());
    }
    out.extend(c.brands.iter().cloned());
    out.extend(c.models.iter().cloned());
    for code in &c.fault_codes {
        out.push(code.clone());
        let key = kb::fault_code_key(code);
        if key != *code {
            out.push(key);
        }
    }
    out.extend(c.parts.iter().cloned());
    out.join("\n")
}

/// Stores a pulled past fix (replacing the one with its id).
pub(crate) fn put_past_fix(conn: &Connection, fix: &PastFix) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO past_fixes (id, category, completed_on, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET category = excluded.category,
             completed_on = excluded.completed_on, body = excluded.body",
    )?
    .execute(params![
        fix.id,
        fix.category.map(EquipmentCategory::as_str),
        fix.completed_on.to_string(),
        serde_json::to_string(fix)?
    ])?;
    Ok(())
}

/// Writes `a` unless a newer version of it is held, and marks it to be indexed (its previous
/// version's search and ranking rows are dropped). Returns whether it was written.
pub(crate) fn put_article(conn: &Connection, a: &Article) -> Result<bool> {
    let stored: Option<(i64, i64)> = conn
        .prepare_cached("SELECT seq, version FROM kb_articles WHERE id = ?1")?
        .query_row([&a.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if stored.is_some_and(|(_, version)| version > a.version) {
        return Ok(false);
    }
    let body = serde_json::to_string(a)?;
    // What lists sort by: the body's `$.texts[0].title`.
    let title = a.content.texts.first().map(|t| t.title.as_str());
    let seq = match stored {
        Some((seq, _)) => {
            conn.prepare_cached(
                "UPDATE kb_articles SET version = ?2, category = ?3, body = ?4, updated_at = ?5,
                     title = ?6
                 WHERE seq = ?1",
            )?
            .execute(params![
                seq,
                a.version,
                a.content.category.as_str(),
                body,
                Ms(a.updated_at),
                title
            ])?;
            // A marked article has no derived rows; an indexed one loses those of its old text.
            let marked: bool = conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM kb_unindexed WHERE seq = ?1)")?
                .query_row([seq], |r| r.get(0))?;
            if marked {
                return Ok(true);
            }
            unindex(conn, seq)?;
            seq
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO kb_articles (id, version, category, body, updated_at, title)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                a.id,
                a.version,
                a.content.category.as_str(),
                body,
                Ms(a.updated_at),
                title
            ])?;
            conn.last_insert_rowid()
        }
    };
    conn.prepare_cached("INSERT INTO kb_unindexed (seq) VALUES (?1)")?.execute([seq])?;
    Ok(true)
}

/// Drops an article and its search and ranking rows. Returns whether it was here.
pub(crate) fn remove_article(conn: &Connection, id: &str) -> Result<bool> {
    let found: Option<(i64, bool)> = conn
        .prepare_cached(
            "SELECT a.seq, u.seq IS NOT NULL FROM kb_articles a
             LEFT JOIN kb_unindexed u ON u.seq = a.seq WHERE a.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((seq, marked)) = found else { return Ok(false) };
    if !marked {
        unindex(conn, seq)?;
    }
    // Its mark, if any, goes with it.
    conn.prepare_cached("DELETE FROM kb_articles WHERE seq = ?1")?.execute([seq])?;
    Ok(true)
}

/// Drops the derived rows of an indexed article.
fn unindex(conn: &Connection, seq: i64) -> Result<()> {
    for sql in [
        "DELETE FROM kb_search_words WHERE rowid = ?1",
        "DELETE FROM kb_search_trigram WHERE rowid = ?1",
        "DELETE FROM kb_rank_terms WHERE rowid = ?1",
        "DELETE FROM kb_model_prefixes WHERE seq = ?1",
        "DELETE FROM kb_rank WHERE seq = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([seq])?;
    }
    Ok(())
}

/// Articles indexed per transaction by [`Store::kb_index_pending`]: few enough that another
/// writer (the technician saving a note) waits well under a second, many enough that the indexes
/// are written in large pieces.
const INDEX_CHUNK: usize = 5_000;

/// From this many articles at once, FTS5 keeps a larger term hash in memory before writing a
/// segment (as the jobs' bulk index does: `search::index_jobs_after`); fewer, larger segments
/// are quicker to write than many small ones merged.
const BULK_INDEX: usize = 1_000;
const DEFAULT_HASH_BYTES: i64 = 1024 * 1024;
const BULK_HASH_BYTES: i64 = 4 << 20;
const FTS_TABLES: [&str; 3] = ["kb_search_words", "kb_search_trigram", "kb_rank_terms"];

/// Builds the derived rows of at most `limit` marked articles (lowest `seq` first) and removes
/// their marks, in the caller's transaction. Returns how many were indexed.
pub(crate) fn index_pending(conn: &Connection, limit: usize) -> Result<usize> {
    let pending: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT a.seq, a.body FROM kb_unindexed u JOIN kb_articles a ON a.seq = u.seq
             ORDER BY u.seq LIMIT ?1",
        )?
        .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(&(last, _)) = pending.last() else { return Ok(0) };
    let bulk = pending.len() >= BULK_INDEX;
    if bulk {
        set_hash_size(conn, BULK_HASH_BYTES)?;
    }
    let mut words =
        conn.prepare_cached("INSERT INTO kb_search_words (rowid, body) VALUES (?1, fw_words(?2))")?;
    let mut trigram = conn
        .prepare_cached("INSERT INTO kb_search_trigram (rowid, body) VALUES (?1, fw_digits(?2))")?;
    let mut terms =
        conn.prepare_cached("INSERT INTO kb_rank_terms (rowid, terms) VALUES (?1, ?2)")?;
    let mut rank = conn.prepare_cached(
        "INSERT INTO kb_rank (seq, id, category, title, brands, models, fault_codes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut prefix = conn
        .prepare_cached("INSERT OR IGNORE INTO kb_model_prefixes (seq, prefix) VALUES (?1, ?2)")?;
    for (seq, body) in &pending {
        let a: Article = serde_json::from_str(body)?;
        let c = &a.content;
        let text = index_text(&a);
        words.execute(params![seq, text])?;
        trigram.execute(params![seq, text])?;
        terms.execute(params![seq, rank_tokens(c)])?;
        rank.execute(params![
            seq,
            a.id,
            c.category.as_str(),
            c.texts.first().map(|t| t.title.as_str()),
            serde_json::to_string(&c.brands)?,
            serde_json::to_string(&c.models)?,
            serde_json::to_string(&c.fault_codes)?
        ])?;
        for pattern in &c.models {
            prefix.execute(params![seq, kb::model_pattern_prefix(pattern)])?;
        }
    }
    conn.prepare_cached("DELETE FROM kb_unindexed WHERE seq <= ?1")?.execute([last])?;
    if bulk {
        set_hash_size(conn, DEFAULT_HASH_BYTES)?;
    }
    Ok(pending.len())
}

fn set_hash_size(conn: &Connection, bytes: i64) -> Result<()> {
    for table in FTS_TABLES {
        conn.execute(
            &format!("INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?1)"),
            [bytes],
        )?;
    }
    Ok(())
}

/// The token of a term (one of [`kb::terms`]) of an article of `category` in `kb_rank_terms`.
fn term_token(category: EquipmentCategory, term: &str) -> String {
    format!("t{}_{term}", category.as_str())
}

/// The token of a fault code's key ([`kb::fault_code_key`]) of an article of `category`.
fn code_token(category: EquipmentCategory, key: &str) -> String {
    format!("c{}_{}", category.as_str(), key.to_lowercase())
}

/// An article's row of `kb_rank_terms`: the terms of its titles and symptoms (what the rule
/// compares a job's terms with) and its fault codes' keys, each once.
fn rank_tokens(c: &ArticleContent) -> String {
    // The terms of the lines together are those of each line (a line break ends a word and a
    // run of Chinese, and no phrase left out holds one), found in one pass.
    let lines: Vec<&str> = c
        .texts
        .iter()
        .flat_map(|t| std::iter::once(&t.title).chain(&t.symptoms))
        .map(String::as_str)
        .collect();
    let mut tokens: Vec<String> =
        kb::terms(&lines.join("\n")).iter().map(|term| term_token(c.category, term)).collect();
    tokens
        .extend(c.fault_codes.iter().map(|code| code_token(c.category, &kb::fault_code_key(code))));
    tokens.sort_unstable();
    tokens.dedup();
    tokens.join(" ")
}

/// An FTS5 query for any of `tokens` (each one token of `kb_rank_terms`).
fn any_of(tokens: impl IntoIterator<Item = String>) -> String {
    tokens
        .into_iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// What ranking reads of an article (its `kb_rank` row): the rule's signals besides its kind,
/// which the query has matched already, and its terms, which `kb_rank_terms` has counted.
struct RankRow {
    brands: Vec<String>,
    models: Vec<String>,
    fault_codes: Vec<String>,
}

/// The articles a job could be suggested (`seqs`), and how many of the job's terms each article
/// of its kind holds (`shared`, only when at least one).
struct Candidates {
    seqs: Vec<i64>,
    shared: HashMap<i64, u32>,
}

/// [`kb::relevance`] of an article of the job's kind from its ranking row ([`kb::score`], the
/// domain's rule). `job_codes` are the keys ([`kb::fault_code_key`]) of the codes the job's text
/// names ([`kb::fault_codes_in`]); `shared` is how many of the job's terms ([`kb::terms`]) the
/// article's titles and symptoms hold. Tests compare the suggestions with the domain's ranking of
/// every article (`kb::suggest`).
fn relevance_of(
    article: &RankRow,
    job: &JobSignals,
    job_codes: &[String],
    shared: u32,
) -> Option<Relevance> {
    let facts = kb::RankFacts {
        brands: &article.brands,
        models: &article.models,
        fault_codes: &article.fault_codes,
    };
    kb::score(facts, job, job_codes, shared)
}

/// Lists sort by the first text's title (kept in `kb_articles.title`).
const BY_TITLE: &str = " ORDER BY a.title COLLATE NOCASE, a.id";

fn articles(conn: &Connection, sql: &str, args: Vec<Value>) -> Result<Vec<Article>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let bodies = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies.iter().map(|b| Ok(serde_json::from_str(b)?)).collect()
}

impl Store {
    /// Writes articles straight into the store (the device's demo data), in one transaction:
    /// each is checked and normalised as head office does ([`kb::ArticleContent::normalised`]),
    /// and kept unless a newer version of it is held already.
    pub fn put_kb_articles(&mut self, articles: &[Article]) -> Result<()> {
        let articles = articles
            .iter()
            .map(|a| {
                if a.id.trim().is_empty() {
                    return Err(CoreError::invalid("id", "an article needs an id"));
                }
                Ok(Article { content: a.content.clone().normalised()?, ..a.clone() })
            })
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx| {
            for a in &articles {
                put_article(tx, a)?;
            }
            while index_pending(tx, INDEX_CHUNK)? > 0 {}
            Ok(())
        })
    }

    /// Builds the search and ranking rows of every article written since they were last built
    /// (a pulled page only marks its articles), 5,000 articles per transaction, each article's
    /// rows and the removal of its mark together. Returns how many were indexed. The sync engine
    /// calls it once a pull is applied; searches and suggestions call it before answering, so
    /// they never miss an article held: it costs one look-up when none waits, and otherwise
    /// waits for the write lock like any change (a search during a first sync may take as long as
    /// indexing what has come so far, once).
    pub fn kb_index_pending(&self) -> Result<usize> {
        let mut indexed = 0;
        loop {
            let waiting: bool = self
                .conn()
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM kb_unindexed)")?
                .query_row([], |r| r.get(0))?;
            if !waiting {
                return Ok(indexed);
            }
            let tx =
                rusqlite::Transaction::new_unchecked(self.conn(), TransactionBehavior::Immediate)?;
            let n = index_pending(&tx, INDEX_CHUNK)?;
            tx.commit()?;
            indexed += n;
            if n == 0 {
                return Ok(indexed);
            }
        }
    }

    /// How many articles wait to be indexed ([`Store::kb_index_pending`]).
    pub fn kb_unindexed_count(&self) -> Result<i64> {
        Ok(self.conn().query_row("SELECT count(*) FROM kb_unindexed", [], |r| r.get(0))?)
    }

    /// Articles matching every term of `query` (as job search matches: Chinese anywhere, words
    /// by prefix, fault codes and models from any fragment) and `filter`, by title. An empty
    /// query lists every article the filter lets through.
    pub fn kb_search(
        &self,
        query: &str,
        filter: KbFilter,
        limit: usize,
    ) -> Result<Vec<ArticleSummary>> {
        self.kb_index_pending()?;
        let mut sql = String::from("SELECT a.body FROM kb_articles a WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: Value| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if !query.trim().is_empty() {
            let Plan { trigram, words } = plan(query);
            if trigram.is_none() && words.is_none() {
                return Ok(Vec::new());
            }
            if let Some(t) = trigram {
                arg(
                    &mut sql,
                    " AND a.seq IN (SELECT rowid FROM kb_search_trigram WHERE kb_search_trigram MATCH ?)",
                    Value::Text(t),
                );
            }
            if let Some(w) = words {
                arg(
                    &mut sql,
                    " AND a.seq IN (SELECT rowid FROM kb_search_words WHERE kb_search_words MATCH ?)",
                    Value::Text(w),
                );
            }
        }
        if let Some(c) = filter.category {
            arg(&mut sql, " AND a.category = ?", Value::Text(c.as_str().to_owned()));
        }
        if let Some(brand) = filter.brand.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            arg(
                &mut sql,
                " AND (json_array_length(a.body, '$.brands') = 0 OR EXISTS (SELECT 1
                   FROM json_each(a.body, '$.brands') b WHERE lower(b.value) = lower(?)))",
                Value::Text(brand.to_owned()),
            );
        }
        sql.push_str(BY_TITLE);
        let limit = i64::try_from(limit.clamp(1, MAX_LIMIT)).unwrap_or(1);
        arg(&mut sql, " LIMIT ?", Value::Integer(limit));
        Ok(articles(self.conn(), &sql, args)?.iter().map(ArticleSummary::of).collect())
    }

    /// One article, whole.
    pub fn kb_article(&self, id: &str) -> Result<Article> {
        let key = id.trim();
        let body: Option<String> = self
            .conn()
            .prepare_cached("SELECT body FROM kb_articles WHERE id IN (?1, lower(?1))")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        match body {
            Some(b) => Ok(serde_json::from_str(&b)?),
            None => Err(CoreError::not_found("article", key.chars().take(80).collect::<String>())),
        }
    }

    /// What is known of a job for suggesting articles: its equipment's kind, brand and model,
    /// and its reported problem, diagnosis and notes.
    fn job_signals(&self, job: &StoredJob) -> Result<JobSignals> {
        let conn = self.conn();
        let equipment: Option<(EquipmentCategory, String, String)> = match &job.order.equipment_id {
            Some(id) => conn
                .prepare_cached("SELECT category, brand, model FROM equipment WHERE id = ?1")?
                .query_row([id], |r| Ok((word(r, 0)?, r.get(1)?, r.get(2)?)))
                .optional()?,
            None => None,
        };
        let mut text = vec![job.order.reported_problem.clone()];
        text.extend(job.order.diagnosis.clone());
        let notes = conn
            .prepare_cached("SELECT body FROM notes WHERE job_seq = ?1 ORDER BY created_at, id")?
            .query_map([job.seq], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        text.extend(notes);
        let (category, brand, model) = match equipment {
            Some((c, b, m)) => (Some(c), Some(b), Some(m)),
            None => (None, None, None),
        };
        Ok(JobSignals { category, brand, model, text: text.join("\n") })
    }

    /// The articles that fit a job (its id or number), best first, with why; at most `limit`.
    /// The rule is the domain's ([`kb::relevance`], ranked as [`kb::suggest`] ranks); equal
    /// scores keep title order.
    pub fn kb_suggestions(&self, job: &str, limit: usize) -> Result<Vec<ArticleSuggestion>> {
        let stored = find_job(self.conn(), job)?;
        let signals = self.job_signals(&stored)?;
        self.kb_index_pending()?;
        let candidates = self.suggestion_candidates(&signals)?;
        self.rank_suggestions(&signals, &candidates, limit)
    }

    /// The only articles the rule could accept for a job, found in the indexes: those of its kind
    /// explaining a fault code its text names, those with a model pattern that could cover its
    /// model, and those of its kind holding at least two of its terms ([`kb::terms`]) — the rule
    /// refuses every other article, whatever its score. Also how many of its terms each article
    /// of its kind holds, when at least one.
    fn suggestion_candidates(&self, signals: &JobSignals) -> Result<Candidates> {
        let conn = self.conn();
        let kinds: &[EquipmentCategory] = match &signals.category {
            Some(c) => std::slice::from_ref(c),
            None => EquipmentCategory::ALL,
        };
        let mut matching =
            conn.prepare_cached("SELECT rowid FROM kb_rank_terms WHERE kb_rank_terms MATCH ?1")?;
        let mut seqs: Vec<i64> = Vec::new();
        let codes: Vec<String> = kb::fault_codes_in(&signals.text)
            .iter()
            .flat_map(|code| {
                let key = kb::fault_code_key(code);
                kinds.iter().map(move |&k| code_token(k, &key))
            })
            .collect();
        if !codes.is_empty() {
            let hits = matching.query_map([any_of(codes)], |r| r.get::<_, i64>(0))?;
            seqs.extend(hits.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        let mut shared: HashMap<i64, u32> = HashMap::new();
        for term in kb::terms(&signals.text) {
            let query = any_of(kinds.iter().map(|&k| term_token(k, &term)));
            for seq in matching.query_map([query], |r| r.get::<_, i64>(0))? {
                *shared.entry(seq?).or_default() += 1;
            }
        }
        seqs.extend(shared.iter().filter(|&(_, &n)| n >= 2).map(|(&seq, _)| seq));
        if let Some(model) = signals.model.as_deref() {
            let starts = serde_json::to_string(&kb::model_key_prefixes(model))?;
            let hits = conn
                .prepare_cached(
                    "SELECT seq FROM kb_model_prefixes
                     WHERE prefix IN (SELECT value FROM json_each(?1))",
                )?
                .query_map([starts], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            seqs.extend(hits);
        }
        seqs.sort_unstable();
        seqs.dedup();
        Ok(Candidates { seqs, shared })
    }

    /// Ranks `candidates` of the job's kind by the rule, from their ranking rows; equal scores
    /// keep title order. Only the suggested articles are then read whole.
    fn rank_suggestions(
        &self,
        signals: &JobSignals,
        candidates: &Candidates,
        limit: usize,
    ) -> Result<Vec<ArticleSuggestion>> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 || candidates.seqs.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT seq, id, brands, models, fault_codes FROM kb_rank
             WHERE seq IN (SELECT value FROM json_each(?1))",
        );
        let mut args = vec![Value::Text(serde_json::to_string(&candidates.seqs)?)];
        if let Some(c) = signals.category {
            args.push(Value::Text(c.as_str().to_owned()));
            sql.push_str(" AND category = ?2");
        }
        sql.push_str(" ORDER BY title COLLATE NOCASE, id");
        let job_codes: Vec<String> =
            kb::fault_codes_in(&signals.text).iter().map(|c| kb::fault_code_key(c)).collect();
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut found: Vec<(String, Relevance)> = Vec::new();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let shared = candidates.shared.get(&seq).copied().unwrap_or(0);
            let list = |i: usize| -> Result<Vec<String>> {
                let text = row.get_ref(i)?.as_str().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
                })?;
                Ok(serde_json::from_str(text)?)
            };
            let article = RankRow { brands: list(2)?, models: list(3)?, fault_codes: list(4)? };
            if let Some(relevance) = relevance_of(&article, signals, &job_codes, shared) {
                found.push((row.get(1)?, relevance));
            }
        }
        // As `kb::suggest`: best first, ties in the order read (by title).
        found.sort_by_key(|f| std::cmp::Reverse(f.1.score));
        found.truncate(limit);
        found
            .into_iter()
            .map(|(id, relevance)| {
                Ok(ArticleSuggestion {
                    article: ArticleSummary::of(&self.kb_article(&id)?),
                    relevance,
                })
            })
            .collect()
    }

    /// The team's past fixes that fit a job (its id or number): the same kind of product, and
    /// the same model or a fault code it names on the same brand; best first, at most `limit`.
    /// The rule is the domain's ([`kb::similar_fixes`]).
    pub fn similar_fixes(&self, job: &str, limit: usize) -> Result<Vec<PastFix>> {
        let stored = find_job(self.conn(), job)?;
        let signals = self.job_signals(&stored)?;
        let Some(category) = signals.category else {
            // Without equipment there is no model or brand to compare.
            return Ok(Vec::new());
        };
        let fixes: Vec<PastFix> = self
            .conn()
            .prepare_cached("SELECT body FROM past_fixes WHERE category = ?1")?
            .query_map([category.as_str()], |r| r.get::<_, String>(0))?
            .map(|body| Ok(serde_json::from_str::<PastFix>(&body?)?))
            .collect::<Result<_>>()?;
        Ok(kb::similar_fixes(&fixes, &signals, limit.min(MAX_LIMIT)).into_iter().cloned().collect())
    }

    /// How many articles the store holds.
    pub fn kb_article_count(&self) -> Result<i64> {
        Ok(self.conn().query_row("SELECT count(*) FROM kb_articles", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{Customer, Equipment, JobType, Priority, Site};
    use crate::error_code::ErrorCode;
    use crate::hlc::Hlc;
    use crate::kb::{ArticleContent, ArticleStatus, ArticleText, MatchReason};
    use crate::store::NewWorkOrder;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).single().unwrap()
    }

    fn text(language: Language, title: &str, symptoms: &[&str], steps: &[&str]) -> ArticleText {
        ArticleText {
            language,
            title: title.into(),
            symptoms: symptoms.iter().map(|s| (*s).into()).collect(),
            causes: vec![],
            steps: steps.iter().map(|s| (*s).into()).collect(),
            warnings: vec![],
        }
    }

    struct Spec<'a> {
        id: &'a str,
        category: EquipmentCategory,
        brands: &'a [&'a str],
        models: &'a [&'a str],
        codes: &'a [&'a str],
        texts: Vec<ArticleText>,
    }

    fn article(s: Spec<'_>, version: i64) -> Article {
        let list = |l: &[&str]| l.iter().map(|x| (*x).to_owned()).collect();
        Article {
            id: s.id.into(),
            version,
            status: ArticleStatus::Published,
            content: ArticleContent {
                category: s.category,
                brands: list(s.brands),
                models: list(s.models),
                fault_codes: list(s.codes),
                parts: vec!["WM-PUMP-220".into()],
                photos: vec![],
                texts: s.texts,
            },
            author: "Li Supervisor".into(),
            reviewer: Some("Admin".into()),
            updated_at: at(version.try_into().unwrap()),
            published_at: Some(at(version.try_into().unwrap())),
        }
    }

    /// A washer that does not spin (E21, Haier EG100 family), a water heater showing E4, a
    /// dishwasher with EA-12, and a generic washing-machine article for every brand.
    fn library() -> Vec<Article> {
        vec![
            article(
                Spec {
                    id: "kb-washer-spin",
                    category: EquipmentCategory::WashingMachine,
                    brands: &["Haier"],
                    models: &["EG100*"],
                    codes: &["E21"],
                    texts: vec![
                        text(
                            Language::English,
                            "Drum does not spin, E21 shown",
                            &["drum does not spin", "water stays in the drum"],
                            &["Isolate the power.", "Clear the drain filter."],
                        ),
                        text(
                            Language::Chinese,
                            "洗衣机不脱水，显示E21",
                            &["洗衣机不脱水", "桶里有积水"],
                            &["断电。", "清理排水过滤器。"],
                        ),
                    ],
                },
                1,
            ),
            article(
                Spec {
                    id: "kb-heater-e4",
                    category: EquipmentCategory::WaterHeater,
                    brands: &["Midea"],
                    models: &["F60-21WB1"],
                    codes: &["E4"],
                    texts: vec![text(
                        Language::Chinese,
                        "热水器显示E4：出水温度过高",
                        &["热水器不出热水"],
                        &["检查温度传感器。"],
                    )],
                },
                1,
            ),
            article(
                Spec {
                    id: "kb-dishwasher-ea12",
                    category: EquipmentCategory::Dishwasher,
                    brands: &["Bosch"],
                    models: &["SMS6ZCI00E"],
                    codes: &["EA-12"],
                    texts: vec![text(
                        Language::English,
                        "Dishwasher stops with EA-12",
                        &["stops mid-cycle"],
                        &["Check the water inlet."],
                    )],
                },
                1,
            ),
            article(
                Spec {
                    id: "kb-washer-noise",
                    category: EquipmentCategory::WashingMachine,
                    brands: &[],
                    models: &[],
                    codes: &[],
                    texts: vec![text(
                        Language::English,
                        "A noisy drum when spinning",
                        &["loud drum noise when spinning", "rattling"],
                        &["Check the transit bolts were removed."],
                    )],
                },
                1,
            ),
        ]
    }

    fn store_with_library() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        store.put_kb_articles(&library()).unwrap();
        store
    }

    fn ids(found: &[ArticleSummary]) -> Vec<&str> {
        found.iter().map(|a| a.id.as_str()).collect()
    }

    fn search(store: &Store, query: &str) -> Vec<String> {
        store.kb_search(query, KbFilter::default(), 50).unwrap().into_iter().map(|a| a.id).collect()
    }

    fn index_rows(store: &Store, seq: i64) -> i64 {
        let mut n = 0;
        for table in FTS_TABLES {
            // A contentless table answers rowid look-ups from its index alone.
            n += store
                .conn()
                .query_row(&format!("SELECT count(*) FROM {table} WHERE rowid = ?1"), [seq], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap();
        }
        n
    }

    #[test]
    fn chinese_is_found_anywhere_in_a_title_or_symptom() {
        let store = store_with_library();
        assert_eq!(search(&store, "不脱水"), ["kb-washer-spin"]);
        assert_eq!(search(&store, "积水"), ["kb-washer-spin"]);
        assert_eq!(search(&store, "热水"), ["kb-heater-e4"]);
        assert!(search(&store, "冰箱").is_empty());
    }

    #[test]
    fn fault_codes_match_whole_and_from_fragments() {
        let store = store_with_library();
        assert_eq!(search(&store, "E4"), ["kb-heater-e4"]);
        assert_eq!(search(&store, "e4"), ["kb-heater-e4"], "codes ignore case");
        assert_eq!(search(&store, "EA-1"), ["kb-dishwasher-ea12"]);
        assert_eq!(search(&store, "EA-12"), ["kb-dishwasher-ea12"]);
        assert_eq!(search(&store, "EA12"), ["kb-dishwasher-ea12"], "without its dash");
        assert_eq!(search(&store, "E21"), ["kb-washer-spin"]);
        assert_eq!(search(&store, "E21 不脱水"), ["kb-washer-spin"]);
        assert!(search(&store, "E9").is_empty());
    }

    #[test]
    fn models_and_part_numbers_match_from_fragments() {
        let store = store_with_library();
        assert_eq!(search(&store, "EG100"), ["kb-washer-spin"]);
        assert_eq!(search(&store, "F60-21"), ["kb-heater-e4"]);
        assert_eq!(search(&store, "ZCI00"), ["kb-dishwasher-ea12"]);
        assert_eq!(search(&store, "PUMP-220").len(), 4);
    }

    #[test]
    fn brands_and_english_words_match_by_prefix() {
        let store = store_with_library();
        assert_eq!(search(&store, "haier"), ["kb-washer-spin"]);
        assert_eq!(search(&store, "Bos"), ["kb-dishwasher-ea12"]);
        // Every term must match; results come by title.
        assert_eq!(search(&store, "drum"), ["kb-washer-noise", "kb-washer-spin"]);
        assert_eq!(search(&store, "drum rattl"), ["kb-washer-noise"]);
        assert!(search(&store, "- *").is_empty());
    }

    #[test]
    fn filters_narrow_a_search_and_an_empty_query_lists_by_title() {
        let store = store_with_library();
        let washers = KbFilter { category: Some(EquipmentCategory::WashingMachine), brand: None };
        let all = store.kb_search("", washers.clone(), 50).unwrap();
        assert_eq!(ids(&all), ["kb-washer-noise", "kb-washer-spin"]);
        assert_eq!(all[1].title(Language::Chinese), "洗衣机不脱水，显示E21");
        assert_eq!(all[1].title(Language::English), "Drum does not spin, E21 shown");
        assert_eq!(all[1].fault_codes, ["E21"]);
        assert_eq!(all[1].brands, ["Haier"]);

        let found = store.kb_search("E4", washers.clone(), 50).unwrap();
        assert!(found.is_empty(), "E4 is a water heater's code: {found:?}");

        // A brand lets through the articles naming it and those for any brand.
        let haier = KbFilter { brand: Some("HAIER".into()), ..washers };
        assert_eq!(
            ids(&store.kb_search("", haier, 50).unwrap()),
            ["kb-washer-noise", "kb-washer-spin"]
        );
        let bosch = KbFilter { category: None, brand: Some("Bosch".into()) };
        assert_eq!(
            ids(&store.kb_search("", bosch, 50).unwrap()),
            ["kb-washer-noise", "kb-dishwasher-ea12"]
        );
        assert_eq!(store.kb_search("", KbFilter::default(), 2).unwrap().len(), 2);
        assert_eq!(store.kb_search("", KbFilter::default(), 50).unwrap().len(), 4);
    }

    #[test]
    fn an_article_is_read_whole_and_an_unknown_one_is_not_found() {
        let store = store_with_library();
        let a = store.kb_article(" kb-washer-spin ").unwrap();
        assert_eq!(a, library()[0]);
        let err = store.kb_article("kb-nothing").unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
        assert!(err.to_string().contains("kb-nothing"), "{err}");
    }

    #[test]
    fn written_articles_are_checked_and_normalised_like_head_office_does() {
        let mut store = Store::open_in_memory().unwrap();
        let mut a = library().remove(0);
        a.content.fault_codes = vec![" e21 ".into()];
        store.put_kb_articles(std::slice::from_ref(&a)).unwrap();
        assert_eq!(store.kb_article(&a.id).unwrap().content.fault_codes, ["E21"]);

        let mut untitled = library().remove(1);
        untitled.content.texts[0].title = " ".into();
        let err = store.put_kb_articles(&[library().remove(2), untitled]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Invalid);
        assert_eq!(store.kb_article_count().unwrap(), 1, "all or nothing");
    }

    fn apply(store: &mut Store, f: impl FnOnce(&super::super::remote::RemoteApply<'_>)) {
        let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
        f(&batch);
        batch.commit(1).unwrap();
    }

    fn seq_of(store: &Store, id: &str) -> i64 {
        store
            .conn()
            .query_row("SELECT seq FROM kb_articles WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_pulled_article_replaces_an_older_version_and_an_older_one_is_ignored() {
        let mut store = Store::open_in_memory().unwrap();
        let v2 = article(
            Spec {
                id: "kb-1",
                category: EquipmentCategory::Refrigerator,
                brands: &[],
                models: &["BCD-470*"],
                codes: &["F5"],
                texts: vec![text(
                    Language::English,
                    "Fridge not cooling",
                    &["warm"],
                    &["Defrost."],
                )],
            },
            2,
        );
        apply(&mut store, |b| assert!(b.kb_article(&v2).unwrap()));
        assert_eq!(search(&store, "cooling"), ["kb-1"]);

        let mut v1 = v2.clone();
        v1.version = 1;
        v1.content.texts[0].title = "Old title".into();
        apply(&mut store, |b| assert!(!b.kb_article(&v1).unwrap(), "older: ignored"));
        assert_eq!(store.kb_article("kb-1").unwrap(), v2);
        assert!(search(&store, "old").is_empty());

        let mut v3 = v2.clone();
        v3.version = 3;
        v3.content.fault_codes = vec!["F6".into()];
        v3.content.texts[0].title = "Fridge freezes food".into();
        apply(&mut store, |b| assert!(b.kb_article(&v3).unwrap()));
        assert_eq!(store.kb_article("kb-1").unwrap(), v3);
        assert_eq!(search(&store, "freez"), ["kb-1"]);
        assert!(search(&store, "cooling").is_empty(), "the old text is no longer indexed");
        assert!(search(&store, "F5").is_empty());
        assert_eq!(search(&store, "F6"), ["kb-1"]);
        assert_eq!(index_rows(&store, seq_of(&store, "kb-1")), 3, "one row in each index");
        assert_eq!(store.kb_article_count().unwrap(), 1);
    }

    #[test]
    fn a_withdrawn_article_leaves_the_results_and_the_index() {
        let mut store = store_with_library();
        let seq = seq_of(&store, "kb-heater-e4");
        assert_eq!(index_rows(&store, seq), 3);
        apply(&mut store, |b| {
            assert!(b.kb_article_removed("kb-heater-e4").unwrap());
            assert!(!b.kb_article_removed("kb-never-here").unwrap());
        });
        assert!(search(&store, "E4").is_empty());
        assert!(search(&store, "热水").is_empty());
        assert!(search(&store, "F60-21").is_empty());
        assert_eq!(index_rows(&store, seq), 0, "its search rows are gone");
        assert_eq!(store.kb_article("kb-heater-e4").unwrap_err().code(), ErrorCode::NotFound);
        assert_eq!(store.kb_article_count().unwrap(), 3);
    }

    #[test]
    fn an_uncommitted_page_leaves_the_articles_as_they_were() {
        let mut store = store_with_library();
        {
            let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
            batch.kb_article_removed("kb-washer-spin").unwrap();
        }
        assert_eq!(search(&store, "不脱水"), ["kb-washer-spin"]);
    }

    /// A store holding `library()` and one job on a Haier washing machine, reported as `problem`.
    fn job_on_a_washer(problem: &str) -> (Store, String) {
        let mut store = store_with_library();
        let w = store.seed_writer().unwrap();
        w.customer(&Customer {
            id: "c1".into(),
            name: "Customer".into(),
            phone: "100".into(),
            alt_phone: None,
            email: None,
            created_at: at(1),
        })
        .unwrap();
        w.site(&Site {
            id: "s1".into(),
            customer_id: "c1".into(),
            address: "1 Road".into(),
            city: "Town".into(),
            postal_code: None,
            access_notes: None,
            contact_name: None,
            contact_phone: None,
        })
        .unwrap();
        w.equipment(&Equipment {
            id: "e1".into(),
            site_id: "s1".into(),
            category: EquipmentCategory::WashingMachine,
            brand: "Haier".into(),
            model: "EG100MATE2S".into(),
            serial: "SN1".into(),
            purchased_on: None,
            installed_on: None,
            warranty_end: None,
        })
        .unwrap();
        w.job_type(&JobType {
            id: "t-repair".into(),
            code: "repair".into(),
            name: "Repair".into(),
            name_zh: "维修".into(),
            required_photo_kinds: vec![],
            checklist: vec![],
        })
        .unwrap();
        w.commit().unwrap();
        let order = store
            .create_work_order(NewWorkOrder {
                job_type_code: "repair".into(),
                priority: Priority::Normal,
                customer_id: "c1".into(),
                site_id: "s1".into(),
                equipment_id: Some("e1".into()),
                reported_problem: problem.into(),
                reported_at: None,
                return_of: None,
                goodwill: false,
            })
            .unwrap();
        (store, order.id)
    }

    #[test]
    fn a_job_naming_a_fault_code_gets_the_article_explaining_it_first() {
        let (store, job) = job_on_a_washer("洗衣机不脱水，显示E21故障码");
        let found = store.kb_suggestions(&job, 10).unwrap();
        let got: Vec<&str> = found.iter().map(|s| s.article.id.as_str()).collect();
        assert_eq!(got, ["kb-washer-spin"], "other kinds of product never: {found:#?}");
        let reasons = &found[0].relevance.reasons;
        assert!(reasons.contains(&MatchReason::FaultCode { code: "E21".into() }), "{reasons:?}");
        assert!(reasons.contains(&MatchReason::Model { model: "EG100*".into() }), "{reasons:?}");
        assert!(reasons.contains(&MatchReason::Brand { brand: "Haier".into() }), "{reasons:?}");

        // By job number too; the limit cuts the list.
        let number: String = store
            .conn()
            .query_row("SELECT number FROM work_orders WHERE id = ?1", [&job], |r| r.get(0))
            .unwrap();
        assert_eq!(store.kb_suggestions(&number, 10).unwrap(), found);
        assert!(store.kb_suggestions(&job, 0).unwrap().is_empty());
    }

    #[test]
    fn without_a_code_the_words_of_the_job_and_its_notes_count() {
        let (mut store, job) = job_on_a_washer("It makes a noise");
        // One shared word ("noise") is not enough; the note adds "drum" and "spinning".
        assert!(
            store
                .kb_suggestions(&job, 10)
                .unwrap()
                .iter()
                .all(|s| s.article.id != "kb-washer-noise")
        );
        store.add_note(&job, "The drum rattles when spinning").unwrap();
        let found = store.kb_suggestions(&job, 10).unwrap();
        let got: Vec<&str> = found.iter().map(|s| s.article.id.as_str()).collect();
        assert_eq!(got, ["kb-washer-spin", "kb-washer-noise"], "model first: {found:#?}");
        assert!(found[0].relevance.score > found[1].relevance.score);
    }

    #[test]
    fn suggestions_for_an_unknown_job_are_not_found() {
        let store = store_with_library();
        let err = store.kb_suggestions("WO-2026-999999", 5).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
    }

    #[test]
    fn a_wiped_device_keeps_no_article() {
        let mut store = store_with_library();
        // One indexed, one waiting to be.
        let mut v2 = library().remove(1);
        v2.version = 2;
        apply(&mut store, |b| assert!(b.kb_article(&v2).unwrap()));
        store.wipe_local_data("revoked").unwrap();
        assert_eq!(store.kb_article_count().unwrap(), 0);
        assert_eq!(store.kb_unindexed_count().unwrap(), 0);
        assert!(search(&store, "E4").is_empty());
        for table in ["kb_rank", "kb_model_prefixes"] {
            let n: i64 = store
                .conn()
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 0, "{table}");
        }
        // Articles written afterwards take the row numbers again, and nothing of the old ones
        // is counted for them.
        let mut other = library().remove(3);
        other.id = "kb-after".into();
        store.put_kb_articles(&[other]).unwrap();
        assert_eq!(seq_of(&store, "kb-after"), 1);
        assert_eq!(index_rows(&store, 1), 3);
        assert!(search(&store, "不脱水").is_empty());
        assert_eq!(search(&store, "rattl"), ["kb-after"]);
        let signals = JobSignals {
            category: Some(EquipmentCategory::WashingMachine),
            brand: Some("Haier".into()),
            model: Some("EG100MATE2S".into()),
            text: "洗衣机不脱水，桶里有积水 drum spin".into(),
        };
        assert_narrowing_keeps(&store, &signals);
    }

    #[test]
    fn a_pulled_page_only_marks_its_articles_and_a_search_indexes_them_before_answering() {
        let mut store = Store::open_in_memory().unwrap();
        apply(&mut store, |b| {
            for a in &library() {
                assert!(b.kb_article(a).unwrap());
            }
        });
        assert_eq!(store.kb_unindexed_count().unwrap(), 4);
        let seq = seq_of(&store, "kb-washer-spin");
        assert_eq!(index_rows(&store, seq), 0, "marked, not indexed");
        // Whatever asks first gets every article held.
        assert_eq!(search(&store, "不脱水"), ["kb-washer-spin"]);
        assert_eq!(store.kb_unindexed_count().unwrap(), 0);
        assert_eq!(index_rows(&store, seq), 3);
        assert_eq!(store.kb_index_pending().unwrap(), 0, "nothing left");

        // Suggestions index first too.
        let (mut store, job) = job_on_a_washer("洗衣机不脱水，显示E21故障码");
        let mut v2 = library().remove(0);
        v2.version = 2;
        v2.content.fault_codes = vec!["E22".into()];
        apply(&mut store, |b| assert!(b.kb_article(&v2).unwrap()));
        assert_eq!(store.kb_unindexed_count().unwrap(), 1);
        assert!(store.kb_suggestions(&job, 10).unwrap().is_empty(), "explains E22 now");
        assert_eq!(store.kb_unindexed_count().unwrap(), 0);
    }

    #[test]
    fn a_page_applied_but_not_indexed_is_kept_through_a_restart_and_indexed_then() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::init(dir.path()).unwrap();
            apply(&mut store, |b| {
                for a in &library() {
                    b.kb_article(a).unwrap();
                }
            });
            // Closed before anything indexed them (the process ended).
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.kb_unindexed_count().unwrap(), 4);
        assert!(store.check(false).unwrap().ok);
        assert_eq!(search(&store, "E21"), ["kb-washer-spin"]);
        assert_eq!(search(&store, "F60-21"), ["kb-heater-e4"]);
        assert_eq!(store.kb_unindexed_count().unwrap(), 0);
        assert!(store.check(false).unwrap().ok);
    }

    /// Every FTS5 index of the knowledge base is consistent, and no search or ranking row
    /// belongs to an article not held or still marked.
    fn assert_no_stale_rows(store: &Store) {
        for table in FTS_TABLES {
            store
                .conn()
                .execute_batch(&format!("INSERT INTO {table} ({table}) VALUES ('integrity-check')"))
                .unwrap();
        }
        let seqs: Vec<(i64, bool)> = store
            .conn()
            .prepare(
                "SELECT a.seq, u.seq IS NOT NULL FROM kb_articles a
                 LEFT JOIN kb_unindexed u ON u.seq = a.seq",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let max = seqs.iter().map(|s| s.0).max().unwrap_or(0) + 5;
        for seq in 1..=max {
            let held = seqs.iter().find(|s| s.0 == seq);
            let expected = match held {
                Some((_, false)) => 3,
                _ => 0,
            };
            assert_eq!(index_rows(store, seq), expected, "seq {seq}: {held:?}");
            let rank: i64 = store
                .conn()
                .query_row("SELECT count(*) FROM kb_rank WHERE seq = ?1", [seq], |r| r.get(0))
                .unwrap();
            assert_eq!(rank, expected / 3, "seq {seq}");
        }
        assert!(store.check(false).unwrap().ok);
    }

    #[test]
    fn an_article_replaced_or_withdrawn_before_or_after_it_is_indexed_leaves_no_stale_rows() {
        let mut store = store_with_library();
        assert_no_stale_rows(&store);
        let mut spin = library().remove(0);
        let mut heater = library().remove(1);
        // Indexed, then replaced twice in one page and once more in the next, before indexing.
        for version in [2, 3] {
            spin.version = version;
            spin.content.texts[0].title = format!("Drum stuck, version {version}");
            apply(&mut store, |b| assert!(b.kb_article(&spin).unwrap()));
        }
        spin.version = 4;
        spin.content.texts[0].title = "Drum locked solid".into();
        apply(&mut store, |b| assert!(b.kb_article(&spin).unwrap()));
        assert_no_stale_rows(&store);
        // A new article withdrawn before it was indexed; an indexed one withdrawn.
        let mut fresh = library().remove(2);
        fresh.id = "kb-fresh".into();
        apply(&mut store, |b| assert!(b.kb_article(&fresh).unwrap()));
        apply(&mut store, |b| {
            assert!(b.kb_article_removed("kb-fresh").unwrap());
            assert!(b.kb_article_removed("kb-washer-noise").unwrap());
        });
        assert_no_stale_rows(&store);
        assert_eq!(store.kb_index_pending().unwrap(), 1);
        assert_no_stale_rows(&store);
        assert_eq!(search(&store, "locked"), ["kb-washer-spin"]);
        assert!(search(&store, "stuck").is_empty());
        assert!(search(&store, "rattl").is_empty());
        // Replaced after it was indexed, then indexed by a search.
        heater.version = 2;
        heater.content.fault_codes = vec!["E5".into()];
        apply(&mut store, |b| assert!(b.kb_article(&heater).unwrap()));
        assert_eq!(search(&store, "E5"), ["kb-heater-e4"]);
        assert_no_stale_rows(&store);
    }

    #[test]
    fn an_article_s_ranking_tokens_are_the_terms_of_each_title_and_symptom_and_its_codes() {
        for c in fieldwork_domain::seed::kb::demo_articles() {
            let mut each: Vec<String> = Vec::new();
            for t in &c.texts {
                for line in std::iter::once(&t.title).chain(&t.symptoms) {
                    each.extend(kb::terms(line).iter().map(|term| term_token(c.category, term)));
                }
            }
            for code in &c.fault_codes {
                each.push(code_token(c.category, &kb::fault_code_key(code)));
            }
            each.sort_unstable();
            each.dedup();
            assert_eq!(rank_tokens(&c), each.join(" "), "{:?}", c.texts[0].title);
        }
    }

    #[test]
    fn terms_of_any_script_narrow_suggestions_exactly() {
        let mut store = Store::open_in_memory().unwrap();
        let mut a = library().remove(3);
        a.content.texts = vec![text(
            Language::English,
            "Trommel dreht nicht: Pumpe läuft, Lüfter rattert",
            &["Trommel bleibt stehen", "Geräusch beim Schleudern"],
            &["Transportsicherung prüfen."],
        )];
        store.put_kb_articles(&[a]).unwrap();
        let signals = JobSignals {
            category: Some(EquipmentCategory::WashingMachine),
            brand: None,
            model: None,
            text: "Die Trommel dreht nicht, der Lüfter läuft laut".into(),
        };
        assert_narrowing_keeps(&store, &signals);
        let candidates = store.suggestion_candidates(&signals).unwrap();
        let found = store.rank_suggestions(&signals, &candidates, 5).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].relevance.reasons.contains(&MatchReason::Words { count: 5 }), "{found:?}");
    }

    fn past_fix(id: &str, model: &str, codes: &[&str], day: u32) -> PastFix {
        PastFix {
            id: id.into(),
            category: Some(EquipmentCategory::WashingMachine),
            brand: Some("Haier".into()),
            model: Some(model.into()),
            fault_codes: codes.iter().map(|c| (*c).into()).collect(),
            problem: "Won't spin".into(),
            diagnosis: Some("Drain pump blocked by a coin".into()),
            resolution: "Cleared the pump filter".into(),
            parts: vec![],
            first_time_fix: true,
            completed_on: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        }
    }

    #[test]
    fn the_team_s_past_fixes_of_the_model_or_code_are_offered_and_removed_when_reopened() {
        let (mut store, job) = job_on_a_washer("Won't spin, shows E21");
        {
            let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
            batch.past_fix(&past_fix("f-model", "EG100MATE2S", &["E30"], 3)).unwrap();
            batch.past_fix(&past_fix("f-code", "XQG100-B12026", &["E21"], 2)).unwrap();
            batch.past_fix(&past_fix("f-none", "XQG100-B12026", &["E30"], 9)).unwrap();
            let mut fridge = past_fix("f-fridge", "EG100MATE2S", &["E21"], 9);
            fridge.category = Some(EquipmentCategory::Refrigerator);
            batch.past_fix(&fridge).unwrap();
            batch.commit(1).unwrap();
        }
        let ids = |store: &Store| -> Vec<String> {
            store.similar_fixes(&job, 10).unwrap().into_iter().map(|f| f.id).collect()
        };
        assert_eq!(ids(&store), ["f-code", "f-model"]);
        // A changed fix replaces the one with its id; a reopened job's is dropped.
        {
            let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
            batch.past_fix(&past_fix("f-model", "EG100MATE2S", &["E21"], 4)).unwrap();
            batch.past_fix_removed("f-code").unwrap();
            batch.commit(2).unwrap();
        }
        let fixes = store.similar_fixes(&job, 10).unwrap();
        assert_eq!(fixes.len(), 1);
        assert_eq!(
            (fixes[0].id.as_str(), fixes[0].fault_codes.as_slice()),
            ("f-model", &["E21".to_owned()][..])
        );
        // Wiped with the rest of a revoked device's data.
        store.wipe_local_data("revoked").unwrap();
        let count: i64 =
            store.conn().query_row("SELECT count(*) FROM past_fixes", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 0);
    }

    /// The demo base, and copies of it varied as the benchmark varies them (brand, models,
    /// fault codes, title), in one store with `jobs` seeded jobs.
    fn demo_store(jobs: usize, copies: usize) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let (today, now) = (at(20).date_naive(), at(20));
        crate::seed::seed(&mut store, &crate::seed::SeedOptions { jobs, seed: 7, today, now })
            .unwrap();
        let base = fieldwork_domain::seed::kb::demo_articles();
        let mut articles = Vec::new();
        for copy in 1..=copies {
            for (i, c) in base.iter().enumerate() {
                let mut content = c.clone();
                for brand in &mut content.brands {
                    brand.push_str(&format!(" {copy}"));
                }
                for model in &mut content.models {
                    *model = format!("{model}-{copy}");
                }
                for code in &mut content.fault_codes {
                    *code = format!("{code}{copy}");
                }
                for text in &mut content.texts {
                    text.title = format!("{} ({copy})", text.title);
                }
                let mut a = article(
                    Spec {
                        id: "x",
                        category: c.category,
                        brands: &[],
                        models: &[],
                        codes: &[],
                        texts: vec![],
                    },
                    1,
                );
                a.id = format!("kb-copy-{copy}-{i}");
                a.content = content;
                articles.push(a);
            }
        }
        store.put_kb_articles(&articles).unwrap();
        store
    }

    /// The domain's ranking of every article held, read whole ([`kb::suggest`] in title order):
    /// what suggestions must equal.
    fn ranked_by_the_domain(store: &Store, signals: &JobSignals) -> Vec<ArticleSuggestion> {
        let all = articles(
            store.conn(),
            "SELECT body FROM kb_articles ORDER BY title COLLATE NOCASE, id",
            vec![],
        )
        .unwrap();
        kb::suggest(all.iter().map(|a| (a, &a.content)), signals, MAX_LIMIT)
            .into_iter()
            .map(|(a, relevance)| ArticleSuggestion { article: ArticleSummary::of(a), relevance })
            .collect()
    }

    /// Narrowing through the indexes and ranking from the ranking rows reads fewer articles, and
    /// less of each, but suggests exactly what the domain's rule suggests from all of them, read
    /// whole. Returns how many candidates were ranked.
    fn assert_narrowing_keeps(store: &Store, signals: &JobSignals) -> usize {
        store.kb_index_pending().unwrap();
        let full = ranked_by_the_domain(store, signals);
        let candidates = store.suggestion_candidates(signals).unwrap();
        let narrowed = store.rank_suggestions(signals, &candidates, MAX_LIMIT).unwrap();
        assert_eq!(narrowed, full, "{signals:?}");
        candidates.seqs.len()
    }

    #[test]
    fn narrowed_suggestions_are_those_of_the_whole_base_for_every_demo_job() {
        let store = demo_store(400, 2);
        let jobs: Vec<String> = store
            .conn()
            .prepare("SELECT id FROM work_orders ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(jobs.len() >= 400);
        let total = usize::try_from(store.kb_article_count().unwrap()).unwrap();
        let (mut suggested, mut narrowed) = (0, 0);
        for job in &jobs {
            let signals = store.job_signals(&find_job(store.conn(), job).unwrap()).unwrap();
            let n = assert_narrowing_keeps(&store, &signals);
            narrowed += usize::from(n * 4 < total);
            suggested += usize::from(!store.kb_suggestions(job, 5).unwrap().is_empty());
        }
        assert!(suggested * 2 > jobs.len(), "{suggested} of {} jobs got an article", jobs.len());
        assert!(
            narrowed * 10 > jobs.len() * 9,
            "a quarter or less for {narrowed} of {}",
            jobs.len()
        );
    }

    #[test]
    fn narrowed_suggestions_are_those_of_the_whole_base_for_jobs_written_from_the_articles() {
        let store = demo_store(1, 2);
        let total = usize::try_from(store.kb_article_count().unwrap()).unwrap();
        let base = fieldwork_domain::seed::kb::demo_articles();
        let mut smaller = 0;
        let mut checked = 0;
        for a in &base {
            let brands: Vec<Option<String>> = std::iter::once(None)
                .chain(a.brands.iter().map(|b| Some(b.clone())))
                .chain([Some("Haier 1".to_owned()), Some("haier".to_owned())])
                .collect();
            let models: Vec<Option<String>> = std::iter::once(None)
                .chain(a.models.iter().map(|m| Some(m.replace('*', "X1").replace('?', "7"))))
                .chain(a.models.iter().map(|m| Some(format!("{}-1", m.replace('*', "")))))
                .collect();
            let mut texts: Vec<String> = vec![String::new()];
            for t in &a.texts {
                texts.push(t.title.clone());
                texts.extend(t.symptoms.iter().cloned());
                texts.push(t.symptoms.join(" "));
                texts.extend(t.causes.first().cloned());
            }
            for code in &a.fault_codes {
                texts.push(format!("shows {code}"));
                texts.push(format!("显示{code}故障码，{}", a.texts[0].title));
                texts.push(format!("{}1 after a reset", code.to_lowercase()));
            }
            for (i, text) in texts.iter().enumerate() {
                let signals = JobSignals {
                    category: if i % 7 == 3 { None } else { Some(a.category) },
                    brand: brands[i % brands.len()].clone(),
                    model: models[i % models.len()].clone(),
                    text: text.clone(),
                };
                let n = assert_narrowing_keeps(&store, &signals);
                smaller += usize::from(n < total / 2);
                checked += 1;
            }
        }
        assert!(smaller * 2 > checked, "narrowed to under half for {smaller} of {checked}");
    }

    #[test]
    fn an_article_s_model_prefixes_follow_its_versions_and_its_removal() {
        let mut store = store_with_library();
        let prefixes = |store: &Store| -> Vec<(String, String)> {
            store
                .conn()
                .prepare(
                    "SELECT a.id, p.prefix FROM kb_model_prefixes p
                     JOIN kb_articles a ON a.seq = p.seq ORDER BY a.id, p.prefix",
                )
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let pair = |id: &str, p: &str| (id.to_owned(), p.to_owned());
        assert_eq!(
            prefixes(&store),
            [
                pair("kb-dishwasher-ea12", "SMS6ZCI00E"),
                pair("kb-heater-e4", "F60-21WB1"),
                pair("kb-washer-spin", "EG100")
            ]
        );
        let mut v2 = library().remove(0);
        v2.version = 2;
        v2.content.models = vec!["*mate2s".into(), "xqg 100?".into()];
        apply(&mut store, |b| {
            assert!(b.kb_article(&v2).unwrap());
            assert!(b.kb_article_removed("kb-heater-e4").unwrap());
        });
        // The new version's prefixes come when it is indexed; its old ones went with the page.
        assert_eq!(prefixes(&store), [pair("kb-dishwasher-ea12", "SMS6ZCI00E")]);
        assert_eq!(store.kb_index_pending().unwrap(), 1);
        assert_eq!(
            prefixes(&store),
            [
                pair("kb-dishwasher-ea12", "SMS6ZCI00E"),
                pair("kb-washer-spin", ""),
                pair("kb-washer-spin", "XQG100")
            ]
        );
        store.wipe_local_data("revoked").unwrap();
        assert!(prefixes(&store).is_empty());
    }

    /// A store of `library()` as schema `version` (7 or 8) left it, opened by this build.
    fn store_from_schema(dir: &std::path::Path, version: i64) -> Store {
        {
            let mut store = Store::init(dir).unwrap();
            store.put_kb_articles(&library()).unwrap();
            // Schema 8's articles were indexed as they were written; schema 9 added the marks
            // and the ranking rows (and schema 10 the checklist items' categories).
            store
                .conn()
                .execute_batch(
                    "DROP TABLE kb_unindexed; DROP TABLE kb_rank; DROP TABLE kb_rank_terms;
                     ALTER TABLE checklist_items DROP COLUMN categories;",
                )
                .unwrap();
            if version == 7 {
                // No model prefixes, no title column.
                store
                    .conn()
                    .execute_batch(
                        "DROP TABLE kb_model_prefixes; ALTER TABLE kb_articles DROP COLUMN title;",
                    )
                    .unwrap();
            }
            store.conn().pragma_update(None, "user_version", version).unwrap();
        }
        Store::open(dir).unwrap()
    }

    #[test]
    fn a_store_from_before_the_model_prefixes_or_the_ranking_rows_migrates_and_suggests_the_same() {
        for version in [7, 8] {
            let dir = tempfile::tempdir().unwrap();
            let store = store_from_schema(dir.path(), version);
            let titles: i64 = store
                .conn()
                .query_row(
                    "SELECT count(*) FROM kb_articles
                     WHERE title IS json_extract(body, '$.texts[0].title')",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(titles, 4);
            // Everything held is indexed again, once: marked, without search rows meanwhile.
            assert_eq!(store.kb_unindexed_count().unwrap(), 4, "schema {version}");
            let seq = seq_of(&store, "kb-washer-spin");
            assert_eq!(index_rows(&store, seq), 0);
            assert_eq!(search(&store, "drum"), ["kb-washer-noise", "kb-washer-spin"]);
            assert_eq!(store.kb_unindexed_count().unwrap(), 0);
            assert_eq!(index_rows(&store, seq), 3);
            let sentinels: i64 = store
                .conn()
                .query_row("SELECT count(*) FROM kb_model_prefixes WHERE prefix = ''", [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(sentinels, 0, "schema 8's stand-ins are replaced by the real prefixes");
            let signals = JobSignals {
                category: Some(EquipmentCategory::WashingMachine),
                brand: Some("Haier".into()),
                model: Some("EG100MATE2S".into()),
                text: "It makes a noise".into(),
            };
            assert_narrowing_keeps(&store, &signals);
            let candidates = store.suggestion_candidates(&signals).unwrap();
            let found = store.rank_suggestions(&signals, &candidates, 10).unwrap();
            assert_eq!(found.len(), 1, "the model alone: {found:?}");
            assert!(store.check(false).unwrap().ok);
        }
    }
}
