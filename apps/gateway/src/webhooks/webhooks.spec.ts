import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { mintWebhookSecret, webhookHeaders } from './signature';
import { TargetPolicy } from './target-policy';
import { HttpWebhookSender } from './webhook-sender';

describe('webhook signatures', () => {
  it('verify with the standardwebhooks package, and fail it once the body changes', () => {
    const secret = mintWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const body = JSON.stringify({ type: 'task.completed', data: { taskId: 'tsk_1' } });
    const headers = webhookHeaders(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('1', '2'), headers)).toThrow();
    expect(() => new Webhook(mintWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe('webhook targets', () => {
  const policy = new TargetPolicy(['127.0.0.1', '192.168.50.0/24']);

  it.each([
    '127.0.0.2',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.2',
    '::ffff:7f00:2',
    '::ffff:a9fe:a9fe',
  ])('refuses %s', (address) => {
    expect(policy.refusal(address)).not.toBeNull();
  });

  it.each(['93.184.216.34', '2606:4700::1111', '127.0.0.1', '192.168.50.7', '::ffff:127.0.0.1'])(
    'allows %s (public or allow-listed)',
    (address) => {
      expect(policy.refusal(address)).toBeNull();
    },
  );

  it('resolves names and refuses one that resolves to a refused address', async () => {
    const strict = new TargetPolicy([]);
    await expect(strict.resolve(new URL('http://localhost:9/'))).rejects.toThrow(/refused/);
    await expect(strict.resolve(new URL('ftp://example.com/'))).rejects.toThrow(/http/);
    await expect(policy.resolve(new URL('http://127.0.0.1:9/'))).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
  });
});

describe('sending a webhook', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const sender = (timeoutMs = 2_000) => new HttpWebhookSender(new TargetPolicy(['127.0.0.1']), timeoutMs);

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    let followed = false;
    const base = await serve((request, response) => {
      if (request.url === '/elsewhere') followed = true;
      response.writeHead(302, { location: '/elsewhere' }).end();
    });
    const outcome = await sender().send({ url: `${base}/hook`, headers: {}, body: '{}' });
    expect(outcome).toMatchObject({ kind: 'failed', status: 302 });
    expect(followed).toBe(false);
  });

  it('gives up on a receiver that does not answer within the time box', async () => {
    const base = await serve(() => undefined);
    const started = Date.now();
    const outcome = await sender(300).send({ url: `${base}/hook`, headers: {}, body: '{}' });
    expect(outcome).toMatchObject({ kind: 'failed', status: null });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a target outside the allow-list without connecting', async () => {
    const outcome = await new HttpWebhookSender(new TargetPolicy([]), 1_000).send({
      url: 'http://127.0.0.1:9/hook',
      headers: {},
      body: '{}',
    });
    expect(outcome.kind).toBe('refused');
  });
});
