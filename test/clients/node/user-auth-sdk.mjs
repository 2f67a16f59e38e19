// Choice-based sign-in (USER_AUTH) with the AWS SDK for JavaScript v3
// (@aws-sdk/client-cognito-identity-provider, endpoint override, dummy
// credentials) against a local Cognito-compatible endpoint: InitiateAuth
// answers SELECT_CHALLENGE with AvailableChallenges, the user chooses
// EMAIL_OTP, a wrong code, then the code read from the pool's outbox
// (GET /_ferry/outbox) gives tokens; then PREFERRED_CHALLENGE PASSWORD with
// the password signs in at once, and WEB_AUTHN is refused.
//
// Usage: node user-auth-sdk.mjs --endpoint URL --pool ID --client ID --username U --password P
//
// Prints one JSON line per step: {"step","ok","detail"}; exits 1 at the
// first step that does not go as Cognito would answer.
import {
  CognitoIdentityProviderClient, InitiateAuthCommand, RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const [endpoint, pool, client, username, password] = ["endpoint", "pool", "client", "username", "password"].map(arg);
if (!endpoint || !pool || !client || !username || !password) {
  console.error("user-auth-sdk.mjs: need --endpoint, --pool, --client, --username and --password");
  process.exit(2);
}
const api = new CognitoIdentityProviderClient({ endpoint, region: pool.split("_")[0], maxAttempts: 1,
  credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" } });

// step runs one call; expect is "ok" or the exception name Cognito answers;
// check, when given, says what is wrong with a successful answer.
async function step(name, expect, fn, check) {
  let out;
  try {
    const result = await fn();
    const wrong = expect === "ok" && check ? check(result) : "";
    out = { step: name, ok: expect === "ok" && !wrong, detail: { got: "ok", wrong, result } };
  } catch (e) {
    out = { step: name, ok: e.name === expect, detail: { got: e.name, message: e.message } };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  if (!out.ok) process.exit(1);
  return out.detail.result;
}

// outboxCode is the newest code the pool sent the user.
async function outboxCode() {
  const res = await fetch(`${endpoint}/_ferry/outbox?pool=${encodeURIComponent(pool)}`);
  const { messages = [] } = await res.json();
  const mine = messages.filter((m) => m.username === username && m.code);
  return mine.length ? mine[mine.length - 1].code : "";
}

const respond = (ChallengeName, Session, ChallengeResponses) =>
  api.send(new RespondToAuthChallengeCommand({ ClientId: client, ChallengeName, Session, ChallengeResponses }));
const initiate = (AuthParameters) =>
  api.send(new InitiateAuthCommand({ ClientId: client, AuthFlow: "USER_AUTH", AuthParameters }));

const choice = await step("InitiateAuth USER_AUTH", "ok", () => initiate({ USERNAME: username }),
  (r) => r.ChallengeName !== "SELECT_CHALLENGE" || !r.AvailableChallenges?.includes("EMAIL_OTP") ? "want SELECT_CHALLENGE offering EMAIL_OTP" : "");
const otp = await step("choose EMAIL_OTP", "ok", () => respond("SELECT_CHALLENGE", choice.Session, { USERNAME: username, ANSWER: "EMAIL_OTP" }),
  (r) => r.ChallengeName !== "EMAIL_OTP" || r.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM !== "EMAIL" ? "want EMAIL_OTP by EMAIL" : "");
await step("wrong EMAIL_OTP_CODE", "CodeMismatchException",
  () => respond("EMAIL_OTP", otp.Session, { USERNAME: username, EMAIL_OTP_CODE: "000000" }));
const code = await outboxCode();
await step("EMAIL_OTP_CODE from the outbox", "ok", () => respond("EMAIL_OTP", otp.Session, { USERNAME: username, EMAIL_OTP_CODE: code }),
  (r) => r.AuthenticationResult?.AccessToken ? "" : "want tokens");
await step("PREFERRED_CHALLENGE PASSWORD", "ok",
  () => initiate({ USERNAME: username, PREFERRED_CHALLENGE: "PASSWORD", PASSWORD: password }),
  (r) => r.AuthenticationResult?.AccessToken ? "" : "want tokens at once");
await step("PREFERRED_CHALLENGE WEB_AUTHN", "InvalidParameterException",
  () => initiate({ USERNAME: username, PREFERRED_CHALLENGE: "WEB_AUTHN" }));
