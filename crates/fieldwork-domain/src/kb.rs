//! The service knowledge base: articles that say how a fault on a kind of product is fixed, and
//! the rules both sides apply to them — what a valid article is, which models an article's
//! patterns cover, which fault codes a job's text names, and how well an article fits a job.
//!
//! Head office validates what a supervisor writes with [`ArticleContent::normalised`]; the
//! laptop ranks the articles it holds for a job with [`suggest`]. Neither has its own copy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{EquipmentCategory, word_enum};
use crate::error::{Result, RuleError};

word_enum! {
    /// The language an article's text is written in.
    pub enum Language ("language") {
        English = "en",
        Chinese = "zh",
    }
}

word_enum! {
    /// Where an article stands. Only published articles reach the laptops.
    pub enum ArticleStatus ("article status") {
        Draft = "draft",
        Published = "published",
        /// Taken back from the laptops; its versions stay readable at head office.
        Withdrawn = "withdrawn",
    }
}

/// An article's text in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ArticleText {
    pub language: Language,
    pub title: String,
    /// What the customer or the technician sees ("drum does not turn", "E4 on the display").
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// Why it happens, most likely first.
    #[serde(default)]
    pub causes: Vec<String>,
    /// The fix, in order (shown numbered).
    pub steps: Vec<String>,
    /// Safety warnings shown before the steps (isolate the power, gas…).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// What an article says, as a supervisor writes it: everything but its identity and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ArticleContent {
    pub category: EquipmentCategory,
    /// Brands it applies to; empty means any brand of the category.
    #[serde(default)]
    pub brands: Vec<String>,
    /// Models it applies to: exact models or patterns (`EG100*`, `KFR-35GW/*`; `*` any run of
    /// characters, `?` one). Empty means every model of its brands.
    #[serde(default)]
    pub models: Vec<String>,
    /// Fault codes it explains (`E4`, `F28`, `EA-12`), upper case.
    #[serde(default)]
    pub fault_codes: Vec<String>,
    /// Catalogue numbers of the parts commonly needed.
    #[serde(default)]
    pub parts: Vec<String>,
    /// SHA-256 of its photos and diagrams (blobs, like a job's photos).
    #[serde(default)]
    pub photos: Vec<String>,
    /// Its text in one language or both, at most one per language.
    pub texts: Vec<ArticleText>,
}

/// A knowledge article, one version of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Article {
    pub id: String,
    /// 1 for the first version; every saved change makes the next one.
    pub version: i64,
    pub status: ArticleStatus,
    #[serde(flatten)]
    #[ts(flatten)]
    pub content: ArticleContent,
    /// Who wrote this version.
    pub author: String,
    /// Who published it (none while a draft).
    pub reviewer: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl Article {
    /// The text to show to someone reading `language`: that language's, else the first.
    pub fn text(&self, language: Language) -> Option<&ArticleText> {
        self.content.text(language)
    }
}

impl ArticleContent {
    /// The text to show to someone reading `language`: that language's, else the first.
    pub fn text(&self, language: Language) -> Option<&ArticleText> {
        self.texts.iter().find(|t| t.language == language).or_else(|| self.texts.first())
    }

    /// The article as it is stored: every line trimmed, empty lines dropped, fault codes in
    /// upper case, lists without repeats; refused when it has no text, a text without a title
    /// or steps, two texts in one language, a malformed photo hash, or anything over the limits.
    pub fn normalised(mut self) -> Result<ArticleContent> {
        self.brands = clean_list("brands", self.brands, MAX_TAGS, TAG_MAX_CHARS, |s| s)?;
        self.models = clean_list("models", self.models, MAX_TAGS, TAG_MAX_CHARS, |s| s)?;
        self.fault_codes =
            clean_list("fault_codes", self.fault_codes, MAX_TAGS, TAG_MAX_CHARS, |s| {
                s.to_uppercase()
            })?;
        self.parts = clean_list("parts", self.parts, MAX_TAGS, TAG_MAX_CHARS, |s| s)?;
        self.photos =
            clean_list("photos", self.photos, MAX_PHOTOS, 64, |s| s.to_ascii_lowercase())?;
        if let Some(bad) = self.photos.iter().find(|p| !is_sha256(p)) {
            return Err(RuleError::invalid(
                "photos",
                format!("{bad:?} is not the SHA-256 of a photo (64 hexadecimal digits)"),
            ));
        }
        if self.texts.is_empty() {
            return Err(RuleError::invalid("texts", "an article needs its text in a language"));
        }
        let mut seen = Vec::new();
        let mut texts = Vec::with_capacity(self.texts.len());
        for text in self.texts {
            if seen.contains(&text.language) {
                return Err(RuleError::invalid(
                    "texts",
                    format!("two texts in the same language ({})", text.language),
                ));
            }
            seen.push(text.language);
            texts.push(text.normalised()?);
        }
        self.texts = texts;
        Ok(self)
    }
}

