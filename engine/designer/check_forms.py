"""Answers for a form, made up from its JSON schema with a seeded random, for the check by running: every
required field, some optional ones, values of the declared type within its enum, format, pattern, lengths and
bounds, ``if``/``then``/``else`` clauses followed, arrays and nested objects. The same seed gives the same answers.
The answers are then checked against the schema the way a person's are (``forms.submission_problems``), so a form
no generated answer passes is one nobody could submit."""
from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from ..bundles import form_regex, forms
from ..documents.fields import FILE_FORMAT

# the standard library's own regex parser and its node kinds, to write text a pattern matches (private modules,
# read as plain objects: their names moved between releases, and ``sre_parse`` warns that it is deprecated)
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")
TRIES = 6  # draws of one form before it counts as one nobody can submit
MAX_DEPTH = 8
MAX_REPEAT = 4  # the most repetitions a pattern's ``*``/``+`` writes
OPTIONAL = 0.35  # how often an optional field is answered
OPTIONAL_CHOICE = 0.75  # an optional choice more often: gateways read choices
MAX_ITEMS = 2  # rows of a repeating group beyond its minimum
_WORDS = ("review", "agency", "meeting", "plan", "child", "learning", "report", "family", "practice", "board")


class Coverage:
    """The choices earlier answers made, by form and field: each choice (an enum value, yes or no) is made among
    those used least so far, so successive runs take the other branches of the gateways that read them. With
    ``steer`` (a variable name -> the values a gateway condition compares it with, and the element that branch
    leads to), a value that leads where no run has been yet (``reached``) is chosen first."""

    def __init__(self, steer: dict[str, list[tuple[frozenset[Any], str]]] | None = None) -> None:
        self._used: dict[str, dict[str, int]] = {}
        self.steer = steer or {}
        self.reached: set[str] = set()

    def _steered(self, key: str, options: list[Any]) -> list[Any]:
        return [o for o in options if any(_leads(o, values) for values, target in self.steer.get(key, ())
                                          if target not in self.reached)]

    def count(self, where: str, option: Any) -> int:
        return self._used.get(where, {}).get(repr(option), 0)

    def choose(self, where: str, options: list[Any], rng: Random) -> Any:
        field = where.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
        options = self._steered(field, options) or self._steered(DEFAULT + field, options) or options
        used = self._used.setdefault(where, {})
        counts = [used.get(repr(o), 0) for o in options]
        least = [o for o, n in zip(options, counts, strict=True) if n == min(counts)]
        choice = rng.choice(least)
        used[repr(choice)] = used.get(repr(choice), 0) + 1
        return choice


DEFAULT = "~"  # a steering key's prefix for the way along a gateway's default flow, tried after the others
NOT = "\x00not"  # in a steering set: the values listed are those that do not lead there


def _leads(option: Any, values: frozenset[Any]) -> bool:
    found = any(option == v and type(option) is type(v) for v in values)
    return not found if NOT in values else found


def answers_for(schema: dict[str, Any], ui_schema: dict[str, Any] | None, rng: Random, *, today: date,
                coverage: Coverage | None = None, form: str = "", checked: bool = True,
                settle: Coverage | None = None) -> tuple[dict[str, Any] | None, list[forms.FormProblem]]:
    """Answers that pass ``schema`` (and the text check of ``ui_schema``), or None with the last draw's problems
    when no draw in ``TRIES`` passes. Not ``checked``: one draw, as it is. ``settle`` (the choices of this run,
    for a form the run has met several times: a loop) takes yes, and each choice's option this run has used least,
    so a loop that runs on at some answers meets the one that ends it."""
    problems: list[forms.FormProblem] = []
    for _ in range(TRIES):
        maker = _Maker(rng, today, ui_schema or {}, coverage or Coverage(), form)
        maker.settle = settle
        data = maker.value(schema, 0)
        if not isinstance(data, dict):
            data = {}
        if not checked:
            return data, []
        problems = forms.submission_problems(schema, data, ui_schema)
        if not problems:
            return data, []
    return None, problems


