"""Events: CloudEvents envelope, contracts, transactional outbox, relay, inbox, transports."""
