-- The quarter a date falls in, as accounting_periods names it: '2027Q2'.

create or replace function public.ledger_quarter(d date) returns text
language sql immutable strict as $$ select to_char(d, 'YYYY') || 'Q' || to_char(d, 'Q') $$;
