"""Live forwarding: header rules, streamed forwarding, contract checks."""
