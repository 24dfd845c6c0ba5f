-- A registered certificate (docs/domain.md §1) stands as its institution registered it: its
-- number, institution, holder, course, issue date and who registered it when never change; the
-- intake checks an applicant against them. It changes only to be revoked, once, by someone, and a
-- revocation is final. A certificate is inserted unrevoked; it is never deleted
-- (loanflow_refuse_change). docs/security.md.

create or replace function public.certificates_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  c_revocation constant text[] := array['revoked_at', 'revoked_by', 'revocation_reason'];
  changed text;
begin
  if tg_op = 'INSERT' then
    changed := public.loanflow_set_columns(pg_catalog.to_jsonb(new), c_revocation);
    if changed is not null then
      raise exception 'certificates %: %: a certificate is registered unrevoked', new.certificate_no, changed
        using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;
  perform public.loanflow_refuse_changed(pg_catalog.to_jsonb(new), pg_catalog.to_jsonb(old), c_revocation,
    pg_catalog.format('certificates %s: {columns} never changes: it is what the institution registered', old.certificate_no));
  if (new.revoked_at, new.revoked_by, new.revocation_reason) is distinct from (old.revoked_at, old.revoked_by, old.revocation_reason)
     and (old.revoked_at is not null or old.revoked_by is not null or new.revoked_at is null or new.revoked_by is null) then
    raise exception 'certificates %: revoked_at, revoked_by, revocation_reason: a certificate is revoked once, by someone, and for good', old.certificate_no
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger certificates_guard before insert or update on public.certificates
  for each row execute function public.certificates_guard();
