"""Retarus' own Python example for its Cloud Fax API, with only the host changed to mockproxy.

Run ``mockproxy serve`` (the bundled config), then ``python examples/retarus_send_fax.py``;
it prints ``{'jobId': 'FJKQQUVF1J0IADYARQEXKC'}``. Like Retarus' mock server, the bundled fax
API does not refuse input that breaks the description (``paperFormat: None`` here): it answers
as if the request were valid and lists the violations in ``X-Mockproxy-Violations`` and the log.
Needs ``pip install requests``.
"""

import requests


# Retarus' code as published, left as it is
# fmt: off
def send_fax(cust_nr, username, password):
    url = f"http://localhost:8080/_mock/fax/fax4a-api/{cust_nr}/fax"
    payload = {"recipients": [{"number": "+498900000000", "properties": [
        {"key": "FromName", "value": "John Doe"},
        {"key": "FromCompanyName", "value": "Retarus"},
        {"key": "FromTelNumber", "value": "+49 89 5528-2525"},
        {"key": "ToName", "value": "Jane Doe"},
        {"key": "ToCompanyName", "value": "Acme International Ltd."},
        {"key": "ToFaxNum", "value": "+498900000000"},
        {"key": "SubjectTitle", "value": "Retarus OpenAPI testfax"},
        {"key": "SubjectText", "value": "This testfax was sent from Retarus OpenAPI Portal."}]}],
        "renderingOptions": {"paperFormat": None, "coverpageTemplate": "coverpage-default.ftl.html"}}  # noqa: E501
    headers = {"Content-Type": "application/json"}
    return requests.post(url, json=payload, headers=headers, auth=(username, password))
# fmt: on


if __name__ == "__main__":
    response = send_fax("9991", "username", "password")
    print(response.json())
