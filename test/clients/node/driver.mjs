// Scenario driver for the JavaScript Cognito clients: the AWS SDK for
// JavaScript v3 (@aws-sdk/client-cognito-identity-provider, endpoint
// override, dummy credentials) and amazon-cognito-identity-js (SRP with
// authenticateUser, USER_PASSWORD_AUTH with setAuthenticationFlowType),
// against a local Cognito-compatible endpoint. Every token issued is
// verified with aws-jwt-verify (CognitoJwtVerifier with the AWS-form issuer,
// keys fed through cacheJwks from the server's JWKS endpoint).
//
// Usage: node driver.mjs [--endpoint URL] [--pool ID] [--client ID] [--plan FILE|-]
//   (or FERRY_ENDPOINT, FERRY_POOL_ID, FERRY_CLIENT_ID; the plan defaults to stdin)
//
// The plan is a JSON array of steps, run in order:
//   {"step": "name", "client": "sdk"|"acij", "op": OP, "username": "...", "password": "...",
//    "newPassword": "...", "attributes": {"email": "..."}, "code": "outbox"|"123456",
//    "expect": "ok"|"<exception name>", "clientId": "<app client id; default --client>"}
// OP is signUp, confirmSignUp, passwordAuth, adminPasswordAuth (sdk), srpAuth (acij), customAuth (CUSTOM_AUTH,
// each CUSTOM_CHALLENGE answered with the next of "answers"), refresh, forgotPassword,
// confirmForgotPassword, getUser (sdk), or call (sdk): {"operation": "CreateGroup", "input": {...},
// "save": {"name": "Path.In.Output"}} sends <operation>Command with the input, in which a string
// "$pool" is the pool, "$access" the access token of the username's last sign-in and "$name" a
// value an earlier call saved. A refresh or getUser uses the tokens of the
// last sign-in of that username with that client; code "outbox" takes the newest code
// sent to the username from GET /_ferry/outbox.
//
// With --verify, the input is instead a JSON array of {"id","access","clientId"} token sets
// issued to other clients; each is verified the same way and printed as one line.
//
// Prints one JSON line per step: {"step","ok","detail"}; exits 1 if any step failed.
import fs from "node:fs";
import * as cognitoCommands from "@aws-sdk/client-cognito-identity-provider";
import {
  CognitoIdentityProviderClient, SignUpCommand, ConfirmSignUpCommand, InitiateAuthCommand, AdminInitiateAuthCommand,
  ForgotPasswordCommand, ConfirmForgotPasswordCommand, GetUserCommand, RespondToAuthChallengeCommand,
  UpdateUserAttributesCommand, VerifyUserAttributeCommand, DeleteUserCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import acij from "amazon-cognito-identity-js";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const { CognitoUserPool, CognitoUser, AuthenticationDetails, CognitoUserAttribute, CognitoRefreshToken } = acij;

function arg(name, env) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : process.env[env];
}
const endpoint = (arg("endpoint", "FERRY_ENDPOINT") || "").replace(/\/+$/, "");
const poolId = arg("pool", "FERRY_POOL_ID");
const clientId = arg("client", "FERRY_CLIENT_ID");
const planFile = arg("plan", "FERRY_PLAN") || "-";
if (!endpoint || !poolId || !clientId) {
  console.error("driver.mjs: need --endpoint, --pool and --client (or FERRY_ENDPOINT, FERRY_POOL_ID, FERRY_CLIENT_ID)");
  process.exit(2);
}
const plan = JSON.parse(fs.readFileSync(planFile === "-" ? 0 : planFile, "utf8"));
const region = poolId.split("_")[0];

const sdk = new CognitoIdentityProviderClient({
  endpoint, region, maxAttempts: 1,
  credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
});
const pools = new Map(); // app client id -> CognitoUserPool
const poolFor = (s) => {
  const id = s.clientId || clientId;
  if (!pools.has(id)) pools.set(id, new CognitoUserPool({ UserPoolId: poolId, ClientId: id, endpoint }));
  return pools.get(id);
};
const cid = (s) => s.clientId || clientId;

