"""The kelurahan help-desk console: officers log in and check NIKs, names, households (KK) and
batches of NIKs in their own region, print notices and TPS lists, and admins keep the audit
trail, accounts and API tokens. Server-rendered pages that need no JavaScript."""
