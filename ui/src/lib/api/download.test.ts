import { describe, expect, it } from 'vitest';

import { ApiError } from './errors';
import { createDispatchApi } from './headoffice';
import { HttpClient } from './http';

/** A `fetch` that answers every request with `response` and records the URLs asked for. */
function answering(response: () => Response) {
  const urls: string[] = [];
  const fetcher: typeof fetch = (input) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return Promise.resolve(response());
  };
  return { fetcher, urls };
}

describe('the service report download', () => {
  it('asks for the language and time zone and keeps the file name head office gives', async () => {
    const { fetcher, urls } = answering(
      () =>
        new Response('%PDF-1.7 …', {
          status: 200,
          headers: {
            'Content-Type': 'application/pdf',
            'Content-Disposition': 'attachment; filename="WO-2026-000123.pdf"',
          },
        }),
    );
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    const { blob, fileName } = await api.serviceReport('job 1', 'zh', 480);
    expect(urls).toEqual(['/api/v1/jobs/job%201/report.pdf?lang=zh&tz=480']);
    expect(fileName).toBe('WO-2026-000123.pdf');
    expect(await blob.text()).toBe('%PDF-1.7 …');
  });

  it('turns a refusal into the typed error the page shows', async () => {
    const { fetcher } = answering(
      () =>
        new Response(JSON.stringify({ code: 'not_found', message: 'not found' }), {
          status: 404,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    const failure = await api.serviceReport('gone', 'en', 0).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe('not_found');
  });

  it('says the network is down when head office cannot be reached', async () => {
    const fetcher: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    const failure = await api.serviceReport('job', 'en', 0).catch((e: unknown) => e);
    expect((failure as ApiError).code).toBe('network');
  });
});
