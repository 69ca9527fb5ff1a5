#!/usr/bin/env python3
"""A test double of an OCI registry (and of its token server), for Corral's pull tests.

It serves the images of one OCI layout directory read-only under one repository: manifests by
tag (the image's org.opencontainers.image.ref.name) or digest, blobs by digest. It can misbehave
on purpose:
  --corrupt HEX        serve the blob sha256:HEX with one byte changed
  --truncate HEX       the first GET of blob sha256:HEX sends half the body, then drops the connection
  --lie-by-digest      answer every manifest asked for by digest with the first image's
  --ignore-range       answer Range requests with the whole blob (200), as some registries do
  --token-user U --token-password P
                       require a bearer token, issued at /token to basic credentials U:P
Every request is appended to --log as "METHOD PATH RANGE". The port (bound on 127.0.0.1, chosen
by the kernel) is printed on stdout once the server listens.
"""
import argparse, base64, json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "double-token-0123"

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--corrupt")
    parser.add_argument("--truncate")
    parser.add_argument("--ignore-range", action="store_true")
    parser.add_argument("--lie-by-digest", action="store_true")
    parser.add_argument("--token-user")
    parser.add_argument("--token-password")
    options = parser.parse_args()
    truncated = set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def record(self):
            with open(options.log, "a") as log:
                log.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))

        def answer(self, status, body=b"", headers=None, send_body=True):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def error(self, status, code):
            body = json.dumps({"errors": [{"code": code, "message": code.lower()}]}).encode()
            self.answer(status, body, {"Content-Type": "application/json"}, self.command != "HEAD")

        def authorized(self):
            if not options.token_user:
                return True
            if self.headers.get("Authorization") == "Bearer " + TOKEN:
                return True
            port = self.server.server_address[1]
            challenge = 'Bearer realm="http://127.0.0.1:%d/token",service="registry-double",scope="repository:%s:pull"' % (
                port, options.repo)
            body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "token needed"}]}).encode()
            self.answer(401, body, {"WWW-Authenticate": challenge, "Content-Type": "application/json"},
                        self.command != "HEAD")
            return False

        def token(self):
            expected = "Basic " + base64.b64encode(
                ("%s:%s" % (options.token_user, options.token_password)).encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.answer(401, b'{"details":"bad credentials"}', {"Content-Type": "application/json"})
            self.answer(200, json.dumps({"token": TOKEN}).encode(), {"Content-Type": "application/json"})

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            self.record()
            path = self.path.split("?")[0]
            if path == "/token":
                return self.token()
            if not self.authorized():
                return
            prefix = "/v2/%s/" % options.repo
            if path == "/v2/":
                return self.answer(200, b"{}", {"Content-Type": "application/json"})
            if not path.startswith(prefix):
                return self.error(404, "NAME_UNKNOWN")
            rest = path[len(prefix):]
            if rest.startswith("manifests/"):
                return self.manifest(rest[len("manifests/"):])
            if rest.startswith("blobs/sha256:"):
                return self.blob(rest[len("blobs/sha256:"):])
            self.error(404, "NAME_UNKNOWN")

        def manifest(self, reference):
            with open(os.path.join(options.layout, "index.json")) as file:
                index = json.load(file)
            for descriptor in index["manifests"]:
                if options.lie_by_digest and reference.startswith("sha256:"):
                    reference = descriptor["digest"]
                name = (descriptor.get("annotations") or {}).get("org.opencontainers.image.ref.name")
                if reference in (name, descriptor["digest"]):
                    body = self.read_blob(descriptor["digest"][len("sha256:"):])
                    return self.answer(200, body, {"Content-Type": descriptor["mediaType"],
                                                   "Docker-Content-Digest": descriptor["digest"]},
                                       self.command != "HEAD")
            # A manifest not in the index but among the blobs (one listed by an image index).
            if reference.startswith("sha256:") and os.path.exists(self.blob_path(reference[7:])):
                body = self.read_blob(reference[7:])
                media_type = json.loads(body).get("mediaType", "application/json")
                return self.answer(200, body, {"Content-Type": media_type}, self.command != "HEAD")
            self.error(404, "MANIFEST_UNKNOWN")

        def blob_path(self, hex_digest):
            return os.path.join(options.layout, "blobs", "sha256", hex_digest)

        def read_blob(self, hex_digest):
            with open(self.blob_path(hex_digest), "rb") as file:
                return file.read()

        def blob(self, hex_digest):
            if not os.path.exists(self.blob_path(hex_digest)):
                return self.error(404, "BLOB_UNKNOWN")
            body = self.read_blob(hex_digest)
            if hex_digest == options.corrupt:
                middle = len(body) // 2
                body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]
            headers = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": "sha256:" + hex_digest}
            if self.command == "HEAD":
                return self.answer(200, body, headers, False)
            if hex_digest == options.truncate and hex_digest not in truncated:
                truncated.add(hex_digest)
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            requested = self.headers.get("Range")
            if requested and not options.ignore_range and requested.startswith("bytes=") and requested.endswith("-"):
                start = int(requested[len("bytes="):-1])
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(body) - 1, len(body))
                return self.answer(206, body[start:], headers)
            self.answer(200, body, headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()

if __name__ == "__main__":
    main()
