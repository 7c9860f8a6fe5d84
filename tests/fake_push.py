"""A local Web Push service that really decrypts what it receives (RFC 8291, aes128gcm).

It plays both the push service and the browser: it makes the subscription's keys,
keeps the private key, and decrypts each POST body with it. ``next_statuses`` makes
it answer, say, 410 or 429 to the next requests.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakePushService:
    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.next_statuses: list[int] = []
        self.redirect_to = ""  # the Location of a 3xx answer
        self.hits = 0  # every POST, decrypted or not
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service.lock:
                    service.hits += 1
                    status = service.next_statuses.pop(0) if service.next_statuses else 201
                    if status == 201:
                        plain = http_ece.decrypt(
                            body, private_key=service.private_key, auth_secret=service.auth_secret, version="aes128gcm"
                        )
                        service.received.append(json.loads(plain))
                        service.headers.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", service.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def prefix(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def subscription(self, name: str = "device") -> dict:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": _b64(public), "auth": _b64(self.auth_secret)}
        return {"endpoint": f"{self.prefix}push/{name}", "keys": keys}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
