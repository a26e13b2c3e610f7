"""The deploy files say what the README promises: cheap checks that need no Docker or podman."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import discord
import pytest
import yaml

from tutorbot.cli import build_parser
from tutorbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", path.read_text())
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def _exec_form(arguments: str) -> list[str]:
    """The JSON array of an exec-form instruction; fails the test on the shell form."""
    value = json.loads(arguments)
    assert isinstance(value, list), f"not exec form: {arguments}"
    assert all(isinstance(part, str) for part in value)
    return value


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return _instructions(ROOT / "Dockerfile")


@pytest.fixture(scope="module")
def runtime_stage(dockerfile: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(dockerfile) if keyword == "FROM")
    return dockerfile[last_from:]


@pytest.fixture(scope="module")
def service() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(compose["services"]["tutorbot"], _volumes=compose.get("volumes") or {})


def test_base_image_is_an_arg_defaulting_to_python_3_11_slim(
    dockerfile: list[tuple[str, str]],
) -> None:
    first_from = next(i for i, (keyword, _) in enumerate(dockerfile) if keyword == "FROM")
    args = dict(rest.split("=", 1) for keyword, rest in dockerfile[:first_from] if keyword == "ARG")
    froms = [rest.split()[0] for keyword, rest in dockerfile if keyword == "FROM"]
    assert len(froms) >= 2, "a build stage and a runtime stage"
    for image in froms:
        name = re.fullmatch(r"\$\{?(\w+)\}?", image)
        assert name, f"FROM {image} does not take the base from an ARG"
        assert args[name.group(1)] == "python:3.11-slim"


def test_runtime_stage_runs_as_a_non_root_user(runtime_stage: list[tuple[str, str]]) -> None:
    users = [rest for keyword, rest in runtime_stage if keyword == "USER"]
    assert users, "the runtime stage never leaves root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_entrypoint_and_cmd_are_exec_form_and_run_the_bot(
    runtime_stage: list[tuple[str, str]],
) -> None:
    entry = [_exec_form(rest) for keyword, rest in runtime_stage if keyword == "ENTRYPOINT"]
    cmd = [_exec_form(rest) for keyword, rest in runtime_stage if keyword == "CMD"]
    assert entry[-1] == ["tutorbot"]
    args = build_parser().parse_args(cmd[-1])
    assert args.command == "run"


def test_healthcheck_runs_tutorbot_healthcheck(runtime_stage: list[tuple[str, str]]) -> None:
    checks = [rest for keyword, rest in runtime_stage if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    options, _, command = checks[0].partition("CMD ")
    assert _exec_form(command) == ["tutorbot", "healthcheck"]
    assert build_parser().parse_args(["healthcheck"]).command == "healthcheck"
    assert "--interval=" in options


def test_database_lives_on_the_data_volume(runtime_stage: list[tuple[str, str]]) -> None:
    volumes = [rest for keyword, rest in runtime_stage if keyword == "VOLUME"]
    assert any("/data" in _exec_form(v) for v in volumes)
    env = " ".join(rest for keyword, rest in runtime_stage if keyword == "ENV")
    assert "TUTORBOT_DB_PATH=/data/" in env


def test_dockerignore_keeps_secrets_and_databases_out() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "start from nothing and let in only what the image needs"
    let_in = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert {"pyproject.toml", "tutorbot", "content"} <= let_in
    assert not let_in & {".env", "data", "tests", ".git"}


def test_compose_restarts_reads_env_keeps_data_and_rotates_logs(service: dict[str, Any]) -> None:
    assert service["restart"] == "unless-stopped"
    env_files = service["env_file"]
    assert ".env" in ([env_files] if isinstance(env_files, str) else env_files)
    data = [v for v in service["volumes"] if v.split(":")[1] == "/data"]
    assert len(data) == 1
    assert data[0].split(":")[0] in service["_volumes"], "a named volume, declared at the top"
    logging = service["logging"]
    assert logging["driver"] == "json-file"
    assert logging["options"]["max-size"] and int(logging["options"]["max-file"]) >= 1


def test_compose_gives_the_bot_time_to_stop_cleanly(service: dict[str, Any]) -> None:
    grace = re.fullmatch(r"(\d+)s", service.get("stop_grace_period", "10s"))
    assert grace and int(grace.group(1)) >= 10


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    prefix = Settings.model_config.get("env_prefix", "")
    lines = text.splitlines()
    for field in Settings.model_fields:
        name = f"{prefix}{field}".upper()
        where = [i for i, line in enumerate(lines) if re.match(rf"#?\s*{name}=", line)]
        assert where, f"{name} is not in .env.example"
        assert lines[where[0] - 1].startswith("#"), f"{name} has no explanation above it"


def test_env_example_copied_as_is_is_a_valid_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(f"TUTORBOT_{field}".upper(), raising=False)
    settings = Settings(_env_file=ROOT / ".env.example")
    token = settings.discord_token
    assert token is None or token.get_secret_value() == ""


def test_readme_invite_asks_for_exactly_the_documented_permissions() -> None:
    readme = (ROOT / "README.md").read_text()
    deploy = readme[readme.index("## Deploy") :]
    least = discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True, attach_files=True
    )
    assert f"permissions={least.value}" in deploy
    assert "scope=bot+applications.commands" in deploy


def test_the_postgres_profile_runs_two_shards_on_one_database() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    db = services["db"]
    assert db["profiles"] == ["postgres"] and db["image"].startswith("postgres:")
    assert "healthcheck" in db and any("/var/lib/postgresql/data" in v for v in db["volumes"])
    shards = [services[f"tutorbot-shard-{n}"] for n in (0, 1)]
    assert [s["environment"]["TUTORBOT_SHARD_IDS"] for s in shards] == ["0", "1"]
    for shard in shards:
        assert shard["profiles"] == ["postgres"]
        assert shard["environment"]["TUTORBOT_SHARD_COUNT"] == "2"
        assert shard["environment"]["TUTORBOT_DATABASE_URL"].startswith("postgresql://")
        assert shard["depends_on"]["db"]["condition"] == "service_healthy"
        for key in ("read_only", "cap_drop", "security_opt", "stop_grace_period", "env_file"):
            assert shard[key] == services["tutorbot"][key], key
    assert "profiles" not in services["tutorbot"], "docker compose up -d still starts SQLite"
