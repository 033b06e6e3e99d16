"""The HTTP layer: routes, request decoding and the mapping of domain errors to HTTP."""