impl ArticleText {
    fn normalised(mut self) -> Result<ArticleText> {
        self.title = self.title.trim().to_owned();
        if self.title.is_empty() {
            return Err(RuleError::invalid("title", "an article needs a title"));
        }
        check_chars("title", &self.title, TITLE_MAX_CHARS)?;
        self.symptoms = clean_list("symptoms", self.symptoms, MAX_LINES, LINE_MAX_CHARS, |s| s)?;
        self.causes = clean_list("causes", self.causes, MAX_LINES, LINE_MAX_CHARS, |s| s)?;
        self.steps = clean_list("steps", self.steps, MAX_LINES, LINE_MAX_CHARS, |s| s)?;
        self.warnings = clean_list("warnings", self.warnings, MAX_LINES, LINE_MAX_CHARS, |s| s)?;
        if self.steps.is_empty() {
            return Err(RuleError::invalid(
                "steps",
                "an article needs at least one step of the fix",
            ));
        }
        Ok(self)
    }
}

/// Longest title.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest symptom, cause, step or warning.
pub const LINE_MAX_CHARS: usize = 2_000;
/// Most symptoms, causes, steps or warnings in one text.
pub const MAX_LINES: usize = 60;
/// Longest brand, model pattern, fault code or part number.
pub const TAG_MAX_CHARS: usize = 100;
/// Most brands, models, fault codes or parts.
pub const MAX_TAGS: usize = 100;
/// Most photos on one article.
pub const MAX_PHOTOS: usize = 30;

fn check_chars(field: &'static str, text: &str, limit: usize) -> Result<()> {
    let actual = text.chars().count();
    if actual > limit {
        return Err(RuleError::TooLong { field, actual, limit });
    }
    Ok(())
}

/// Trims, drops empty and repeated entries (after `norm`), and checks the limits.
fn clean_list(
    field: &'static str,
    items: Vec<String>,
    max_items: usize,
    max_chars: usize,
    norm: impl Fn(String) -> String,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let item = norm(item.trim().to_owned());
        if item.is_empty() || out.contains(&item) {
            continue;
        }
        check_chars(field, &item, max_chars)?;
        out.push(item);
    }
    if out.len() > max_items {
        return Err(RuleError::invalid(
            field,
            format!("{} entries; at most {max_items} are allowed", out.len()),
        ));
    }
    Ok(out)
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

// --- past fixes ----------------------------------------------------------------------------------

/// A resolved job of the team, reduced to what helps the next technician: the equipment, the
/// fault, what was found and done, the parts used, and whether it was fixed on the first visit.
/// It carries no customer name, phone or address, no job number, serial or technician: head
/// office builds it (and [`redact`]s the free texts) before it leaves for every laptop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PastFix {
    /// Its own id (not the job's: no laptop learns another technician's job id); a later change
    /// of the job replaces the fix with the same id.
    pub id: String,
    pub category: Option<EquipmentCategory>,
    pub brand: Option<String>,
    pub model: Option<String>,
    /// Fault codes named in the problem or the diagnosis.
    pub fault_codes: Vec<String>,
    pub problem: String,
    pub diagnosis: Option<String>,
    pub resolution: String,
    pub parts: Vec<PastFixPart>,
    /// Fixed on the first visit (no hold, no return visit within the window).
    pub first_time_fix: bool,
    /// The day it was completed (a day, not an instant: nothing more is needed).
    pub completed_on: chrono::NaiveDate,
}

/// A part used on a past fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PastFixPart {
    pub part_no: String,
    pub description: String,
    pub quantity: f64,
}

