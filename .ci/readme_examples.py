#!/usr/bin/env python3
"""Runs the README's examples verbatim against a live hdab, so they cannot drift.

Every ```sh block preceded by `<!-- ci: run -->` runs in bash with -euo pipefail, against a
release hdab started as the README's first command starts it (development mode, empty
database: the demo catalogue loads). Only what differs between a reader's machine and CI is
rewritten: `cargo run ... --` becomes the built binary, and 127.0.0.1:8080 the port CI found
free. curl fails on HTTP errors (--fail-with-body), so an example that answers 4xx fails CI.

Usage: readme_examples.py HDAB_BINARY WORK_DIR
"""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

binary, work = os.path.abspath(sys.argv[1]), sys.argv[2]
os.makedirs(work, exist_ok=True)
readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md")).read()
blocks = re.findall(r"<!-- ci: run -->\s*```sh\n(.*?)```", readme, re.S)
if not blocks:
    sys.exit("the README marks no block with <!-- ci: run -->")

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
env = dict(os.environ, HDAB_DATA_DIR=os.path.join(work, "data"), HDAB_LOG_LEVEL="warn",
           HDAB_BIND=f"127.0.0.1:{port}")
server = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                          stderr=open(os.path.join(work, "server.log"), "w"))
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    else:
        sys.exit("hdab did not become ready")
    prelude = "curl() { command curl --fail-with-body --show-error \"$@\"; }\n"
    for number, block in enumerate(blocks, 1):
        script = re.sub(r"cargo run (-q )?--release --", binary, block)
        script = script.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", prelude + script], cwd=work,
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout[-3000:])
            print(result.stderr[-3000:])
            sys.exit(f"README example block {number} failed (exit {result.returncode})")
        print(f"README example block {number}: {len(block.splitlines())} lines ran, "
              f"{len(result.stdout)} bytes of answers")
finally:
    server.terminate()
    server.wait()
