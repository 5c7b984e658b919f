"""SOQL for the Salesforce emulator: a lark grammar, a binder and an evaluator over memory.

Independent clients (simple-salesforce, plain HTTP) send the emulator real SOQL, so this
module follows real SOQL syntax, comparison rules and error codes for the subset below, and
refuses everything else with the error real Salesforce would give a malformed query.

Covered
    ``SELECT f, Rel.f, Rel.Rel.f FROM Obj [alias] [WHERE ...]
    [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]`` and
    ``SELECT COUNT() FROM ...``. Keywords, field, relationship and object names are
    case-insensitive; output uses the schema's canonical case. Fields may be prefixed by the
    object name or its alias (``c.Name``). Parent relationships nest in the output as the
    REST API does (``"Account": {"attributes": {...}, "Name": "Acme"}`` or ``"Account": null``).

    WHERE: ``= != <> < > <= >=``, ``LIKE`` (``%`` and ``_``, ``\\%`` and ``\\_`` literal,
    case-insensitive), ``IN (...)``, ``NOT IN (...)``, semi-joins and anti-joins
    ``Field [NOT] IN (SELECT Field FROM Obj [WHERE ...])``, ``AND``/``OR``/``NOT`` and
    parentheses. As in SOQL, AND and OR cannot be mixed at one level without parentheses.
    Values: ``null``, ``true``/``false``, numbers, single-quoted strings with SOQL escapes
    (``\\' \\" \\\\ \\n \\r \\t \\b \\f \\uXXXX``), dates ``2026-09-01``, datetimes
    ``2026-09-01T00:00:00Z`` / ``...T00:00:00.000+0000`` / ``...T00:00:00-08:00`` and the
    relative date literals TODAY, YESTERDAY, TOMORROW, {THIS,LAST,NEXT}_{WEEK,MONTH,QUARTER,
    YEAR}, LAST_90_DAYS, NEXT_90_DAYS, LAST_N_<unit>:n, NEXT_N_<unit>:n and N_<unit>_AGO:n
    for DAYS/WEEKS/MONTHS/QUARTERS/YEARS (UTC, weeks start on Sunday, calendar quarters).

Semantics (as Salesforce)
    Values are compared by the field's schema type: text case-insensitively, ids by their
    15-character case-sensitive form (15- and 18-char ids match), datetimes as instants,
    dates as dates. Null is an ordinary value, not SQL's unknown: ``f != 'x'`` and
    ``f NOT IN (...)`` keep rows where ``f`` is null, range operators never match null, and an
    empty string literal means null. A literal of the wrong type for the field is an
    INVALID_FIELD error ("value of filter criterion for field 'X' must be of type date and
    should not be enclosed in quotes"); a malformed id is INVALID_QUERY_FILTER_OPERATOR
    ("invalid ID field: x"). ORDER BY puts nulls first for ASC and last for DESC unless told
    otherwise; rows keep the input order without ORDER BY and among ties.

Errors
    :class:`SoqlError` with ``error_code`` MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
    INVALID_QUERY_FILTER_OPERATOR or NUMBER_OUTSIDE_VALID_RANGE. ``message`` is formatted as
    Salesforce formats query errors: the offending line, a caret, ``ERROR at Row:r:Column:c``
    and the detail; ``detail`` holds the detail alone. No other exception escapes
    :func:`parse`, :func:`bind`/:func:`validate` or :func:`execute` for bad query text.

Deliberately not covered (MALFORMED_QUERY "unexpected token", as an old API version would)
    aggregate functions other than ``COUNT()`` and GROUP BY/HAVING, child relationship
    sub-queries in SELECT, TYPEOF, FIELDS(), WITH, FOR VIEW/UPDATE, USING SCOPE, INCLUDES/
    EXCLUDES, bind variables (Apex only: "Bind variables only allowed in Apex Code"), fiscal
    date literals, per-user locale and time zone (everything is UTC), polymorphic
    relationships resolved to anything but the schema's single target, and the
    "cannot be filtered" rule for long text areas (the schema has no filterable flag).
"""

from __future__ import annotations

import calendar
import functools
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

__all__ = [
    "SoqlError",
    "Query",
    "Schema",
    "Records",
    "parse",
    "bind",
    "validate",
    "execute",
]

MAX_QUERY_LENGTH = 100_000
MAX_OFFSET = 2000
MAX_RELATIONSHIP_DEPTH = 5

Pos = tuple[int, int]  # (row, column), both 1-based as in Salesforce's messages


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class SoqlError(Exception):
    """A query Salesforce would refuse: ``error_code`` and ``message`` as sent on the wire."""

    def __init__(self, error_code: str, message: str, detail: str | None = None) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.detail = message if detail is None else detail


def _error(code: str, detail: str, text: str, pos: Pos | None) -> SoqlError:
    """An error whose message points at ``pos`` the way Salesforce's query errors do."""
    if pos is None:
        return SoqlError(code, detail, detail)
    row, col = pos
    lines = text.split("\n")
    source = lines[row - 1].rstrip("\r") if 0 < row <= len(lines) else ""
    message = f"\n{source}\n{' ' * max(col - 1, 0)}^\nERROR at Row:{row}:Column:{col}\n{detail}"
    return SoqlError(code, message, detail)


def _unexpected(text: str, token: str, pos: Pos | None) -> SoqlError:
    return _error("MALFORMED_QUERY", f"unexpected token: '{token}'", text, pos)


