import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

/** With READS_REQUIRE_KEY=true nothing is readable without a key: /metrics neither. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('/metrics when reads need a key', () => {
  let t: TestApi;
  let metricsUrl: string;
  beforeAll(async () => {
    t = await startTestApi({ READS_REQUIRE_KEY: 'true', API_METRICS_TOKEN: METRICS_TOKEN });
    metricsUrl = t.url.replace('/graphql', '/metrics');
  });
  afterAll(async () => {
    await t?.close();
  });
  const scrape = (token?: string) =>
    fetch(metricsUrl, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('refuses a scrape without a key, with a wrong one, and with a revoked one (401)', async () => {
    const { token } = await t.store.apiKeys.create('old-scraper', 'reader');
    await t.store.apiKeys.revoke('old-scraper');
    for (const given of [undefined, 'pasid_not-a-key', token, `${METRICS_TOKEN}x`]) {
      const response = await scrape(given);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('pasid_');
    }
  });

  it('answers a live API key and the metrics token', async () => {
    for (const given of [t.tokens.reader, METRICS_TOKEN]) {
      const response = await scrape(given);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('pasid_log_head_position');
    }
  });
});