/// `text` with every occurrence of the given personal details (a customer's name, phone
/// numbers, address, a serial…) replaced by `…`, ignoring case; phone numbers also when written
/// with other spacing or punctuation. Details shorter than three characters are left alone (they
/// would blank out ordinary words).
pub fn redact(text: &str, details: &[&str]) -> String {
    let mut out = text.to_owned();
    for detail in details.iter().map(|d| d.trim()).filter(|d| d.chars().count() >= 3) {
        out = replace_ignoring_case(&out, detail);
        let digits: String = detail.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 6 {
            out = replace_digit_run(&out, &digits);
        }
    }
    out
}

fn replace_ignoring_case(text: &str, needle: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; fall back to exact matching then.
    if lower_text.len() != text.len() || lower_needle.len() != needle.len() {
        return text.replace(needle, "…");
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower_text[rest..].find(&lower_needle) {
        let start = rest + found;
        out.push_str(&text[rest..start]);
        out.push('…');
        rest = start + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// Replaces any stretch of `text` whose digits, ignoring spaces, dashes, dots, brackets and a
/// leading `+`, spell `digits`.
fn replace_digit_run(text: &str, digits: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let want: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || chars[i] == '+' {
            let (mut j, mut k) = (i, 0);
            while j < chars.len() && k < want.len() {
                let c = chars[j];
                if c == want[k] {
                    k += 1;
                } else if !(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+') {
                    break;
                }
                j += 1;
            }
            if k == want.len() {
                out.push('…');
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// How much a past fix of the team says about a job: the same kind of product, and the same
/// model or a fault code the job names on the same brand (fault codes mean different things on
/// different brands). `None` when it says nothing.
pub fn fix_relevance(fix: &PastFix, job: &JobSignals) -> Option<u32> {
    if let (Some(a), Some(b)) = (fix.category, job.category)
        && a != b
    {
        return None;
    }
    let same_brand = match (fix.brand.as_deref(), job.brand.as_deref()) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    };
    let same_model = match (fix.model.as_deref(), job.model.as_deref()) {
        (Some(a), Some(b)) => same_brand && model_key(a) == model_key(b),
        _ => false,
    };
    let job_codes: Vec<String> =
        fault_codes_in(&job.text).iter().map(|c| fault_code_key(c)).collect();
    let shared_code =
        same_brand && fix.fault_codes.iter().any(|c| job_codes.contains(&fault_code_key(c)));
    if !same_model && !shared_code {
        return None;
    }
    let mut score = 0;
    if shared_code {
        score += FAULT_CODE_POINTS;
    }
    if same_model {
        score += MODEL_POINTS;
    }
    if fix.first_time_fix {
        score += 1;
    }
    Some(score)
}

/// The past fixes that fit a job, best first (ties: the most recent first), at most `limit`.
pub fn similar_fixes<'a>(
    fixes: impl IntoIterator<Item = &'a PastFix>,
    job: &JobSignals,
    limit: usize,
) -> Vec<&'a PastFix> {
    let mut found: Vec<(u32, &PastFix)> =
        fixes.into_iter().filter_map(|f| fix_relevance(f, job).map(|s| (s, f))).collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.completed_on.cmp(&a.1.completed_on)));
    found.into_iter().take(limit).map(|(_, f)| f).collect()
}

// --- matching ------------------------------------------------------------------------------------

/// A model or pattern as compared: upper case, without spaces.
fn model_key(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// Whether `model` is covered by `pattern`: equal ignoring case and spaces, where `*` in the
/// pattern stands for any run of characters and `?` for one (`EG100*` covers `EG100MATE2S`).
pub fn model_matches(pattern: &str, model: &str) -> bool {
    let (p, m) = (model_key(pattern), model_key(model));
    if p.is_empty() {
        return false;
    }
    // Iterative glob match with backtracking to the last `*`.
    let (mut pi, mut mi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while mi < m.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, mi));
                pi += 1;
            }
            Some(&c) if c == '?' || c == m[mi] => {
                pi += 1;
                mi += 1;
            }
            _ => match star {
                Some((sp, sm)) => {
                    pi = sp + 1;
                    mi = sm + 1;
                    star = Some((sp, sm + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The literal start of a model pattern as compared, before its first wildcard: every model the
/// pattern covers begins with it (see [`model_matches`]); empty when it starts with one. With
/// [`model_key_prefixes`] it narrows the articles read for a job without deciding anything.
pub fn model_pattern_prefix(pattern: &str) -> String {
    model_key(pattern).into_iter().take_while(|c| *c != '*' && *c != '?').collect()
}

/// Every start of `model` as compared (the empty one first, then one character more each time):
/// the [`model_pattern_prefix`] of any pattern covering `model` is one of them.
pub fn model_key_prefixes(model: &str) -> Vec<String> {
    let key = model_key(model);
    (0..=key.len()).map(|n| key[..n].iter().collect()).collect()
}

/// A fault code as compared: upper case, without `-`, spaces or dots (`e-4` and `E4` are one).
pub fn fault_code_key(code: &str) -> String {
    code.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// Whether `c` is written without spaces between words (Chinese, Japanese kana, Korean): such
/// text is matched character by character, here and by the laptop's search index.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
        | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// The fault codes a text names, as written there: one to three letters, an optional `-`, one to
/// four digits and at most one letter after (`E4`, `F28`, `EA-12`, `E21`, `H-05`), standing
/// alone or against Chinese text (`显示E4故障码`). Model numbers (`KFR-35GW`, `EG100MATE2S`) are
/// not codes.
pub fn fault_codes_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let tokens = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-') || is_cjk(c));
    for token in tokens {
        let token = token.trim_matches('-');
        if looks_like_code(token) {
            let code = token.to_uppercase();
            if !out.iter().any(|c| fault_code_key(c) == fault_code_key(&code)) {
                out.push(code);
            }
        }
    }
    out
}

fn looks_like_code(token: &str) -> bool {
    let b = token.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=3).contains(&letters) {
        return false;
    }
    let mut i = letters;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=4).contains(&digits) {
        return false;
    }
    i += digits;
    let rest = &b[i..];
    rest.is_empty() || (rest.len() == 1 && rest[0].is_ascii_alphabetic())
}

/// Words that say nothing about a fault: common words, and the names of the products and of
/// "error codes" themselves (every washing-machine job says "washing machine").
const STOP_WORDS: &[&str] = &[
    "the",
    "and",
    "after",
    "with",
    "from",
    "when",
    "does",
    "doesn",
    "will",
    "won't",
    "unit",
    "that",
    "this",
    "have",
    "into",
    "about",
    "there",
    "their",
    "shows",
    "show",
    "some",
    "only",
    "very",
    "still",
    "then",
    "than",
    "also",
    "been",
    "were",
    "they",
    "what",
    "which",
    "your",
    "washing",
    "machine",
    "washer",
    "dryer",
    "heater",
    "boiler",
    "fridge",
    "freezer",
    "refrigerator",
    "dishwasher",
    "oven",
    "hood",
    "cooker",
    "conditioner",
    "appliance",
    "kitchen",
    "cabinet",
    "error",
    "fault",
    "code",
    "display",
    "customer",
    "work",
    "working",
];

/// Chinese words that say nothing about a fault (product names, "shows", "fault code"): cut
/// out of a text before its characters are paired.
const STOP_PHRASES: &[&str] = &[
    "洗衣机",
    "热水器",
    "洗碗机",
    "油烟机",
    "故障码",
    "空调",
    "冰箱",
    "烤箱",
    "橱柜",
    "显示",
    "故障",
    "提示",
    "机器",
    "客户",
    "报修",
    "上门",
];

/// The terms a text is compared by: Latin words of four letters or more (lower case, not stop
/// words, without a trailing `s`), and every pair of neighbouring Chinese characters (but those
/// that only name the product or say "fault code").
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_word = |word: &mut String, push: &mut dyn FnMut(String)| {
        let w = word.to_lowercase();
        word.clear();
        let w = w.strip_suffix('s').filter(|s| s.len() >= 4).map(str::to_owned).unwrap_or(w);
        if w.chars().count() >= 4
            && !w.chars().any(|c| c.is_ascii_digit())
            && !STOP_WORDS.contains(&w.as_str())
        {
            push(w);
        }
    };
    let mut text = text.to_owned();
    for phrase in STOP_PHRASES {
        text = text.replace(phrase, " ");
    }
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            flush_word(&mut word, &mut push);
            run.push(c);
            continue;
        }
        for pair in run.windows(2) {
            push(pair.iter().collect());
        }
        run.clear();
        if c.is_alphanumeric() || c == '\'' {
            word.push(c);
        } else {
            flush_word(&mut word, &mut push);
        }
    }
    out
}