# --------------------------------------------------------------------------------------------
# Grammar
# --------------------------------------------------------------------------------------------

_GRAMMAR = r"""
start: SELECT select_list FROM NAME NAME? where? order? limit? offset?

select_list: NAME "(" ")"                       -> count_select
           | field ("," field)*                 -> field_list
field: NAME ("." NAME)*

where: WHERE condition
?condition: term | or_chain | and_chain
or_chain: term (OR term)+
and_chain: term (AND term)+
?term: NOT term                                 -> negation
     | "(" condition ")"
     | field COMPARE value                      -> compare
     | field LIKE value                         -> like
     | field NOT? IN "(" value ("," value)* ")" -> in_list
     | field NOT? IN "(" subquery ")"           -> semi_join
subquery: SELECT field FROM NAME NAME? where?

?value: STRING | NUMBER | DATETIME | DATE | N_LITERAL | NULL | TRUE | FALSE | NAME | BIND

order: ORDER BY order_item ("," order_item)*
order_item: field (ASC | DESC)? (NULLS (FIRST | LAST))?
limit: LIMIT NUMBER
offset: OFFSET NUMBER

SELECT: "select"i
FROM: "from"i
WHERE: "where"i
AND: "and"i
OR: "or"i
NOT: "not"i
IN: "in"i
LIKE: "like"i
NULL: "null"i
TRUE: "true"i
FALSE: "false"i
ORDER: "order"i
BY: "by"i
ASC: "asc"i
DESC: "desc"i
NULLS: "nulls"i
FIRST: "first"i
LAST: "last"i
LIMIT: "limit"i
OFFSET: "offset"i
COMPARE: "=" | "!=" | "<>" | "<=" | ">=" | "<" | ">"
NAME: /[a-z_][a-z0-9_]*/i
N_LITERAL.2: /[a-z_][a-z0-9_]*:[0-9]+/i
BIND: /:[a-z_][a-z0-9_]*/i
DATETIME.3: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})/i
DATE.2: /[0-9]{4}-[0-9]{2}-[0-9]{2}/
NUMBER: /[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)/
STRING: /'(\\.|[^'\\])*'/s

%ignore /[ \t\r\n\f]+/
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False)


# --------------------------------------------------------------------------------------------
# AST
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One parent-relationship step of a bound field path, e.g. Contact --Account--> Account."""

    name: str  # canonical relationship name, the key in the output ("Account")
    target: str  # canonical sObject the relationship points at
    foreign_key: str  # canonical reference field holding the parent id ("AccountId")


@dataclass(frozen=True)
class FieldPath:
    """``Name`` or ``Account.Owner.Name`` as written; after binding also its resolution."""

    parts: tuple[str, ...]
    pos: Pos
    hops: tuple[Hop, ...] = ()
    name: str | None = None  # canonical field name on the last object, once bound
    type: str | None = None  # schema type of that field, once bound
    owner: str | None = None  # canonical sObject holding the field, once bound

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """A filter value. ``kind``: string number boolean null date datetime relative."""

    kind: str
    value: object  # str, int/float, bool, None, date, aware UTC datetime, (name, n)
    raw: str
    pos: Pos


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    op: str  # = != < > <= >= LIKE
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldPath
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class SemiJoin:
    field: FieldPath
    query: Query
    negated: bool


@dataclass(frozen=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Comparison | InList | SemiJoin | And | Or | Not


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class Query:
    """A parsed SOQL query. After :func:`bind`, names are the schema's canonical ones."""

    text: str = dc_field(repr=False)
    sobject: str
    sobject_pos: Pos
    alias: str | None
    fields: tuple[FieldPath, ...]
    is_count: bool
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    bound: bool = False


# --------------------------------------------------------------------------------------------
# Parsing: text -> lark tree -> AST
# --------------------------------------------------------------------------------------------


def parse(text: str) -> Query:
    """Parse SOQL text (syntax only). Raises :class:`SoqlError` MALFORMED_QUERY."""
    if not isinstance(text, str):
        raise SoqlError("MALFORMED_QUERY", "unexpected token: '<EOF>'")
    if len(text) > MAX_QUERY_LENGTH:
        raise SoqlError("MALFORMED_QUERY", "SOQL statements cannot be longer than 100,000 characters.")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    except (LarkError, RecursionError):
        raise _unexpected(text, "<EOF>", None) from None
    try:
        return _Builder(text).query(tree)
    except RecursionError:
        raise SoqlError("MALFORMED_QUERY", "Query is too complicated: too many nested expressions.") from None


def _syntax_error(text: str, exc: UnexpectedInput) -> SoqlError:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return _unexpected(text, "<EOF>", _end_pos(text))
        return _unexpected(text, str(tok.value), (tok.line or 1, tok.column or 1))
    if isinstance(exc, UnexpectedCharacters):
        return _unexpected(text, exc.char, (exc.line, exc.column))
    if isinstance(exc, UnexpectedEOF):
        return _unexpected(text, "<EOF>", _end_pos(text))
    return _unexpected(text, "<EOF>", None)  # pragma: no cover - lark has no other kinds


def _end_pos(text: str) -> Pos:
    lines = text.rstrip().split("\n")
    return (len(lines), len(lines[-1]) + 1)


def _pos(tok: Token) -> Pos:
    return (tok.line or 1, tok.column or 1)


def _token(node: Tree | Token) -> Token:
    """A parse-tree child the grammar makes a token."""
    if not isinstance(node, Token):
        raise TypeError(f"expected a token in the SOQL parse tree, got {node!r}")
    return node


def _tree(node: Tree | Token) -> Tree:
    """A parse-tree child the grammar makes a subtree."""
    if not isinstance(node, Tree):
        raise TypeError(f"expected a subtree in the SOQL parse tree, got {node!r}")
    return node


_ESCAPES = {
    "n": "\n",
    "N": "\n",
    "r": "\r",
    "R": "\r",
    "t": "\t",
    "T": "\t",
    "b": "\b",
    "B": "\b",
    "f": "\f",
    "F": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}

_RELATIVE_UNITS = {
    "DAY": "day",
    "DAYS": "day",
    "WEEK": "week",
    "WEEKS": "week",
    "MONTH": "month",
    "MONTHS": "month",
    "QUARTER": "quarter",
    "QUARTERS": "quarter",
    "YEAR": "year",
    "YEARS": "year",
}
_PLAIN_RELATIVE = re.compile(
    r"(THIS|LAST|NEXT)_(WEEK|MONTH|QUARTER|YEAR)|TODAY|YESTERDAY|TOMORROW|"
    r"(LAST|NEXT)_90_DAYS"
)
_PARAM_RELATIVE = re.compile(
    r"(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)|"
    r"N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)_AGO"
)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$"
)
_MAX_N = 1_000_000  # relative literal counts beyond this clamp to the calendar's ends anyway


