"""Who is asking and what they may do: API tokens and their scope, the guards that check a
role and a region, the audit trail of help-desk looks, and the gate that settles a caller's
identity and limits before the domain answers."""
