"""Recompute a question's answer from the arithmetic stated in its `check` field.

An author who writes "What is 7 x 8?" also writes `check: "7 * 8"`. The expression is evaluated
exactly (with fractions) by a tiny safe evaluator, never `eval`, and the result must match the
answer key:

- multiple choice: the numbers in the correct choice contain the value (a tuple's values in order,
  e.g. `divmod(14, 3)` for "4 remainder 2"), and no other choice does;
- true/false: the expression is a comparison whose truth is the answer;
- free response: the model answer contains the value;
- short answer: the first accepted answer (the one shown) contains the value;
- numeric: the value is one number, within the tolerance or range of the answer.

So a wrong key fails `tutorbot content check` and the build.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import re
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from tutorbot.content.models import MAX_CHECK, Question, QuestionType, clip, number_text, shown

Value = Fraction | bool | tuple[Fraction, ...]

MAX_CHECK_BITS = 4096
"""Largest number a check may produce, as bits of numerator and denominator together. School
arithmetic needs a few hundred; every operation on numbers this size takes microseconds, and str()
of one stays far under Python's 4300-digit limit."""
MAX_CHECK_NODES = 200
"""Numbers, operations and calls in one check: more than a MAX_CHECK-character check can hold."""
MAX_CHECK_DEPTH = 100
MAX_ROUND_DIGITS = 100
CHECK_SECONDS = 1.0
"""Time budget of one check, a backstop: the bounds above already make each check take
milliseconds at most."""

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_MAX_POWER = 64
# A numeral with a longer run of digits cannot equal any value a check can produce (a value within
# MAX_CHECK_BITS bits has fewer digits than bits, and fewer decimals than its denominator's bits),
# and int() of it would be slow or refused.
_MAX_NUMERAL_DIGITS = MAX_CHECK_BITS

# The leading lookahead only lets the regex engine skip fast to where a number can start.
_NUMBER = re.compile(
    r"(?=[-−.\d])(?<![\w.])(?P<sign>[-−])?(?:(?P<whole>\d+) (?P<num>\d+)/(?P<den>\d+)"
    r"|(?P<frac>\d+/\d+)|(?P<dec>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+))"
)


# "7 * 8": the usual check, evaluated without `ast`; the same literals Python accepts. Its operands
# fit in MAX_CHECK characters, so its result is far within MAX_CHECK_BITS.
_SIMPLE = re.compile(r"(0|[1-9][0-9]*) *([-+*]) *(0|[1-9][0-9]*)")
_SIMPLE_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


class CheckError(ValueError):
    """The check expression is not one this evaluator accepts."""


class _OutOfTime(CheckError):
    """The check ran past its time budget; raised, never cached, since the next run may not."""


class _Budget:
    """What one evaluation may still spend, and the source its messages quote."""

    def __init__(self, source: str, seconds: float) -> None:
        self.source = source
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.nodes = 0

    def spend(self, depth: int) -> None:
        """Count one more node at this depth; refuse past the node, depth or time budget."""
        self.nodes += 1
        if self.nodes > MAX_CHECK_NODES:
            raise CheckError(f"check has more than {MAX_CHECK_NODES} numbers and operations")
        if depth > MAX_CHECK_DEPTH:
            raise CheckError(f"check is nested more than {MAX_CHECK_DEPTH} deep")
        if time.monotonic() >= self.deadline:
            raise _OutOfTime(f"check took longer than {self.seconds:g} s")

    def limit(self, bits: int, node: ast.AST) -> None:
        """Refuse to compute `node` when its result may need more than MAX_CHECK_BITS bits."""
        if bits > MAX_CHECK_BITS:
            raise CheckError(
                f"{self.text(node)} is too big: up to {bits} bits, "
                f"and a check allows {MAX_CHECK_BITS}"
            )

    def text(self, node: ast.AST) -> str:
        """The part of the check at `node`, as the author wrote it, quoted and clipped."""
        return shown(ast.get_source_segment(self.source, node) or ast.unparse(node))


def _bits(value: Fraction) -> int:
    return abs(value.numerator).bit_length() + value.denominator.bit_length()


def evaluate(expression: str, seconds: float = CHECK_SECONDS) -> Value:
    """Evaluate an arithmetic expression exactly; raise CheckError for anything else, including
    results past MAX_CHECK_BITS, more than MAX_CHECK_NODES nodes, or `seconds` of work."""
    result = _evaluate(expression, seconds)
    if isinstance(result, CheckError):
        raise CheckError(*result.args)
    return result


@functools.lru_cache(maxsize=4096)
def _evaluate(expression: str, seconds: float) -> Value | CheckError:
    """evaluate, returning the error instead of raising it so that both are cached: a pack
    repeats many checks, and every value is immutable. Running out of time is raised."""
    text = expression.strip()
    if len(text) > MAX_CHECK:
        return CheckError(f"check is longer than {MAX_CHECK} characters")
    if simple := _SIMPLE.fullmatch(text):
        left, op, right = simple.groups()
        return Fraction(_SIMPLE_OPS[op](int(left), int(right)))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        return CheckError(f"check {shown(expression)} is not an expression: {exc.msg}")
    try:
        return _eval(tree.body, _Budget(text, seconds), 0)
    except _OutOfTime:
        raise
    except CheckError as exc:
        return exc


