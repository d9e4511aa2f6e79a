"""The integrator settings in the config: latency, faults, errors, callbacks, seed, locale."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy.callbacks.delivery import DeliverySettings
from proxy.config import load_settings
from proxy.mock.faults import ErrorRate, FaultKind, FaultRate, Latency
from proxy.settings import Mode
from tests.test_config import config, errors

TOOLKIT = """\
seed: 7
locale: de_DE
callbacks: {allow_hosts: [127.0.0.1, hooks.test], delay: 2s, retries: 1, backoff: 100ms, timeout: 3s}
apis:
  fax:
    spec: specs/fax.yaml
    locale: fr_FR
    latency: {min: 100ms, max: 0.9s}
    faults: {rate: 0.05, kinds: [reset, slow], timeout: 2s}
    errors: {rate: 0.1, codes: [500, "400"]}
    operations:
      getFaxStatus: live
      sendFaxJob:
        mode: mock
        latency: 250ms
        callbacks:
          - name: statusPush
            url: "{$request.body#/statusReportOptions/httpStatusPush/targetUrl}"
            body: {response_of: getFaxStatus}
            set: {/jobId: "{$response.body#/jobId}"}
            delay: 500ms
"""


def test_every_setting_is_read(tmp_path: Path) -> None:
    """Each key lands in the settings, an operation's own latency over its API's."""
    settings = load_settings(config(tmp_path, TOOLKIT), {})
    fax = settings.apis["fax"]
    assert settings.seed == 7 and fax.locale == "fr_FR"
    assert settings.callback_delivery == DeliverySettings(
        ("127.0.0.1", "hooks.test"), 2000, 1, 100, 3000
    )
    assert fax.disruptions.latency == Latency(100, 900)
    assert fax.disruptions.faults == FaultRate(0.05, (FaultKind.RESET, FaultKind.SLOW))
    assert fax.disruptions.errors == ErrorRate(0.1, ("500", "400"))
    assert fax.disruptions.timeout_ms == 2000
    own = fax.operation_disruptions["sendFaxJob"]
    assert own.latency == Latency(250, 250) and own.errors == fax.disruptions.errors
    assert dict(fax.operations) == {"getFaxStatus": Mode.LIVE, "sendFaxJob": Mode.MOCK}
    (declared,) = fax.callbacks["sendFaxJob"]
    assert (declared.name, declared.method, declared.response_of, declared.delay_ms) == (
        "statusPush",
        "POST",
        "getFaxStatus",
        500,
    )
    assert dict(declared.set_values) == {"/jobId": "{$response.body#/jobId}"}


def test_the_top_level_locale_is_the_apis_default(tmp_path: Path) -> None:
    """An API without a locale takes the top-level one."""
    settings = load_settings(
        config(tmp_path, "locale: de_DE\napis: {fax: {spec: specs/fax.yaml}}\n"), {}
    )
    assert settings.apis["fax"].locale == "de_DE"


API = "apis:\n  fax:\n    spec: specs/fax.yaml\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            API + "    latency: {fixed: fast}\n",
            "CFG:4:15: apis.fax.latency.fixed: expected a duration such as 200ms or 1.5s, got 'fast'",
        ),
        (
            API + "    latency: {min: 2s}\n",
            "CFG:4:5: apis.fax.latency: expected {fixed: 200ms} or {min: .., max: ..}",
        ),
        (
            API + "    faults: {rate: 2}\n",
            "CFG:4:14: apis.fax.faults.rate: expected a share from 0 to 1 such as 0.05, got 2",
        ),
        (
            API + "    faults: {kinds: [boom]}\n",
            "CFG:4:14: apis.fax.faults.kinds: expected fault kinds among reset, empty, timeout, malformed, slow, got 'boom'",
        ),
        (
            API + "    errors: {rate: 0.1, codes: [200]}\n",
            "CFG:4:25: apis.fax.errors.codes: expected HTTP error codes from 400 to 599, got 200",
        ),
        ("seed: abc\n" + API, "CFG:1:1: seed: expected an integer, got 'abc'"),
        (
            "locale: xx_YY\n" + API,
            "CFG:1:1: locale: expected a Faker locale such as en_US or de_DE, got 'xx_YY'",
        ),
        (
            API + "    operations: {sendFaxJob: {callbacks: [{url: '{$request.bogus}'}]}}\n",
            "apis.fax.operations.sendFaxJob.callbacks[0].url: $request.bogus: expected $url",
        ),
        (
            API + "    operations: {sendFaxJob: {callbacks: [{body: {value: 1}}]}}\n",
            "CFG:4:44: apis.fax.operations.sendFaxJob.callbacks[0].url: required",
        ),
        (
            API + "    operations: {sendFaxJob: {latncy: 1s}}\n",
            "apis.fax.operations.sendFaxJob.latncy: unknown key (did you mean 'latency'?)",
        ),
        (
            "callbacks: {allow_hosts: []}\n" + API,
            "CFG:1:13: callbacks.allow_hosts: expected a non-empty list, got []",
        ),
    ],
    ids=[
        "duration",
        "half-range",
        "rate",
        "kind",
        "code",
        "seed",
        "locale",
        "expression",
        "no-url",
        "typo",
        "hosts",
    ],
)
def test_mistakes_name_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    """Every mistake is one line naming where it is and what was expected."""
    found = errors(config(tmp_path, text))
    assert any(expected in message for message in found), found
