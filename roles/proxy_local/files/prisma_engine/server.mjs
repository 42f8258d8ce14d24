// Serves Prisma's wasm query engine over the HTTP protocol of the native `query-engine` binary, for
// prisma-client-py (which speaks GraphQL; the wasm engine speaks Prisma's JSON protocol).
//
//   node server.mjs -p PORT [--enable-metrics --enable-raw-queries ...]
//   env: PRISMA_DML_PATH (schema.prisma), OVERWRITE_DATASOURCES ([{"url": ...}]) or DATABASE_URL,
//        LLMOPS_PRISMA_ENGINE_DEBUG=1 to log queries, their parameters and results.

import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Metrics } from './metrics.mjs';
import { Translator, TranslationError, errorResponse, parseSchema, toGraphqlResponse } from './protocol.mjs';

const DEBUG = process.env.LLMOPS_PRISMA_ENGINE_DEBUG === '1';
const HOST = '127.0.0.1';
const PARENT_POLL_MS = 1000;
const SHUTDOWN_GRACE_MS = 5000;
// Longer than the HTTP clients' idle expiry (httpx: 5 s), so that the client, not us, closes idle connections.
const KEEP_ALIVE_TIMEOUT_MS = 60_000;

function log(message) {
  process.stderr.write(`llmops-prisma-engine: ${message}\n`);
}

function settings() {
  const { values } = parseArgs({ options: { port: { type: 'string', short: 'p' } }, strict: false });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: server.mjs -p PORT');
  const schemaPath = process.env.PRISMA_DML_PATH;
  if (!schemaPath) throw new Error('PRISMA_DML_PATH is not set');
  const overrides = process.env.OVERWRITE_DATASOURCES ? JSON.parse(process.env.OVERWRITE_DATASOURCES) : [];
  const databaseUrl = overrides[0]?.url ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('neither OVERWRITE_DATASOURCES nor DATABASE_URL names a database');
  return { port, schemaPath, databaseUrl };
}

// Errors with an error code (unique violations, missing records, LiteLLM probing for a view, ...) are answers
// for the client and not logged unless debugging; errors without one are the engine's own failures.
function reportFailure(target, response) {
  const unexpected = response.errors.filter(({ user_facing_error: e }) => !e?.error_code || e.is_panic);
  if (DEBUG) log(`${target} failed: ${JSON.stringify(response.errors)}`);
  else for (const { error } of unexpected) log(`${target} failed: ${String(error).slice(0, 500)}`);
}

function describeRequest({ action, modelName }) {
  return modelName ? `${action} ${modelName}` : action;
}

class EngineServer {
  constructor({ engine, translator, metrics }) {
    this.engine = engine;
    this.translator = translator;
    this.metrics = metrics;
  }

  async query(body, txId) {
    const request = JSON.parse(body);
    if (DEBUG) log(`request${txId ? ` in transaction ${txId}` : ''}: ${body}`);
    const response = await this.metrics.measure(() =>
      request.batch ? this.batch(request, txId) : this.single(request.query, txId));
    if (DEBUG) log(`response: ${JSON.stringify(response)}`);
    return response;
  }

  async single(document, txId) {
    const request = this.translate(document);
    if (request.errors) return request;
    const response = await this.execute(request, txId);
    if (response.errors) reportFailure(describeRequest(request), response);
    return toGraphqlResponse(response, { raw: !request.modelName });
  }

  async batch({ batch, transaction }, txId) {
    const requests = batch.map(({ query }) => this.translate(query));
    const untranslatable = requests.find((request) => request.errors);
    if (untranslatable) return untranslatable;
    const response = await this.execute({ batch: requests, ...(transaction && { transaction: {} }) }, txId);
    if (!response.batchResult) {
      reportFailure(`batch of ${requests.length}`, response);
      return response;
    }
    return {
      batchResult: response.batchResult.map((item, i) => {
        if (item.errors) reportFailure(describeRequest(requests[i]), item);
        return toGraphqlResponse(item, { raw: !requests[i].modelName });
      }),
    };
  }

