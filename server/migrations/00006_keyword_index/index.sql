-- Version 6: who has keywords. Every message asks which of its conversation's members have
-- keywords (server/src/attention/on-message.ts, conversationRecipients); most people have a
-- settings row (status, DND, time zone) and few have keywords, so this small index answers that
-- instead of a scan of every row (about 1.5 ms per message at 10,000 people).
create index if not exists attention_settings_with_keywords on attention_settings (user_id) where cardinality(keywords) > 0;
