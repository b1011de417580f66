"""Typed event contracts, one module per producing service. Consumers import these, never
the producer's code."""
