-- A mismatch is resolved in an open quarter; a reversal resolves it only if it reverses the item's payout.

create or replace function public.reconciliation_resolutions_check() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_quarter text; v_payout bigint;
begin
  select r.quarter, i.payout_entry_id into v_quarter, v_payout
    from public.reconciliation_items i join public.reconciliations r on r.id = i.reconciliation_id
   where i.reconciliation_id = new.reconciliation_id and i.item_no = new.item_no;
  perform finance_quarter_open(v_quarter);
  if new.kind = 'reversal' and not exists (
    select 1 from public.ledger_entries e where e.id = new.reversal_entry_id and e.reverses_entry_id = v_payout) then
    raise exception 'reconciliation_resolutions: entry % does not reverse the payout entry % of this item', new.reversal_entry_id, v_payout
      using errcode = 'FN002';
  end if;
  return new;
end $$;

create or replace trigger reconciliation_resolutions_check before insert on public.reconciliation_resolutions for each row execute function public.reconciliation_resolutions_check();
