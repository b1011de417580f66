"""The `linli` command and the embedded mode: the only code that knows every service."""
