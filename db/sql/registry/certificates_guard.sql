-- A registered certificate (docs/domain.md §1) stands as its institution registered it: its
-- number, institution, holder, course, issue date and who registered it when never change; the
-- intake checks an applicant against them. It is registered by an active training officer of the
-- training institution it names, unrevoked, at the time the database records (registered_at is the
-- transaction's, whatever the writer passed). It changes only to be revoked, once, by an active
-- training officer of that institution, at the transaction's time, and a revocation is final. The
-- issue date is not checked against the database's day: the API's clock may run ahead of it (tests
-- on a time-skipping server), and registerCertificate checks it against that clock. A certificate
-- is never deleted (loanflow_refuse_change). docs/security.md.

create or replace function public.certificates_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  c_revocation constant text[] := array['revoked_at', 'revoked_by', 'revocation_reason'];
  changed text;
begin
  if tg_op = 'INSERT' then
    changed := concat_ws(', ', public.loanflow_set_columns(pg_catalog.to_jsonb(new), c_revocation),
      case when not exists (select 1 from public.organisations o where o.id = new.institution_id and o.type = 'training_institution')
           then 'institution_id' end,
      case when not public.certificates_officer_of(new.registered_by, new.institution_id) then 'registered_by' end);
    if changed <> '' then
      raise exception 'certificates %: %: a certificate is registered unrevoked, by an active training officer of its training institution',
        new.certificate_no, changed using errcode = 'insufficient_privilege';
    end if;
    new.registered_at := pg_catalog.now();
    return new;
  end if;
  perform public.loanflow_refuse_changed(pg_catalog.to_jsonb(new), pg_catalog.to_jsonb(old), c_revocation,
    pg_catalog.format('certificates %s: {columns} never changes: it is what the institution registered', old.certificate_no));
  if (new.revoked_at, new.revoked_by, new.revocation_reason) is distinct from (old.revoked_at, old.revoked_by, old.revocation_reason)
     and (old.revoked_at is not null or old.revoked_by is not null or new.revoked_at is null or new.revoked_by is null
          or new.revoked_at <> pg_catalog.now() or not public.certificates_officer_of(new.revoked_by, new.institution_id)) then
    raise exception 'certificates %: revoked_at, revoked_by, revocation_reason: a certificate is revoked once, now, by an active training officer of its institution, and for good',
      old.certificate_no using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger certificates_guard before insert or update on public.certificates
  for each row execute function public.certificates_guard();
