import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInternalAddress } from './address.js';
import { HostAllowlist } from './host-allowlist.js';
import { OutboundAddressError, OutboundPolicy } from './outbound-policy.js';

describe('isInternalAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip'])(
    '%s is internal',
    (address) => expect(isInternalAddress(address)).toBe(true),
  );

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isInternalAddress(address)).toBe(false),
  );
});

describe('HostAllowlist', () => {
  const allows = (entries: string[], url: string) => new HostAllowlist(entries).allows(new URL(url));

  it('matches exact hosts on the default port only, unless a port is given', () => {
    expect(allows(['Example.com'], 'https://example.com/a')).toBe(true);
    expect(allows(['example.com'], 'http://example.com:8080/')).toBe(false);
    expect(allows(['example.com'], 'http://www.example.com/')).toBe(false);
    expect(allows(['127.0.0.1:8080'], 'http://127.0.0.1:8080/')).toBe(true);
    expect(allows(['127.0.0.1:8080'], 'http://127.0.0.1/')).toBe(false);
    expect(allows(['example.com:443'], 'https://example.com/')).toBe(true);
    expect(allows(['[::1]:8080'], 'http://[::1]:8080/')).toBe(true);
  });

  it('matches subdomains for wildcard entries, not the bare or look-alike names', () => {
    expect(allows(['*.example.com'], 'https://a.example.com/')).toBe(true);
    expect(allows(['*.example.com'], 'https://a.b.example.com/')).toBe(true);
    expect(allows(['*.example.com'], 'https://example.com/')).toBe(false);
    expect(allows(['*.example.com'], 'https://badexample.com/')).toBe(false);
    expect(allows(['*.example.com:8443'], 'https://a.example.com:8443/')).toBe(true);
  });
});

describe('OutboundPolicy', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/to-self') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/hello` }).end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.method}`);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const strict = new OutboundPolicy({ allowInternal: false });

  it('refuses loopback by literal address and by a name that resolves to it, before any byte is sent', async () => {
    const before = hits;
    await expect(strict.fetch(`http://127.0.0.1:${port}/hello`)).rejects.toThrow(OutboundAddressError);
    await expect(strict.fetch(`http://localhost:${port}/hello`)).rejects.toThrow(/resolves to an internal address/);
    await expect(strict.fetch(`http://[::1]:${port}/hello`)).rejects.toThrow(OutboundAddressError);
    await expect(strict.check(`http://localhost:${port}/`)).rejects.toThrow(/internal address/);
    await expect(strict.check('http://169.254.169.254/')).rejects.toThrow(/internal address/);
    expect(hits).toBe(before);
  });

  it('refuses other schemes and credentials in the URL without echoing them', async () => {
    await expect(strict.check('file:///etc/passwd')).rejects.toThrow('only http and https URLs are allowed');
    await expect(strict.check('ftp://example.com/')).rejects.toThrow('only http and https URLs are allowed');
    const refused = await strict.check('https://user:s3cret@example.com/').catch((err: OutboundAddressError) => err);
    expect(refused).toBeInstanceOf(OutboundAddressError);
    expect(JSON.stringify({ message: (refused as Error).message, url: (refused as OutboundAddressError).url })).not.toContain('s3cret');
    await expect(strict.check('not a url')).rejects.toThrow('not an absolute URL');
  });

  it('reaches an internal host the operator allowlisted, and checks every redirect hop', async () => {
    const allowlisted = new OutboundPolicy({ allowInternal: false, internalAllowlist: [`127.0.0.1:${port}`] });
    expect(await (await allowlisted.fetch(`http://127.0.0.1:${port}/hello`, { method: 'POST', body: 'x' })).text()).toBe('hello POST');
    expect(await (await allowlisted.fetch(`http://127.0.0.1:${port}/to-self`)).text()).toBe('hello GET');
    await expect(allowlisted.fetch(`http://127.0.0.1:${port}/to-metadata`)).rejects.toThrow(/169\.254\.169\.254/);
    expect((await allowlisted.fetch(`http://127.0.0.1:${port}/to-metadata`, { redirect: 'manual' })).status).toBe(302);
  });

  it('reaches everything when internal addresses are allowed (a trusted install)', async () => {
    const open = new OutboundPolicy({ allowInternal: true });
    expect(await (await open.fetchFunction(`http://localhost:${port}/hello`)).text()).toBe('hello GET');
    expect((await open.check(`http://127.0.0.1:${port}/`)).port).toBe(String(port));
  });
});
