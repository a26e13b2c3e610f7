"""One console session: what each typed line does, through the same services as the bot.

A thin front end like the Discord one: it turns words into service calls and results into the
blocks `render` builds; it keeps only what is on screen (the topic in focus, the page being read,
the quiz question shown), and everything that matters is saved by the services as it happens.

**Typed answers.** When the question on screen (quiz, review or placement) is a short answer or a
number, a line that is not a command (a slash command, a command word such as `next`, `stop`,
`reveal`, `idk`, `help`, or a self-assessment) is the answer, whole: `Paris`, `3,5`, `true`. A
line starting with `=` is always a typed answer, without the `=` (`= next` answers "next"), on any
screen: the way to type an answer that is also a command word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from tutorbot.content.card import plural
from tutorbot.content.models import LETTERS, TYPED, Topic
from tutorbot.domain import quiz as rules
from tutorbot.domain.days import MAX_ZONE_NAME, UnknownTimeZone
from tutorbot.domain.placement import NotCurrentQuestion, NotYourPlacement, PlacementOver
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import NotRevealedYet
from tutorbot.services import Services, placement
from tutorbot.services.placement import DONT_KNOW, PlacementEnd, PlacementScreen
from tutorbot.services.quiz import BadPosition, QuizEnd, QuizGone, Screen
from tutorbot.services.review import ReviewEnd
from tutorbot.storage.quizzes import QuizSession
from tutorbot.storage.review_settings import ReviewSettings

from . import maps, pictures, render
from .clock import MAX_WAIT_DAYS, ConsoleClock, duration_text, parse_duration
from .commands import ASSESSMENTS, clean, help_lines, suggest_command
from .identity import console_user_id
from .output import Block, Output

T = TypeVar("T")
PlacementStep = PlacementScreen | PlacementEnd | placement.NotYet
"""What a placement step shows: the next question, the end, or when a model answer opens."""
MAX_QUESTIONS = rules.MAX_QUIZ_QUESTIONS
TYPED_PREFIX = "="
"""A line starting with it is a typed answer, even one that is also a command word."""
GONE = (QuizGone, BadPosition, rules.QuizFinished, rules.TopicRemoved, rules.NotYourQuiz)
PLACEMENT_GONE = (
    placement.PlacementGone,
    placement.PlacementConflict,
    placement.PlacementQuestionRemoved,
    PlacementOver,
    NotYourPlacement,
    NotCurrentQuestion,
)
"""Refusals after which the console reads the placement again rather than trust its screen."""
CONSOLE_WORDING: dict[type[Refusal], str] = {
    rules.NotAnsweredYet: "Answer this question first, then type next.",
    NotRevealedYet: "Type reveal to see the model answer before judging your own.",
    rules.WrongKind: "That does not fit this kind of question.",
    rules.InvalidChoice: "That is not one of this question's options.",
}
"""Refusals whose default wording speaks of Discord buttons."""
DISCORD_ONLY = (
    "Reminders come as Discord direct messages, so /remind works in Discord only. "
    "Here, type /review to see what is due."
)


PLACEMENT_REFUSES = {
    "next": "In a placement the next question comes as soon as you answer: answer, type idk, "
    "or stop.",
    "hint": "No hints in a placement: it finds where you stand. Type idk if you don't know.",
    "write": "write is for quizzes. In a placement, answer directly; for a free response, think "
    "of your answer, then type reveal and judge it against the model answer.",
}
"""Quiz words that do nothing in a placement, and what to type instead."""


def refusal_text(refusal: Refusal) -> str:
    """How the console words a refusal: its own text, unless that speaks of buttons."""
    return CONSOLE_WORDING.get(type(refusal), refusal.text)


class ConsoleError(Exception):
    """A line the console cannot act on; the message says why and what to type instead."""


@dataclass
class Pager:
    """The explainer or chain being read, so `more` and Enter turn its pages."""

    kind: str
    topic: Topic
    page: int
    pages: int


class ConsoleApp:
    """One student's session: the topic in focus, the page being read, the quiz on screen."""

    def __init__(self, services: Services, out: Output, user_name: str, clock: ConsoleClock):
        self.services = services
        self.out = out
        self.user_name = user_name
        self.user_id = console_user_id(user_name)
        self.clock = clock
        self.topic: Topic | None = None
        self.pager: Pager | None = None
        self.screen: Screen | None = None
        self.placement: PlacementScreen | None = None
        """The placement question on screen (never both it and `screen`)."""

    async def resume(self) -> None:
        """Pick up a quiz, review or placement left unfinished in an earlier session."""
        active = await self.services.quiz.active(self.user_id)
        if active is None:
            return
        if active.kind == "placement":
            await self._resume_placement(active)
            return
        screen = await self.services.quiz.current(active.id, self.user_id)
        if isinstance(screen, Refusal):
            return
        self.screen = screen
        self.out.say(_picking_up(screen), "yellow")
        await self._show_screen(screen)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the student asked to leave."""
        text = clean(line)
        try:
            return await self._dispatch(text)
        except ConsoleError as exc:
            self.out.say(str(exc), "yellow")
        return True

    async def _dispatch(self, text: str) -> bool:
        if not text:
            if self.pager is not None:
                await self._more()
            return True
        if text.startswith(TYPED_PREFIX):
            await self._type_answer(text[len(TYPED_PREFIX) :])
            return True
        word, _, rest = text.partition(" ")
        word = word.lower()
        if word in ("/quit", "/exit", "quit", "exit"):
            return False
        if word in ("/help", "help", "?"):
            self.out.show(help_lines())
            return True
        slash = self._slash.get(word)
        if slash is not None:
            await slash(self, rest)
            return True
        if text.lower() in ASSESSMENTS:
            await self._assess(ASSESSMENTS[text.lower()])
            return True
        bare = self._words.get(word)
        if bare is not None:
            await bare(self, rest)
            return True
        if await self._typed_on_screen():
            await self._type_answer(text)
            return True
        if self._is_choice(text):
            await self._answer(text)
            return True
        self._unknown(word)
        return True

    def _unknown(self, word: str) -> None:
        close = suggest_command(word)
        tip = f" Did you mean {' or '.join(close)}?" if close else ""
        raise ConsoleError(f"Unknown command “{word}”.{tip} Type help for the list.")

    # Topics

    def find_topic(self, text: str) -> Topic:
        """A topic by id or exact title, or the only search match; else the closest ids."""
        library = self.services.library
        query = text.strip()
        if not query:
            raise ConsoleError("Which topic? Give its id or title (Tab completes them).")
        topic = library.get(query) or library.get(query.lower())
        if topic is not None:
            return topic
        matches = library.search(query, 2)
        if matches and (matches[0].title.lower() == query.lower() or len(matches) == 1):
            return matches[0]
        close = [library.get(tid) for tid in library.closest_ids(query, 3)]
        names = ", ".join(f"{t.title} ({t.id})" for t in close if t is not None)
        tip = f" Did you mean: {names}?" if names else ""
        raise ConsoleError(f"No topic matches “{query[:80]}”.{tip}")

    def _focus(self) -> Topic:
        if self.topic is None:
            raise ConsoleError("Show a topic first with /topic TOPIC.")
        current = self.services.library.get(self.topic.id)
        if current is None:
            raise ConsoleError(
                "That topic is no longer in the content. Use /topic to find another."
            )
        return current

    async def _card(self, topic: Topic) -> None:
        self.topic, self.pager = topic, None
        student = await self.services.progress.student(self.user_id)
        self.out.show(render.topic_card(self.services.library, topic, student))

    async def _topic_cmd(self, rest: str) -> None:
        await self._card(self.find_topic(rest))

    async def _card_word(self, rest: str) -> None:
        await self._card(self._focus())

    async def _explainer(self, rest: str) -> None:
        topic = self._focus()
        if not topic.explainer:
            raise ConsoleError(f"{topic.title} has no explainer yet.")
        pages = render.explainer_pages(topic)
        self.pager = Pager("explainer", topic, 0, len(pages))
        self.out.show(render.explainer_page(topic, pages, 0))

    async def _chain(self, rest: str) -> None:
        topic = self._focus()
        self.pager = Pager("chain", topic, 0, render.chain_pages(self.services.library, topic))
        await self._show_chain(topic, 0)

    async def _show_chain(self, topic: Topic, page: int) -> None:
        student = await self.services.progress.student(self.user_id)
        self.out.show(render.chain_page(self.services.library, topic, page, student.known))

    async def _more(self, rest: str = "") -> None:
        pager = self.pager
        if pager is None:
            raise ConsoleError("Nothing to page through. Type explainer or chain after /topic.")
        if pager.page + 1 >= pager.pages:
            self.out.say("That was the last page. Type card for the topic card.")
            return
        pager.page += 1
        if pager.kind == "chain":
            await self._show_chain(pager.topic, pager.page)
        else:
            pages = render.explainer_pages(pager.topic)
            self.out.show(render.explainer_page(pager.topic, pages, pager.page))

    async def _known(self, rest: str) -> None:
        topic = self._focus()
        marked = await self.services.progress.toggle_known(self.user_id, topic.id)
        if marked:
            self.out.say(f"Marked {topic.title} as known; its prerequisites count as known too.")
        else:
            self.out.say(f"{topic.title} is no longer marked as known.")

    async def _goal_word(self, rest: str) -> None:
        await self._set_goal(self._focus())

    async def _set_goal(self, topic: Topic) -> None:
        await self.services.progress.set_goal(self.user_id, topic.id)
        self.out.say(f"🎯 Goal set: {topic.title}. /progress shows the way there.")

    async def _goal_cmd(self, rest: str) -> None:
        action, _, arg = rest.partition(" ")
        if action.lower() == "set":
            await self._set_goal(self.find_topic(arg))
        elif action.lower() == "clear":
            had = await self.services.progress.clear_goal(self.user_id)
            self.out.say("Goal cleared." if had else "You had no goal set.")
        else:
            raise ConsoleError("Type /goal set TOPIC or /goal clear.")

    async def _progress(self, rest: str) -> None:
        overview, student = await self.services.progress.overview_and_student(self.user_id)
        remembering = await self.services.progress.remembering(self.user_id, overview)
        self.out.show(render.progress(self.services.library, overview, remembering, student))

    async def _stats(self, rest: str) -> None:
        figures = await self.services.stats.for_user(self.user_id, None)
        self.out.show(render.stats(self.user_name, figures))
        await pictures.show_activity(self, figures.activity)

    async def _wait(self, rest: str) -> None:
        seconds = parse_duration(rest)
        if seconds is None:
            raise ConsoleError(
                "Type /wait and how long, e.g. /wait 30 (seconds), /wait 10m, /wait 12h, "
                "/wait 1d or /wait 2d12h."
            )
        try:
            self.clock.advance(seconds)
        except ValueError:
            raise ConsoleError(
                f"/wait only moves the clock forward, by at most {MAX_WAIT_DAYS} days: "
                "e.g. /wait 3d."
            ) from None
        self.out.say(f"Skipped ahead {duration_text(seconds)} (this console's clock only).")

    async def _remind(self, rest: str) -> None:
        raise ConsoleError(DISCORD_ONLY)

    # Review

    async def _review(self, rest: str) -> None:
        word, _, arg = rest.partition(" ")
        if word.lower() == "settings":
            await self._review_settings(arg)
            return
        if rest:
            raise ConsoleError("Type /review for today's review, or /review settings.")
        previous = await self.services.quiz.active(self.user_id)
        if previous is not None and previous.kind == "review" and await self._resume(previous):
            return
        plan, screen = await self._step(
            self.services.review.start(self.user_id, None, self.user_id)
        )
        if screen is None:
            self.out.show(render.nothing_to_review(plan, self.clock()))
            return
        if previous is not None:
            self.out.say(_ended_note(previous), "yellow")
        self.topic, self.pager, self.placement = None, None, None
        self.out.show([render.review_intro(plan)])
        await self._show_screen(screen)

    async def _resume(self, session: QuizSession) -> bool:
        """Show the question a session stands at; False when it cannot go on."""
        screen = await self.services.quiz.current(session.id, self.user_id)
        if isinstance(screen, Refusal):
            return False
        self.topic, self.pager = None, None
        self.out.say(_picking_up(screen), "yellow")
        await self._show_screen(screen)
        return True

    async def _review_settings(self, rest: str) -> None:
        what, _, value = rest.partition(" ")
        what = what.lower()
        if what == "limit":
            await self._set_limit(value)
        elif what in ("timezone", "zone", "tz"):
            await self._set_timezone(value)
        elif not what:
            settings = await self.services.review.settings(self.user_id)
            self.out.show(self._settings_blocks(settings))
        else:
            raise ConsoleError(
                "Type /review settings limit N or /review settings timezone NAME "
                "(e.g. Europe/Paris)."
            )

    async def _set_limit(self, value: str) -> None:
        try:
            limit = int(value)
        except ValueError:
            raise ConsoleError(
                "Type /review settings limit N: how many reviews a day at most, e.g. 20."
            ) from None
        settings = await self.services.review.set_limit(self.user_id, limit)
        if isinstance(settings, Refusal):
            raise ConsoleError(settings.text)
        changed = f"Daily limit set to {plural(limit, 'review')} a day."
        self.out.show(self._settings_blocks(settings, changed))

    async def _set_timezone(self, value: str) -> None:
        if not value:
            raise ConsoleError(
                "Type /review settings timezone NAME, e.g. Europe/Paris (Tab completes names)."
            )
        settings = await self.services.review.set_timezone(self.user_id, value)
        if isinstance(settings, UnknownTimeZone):
            raise ConsoleError(
                f"“{value[:MAX_ZONE_NAME]}” is not a time zone I know. Use an IANA name such as "
                "Europe/Paris or America/New_York (Tab completes them)."
            )
        changed = f"Time zone set to {settings.timezone}: your day starts at midnight there."
        self.out.show(self._settings_blocks(settings, changed))

    def _settings_blocks(self, settings: ReviewSettings, changed: str | None = None) -> list[Block]:
        limit = self.services.review.daily_limit(settings)
        return render.review_settings(limit, settings.timezone or "UTC", changed=changed)

    # Placement

    async def _placement_cmd(self, rest: str) -> None:
        goal = self.find_topic(rest) if rest else None
        previous = await self.services.quiz.active(self.user_id)
        if (
            previous is not None
            and previous.kind == "placement"
            and await self._resume_placement(previous, goal)
        ):
            return
        step = await self._placement_step(
            self.services.placement.start(
                user_id=self.user_id, guild_id=None, channel_id=self.user_id, goal=goal
            )
        )
        if previous is not None and await self._replaced(previous):
            self.out.say(_ended_note(previous), "yellow")
        self.topic, self.pager, self.screen = None, None, None
        self._show_placement(step)

    async def _replaced(self, previous: QuizSession) -> bool:
        """Whether the quiz, review or placement in progress before a start has ended."""
        active = await self.services.quiz.active(self.user_id)
        return active is None or active.id != previous.id

    async def _resume_placement(self, session: QuizSession, goal: Topic | None = None) -> bool:
        """Show the question a placement stands at; False when it cannot go on, or when `goal`
        asks for a placement toward another goal."""
        screen = await self.services.placement.current(session.id, self.user_id)
        if isinstance(screen, Refusal) or (goal is not None and screen.state.goal != goal.id):
            return False
        self.topic, self.pager = None, None
        self.out.say("Picking up your placement where you left it.", "yellow")
        self._show_placement(screen)
        return True

    def _show_placement(self, step: PlacementStep, *, stopped: bool = False) -> None:
        """The next question, or the end (a stop's, when `stopped`), or how long a free
        response's model answer still takes."""
        if isinstance(step, PlacementEnd):
            self.placement = None
            self.out.show(render.placement_end(step, stopped=stopped))
        elif isinstance(step, placement.NotYet):
            self.out.show(render.not_yet(step))
        else:
            self.placement, self.screen = step, None
            self.out.show(render.placement_question(step))

    async def _placement_answer(self, screen: PlacementScreen, choice: str) -> None:
        """A letter, true/false or "I don't know": recorded, and the next question at once (a
        placement says nothing of right or wrong: it measures)."""
        typed = choice.upper() if len(choice) == 1 else choice.lower()
        self._show_placement(
            await self._placement_step(
                self.services.placement.answer(
                    screen.session_id, self.user_id, screen.number, typed
                )
            )
        )

    async def _placement_reveal(self, screen: PlacementScreen) -> None:
        result = await self._placement_step(
            self.services.placement.reveal(screen.session_id, self.user_id, screen.number)
        )
        if isinstance(result, PlacementScreen):
            self.placement = result
            self.out.show(render.placement_revealed(result))
        else:
            self._show_placement(result)

    async def _placement_assess(self, screen: PlacementScreen, assessment: str) -> None:
        self._show_placement(
            await self._placement_step(
                self.services.placement.assess(
                    screen.session_id, self.user_id, screen.number, assessment
                )
            )
        )

    async def _placement_stop(self, screen: PlacementScreen) -> None:
        self._show_placement(
            await self._placement_step(
                self.services.placement.stop(screen.session_id, self.user_id)
            ),
            stopped=True,
        )

    async def _idk(self, rest: str) -> None:
        screen = await self._on_screen()
        if not isinstance(screen, PlacementScreen):
            raise ConsoleError(
                "idk (I don't know) is for placements (/placement). In a quiz, answer or type stop."
            )
        await self._placement_answer(screen, DONT_KNOW)

    async def _placement_step(self, call: Awaitable[PlacementStep | Refusal]) -> PlacementStep:
        """Run a placement step; a refusal is shown and ends the line, and a placement that ended
        or moved on elsewhere is forgotten, so the next word reloads it."""
        result = await call
        if isinstance(result, Refusal):
            if isinstance(result, PLACEMENT_GONE):
                self.placement = None
            raise ConsoleError(refusal_text(result))
        return result

    # Quiz

    async def _quiz_cmd(self, rest: str) -> None:
        count: int | None = None
        try:
            topic = self.find_topic(rest)
        except ConsoleError:
            head, _, tail = rest.rpartition(" ")
            if not (head and tail.isdigit()):
                raise
            topic, count = self.find_topic(head), int(tail)
            if not 1 <= count <= MAX_QUESTIONS:
                raise ConsoleError(f"Ask for 1 to {MAX_QUESTIONS} questions.") from None
        await self._start(topic, count)

    async def _practice(self, rest: str) -> None:
        await self._start(self._focus(), None)

    async def _start(self, topic: Topic, count: int | None) -> None:
        if not topic.questions:
            raise ConsoleError(f"{topic.title} has no practice questions yet.")
        previous = await self.services.quiz.active(self.user_id)
        if previous is not None and (previous.kind != "quiz" or previous.topic_id != topic.id):
            self.out.say(_ended_note(previous), "yellow")
        self.topic, self.pager, self.placement = topic, None, None
        screen = await self._step(
            self.services.quiz.start(
                user_id=self.user_id,
                guild_id=None,
                channel_id=self.user_id,
                topic=topic,
                count=count,
            )
        )
        await self._show_screen(screen)

    async def _show_screen(self, screen: Screen) -> None:
        self.screen, self.placement = screen, None
        self.out.show(render.question(screen))

    async def _on_screen(self) -> Screen | PlacementScreen:
        """The quiz, review or placement question on screen, read again from the database when
        the console has none (one may have moved on elsewhere, e.g. in Discord)."""
        if self.placement is not None:
            return self.placement
        if self.screen is None:
            active = await self.services.quiz.active(self.user_id)
            if active is None:
                raise ConsoleError("No quiz in progress. Start one with /quiz TOPIC.")
            if active.kind == "placement":
                current = await self.services.placement.current(active.id, self.user_id)
                if isinstance(current, Refusal):
                    raise ConsoleError(refusal_text(current))
                self.placement = current
                return current
            self.screen = await self._step(self.services.quiz.current(active.id, self.user_id))
        return self.screen

    async def _quiz_screen(self, word: str) -> Screen:
        """The quiz or review question on screen; `word` does nothing in a placement."""
        screen = await self._on_screen()
        if isinstance(screen, PlacementScreen):
            raise ConsoleError(PLACEMENT_REFUSES[word])
        return screen

    @staticmethod
    def _is_choice(text: str) -> bool:
        return (len(text) == 1 and text.upper() in LETTERS) or text.lower() in ("true", "false")

    async def _answer(self, choice: str) -> None:
        live = await self._on_screen()
        if isinstance(live, PlacementScreen):
            await self._placement_answer(live, choice)
            return
        screen, result = await self._step(
            self.services.quiz.answer(live.session_id, self.user_id, live.state.position, choice)
        )
        self.screen = screen
        self.out.show(render.answered(result, screen.look_at))

    async def _typed_on_screen(self) -> bool:
        """Whether the question on screen waits for a typed answer (a short answer or a number
        not answered yet); False when there is none, so a mistyped word after the answer is
        still called an unknown command."""
        nothing_shown = self.placement is None and self.screen is None
        if nothing_shown and await self.services.quiz.active(self.user_id) is None:
            return False
        try:
            live = await self._on_screen()
        except ConsoleError:
            return False
        if isinstance(live, Screen) and live.state.answer_for(live.question.id) is not None:
            return False
        return live.question.type in TYPED

    async def _type_answer(self, text: str) -> None:
        """A typed answer to the question on screen: judged at once (right or wrong, the
        expected answer) in a quiz or review; recorded, and the next question, in a placement."""
        live = await self._on_screen()
        if isinstance(live, PlacementScreen):
            self._show_placement(
                await self._placement_step(
                    self.services.placement.answer_typed(
                        live.session_id, self.user_id, live.number, text
                    )
                )
            )
            return
        screen, result = await self._step(
            self.services.quiz.answer_typed(
                live.session_id, self.user_id, live.state.position, text
            )
        )
        self.screen = screen
        self.out.show(render.answered(result, screen.look_at))

    async def _reveal(self, rest: str) -> None:
        live = await self._on_screen()
        if isinstance(live, PlacementScreen):
            await self._placement_reveal(live)
            return
        screen, result = await self._step(
            self.services.quiz.reveal(live.session_id, self.user_id, live.state.position)
        )
        self.screen = screen
        if isinstance(result, rules.NotYet):
            self.out.show(render.not_yet(result))
        else:
            self.out.show(render.revealed(result))

    async def _write(self, rest: str) -> None:
        screen = await self._quiz_screen("write")
        if not rest.strip():
            raise ConsoleError("Type write followed by your answer, on one line.")
        self.screen = await self._step(
            self.services.quiz.write(screen.session_id, self.user_id, screen.state.position, rest)
        )
        self.out.show(render.written())

    async def _assess(self, assessment: str) -> None:
        live = await self._on_screen()
        if isinstance(live, PlacementScreen):
            await self._placement_assess(live, assessment)
            return
        screen, result, _ = await self._step(
            self.services.quiz.assess(
                live.session_id, self.user_id, live.state.position, assessment
            )
        )
        self.screen = screen
        self.out.show(render.assessed(result, screen.look_at))

    async def _next(self, rest: str) -> None:
        screen = await self._quiz_screen("next")
        step: Screen | QuizEnd | ReviewEnd = await self._step(
            self.services.quiz.next(screen.session_id, self.user_id, screen.state.position)
        )
        await self._after(step)

    async def _stop(self, rest: str) -> None:
        screen = await self._on_screen()
        if isinstance(screen, PlacementScreen):
            await self._placement_stop(screen)
            return
        await self._after(
            await self._step(self.services.quiz.stop(screen.session_id, self.user_id))
        )

    async def _hint(self, rest: str) -> None:
        screen = await self._quiz_screen("hint")
        if not screen.question.hint:
            raise ConsoleError("There is no hint for this question.")
        self.out.say(f"💡 {screen.question.hint}")

    async def _after(self, step: Screen | QuizEnd | ReviewEnd) -> None:
        if isinstance(step, QuizEnd):
            self.screen = None
            self.out.show(render.summary(step))
        elif isinstance(step, ReviewEnd):
            self.screen = None
            self.out.show(render.review_summary(step, self.clock()))
        else:
            await self._show_screen(step)

    async def _step(self, call: Awaitable[T | Refusal]) -> T:
        """Run a quiz step; a refusal is shown (see `refusal_text`) and ends the line, and a quiz
        that ended elsewhere is forgotten, so the next word reloads."""
        result = await call
        if isinstance(result, Refusal):
            if isinstance(result, GONE):
                self.screen = None
            raise ConsoleError(refusal_text(result))
        return result

    def prompt(self) -> str:
        """The prompt, saying where the student is."""
        if self.placement is not None:
            return f"{self.user_name} · placement {self.placement.number}/{self.placement.cap}> "
        if self.screen is not None:
            kind = "review" if self.screen.is_review else "quiz"
            return f"{self.user_name} · {kind} {self.screen.number}/{self.screen.total}> "
        if self.topic is not None:
            return f"{self.user_name} · {self.topic.id}> "
        return f"{self.user_name}> "

    Handler = Callable[["ConsoleApp", str], Awaitable[None]]
    _slash: ClassVar[dict[str, Handler]] = {
        "/topic": _topic_cmd,
        "/quiz": _quiz_cmd,
        "/progress": _progress,
        "/goal": _goal_cmd,
        "/stats": _stats,
        "/class": pictures.class_cmd,
        "/map": maps.map_cmd,
        "/wait": _wait,
        "/review": _review,
        "/remind": _remind,
        "/placement": _placement_cmd,
    }
    _words: ClassVar[dict[str, Handler]] = {
        "explainer": _explainer,
        "more": _more,
        "chain": _chain,
        "card": _card_word,
        "known": _known,
        "goal": _goal_word,
        "practice": _practice,
        "map": maps.map_word,
        "reveal": _reveal,
        "write": _write,
        "next": _next,
        "stop": _stop,
        "hint": _hint,
        "idk": _idk,
    }


def _picking_up(screen: Screen) -> str:
    """What the console says when it shows an unfinished quiz or review again."""
    if screen.is_review:
        return "Picking up your review where you left it."
    return f"Picking up your quiz on {screen.topic.title} where you left it."


def _ended_note(previous: QuizSession) -> str:
    """What the console says of the quiz, review or placement a new one replaces."""
    if previous.kind in ("review", "placement"):
        return f"Your {previous.kind} ended where it was."
    return f"Your quiz on {previous.topic_id} ended where it was."
