import type { Knex } from 'knex';

/**
 * An officer's or admin's account is created only through the admin path.
 *
 * Accounts' roles could no longer be changed by the application's role (20261205000310), but it
 * could still INSERT an admin with a password of its choosing, which is the same thing. It keeps
 * INSERT for applicants (registration is public anyway); any other role is refused unless the
 * insert runs as the table's owner: inside `loanflow_create_user`, which an active admin calls and
 * which writes the audit row in the same call, or a seed run by the owner. The check reads who is
 * running (`current_user`), which the application's role cannot become, rather than a setting it
 * could set itself.
 */
const PINNED = 'set search_path = pg_catalog, public, pg_temp';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function users_insert_guard() returns trigger language plpgsql ${PINNED} as $f$
    begin
      if new.role <> 'applicant'
         and not pg_catalog.pg_has_role(current_user, (select c.relowner from pg_catalog.pg_class c where c.oid = tg_relid), 'USAGE') then
        raise exception 'an account with role % is created through the admin path only (loanflow_create_user)', new.role
          using errcode = 'insufficient_privilege';
      end if;
      return new;
    end $f$;
    create trigger users_insert_guard before insert on users for each row execute function users_insert_guard();

    create function loanflow_create_user(
      p_admin uuid, p_username text, p_password_hash text, p_role text, p_org_id uuid, p_name text,
      p_request_id text, p_client_request_id text
    ) returns setof public.users
    language plpgsql security definer ${PINNED} as $f$
    declare
      v_admin public.users%rowtype;
      v_new public.users%rowtype;
    begin
      select * into v_admin from public.users u where u.id = p_admin;
      if not found or v_admin.role <> 'admin' or not v_admin.active then
        raise exception 'only an active admin may create an account' using errcode = 'LU002';
      end if;
      if p_role = 'applicant' then
        raise exception 'applicants register themselves' using errcode = 'LU004';
      end if;
      insert into public.users (username, password_hash, role, org_id, name)
        values (p_username, p_password_hash, p_role, p_org_id, p_name)
        returning * into v_new;
      insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id,
                                    request_id, client_request_id, payload)
      values (v_admin.id, v_admin.username, v_admin.role, v_admin.org_id, 'user.create', 'user', v_new.id::text,
              p_request_id, p_client_request_id, pg_catalog.jsonb_build_object('role', v_new.role, 'orgId', v_new.org_id));
      return next v_new;
    end $f$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function loanflow_create_user(uuid, text, text, text, uuid, text, text, text);
    drop trigger users_insert_guard on users;
    drop function users_insert_guard();
  `);
}