class _Builder:
    """Turns lark's parse tree into the frozen AST, checking literals on the way."""

    def __init__(self, text: str) -> None:
        self.text = text

    def query(self, tree: Tree) -> Query:
        children = list(tree.children)
        select_list = children[1]
        names = [c for c in children[3:] if isinstance(c, Token) and c.type == "NAME"]
        obj = names[0]
        alias = str(names[1]) if len(names) > 1 else None
        clauses = {c.data: c for c in children if isinstance(c, Tree) and c.data != select_list.data}
        if select_list.data == "count_select":
            fn = select_list.children[0]
            if str(fn).lower() != "count":
                raise _unexpected(self.text, str(fn), _pos(_token(fn)))
            fields: tuple[FieldPath, ...] = ()
        else:
            fields = tuple(self.field(f) for f in select_list.children)
        return Query(
            text=self.text,
            sobject=str(obj),
            sobject_pos=_pos(obj),
            alias=alias,
            fields=fields,
            is_count=select_list.data == "count_select",
            where=self.condition(clauses["where"].children[1]) if "where" in clauses else None,
            order_by=tuple(self.order_item(i) for i in clauses["order"].children[2:])
            if "order" in clauses
            else (),
            limit=self.count(_token(clauses["limit"].children[1])) if "limit" in clauses else None,
            offset=self.count(_token(clauses["offset"].children[1])) if "offset" in clauses else None,
        )

    def subquery(self, tree: Tree) -> Query:
        children = list(tree.children)
        names = [c for c in children if isinstance(c, Token) and c.type == "NAME"]
        where = next((c for c in children if isinstance(c, Tree) and c.data == "where"), None)
        return Query(
            text=self.text,
            sobject=str(names[0]),
            sobject_pos=_pos(names[0]),
            alias=str(names[1]) if len(names) > 1 else None,
            fields=(self.field(children[1]),),
            is_count=False,
            where=self.condition(where.children[1]) if where is not None else None,
            order_by=(),
            limit=None,
            offset=None,
        )

    def field(self, tree: Tree) -> FieldPath:
        parts = tree.children
        return FieldPath(tuple(str(p) for p in parts), _pos(_token(parts[0])))

    def count(self, tok: Token) -> int:
        if not re.fullmatch(r"[0-9]{1,9}", str(tok)):
            raise _unexpected(self.text, str(tok), _pos(tok))
        return int(str(tok))

    def order_item(self, tree: Tree) -> OrderItem:
        kinds = {_token(c).type for c in tree.children[1:]}
        descending = "DESC" in kinds
        if "FIRST" in kinds:
            nulls_first = True
        elif "LAST" in kinds:
            nulls_first = False
        else:
            nulls_first = not descending
        return OrderItem(self.field(tree.children[0]), descending, nulls_first)

    def condition(self, node: Tree | Token) -> Condition:
        tree = _tree(node)
        kind = tree.data
        ch = tree.children
        if kind == "and_chain":
            return And(tuple(self.condition(c) for c in ch if isinstance(c, Tree)))
        if kind == "or_chain":
            return Or(tuple(self.condition(c) for c in ch if isinstance(c, Tree)))
        if kind == "negation":
            return Not(self.condition(ch[1]))
        if kind == "compare":
            op = "!=" if str(ch[1]) == "<>" else str(ch[1])
            return Comparison(self.field(_tree(ch[0])), op, self.literal(_token(ch[2])))
        if kind == "like":
            return Comparison(self.field(_tree(ch[0])), "LIKE", self.literal(_token(ch[2])))
        negated = isinstance(ch[1], Token) and ch[1].type == "NOT"
        if kind == "in_list":
            values = tuple(self.literal(_token(c)) for c in ch[(3 if negated else 2) :])
            return InList(self.field(ch[0]), values, negated)
        if kind == "semi_join":
            return SemiJoin(self.field(ch[0]), self.subquery(ch[-1]), negated)
        raise _unexpected(self.text, "<EOF>", None)  # pragma: no cover - grammar has no others

    def literal(self, tok: Token) -> Literal:
        raw, pos, kind = str(tok), _pos(tok), tok.type
        if kind == "STRING":
            return Literal("string", self.string(raw[1:-1], pos), raw[1:-1], pos)
        if kind == "NUMBER":
            return Literal("number", self.number(raw, pos), raw, pos)
        if kind == "NULL":
            return Literal("null", None, raw, pos)
        if kind in ("TRUE", "FALSE"):
            return Literal("boolean", kind == "TRUE", raw, pos)
        if kind == "DATE":
            try:
                return Literal("date", date.fromisoformat(raw), raw, pos)
            except ValueError:
                raise _unexpected(self.text, raw, pos) from None
        if kind == "DATETIME":
            value = _parse_datetime(raw)
            if value is None:
                raise _unexpected(self.text, raw, pos)
            return Literal("datetime", value, raw, pos)
        if kind == "BIND":
            raise _error("MALFORMED_QUERY", "Bind variables only allowed in Apex Code", self.text, pos)
        if kind == "NAME" and _PLAIN_RELATIVE.fullmatch(raw.upper()):
            return Literal("relative", (raw.upper(), 0), raw, pos)
        if kind == "N_LITERAL":
            name, _, n = raw.partition(":")
            if _PARAM_RELATIVE.fullmatch(name.upper()):
                count = int(n) if len(n) <= 7 else _MAX_N
                return Literal("relative", (name.upper(), min(count, _MAX_N)), raw, pos)
        raise _unexpected(self.text, raw, pos)

    def string(self, body: str, pos: Pos) -> str:
        """Decode SOQL escapes. ``\\%`` and ``\\_`` stay as written: only LIKE gives them meaning."""
        out: list[str] = []
        i = 0
        while i < len(body):
            ch = body[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif nxt in ("%", "_"):
                out.append("\\" + nxt)
                i += 2
            elif nxt in ("u", "U") and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            else:
                raise _error(
                    "MALFORMED_QUERY",
                    f"Invalid string literal '{body}'. Illegal character "
                    f"sequence '\\{nxt}' in string literal.",
                    self.text,
                    pos,
                )
        return "".join(out)

    def number(self, raw: str, pos: Pos) -> int | float:
        try:
            if re.fullmatch(r"[+-]?[0-9]+", raw):
                return int(raw)
            return float(raw)
        except (ValueError, OverflowError):
            raise _unexpected(self.text, raw, pos) from None


def _parse_datetime(text: str) -> datetime | None:
    """An aware UTC datetime from SOQL literal or stored formats; None if it isn't one."""
    m = _DATETIME.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, _zulu, sign, oh, om = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        offset = timedelta(0)
        if sign:
            if int(oh) > 23 or int(om) > 59:
                return None
            offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
        local = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro)
        return (local - offset).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------------------------
