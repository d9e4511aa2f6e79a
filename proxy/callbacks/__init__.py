"""Callbacks: OAS 3 ``callbacks`` and config-declared ones, sent after the mock answers."""
