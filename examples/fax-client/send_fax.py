"""A small client of the cloud-fax API: send a fax job, then fetch its status report.

Modelled on the usual shape of a Retarus Cloud Fax integration: POST a job with recipients
and rendering options to ``{base}/{customer number}/fax``, keep the returned ``jobId``, then
GET ``{base}/{customer number}/fax/reports/{jobId}``. It only knows its base URL, so the same
code runs against mockproxy's mock, mockproxy forwarding to the live API, or the live API.

Environment: FAX_BASE_URL, FAX_CUSTOMER_NUMBER, FAX_USER, FAX_PASSWORD. Standard library only.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any


def call(method: str, url: str, user: str, password: str, body: Any = None) -> tuple[int, Any]:
    """One JSON request with HTTP basic authentication; returns status and decoded body."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Basic {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload else None


def main() -> int:
    base = os.environ.get("FAX_BASE_URL", "http://127.0.0.1:8080/fax/fax4a-api").rstrip("/")
    customer = os.environ.get("FAX_CUSTOMER_NUMBER", "9991")
    user = os.environ.get("FAX_USER", "demo")
    password = os.environ.get("FAX_PASSWORD", "demo")
    job = {
        "reference": {"customerDefinedId": "example-app"},
        "recipients": [
            {"number": "+498900000000", "properties": [{"key": "name", "value": "Jane Doe"}]}
        ],
        "renderingOptions": {"paperFormat": "A4", "resolution": "HIGH"},
        "documents": [{"name": "hello.txt", "data": base64.b64encode(b"Hello fax").decode()}],
    }
    status, sent = call("POST", f"{base}/{customer}/fax", user, password, job)
    print(f"send fax job: {status} {json.dumps(sent)}")
    if status != 201:
        return 1
    status, report = call("GET", f"{base}/{customer}/fax/reports/{sent['jobId']}", user, password)
    print(f"status report: {status} {json.dumps(report)}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
