"""Django's ``i18n`` template library, with ``{% translate "literal" %}`` rendered directly.

Registered under the name ``i18n`` (TEMPLATES' ``libraries``), so every ``{% load i18n %}``
gets it; every other tag and filter is Django's own. A ``{% translate %}`` of a plain string
literal (no filters, no ``context``, not ``noop``) made a lazy translation, localised and
escaped it and then undid its doubled percent signs: about 11 µs a node on the 2-core bench
machine, and a dashboard page has about 40 (the frame, the tabs' texts; issue 18). The
literal's result is known without all that: ``gettext`` of the literal with its ``%`` doubled,
percent signs restored, safe (a template's literal is safe, so Django never escapes it
either). Anything else is Django's ``TranslateNode`` as it is. ``tests/test_i18n.py`` holds
both to the same output.
"""

from django import template
from django.template.base import Variable
from django.templatetags import i18n
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import gettext

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class LiteralTranslateNode(i18n.TranslateNode):
    """``{% translate "literal" %}`` (optionally ``as var``): what ``TranslateNode`` renders."""

    msgid: str

    def render(self, context):
        value = SafeString(gettext(self.msgid).replace("%%", "%"))
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    expression = node.filter_expression
    variable = expression.var
    if (
        not node.noop
        and node.message_context is None
        and not expression.filters
        and isinstance(variable, Variable)
        and variable.lookups is None
        and isinstance(variable.literal, SafeData)
        and isinstance(variable.literal, str)
    ):
        node.__class__ = LiteralTranslateNode
        node.msgid = SafeString(variable.literal.replace("%", "%%"))
    return node
