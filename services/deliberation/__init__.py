"""Deliberation: see README.md and ../shared/GLOSSARY.md."""
