-- Fieldwork local store, schema 5: the knowledge base.
-- The published articles head office sends every laptop, one row per article at its latest
-- version; `body` is the article as head office sent it (JSON of `kb::Article`). The few
-- columns beside it are what lists filter and sort on.
CREATE TABLE kb_articles (
    seq        INTEGER PRIMARY KEY,  -- local row number; also the search rowid
    id         TEXT NOT NULL UNIQUE,
    version    INTEGER NOT NULL,
    category   TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX kb_articles_by_category ON kb_articles(category);

-- Search over the articles, like the jobs' (see store/search.rs): titles, symptoms, causes,
-- steps, brands, models, fault codes and part numbers of every language. The word index holds
-- all of it (Chinese characters as tokens of their own, so short fault codes such as `E4` are
-- words too); the trigram index holds the tokens with a digit (models, fault codes, part
-- numbers), so any fragment of three characters or more of them matches.
CREATE VIRTUAL TABLE kb_search_trigram USING fts5(
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
CREATE VIRTUAL TABLE kb_search_words USING fts5(
    body, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1
);