// Token verification: AWS-form issuer, keys from the local JWKS endpoint.
const verifierCache = new Map(); // app client id -> {id, access}
let jwks;
async function verify(idToken, accessToken, appClientId = clientId) {
  if (!jwks) {
    const res = await fetch(`${endpoint}/${poolId}/.well-known/jwks.json`);
    if (!res.ok) throw new Error(`JWKS: HTTP ${res.status}`);
    jwks = await res.json();
  }
  if (!verifierCache.has(appClientId)) {
    const v = {
      id: CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: "id", clientId: appClientId }),
      access: CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: "access", clientId: appClientId }),
    };
    v.id.cacheJwks(jwks);
    v.access.cacheJwks(jwks);
    verifierCache.set(appClientId, v);
  }
  const verifiers = verifierCache.get(appClientId);
  const out = {};
  if (idToken) {
    const c = await verifiers.id.verify(idToken);
    out.id = { token_use: c.token_use, "cognito:username": c["cognito:username"], email: c.email, sub: c.sub, iss: c.iss };
  }
  if (accessToken) {
    const c = await verifiers.access.verify(accessToken);
    out.access = { token_use: c.token_use, username: c.username, client_id: c.client_id, scope: c.scope, origin_jti: c.origin_jti };
  }
  return out;
}

async function outboxCode(username) {
  const res = await fetch(`${endpoint}/_ferry/outbox?pool=${encodeURIComponent(poolId)}`);
  if (!res.ok) throw new Error(`outbox: HTTP ${res.status}`);
  const { messages } = await res.json();
  const u = username.toLowerCase();
  const mine = messages.filter((m) => m.code && (String(m.username).toLowerCase() === u || String(m.destination).toLowerCase() === u));
  if (!mine.length) throw new Error(`outbox: no code for ${username}`);
  return mine[mine.length - 1].code;
}

const sessions = new Map(); // client/username -> {access, id, refresh, user}
const key = (s) => `${s.client}/${cid(s)}/${s.username}`;

