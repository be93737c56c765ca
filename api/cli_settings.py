"""The settings every `commitments` command starts from.

Its own module so that the command modules (`api.cli`, `api.cli_audit`,
`api.cli_imports`) all import it and none imports another: `python -m api.cli`
runs api/cli.py as `__main__`, and a sub-command module importing `api.cli`
back loaded it a second time, half-initialised, and died at import.
"""

from __future__ import annotations

import click

from service.settings import ConfigurationError, Settings


def cli_settings() -> Settings:
    """Settings from the environment; a bad value is the command's error, named."""
    try:
        return Settings.from_env()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
