"""This machine's token-signing secret, in a module of its own so `linli token` signs without
importing the services (importing them all costs seconds of CPU)."""

from __future__ import annotations

import contextlib
import os
import secrets

from pydantic import SecretStr

from shared.settings import DEFAULT_JWT_SECRET, Settings

SECRET_FILE = "jwt_secret"


def with_local_secret(settings: Settings) -> Settings:
    """The settings, signing with this machine's own secret unless JWT_SECRET is set.

    The default secret is printed in the source: a demo machine reachable from the network
    would accept tokens anyone can mint. So the first run writes a random secret to
    DATA_DIR/jwt_secret (mode 0600) and every later run, and `linli token`, reads it back."""
    explicit = "jwt_secret" in settings.model_fields_set
    if settings.jwt_algorithm != "HS256" or (explicit and settings.jwt_secret.get_secret_value() != DEFAULT_JWT_SECRET):
        return settings
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside and linked into place, so a reader never sees half a secret and two
        # first runs at once agree on one (the second link fails and it reads the first's).
        scratch = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(scratch, path)
        scratch.unlink()
    os.chmod(path, 0o600)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ValueError(f"{path} 中的密钥太短，请删除该文件后重启 (the secret in {path} is too short; delete it)")
    return settings.model_copy(update={"jwt_secret": SecretStr(secret)})
