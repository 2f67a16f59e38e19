// Computes SRP_A and the 16-byte password authentication key with
// amazon-cognito-identity-js's AuthenticationHelper for fixed secrets a, so
// the Go client's arithmetic can be compared value for value.
//
// stdin:  [{"poolName","userId","password","a","srpB","salt"}...]   (hex integers)
// stdout: [{"srpA","key"}...]                                        (hex)
'use strict';
const { AuthenticationHelper } = require('amazon-cognito-identity-js');
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const out = [];
  for (const c of JSON.parse(input)) {
    const helper = new AuthenticationHelper(c.poolName);
    helper.smallAValue = new BigInteger(c.a, 16);
    helper.largeAValue = undefined;
    helper.getLargeAValue((errA, largeA) => {
      if (errA) throw errA;
      helper.getPasswordAuthenticationKey(c.userId, c.password, new BigInteger(c.srpB, 16), new BigInteger(c.salt, 16),
        (errKey, key) => {
          if (errKey) throw errKey;
          out.push({ srpA: largeA.toString(16), key: Buffer.from(key).toString('hex') });
        });
    });
  }
  process.stdout.write(JSON.stringify(out));
});
