-- Knowledge base: the literal start of each article's model patterns (before the first wildcard,
-- as the domain compares models: `kb::model_pattern_prefix`), so suggestions for a job read only
-- the articles whose patterns could cover its model. Empty for a pattern starting with a
-- wildcard. Rows go with their article (and with a wiped device's articles).
CREATE TABLE kb_model_prefixes (
    seq    INTEGER NOT NULL REFERENCES kb_articles(seq) ON DELETE CASCADE,
    prefix TEXT NOT NULL,
    PRIMARY KEY (seq, prefix)
) WITHOUT ROWID, STRICT;
CREATE INDEX kb_model_prefixes_by_prefix ON kb_model_prefixes(prefix);

-- Articles already held (SQL cannot compute the prefixes): the empty prefix, which every job's
-- model starts with, keeps each of them a candidate until it is next written.
INSERT INTO kb_model_prefixes (seq, prefix)
    SELECT seq, '' FROM kb_articles WHERE json_array_length(body, '$.models') > 0;

-- Lists sort by the first text's title; kept beside the body so that sorting a search's matches
-- does not parse every matching article's JSON. The same value as before: the body's.
ALTER TABLE kb_articles ADD COLUMN title TEXT;
UPDATE kb_articles SET title = json_extract(body, '$.texts[0].title');
