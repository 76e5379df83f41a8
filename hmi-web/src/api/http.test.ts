import { describe, expect, it } from 'vitest';
import { ApiError, BadResponseError, NetworkError, NotAvailableError } from './errors.js';
import { ApiClient } from './http.js';

interface Call {
  url: string;
  method: string;
  body: unknown;
}

function fakeFetch(handler: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    const call = { url, method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    return handler(call);
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const noRoute = (url: string) => json(404, { statusCode: 404, code: 'AURIGA_ERR_API_NOT_FOUND', error: 'Not Found', message: `no route GET ${url}` });

describe('ApiClient', () => {
  it('PUTs an actuation and returns the outcome, refused included', async () => {
    const f = fakeFetch(() => json(200, { id: 'a1', path: 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', value: 100, status: 'refused', reason: 'too fast', ms: 3 }));
    const api = new ApiClient({ baseUrl: 'http://hu', fetch: f.fetch });
    const r = await api.setSignal('Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', 100);
    expect(r).toMatchObject({ status: 'refused', reason: 'too fast' });
    expect(f.calls[0]).toEqual({ url: 'http://hu/v1/signals/Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', method: 'PUT', body: { value: 100 } });
  });

  it('tells a missing route (not available yet) from a missing resource', async () => {
    const api = new ApiClient({
      fetch: async (url) =>
        url.startsWith('/v1/trips/42')
          ? json(404, { statusCode: 404, code: 'AURIGA_ERR_TRIP_NOT_FOUND', error: 'Not Found', message: 'no trip 42' })
          : noRoute(url),
    });
    const missingRoute = await api.text('hello', 'en-US').catch((e: unknown) => e);
    expect(missingRoute).toBeInstanceOf(NotAvailableError);
    expect((missingRoute as NotAvailableError).route).toBe('/v1/text');
    const missingTrip = await api.tripSummary('42', 'en-US').catch((e: unknown) => e);
    expect(missingTrip).toBeInstanceOf(ApiError);
    expect(missingTrip).not.toBeInstanceOf(NotAvailableError);
    expect(missingTrip).toMatchObject({ status: 404, code: 'AURIGA_ERR_TRIP_NOT_FOUND', message: 'no trip 42' });
  });

  it('passes the service error code and message on', async () => {
    const api = new ApiClient({ fetch: async () => json(400, { statusCode: 400, code: 'AURIGA_ERR_SIGNAL_INVALID_VALUE', error: 'Bad Request', message: 'out of range' }) });
    await expect(api.setSignal('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 99)).rejects.toMatchObject({ status: 400, code: 'AURIGA_ERR_SIGNAL_INVALID_VALUE', message: 'out of range' });
  });

  it('reports an unreachable service and a timeout as network errors', async () => {
    const down = new ApiClient({ fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    await expect(down.signals()).rejects.toBeInstanceOf(NetworkError);
    const slow = new ApiClient({
      timeoutMs: 20,
      fetch: (_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    await expect(slow.catalog()).rejects.toMatchObject({ name: 'NetworkError', timedOut: true });
  });

  it('reads /healthz while failing (503 carries the health)', async () => {
    const api = new ApiClient({ fetch: async () => json(503, { status: 'failing', closing: true }) });
    expect(await api.health()).toMatchObject({ status: 'failing' });
  });

  it('checks the assistant answer and rejects one it cannot show', async () => {
    const turn = {
      isUnderstood: true,
      intent: 'setTemperature',
      slots: { temperature: 'twenty one', zone: 'driver' },
      actions: [{ path: 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', value: 21, status: 'confirmed' }],
      answer: { text: 'Driver side set to 21 °C.', lang: 'en-US' },
    };
    const f = fakeFetch(() => json(200, turn));
    const api = new ApiClient({ fetch: f.fetch });
    expect(await api.text('set the driver temperature to twenty one', 'en-US')).toEqual(turn);
    expect(f.calls[0]).toMatchObject({ method: 'POST', url: '/v1/text', body: { text: 'set the driver temperature to twenty one', lang: 'en-US' } });
    const bad = new ApiClient({ fetch: async () => json(200, { isUnderstood: true, actions: [], answer: {} }) });
    await expect(bad.text('x', 'en-US')).rejects.toBeInstanceOf(BadResponseError);
  });

  it('builds history queries', async () => {
    const f = fakeFetch(() => json(200, []));
    await new ApiClient({ fetch: f.fetch }).history('Vehicle.Speed', { from: 1000.4, limit: 50 });
    expect(f.calls[0]?.url).toBe('/v1/signals/Vehicle.Speed/history?from=1000&limit=50');
  });

  it('knows whether the voice WebSocket exists from a plain GET (426 yes, 404 no)', async () => {
    expect(await new ApiClient({ fetch: async () => json(426, { code: 'AURIGA_ERR_API_UPGRADE_REQUIRED' }) }).hasVoiceStream()).toBe(true);
    expect(await new ApiClient({ fetch: async (u) => noRoute(u) }).hasVoiceStream()).toBe(false);
  });
});
