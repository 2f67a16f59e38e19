// The Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations) on
// 127.0.0.1 for plain Node handlers, as SAM's `sam local start-lambda`
// serves functions: the test scripts' functions are reached exactly as
// Cognito reaches a Lambda.
//
// serve({ handlerFor, received, routes }) listens on PORT (default 0: any
// free port) and prints one JSON line
// {"listening":"http://127.0.0.1:<port>","pid":<pid>} once ready.
//   handlerFor(name)   the handler of a function name (an ARN naming it works
//                      too), or undefined: 404 ResourceNotFoundException
//   received(name, ev) called with each event before its handler runs
//   routes(req, send)  answers the script's own routes; true when it did
// A handler that throws answers as a Node Lambda does: HTTP 200,
// X-Amz-Function-Error: Unhandled, {"errorType":"Error","errorMessage":"..."}.
"use strict";
const http = require("node:http");
const crypto = require("node:crypto");

function serve({ handlerFor, received = () => {}, routes = () => false }) {
  const server = http.createServer((req, res) => {
    const send = (status, headers, body) => {
      res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": crypto.randomUUID(), ...headers });
      res.end(JSON.stringify(body));
    };
    if (routes(req, send)) return;
    const notFound = (message) => send(404, { "x-amzn-errortype": "ResourceNotFoundException" }, { Type: "User", message });
    const m = req.url.match(/^\/2015-03-31\/functions\/([^/?]+)\/invocations(\?.*)?$/);
    if (req.method !== "POST" || !m) return notFound(`not found: ${req.method} ${req.url}`);
    const parts = decodeURIComponent(m[1]).split(":");
    const fi = parts.indexOf("function");
    const name = fi >= 0 ? parts[fi + 1] : parts[0];
    const handler = handlerFor(name);
    if (!handler) return notFound(`Function not found: ${m[1]}`);
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let ev;
      try {
        ev = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return send(400, { "x-amzn-errortype": "InvalidRequestContentException" }, { Type: "User", message: "Could not parse request body into json" });
      }
      received(name, ev);
      try {
        send(200, { "x-amz-executed-version": "$LATEST" }, handler(ev));
      } catch (e) {
        send(200, { "x-amz-executed-version": "$LATEST", "x-amz-function-error": "Unhandled" }, { errorType: "Error", errorMessage: e.message });
      }
    });
  });
  server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
    console.log(JSON.stringify({ listening: `http://127.0.0.1:${server.address().port}`, pid: process.pid }));
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
  return server;
}

module.exports = { serve };
