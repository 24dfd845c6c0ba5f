-- One line of an entry's canonical text (see ledger_canonical_head.sql).

create or replace function public.ledger_canonical_line(l public.ledger_lines, code text) returns text
language sql immutable as $$ select 'L' || ledger_field(l.line_no::text) || ledger_field(code) || ledger_field(l.side) || ledger_field(l.amount::text) $$;
