"""Every schema that takes input (API bodies and query strings, report
addresses, workspace forms) is held to the text rule and caps every text and
every list: checked on the schemas themselves, so a field added later
without a limit fails here."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError, fields, validate

import api.reports
import api.workspace.agencies
import api.workspace.officer
import api.workspace.secretariat
from api import schemas
from api.schemas import AgencyCode, EnumValue, Input, Items

# Every module whose schemas take input; importing them defines the classes.
MODULES = (api.schemas, api.reports, api.workspace.agencies, api.workspace.officer,
           api.workspace.secretariat)


def _subclasses(cls: type[Any]) -> set[type[Any]]:
    found = set(cls.__subclasses__())
    return found | {deeper for sub in found for deeper in _subclasses(sub)}


INPUTS = sorted(_subclasses(Input), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def _input_schemas_in(module: Any) -> set[type[Schema]]:
    """Schemas of the module that load what a client sends: named *In, *Query,
    *Form, *Args, and the parts of bodies."""
    return {value for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, Schema)
            and value.__module__ == module.__name__
            and name.endswith(("In", "Query", "Form", "Args"))}


def _has_max(field: fields.Field[Any]) -> bool:
    return any(isinstance(v, validate.Length) and v.max is not None
               for v in field.validators)


def _bounded(field: fields.Field[Any]) -> str | None:
    """Why `field` takes no unbounded input, or None if it may."""
    if isinstance(field, Items):
        inner = _bounded(field.inner)
        return f"at most {field.most} items" if inner else None
    if isinstance(field, fields.Nested):
        return "a nested input" if isinstance(field.schema, Input) else None
    if isinstance(field, (EnumValue, fields.UUID)):
        return "a fixed form"
    if isinstance(field, AgencyCode):
        return "an agency code"
    if isinstance(field, fields.String):
        if _has_max(field) or any(isinstance(v, validate.OneOf) for v in field.validators):
            return "a limited length"
        return None
    if isinstance(field, (fields.Date, fields.DateTime, fields.Time, fields.Integer,
                          fields.Boolean)):
        return "a parsed value"
    return None  # Dict, Raw, a plain List: unbounded


def test_every_input_schema_derives_from_input() -> None:
    for module in MODULES:
        for schema in _input_schemas_in(module):
            assert issubclass(schema, Input), f"{schema.__module__}.{schema.__name__}"
    assert schemas.Evidence in INPUTS and schemas.Contact in INPUTS


@pytest.mark.parametrize("schema", INPUTS, ids=lambda cls: cls.__name__)
def test_every_field_of_an_input_is_bounded(schema: type[Input]) -> None:
    unbounded = [name for name, field in schema().load_fields.items()
                 if _bounded(field) is None]
    assert unbounded == [], f"{schema.__name__}: give these a limit"


@pytest.mark.parametrize("schema", INPUTS, ids=lambda cls: cls.__name__)
def test_every_input_refuses_a_nul_in_any_of_its_text_fields(schema: type[Input]) -> None:
    instance = schema()
    # A workspace form says it in the reader's language, which needs a request's app.
    with Flask(__name__).app_context():
        _refuses_nul(instance)


def _refuses_nul(instance: Input) -> None:
    for name, field in instance.load_fields.items():
        key = field.data_key or name
        value: Any = "a\x00b"
        if isinstance(field, Items):
            value = [value]
        elif isinstance(field, fields.Nested):
            continue  # its own schema is one of INPUTS
        with pytest.raises(ValidationError) as refused:
            instance.load({key: value})
        what = (type(instance).__name__, key)
        assert key in refused.value.messages_dict, what
        assert "U+0000" in str(refused.value.messages_dict[key]), what
