import type { InfluxSettings } from '../../domain/influx-settings.ts';
import { describe, errorText, writeEndpoint } from './writer.ts';

export interface InfluxTestResult {
  ok: boolean;
  /** The server's own version, from its headers or /health, when something answered as InfluxDB. */
  version?: string;
  message: string;
}

const TIMEOUT_MS = 5_000;

/**
 * Says what answers at the configured address: 1.x by `/ping` (its X-Influxdb-Version header) and
 * `SHOW DATABASES`, 2.x by `/health` and the bucket list, each with the configured credentials.
 */
export async function testInfluxConnection(settings: InfluxSettings): Promise<InfluxTestResult> {
  const base = settings.url.replace(/\/+$/, '');
  try {
    return settings.version === '2' ? await testV2(settings, base) : await testV1(settings, base);
  } catch (error) {
    return { ok: false, message: `Nothing answered at ${base}: ${describe(error)}` };
  }
}

async function testV1(settings: InfluxSettings, base: string): Promise<InfluxTestResult> {
  const ping = await get(`${base}/ping`);
  await ping.body?.cancel();
  const version = ping.headers.get('x-influxdb-version') ?? undefined;
  if (ping.status !== 204 || !version) {
    return {
      ok: false,
      message: `${base}/ping answered ${ping.status} without an X-Influxdb-Version header: this is not InfluxDB 1.x`,
    };
  }
  const { headers } = writeEndpoint(settings);
  const res = await get(`${base}/query?${new URLSearchParams({ q: 'SHOW DATABASES' })}`, headers);
  const name = `InfluxDB ${version}`;
  if (res.status === 401 || res.status === 403) {
    return { ok: false, version, message: `${name} refused the user and password: ${await errorText(res)}` };
  }
  if (!res.ok)
    return {
      ok: false,
      version,
      message: `${name} answered SHOW DATABASES with ${res.status} ${await errorText(res)}`,
    };
  const body = (await res.json()) as { results?: Array<{ series?: Array<{ values?: string[][] }>; error?: string }> };
  const result = body.results?.[0];
  if (result?.error) return { ok: false, version, message: `${name}: ${result.error}` };
  const databases = (result?.series?.[0]?.values ?? []).map((row) => row[0]);
  if (!databases.includes(settings.db)) {
    return {
      ok: false,
      version,
      message: `${name} answered, but has no database "${settings.db}" (create it with CREATE DATABASE; found: ${databases.join(', ') || 'none'})`,
    };
  }
  return { ok: true, version, message: `${name} answered; database "${settings.db}" is there` };
}

async function testV2(settings: InfluxSettings, base: string): Promise<InfluxTestResult> {
  const health = await get(`${base}/health`);
  const text = await health.text();
  let info: { name?: string; status?: string; version?: string; message?: string } = {};
  try {
    info = JSON.parse(text) as typeof info;
  } catch {
    // Not JSON: not InfluxDB 2.
  }
  if (!info.status) {
    return {
      ok: false,
      message: `${base}/health answered ${health.status} without InfluxDB's health JSON: this is not InfluxDB 2.x`,
    };
  }
  const version = info.version;
  const name = `InfluxDB ${version ?? '2.x'}`;
  if (info.status !== 'pass') {
    return {
      ok: false,
      ...(version ? { version } : {}),
      message: `${name} is not healthy: ${info.message ?? info.status}`,
    };
  }
  const query = new URLSearchParams({ org: settings.org, name: settings.bucket });
  const res = await get(`${base}/api/v2/buckets?${query}`, { Authorization: `Token ${settings.token}` });
  const v = version ? { version } : {};
  if (res.status === 401 || res.status === 403)
    return { ok: false, ...v, message: `${name} refused the token: ${await errorText(res)}` };
  if (!res.ok)
    return {
      ok: false,
      ...v,
      message: `${name} answered the bucket lookup with ${res.status} ${await errorText(res)}`,
    };
  const body = (await res.json()) as { buckets?: Array<{ name: string }> };
  if (!body.buckets?.some((b) => b.name === settings.bucket)) {
    return {
      ok: false,
      ...v,
      message: `${name} answered, but organization "${settings.org}" has no bucket "${settings.bucket}" this token can see`,
    };
  }
  return { ok: true, ...v, message: `${name} answered; bucket "${settings.bucket}" of "${settings.org}" is there` };
}

function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
}
