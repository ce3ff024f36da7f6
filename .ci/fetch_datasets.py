#!/usr/bin/env python3
"""Downloads the Turtle description of every published dataset of a running hdab.

Usage: fetch_datasets.py BASE_URL OUT_DIR
Writes OUT_DIR/<id>.ttl per dataset (the file name's level is chosen by validate.py from each
dataset's dct:accessRights) and prints how many it wrote. Fails if there are none.
"""
import json
import pathlib
import sys
import urllib.request


def get(url, accept):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def main():
    base, out = sys.argv[1].rstrip("/"), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    url, count = f"{base}/api/v1/datasets?limit=100&sort=modified", 0
    while url:
        page = json.loads(get(url, "application/json"))
        for item in page["items"]:
            (out / f"{item['id']}.ttl").write_bytes(get(f"{base}/api/v1/datasets/{item['id']}", "text/turtle"))
            count += 1
        cursor = page.get("next_cursor")
        url = f"{base}/api/v1/datasets?limit=100&sort=modified&cursor={cursor}" if cursor else None
    print(f"fetched {count} dataset descriptions")
    if count == 0:
        sys.exit("no published datasets to validate")


if __name__ == "__main__":
    main()
