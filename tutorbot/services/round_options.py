"""Use cases of a round's options (issue 21): a server's defaults, the options of one
`/round start` resolved against them, players joining teams, the extras a reveal shows (streaks,
teams so far), and rounds in threads.

The rules are the domain's (`domain/round_options.py`); the rows are `storage/round_options.py`.
A round's own options are kept in its state's settings (`RoundSettings`), so everything that reads
a round sees them; only who plays for which team, and the channel a thread came from, are rows of
their own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tutorbot.domain import round_options as opts
from tutorbot.domain import round_results as results
from tutorbot.domain import rounds as rules
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.round_options import StreakMark, TeamStanding
from tutorbot.domain.round_state import RoundSettings
from tutorbot.domain.rounds import BadSettings
from tutorbot.services import round_rows
from tutorbot.storage._unset import UNSET
from tutorbot.storage.round_options import RoundDefaults, RoundOptionStore

if TYPE_CHECKING:
    from tutorbot.services import Services


def store(services: Services) -> RoundOptionStore:
    """The round options' rows (a store over the services' database)."""
    return RoundOptionStore(services.storage.db)


# -- a server's defaults --------------------------------------------------------------------


async def defaults(services: Services, guild_id: int) -> RoundDefaults:
    """The server's defaults for new rounds' options."""
    return await store(services).defaults(guild_id)


async def update_defaults(
    services: Services,
    guild_id: int,
    *,
    teams: int | None = None,
    streak: bool | None = None,
    thread: bool | None = None,
    podium: int | None = None,
) -> RoundDefaults | Refusal:
    """Change the server's defaults (options left out keep theirs); checked as a round's own
    options are (`rules.settings_from`), so a refused change stores nothing."""
    current = await defaults(services, guild_id)
    checked = rules.settings_from(
        1,
        20,
        "speed",
        teams=teams if teams is not None else current.teams,
        podium=podium if podium is not None else current.podium,
    )
    if isinstance(checked, Refusal):
        return checked

    def given(value: Any) -> Any:
        return UNSET if value is None else value

    return await store(services).update_defaults(
        guild_id,
        now=services.clock(),
        teams=given(teams),
        streak=given(streak),
        thread=given(thread),
        podium=given(podium),
    )


# -- the options of one /round start ------------------------------------------------------


@dataclass(frozen=True)
class TeamRole:
    """A role named in `team_roles`: its id and its name (the team's name)."""

    role_id: int
    name: str


@dataclass(frozen=True)
class AskedOptions:
    """The options `/round start` was given; None (or no roles) takes the server's default."""

    teams: int | None = None
    team_roles: tuple[TeamRole, ...] = ()
    streak: bool | None = None
    thread: bool | None = None
    podium: int | None = None


@dataclass(frozen=True)
class RoundOptions:
    """A round's options once resolved against the server's defaults and checked."""

    teams: int = 0
    team_names: tuple[str, ...] = ()
    team_roles: tuple[int, ...] = ()
    streak: bool = False
    thread: bool = False
    podium: int = opts.DEFAULT_PODIUM

    def settings_args(self) -> dict[str, Any]:
        """What `rules.settings_from` takes of them (the thread is where a round runs, not a
        rule of the round)."""
        return {
            "teams": self.teams,
            "streak": self.streak,
            "podium": self.podium,
            "team_names": self.team_names,
            "team_roles": self.team_roles,
        }


async def resolve(
    services: Services, guild_id: int, asked: AskedOptions, *, members: int | None = None
) -> RoundOptions | Refusal:
    """The options of a new round: those asked, the server's defaults for the rest, checked
    by the rules every round's settings pass. With team roles there is one team per role (a
    `teams` that says otherwise is refused); more teams than the server has members besides the
    bot (`members`, when known) is refused, since every team needs a player."""
    found = await defaults(services, guild_id)
    roles = asked.team_roles
    if roles and asked.teams is not None and asked.teams != len(roles):
        return BadSettings(
            f"team_roles names {len(roles)} roles, one team each: leave teams out or make it "
            f"{len(roles)}."
        )
    if len(roles) == 1:
        return BadSettings("team_roles needs at least 2 roles, one per team.")
    teams = len(roles) if roles else (asked.teams if asked.teams is not None else found.teams)
    chosen = RoundOptions(
        teams=teams,
        team_names=opts.team_names(teams, [r.name for r in roles]) if teams else (),
        team_roles=tuple(r.role_id for r in roles),
        streak=asked.streak if asked.streak is not None else found.streak,
        thread=asked.thread if asked.thread is not None else found.thread,
        podium=asked.podium if asked.podium is not None else found.podium,
    )
    checked = rules.settings_from(1, 20, "speed", **chosen.settings_args())
    if isinstance(checked, Refusal):
        return checked
    too_many = opts.more_teams_than_members(teams, members)
    return BadSettings(too_many) if too_many else chosen


def parse_team_roles(
    text: str, roles: Sequence[tuple[int, str]], everyone: int | None = None
) -> tuple[TeamRole, ...] | Refusal:
    """The roles named in a `team_roles` option: role mentions (`<@&id>`) or names (any case),
    separated by commas, each a role of the server (`roles`: id and name) other than
    @everyone (`everyone`: its id, the server's), which everyone holds; or why not."""
    roles = [(role_id, name) for role_id, name in roles if role_id != everyone]
    by_id = dict(roles)
    by_name = {name.casefold(): (role_id, name) for role_id, name in roles}
    found: list[TeamRole] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        mention = part.removeprefix("<@&").removesuffix(">")
        if mention.isdigit() and int(mention) in by_id:
            found.append(TeamRole(int(mention), by_id[int(mention)]))
        elif part.removeprefix("@").casefold() in by_name:
            role_id, name = by_name[part.removeprefix("@").casefold()]
            found.append(TeamRole(role_id, name))
        else:
            shown = part if len(part) <= 40 else part[:39] + "…"
            return BadSettings(f"There is no role called “{shown}” in this server.")
    if len({r.role_id for r in found}) != len(found):
        return BadSettings("team_roles names a role twice.")
    if len(found) > opts.MAX_TEAMS:
        return BadSettings(f"team_roles names {len(found)} roles: at most {opts.MAX_TEAMS} teams.")
    return tuple(found)


# -- players joining teams -----------------------------------------------------------------


class TeamBook:
    """Players joining the teams of running rounds, with what it takes to keep the click path
    quick: each round's settings, read once, and who joined in this process."""

    def __init__(self, services: Services) -> None:
        self._s = services
        self._settings: dict[int, RoundSettings] = {}
        self._joined: dict[int, set[int]] = {}

    async def settings_of(self, round_id: int) -> RoundSettings | None:
        """The round's settings (they never change while it runs); None for no such round."""
        found = self._settings.get(round_id)
        if found is None:
            rnd = await self._s.storage.rounds.get(round_id)
            if rnd is None:
                return None
            found = self._settings[round_id] = round_rows.state_of(rnd).settings
        return found

    async def join(
        self, round_id: int, user_id: int, role_ids: Collection[int], now: datetime
    ) -> str | None:
        """After a player's answer counted: the name of the team they join now, or None (a
        round without teams, or they joined already). A player holding one of the team roles
        joins its team; anyone else the smallest team (`round_options.assign_team`)."""
        settings = await self.settings_of(round_id)
        if settings is None or not settings.teams:
            return None
        joined = self._joined.setdefault(round_id, set())
        if user_id in joined:
            return None
        roles = frozenset(role_ids)
        team = await store(self._s).join(
            round_id,
            user_id,
            teams=settings.teams,
            choose=lambda sizes: opts.assign_team(sizes, roles, settings.team_roles),
            now=now,
        )
        joined.add(user_id)
        return opts.team_names(settings.teams, settings.team_names)[team]

    def forget(self, round_id: int) -> None:
        """Drop what is kept of a round that ended."""
        self._settings.pop(round_id, None)
        self._joined.pop(round_id, None)


# -- what a reveal and an end show --------------------------------------------------------


@dataclass(frozen=True)
class RevealExtras:
    """What a reveal shows of a round's options: the longest runs its right answers made, and
    the teams' standings after it."""

    streaks: tuple[tuple[int, StreakMark], ...] = ()
    teams: tuple[TeamStanding, ...] = ()


async def reveal_extras(
    services: Services, round_id: int, index: int, settings: RoundSettings | None = None
) -> RevealExtras:
    """The streaks and team standings to show on the reveal of the question at `index` (none
    for a round without the streak bonus or teams: its answers are not read). `settings` are
    the round's, when the caller has them (`TeamBook.settings_of`)."""
    if settings is None:
        rnd = await services.storage.rounds.get(round_id)
        settings = round_rows.state_of(rnd).settings if rnd is not None else None
    if settings is None or not (settings.streak or settings.teams):
        return RevealExtras()
    _, state = await round_rows.load(services.storage.rounds, round_id)
    scores = results.score(state)
    streaks: tuple[tuple[int, StreakMark], ...] = ()
    asked = state.question_at(index)
    if settings.streak and asked is not None:
        closed = [s.question.question_id for s in scores.closed]
        if asked.question_id in closed:
            streaks = opts.on_a_streak(scores.streaks[closed.index(asked.question_id)])
    teams: tuple[TeamStanding, ...] = ()
    if settings.teams:
        names = opts.team_names(settings.teams, settings.team_names)
        teams = scores.team_table(await store(services).teams_of(round_id), names)
    return RevealExtras(streaks, teams)


# -- threads ---------------------------------------------------------------------------------


async def round_channel(services: Services, channel_id: int) -> int:
    """The channel the round commands used in `channel_id` act on: the channel itself, unless
    no round runs there and exactly one round runs in a thread started from it."""
    if await services.storage.rounds.running_in(channel_id) is not None:
        return channel_id
    threads = await store(services).running_threads(channel_id)
    return threads[0] if len(threads) == 1 else channel_id


async def set_thread(services: Services, round_id: int, parent_channel_id: int) -> None:
    """Record that the round runs in a thread of `parent_channel_id`."""
    await store(services).set_thread(round_id, parent_channel_id)


async def parent_of(services: Services, round_id: int) -> int | None:
    """The channel a round in a thread was started from; None for a round in a channel."""
    return await store(services).parent_of(round_id)