// Each op returns {result, tokens?}; a failure throws the client's own error.
const ops = {
  sdk: {
    signUp: async (s) => ({ result: await sdk.send(new SignUpCommand({ ClientId: cid(s), Username: s.username, Password: s.password,
      UserAttributes: Object.entries(s.attributes || {}).map(([Name, Value]) => ({ Name, Value })) })) }),
    confirmSignUp: async (s) => ({ result: await sdk.send(new ConfirmSignUpCommand({ ClientId: cid(s), Username: s.username,
      ConfirmationCode: s.code === "outbox" ? await outboxCode(s.username) : s.code })) }),
    passwordAuth: async (s) => {
      const r = await sdk.send(new InitiateAuthCommand({ ClientId: cid(s), AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: s.username, PASSWORD: s.password } }));
      return { result: r, tokens: sdkTokens(r) };
    },
    adminPasswordAuth: async (s) => {
      const r = await sdk.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: cid(s), AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: s.username, PASSWORD: s.password } }));
      return { result: r, tokens: sdkTokens(r) };
    },
    customAuth: async (s) => {
      let r = await sdk.send(new InitiateAuthCommand({ ClientId: cid(s), AuthFlow: "CUSTOM_AUTH",
        AuthParameters: { USERNAME: s.username } }));
      for (const answer of s.answers || []) {
        if (r.ChallengeName !== "CUSTOM_CHALLENGE") break;
        r = await sdk.send(new RespondToAuthChallengeCommand({ ClientId: cid(s), ChallengeName: r.ChallengeName, Session: r.Session,
          ChallengeResponses: { USERNAME: s.username, ANSWER: answer } }));
      }
      return { result: r, tokens: sdkTokens(r) };
    },
    refresh: async (s) => {
      const r = await sdk.send(new InitiateAuthCommand({ ClientId: cid(s), AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: sessionOf(s).refresh } }));
      return { result: r, tokens: { ...sdkTokens(r), refresh: sessionOf(s).refresh } };
    },
    forgotPassword: async (s) => ({ result: await sdk.send(new ForgotPasswordCommand({ ClientId: cid(s), Username: s.username })) }),
    confirmForgotPassword: async (s) => ({ result: await sdk.send(new ConfirmForgotPasswordCommand({ ClientId: cid(s),
      Username: s.username, Password: s.newPassword, ConfirmationCode: s.code === "outbox" ? await outboxCode(s.username) : s.code })) }),
    getUser: async (s) => ({ result: await sdk.send(new GetUserCommand({ AccessToken: sessionOf(s).access })) }),
    updateUserAttributes: async (s) => ({ result: await sdk.send(new UpdateUserAttributesCommand({ AccessToken: sessionOf(s).access,
      UserAttributes: Object.entries(s.attributes || {}).map(([Name, Value]) => ({ Name, Value })) })) }),
    verifyEmail: async (s) => ({ result: await sdk.send(new VerifyUserAttributeCommand({ AccessToken: sessionOf(s).access,
      AttributeName: "email", Code: s.code === "outbox" ? await outboxCode(s.username) : s.code })) }),
    deleteUser: async (s) => ({ result: await sdk.send(new DeleteUserCommand({ AccessToken: sessionOf(s).access })) }),
    call: async (s) => {
      const Command = cognitoCommands[`${s.operation}Command`];
      if (!Command) throw Object.assign(new Error(`no command ${s.operation}`), { name: "DriverError" });
      const r = await sdk.send(new Command(fillInput(s.input || {}, s)));
      for (const [name, path] of Object.entries(s.save || {})) {
        const v = path.split(".").reduce((o, p) => (o == null ? o : o[p]), r);
        if (typeof v !== "string") throw Object.assign(new Error(`no ${path} in the output`), { name: "DriverError" });
        saved.set(name, v);
      }
      return { result: r };
    },
  },
  acij: {
    signUp: (s) => cb((done) => poolFor(s).signUp(s.username, s.password,
      Object.entries(s.attributes || {}).map(([Name, Value]) => new CognitoUserAttribute({ Name, Value })), null,
      (err, r) => done(err, r && { userConfirmed: r.userConfirmed, userSub: r.userSub, codeDeliveryDetails: r.codeDeliveryDetails }))),
    confirmSignUp: async (s) => {
      const code = s.code === "outbox" ? await outboxCode(s.username) : s.code;
      return cb((done) => acijUser(s).confirmRegistration(code, true, done));
    },
    passwordAuth: (s) => acijAuth(s, "USER_PASSWORD_AUTH"),
    srpAuth: (s) => acijAuth(s, "USER_SRP_AUTH"),
    // CognitoUser.initiateAuth with CUSTOM_AUTH: customChallenge is called
    // with each challenge's parameters and answers with sendCustomChallengeAnswer.
    customAuth: (s) => {
      const user = new CognitoUser({ Username: s.username, Pool: poolFor(s) });
      user.setAuthenticationFlowType("CUSTOM_AUTH");
      const answers = [...(s.answers || [])];
      return new Promise((resolve, reject) => {
        const callbacks = {
          onSuccess: (session) => resolve({ result: { session: true }, tokens: acijTokens(session), user }),
          onFailure: reject,
          customChallenge(params) {
            if (!answers.length) return reject(Object.assign(new Error(`no answer left for ${JSON.stringify(params)}`), { name: "DriverError" }));
            user.sendCustomChallengeAnswer(answers.shift(), callbacks);
          },
        };
        user.initiateAuth(new AuthenticationDetails({ Username: s.username }), callbacks);
      });
    },
    refresh: (s) => cb((done) => acijUser(s).refreshSession(new CognitoRefreshToken({ RefreshToken: sessionOf(s).refresh }),
      (err, session) => done(err, session && { session: true }, session && acijTokens(session)))),
    forgotPassword: (s) => cb((done) => acijUser(s).forgotPassword({
      onSuccess: (data) => done(null, data), onFailure: (err) => done(err),
      inputVerificationCode: (data) => done(null, data),
    })),
    confirmForgotPassword: async (s) => {
      const code = s.code === "outbox" ? await outboxCode(s.username) : s.code;
      return cb((done) => acijUser(s).confirmPassword(code, s.newPassword, {
        onSuccess: (r) => done(null, r), onFailure: (err) => done(err),
      }));
    },
  },
};

