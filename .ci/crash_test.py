#!/usr/bin/env python3
"""kill -9 under write load: every write hdab acknowledged is there after a restart, and the
event log still verifies.

Usage: crash_test.py HDAB_BINARY WORK_DIR [DATABASE_URL]   (SQLite under WORK_DIR when no URL)
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

binary, work = sys.argv[1], sys.argv[2]
env = dict(os.environ, HDAB_DATA_DIR=os.path.join(work, "data"), HDAB_LOG_LEVEL="warn")
if len(sys.argv) > 3:
    env["HDAB_DATABASE_URL"] = sys.argv[3]
backend = "postgres" if len(sys.argv) > 3 else "sqlite"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start():
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve"], env=dict(env, HDAB_BIND=f"127.0.0.1:{port}"),
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "crash-server.log"), "a"))
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/health/ready", timeout=1)
            return server, base
        except Exception:
            time.sleep(0.1)
    sys.exit("hdab did not become ready")


def request(method, url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


os.makedirs(work, exist_ok=True)
token = subprocess.run([binary, "token", "--sub", "crash-test", "--role", "hdab_admin"], env=env,
                       check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
server, base = start()
acknowledged, lock, stop = [], threading.Lock(), threading.Event()


def writer(worker):
    n = 0
    while not stop.is_set():
        name = f"Crash {worker}-{n}"
        n += 1
        body = {"name": name, "country": "DE", "organisation_type": "academic",
                "contact_email": "crash@example.org", "trusted_data_holder": False}
        try:
            status, _ = request("POST", base + "/api/v1/publishers", token, body)
        except Exception:
            continue  # refused, reset or unanswered: not acknowledged
        if status == 201:
            with lock:
                acknowledged.append(name)


threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
for t in threads:
    t.start()
time.sleep(3)
server.send_signal(signal.SIGKILL)
server.wait()
stop.set()
for t in threads:
    t.join()

server, base = start()
try:
    stored, cursor = set(), None
    while True:
        url = base + "/api/v1/publishers?limit=100" + (f"&cursor={cursor}" if cursor else "")
        _, page = request("GET", url, token)
        stored.update(p["name"] for p in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    lost = [name for name in acknowledged if name not in stored]
    _, verified = request("GET", base + "/api/v1/audit/verify", token)
finally:
    server.send_signal(signal.SIGKILL)
    server.wait()
print(f"kill -9 on {backend}: {len(acknowledged)} writes acknowledged, {len(lost)} lost, "
      f"{len(stored)} stored, chain valid: {verified['valid']} ({verified['events_checked']} events)")
if lost or not verified["valid"] or not acknowledged:
    sys.exit(f"durability check failed: lost {lost[:10]}, verification {verified}")
