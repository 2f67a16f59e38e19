// A user-migration Lambda written in Node, served behind the Lambda Invoke
// API (POST /2015-03-31/functions/<name>/invocations, invoke-api.js) on 127.0.0.1, with its
// own small legacy user table. Ferry's local pool reaches it exactly as
// Cognito reaches a Lambda, which proves the pool runs any function — not
// only Ferry's own Go trigger.
//
//   PORT            port to listen on (default 0: any free port)
//   FUNCTION_NAME   function name served (default legacy-migrate; ARNs naming it work too)
//
// Prints one JSON line {"listening":"http://127.0.0.1:<port>","pid":<pid>} once ready.
// GET /_stats answers {"invocations":{<triggerSource>:<count>}}.
//
// Legacy users (passwords are stored as scrypt hashes, compared in constant time):
//   nora  nora@legacy.example  Nora#Legacy1   -> CONFIRMED
//   nico  nico@legacy.example  Nico#Legacy1   -> RESET_REQUIRED (legacy policy: must change)
//   nell  nell@legacy.example  Nell#Legacy1   -> CONFIRMED (used for forgot-password)
// Anything else, or a wrong password, fails the invocation the way a Node
// Lambda whose handler throws does: HTTP 200, X-Amz-Function-Error: Unhandled,
// {"errorType":"Error","errorMessage":"..."}. Passwords are never logged.
"use strict";
const crypto = require("node:crypto");
const { serve } = require("./invoke-api.js");

const SCRYPT = { N: 16384, r: 8, p: 1 };
const hash = (password, salt) => crypto.scryptSync(password, salt, 32, SCRYPT);

function legacyRow(username, password, status) {
  const salt = crypto.randomBytes(16);
  return { username, email: `${username}@legacy.example`, name: username[0].toUpperCase() + username.slice(1), salt, hash: hash(password, salt), status };
}
const table = [
  legacyRow("nora", "Nora#Legacy1", "CONFIRMED"),
  legacyRow("nico", "Nico#Legacy1", "RESET_REQUIRED"),
  legacyRow("nell", "Nell#Legacy1", "CONFIRMED"),
];
// An unknown user costs one scrypt too, so timing does not reveal who exists.
const dummy = legacyRow("dummy", crypto.randomBytes(12).toString("hex"), "CONFIRMED");

function find(name) {
  const n = String(name || "").toLowerCase();
  for (const row of table) {
    if (row.username === n) return { row, typedAlias: false };
    if (row.email === n) return { row, typedAlias: true };
  }
  return { row: null, typedAlias: false };
}

class MigrationError extends Error {}

function handler(ev) {
  const { row, typedAlias } = find(ev.userName);
  const attrs = (r) => {
    const a = { email: r.email, email_verified: "true", name: r.name };
    if (typedAlias) a.username = r.username; // Cognito's rule when an alias was typed in an alias pool
    return a;
  };
  switch (ev.triggerSource) {
    case "UserMigration_Authentication": {
      const r = row || dummy;
      const ok = crypto.timingSafeEqual(hash(String((ev.request && ev.request.password) || ""), r.salt), r.hash);
      if (!row || !ok) throw new MigrationError("Bad credentials");
      ev.response = { userAttributes: attrs(row), finalUserStatus: row.status, messageAction: "SUPPRESS" };
      return ev;
    }
    case "UserMigration_ForgotPassword":
      if (!row) throw new MigrationError("Unknown user");
      ev.response = { userAttributes: attrs(row), messageAction: "SUPPRESS" };
      return ev;
    default:
      throw new MigrationError("Not a user-migration event");
  }
}

const functionName = process.env.FUNCTION_NAME || "legacy-migrate";
const invocations = {};

serve({
  handlerFor: (name) => (name === functionName ? handler : undefined),
  received: (_, ev) => {
    invocations[ev.triggerSource] = (invocations[ev.triggerSource] || 0) + 1;
  },
  routes(req, send) {
    if (req.method !== "GET" || req.url !== "/_stats") return false;
    send(200, {}, { invocations });
    return true;
  },
});