# Schema and binding
# --------------------------------------------------------------------------------------------


class Schema(Protocol):
    """What the binder needs to know about the org's objects."""

    def object_names(self) -> Iterable[str]:
        """Canonical sObject names, e.g. ``"Contact"``."""
        ...

    def fields(self, sobject: str) -> dict[str, str]:
        """Canonical field name -> type (id string textarea email phone picklist reference
        boolean int double date datetime; unknown types compare as text)."""
        ...

    def relationship(self, sobject: str, name: str) -> tuple[str, str] | None:
        """``("Contact", "Account")`` -> ``("Account", "AccountId")``: target and foreign key."""
        ...


_TEXT_TYPES = {
    "string",
    "textarea",
    "email",
    "phone",
    "picklist",
    "multipicklist",
    "combobox",
    "url",
    "encryptedstring",
}
_ID_TYPES = {"id", "reference"}
_NUMBER_TYPES = {"int", "double", "currency", "percent", "long"}


def _category(schema_type: str | None) -> str:
    t = (schema_type or "").lower()
    if t in _ID_TYPES:
        return "id"
    if t in _NUMBER_TYPES:
        return "number"
    if t in ("boolean", "date", "datetime"):
        return t
    return "text"


def _type_label(schema_type: str | None) -> str:
    """The type name Salesforce prints in 'must be of type X' messages."""
    t = (schema_type or "").lower()
    return {
        "int": "integer",
        "long": "long",
        "datetime": "dateTime",
        "reference": "id",
        "id": "id",
        "boolean": "boolean",
        "date": "date",
        "double": "double",
        "currency": "currency",
        "percent": "percent",
    }.get(t, "string")


_LITERAL_KINDS = {
    "text": {"string"},
    "id": {"string"},
    "number": {"number"},
    "boolean": {"boolean"},
    "date": {"date", "relative"},
    "datetime": {"datetime", "relative"},
}


def bind(query: Query, schema: Schema) -> Query:
    """Resolve names against ``schema`` and type-check filters.

    Returns the query with canonical names (``.sobject`` is the canonical object name) and
    resolved field paths. Raises :class:`SoqlError` INVALID_TYPE, INVALID_FIELD,
    INVALID_QUERY_FILTER_OPERATOR, MALFORMED_QUERY or NUMBER_OUTSIDE_VALID_RANGE.
    """
    if query.bound:
        return query
    try:
        return _Binder(schema, query.text).query(query, nested=False)
    except RecursionError:
        raise SoqlError("MALFORMED_QUERY", "Query is too complicated: too many nested expressions.") from None