// --- suggestions ---------------------------------------------------------------------------------

/// What is known of a job when articles are suggested for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSignals {
    pub category: Option<EquipmentCategory>,
    pub brand: Option<String>,
    pub model: Option<String>,
    /// The reported problem, the diagnosis and the technician's notes: where fault codes and
    /// symptoms are written.
    pub text: String,
}

/// Why an article was suggested for a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum MatchReason {
    /// The job's text names a fault code the article explains.
    FaultCode { code: String },
    /// The job's model is one of the article's models or patterns.
    Model { model: String },
    /// The job's brand is one the article names.
    Brand { brand: String },
    /// Words of the job's text appear in the article's title and symptoms.
    Words { count: u32 },
}

/// How well an article fits a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Relevance {
    pub score: u32,
    pub reasons: Vec<MatchReason>,
}

/// Points per signal: a named fault code says the most, then the exact model, then the brand;
/// shared words of the symptoms count a little each.
pub const FAULT_CODE_POINTS: u32 = 100;
pub const MODEL_POINTS: u32 = 40;
pub const BRAND_POINTS: u32 = 15;
pub const WORD_POINTS: u32 = 6;
/// Words counted at most (a long article must not win on length).
pub const MAX_WORDS: u32 = 5;

/// How well `article` fits a job, or `None` when it does not apply: another kind of product, a
/// brand it does not name, a fault code it does not explain while the job names one (fault codes
/// mean different things on different brands), or nothing in common beyond the product kind.
pub fn relevance(
    article: &ArticleContent,
    job: &JobSignals,
    job_terms: &[String],
) -> Option<Relevance> {
    if let Some(category) = job.category
        && category != article.category
    {
        return None;
    }
    let job_codes: Vec<String> =
        fault_codes_in(&job.text).iter().map(|c| fault_code_key(c)).collect();
    let mut article_terms = Vec::new();
    for text in &article.texts {
        article_terms.extend(terms(&text.title));
        for s in &text.symptoms {
            article_terms.extend(terms(s));
        }
    }
    let shared = job_terms.iter().filter(|t| article_terms.contains(t)).count();
    let facts = RankFacts {
        brands: &article.brands,
        models: &article.models,
        fault_codes: &article.fault_codes,
    };
    score(facts, job, &job_codes, u32::try_from(shared).unwrap_or(MAX_WORDS))
}