  translate(document) {
    try {
      return this.translator.toJsonRequest(document);
    } catch (error) {
      if (!(error instanceof TranslationError)) throw error;
      log(`untranslatable query: ${error.message}`);
      return errorResponse(error.message);
    }
  }

  execute(request, txId) {
    return this.engine.query(JSON.stringify(request), txId);
  }

  async transaction(action, call) {
    const response = await call();
    if (response.errors) reportFailure(`transaction ${action}`, response);
    return response;
  }

  async route(method, url, body, headers) {
    if (method === 'GET' && url.pathname === '/status') return { json: { status: 'ok' } };
    if (method === 'POST' && url.pathname === '/') return { json: await this.query(body, headers['x-transaction-id']) };
    if (method === 'POST' && url.pathname === '/transaction/start') {
      return { json: await this.transaction('start', () => this.engine.startTransaction(body || '{}')) };
    }
    const tx = url.pathname.match(/^\/transaction\/([^/]+)\/(commit|rollback)$/);
    if (method === 'POST' && tx) {
      const [, txId, action] = tx;
      const run = action === 'commit'
        ? () => this.engine.commitTransaction(txId)
        : () => this.engine.rollbackTransaction(txId);
      return { json: await this.transaction(action, run) };
    }
    if (method === 'GET' && url.pathname === '/metrics') {
      const labels = body ? JSON.parse(body) : {};
      return url.searchParams.get('format') === 'json'
        ? { json: this.metrics.snapshot(labels) }
        : { text: this.metrics.prometheus(labels) };
    }
    return { status: 404, json: errorResponse(`No route for ${method} ${url.pathname}`) };
  }

  async handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    let reply;
    try {
      reply = await this.route(req.method, new URL(req.url, `http://${HOST}`), body, req.headers);
    } catch (error) {
      log(`internal error on ${req.method} ${req.url}: ${DEBUG ? error.stack : error.message}`);
      reply = { status: 500, json: errorResponse(`llmops-prisma-engine internal error: ${error.message}`) };
    }
    const { status = 200, json, text } = reply;
    res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain; version=0.0.4' });
    res.end(json ? JSON.stringify(json) : text);
  }
}

function engineLogger(event) {
  if (DEBUG) return log(`engine: ${event}`);
  const { level, message } = JSON.parse(event);
  if (['error', 'warn'].includes(String(level).toLowerCase())) log(`engine ${level}: ${message}`);
}

async function main() {
  const { port, schemaPath, databaseUrl } = settings();
  if (!DEBUG) delete process.env.DEBUG; // @prisma/debug would print the adapter's queries with their parameters
  const { startEngine } = await import('./engine.mjs');

  const datamodel = await readFile(schemaPath, 'utf8');
  const started = performance.now();
  const engine = await startEngine({
    datamodel,
    databaseUrl,
    debug: DEBUG,
    onLog: engineLogger,
    onPoolError: (error) => log(`idle database connection failed: ${error.message}`),
  });
  const translator = new Translator(parseSchema(datamodel));
  const app = new EngineServer({ engine, translator, metrics: new Metrics(engine.pool) });
  const server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) => app.handle(req, res));

  let stopping;
  const shutdown = (reason) => {
    stopping ??= (async () => {
      log(`shutting down (${reason})`);
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
      server.close();
      server.closeAllConnections();
      await engine.stop();
      process.exit(0);
    })().catch((error) => {
      log(`unclean shutdown: ${error.message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const parentPid = process.ppid;
  setInterval(() => process.ppid !== parentPid && shutdown('parent process exited'), PARENT_POLL_MS).unref();

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  const { host, pathname } = new URL(databaseUrl);
  const readyMs = Math.round(performance.now() - started);
  log(`listening on http://${HOST}:${port} (database ${host}${pathname}, ready in ${readyMs} ms)`);
}

main().catch((error) => {
  log(`failed to start: ${error.message}`);
  process.exit(1);
});
