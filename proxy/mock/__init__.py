"""The spec-based responder: Prefer parsing, response choice, data generation, auth simulation."""
