"""DPT lookup: is this person on the voter list, and at which TPS? Answered by NIK or by name, on
a JSON API, a resident page and SMS (`service.app` wires it all)."""