validate = bind  # the REST layer may call either name


_ID_CHECKSUM_ALPHABET = string.ascii_uppercase + "012345"


def _id_valid(value: str) -> bool:
    """A well-formed 15- or 18-character Salesforce id (the 18-char checksum is checked)."""
    if len(value) not in (15, 18) or not value.isascii() or not value.isalnum():
        return False
    if len(value) == 15:
        return True
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(value[chunk * 5 : chunk * 5 + 5]) if "A" <= ch <= "Z")
        suffix += _ID_CHECKSUM_ALPHABET[bits]
    return suffix == value[15:]


class _Binder:
    def __init__(self, schema: Schema, text: str) -> None:
        self.schema = schema
        self.text = text
        self._fields: dict[str, dict[str, str]] = {}

    # -- names -------------------------------------------------------------------------

    def sobject(self, name: str, pos: Pos) -> str:
        for canonical in self.schema.object_names():
            if canonical.lower() == name.lower():
                return canonical
        raise _error(
            "INVALID_TYPE",
            f"sObject type '{name}' is not supported. If you are attempting to use a "
            "custom object, be sure to append the '__c' after the entity name. Please reference "
            "your WSDL or the describe call for the appropriate names.",
            self.text,
            pos,
        )

    def fields_of(self, sobject: str) -> dict[str, str]:
        if sobject not in self._fields:
            self._fields[sobject] = dict(self.schema.fields(sobject))
        return self._fields[sobject]

    def field_name(self, sobject: str, name: str) -> str | None:
        fields = self.fields_of(sobject)
        if name in fields:
            return name
        return next((f for f in fields if f.lower() == name.lower()), None)

    def relationship(self, sobject: str, name: str) -> Hop | None:
        """The relationship ``name`` on ``sobject``, matched case-insensitively."""
        canonical = name
        for f, t in self.fields_of(sobject).items():
            if str(t).lower() != "reference":
                continue
            if f.lower().endswith("__c"):
                derived = f[:-3] + "__r"
            elif f.lower().endswith("id") and len(f) > 2:
                derived = f[:-2]
            else:
                continue
            if derived.lower() == name.lower():
                canonical = derived
                break
        found = self.schema.relationship(sobject, canonical)
        if found is None and canonical != name:
            found = self.schema.relationship(sobject, name)
            canonical = name
        if found is None:
            return None
        target, foreign_key = found
        target = next((o for o in self.schema.object_names() if o.lower() == target.lower()), target)
        return Hop(canonical, target, self.field_name(sobject, foreign_key) or foreign_key)

    def field(self, sobject: str, alias: str | None, path: FieldPath) -> FieldPath:
        parts = list(path.parts)
        if len(parts) > 1:
            head = parts[0].lower()
            if (alias is not None and head == alias.lower()) or (
                head == sobject.lower() and self.relationship(sobject, parts[0]) is None
            ):
                parts = parts[1:]
        if len(parts) - 1 > MAX_RELATIONSHIP_DEPTH:
            raise _error(
                "MALFORMED_QUERY",
                f"Relationship path {path.text} has more than {MAX_RELATIONSHIP_DEPTH} levels.",
                self.text,
                path.pos,
            )
        hops: list[Hop] = []
        current = sobject
        for rel in parts[:-1]:
            hop = self.relationship(current, rel)
            if hop is None:
                raise _error(
                    "INVALID_FIELD",
                    f"Didn't understand relationship '{rel}' in field path. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' after the "
                    "custom relationship name. Please reference your WSDL or the describe call for the "
                    "appropriate names.",
                    self.text,
                    path.pos,
                )
            hops.append(hop)
            current = hop.target
        name = self.field_name(current, parts[-1])
        if name is None:
            raise _error(
                "INVALID_FIELD",
                f"No such column '{parts[-1]}' on entity '{current}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the custom field "
                "name. Please reference your WSDL or the describe call for the appropriate names.",
                self.text,
                path.pos,
            )
        canonical_parts = tuple(h.name for h in hops) + (name,)
        return FieldPath(canonical_parts, path.pos, tuple(hops), name, self.fields_of(current)[name], current)

    def reference_target(self, f: FieldPath) -> str | None:
        """The object an id-typed field points at (its own object for ``Id``), if known."""
        if _category(f.type) != "id" or f.owner is None or f.name is None:
            return None
        if f.type == "id":
            return f.owner
        base = f.name[:-3] + "__r" if f.name.lower().endswith("__c") else f.name[:-2]
        hop = self.relationship(f.owner, base) if base else None
        return hop.target if hop else None

    # -- query --------------------------------------------------------------------------

    def query(self, q: Query, nested: bool) -> Query:
        sobject = self.sobject(q.sobject, q.sobject_pos)
        fields = tuple(self.field(sobject, q.alias, f) for f in q.fields)
        seen: set[str] = set()
        for f in fields:
            key = ".".join(f.parts).lower()
            if key in seen:
                raise _error(
                    "MALFORMED_QUERY", f"duplicate field selected: {'.'.join(f.parts)}", self.text, f.pos
                )
            seen.add(key)
        if q.offset is not None and q.offset > MAX_OFFSET:
            raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        where = self.condition(sobject, q.alias, q.where, nested) if q.where is not None else None
        if where is not None and not nested:
            self.check_semi_join_placement(where, top=True, under=None)
        order_by = tuple(replace(o, field=self.field(sobject, q.alias, o.field)) for o in q.order_by)
        return replace(q, sobject=sobject, fields=fields, where=where, order_by=order_by, bound=True)

    def condition(self, sobject: str, alias: str | None, c: Condition, nested: bool) -> Condition:
        if isinstance(c, And):
            return And(tuple(self.condition(sobject, alias, i, nested) for i in c.items))
        if isinstance(c, Or):
            return Or(tuple(self.condition(sobject, alias, i, nested) for i in c.items))
        if isinstance(c, Not):
            return Not(self.condition(sobject, alias, c.item, nested))
        f = self.field(sobject, alias, c.field)
        if isinstance(c, Comparison):
            return Comparison(f, c.op, self.value(f, c.value, c.op))
        if isinstance(c, InList):
            return InList(f, tuple(self.value(f, v, "IN") for v in c.values), c.negated)
        return self.semi_join(f, c, nested)

    def semi_join(self, f: FieldPath, c: SemiJoin, nested: bool) -> SemiJoin:
        if nested:
            raise _error(
                "MALFORMED_QUERY",
                "Nesting of semi join sub-selects is not supported",
                self.text,
                c.query.sobject_pos,
            )
        inner = self.query(c.query, nested=True)
        selected = inner.fields[0]
        left, right = self.reference_target(f), self.reference_target(selected)
        if (
            _category(f.type) != "id"
            or _category(selected.type) != "id"
            or (left is not None and right is not None and left != right)
        ):
            raise _error(
                "INVALID_FIELD",
                f"The selected field '{'.'.join(selected.parts)}' in the subquery and the "
                f"left operand field in the where expression in the outer query "
                f"'{'.'.join(f.parts)}' should point to the same object type",
                self.text,
                f.pos,
            )
        return SemiJoin(f, inner, c.negated)

    def check_semi_join_placement(self, c: Condition, top: bool, under: str | None) -> None:
        """Semi-joins may sit only in the top-level WHERE or a top-level AND chain."""
        if isinstance(c, SemiJoin):
            if under == "OR":
                raise _error(
                    "MALFORMED_QUERY",
                    "Semi join sub-selects are not allowed with the 'OR' operator",
                    self.text,
                    c.field.pos,
                )
            if not top:
                raise _error(
                    "MALFORMED_QUERY",
                    "Semi join sub-selects are only allowed at the top level WHERE "
                    "expressions and not in nested WHERE expressions.",
                    self.text,
                    c.field.pos,
                )
        elif isinstance(c, And):
            for i in c.items:
                self.check_semi_join_placement(i, top, under)
        elif isinstance(c, Or):
            for i in c.items:
                self.check_semi_join_placement(i, False, "OR")
        elif isinstance(c, Not):
            self.check_semi_join_placement(c.item, False, under or "NOT")

    def value(self, f: FieldPath, lit: Literal, op: str) -> Literal:
        """Check a literal against its field's type; normalise it for evaluation."""
        cat = _category(f.type)
        name = f.name or f.text
        if op == "LIKE" and cat == "id":
            raise _error("INVALID_QUERY_FILTER_OPERATOR", "invalid operator on id field", self.text, f.pos)
        if lit.kind == "null":
            return lit
        if lit.kind not in _LITERAL_KINDS[cat]:
            quoting = (
                "should be enclosed in quotes"
                if cat in ("text", "id")
                else "should not be enclosed in quotes"
            )
            raise _error(
                "INVALID_FIELD",
                f"value of filter criterion for field '{name}' must be of type "
                f"{_type_label(f.type)} and {quoting}",
                self.text,
                lit.pos,
            )
        if op == "LIKE" and cat != "text":
            raise _error(
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on {_type_label(f.type)} field",
                self.text,
                f.pos,
            )
        if cat in ("text", "id") and lit.value == "":
            return replace(lit, kind="null", value=None)  # Salesforce stores no empty strings
        if cat == "id" and not _id_valid(str(lit.value)):
            raise _error(
                "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {lit.value}", self.text, lit.pos
            )
        return lit


