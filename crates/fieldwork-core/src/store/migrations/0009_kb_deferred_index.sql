-- Fieldwork local store, schema 9: the knowledge base is indexed after it is written.
--
-- Writing an article (a pulled page, the demo data) stores its row and marks it in
-- `kb_unindexed`, in the same transaction; its search and ranking rows (`kb_search_words`,
-- `kb_search_trigram`, `kb_model_prefixes`, `kb_rank`, `kb_rank_terms`) are built later, many
-- articles at a time (`Store::kb_index_pending`: after a pull, and before a search or a
-- suggestion answers). A marked article has none of those rows; an unmarked one has exactly
-- those of its current version.
CREATE TABLE kb_unindexed (
    seq INTEGER PRIMARY KEY REFERENCES kb_articles(seq) ON DELETE CASCADE
) STRICT;

-- What ranking an article for a job reads of it (the domain's rule, `kb::relevance`), so that
-- suggestions do not parse every candidate's body: its kind, its title and id (the order of
-- equal scores), and its brands, models or model patterns and fault codes as JSON arrays.
CREATE TABLE kb_rank (
    seq         INTEGER PRIMARY KEY REFERENCES kb_articles(seq) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    category    TEXT NOT NULL,
    title       TEXT,
    brands      TEXT NOT NULL,
    models      TEXT NOT NULL,
    fault_codes TEXT NOT NULL
) STRICT;

-- The terms of an article's titles and symptoms (`kb::terms`) and the keys of its fault codes
-- (`kb::fault_code_key`), each as one token qualified by the article's kind of product:
-- `t{category}_{term}` and `c{category}_{key}` (neither a term nor a key holds `_`). A job's
-- term or code then finds exactly the articles of its kind holding it; the number of the job's
-- terms an article holds is what the rule counts. The ascii tokenizer keeps every non-ASCII
-- character in its token, `_` and `'` too, and folds only ASCII capitals (terms are lower case
-- already), so a token matches only itself. Rowids only (detail = none): no phrase is asked.
CREATE VIRTUAL TABLE kb_rank_terms USING fts5(
    terms, tokenize = "ascii tokenchars '''_'", content = '', contentless_delete = 1,
    detail = none
);

-- Articles already held get their ranking rows the same way: their search rows are dropped (the
-- empty model prefixes schema 8 gave them go too) and they are marked.
DELETE FROM kb_model_prefixes;
INSERT INTO kb_search_words (kb_search_words) VALUES ('delete-all');
INSERT INTO kb_search_trigram (kb_search_trigram) VALUES ('delete-all');
INSERT INTO kb_unindexed (seq) SELECT seq FROM kb_articles;