// saved holds what call steps saved, for later steps' "$name" values.
const saved = new Map([["pool", poolId]]);
function fillInput(v, s) {
  if (typeof v === "string" && v.startsWith("$")) {
    if (v === "$access") return sessionOf(s).access;
    if (!saved.has(v.slice(1))) throw Object.assign(new Error(`no value for ${v}`), { name: "DriverError" });
    return saved.get(v.slice(1));
  }
  if (Array.isArray(v)) return v.map((x) => fillInput(x, s));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillInput(x, s)]));
  return v;
}

function sessionOf(s) {
  const sess = sessions.get(key(s));
  if (!sess) throw new Error(`no earlier sign-in of ${s.username} with ${s.client}`);
  return sess;
}
function sdkTokens(r) {
  const a = r.AuthenticationResult;
  if (!a) return undefined;
  return { id: a.IdToken, access: a.AccessToken, refresh: a.RefreshToken };
}
function acijTokens(session) {
  return { id: session.getIdToken().getJwtToken(), access: session.getAccessToken().getJwtToken(), refresh: session.getRefreshToken().getToken() };
}
function acijUser(s) {
  const sess = sessions.get(key(s));
  if (sess && sess.user) return sess.user;
  return new CognitoUser({ Username: s.username, Pool: poolFor(s) });
}
// cb adapts the callback style of amazon-cognito-identity-js.
function cb(f) {
  return new Promise((resolve, reject) => f((err, result, tokens) => (err ? reject(err) : resolve({ result, tokens }))));
}
function acijAuth(s, flow) {
  const user = new CognitoUser({ Username: s.username, Pool: poolFor(s) });
  user.setAuthenticationFlowType(flow);
  return new Promise((resolve, reject) => user.authenticateUser(new AuthenticationDetails({ Username: s.username, Password: s.password }), {
    onSuccess: (session) => resolve({ result: { session: true }, tokens: acijTokens(session), user }),
    onFailure: reject,
    newPasswordRequired: (attrs) => reject(Object.assign(new Error("NEW_PASSWORD_REQUIRED challenge"), { name: "NEW_PASSWORD_REQUIRED" })),
    mfaRequired: () => reject(Object.assign(new Error("SMS_MFA challenge"), { name: "SMS_MFA" })),
    totpRequired: () => reject(Object.assign(new Error("SOFTWARE_TOKEN_MFA challenge"), { name: "SOFTWARE_TOKEN_MFA" })),
  }));
}

let failed = 0;
if (process.argv.includes("--verify")) {
  for (const [i, t] of plan.entries()) {
    let ok = true, detail;
    try {
      detail = { claims: await verify(t.id, t.access, t.clientId || clientId) };
    } catch (e) {
      ok = false;
      detail = { error: `${e.name}: ${e.message}` };
    }
    if (!ok) failed++;
    console.log(JSON.stringify({ step: t.step || `token set ${i}`, ok, detail }));
  }
  process.exit(failed ? 1 : 0);
}
for (const s of plan) {
  const detail = { client: s.client, op: s.op, username: s.username, expect: s.expect || "ok" };
  let ok = false;
  try {
    const f = ops[s.client] && ops[s.client][s.op];
    if (!f) throw Object.assign(new Error(`no op ${s.op} for client ${s.client}`), { name: "DriverError" });
    let out;
    try {
      out = await f(s);
      detail.got = "ok";
    } catch (e) {
      detail.got = e.code || e.name || "Error";
      detail.message = e.message;
      if (e.$metadata) detail.status = e.$metadata.httpStatusCode;
    }
    if (out && out.tokens && out.tokens.access) {
      detail.claims = await verify(out.tokens.id, out.tokens.access, cid(s));
      detail.refreshToken = Boolean(out.tokens.refresh);
      const prev = sessions.get(key(s)) || {};
      sessions.set(key(s), { ...prev, ...out.tokens, refresh: out.tokens.refresh || prev.refresh, user: out.user || prev.user });
    }
    if (out && out.result && s.op === "getUser") detail.result = { Username: out.result.Username };
    if (out && out.result && out.result.CodeDeliveryDetails) detail.codeDelivery = out.result.CodeDeliveryDetails;
    ok = detail.got === (s.expect || "ok");
  } catch (e) {
    detail.error = `${e.name}: ${e.message}`; // a token that does not verify lands here
  }
  if (!ok) failed++;
  console.log(JSON.stringify({ step: s.step, ok, detail }));
}
process.exit(failed ? 1 : 0);
