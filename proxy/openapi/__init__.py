"""The spec engine: loading, $ref resolution, the operation model and path matching."""
