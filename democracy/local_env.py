"""Write ``var/local.env``, the git-ignored development environment ``make run`` leaves behind.

``python -m democracy.local_env HOST`` keeps the file's ``SECRET_KEY`` once generated (sessions
survive a restart), and sets ``DEBUG=1`` and ``SITE_URL=http://HOST`` so links in mails and the
open data follow the address ``make run`` serves. The settings read the file unless
``DELTA_PRODUCTION=1``; variables set in the environment win over it.
"""

import secrets
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "local.env"


def read(path: Path) -> dict[str, str]:
    values = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


def write(path: Path, host: str) -> dict[str, str]:
    values = read(path)
    values["DEBUG"] = "1"
    values["SITE_URL"] = f"http://{host}"
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{key}={value}\n" for key, value in values.items())
    path.write_text(
        "# Written by `make run` for development on this checkout; never used in production\n"
        "# (DELTA_PRODUCTION=1). The environment wins over these lines.\n" + body,
        encoding="utf-8",
    )
    path.chmod(0o600)
    return values


if __name__ == "__main__":
    write(DEFAULT_PATH, sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000")
