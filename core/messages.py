"""Messages for people, translatable where a person reads them.

A `Msg` is written in English with `{name}` fields and *is* that English text wherever a plain
string is expected (the API's JSON errors, logs, tests). It also keeps its template and fields,
so the review UI can show it in the reader's language (review_ui/i18n.py looks the template up
in its gettext catalogue; pybabel extracts `Msg("...")` from the domain packages, see
babel.cfg). The domain never knows the reader's language.

Fields are data and are shown as given (a username, a case id); a field that is itself a `Msg`
is translated too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Msg(str):
    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        made = super().__new__(cls, template.format(**params) if params else template)
        made.template, made.params = template, params
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (and copies) as the same message
        return (_rebuild, (type(self), self.template, dict(self.params)))

    def render(self, gettext: Callable[[str], str]) -> str:
        """The message through `gettext` (the reader's catalogue), its fields filled in."""
        if not self.template:
            return ""
        text = gettext(self.template)
        if not self.params:
            return text
        return text.format(**{k: self.field(v, gettext) for k, v in self.params.items()})

    def field(self, value: Any, gettext: Callable[[str], str]) -> Any:
        return value.render(gettext) if isinstance(value, Msg) else value


def _rebuild(cls: type[Msg], template: str, params: dict[str, Any]) -> Msg:
    return cls(template, **params)
