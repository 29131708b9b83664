"""Settings: a TOML file in the platform's config folder, overridden by ``HALLTERM_*`` variables.

Precedence (highest first): explicit keyword arguments (CLI options), environment variables,
the TOML file, defaults.  ``HALLTERM_CONFIG`` points at another file.  This model is the one
source of truth; ``hallterm.config_preview`` reads the four strings the terminal's first
frame needs without importing pydantic, and agrees with this model (a test proves it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from hallterm.config_preview import (
    APP_NAME,
    ENV_PREFIX,
    SettingsError,
    config_path,
    data_dir,
    store_url_of,
)
from hallterm.i18n import _

__all__ = ["APP_NAME", "Settings", "SettingsError", "config_path", "data_dir", "load_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    store: str = Field(default="", description="store URL or SQLite file path")
    central: str = Field(
        default="", description="central database URL (hallterm central … and serve, at central)"
    )
    language: str = Field(default="", description="zh_CN or en; empty: from the locale")
    window: str = Field(
        default="", description="this terminal's window number (empty: the clerk's own)"
    )
    idle_lock_minutes: int = Field(
        default=10, ge=0, description="lock the screen after idle minutes (0: never)"
    )
    pdf_folder: str = Field(default="", description="where printed PDFs are written")
    printer: str = Field(default="", description="system printer name for lp (empty: PDF only)")
    font_path: str = Field(default="", description="CJK TrueType font file (.ttf/.ttc)")
    yellow_days: int = Field(
        default=2, ge=0, description="yellow light at this many working days left"
    )
    key_file: str = Field(default="", description="station signing key (PKCS#12)")
    root_cert: str = Field(default="", description="trusted root certificate (PEM)")
    tsa_url: str = Field(
        default="", description="external RFC 3161 timestamp authority for central (empty: own)"
    )
    tsa_key_file: str = Field(
        default="", description="central's own TSA key file, for central serve (PKCS#12)"
    )
    tsa_root: str = Field(default="", description="the external TSA's root certificate (PEM)")
    sync_batch: int = Field(default=1000, ge=1, le=10000)  # the first batch; it adapts (push)
    sync_interval_seconds: int = Field(default=30, ge=1)
    sync_warn_days: int = Field(
        default=3, ge=1, description="warn when not synced for this many days"
    )
    tts_command: str = Field(default="", description="command that speaks a call, text appended")
    theme: str = Field(
        default="", description="Textual theme (the palette's Theme command saves it)"
    )
    holiday_file: str = Field(
        default="", description="holiday override file (JSON); empty: the one shipped"
    )

    @field_validator("holiday_file")
    @classmethod
    def _holiday_file_is_valid(cls, value: str) -> str:
        """A configured override file must exist and hold valid arrangements (said at start)."""
        if value:
            from hallterm.domain.workdays import read_arrangements

            read_arrangements(Path(value).expanduser())  # ValueError names file, year, field
        return value

    def model_post_init(self, context: Any, /) -> None:
        # The working-day calendar is read by many services with only a session at hand:
        # the settings of this process say which override file they all use.
        from hallterm.domain.workdays import set_override_file

        set_override_file(self.holiday_file or None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, toml)

    def store_url(self) -> str:
        return store_url_of(self.store)

    def pdf_dir(self) -> Path:
        return Path(self.pdf_folder).expanduser() if self.pdf_folder else data_dir() / "pdf"


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI overrides applied (``None`` values are ignored).

    Settings that cannot be used raise ``SettingsError`` naming the file and the fields.
    """
    path = config_path()
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        )
        raise SettingsError(
            _("The settings are not valid ({path} or HALLTERM_* variables): {problems}").format(
                path=path, problems=problems
            )
        ) from exc
    except (OSError, ValueError) as exc:  # the TOML file: unreadable, or not TOML
        raise SettingsError(
            _("The settings file {path} cannot be read: {reason}").format(path=path, reason=exc)
        ) from exc
