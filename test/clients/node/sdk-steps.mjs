// What the step scripts for the AWS SDK for JavaScript v3 share
// (mfa-sdk.mjs, user-auth-sdk.mjs): their arguments, a client pointed at a
// local Cognito-compatible endpoint with dummy credentials, and step().
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";

// args reads --endpoint, --pool, --client, --username and --password, all
// required; script names the caller in the usage error.
export function args(script) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const [endpoint, pool, client, username, password] = ["endpoint", "pool", "client", "username", "password"].map(arg);
  if (!endpoint || !pool || !client || !username || !password) {
    console.error(`${script}: need --endpoint, --pool, --client, --username and --password`);
    process.exit(2);
  }
  const api = new CognitoIdentityProviderClient({ endpoint, region: pool.split("_")[0], maxAttempts: 1,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" } });
  return { endpoint, pool, client, username, password, api };
}

// step runs one call and prints one JSON line {"step","ok","detail"};
// expect is "ok" or the exception name Cognito answers; check, when
// given, says what is wrong with a successful answer. The script exits 1
// at the first step that does not go as Cognito would answer.
export async function step(name, expect, fn, check) {
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
