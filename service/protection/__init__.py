"""Overload and abuse protection: admission control in each worker, rate limits and
anti-enumeration shared in Redis, and the HAProxy front that sheds a spike in C."""
