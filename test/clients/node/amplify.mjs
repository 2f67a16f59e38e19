// Scenario driver for Amplify JS v6 (aws-amplify, the library most web apps
// use) against a local Cognito-compatible endpoint: Amplify.configure with
// Auth.Cognito.userPoolEndpoint, then the app-facing calls of
// aws-amplify/auth, each as a step.
//
// Usage: node amplify.mjs --endpoint URL --pool ID --client ID
//
// Steps are JSON lines on stdin, run one at a time as they arrive, so the
// test can act on the pool between steps (advance its clock, read the
// outbox):
//   {"step": "name", "op": OP, "username": "...", "password": "...",
//    "attributes": {"name": "..."}, "attribute": "email", "code": "123456"}
// OP is signIn (USER_PASSWORD_AUTH), signInSRP, signInCustom (CUSTOM_WITHOUT_SRP),
// signInCustomSRP (CUSTOM_WITH_SRP), signInUserAuth (USER_AUTH, choice-based,
// with an optional "preferredChallenge" and "password"), session, refresh
// (fetchAuthSession forceRefresh), currentUser, userAttributes,
// updateUserAttributes, confirmAttribute, signOut, deleteUser, or for MFA
// signUpUserAuth (signUp with the step's attributes and autoSignIn through
// USER_AUTH), confirmSignUp (the step's "code"), autoSignIn,
// setUpTOTP, verifyTOTPSetup, updateMFAPreference ("totp", "sms", "email":
// "PREFERRED", "ENABLED", ...) and
// confirmSignIn (an MFA code, or a custom challenge's answer: the step's
// "code"). verifyTOTPSetup and confirmSignIn type the code an
// authenticator app would show for the secret setUpTOTP returned, computed
// here (RFC 6238: HMAC-SHA-1, 6 digits, 30 s) at now + "atSeconds", unless
// the step gives a "code" (an emailed code, a chosen first factor, a
// password).
//
// Prints one JSON line per step: {"step","ok","detail"}; detail carries what
// Amplify returned (or the error's name and message) and the decoded
// claims of the session's tokens.
import readline from "node:readline";
import { totp } from "./totp.mjs";
import { Amplify } from "aws-amplify";
import {
  signIn, signOut, fetchAuthSession, getCurrentUser, fetchUserAttributes, updateUserAttributes,
  confirmUserAttribute, deleteUser, setUpTOTP, verifyTOTPSetup, updateMFAPreference, confirmSignIn,
  signUp, confirmSignUp, autoSignIn,
} from "aws-amplify/auth";

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const endpoint = (arg("endpoint") || "").replace(/\/+$/, "");
const userPoolId = arg("pool");
const userPoolClientId = arg("client");
if (!endpoint || !userPoolId || !userPoolClientId) {
  console.error("amplify.mjs: need --endpoint, --pool and --client");
  process.exit(2);
}

Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });

function claims(session) {
  const t = session?.tokens;
  if (!t) return null;
  return { access: t.accessToken?.payload, id: t.idToken?.payload, jti: t.accessToken?.payload?.jti };
}

// signInResult is what the test checks of a signIn or confirmSignIn
// answer: where the sign-in stands and what it offers next.
function signInResult(out) {
  const n = out.nextStep || {};
  return { isSignedIn: out.isSignedIn, nextStep: n.signInStep, additionalInfo: n.additionalInfo,
    availableChallenges: n.availableChallenges, deliveryMedium: n.codeDeliveryDetails?.deliveryMedium,
    destination: n.codeDeliveryDetails?.destination };
}

let totpSecret = "";
const codeFor = (s) => s.code || totp(totpSecret, Date.now() / 1000 + (s.atSeconds || 0));

async function run(s) {
  switch (s.op) {
    case "signIn":
    case "signInSRP": {
      const out = await signIn({ username: s.username, password: s.password,
        options: { authFlowType: s.op === "signIn" ? "USER_PASSWORD_AUTH" : "USER_SRP_AUTH" } });
      return signInResult(out);
    }
    case "signInUserAuth": {
      const out = await signIn({ username: s.username, password: s.password,
        options: { authFlowType: "USER_AUTH", preferredChallenge: s.preferredChallenge } });
      return signInResult(out);
    }
    case "signInCustom":
    case "signInCustomSRP": {
      const out = await signIn({ username: s.username, password: s.password,
        options: { authFlowType: s.op === "signInCustom" ? "CUSTOM_WITHOUT_SRP" : "CUSTOM_WITH_SRP" } });
      return signInResult(out);
    }
    case "signUpUserAuth": {
      const out = await signUp({ username: s.username, password: s.password,
        options: { userAttributes: s.attributes, autoSignIn: { authFlowType: "USER_AUTH" } } });
      return { isSignUpComplete: out.isSignUpComplete, nextStep: out.nextStep?.signUpStep,
        deliveryMedium: out.nextStep?.codeDeliveryDetails?.deliveryMedium };
    }
    case "confirmSignUp": {
      const out = await confirmSignUp({ username: s.username, confirmationCode: s.code });
      return { isSignUpComplete: out.isSignUpComplete, nextStep: out.nextStep?.signUpStep };
    }
    case "autoSignIn":
      return signInResult(await autoSignIn());
    case "session":
      return { claims: claims(await fetchAuthSession()) };
    case "refresh":
      return { claims: claims(await fetchAuthSession({ forceRefresh: true })) };
    case "currentUser":
      return await getCurrentUser();
    case "userAttributes":
      return await fetchUserAttributes();
    case "updateUserAttributes": {
      const out = await updateUserAttributes({ userAttributes: s.attributes });
      const steps = {};
      for (const [k, v] of Object.entries(out)) steps[k] = { isUpdated: v.isUpdated, step: v.nextStep?.updateAttributeStep,
        medium: v.nextStep?.codeDeliveryDetails?.deliveryMedium };
      return steps;
    }
    case "confirmAttribute":
      await confirmUserAttribute({ userAttributeKey: s.attribute, confirmationCode: s.code });
      return {};
    case "signOut":
      await signOut({ global: !!s.global });
      return {};
    case "deleteUser":
      await deleteUser();
      return {};
    case "setUpTOTP": {
      const out = await setUpTOTP();
      totpSecret = out.sharedSecret;
      return { sharedSecret: out.sharedSecret, uri: out.getSetupUri("Ferry", s.username).href };
    }
    case "verifyTOTPSetup":
      await verifyTOTPSetup({ code: codeFor(s), options: { friendlyDeviceName: s.device } });
      return {};
    case "updateMFAPreference":
      await updateMFAPreference({ totp: s.totp, sms: s.sms, email: s.email });
      return {};
    case "confirmSignIn": {
      const out = await confirmSignIn({ challengeResponse: codeFor(s) });
      return signInResult(out);
    }
    default:
      throw Object.assign(new Error(`unknown op ${s.op}`), { name: "DriverError" });
  }
}

const rl = readline.createInterface({ input: process.stdin });
let failed = false;
for await (const line of rl) {
  if (!line.trim()) continue;
  const s = JSON.parse(line);
  let out;
  try {
    out = { step: s.step, ok: true, detail: { got: "ok", result: await run(s) } };
  } catch (e) {
    out = { step: s.step, ok: false, detail: { got: e.name, message: e.message } };
    failed = true;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
process.exit(failed ? 1 : 0);
