-- Canonical content of an entry: its fields, each length-prefixed, then its lines in order
-- (ledger_canonical_line). db/ledger/verify.ts rebuilds the same bytes independently; ledger_seal
-- builds them set-based for a whole batch.

create or replace function public.ledger_canonical_head(e public.ledger_entries) returns text
language sql stable set search_path = pg_catalog, public, pg_temp as $$
select 'E' || ledger_field(e.id::text) || ledger_field(e.idempotency_key)
       || ledger_field(to_char(e.posted_on, 'YYYY-MM-DD')) || ledger_field(e.kind) || ledger_field(e.description)
       || ledger_field(e.reverses_entry_id::text) || ledger_field(e.metadata::text)
       || ledger_field(to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$$;
