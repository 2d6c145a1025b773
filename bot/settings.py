"""Settings: the environment (pydantic-settings, prefix ALSFRS_) and the study file (TOML).

Environment: ALSFRS_BOT_TOKEN, ALSFRS_API_BASE_URL, ALSFRS_DB_PATH, ALSFRS_STUDY_FILE,
ALSFRS_LOG_LEVEL, ALSFRS_LOG_FILE, ALSFRS_BACKUP_DIR/_KEEP/_DAILY, ALSFRS_SMTP_HOST/_PORT/
_STARTTLS/_USER/_PASSWORD/_FROM; for local mode
ALSFRS_LOCAL_PORT, ALSFRS_LOCAL_DB_PATH. The study file holds what a clinician or study manager
decides: the study's name, the site phone, code lifetime, time zone. A default for NCT03828123
ships with the code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Final, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.domain.safety import DeclineRules
from conversations.domain.schedule import ScheduleSettings, is_canonical_zone
from conversations.domain.symptoms import SymptomSettings
from conversations.domain.visit import VisitSettings
from locales import LANGUAGES, Language

__all__ = [
    "DEFAULT_STUDY_FILE",
    "AlertSettings",
    "EnrollmentSettings",
    "PrivacySettings",
    "Settings",
    "Site",
    "SiteInfo",
    "StudySettings",
    "load_study",
    "problems_for_telegram",
]

DEFAULT_STUDY_FILE = "study-NCT03828123.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_PHONE: Final = r"^\+?[0-9][0-9 ()/-]{1,38}$"
# Per language, the emergency number to call first and one that also works. For the Czech site:
# Czech texts "155 (nebo 112)" (155 is the ambulance), English texts "112 (or 155)" (112 is
# answered in English). shared/reference/alsfrs.md, "Emergency numbers".
DEFAULT_EMERGENCY_NUMBERS: Final[dict[Language, tuple[str, ...]]] = {
    "cs": ("155", "112"),
    "en": ("112", "155"),
}
_EMAIL: Final = r"^[^@\s<>,;]+@[^@\s<>,;]+$"
EmergencyNumber = Annotated[str, Field(pattern=r"^[0-9]{2,6}$")]
T = TypeVar("T")
SITE_ID: Final = r"^[A-Z0-9][A-Z0-9_-]{0,31}$"
# The one site of a study file that lists none (its phone, zone and numbers are the study's).
DEFAULT_SITE_ID: Final = "MAIN"


def _phone_shape(value: str) -> str:
    value = value.strip()
    if value and not re.fullmatch(_PHONE, value):
        raise ValueError("a phone number: digits, spaces, ( ) / - and an optional leading +")
    return value


def _known_zone(value: str) -> str:
    if not is_canonical_zone(value):
        raise ValueError(f"unknown time zone {value[:40]!r}")
    return value


def _every_language(value: dict[Language, tuple[str, ...]]) -> dict[Language, tuple[str, ...]]:
    missing = [language for language in LANGUAGES if language not in value]
    if missing:
        raise ValueError(f"no emergency number for {', '.join(missing)}")
    return value


def _unless_none(check: Callable[[T], T]) -> Callable[[T | None], T | None]:
    """A check of an optional setting: None (left out) passes as it is."""

    def checked(value: T | None) -> T | None:
        return None if value is None else check(value)

    return checked


def _capitals(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


class StudyInfo(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    # The number a respondent is told to call when a report is urgent. Required to run with a
    # Telegram token (see `problems_for_telegram`); local mode uses a demo number.
    site_phone: Annotated[str, Field(max_length=40)] = ""
    emergency_numbers: dict[
        Language, Annotated[tuple[EmergencyNumber, ...], Field(min_length=1, max_length=2)]
    ] = Field(default_factory=lambda: dict(DEFAULT_EMERGENCY_NUMBERS))
    timezone: str = "Europe/Prague"
    # The site of participants enrolled without one (and of those enrolled before sites
    # existed); the first of the [[sites]] when left out.
    default_site: Annotated[str, Field(pattern=SITE_ID)] | None = None

    _site_capitals = field_validator("default_site", mode="before")(_capitals)
    _phone = field_validator("site_phone")(_phone_shape)
    _numbers = field_validator("emergency_numbers")(_every_language)

    def emergency_for(self, language: str) -> tuple[str, ...]:
        """The emergency numbers for texts in `language`, the one to call first first."""
        found = [numbers for key, numbers in self.emergency_numbers.items() if key == language]
        return found[0] if found else self.emergency_numbers["en"]

    _zone = field_validator("timezone")(_known_zone)


class Site(_Strict):
    """One hospital of the study (issue 16): its participants' urgent advice gives its phone and
    emergency numbers; its staff see only its participants; its on-call address gets the
    e-mails about its urgent alerts. Left out, a value is the study's."""

    id: Annotated[str, Field(pattern=SITE_ID)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    phone: Annotated[str, Field(max_length=40)] = ""
    timezone: str | None = None
    emergency_numbers: (
        dict[Language, Annotated[tuple[EmergencyNumber, ...], Field(min_length=1, max_length=2)]]
        | None
    ) = None
    oncall_email: Annotated[str, Field(pattern=_EMAIL, max_length=254)] | None = None
    oncall_email_language: Literal["en", "cs"] | None = None  # else [alerts]'s

    _id_capitals = field_validator("id", mode="before")(_capitals)

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == "STUDY":  # `/invite study` means study-wide
            raise ValueError("STUDY is reserved (it means the whole study): choose another id")
        return value

    _phone = field_validator("phone")(_phone_shape)
    _zone = field_validator("timezone")(_unless_none(_known_zone))
    _numbers = field_validator("emergency_numbers")(_unless_none(_every_language))


class SiteInfo(_Strict):
    """A site with every value filled in from the study where the site leaves it out: what urgent
    advice (`conversations.screens.urgent.SiteContact`) and the on-call e-mail read."""

    id: str
    name: str
    site_phone: str
    timezone: str
    emergency_numbers: dict[Language, tuple[str, ...]]
    oncall_email: str | None
    oncall_email_language: Literal["en", "cs"] = "en"

    def emergency_for(self, language: str) -> tuple[str, ...]:
        """The emergency numbers for texts in `language`, the one to call first first."""
        found = [numbers for key, numbers in self.emergency_numbers.items() if key == language]
        return found[0] if found else self.emergency_numbers["en"]


class EnrollmentSettings(_Strict):
    code_ttl_days: Annotated[int, Field(ge=1, le=90)] = 14
    # Wrong codes from one account: after `max_failures` within `failure_window_minutes`,
    # further attempts are refused until the window has passed.
    max_failures: Annotated[int, Field(ge=1, le=100)] = 5
    failure_window_minutes: Annotated[int, Field(ge=1, le=1440)] = 15

    @property
    def code_ttl(self) -> timedelta:
        return timedelta(days=self.code_ttl_days)


class AlertSettings(_Strict):
    """Where alerts go and when an unacknowledged one is sent again."""

    # A staff group chat that gets every alert too (its numeric Telegram chat id), or none.
    staff_group_chat_id: int | None = None
    # The language of the alerts sent to the staff group (each staff member's own chat uses
    # the language they chose with /language).
    staff_group_language: Literal["en", "cs"] = "en"
    urgent_escalation_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    routine_escalation_hours: Annotated[int, Field(ge=1, le=30 * 24)] = 72
    # The study-wide on-call e-mail address (issue 16): an urgent alert still unacknowledged
    # `oncall_email_minutes` after a round went out to Telegram is also e-mailed to its
    # participant's site's address (`[[sites]] oncall_email`), this one for a site without its
    # own, once per round, with nothing clinical in it (bot/outbox/oncall.py). The SMTP server
    # is set in the environment (ALSFRS_SMTP_*). None: only the sites' own addresses.
    oncall_email: Annotated[str, Field(pattern=_EMAIL, max_length=254)] | None = None
    oncall_email_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 15
    oncall_email_language: Literal["en", "cs"] = "en"

    @property
    def oncall_email_delay(self) -> timedelta:
        return timedelta(minutes=self.oncall_email_minutes)

    @property
    def urgent_escalation(self) -> timedelta:
        return timedelta(minutes=self.urgent_escalation_minutes)

    @property
    def routine_escalation(self) -> timedelta:
        return timedelta(hours=self.routine_escalation_hours)


class PrivacySettings(_Strict):
    """The privacy notice a patient or caregiver agrees to before the bot does anything else for
    them (issue 16). Publishing a new `version` asks everyone again at their next message."""

    version: Annotated[str, Field(min_length=1, max_length=32)] = "1"
    ask: bool = True  # show the notice and wait for agreement before anything else
    controller: Annotated[str, Field(max_length=200)] = ""  # who runs the study; else study.name
    contact: Annotated[str, Field(max_length=200)] = ""  # whom to ask; else the site phone
    url: Annotated[str, Field(max_length=300)] = ""  # the full notice
    retention_years: Annotated[int, Field(ge=1, le=100)] = 15
    # The whole notice per language, replacing the default text in locales/ (HTML allowed).
    notice: dict[Language, Annotated[str, Field(min_length=1, max_length=3500)]] = {}
    # Accounts that never linked (strangers, refused codes) are pruned after this many days.
    prune_days: Annotated[int, Field(ge=1, le=3650)] = 30


class StudySettings(_Strict):
    study: StudyInfo
    enrollment: EnrollmentSettings = EnrollmentSettings()
    decline: DeclineRules = DeclineRules()
    symptoms: SymptomSettings = SymptomSettings()
    alerts: AlertSettings = AlertSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    visits: VisitSettings = VisitSettings()
    privacy: PrivacySettings = PrivacySettings()
    # The study's sites ([[sites]] tables); none: one site, "MAIN", with the study's values.
    sites: tuple[Site, ...] = ()

    @model_validator(mode="after")
    def _sites_are_consistent(self) -> StudySettings:
        ids = [site.id for site in self.sites]
        if len(set(ids)) != len(ids):
            raise ValueError("two sites have the same id")
        default = self.study.default_site
        if default is not None and default not in (ids or [DEFAULT_SITE_ID]):
            raise ValueError(f"study.default_site {default} is not one of the sites")
        return self

    def site_infos(self) -> tuple[SiteInfo, ...]:
        """Every site, with the study's values where a site leaves one out."""
        info = self.study
        if not self.sites:
            return (
                SiteInfo(
                    id=DEFAULT_SITE_ID,
                    name=info.name,
                    site_phone=info.site_phone,
                    timezone=info.timezone,
                    emergency_numbers=dict(info.emergency_numbers),
                    oncall_email=self.alerts.oncall_email,
                    oncall_email_language=self.alerts.oncall_email_language,
                ),
            )
        return tuple(
            SiteInfo(
                id=site.id,
                name=site.name,
                site_phone=site.phone or info.site_phone,
                timezone=site.timezone or info.timezone,
                emergency_numbers=dict(site.emergency_numbers or info.emergency_numbers),
                oncall_email=site.oncall_email or self.alerts.oncall_email,
                oncall_email_language=site.oncall_email_language
                or self.alerts.oncall_email_language,
            )
            for site in self.sites
        )

    def oncall_language(self, address: str) -> Literal["en", "cs"]:
        """The language of e-mails to `address`: that of the first site it serves."""
        for site in self.site_infos():
            if site.oncall_email == address:
                return site.oncall_email_language
        return self.alerts.oncall_email_language

    def oncall_addresses(self) -> tuple[str, ...]:
        """Every distinct on-call e-mail address of the sites (each site's own, else the
        study-wide one), in the order of the sites: empty when no e-mail goes anywhere."""
        found: dict[str, None] = {}
        for site in self.site_infos():
            if site.oncall_email is not None:
                found.setdefault(site.oncall_email, None)
        return tuple(found)

    @property
    def default_site_id(self) -> str:
        if self.study.default_site is not None:
            return self.study.default_site
        return self.sites[0].id if self.sites else DEFAULT_SITE_ID

    def site(self, site_id: str | None) -> SiteInfo:
        """The site with this id; the default site for None or an id the file no longer lists
        (a participant's site is never lost, only its contact details fall back)."""
        found = None if site_id is None else self.find_site(site_id)
        return found or self.named_site(self.default_site_id)

    def named_site(self, site_id: str) -> SiteInfo:
        """The listed site with this id (any case); `ValueError` naming the known ones."""
        found = self.find_site(site_id)
        if found is None:
            known = ", ".join(site.id for site in self.site_infos())
            raise ValueError(f"no site {site_id!r} in the study file ({known})")
        return found

    def find_site(self, site_id: str) -> SiteInfo | None:
        """The listed site with this id (any case), or None."""
        wanted = site_id.strip().upper()
        return next((s for s in self.site_infos() if s.id == wanted), None)

    @model_validator(mode="before")
    @classmethod
    def _schedule_zone_is_the_study_zone(cls, data: object) -> object:
        """`[schedule].timezone` is `[study].timezone` when left out; given, it must agree: one
        zone for the participants' default and the staff digest."""
        return _with_study_zone(data)


def _with_study_zone(data: object) -> object:
    if not isinstance(data, dict):
        return data
    study = data.get("study")
    if isinstance(study, dict):
        zone = study.get("timezone", StudyInfo.model_fields["timezone"].default)
    else:
        zone = getattr(study, "timezone", None)
    if not isinstance(zone, str):
        return data
    schedule = data.get("schedule", {})
    if isinstance(schedule, ScheduleSettings):
        given = schedule.timezone if "timezone" in schedule.model_fields_set else None
        if given is None:
            return {**data, "schedule": schedule.model_copy(update={"timezone": zone})}
    elif isinstance(schedule, dict):
        given = schedule.get("timezone")
        if given is None:
            return {**data, "schedule": {**schedule, "timezone": zone}}
    else:
        return data
    if given != zone:
        raise ValueError(
            f"schedule.timezone ({given}) differs from study.timezone ({zone}): leave it out"
        )
    return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALSFRS_", extra="ignore", frozen=True)

    bot_token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    db_path: Path = Path("data/alsfrs.sqlite3")
    study_file: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Local mode (no token): the page and the local Bot API on 127.0.0.1, and the demo database.
    local_port: Annotated[int, Field(ge=0, le=65535)] = 8080
    local_db_path: Path = Path("data/local-demo.sqlite3")
    # Operations: a log file (created 0600; stderr when unset) and backups. With
    # ALSFRS_BACKUP_DAILY the running bot copies the database into ALSFRS_BACKUP_DIR once a day;
    # `alsfrs-bot backup` and the bot keep the newest ALSFRS_BACKUP_KEEP copies.
    log_file: Path | None = None
    backup_dir: Path | None = None
    backup_keep: Annotated[int, Field(ge=1, le=1000)] = 14
    backup_daily: bool = False
    # GET /healthz and /metrics of the running bot on HOST:PORT (bot/health.py); off when unset.
    health_listen: str | None = None
    # /healthz fails while an urgent alert has reached nobody for longer than this.
    health_alert_max_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    # Started after more downtime than this, the bot tells staff when it was not running.
    downtime_notice_minutes: Annotated[int, Field(ge=1, le=10080)] = 15
    # Webhook mode (bot/webhook.py) when ALSFRS_WEBHOOK_URL is set; polling otherwise.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    webhook_secret: SecretStr | None = None
    # The SMTP server for the on-call e-mails (`[alerts] oncall_email` in the study file):
    # STARTTLS unless ALSFRS_SMTP_STARTTLS=false, logging in as ALSFRS_SMTP_USER with
    # ALSFRS_SMTP_PASSWORD when a user is set. No host: no e-mail.
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: Annotated[str, Field(pattern=_EMAIL, max_length=254)] = "alsfrs-bot@localhost"
    smtp_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0

    @field_validator("smtp_host", "smtp_user", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or len(secret) < 20:
                raise ValueError("does not look like a Telegram bot token (digits:secret)")
        return value

    @field_validator("backup_daily")
    @classmethod
    def _daily_backup_needs_a_place(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("backup_dir") is None:
            raise ValueError("needs ALSFRS_BACKUP_DIR, the folder for the copies")
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _empty_url_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("Telegram calls webhooks over HTTPS only: https://...")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()
        ):
            raise ValueError("16-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("health_listen", "webhook_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:9464")
        return value

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def file_base_url(self) -> str:
        """python-telegram-bot's base_file_url for the same server."""
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def load_study(path: Path | None) -> StudySettings:
    """Read and validate a study file; None reads the default shipped with the code."""
    if path is None:
        text = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return StudySettings.model_validate(tomllib.loads(text))


def problems_for_telegram(study: StudySettings) -> list[str]:
    """What a study file must have before the bot talks to real people (with a token): the
    site's phone, which urgent advice gives to the respondent. Each problem names its setting."""
    problems = []
    if not study.sites and not study.study.site_phone:
        problems.append(
            "study.site_phone is empty: urgent advice tells respondents to call the study site "
            "at this number; set it in the study file (ALSFRS_STUDY_FILE)"
        )
    for site in study.site_infos() if study.sites else ():
        if not site.site_phone:
            problems.append(
                f"site {site.id} has no phone (and study.site_phone is empty): urgent advice "
                "tells its respondents to call the site at this number; set sites.phone"
            )
    return problems
