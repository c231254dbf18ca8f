// A real OpenID provider for the integration tests: panva's certified
// oidc-provider, configured by the JSON file named on the command line.
//
//   node tests/oidc/provider.mjs config.json
//
// config: {
//   "port": 0,                      // 0: any free port
//   "flavour": "city" | "gbizid",   // city: groups in the ID token;
//                                   // gbizid: an ID token with `sub` only,
//                                   //   the rest from userinfo (as GビズID)
//   "clients": [{ "client_id", "client_secret", "redirect_uris": [...] }],
//   "accounts": { "<account id>": { <claims> } },
//   "key_file": "/tmp/…/key.pem"    // the signing key is written here (PKCS#1
//                                   // PEM) so that a test can forge tokens
// }
//
// Logging in needs no password: the test's user agent posts
// `login=<account id>` to the interaction URL (and again for consent).
// Prints `listening <issuer>` on stdout once it serves.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `k-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
if (config.key_file) {
  writeFileSync(config.key_file, JSON.stringify({ kid: jwk.kid, pem: privateKey.export({ type: 'pkcs1', format: 'pem' }) }));
}

const server = http.createServer();
await new Promise((resolve) => server.listen(config.port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const gbizid = config.flavour === 'gbizid';
const claims = gbizid
  ? { openid: ['sub'], profile: ['name', 'account_type', 'corporate_number', 'corporate_name'], email: ['email'] }
  : { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'], groups: ['groups'] };

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [jwk] },
  claims,
  scopes: Object.keys(claims),
  // GビズID: the ID token carries no name or e-mail; a city IdP puts its
  // claims (groups) in the ID token, as Entra ID does.
  conformIdTokenClaims: gbizid,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});
provider.proxy = false;

const callback = provider.callback();
server.on('request', async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (!match[2] || req.method !== 'POST') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<form method="post" action="/interaction/${details.uid}/login"><input name="login"><button>sign in</button></form>`);
      return;
    }
    const body = await new Promise((resolve) => {
      let data = '';
      req.on('data', (c) => { data += c; });
      req.on('end', () => resolve(new URLSearchParams(data)));
    });
    if (details.prompt.name === 'login') {
      const accountId = body.get('login');
      if (!config.accounts[accountId]) {
        res.statusCode = 400;
        res.end('unknown account');
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});

// The test that started us holds our stdin: when it ends (even by a crash),
// so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

process.stdout.write(`listening ${issuer}\n`);
