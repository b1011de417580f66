"""Benchmarks: scripts anyone can run (`make bench`), with their README and recorded results."""
