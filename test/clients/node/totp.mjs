// RFC 6238 codes, as an authenticator app shows them for the SecretCode
// Cognito's AssociateSoftwareToken returns: HMAC-SHA-1, 6 digits, 30-second
// steps. Written with node:crypto alone, apart from the server's own check.
import { createHmac } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// totp is the code of a base32 secret at unix time secs.
export function totp(secret, secs) {
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw Object.assign(new Error(`secret is not base32: ${ch}`), { name: "DriverError" });
    bits += v.toString(2).padStart(5, "0");
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(secs / 30)));
  const sum = createHmac("sha1", key).update(msg).digest();
  const off = sum[sum.length - 1] & 0x0f;
  return String((sum.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, "0");
}
