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
import { InitiateAuthCommand, RespondToAuthChallengeCommand } from "@aws-sdk/client-cognito-identity-provider";
import { args, step } from "./sdk-steps.mjs";

const { endpoint, pool, client, username, password, api } = args("user-auth-sdk.mjs");

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