def _eval(node: ast.expr, budget: _Budget, depth: int) -> Value:
    """The value of one node; every operation's result size is bounded before it is computed."""
    budget.spend(depth)
    if isinstance(node, ast.Constant):
        return _constant(node, budget)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _number(node.operand, budget, depth + 1)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _number(node.left, budget, depth + 1)
        right = _number(node.right, budget, depth + 1)
        return _binary(node, left, right, budget)
    if isinstance(node, ast.Compare):
        return _compare(node, budget, depth)
    if isinstance(node, ast.Tuple):
        return tuple(_number(item, budget, depth + 1) for item in node.elts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        args = [_number(arg, budget, depth + 1) for arg in node.args]
        return _call(node, node.func.id, args, budget)
    raise CheckError(f"{budget.text(node)} is not plain arithmetic")


def _compare(node: ast.Compare, budget: _Budget, depth: int) -> bool:
    """A comparison, chained as in Python; values of any kind may be equal, only numbers ordered."""
    left_node = node.left
    left = _eval(left_node, budget, depth + 1)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        if type(op) not in _COMPARE:
            raise CheckError(f"comparison {type(op).__name__} is not allowed")
        right = _eval(right_node, budget, depth + 1)
        if not isinstance(op, ast.Eq | ast.NotEq):
            _as_number(left, left_node, budget)
            _as_number(right, right_node, budget)
        if not _COMPARE[type(op)](left, right):
            return False
        left_node, left = right_node, right
    return True


def _number(node: ast.expr, budget: _Budget, depth: int) -> Fraction:
    """The value of a node that must be one number."""
    return _as_number(_eval(node, budget, depth), node, budget)


def _as_number(value: Value, node: ast.expr, budget: _Budget) -> Fraction:
    """The value, when it is a number: arithmetic takes no comparisons and no tuples."""
    if isinstance(value, bool):
        raise CheckError(f"{budget.text(node)} is a comparison, not a number")
    if isinstance(value, tuple):
        raise CheckError(f"{budget.text(node)} is a list of values, not a number")
    return value


def _constant(node: ast.Constant, budget: _Budget) -> Fraction:
    """A literal as an exact number: an int, or a float as written (0.1 is 1/10)."""
    if type(node.value) is int:
        value = Fraction(node.value)
    elif type(node.value) is float:
        if not math.isfinite(node.value):
            raise CheckError(f"{budget.text(node)} is not a finite number")
        value = Fraction(str(node.value))
    else:
        raise CheckError(f"{budget.text(node)} is not plain arithmetic")
    budget.limit(_bits(value), node)
    return value


def _binary(node: ast.BinOp, left: Fraction, right: Fraction, budget: _Budget) -> Fraction:
    """`left op right`, refused before it runs when the result could pass MAX_CHECK_BITS: a power
    has at most the base's bits times the exponent, any other operation the sum of both plus one."""
    if isinstance(node.op, ast.Pow):
        if right.denominator != 1 or abs(right) > _MAX_POWER:
            raise CheckError(f"powers must be whole numbers up to {_MAX_POWER}")
        budget.limit(_bits(left) * abs(int(right)), node)
    else:
        budget.limit(_bits(left) + _bits(right) + 1, node)
    try:
        result: Fraction = _BINARY[type(node.op)](left, right)
    except ZeroDivisionError:
        raise CheckError("division by zero") from None
    return result


_Limit = Callable[[int], None]
"""Refuses (raises CheckError) when a result may need more bits than a check allows."""


def _call(node: ast.Call, name: str, args: list[Fraction], budget: _Budget) -> Value:
    """A call of one of the allowed functions, with as many numbers as it takes."""
    function, low, high = _FUNCTIONS[name]
    if len(args) < low or (high is not None and len(args) > high):
        if high is None:
            wanted = f"{low} or more numbers"
        elif high > low:
            wanted = f"{low} or {high} numbers"
        else:
            wanted = f"{low} number" + ("s" if low > 1 else "")
        raise CheckError(f"{name} takes {wanted}")
    return function(args, functools.partial(budget.limit, node=node))


def _divmod(args: list[Fraction], limit: _Limit) -> tuple[Fraction, Fraction]:
    a, b = args
    if b == 0:
        raise CheckError("division by zero")
    limit(_bits(a) + _bits(b) + 1)
    return Fraction(a // b), a % b


def _round(args: list[Fraction], limit: _Limit) -> Fraction:
    number, digits = args[0], args[1] if len(args) == 2 else Fraction(0)
    if digits.denominator != 1 or abs(digits) > MAX_ROUND_DIGITS:
        raise CheckError(
            f"round's digits must be a whole number from -{MAX_ROUND_DIGITS} to {MAX_ROUND_DIGITS}"
        )
    # Rounding scales by 10**digits (under 3.33 bits a digit) in numerator and denominator.
    limit(_bits(number) + 7 * abs(int(digits)) + 1)
    return Fraction(round(number, int(digits)))


# name: (function, fewest numbers, most numbers or None). abs, min and max cannot grow a number.
_FUNCTIONS: dict[str, tuple[Callable[[list[Fraction], _Limit], Value], int, int | None]] = {
    "divmod": (_divmod, 2, 2),
    "abs": (lambda args, limit: abs(args[0]), 1, 1),
    "min": (lambda args, limit: min(args), 1, None),
    "max": (lambda args, limit: max(args), 1, None),
    "round": (_round, 1, 2),
}


def numbers_in(text: str) -> list[Fraction]:
    """Every number written in a text, in order: 12, -3, 0.75, 3/4, 1,000 and mixed 2 1/4."""
    return [Fraction(n) for n in _numbers(text)]


def _numbers(text: str) -> list[int | Fraction]:
    """numbers_in, with whole numbers left as ints: they compare equal to Fractions, and building
    a Fraction for every number of every choice is most of a pack's check time."""
    found: list[int | Fraction] = []
    long_text = len(text) > _MAX_NUMERAL_DIGITS
    for sign, whole, num, den, frac, dec in _NUMBER.findall(text):
        if long_text and max(len(whole), len(num), len(den), len(frac), len(dec)) > (
            _MAX_NUMERAL_DIGITS
        ):
            continue
        value: int | Fraction
        if dec.isdigit():
            value = int(dec)
        elif whole:
            if int(den) == 0:
                continue
            value = int(whole) + Fraction(int(num), int(den))
        elif frac:
            numerator, denominator = frac.split("/")
            if int(denominator) == 0:
                continue
            value = Fraction(int(numerator), int(denominator))
        else:
            integer, _, decimals = dec.replace(",", "").partition(".")
            if decimals:
                scale = 10 ** len(decimals)
                value = Fraction(int(integer or "0") * scale + int(decimals), scale)
            else:
                value = int(integer)
        found.append(-value if sign else value)
    return found


def _contains(text: str, values: tuple[Fraction, ...]) -> bool:
    """Whether the text's numbers contain these values in order (not necessarily adjacent)."""
    remaining = iter(_numbers(text))
    return all(value in remaining for value in values)


def _show(value: Value) -> str:
    """A check's value for a message, clipped: it may have over a thousand digits."""
    if isinstance(value, tuple):
        return clip(", ".join(str(v) for v in value))
    return clip(str(value))


def verify(question: Question) -> str | None:
    """Why the question's `check` disagrees with its answer key, or None when they agree."""
    if question.check is None:
        return None
    try:
        value = evaluate(question.check)
    except CheckError as exc:
        return str(exc)
    check = shown(question.check)
    if question.type is QuestionType.TRUE_FALSE:
        if not isinstance(value, bool):
            return f"check {check} must be a comparison for a true/false question"
        if value != question.answer:
            return f"check {check} is {value} but the answer key says {question.answer}"
        return None
    if isinstance(value, bool):
        return f"check {check} is a comparison; give the number the answer states"
    if question.type is QuestionType.NUMERIC:
        return _verify_numeric(question, value, check)
    values = value if isinstance(value, tuple) else (value,)
    if question.type is QuestionType.FREE_RESPONSE:
        if not _contains(str(question.answer), values):
            return f"the model answer does not state {_show(value)}, the value of the check"
        return None
    if question.type is QuestionType.SHORT_ANSWER:
        if not _contains(question.accepted[0], values):
            return (
                f"the first accepted answer does not state {_show(value)}, the value of the check"
            )
        return None
    if question.choices is None or question.correct_index is None:  # validation rules this out
        raise ValueError(f"multiple choice question {question.id!r} without choices")
    matching = [i for i, choice in enumerate(question.choices) if _contains(choice, values)]
    letters = "ABCDEFGHIJ"
    if question.correct_index not in matching:
        found = ", ".join(letters[i] for i in matching) or "no choice"
        return (
            f"check {check} gives {_show(value)}, which is in {found}, "
            f"not in the answer key {question.answer}"
        )
    if len(matching) > 1:
        others = ", ".join(letters[i] for i in matching if i != question.correct_index)
        return f"check value {_show(value)} is also in choice {others}: the key is ambiguous"
    return None


def _verify_numeric(question: Question, value: Value, check: str) -> str | None:
    """Why a numeric question's check is not one number within its tolerance or range."""
    if isinstance(value, tuple):
        return f"check {check} gives several values; a numeric question needs one number"
    if isinstance(value, bool):  # verify rules this out
        raise ValueError("a comparison is not a number")
    low, high = question.bounds
    if not low <= value <= high:
        return (
            f"check {check} gives {clip(number_text(value))}, "
            f"but the answer key accepts {question.answer_text()}"
        )
    return None