/// What the ranking reads of an article besides its words: the brands, model patterns and fault
/// codes it names.
#[derive(Debug, Clone, Copy)]
pub struct RankFacts<'a> {
    pub brands: &'a [String],
    pub models: &'a [String],
    pub fault_codes: &'a [String],
}

/// The ranking's points and refusals for an article of the job's kind of product: `job_codes`
/// are the keys ([`fault_code_key`]) of the fault codes the job's text names
/// ([`fault_codes_in`]), `shared` how many of the job's terms ([`terms`]) the article's titles
/// and symptoms hold. [`relevance`] calls it on a whole article; the laptop's store on the
/// compact rows it keeps for ranking, so the rule is this one either way.
pub fn score(
    article: RankFacts<'_>,
    job: &JobSignals,
    job_codes: &[String],
    shared: u32,
) -> Option<Relevance> {
    let mut score = 0;
    let mut reasons = Vec::new();
    if !article.brands.is_empty() {
        let brand = job.brand.as_deref().map(str::trim).unwrap_or_default();
        let named = article.brands.iter().find(|b| b.eq_ignore_ascii_case(brand))?;
        score += BRAND_POINTS;
        reasons.push(MatchReason::Brand { brand: named.clone() });
    }
    let mut model = false;
    if let Some(job_model) = job.model.as_deref()
        && let Some(pattern) = article.models.iter().find(|p| model_matches(p, job_model))
    {
        score += MODEL_POINTS;
        reasons.push(MatchReason::Model { model: pattern.clone() });
        model = true;
    }
    let mut named_code = false;
    for code in article.fault_codes {
        if job_codes.contains(&fault_code_key(code)) {
            score += FAULT_CODE_POINTS;
            reasons.push(MatchReason::FaultCode { code: code.clone() });
            named_code = true;
        }
    }
    let shared = shared.min(MAX_WORDS);
    if shared > 0 {
        score += WORD_POINTS * shared;
        reasons.push(MatchReason::Words { count: shared });
    }
    if !job_codes.is_empty() && !article.fault_codes.is_empty() && !named_code {
        // The job shows a code and the article is about others.
        return None;
    }
    if !named_code && !model && shared < 2 {
        return None;
    }
    Some(Relevance { score, reasons })
}

