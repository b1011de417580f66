"""Dispatch: see README.md beside this file and docs/GLOSSARY.md (the terms and their names in code)."""
