import type { Logger } from 'pino'
import type { Sql } from '../db/connect.js'

/**
 * The text search configuration (language) of the search columns is baked into their
 * generated expressions, so changing OCOMMS_SEARCH_CONFIG means rebuilding them. The server
 * does it at start when the configured one differs from the one recorded in search_settings:
 * drop the columns and their indexes, add them back with the new configuration (PostgreSQL
 * recomputes every row), all in one transaction. On a large database this takes a while
 * (about a minute per million messages) and blocks writes meanwhile.
 *
 * These expressions are the ones of migrations 00004 (files) and 00011 (messages) with the
 * configuration as a parameter.
 */

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`

/** Keeps the web addresses of a text (everything else becomes spaces), for their words. */
const addressesOnly = `regexp_replace(text, '((https?://|www\\.)[^[:space:]<>]+)|[^hw]+|[hw]', ' \\1 ', 'gi')`

function messageVector(config: string): string {
  const c = `${literal(config)}::regconfig`
  // The text, then the words inside its addresses (the parser keeps an address whole).
  return `to_tsvector(${c}, text) || to_tsvector(${c}, regexp_replace(${addressesOnly}, '[^[:alnum:]]+', ' ', 'g'))`
}

function fileVector(config: string): string {
  const c = `${literal(config)}::regconfig`
  return (
    `setweight(to_tsvector(${c}, name || ' ' || regexp_replace(name, '[._-]+', ' ', 'g')), 'A') || ` +
    `setweight(to_tsvector(${c}, left(coalesce(text_content, ''), 200000)), 'B')`
  )
}

/** The canonical name of a text search configuration, or an error naming the setting. */
async function canonical(sql: Sql, config: string): Promise<string> {
  const [row] = await sql<{ name: string | null }[]>`select (select cfgname::text from pg_ts_config where cfgname = ${config}) as name`
  if (!row?.name) {
    const all = await sql<{ cfgname: string }[]>`select cfgname::text as cfgname from pg_ts_config order by 1`
    throw new Error(`OCOMMS_SEARCH_CONFIG "${config}" is not a text search configuration of this PostgreSQL; use one of: ${all.map((r) => r.cfgname).join(', ')}`)
  }
  return row.name
}

/**
 * Rebuilds the search columns for `config` unless they already use it. Returns the
 * configuration's canonical name, which queries must use.
 */
export async function ensureTextSearchConfig(sql: Sql, config: string, log?: Logger): Promise<string> {
  const wanted = await canonical(sql, config)
  const [current] = await sql<{ text_search_config: string }[]>`select text_search_config from search_settings`
  if (current?.text_search_config === wanted) return wanted
  log?.warn(`rebuilding the search index for text search configuration "${wanted}" (was "${current?.text_search_config}")`)
  await sql.begin(async (tx) => {
    // Several servers starting at once: the first rebuilds, the others then find it done.
    const [locked] = await tx<{ text_search_config: string }[]>`select text_search_config from search_settings for update`
    if (locked?.text_search_config === wanted) return
    await tx.unsafe(`
      alter table messages drop column search_vector;
      alter table messages add column search_vector tsvector generated always as (${messageVector(wanted)}) stored;
      create index messages_search on messages using gin (search_vector) with (fastupdate = off);
      alter table files drop column search_vector;
      alter table files add column search_vector tsvector generated always as (${fileVector(wanted)}) stored;
      create index files_search on files using gin (search_vector) with (fastupdate = off);
      analyze messages;
      analyze files;`)
    await tx`update search_settings set text_search_config = ${wanted}`
  })
  log?.info(`search index rebuilt for "${wanted}"`)
  return wanted
}
