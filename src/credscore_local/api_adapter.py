"""Serve the partner API on localhost: HTTP request → authorizer → API Gateway HTTP API (v2) event → handler.

Both the authorizer and the API function are the real handlers, invoked in their warm workers, exactly as the
HTTP API in template.yaml wires them (Lambda authorizer with simple responses, payload format 2.0, `$default`).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from credscore_local.deployment import ACCOUNT_ID, REGION, RunningStack

MAX_BODY = 1024 * 1024  # API Gateway's payload limit is larger, but this API never needs more


def build_event(
    method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str
) -> dict[str, Any]:
    parts = urlsplit(target)
    lowered = {k.lower(): v for k, v in headers.items()}
    now = time.time()
    # Like API Gateway: text bodies as they are, anything that is not UTF-8 base64-encoded.
    try:
        text, encoded = (body.decode("utf-8") if body else None), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": lowered,
        "queryStringParameters": _query_parameters(parts.query),
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": lowered.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def authorizer_event(request: dict[str, Any]) -> dict[str, Any]:
    method = request["requestContext"]["http"]["method"]
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:local/$default/{method}{request['rawPath']}",
        "identitySource": [request["headers"].get("authorization", "")],
        "routeKey": "$default",
        "rawPath": request["rawPath"],
        "rawQueryString": request["rawQueryString"],
        "headers": request["headers"],
        "requestContext": request["requestContext"],
    }


class _ApiServer(ThreadingHTTPServer):
    # API Gateway accepts whatever arrives at once; socketserver's default backlog of 5 reset the connections of
    # a partner's burst (the load benchmark's 32 concurrent creates).
    request_queue_size = 128


def serve_api(stack: RunningStack, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep request lines out of the output
            return

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._reply(
                    413, {"content-type": "application/json"}, b'{"message":"Request Entity Too Large"}'
                )
                return
            body = self.rfile.read(length) if length else b""
            event = build_event(
                self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
            )
            if "authorization" not in event["headers"]:
                self._reply(401, {"content-type": "application/json"}, b'{"message":"Unauthorized"}')
                return
            try:
                decision = stack.invoke("PartnerAuthorizerFunction", authorizer_event(event))
            except RuntimeError:  # API Gateway answers 500 when the authorizer fails
                self._reply(500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
                return
            if not decision.get("isAuthorized"):
                self._reply(403, {"content-type": "application/json"}, b'{"message":"Forbidden"}')
                return
            event["requestContext"]["authorizer"] = {"lambda": decision.get("context") or {}}
            try:
                response = stack.invoke("ApiFunction", event)
            except RuntimeError:  # a function error becomes API Gateway's 500, as in AWS
                self._reply(500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
                return
            payload = response.get("body") or ""
            data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode("utf-8")
            headers = {k.lower(): str(v) for k, v in (response.get("headers") or {}).items()}
            for key, values in (response.get("multiValueHeaders") or {}).items():
                headers[key.lower()] = ", ".join(values)
            self._reply(int(response.get("statusCode", 200)), headers, data)

        def _reply(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key != "content-length":
                    self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def __getattr__(self, name: str) -> Any:
            # Any method reaches the API function, as the template's `ANY /{proxy+}` route does.
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

    server = _ApiServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="partner-api", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def json_body(data: bytes) -> Any:
    return json.loads(data) if data else None


def _query_parameters(query: str) -> dict[str, str] | None:
    """As HTTP APIs (payload 2.0) give them: blank values kept, a repeated name's values joined by commas."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    return {name: ",".join(found) for name, found in values.items()} or None