# --------------------------------------------------------------------------------------------
# Relative date literals
# --------------------------------------------------------------------------------------------


def _unit_start(day: date, unit: str) -> date:
    if unit == "day":
        return day
    if unit == "week":  # en_US: weeks start on Sunday
        return day - timedelta(days=(day.weekday() + 1) % 7)
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _shift(day: date, unit: str, k: int) -> date:
    """``day`` moved by ``k`` units, clamped to the calendar's ends instead of overflowing."""
    try:
        if unit == "day":
            return day + timedelta(days=k)
        if unit == "week":
            return day + timedelta(days=7 * k)
        months = {"month": 1, "quarter": 3, "year": 12}[unit] * k
        total = day.year * 12 + day.month - 1 + months
        year, month = divmod(total, 12)
        return day.replace(
            year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
        )
    except (OverflowError, ValueError):
        return date.min if k < 0 else date.max


def _relative_range(name: str, n: int, today: date) -> tuple[date, date]:
    """[first day, day after the last) of a relative date literal."""
    aliases = {
        "TODAY": ("THIS", "DAY"),
        "YESTERDAY": ("LAST", "DAY"),
        "TOMORROW": ("NEXT", "DAY"),
        "LAST_90_DAYS": ("LAST_N", "DAYS"),
        "NEXT_90_DAYS": ("NEXT_N", "DAYS"),
    }
    if name in ("LAST_90_DAYS", "NEXT_90_DAYS"):
        n = 90
    if name in aliases:
        mode, unit_word = aliases[name]
    elif name.startswith("N_"):
        mode, unit_word = "AGO", name[2:-4]
    elif name[5:7] == "N_":
        mode, unit_word = name[:6], name[7:]
    else:
        mode, unit_word = name.split("_", 1)
    unit = _RELATIVE_UNITS[unit_word]
    start = _unit_start(today, unit)
    if mode == "THIS":
        lo, hi = start, _shift(start, unit, 1)
    elif mode == "LAST":
        lo, hi = _shift(start, unit, -1), start
    elif mode == "NEXT":
        lo, hi = _shift(start, unit, 1), _shift(start, unit, 2)
    elif mode == "LAST_N":  # days include today; other units end with the previous one
        end = _shift(today, "day", 1) if unit == "day" else start
        lo, hi = _shift(start, unit, -n), end
    elif mode == "NEXT_N":
        lo, hi = _shift(start, unit, 1), _shift(start, unit, n + 1)
    else:  # AGO
        lo, hi = _shift(start, unit, -n), _shift(start, unit, 1 - n)
    return lo, hi


