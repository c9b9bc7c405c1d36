-- A flash names its message and arguments (JSON of `text::Msg`) so that it is shown in the
-- viewer's language; `message` keeps the English words (and the text of a verbatim flash).
ALTER TABLE flash ADD COLUMN msg TEXT;
