"""Recompute a question's answer from the arithmetic stated in its `check` field.

An author who writes "What is 7 x 8?" also writes `check: "7 * 8"`. The expression is evaluated
exactly (with fractions) by a tiny safe evaluator, never `eval`, and the result must match the
answer key:

- multiple choice: the numbers in the correct choice contain the value (a tuple's values in order,
  e.g. `divmod(14, 3)` for "4 remainder 2"), and no other choice does;
- true/false: the expression is a comparison whose truth is the answer;
- free response: the model answer contains the value.

So a wrong key fails `tutorbot content check` and the build.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from tutorbot.content.models import Question, QuestionType

Value = Fraction | bool | tuple[Fraction, ...]

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
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "divmod": lambda a, b: (a // b, a % b),
    "abs": abs,
    "min": min,
    "max": max,
    "round": lambda a, digits=0: Fraction(round(a, int(digits))),
}
_MAX_POWER = 64

# The leading lookahead only lets the regex engine skip fast to where a number can start.
_NUMBER = re.compile(
    r"(?=[-−.\d])(?<![\w.])(?P<sign>[-−])?(?:(?P<whole>\d+) (?P<num>\d+)/(?P<den>\d+)"
    r"|(?P<frac>\d+/\d+)|(?P<dec>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+))"
)


# "7 * 8": the usual check, evaluated without `ast`; the same literals Python accepts.
_SIMPLE = re.compile(r"(0|[1-9][0-9]*) *([-+*]) *(0|[1-9][0-9]*)")
_SIMPLE_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


class CheckError(ValueError):
    """The check expression is not one this evaluator accepts."""


def evaluate(expression: str) -> Value:
    """Evaluate an arithmetic expression exactly; raise CheckError for anything else."""
    result = _evaluate(expression)
    if isinstance(result, CheckError):
        raise CheckError(*result.args)
    return result


@functools.lru_cache(maxsize=4096)
def _evaluate(expression: str) -> Value | CheckError:
    """evaluate, returning the error instead of raising it so that both are cached: a pack
    repeats many checks, and every value is immutable."""
    text = expression.strip()
    if simple := _SIMPLE.fullmatch(text):
        left, op, right = simple.groups()
        return Fraction(_SIMPLE_OPS[op](int(left), int(right)))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        return CheckError(f"check {expression!r} is not an expression: {exc.msg}")
    try:
        return _eval(tree.body)
    except CheckError as exc:
        return exc


def _eval(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return Fraction(node.value)
    if isinstance(node, ast.Constant) and type(node.value) is float:
        return Fraction(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and (right.denominator != 1 or abs(right) > _MAX_POWER):
            raise CheckError("powers must be whole numbers up to 64")
        try:
            return _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise CheckError("division by zero") from None
    if isinstance(node, ast.Compare):
        left = _eval(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _COMPARE:
                raise CheckError(f"comparison {type(op).__name__} is not allowed")
            right = _eval(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Tuple):
        return tuple(_eval(item) for item in node.elts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return _FUNCTIONS[node.func.id](*(_eval(arg) for arg in node.args))
    raise CheckError(f"{ast.unparse(node)!r} is not plain arithmetic")


def numbers_in(text: str) -> list[Fraction]:
    """Every number written in a text, in order: 12, -3, 0.75, 3/4, 1,000 and mixed 2 1/4."""
    return [Fraction(n) for n in _numbers(text)]


def _numbers(text: str) -> list[int | Fraction]:
    """numbers_in, with whole numbers left as ints: they compare equal to Fractions, and building
    a Fraction for every number of every choice is most of a pack's check time."""
    found: list[int | Fraction] = []
    for sign, whole, num, den, frac, dec in _NUMBER.findall(text):
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
    if isinstance(value, tuple):
        return ", ".join(_show(v) for v in value)
    return str(value)


def verify(question: Question) -> str | None:
    """Why the question's `check` disagrees with its answer key, or None when they agree."""
    if question.check is None:
        return None
    value = _evaluate(question.check)
    if isinstance(value, CheckError):
        return str(value)
    if question.type is QuestionType.TRUE_FALSE:
        if not isinstance(value, bool):
            return f"check {question.check!r} must be a comparison for a true/false question"
        if value != question.answer:
            return f"check {question.check!r} is {value} but the answer key says {question.answer}"
        return None
    if isinstance(value, bool):
        return f"check {question.check!r} is a comparison; give the number the answer states"
    values = value if isinstance(value, tuple) else (value,)
    if question.type is QuestionType.FREE_RESPONSE:
        if not _contains(str(question.answer), values):
            return f"the model answer does not state {_show(value)}, the value of the check"
        return None
    assert question.choices is not None and question.correct_index is not None
    matching = [i for i, choice in enumerate(question.choices) if _contains(choice, values)]
    letters = "ABCDEFGHIJ"
    if question.correct_index not in matching:
        found = ", ".join(letters[i] for i in matching) or "no choice"
        return (
            f"check {question.check!r} gives {_show(value)}, which is in {found}, "
            f"not in the answer key {question.answer}"
        )
    if len(matching) > 1:
        others = ", ".join(letters[i] for i in matching if i != question.correct_index)
        return f"check value {_show(value)} is also in choice {others}: the key is ambiguous"
    return None
