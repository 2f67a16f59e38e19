// Verifies Ferry's tokens with awslabs/aws-jwt-verify's CognitoJwtVerifier,
// the verifier API Gateway authorizers and Node back ends use, given the
// pool's JWKS (no network).
//
// stdin:  {"poolId","clientId","jwks":{...},"tokens":[{"use":"id"|"access","token":"..."}]}
// stdout: [{"use","ok","error","payload"}...]
'use strict';
const { CognitoJwtVerifier } = require('aws-jwt-verify');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const req = JSON.parse(input);
  const out = [];
  for (const t of req.tokens) {
    const verifier = CognitoJwtVerifier.create({ userPoolId: req.poolId, tokenUse: t.use, clientId: req.clientId });
    verifier.cacheJwks(req.jwks);
    try {
      const payload = await verifier.verify(t.token);
      out.push({ use: t.use, ok: true, payload });
    } catch (err) {
      out.push({ use: t.use, ok: false, error: String(err && err.message || err) });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
