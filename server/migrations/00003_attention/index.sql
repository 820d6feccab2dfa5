-- Placeholder: migration 00003 belongs to the attention work (branch `attention`), which
-- replaces this file when both land. postgres-shift needs consecutive numbers, so until then
-- this empty step lets 00004 (search) apply.
select 1;
