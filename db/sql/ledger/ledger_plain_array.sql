-- Whether an array argument of the posting functions is what they read it as: one dimension,
-- subscripts from 1 (or empty, or null). PostgreSQL lets a caller send '[0:1]={...}', which
-- unnest reads by position and a subscript reads by bound: the two would disagree.

create or replace function public.ledger_plain_array(a anyarray) returns boolean
language sql immutable as $$ select a is null or array_ndims(a) is null or (array_ndims(a) = 1 and array_lower(a, 1) = 1) $$;
