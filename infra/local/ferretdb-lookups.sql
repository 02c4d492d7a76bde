-- Index lookups for FerretDB v1 on PostgreSQL (applied by infra/local/ferretdb-lookups.ts at every start, before
-- FerretDB; idempotent). Apply the same file to any PostgreSQL behind a FerretDB v1 deployment.
--
-- Why: FerretDB v1.24 pushes an equality filter down as containment, `(_jsonb -> '_id') @> '"k"'::jsonb`, while the
-- indexes it creates are B-trees on `(_jsonb -> '_id')`, which `@>` cannot use. Every find by `_id` (and by any
-- indexed field) was therefore a sequential scan of the collection, and every "by key" read of the platform cost in
-- proportion to all history (issue #16). Updates and deletes are not affected: FerretDB writes them with `=`.
--
-- What: for every B-tree index FerretDB creates on `_jsonb` expressions, a GIN index on the same expressions
-- (jsonb_ops supports `@>`), made by an event trigger when the B-tree is created and dropped with it. The planner
-- then answers those finds with a bitmap index scan. FerretDB neither lists nor uses these indexes itself
-- (listIndexes reads its own metadata), so nothing in the MongoDB API changes; uniqueness stays with its B-trees.

CREATE OR REPLACE FUNCTION public.bps_gin_companion_name(btree_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btree_name, 55) || '_bpsgin' $$;

-- Creates the GIN companion of one B-tree index whose every column is an expression over _jsonb.
CREATE OR REPLACE FUNCTION public.bps_gin_companion(index_oid oid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  idx record;
  columns text;
BEGIN
  SELECT c.relname AS index_name, am.amname, n.nspname, t.relname AS table_name, i.indnatts, i.indexprs IS NOT NULL AS has_exprs
    INTO idx
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am am ON am.oid = c.relam
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE i.indexrelid = index_oid;
  IF NOT FOUND OR idx.amname <> 'btree' OR NOT idx.has_exprs OR idx.nspname IN ('pg_catalog', 'information_schema', 'public') THEN
    RETURN;
  END IF;
  SELECT string_agg('(' || pg_get_indexdef(index_oid, k, false) || ')', ', ' ORDER BY k)
    INTO columns
    FROM generate_series(1, idx.indnatts) AS k
  HAVING bool_and(position('_jsonb' IN pg_get_indexdef(index_oid, k, false)) > 0);
  IF columns IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s) WITH (fastupdate = off)',
                 public.bps_gin_companion_name(idx.index_name), idx.nspname, idx.table_name, columns);
END $$;

-- fastupdate off: with it on (PostgreSQL's default), new entries wait in a pending list that every lookup reads
-- in full until a vacuum merges it, so a find by key right after a burst of inserts costs in proportion to the
-- burst (measured: the audit bench's `_id` reads after seeding). Off, each insert updates the index at once.
CREATE OR REPLACE FUNCTION public.bps_gin_without_pending_list(index_oid oid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', index_oid::regclass);
  PERFORM gin_clean_pending_list(index_oid::regclass);
END $$;

CREATE OR REPLACE FUNCTION public.bps_gin_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    PERFORM public.bps_gin_companion(r.objid);
  END LOOP;
END $$;

-- A B-tree FerretDB drops (dropIndexes) takes its companion with it; a dropped table takes all of them anyway.
CREATE OR REPLACE FUNCTION public.bps_gin_on_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
            WHERE object_type = 'index' AND original AND object_name NOT LIKE '%\_bpsgin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', r.schema_name, public.bps_gin_companion_name(r.object_name));
  END LOOP;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'bps_gin_on_create') THEN
    CREATE EVENT TRIGGER bps_gin_on_create ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.bps_gin_on_create();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'bps_gin_on_drop') THEN
    CREATE EVENT TRIGGER bps_gin_on_drop ON sql_drop WHEN TAG IN ('DROP INDEX') EXECUTE FUNCTION public.bps_gin_on_drop();
  END IF;
END $$;

-- Indexes created before this file was first applied (an existing data folder).
SELECT public.bps_gin_companion(i.indexrelid)
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
   AND n.nspname NOT LIKE 'pg\_%'
   AND c.relname NOT LIKE '%\_bpsgin'
   AND NOT EXISTS (SELECT 1 FROM pg_class g WHERE g.relnamespace = c.relnamespace AND g.relname = public.bps_gin_companion_name(c.relname));

-- Companions made before they were created with fastupdate off (see bps_gin_companion): switched, and their pending
-- lists merged into the index, so no lookup scans a pending list again.
SELECT public.bps_gin_without_pending_list(c.oid)
  FROM pg_class c
  JOIN pg_am am ON am.oid = c.relam
 WHERE am.amname = 'gin'
   AND c.relname LIKE '%\_bpsgin'
   AND NOT coalesce('fastupdate=off' = ANY (c.reloptions), false);
