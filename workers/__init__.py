"""The PushNest delivery workers (ARQ): take queued deliveries and send them through channels."""
