// Prisma's query engine (wasm build, PostgreSQL flavour) over a `pg` pool through @prisma/adapter-pg.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindAdapter, ok } from '@prisma/driver-adapter-utils';
import * as wasmGlue from '@prisma/query-engine-wasm/postgresql/query_engine_bg.js';
import { errorEntry, errorResponse } from './protocol.mjs';

const require = createRequire(import.meta.url);
const WASM_PATH = require.resolve('@prisma/query-engine-wasm/postgresql/query_engine_bg.wasm');

// Query parameters Prisma understands and libpq / `pg` do not.
const PRISMA_URL_PARAMS = [
  'connection_limit', 'pool_timeout', 'connect_timeout', 'socket_timeout', 'schema', 'pgbouncer',
  'statement_cache_size', 'sslaccept', 'sslidentity', 'sslpassword',
];
// The native engine's defaults.
const DEFAULT_CONNECTION_LIMIT = availableParallelism() * 2 + 1;
const DEFAULT_POOL_TIMEOUT_SECONDS = 10;
const DEFAULT_PORT = '5432';
const APPLICATION_NAME = 'llmops-litellm-prisma-engine';
const TEXT_OID = pg.types.builtins.TEXT;
const TRACE = '{}';
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT',
]);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE']);
const HIGHEST_BUILTIN_OID = 9999;

function poolConfig(databaseUrl) {
  const url = new URL(databaseUrl);
  const params = Object.fromEntries(PRISMA_URL_PARAMS.map((name) => [name, url.searchParams.get(name)]));
  for (const name of PRISMA_URL_PARAMS) url.searchParams.delete(name);
  if (params.sslaccept === 'accept_invalid_certs') url.searchParams.set('sslmode', 'no-verify');
  if (!url.searchParams.has('application_name')) url.searchParams.set('application_name', APPLICATION_NAME);

  const poolTimeout = Number(params.pool_timeout ?? DEFAULT_POOL_TIMEOUT_SECONDS);
  const connectionLimit = Number(params.connection_limit ?? DEFAULT_CONNECTION_LIMIT);
  return {
    config: {
      connectionString: url.toString(),
      max: connectionLimit,
      connectionTimeoutMillis: poolTimeout * 1000,
      query_timeout: params.socket_timeout ? Number(params.socket_timeout) * 1000 : undefined,
      options: params.schema ? `-c search_path=${params.schema}` : undefined,
    },
    schema: params.schema ?? undefined,
    connection: { host: url.hostname, port: url.port || DEFAULT_PORT, poolTimeout, connectionLimit },
  };
}

// adapter-pg 5.17 refuses result columns of built-in types it has no mapping for (name, interval, "char",
// point, ...), where the native engine answered with their text. Find those types by asking the adapter
// itself, keep `pg` from parsing them, and report them as text.
async function unsupportedBuiltinTypes() {
  const probe = Object.create(PrismaPg.prototype);
  const unsupported = new Set();
  for (let oid = 1; oid <= HIGHEST_BUILTIN_OID; oid += 1) {
    probe.performIO = async () => ok({ fields: [{ name: 'probe', dataTypeID: oid }], rows: [] });
    if (!(await probe.queryRaw({ sql: '', args: [] })).ok) unsupported.add(oid);
  }
  return unsupported;
}

function reportAsText(queryable, unsupported) {
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    if (result.ok) {
      for (const field of result.value.fields) {
        if (unsupported.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
      }
    }
    return result;
  };
  return queryable;
}

async function createAdapter(databaseUrl, onPoolError) {
  const unsupported = await unsupportedBuiltinTypes();
  const unparsed = pg.types.getTypeParser(0, 'text');
  for (const oid of unsupported) pg.types.setTypeParser(oid, 'text', unparsed);

  const { config, schema, connection } = poolConfig(databaseUrl);
  const pool = new pg.Pool(config);
  pool.on('error', onPoolError); // an idle connection failed (e.g. the server restarted); the pool drops it
  const adapter = reportAsText(new PrismaPg(pool, { schema }), unsupported);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async () => (await startTransaction()).map((tx) => reportAsText(tx, unsupported));
  return { pool, adapter: bindAdapter(adapter), connection };
}

