// EVENT_HANDLER_HOSTS (wire/handler-hosts.ts, DECISIONS.md "The line at work"): which handler URLs the rules
// allow, and the settings refusing a malformed rule at start.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings, SettingsError } from '../../src/settings.js';
import { parseHandlerHosts } from '../../src/wire/handler-hosts.js';

describe('handler destinations (EVENT_HANDLER_HOSTS)', () => {
  it('empty or * allows any destination', () => {
    for (const raw of ['', '  ', '*']) {
      const hosts = parseHandlerHosts(raw);
      assert.deepEqual(hosts.rules, []);
      assert.equal(hosts.allows('http://10.0.0.1/x'), true);
      assert.equal(hosts.allows('https://anything.example.com/x'), true);
    }
  });

  it('names match as written (any case, a trailing dot), *.domain its subdomains only', () => {
    const hosts = parseHandlerHosts('Hooks.Example.com, *.apps.example.org');
    assert.equal(hosts.allows('https://hooks.example.com/x'), true);
    assert.equal(hosts.allows('https://HOOKS.example.com./x'), true);
    assert.equal(hosts.allows('https://hooks.example.com:8443/x'), true);
    assert.equal(hosts.allows('https://other.example.com/x'), false);
    assert.equal(hosts.allows('https://a.apps.example.org/x'), true);
    assert.equal(hosts.allows('https://a.b.apps.example.org/x'), true);
    assert.equal(hosts.allows('https://apps.example.org/x'), false);
    assert.equal(hosts.allows('https://evilapps.example.org/x'), false);
    // A name is not resolved: an address is matched by the network rules only.
    assert.equal(hosts.allows('http://10.0.0.1/x'), false);
    assert.equal(hosts.allows('not a url'), false);
  });

  it('addresses and networks, IPv4 (in every form the URL parser accepts) and IPv6', () => {
    const hosts = parseHandlerHosts('10.0.0.0/8 192.168.1.7 fd00::/8');
    assert.equal(hosts.allows('http://10.20.30.40:8080/x'), true);
    assert.equal(hosts.allows('http://0x0a.1.2.3/x'), true);
    assert.equal(hosts.allows('http://11.0.0.1/x'), false);
    assert.equal(hosts.allows('http://192.168.1.7/x'), true);
    assert.equal(hosts.allows('http://192.168.1.8/x'), false);
    assert.equal(hosts.allows('http://[fd12::1]/x'), true);
    assert.equal(hosts.allows('http://[fe80::1]/x'), false);
    assert.equal(hosts.allows('http://ten.example.com/x'), false);
  });

  it('a malformed rule stops the server at start', () => {
    for (const raw of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', 'http://example.com', 'exa mple..com/8', 'a_b/8']) {
      assert.throws(() => loadSettings({ EVENT_HANDLER_HOSTS: raw }), SettingsError, raw);
    }
    assert.equal(loadSettings({ EVENT_HANDLER_HOSTS: ' 10.0.0.0/8 ' }).eventHandlerHosts, '10.0.0.0/8');
    assert.equal(loadSettings({}).eventHandlerHosts, '');
  });
});
