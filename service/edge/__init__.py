"""The HTTP edge every channel stands on: the services a request may use, who is asking, request
bodies decoded with stable codes, errors as HTTP answers, and OpenAPI helpers."""