async function loadWasm() {
  const { instance } = await WebAssembly.instantiate(await readFile(WASM_PATH), { './query_engine_bg.js': wasmGlue });
  wasmGlue.__wbg_set_wasm(instance.exports);
}

// A JavaScript error of the adapter (connection refused, pool timeout, ...) reaches the engine's answer as
// P2036 "Error in external connector (id N)" while the error itself waits in the adapter's registry. Answer
// with the error the native engine gives instead: LiteLLM tells a database outage by its code and wording.
function nativeConnectorError(error, { host, port, poolTimeout, connectionLimit }) {
  const code = error?.code ?? error?.errors?.[0]?.code;
  const message = String(error?.message ?? error);
  if (UNREACHABLE_CODES.has(code)) {
    const address = `${host}:${port}`;
    return errorEntry(
      `Can't reach database server at \`${address}\`\n\n`
        + `Please make sure your database server is running at \`${address}\`.`,
      'P1001',
      { database_host: host, database_port: port },
    );
  }
  if (message.includes('timeout exceeded when trying to connect')) {
    return errorEntry(
      'Timed out fetching a new connection from the connection pool. More info: http://pris.ly/d/connection-pool '
        + `(Current connection pool timeout: ${poolTimeout}, connection limit: ${connectionLimit})`,
      'P2024',
      { connection_limit: connectionLimit, timeout: poolTimeout },
    );
  }
  if (CLOSED_CODES.has(code) || message.startsWith('Connection terminated')) {
    return errorEntry('Server has closed the connection.', 'P1017');
  }
  return errorEntry(`Error in external connector: ${message}`, 'P2036');
}

class Engine {
  constructor(engine, pool, adapter, connection) {
    this.engine = engine;
    this.pool = pool;
    this.adapter = adapter;
    this.connection = connection;
  }

  query(body, txId) {
    return this.call(() => this.engine.query(body, TRACE, txId));
  }

  startTransaction(options) {
    return this.call(() => this.engine.startTransaction(options, TRACE));
  }

  commitTransaction(txId) {
    return this.call(() => this.engine.commitTransaction(txId, TRACE));
  }

  rollbackTransaction(txId) {
    return this.call(() => this.engine.rollbackTransaction(txId, TRACE));
  }

  async stop() {
    await this.engine.disconnect(TRACE);
    await this.pool.end();
  }

  // The engine answers in the native shape, `{"errors": [{"error", "user_facing_error"}]}` for failures, except
  // that transaction calls answer with a bare user-facing error and some failures are thrown instead.
  async call(run) {
    let response;
    try {
      response = JSON.parse(await run());
    } catch (error) {
      response = this.thrownError(error);
    }
    if ('error_code' in response) {
      response = { errors: [{ error: response.meta?.error ?? response.message, user_facing_error: response }] };
    }
    return this.resolveConnectorErrors(response);
  }

  thrownError(error) {
    try {
      const parsed = JSON.parse(error.message);
      if (parsed?.user_facing_error) return { errors: [parsed] };
      if (parsed?.error_code) return parsed;
    } catch {
      // a plain-text message
    }
    return errorResponse(error.message);
  }

  resolveConnectorErrors(response) {
    const resolve = (error) => {
      const { error_code: code, meta } = error.user_facing_error ?? {};
      if (code !== 'P2036' || meta?.id === undefined) return error;
      const jsError = this.adapter.errorRegistry.consumeError(meta.id)?.error;
      return nativeConnectorError(jsError, this.connection);
    };
    if (response.errors) return { ...response, errors: response.errors.map(resolve) };
    if (response.batchResult) {
      const batchResult = response.batchResult.map((item) => (item.errors ? this.resolveConnectorErrors(item) : item));
      return { ...response, batchResult };
    }
    return response;
  }
}

export async function startEngine({ datamodel, databaseUrl, debug, onLog, onPoolError }) {
  await loadWasm();
  const { pool, adapter, connection } = await createAdapter(databaseUrl, onPoolError);
  const engine = new wasmGlue.QueryEngine(
    { datamodel, logLevel: debug ? 'info' : 'warn', logQueries: debug },
    onLog,
    adapter,
  );
  await engine.connect(TRACE);
  return new Engine(engine, pool, adapter, connection);
}
