-- Fieldwork local store, schema 10: checklist items for some kinds of product only.
--
-- `categories` holds the equipment categories an item is asked for, as a JSON array of words
-- (`["water_heater","oven"]`); an empty array (every item written before this version) means
-- every job of the type asks it. A job follows the items that apply to its equipment's
-- category (the domain's `JobType::checklist_for`).
ALTER TABLE checklist_items ADD COLUMN categories TEXT NOT NULL DEFAULT '[]';
