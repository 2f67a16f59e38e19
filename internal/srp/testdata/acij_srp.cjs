// Signs in with amazon-cognito-identity-js's own CognitoUser (USER_SRP_AUTH)
// against a recording stand-in for its HTTP client, and prints what it sent.
// The Go test plays the server: it supplies the PASSWORD_VERIFIER challenge
// (SRP_B does not depend on SRP_A) and checks the recorded claim.
//
// stdin:  {"poolId","clientId","username","password","challenge":{SALT,SRP_B,SECRET_BLOCK,USERNAME,USER_ID_FOR_SRP}}
// stdout: {"initiateAuth":{...},"respondToAuthChallenge":{...}}
'use strict';
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const pool = new CognitoUserPool({ UserPoolId: req.poolId, ClientId: req.clientId });
  const sent = {};
  pool.client = {
    request(operation, params, callback) {
      if (operation === 'InitiateAuth') {
        sent.initiateAuth = params;
        callback(null, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: req.challenge });
        return;
      }
      if (operation === 'RespondToAuthChallenge') {
        sent.respondToAuthChallenge = params;
        process.stdout.write(JSON.stringify(sent));
        process.exit(0);
      }
      callback(new Error('unexpected operation ' + operation));
    },
  };
  const user = new CognitoUser({ Username: req.username, Pool: pool });
  user.authenticateUser(new AuthenticationDetails({ Username: req.username, Password: req.password }), {
    onSuccess() { console.error('unexpected success'); process.exit(2); },
    onFailure(err) { console.error(String(err && err.stack || err)); process.exit(1); },
  });
});