def _as_instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


class Records(list):
    """The records of a result; ``total_size`` is the query's totalSize.

    For ``COUNT()`` the list is empty and ``total_size`` holds the count.
    """

    total_size: int = 0


@dataclass
class _Context:
    schema: Schema
    rows: Callable[[str], Iterable[dict]]
    get: Callable[[str, str], dict | None]
    now: datetime
    api_version: str
    parents: dict[tuple[str, str], dict | None] = dc_field(default_factory=dict)
    semi_sets: dict[int, frozenset] = dc_field(default_factory=dict)
    ranges: dict[tuple[str, int, str], tuple] = dc_field(default_factory=dict)

    def parent(self, sobject: str, record_id: object) -> dict | None:
        if not isinstance(record_id, str) or not record_id:
            return None
        key = (sobject, record_id)
        if key not in self.parents:
            self.parents[key] = self.get(sobject, record_id)
        return self.parents[key]

    def url(self, sobject: str, record_id: object) -> str:
        return f"/services/data/v{self.api_version}/sobjects/{sobject}/{record_id}"

    def relative(self, lit: Literal, cat: str) -> tuple:
        """The half-open [start, end) of a relative date literal, as dates or as instants."""
        value = lit.value
        assert isinstance(value, tuple)  # a relative date literal's value is (name, n)
        name, n = value
        key = (name, n, cat)
        if key not in self.ranges:
            now = self.now if self.now.tzinfo else self.now.replace(tzinfo=UTC)
            first, end = _relative_range(name, n, now.astimezone(UTC).date())
            self.ranges[key] = (first, end) if cat == "date" else (_as_instant(first), _as_instant(end))
        return self.ranges[key]


def _normalise(value: object, cat: str) -> object:
    """A stored value as something comparable for its field category; None if unusable."""
    if value is None:
        return None
    try:
        if cat == "text":
            s = value if isinstance(value, str) else str(value)
            return s or None
        if cat == "id":
            s = value if isinstance(value, str) else str(value)
            return s or None
        if cat == "number":
            if isinstance(value, bool):
                return int(value)
            return value if isinstance(value, (int, float)) else float(str(value))
        if cat == "boolean":
            if isinstance(value, bool):
                return value
            return {"true": True, "false": False}.get(str(value).lower())
        if cat == "date":
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value)[:10])
        if cat == "datetime":
            if isinstance(value, datetime):
                return value if value.tzinfo else value.replace(tzinfo=UTC)
            return _parse_datetime(str(value))
    except (ValueError, TypeError, OverflowError):
        return None
    return value


def _id_key(value: str) -> str:
    return value[:15] if len(value) in (15, 18) else value


def _sort_key(value: object, cat: str) -> object:
    if cat == "text":
        return str(value).casefold()
    return value


def _field_value(rec: dict, f: FieldPath, ctx: _Context) -> object:
    current: dict = rec
    for hop in f.hops:
        parent = ctx.parent(hop.target, current.get(hop.foreign_key))
        if parent is None:
            return None
        current = parent
    return current.get(f.name) if f.name else None


