"""Outbound network access: which addresses PushNest may call, and the clients that enforce it."""
