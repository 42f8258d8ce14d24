// The engine metrics prisma-client-py can ask for (`GET /metrics?format=json|prometheus`). The wasm engine
// has none ("Metrics is not enabled in Wasm"), so these are measured here, under the native engine's names.

const DURATION_BUCKETS_MS = [0, 1, 5, 10, 50, 100, 500, 1000, 5000, 50000];

export class Metrics {
  constructor(pool) {
    this.pool = pool;
    this.queriesTotal = 0;
    this.queriesActive = 0;
    this.durations = { sum: 0, count: 0, buckets: DURATION_BUCKETS_MS.map(() => 0) };
  }

  async measure(fn) {
    const started = performance.now();
    this.queriesTotal += 1;
    this.queriesActive += 1;
    try {
      return await fn();
    } finally {
      this.queriesActive -= 1;
      this.observe(performance.now() - started);
    }
  }

  observe(ms) {
    this.durations.sum += ms;
    this.durations.count += 1;
    const bucket = DURATION_BUCKETS_MS.findIndex((bound) => ms <= bound);
    if (bucket >= 0) this.durations.buckets[bucket] += 1;
  }

  snapshot(globalLabels = {}) {
    const metric = (key, value, description) => ({ key, labels: { ...globalLabels }, value, description });
    const { totalCount, idleCount, waitingCount } = this.pool;
    return {
      counters: [
        metric('prisma_client_queries_total', this.queriesTotal, 'Total number of Prisma Client queries executed'),
      ],
      gauges: [
        metric('prisma_client_queries_active', this.queriesActive, 'Number of currently active Prisma Client queries'),
        metric('prisma_client_queries_wait', waitingCount, 'Number of queries currently waiting for a connection'),
        metric('prisma_pool_connections_open', totalCount, 'Number of currently open pool connections'),
        metric('prisma_pool_connections_busy', totalCount - idleCount, 'Number of currently busy pool connections'),
        metric('prisma_pool_connections_idle', idleCount, 'Number of pool connections that are not busy'),
      ],
      histograms: [
        metric(
          'prisma_client_queries_duration_histogram_ms',
          {
            sum: this.durations.sum,
            count: this.durations.count,
            buckets: DURATION_BUCKETS_MS.map((bound, i) => [bound, this.durations.buckets[i]]),
          },
          'Histogram of the duration of all executed Prisma Client queries in ms',
        ),
      ],
    };
  }

  prometheus(globalLabels = {}) {
    const { counters, gauges, histograms } = this.snapshot(globalLabels);
    const lines = [];
    const escape = (value) => String(value).replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
    const labelText = (labels) => {
      const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escape(value)}"`);
      return pairs.length ? `{${pairs.join(',')}}` : '';
    };
    const header = ({ key, description }, type) => lines.push(`# HELP ${key} ${description}`, `# TYPE ${key} ${type}`);
    for (const [type, metrics] of [['counter', counters], ['gauge', gauges]]) {
      for (const metric of metrics) {
        header(metric, type);
        lines.push(`${metric.key}${labelText(metric.labels)} ${metric.value}`);
      }
    }
    for (const metric of histograms) {
      header(metric, 'histogram');
      let cumulative = 0;
      for (const [bound, count] of metric.value.buckets) {
        cumulative += count;
        lines.push(`${metric.key}_bucket${labelText({ ...metric.labels, le: bound })} ${cumulative}`);
      }
      lines.push(`${metric.key}_bucket${labelText({ ...metric.labels, le: '+Inf' })} ${metric.value.count}`);
      lines.push(`${metric.key}_sum${labelText(metric.labels)} ${metric.value.sum}`);
      lines.push(`${metric.key}_count${labelText(metric.labels)} ${metric.value.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
