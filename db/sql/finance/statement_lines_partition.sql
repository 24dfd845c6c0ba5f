-- The name of a reconciliation's partition of statement_lines.

create or replace function public.statement_lines_partition(p_reconciliation uuid) returns text
language sql immutable as $$ select 'statement_lines_' || replace(p_reconciliation::text, '-', '') $$;