class _Maker:
    def __init__(self, rng: Random, today: date, ui: dict[str, Any], coverage: Coverage, form: str) -> None:
        self.rng, self.today, self.ui, self.coverage, self.form = rng, today, ui, coverage, form
        self.settle: Coverage | None = None

    def value(self, schema: Any, depth: int, ui: Any = None, name: str = "") -> Any:
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return None
        ui = ui if isinstance(ui, dict) else (self.ui if depth == 0 else {})
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            if self.settle is not None:
                return self.settle.choose(f"{self.form}:{name}", schema["enum"], self.rng)
            return self.coverage.choose(f"{self.form}:{name}", schema["enum"], self.rng)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                merged = {k: v for k, v in schema.items() if k != key}
                return self.value(_merge(merged, self.rng.choice(schema[key])), depth, ui, name)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        maker = getattr(self, f"_{kind}", None)
        return maker(schema, depth, ui, name) if maker is not None else None

    def _object(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name_: str) -> dict[str, Any]:
        props: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
        required = set(schema.get("required") or ())
        data: dict[str, Any] = {}
        for name, sub in props.items():
            steers = isinstance(sub, dict) and ("enum" in sub or sub.get("type") == "boolean")
            if name in required or self.rng.random() < (OPTIONAL_CHOICE if steers else OPTIONAL):
                data[name] = self.value(sub, depth + 1, ui.get(name), f"{name_}.{name}")
        clauses = [*([schema] if "if" in schema else []),
                   *(c for c in schema.get("allOf") or () if isinstance(c, dict))]
        for clause in clauses:
            self._follow(clause, data, props, depth, ui, name_)
        for name in schema.get("required") or ():
            if name not in data:
                data[name] = self.value(props.get(name, {}), depth + 1, ui.get(name), f"{name_}.{name}")
        return data

    def _follow(self, clause: dict[str, Any], data: dict[str, Any], props: dict[str, Any], depth: int,
                ui: dict[str, Any], name_: str) -> None:
        """Apply an ``if``/``then``/``else`` clause (or a plain ``allOf`` part) to answers made so far."""
        if "if" in clause:
            branch = clause.get("then") if _passes(clause["if"], data) else clause.get("else")
        else:
            branch = clause
        if not isinstance(branch, dict):
            return
        own: dict[str, Any] = branch["properties"] if isinstance(branch.get("properties"), dict) else {}
        for name in branch.get("required") or ():
            if name not in data or name in own:
                data[name] = self.value(_merge(props.get(name, {}), own.get(name, {})), depth + 1, ui.get(name),
                                        f"{name_}.{name}")
        for name, sub in own.items():
            if name in data and not _passes(sub, data[name]):
                data[name] = self.value(_merge(props.get(name, {}), sub), depth + 1, ui.get(name), f"{name_}.{name}")
        for nested in branch.get("allOf") or ():
            if isinstance(nested, dict):
                self._follow(nested, data, props, depth, ui, name_)

    def _array(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name: str) -> list[Any]:
        low = int(schema.get("minItems") or 0)
        high = int(schema.get("maxItems") or max(low, 3))
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        count = self.rng.randint(low, max(low, min(high, low + MAX_ITEMS)))
        if schema.get("uniqueItems") and isinstance(items.get("enum"), list):
            choices = list(items["enum"])
            self.rng.shuffle(choices)
            return choices[:max(low, min(count, len(choices)))]
        prefix = [p for part in (schema, *(schema.get("allOf") or ())) if isinstance(part, dict)
                  for p in [part.get("prefixItems")] if isinstance(p, list)]
        found: list[Any] = []
        for _ in range(count * 3):
            if len(found) >= count:
                break
            own = _deep_merge(items, *(p[len(found)] for p in prefix if len(found) < len(p)))
            item = self.value(own, depth + 1, ui.get("items") if isinstance(ui, dict) else None, f"{name}[]")
            if not schema.get("uniqueItems") or item not in found:
                found.append(item)
        return found

    def _string(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        if fmt == "date":
            return (self.today + timedelta(days=self.rng.randint(-60, 60))).isoformat()
        if fmt == "date-time":
            moment = datetime.combine(self.today, datetime.min.time()) + timedelta(hours=self.rng.randint(-900, 900))
            return moment.isoformat() + "Z"
        if fmt == "email":
            return f"someone{self.rng.randint(1, 99)}@example.org"
        if fmt in ("uri", "iri", "uri-reference"):
            return f"https://example.org/{self.rng.choice(_WORDS)}"
        if fmt == FILE_FORMAT:
            return f"check-document-{self.rng.randint(1, 999)}"
        low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
        if isinstance(schema.get("pattern"), str):
            text = _matching(schema["pattern"], self.rng)
            if text is not None:
                return text
        text = " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(1, 4))).capitalize()
        while len(text) < max(low, 1):
            text += " " + self.rng.choice(_WORDS)
        return text[:high] if isinstance(high, int) else text

    def _integer(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name: str) -> int:
        low, high = _bounds(schema, 0, 20)
        return self.rng.randint(int(low), max(int(low), int(high)))

    def _number(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name: str) -> float | int:
        return self._integer(schema, depth, ui, name)

    def _boolean(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name: str) -> bool:
        if self.settle is not None:
            return True
        return bool(self.coverage.choose(f"{self.form}:{name}", [True, False], self.rng))

    def _null(self, schema: dict[str, Any], depth: int, ui: dict[str, Any], name: str) -> None:
        return None


def _bounds(schema: dict[str, Any], low: float, high: float) -> tuple[float, float]:
    """The range a number is drawn from: the schema's bounds, or ``low``..``high`` where it sets none."""
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        minimum = schema["exclusiveMinimum"] + 1
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        maximum = schema["exclusiveMaximum"] - 1
    lo = float(minimum) if isinstance(minimum, (int, float)) else None
    hi = float(maximum) if isinstance(maximum, (int, float)) else None
    if lo is None:
        lo = min(low, hi) if hi is not None else low
    if hi is None:
        hi = lo + (high - low)
    return lo, hi


def _merge(base: Any, extra: Any) -> dict[str, Any]:
    merged = dict(base) if isinstance(base, dict) else {}
    if isinstance(extra, dict):
        merged.update(extra)
    return merged


def _deep_merge(base: Any, *extras: Any) -> dict[str, Any]:
    """``base`` with each of ``extras`` laid over it, their ``properties`` merged one by one."""
    merged = dict(base) if isinstance(base, dict) else {}
    for extra in extras:
        if not isinstance(extra, dict):
            continue
        for key, value in extra.items():
            if key == "properties" and isinstance(value, dict):
                props = dict(merged.get("properties") or {})
                for name, sub in value.items():
                    props[name] = _merge(props.get(name), sub)
                merged["properties"] = props
            else:
                merged[key] = value
    return merged


def _passes(schema: Any, value: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    try:
        return bool(form_regex.validator_for(schema).is_valid(value))
    except Exception:  # a clause the validator cannot read: the submission check names the problem
        return False


def _matching(pattern: str, rng: Random) -> str | None:
    """A string ``pattern`` matches (searched, as JSON Schema does: anchors are honoured by writing only the
    match), or None for a construct this does not write."""
    try:
        return _write(sre_parse.parse(pattern), rng)
    except (_Unwritable, Exception):
        return None


class _Unwritable(Exception):
    pass


def _write(parsed: Any, rng: Random) -> str:
    out = []
    for op, arg in parsed:
        out.append(_node(op, arg, rng))
    return "".join(out)


def _node(op: Any, arg: Any, rng: Random) -> str:
    c = sre_constants
    if op == c.LITERAL:
        return chr(arg)
    if op in (c.AT, c.GROUPREF):
        return ""
    if op == c.ANY:
        return rng.choice("abcdefxyz")
    if op == c.SUBPATTERN:
        return _write(arg[-1], rng)
    if op == c.BRANCH:
        return _write(rng.choice(arg[1]), rng)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = arg
        top = min(high if high != c.MAXREPEAT else low + MAX_REPEAT, low + MAX_REPEAT)
        return "".join(_write(sub, rng) for _ in range(rng.randint(low, max(low, top))))
    if op == c.IN:
        return _choose_in(arg, rng)
    raise _Unwritable(str(op))


def _choose_in(items: list[Any], rng: Random) -> str:
    c = sre_constants
    pool: list[str] = []
    for op, arg in items:
        if op == c.NEGATE:
            raise _Unwritable("negated set")
        if op == c.LITERAL:
            pool.append(chr(arg))
        elif op == c.RANGE:
            pool.extend(chr(x) for x in range(arg[0], min(arg[1], arg[0] + 60) + 1))
        elif op == c.CATEGORY:
            pool.extend({c.CATEGORY_DIGIT: "0123456789", c.CATEGORY_WORD: "abcXYZ019_",
                         c.CATEGORY_SPACE: " "}.get(arg, "a"))
    if not pool:
        raise _Unwritable("empty set")
    return rng.choice(pool)