/// The articles that fit a job, best first (ties: the order given), at most `limit`.
pub fn suggest<'a, T>(
    articles: impl IntoIterator<Item = (T, &'a ArticleContent)>,
    job: &JobSignals,
    limit: usize,
) -> Vec<(T, Relevance)> {
    let job_terms = terms(&job.text);
    let mut found: Vec<(T, Relevance)> = articles
        .into_iter()
        .filter_map(|(key, a)| relevance(a, job, &job_terms).map(|r| (key, r)))
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.1.score));
    found.truncate(limit);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lang: Language, title: &str, symptoms: &[&str]) -> ArticleText {
        ArticleText {
            language: lang,
            title: title.into(),
            symptoms: symptoms.iter().map(|s| (*s).into()).collect(),
            causes: vec![],
            steps: vec!["Isolate the power.".into(), "Replace the pump.".into()],
            warnings: vec![],
        }
    }

    fn washer(brands: &[&str], models: &[&str], codes: &[&str]) -> ArticleContent {
        ArticleContent {
            category: EquipmentCategory::WashingMachine,
            brands: brands.iter().map(|s| (*s).into()).collect(),
            models: models.iter().map(|s| (*s).into()).collect(),
            fault_codes: codes.iter().map(|s| (*s).into()).collect(),
            parts: vec![],
            photos: vec![],
            texts: vec![
                text(
                    Language::English,
                    "Drum does not spin, E21 shown",
                    &["drum does not spin", "water stays in the drum"],
                ),
                text(Language::Chinese, "洗衣机不脱水，显示E21", &["洗衣机不脱水", "桶里有积水"]),
            ],
        }
    }

    fn job(brand: &str, model: &str, text: &str) -> JobSignals {
        JobSignals {
            category: Some(EquipmentCategory::WashingMachine),
            brand: Some(brand.into()),
            model: Some(model.into()),
            text: text.into(),
        }
    }

    fn score(a: &ArticleContent, j: &JobSignals) -> Option<u32> {
        relevance(a, j, &terms(&j.text)).map(|r| r.score)
    }

    #[test]
    fn patterns_cover_a_model_family_ignoring_case_and_spaces() {
        assert!(model_matches("EG100*", "EG100MATE2S"));
        assert!(model_matches("eg100mate2s", "EG100MATE2S"));
        assert!(model_matches("KFR-35GW/*", "KFR-35GW/(35592)FNhAa-B1"));
        assert!(model_matches("Greenstar * 30kW", "Greenstar 4000 30kW"));
        assert!(model_matches("WAN2828?GB", "WAN28281GB"));
        assert!(!model_matches("EG100*", "XQG100-B12026"));
        assert!(!model_matches("EG100", "EG100MATE2S"), "no wildcard: the exact model only");
        assert!(!model_matches("", "EG100"));
        assert!(model_matches("*", "anything"));
    }

    #[test]
    fn a_covering_pattern_s_literal_start_is_a_start_of_the_model() {
        let models = ["EG100MATE2S", "KFR-35GW/(35592)FNhAa-B1", "Greenstar 4000 30kW", "G5*1", ""];
        let patterns = [
            "EG100*",
            "eg100 mate2s",
            "KFR-35GW/*",
            "Greenstar * 30kW",
            "WAN2828?GB",
            "*",
            "?G*",
            "G 5*",
            "G5\\*1",
            "",
            "EG1?0*",
            "*30KW",
        ];
        for m in models {
            let starts = model_key_prefixes(m);
            assert_eq!(starts.first().map(String::as_str), Some(""));
            for p in patterns {
                if model_matches(p, m) {
                    let prefix = model_pattern_prefix(p);
                    assert!(
                        starts.contains(&prefix),
                        "{p:?} covers {m:?}: {prefix:?} not in {starts:?}"
                    );
                }
            }
        }
        assert_eq!(model_pattern_prefix("eg1 00*x"), "EG100");
        assert_eq!(model_pattern_prefix("?G*"), "");
    }

    #[test]
    fn fault_codes_are_found_in_english_and_against_chinese_text() {
        assert_eq!(fault_codes_in("No hot water, boiler shows fault F28"), ["F28"]);
        assert_eq!(fault_codes_in("热水器不出热水，显示E4故障码"), ["E4"]);
        assert_eq!(fault_codes_in("error ea-12 then E-21, again EA-12"), ["EA-12", "E-21"]);
        assert_eq!(fault_codes_in("洗衣机进水很慢，提示E1"), ["E1"]);
        // Models, serials, sizes and years are not codes.
        assert!(fault_codes_in("Gree KFR-35GW/(35592)FNhAa-B1 EG100MATE2S 2026 30kW").is_empty());
        assert_eq!(fault_code_key("e-4"), fault_code_key("E4"));
    }

    #[test]
    fn chinese_is_compared_by_neighbouring_characters_and_english_by_words() {
        let t = terms("洗衣机不脱水 Drum doesn't spin, the pumps hum");
        assert!(t.contains(&"脱水".to_string()));
        assert!(t.contains(&"不脱".to_string()));
        assert!(t.contains(&"drum".to_string()));
        assert!(t.contains(&"pump".to_string()), "plural folded: {t:?}");
        assert!(!t.contains(&"the".to_string()));
        // The product's name and "fault code" are no symptom.
        let generic = terms("Washing machine shows error code; 洗衣机显示故障码");
        assert!(generic.is_empty(), "{generic:?}");
    }

    #[test]
    fn a_fault_code_counts_most_then_the_model_then_the_brand_then_words() {
        let code = washer(&[], &[], &["E21"]);
        let model = washer(&[], &["EG100*"], &[]);
        let brand_and_words = washer(&["Haier"], &[], &[]);
        let j = job("Haier", "EG100MATE2S", "Washing machine won't spin, shows E21");
        let (c, m, b) = (score(&code, &j), score(&model, &j), score(&brand_and_words, &j));
        assert!(c > m && m > b, "code {c:?} model {m:?} brand {b:?}");
        let r = relevance(&code, &j, &terms(&j.text)).unwrap();
        assert!(r.reasons.contains(&MatchReason::FaultCode { code: "E21".into() }));
    }

    #[test]
    fn another_kind_of_product_or_brand_is_never_suggested() {
        let mut j = job("Haier", "EG100MATE2S", "won't spin, E21");
        j.category = Some(EquipmentCategory::Dishwasher);
        assert_eq!(score(&washer(&[], &[], &["E21"]), &j), None);
        let j = job("Bosch", "WAN28281GB", "won't spin, E21");
        assert_eq!(score(&washer(&["Haier"], &[], &["E21"]), &j), None);
    }

    #[test]
    fn an_article_about_other_codes_is_left_out_when_the_job_names_one() {
        let j = job("Haier", "EG100MATE2S", "drum does not spin, shows E30");
        assert_eq!(score(&washer(&[], &["EG100*"], &["E21"]), &j), None);
        // Without a code on the job, the model and the symptoms are enough.
        let j = job("Haier", "EG100MATE2S", "drum does not spin");
        assert!(score(&washer(&[], &["EG100*"], &["E21"]), &j).is_some());
    }

    #[test]
    fn one_shared_word_alone_suggests_nothing_two_do() {
        let a = washer(&[], &[], &[]);
        assert_eq!(score(&a, &job("Haier", "X", "the drum is noisy")), None);
        assert_eq!(score(&a, &job("Haier", "X", "drum does not spin")), Some(2 * WORD_POINTS));
        assert!(score(&a, &job("Haier", "X", "洗衣机不脱水了")).is_some());
    }

    #[test]
    fn suggestions_come_best_first_and_are_cut_at_the_limit() {
        let a = washer(&[], &[], &["E21"]);
        let b = washer(&[], &["EG100*"], &[]);
        let c = washer(&[], &[], &[]);
        let j = job("Haier", "EG100MATE2S", "drum does not spin");
        let got = suggest([("a", &a), ("b", &b), ("c", &c)], &j, 2);
        let ids: Vec<_> = got.iter().map(|(k, _)| *k).collect();
        assert_eq!(ids, ["b", "a"]);
    }

    #[test]
    fn an_article_is_stored_trimmed_and_refused_when_incomplete() {
        let mut a = washer(&[" Haier ", "Haier", ""], &[], &["e21", "E21 "]);
        a.photos = vec!["AB".repeat(32)];
        let n = a.clone().normalised().unwrap();
        assert_eq!(n.brands, ["Haier"]);
        assert_eq!(n.fault_codes, ["E21"]);
        assert_eq!(n.photos, ["ab".repeat(32)]);

        let mut no_steps = a.clone();
        no_steps.texts[0].steps = vec!["  ".into()];
        assert_eq!(no_steps.normalised().unwrap_err().code(), crate::ErrorCode::Invalid);
        let mut twice = a.clone();
        twice.texts[1].language = Language::English;
        assert!(twice.normalised().is_err());
        let mut untitled = a.clone();
        untitled.texts[0].title = " ".into();
        assert!(untitled.normalised().is_err());
        let mut long = a.clone();
        long.texts[0].title = "x".repeat(TITLE_MAX_CHARS + 1);
        assert_eq!(long.normalised().unwrap_err().code(), crate::ErrorCode::TooLong);
        let mut bad_photo = a.clone();
        bad_photo.photos = vec!["not-a-hash".into()];
        assert!(bad_photo.normalised().is_err());
        let mut none = a;
        none.texts.clear();
        assert!(none.normalised().is_err());
    }

    #[test]
    fn the_reader_gets_their_language_or_the_other() {
        let mut a = washer(&[], &[], &[]);
        assert_eq!(a.text(Language::Chinese).unwrap().language, Language::Chinese);
        a.texts.remove(1);
        assert_eq!(a.text(Language::Chinese).unwrap().language, Language::English);
    }

    #[test]
    fn personal_details_are_redacted_from_a_past_fix_text() {
        let text = "Mrs Wang Fang at 88 Nanjing Road said call 138 0013 8000 or +86-138-0013-8000; \
                    serial SN12345 replaced. wang fang agreed.";
        let out =
            redact(text, &["Wang Fang", "13800138000", "88 Nanjing Road", "SN12345", "", "Li"]);
        assert!(!out.to_lowercase().contains("wang fang"), "{out}");
        assert!(!out.contains("Nanjing"), "{out}");
        assert!(!out.contains("0013"), "{out}");
        assert!(!out.contains("SN12345"), "{out}");
        assert!(out.contains("replaced"), "{out}");
        // Short details are left alone.
        assert_eq!(redact("Li checked the pump", &["Li"]), "Li checked the pump");
        assert_eq!(redact("洗衣机由王芳女士报修", &["王芳女士"]), "洗衣机由…报修");
    }

    fn fix(brand: &str, model: &str, codes: &[&str], day: u32, ftf: bool) -> PastFix {
        PastFix {
            id: format!("{brand}-{model}-{day}"),
            category: Some(EquipmentCategory::WashingMachine),
            brand: Some(brand.into()),
            model: Some(model.into()),
            fault_codes: codes.iter().map(|c| (*c).into()).collect(),
            problem: "won't spin".into(),
            diagnosis: None,
            resolution: "replaced the pump".into(),
            parts: vec![],
            first_time_fix: ftf,
            completed_on: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        }
    }

    #[test]
    fn past_fixes_of_the_same_model_or_code_on_the_brand_come_first_newest_first() {
        let j = job("Haier", "EG100MATE2S", "shows E21");
        let code_and_model = fix("Haier", "eg100 mate2s", &["E-21"], 1, false);
        let model_only = fix("Haier", "EG100MATE2S", &["E30"], 20, true);
        let code_only_new = fix("Haier", "XQG100-B12026", &["E21"], 25, false);
        let code_only_old = fix("Haier", "XQG100-B12026", &["E21"], 2, false);
        let other_brand = fix("Bosch", "EG100MATE2S", &["E21"], 28, true);
        let nothing = fix("Haier", "XQG100-B12026", &["E30"], 28, true);
        let mut dishwasher = fix("Haier", "EG100MATE2S", &["E21"], 28, true);
        dishwasher.category = Some(EquipmentCategory::Dishwasher);
        let all = [
            &model_only,
            &code_only_old,
            &nothing,
            &other_brand,
            &code_and_model,
            &dishwasher,
            &code_only_new,
        ];
        let got: Vec<&str> = similar_fixes(all, &j, 10).iter().map(|f| f.id.as_str()).collect();
        assert_eq!(got, [&code_and_model.id, &code_only_new.id, &code_only_old.id, &model_only.id]);
        assert_eq!(similar_fixes(all, &j, 2).len(), 2);
    }
}
