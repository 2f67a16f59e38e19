// An app's Cognito Lambda triggers written in Node — plain handlers, as an
// app deploys them — served behind the Lambda Invoke API
// (POST /2015-03-31/functions/<name>/invocations) on 127.0.0.1. Ferry's
// local pool reaches each function exactly as Cognito reaches a Lambda.
// Every event received is recorded, so a test can check it against the
// event types of aws-lambda-go.
//
//   PORT   port to listen on (default 0: any free port)
//
// Prints one JSON line {"listening":"http://127.0.0.1:<port>","pid":<pid>} once ready.
// GET  /_events  answers {"events":[{"function":<name>,"event":<event as received>}, …]}
// GET  /_codes   answers {"codes":{<userName>:<code of the pending custom challenge>, …}}
// POST /_reset   forgets the recorded events.
//
// Functions (any name ending in one of these, e.g. app-presignup or an ARN naming it):
//   presignup     userName auto*: autoConfirmUser + autoVerifyEmail; reject*: throws
//   postconfirm   records only
//   preauth       userName blocked*: throws "This account is blocked"
//   postauth      userName postfail*: throws "Audit log unavailable"
//   pretoken      V1 (event.version "1"): claimsOverrideDetails; V2/V3: claimsAndScopeOverrideDetails
//                 (see tokenOverrides); userName tokenfail*: throws
//   message       CustomMessage: a branded subject and body carrying codeParameter;
//                 userName nocode*: a body without the code (an invalid answer)
//   migrate       UserMigration_ForgotPassword for fern / fern@legacy.example
//   defineauth    DefineAuthChallenge: PASSWORD_VERIFIER after SRP_A; tokens once a CUSTOM_CHALLENGE is
//                 answered right; fails after three wrong answers; userName definefail*: throws
//   createauth    CreateAuthChallenge: a random six-digit code (GET /_codes shows it, as the user's inbox
//                 would), kept in privateChallengeParameters; a hint in publicChallengeParameters
//   verifyauth    VerifyAuthChallengeResponse: answerCorrect when the answer is the code
// A handler that throws answers as a Node Lambda does (invoke-api.js).
"use strict";
const { randomInt } = require("node:crypto");
const { serve } = require("./invoke-api.js");

const starts = (ev, prefix) => String(ev.userName || "").startsWith(prefix);

function tokenOverrides(ev) {
  const groups = (ev.request.groupConfiguration && ev.request.groupConfiguration.groupsToOverride) || [];
  const groupOverrideDetails = {
    groupsToOverride: [...groups, "app-users"],
    iamRolesToOverride: ["arn:aws:iam::000000000000:role/app-user"],
    preferredRole: "arn:aws:iam::000000000000:role/app-user",
  };
  if (ev.version === "1") {
    return {
      claimsOverrideDetails: {
        claimsToAddOrOverride: { "app:tier": "gold", name: "Overridden Name", iss: "https://evil.example" },
        claimsToSuppress: ["email_verified"],
        groupOverrideDetails,
      },
    };
  }
  return {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: {
        claimsToAddOrOverride: { "app:tier": "platinum", "app:flags": { beta: true, seats: 3 } },
        claimsToSuppress: ["email_verified"],
      },
      accessTokenGeneration: {
        claimsToAddOrOverride: { "app:tenant": "acme", sub: "not-the-user" },
        claimsToSuppress: [],
        scopesToAdd: ["app/read", "app/write"],
        scopesToSuppress: ["app/write"],
      },
      groupOverrideDetails,
    },
  };
}

const codes = {};

const handlers = {
  presignup(ev) {
    if (starts(ev, "reject")) throw new Error("Sign-ups are closed for this address");
    if (starts(ev, "auto")) {
      ev.response.autoConfirmUser = true;
      ev.response.autoVerifyEmail = true;
    }
    return ev;
  },
  postconfirm: (ev) => ev,
  preauth(ev) {
    if (starts(ev, "blocked")) throw new Error("This account is blocked");
    return ev;
  },
  postauth(ev) {
    if (starts(ev, "postfail")) throw new Error("Audit log unavailable");
    return ev;
  },
  pretoken(ev) {
    if (starts(ev, "tokenfail")) throw new Error("Entitlements service down");
    ev.response = tokenOverrides(ev);
    return ev;
  },
  message(ev) {
    const code = ev.request.codeParameter;
    const who = ev.request.usernameParameter || ev.userName;
    const body = starts(ev, "nocode") ? "Welcome aboard!" : `[${ev.triggerSource}] Hello ${who}, your code is ${code}`;
    ev.response.emailSubject = `App: ${ev.triggerSource}`;
    ev.response.emailMessage = body;
    ev.response.smsMessage = body;
    return ev;
  },
  migrate(ev) {
    const n = String(ev.userName || "").toLowerCase();
    if (ev.triggerSource !== "UserMigration_ForgotPassword" || (n !== "fern" && n !== "fern@legacy.example")) {
      throw new Error("Unknown user");
    }
    ev.response.userAttributes = { email: "fern@legacy.example", email_verified: "true", name: "Fern" };
    if (n !== "fern") ev.response.userAttributes.username = "fern";
    ev.response.messageAction = "SUPPRESS";
    return ev;
  },
  defineauth(ev) {
    if (starts(ev, "definefail")) throw new Error("Challenge service down");
    const session = ev.request.session;
    const last = session[session.length - 1];
    const custom = session.filter((c) => c.challengeName === "CUSTOM_CHALLENGE");
    ev.response.issueTokens = false;
    ev.response.failAuthentication = false;
    if (last && last.challengeName === "SRP_A") {
      ev.response.challengeName = "PASSWORD_VERIFIER";
    } else if (custom.some((c) => c.challengeResult)) {
      ev.response.issueTokens = true;
    } else if (custom.length >= 3) {
      ev.response.failAuthentication = true;
    } else {
      ev.response.challengeName = "CUSTOM_CHALLENGE";
    }
    return ev;
  },
  createauth(ev) {
    const code = String(randomInt(0, 1000000)).padStart(6, "0");
    codes[ev.userName] = code;
    ev.response.publicChallengeParameters = { hint: `code sent to ${ev.request.userAttributes.email || "you"}` };
    ev.response.privateChallengeParameters = { code };
    ev.response.challengeMetadata = `CODE-${ev.request.session.length}`;
    return ev;
  },
  verifyauth(ev) {
    ev.response.answerCorrect = ev.request.challengeAnswer === ev.request.privateChallengeParameters.code;
    return ev;
  },
};

const events = [];

function handlerFor(name) {
  const key = Object.keys(handlers).find((k) => name.endsWith(k));
  return key && handlers[key];
}

serve({
  handlerFor,
  // A deep copy: the record is the event as received, before the handler edits it.
  received: (name, ev) => events.push({ function: name, event: JSON.parse(JSON.stringify(ev)) }),
  routes(req, send) {
    if (req.method === "GET" && req.url === "/_events") {
      send(200, {}, { events });
      return true;
    }
    if (req.method === "GET" && req.url === "/_codes") {
      send(200, {}, { codes });
      return true;
    }
    if (req.method === "POST" && req.url === "/_reset") {
      events.length = 0;
      send(200, {}, {});
      return true;
    }
    return false;
  },
});
