"""mockproxy: an OpenAPI mock server and reverse proxy for API integrators."""

__version__ = "0.1.0"
