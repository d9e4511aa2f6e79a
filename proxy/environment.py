"""The MOCKPROXY_* variables: their names, the config file they choose, per-API modes.

``config.load_settings`` applies them over the config file; this module only names them, so
the README, docker-compose and the tests can be checked against one list.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

__all__ = [
    "BUNDLED_CONFIG",
    "ENVIRONMENT_VARIABLES",
    "ENV_MODE_PREFIX",
    "LOCAL_CONFIG",
    "choose_config_path",
    "env_mode_variable",
    "stray_mode_variables",
]

LOCAL_CONFIG: Final = Path("config/mockproxy.yaml")
BUNDLED_CONFIG: Final = Path(__file__).resolve().parent / "bundled" / "mockproxy.yaml"
ENV_MODE_PREFIX: Final = "MOCKPROXY_MODE_"
ENVIRONMENT_VARIABLES: Final = (  # every MOCKPROXY_* variable read (the README lists each)
    "MOCKPROXY_CONFIG",
    "MOCKPROXY_MODE",
    "MOCKPROXY_HOST",
    "MOCKPROXY_PORT",
    "MOCKPROXY_DYNAMIC",
    "MOCKPROXY_LOG_FORMAT",
    "MOCKPROXY_LOG_LEVEL",
    "MOCKPROXY_ADMIN_TOKEN",
)


def choose_config_path(given: Path | None, environ: Mapping[str, str], cwd: Path) -> Path:
    """``-c``, else ``MOCKPROXY_CONFIG``, else ``./config/mockproxy.yaml`` when it exists, else
    the config bundled with the package: ``mockproxy serve`` works from any directory."""
    if given is not None:
        return given
    if environ.get("MOCKPROXY_CONFIG"):
        return Path(environ["MOCKPROXY_CONFIG"])
    if (cwd / LOCAL_CONFIG).is_file():
        return LOCAL_CONFIG
    return BUNDLED_CONFIG


def env_mode_variable(api_name: str) -> str:
    """``fax-v2`` -> ``MOCKPROXY_MODE_FAX_V2``."""
    mangled = "".join(c if c.isascii() and c.isalnum() else "_" for c in api_name.upper())
    return f"{ENV_MODE_PREFIX}{mangled}"


def stray_mode_variables(environ: Mapping[str, str], api_names: Iterable[str]) -> list[str]:
    """A warning for each ``MOCKPROXY_MODE_<API>`` that names no API (a typo is otherwise
    silently ignored), with the closest API's variable as a suggestion."""
    known = {env_mode_variable(name): name for name in api_names}
    warnings = []
    for variable in sorted(environ):
        if not variable.startswith(ENV_MODE_PREFIX) or variable in known:
            continue
        close = difflib.get_close_matches(variable, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        apis = ", ".join(f"{v} ({n})" for v, n in known.items()) or "none"
        warnings.append(f"{variable} names no API and is ignored; {hint}per-API variables: {apis}")
    return warnings
