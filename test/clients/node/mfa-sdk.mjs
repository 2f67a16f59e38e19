// The software-token MFA life cycle with the AWS SDK for JavaScript v3
// (@aws-sdk/client-cognito-identity-provider, endpoint override, dummy
// credentials) against a local Cognito-compatible endpoint: sign in,
// AssociateSoftwareToken, VerifySoftwareToken (a wrong code, then the
// authenticator's), SetUserMFAPreference, GetUser, a sign-in that stops at
// SOFTWARE_TOKEN_MFA, a wrong code, the next step's code, and
// AdminSetUserMFAPreference turning the factor off.
//
// Usage: node mfa-sdk.mjs --endpoint URL --pool ID --client ID --username U --password P
//
// Prints one JSON line per step: {"step","ok","detail"}; exits 1 at the
// first step that does not go as Cognito would answer.
import {
  InitiateAuthCommand, AssociateSoftwareTokenCommand, VerifySoftwareTokenCommand,
  SetUserMFAPreferenceCommand, GetUserCommand, RespondToAuthChallengeCommand, AdminSetUserMFAPreferenceCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { args, step } from "./sdk-steps.mjs";
import { totp } from "./totp.mjs";

const { pool, client, username, password, api } = args("mfa-sdk.mjs");

const signIn = () => api.send(new InitiateAuthCommand({ ClientId: client, AuthFlow: "USER_PASSWORD_AUTH",
  AuthParameters: { USERNAME: username, PASSWORD: password } }));
const now = () => Date.now() / 1000;
const wrong = (code) => String((Number(code) + 1) % 1000000).padStart(6, "0");

const first = await step("InitiateAuth", "ok", signIn);
const AccessToken = first.AuthenticationResult.AccessToken;
const { SecretCode } = await step("AssociateSoftwareToken", "ok", () => api.send(new AssociateSoftwareTokenCommand({ AccessToken })));
await step("VerifySoftwareToken wrong code", "EnableSoftwareTokenMFAException",
  () => api.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: wrong(totp(SecretCode, now())) })));
const verified = await step("VerifySoftwareToken", "ok", () => api.send(new VerifySoftwareTokenCommand({ AccessToken,
  UserCode: totp(SecretCode, now()), FriendlyDeviceName: "sdk" })));
if (verified.Status !== "SUCCESS") throw new Error(`VerifySoftwareToken status ${verified.Status}`);
await step("SetUserMFAPreference", "ok", () => api.send(new SetUserMFAPreferenceCommand({ AccessToken,
  SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })));
const me = await step("GetUser", "ok", () => api.send(new GetUserCommand({ AccessToken })));
if (me.PreferredMfaSetting !== "SOFTWARE_TOKEN_MFA") throw new Error(`GetUser PreferredMfaSetting ${me.PreferredMfaSetting}`);
const challenge = await step("InitiateAuth with MFA", "ok", signIn);
if (challenge.ChallengeName !== "SOFTWARE_TOKEN_MFA") throw new Error(`challenge ${challenge.ChallengeName}`);
const answer = (code) => () => api.send(new RespondToAuthChallengeCommand({ ClientId: client, ChallengeName: "SOFTWARE_TOKEN_MFA",
  Session: challenge.Session, ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code } }));
// The next step's code: the current one verified the token already.
const next = totp(SecretCode, now() + 30);
await step("RespondToAuthChallenge wrong code", "CodeMismatchException", answer(wrong(next)));
const tokens = await step("RespondToAuthChallenge", "ok", answer(next));
if (!tokens.AuthenticationResult?.AccessToken) throw new Error("RespondToAuthChallenge: no tokens");
await step("AdminSetUserMFAPreference", "ok", () => api.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool,
  Username: username, SoftwareTokenMfaSettings: { Enabled: false } })));
const after = await step("InitiateAuth after MFA is off", "ok", signIn);
if (!after.AuthenticationResult) throw new Error("InitiateAuth after MFA is off: no tokens");
