"""Regular expressions from bundles, run by RE2, whose matching takes time linear in the input.

A form's ``pattern`` is written by a designer and matched against what any user types. Python's ``re``
backtracks: ``^(a+)+$`` against 29 ``a``s and a ``!`` took 25 seconds, holding the interpreter (every other request
waited). Forms are therefore checked by jsonschema validators whose regular-expression keywords (``pattern``,
``patternProperties``, and the ``additionalProperties`` and ``unevaluatedProperties`` that consult it) and the
``regex`` format use RE2. RE2 has no backreferences or lookaround: a pattern it cannot compile is refused at
deploy (``pattern_problems``, naming the field), and a form whose rendered schema still holds one is not checked
against it at all (the submission is refused instead).
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

import re2
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason is reported by ``pattern_problems``, not on stderr
# keywords whose values are data, not schemas: a "pattern" inside them is not a pattern
_LITERALS = frozenset({"const", "enum", "default", "examples"})
# keywords whose values map names (not keywords) to schemas
_NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"})


@lru_cache(maxsize=256)
def compiled(pattern: str) -> Any:
    """``pattern`` (from a form's schema) compiled by RE2; raises ``re2.error`` when RE2 cannot compile it."""
    return re2.compile(pattern, _OPTIONS)


def search(pattern: str, text: str) -> bool:
    return compiled(pattern).search(text) is not None


def problem(pattern: Any) -> str | None:
    """Why ``pattern`` cannot be used, or None."""
    if not isinstance(pattern, str):
        return "a pattern must be a string"
    try:
        compiled(pattern)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return f"pattern {pattern!r} cannot be used: {reason} (patterns are RE2 expressions: no backreferences " \
               f"or lookaround)"
    return None


def pattern_problems(schema: Any) -> list[tuple[str, str]]:
    """``(path, reason)`` for every regular expression in ``schema`` that RE2 cannot compile. Every object of the
    document is searched, not only those the validator would reach, since ``$ref`` can point anywhere."""
    return list(_walk(schema, ""))


def _walk(node: Any, path: str, names: bool = False) -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for n, item in enumerate(node):
            yield from _walk(item, f"{path}[{n}]")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{path}.{key}" if path else str(key)
        if names:  # ``key`` names a property or a definition; ``value`` is a schema
            yield from _walk(value, where)
            continue
        if key in _LITERALS:
            continue
        if key == "pattern" and not isinstance(value, dict):
            reason = problem(value)
            if reason:
                yield where, reason
        elif key == "patternProperties" and isinstance(value, dict):
            yield from ((f"{where}.{p}", r) for p, r in ((p, problem(p)) for p in value) if r)
        yield from _walk(value, where, names=key in _NAMED)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra_schema: Any, instance: Any,
                           schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    declared, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = sorted(k for k in instance if k not in declared and not any(search(p, k) for p in patterns))
    if validator.is_type(extra_schema, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], extra_schema, path=extra)
    elif not extra_schema and extras:
        joined = ", ".join(repr(e) for e in extras)
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            yield ValidationError(f"{joined} {verb} not match any of the regexes: "
                                  + ", ".join(repr(p) for p in sorted(patterns)))
        else:
            yield ValidationError(f"Additional properties are not allowed ({joined} "
                                  f"{'was' if len(extras) == 1 else 'were'} unexpected)")


def _unevaluated_properties(validator: Any, rest: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    bad = [k for k in instance if k not in evaluated and not _valid(validator.descend(instance[k], rest, path=k,
                                                                                        schema_path=k))]
    if bad:
        listed = ", ".join(repr(k) for k in (sorted(bad, key=str) if rest is False else bad))
        verb = "was" if len(bad) == 1 else "were"
        yield ValidationError(f"Unevaluated properties are not allowed ({listed} {verb} unexpected)" if rest is False
                              else f"Unevaluated properties are not valid under the given schema ({listed} {verb} "
                                   f"unevaluated and invalid)")


def _evaluated_keys(validator: Any, instance: dict, schema: Any) -> set[str]:
    """The keys of ``instance`` that ``schema`` evaluates (jsonschema's own walk, with RE2 for the patterns)."""
    if validator.is_type(schema, "boolean"):
        return set()
    keys: set[str] = set()
    for ref in ("$ref", "$dynamicRef"):
        if ref in schema:
            resolved = validator._resolver.lookup(schema[ref])
            keys |= _evaluated_keys(validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                                    instance, resolved.contents)
    if validator.is_type(schema.get("properties"), "object"):
        keys |= schema["properties"].keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if schema.get(keyword) is not None:
            keys |= {k for k, v in instance.items() if _valid(validator.descend(v, schema[keyword]))}
    keys |= {k for pattern in schema.get("patternProperties", {}) for k in instance if search(pattern, k)}
    for name, subschema in schema.get("dependentSchemas", {}).items():
        if name in instance:
            keys |= _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                keys |= _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys |= _evaluated_keys(validator, instance, schema["if"])
            keys |= _evaluated_keys(validator, instance, schema["then"]) if "then" in schema else set()
        elif "else" in schema:
            keys |= _evaluated_keys(validator, instance, schema["else"])
    return keys


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


_KEYWORDS = {"pattern": _pattern, "patternProperties": _pattern_properties,
             "additionalProperties": _additional_properties, "unevaluatedProperties": _unevaluated_properties}
FORMATS = FormatChecker()  # jsonschema's format checks, with ``regex`` answered by RE2
# a value typed into a form: compiled, not kept (``compiled`` keeps the schemas' own patterns)
FORMATS.checks("regex", raises=re2.error)(lambda value: not isinstance(value, str)
                                          or bool(re2.compile(value, _OPTIONS)))


@cache
def _with_re2(cls: type[Validator]) -> type[Validator]:
    keywords = {k: f for k, f in _KEYWORDS.items() if k in cls.VALIDATORS}
    extended: type[Validator] = validators.extend(cls, keywords)
    return extended


def validator_for(schema: dict[str, Any]) -> Validator:
    """The validator for ``schema``'s draft (2020-12 by default), matching every pattern with RE2."""
    cls = validators.validator_for(schema, default=Draft202012Validator)
    return _with_re2(cls)(schema, format_checker=FORMATS)
