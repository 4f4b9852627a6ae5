"""``{% fixed_part %}`` (parabench/fixed_urls.py): a part written once per key, its live parts every
time — the frame of every portal page (base.html) and the dashboard's page head (detail.html)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import SafeString

from parabench.accounts.models import User

LOAD = "{% load i18n fixed_urls %}"


def test_a_fixed_part_is_written_once_per_key_and_its_live_parts_every_time():
    page = Template(
        LOAD + "{% fixed_part test kind %}[{{ kind }} {{ name }}|{% live %}{{ name }}{% endlive %}]"
        "{% endfixed_part %}"
    )
    assert page.render(Context({"kind": "a", "name": "Eerste"})) == "[a Eerste|Eerste]"
    # Same key: the kept text (name outside live is the first one's), the live part anew.
    assert page.render(Context({"kind": "a", "name": "Tweede"})) == "[a Eerste|Tweede]"
    # Another key: written anew.
    assert page.render(Context({"kind": "b", "name": "Derde"})) == "[b Derde|Derde]"


def test_live_parts_are_escaped_as_the_template_escapes_them():
    page = Template(
        LOAD + "{% fixed_part test %}<p>{% live %}{{ name }}{% endlive %}</p>{% endfixed_part %}"
    )
    page.render(Context({"name": "x"}))
    assert page.render(Context({"name": "<b>&"})) == "<p>&lt;b&gt;&amp;</p>"


def test_the_nodes_inside_a_fixed_part_are_found_by_type_as_django_finds_them():
    # Django's {% extends %} searches the parent's nodes for its blocks on every render; a
    # fixed part answers from what it found the first time, the same nodes every time.
    from django.template.base import VariableNode
    from django.template.loader_tags import BlockNode

    from parabench.fixed_urls import FixedPartNode

    page = Template(
        LOAD + "{% fixed_part test %}{% block inner %}{{ a }}{% endblock %}{{ b }}"
        "{% live %}{{ c }}{% endlive %}{% endfixed_part %}"
    )
    (part,) = page.nodelist.get_nodes_by_type(FixedPartNode)
    for nodetype in (BlockNode, VariableNode):
        walked = part.nodelist.get_nodes_by_type(nodetype)
        assert part.get_nodes_by_type(nodetype) == walked
        assert part.get_nodes_by_type(nodetype) == walked  # kept, and a fresh list each time
        assert part.get_nodes_by_type(nodetype) is not part.get_nodes_by_type(nodetype)
    assert len(part.get_nodes_by_type(VariableNode)) == 3


def test_the_language_is_part_of_the_key():
    page = Template(LOAD + '{% fixed_part test %}{% translate "Uitloggen" %}{% endfixed_part %}')
    with translation.override("nl"):
        assert page.render(Context()) == "Uitloggen"
    with translation.override("en"):
        assert page.render(Context()) == "Log out"


def test_a_live_part_inside_a_loop_of_the_key_is_written_in_its_place():
    page = Template(
        LOAD + "{% fixed_part test n %}{% for i in n %}<{% live %}{{ x }}{% endlive %}>{% endfor %}"
        "{% endfixed_part %}"
    )
    assert page.render(Context({"n": (1, 2), "x": "a"})) == "<a><a>"
    assert page.render(Context({"n": (1, 2), "x": "b"})) == "<b><b>"


def test_a_live_part_of_several_nodes_is_written_whole_in_a_safe_page():
    # The live part's nodes go straight into the fixed part's text (not through a node list's
    # own join), and the fixed part alone in a block: the page reads and is marked as before.
    page = Template(
        LOAD + "{% block body %}{% fixed_part test %}<p>{% live %}a {{ x }}{% if x %}!{% endif %}"
        " b{% endlive %}</p>{% endfixed_part %}{% endblock %}"
    )
    assert page.render(Context({"x": "<1>"})) == "<p>a &lt;1&gt;! b</p>"
    written = page.render(Context({"x": ""}))
    assert written == "<p>a  b</p>"
    assert isinstance(written, SafeString)


def test_the_dashboard_s_content_is_a_fixed_part_alone_in_its_block():
    # So that the block takes the part's text without a join of its own (fixed_urls).
    from django.template.loader_tags import BlockNode

    from parabench.fixed_urls import FixedPartNode

    page = get_template("dashboard/detail.html").template
    (content,) = [b for b in page.nodelist.get_nodes_by_type(BlockNode) if b.name == "content"]
    assert [type(node) for node in content.nodelist] == [FixedPartNode]


def _users():
    """Every kind of visitor the frame's menu tells apart (unsaved: only their fields count)."""
    return [
        AnonymousUser(),
        User(username="praktijk", practice_id=1),
        User(username="andere-praktijk", practice_id=2),
        User(username="coordinator"),
        User(username="beheer", is_staff=True),
        User(username="beheer-met-praktijk", is_staff=True, practice_id=1),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_frame_is_what_base_html_writes_without_the_kept_parts(language):
    """The kept frame (one template for every case in turn) against a fresh copy of base.html
    for each case: without the menu's keys (user, nav) or the language, a kept part would show
    another visitor's menu."""
    source = Path(settings.BASE_DIR, "parabench", "templates", "base.html").read_text()
    kept = get_template("base.html").template
    factory = RequestFactory()
    with translation.override(language):
        for nav in ("profile", "dashboard", "networks", "uitleg", ""):
            for user in _users():
                request = factory.get(f"/pagina/?nav={nav}&x=<b>")
                request.user = user
                context = {"user": user, "nav": nav, "request": request, "csrf_token": "T0KEN"}
                fresh = Template(source)
                assert kept.render(Context(context)) == fresh.render(Context(context))