@functools.lru_cache(maxsize=512)
def _like_regex(raw: str) -> re.Pattern:
    """SOQL LIKE pattern (raw literal text, escapes undecoded) -> compiled regex."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in ("u", "U") and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6]):
                out.append(re.escape(chr(int(raw[i + 2 : i + 6], 16))))
                i += 6
                continue
            out.append(re.escape(_ESCAPES.get(nxt, nxt)))
            i += 2
        elif ch == "%":
            out.append(".*")
            i += 1
        elif ch == "_":
            out.append(".")
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _compare(op: str, value: object, lit: Literal, cat: str, ctx: _Context) -> bool:
    if lit.kind == "null":
        if op == "=":
            return value is None
        if op == "!=":
            return value is not None
        return False
    if value is None:
        return op == "!="
    if op == "LIKE":
        return cat == "text" and _like_regex(lit.raw).fullmatch(str(value)) is not None
    if lit.kind == "relative":
        start, end = ctx.relative(lit, cat)
        try:
            return {
                "=": lambda: start <= value < end,
                "!=": lambda: not start <= value < end,
                "<": lambda: value < start,
                ">=": lambda: value >= start,
                ">": lambda: value >= end,
                "<=": lambda: value < end,
            }[op]()
        except TypeError:
            return False
    other = lit.value
    if cat == "text":
        value, other = str(value).casefold(), str(other).casefold()
    elif cat == "id" and op in ("=", "!="):
        value, other = _id_key(str(value)), _id_key(str(other))
    if op == "=":
        return value == other
    if op == "!=":
        return value != other
    try:
        if op == "<":
            return value < other  # type: ignore[operator]  # both sides are of one sort category
        if op == ">":
            return value > other  # type: ignore[operator]  # both sides are of one sort category
        if op == "<=":
            return value <= other  # type: ignore[operator]  # both sides are of one sort category
        return value >= other  # type: ignore[operator]  # both sides are of one sort category
    except TypeError:
        return False


def _matches(c: Condition, rec: dict, ctx: _Context) -> bool:
    if isinstance(c, And):
        return all(_matches(i, rec, ctx) for i in c.items)
    if isinstance(c, Or):
        return any(_matches(i, rec, ctx) for i in c.items)
    if isinstance(c, Not):
        return not _matches(c.item, rec, ctx)
    cat = _category(c.field.type)
    value = _normalise(_field_value(rec, c.field, ctx), cat)
    if isinstance(c, Comparison):
        return _compare(c.op, value, c.value, cat, ctx)
    if isinstance(c, InList):
        found = any(_compare("=", value, v, cat, ctx) for v in c.values)
        return found != c.negated
    keys = _semi_join_keys(c, ctx)
    found = value is not None and _id_key(str(value)) in keys
    return found != c.negated


def _semi_join_keys(c: SemiJoin, ctx: _Context) -> frozenset:
    key = id(c)
    if key not in ctx.semi_sets:
        inner = c.query
        selected = inner.fields[0]
        values = set()
        for rec in ctx.rows(inner.sobject):
            if inner.where is None or _matches(inner.where, rec, ctx):
                v = _normalise(_field_value(rec, selected, ctx), "id")
                if v is not None:
                    values.add(_id_key(str(v)))
        ctx.semi_sets[key] = frozenset(values)
    return ctx.semi_sets[key]


def _order(records: list[dict], items: tuple[OrderItem, ...], ctx: _Context) -> list[dict]:
    cats = [_category(i.field.type) for i in items]
    keyed = []
    for rec in records:
        keys = []
        for item, cat in zip(items, cats, strict=False):
            v = _normalise(_field_value(rec, item.field, ctx), cat)
            keys.append(None if v is None else _sort_key(v, cat))
        keyed.append((keys, rec))

    def cmp(a: tuple, b: tuple) -> int:
        for va, vb, item in zip(a[0], b[0], items, strict=False):
            if va is None and vb is None:
                continue
            if va is None or vb is None:
                first = -1 if item.nulls_first else 1
                return first if va is None else -first
            try:
                if va == vb:
                    continue
                r = -1 if va < vb else 1
            except TypeError:
                r = -1 if str(va) < str(vb) else 1
            return -r if item.descending else r
        return 0

    keyed.sort(key=functools.cmp_to_key(cmp))
    return [rec for _, rec in keyed]


def _render(rec: dict, query: Query, ctx: _Context) -> dict:
    out: dict = {"attributes": {"type": query.sobject, "url": ctx.url(query.sobject, rec.get("Id"))}}
    for f in query.fields:
        node, current = out, rec
        for hop in f.hops:
            parent = ctx.parent(hop.target, current.get(hop.foreign_key))
            if hop.name not in node:
                node[hop.name] = (
                    None
                    if parent is None
                    else {"attributes": {"type": hop.target, "url": ctx.url(hop.target, parent.get("Id"))}}
                )
            if node[hop.name] is None or parent is None:
                break
            node, current = node[hop.name], parent
        else:
            node[f.name] = current.get(f.name)
    return out


def execute(
    query: Query,
    *,
    schema: Schema,
    rows: Callable[[str], Iterable[dict]],
    get: Callable[[str, str], dict | None],
    now: datetime,
    api_version: str = "67.0",
) -> Records:
    """Run ``query`` over ``rows(sobject)``; parents come from ``get(sobject, id)``.

    Binds the query first if needed (so schema errors surface here too). Returns REST-shaped
    records; for ``COUNT()`` an empty list whose ``total_size`` is the count.
    """
    bound = bind(query, schema)
    ctx = _Context(schema, rows, get, now, api_version)
    try:
        matched = [r for r in rows(bound.sobject) if bound.where is None or _matches(bound.where, r, ctx)]
    except RecursionError:
        raise SoqlError("MALFORMED_QUERY", "Query is too complicated: too many nested expressions.") from None
    if bound.order_by:
        matched = _order(matched, bound.order_by, ctx)
    start = bound.offset or 0
    end = None if bound.limit is None else start + bound.limit
    window = matched[start:end]
    result = Records()
    if bound.is_count:
        result.total_size = len(window)
        return result
    result.extend(_render(r, bound, ctx) for r in window)
    result.total_size = len(result)
    return result
